#pragma once
// The reports the commands print, built from the engines' results. Pure: a Thesis in, a Report
// (tables for people, CSV/markdown, and the JSON document) out.

#include "thesis/payoff.h"
#include "thesis/report.h"
#include "thesis/thesis.h"

#include <optional>
#include <string>

namespace thesis {

/// `thesis run`: the valuation bridge, each scenario, the expectation, implied numbers and audit.
/// With `only_scenario`, the scenario table shows that scenario alone.
Report valuation_report(const Thesis& thesis, const std::string& only_scenario = "");

/// The exit-price grid a user asked for; unset fields take the default grid's.
struct GridRequest {
    std::optional<Price> from, to, step;
};

/// `thesis table --plan NAME`: the plan's economics and its payoff at a grid of exit prices,
/// with each scenario's price as a labelled row.
Report payoff_report(const Thesis& thesis, const Plan& plan, const GridRequest& grid = {});

/// Common stamp on every JSON document: program version and source.
nlohmann::json json_stamp(const Thesis& thesis, std::string_view command);

}  // namespace thesis
