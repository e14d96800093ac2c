#pragma once
// The reports the commands print, built from the engines' results. Pure: a Thesis in, a Report
// (tables for people, CSV/markdown, and the JSON document) out.

#include "thesis/core/thesis.h"
#include "thesis/report/report.h"

#include <cstdint>
#include <optional>
#include <string>

namespace thesis {

struct SimulationResult;  // monte_carlo.h: the reports read it, the engine is not needed here

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

/// Appends the Monte Carlo results to a report: a verdict per plan, the outcome probabilities and
/// every metric with its 95% CI (a wide table for people, a tidy one for CSV), terminal-price
/// quantiles, and a "simulation" object in the JSON stamped with seed, generator, paths and
/// monitoring. `partial` labels an interrupted run. Under the scenarios model, the plans under
/// each scenario too: every scenario, or only `only_scenario` when named (run --scenario).
void add_simulation(Report& report, const Thesis& thesis, const SimulationResult& result,
                    std::uint64_t requested_paths, const std::string& only_scenario = "");

/// What a simulation ran: "200,000 paths × 252 steps (1y), scenarios: …, sessions monitoring
/// (25% of the variance overnight), seed 20250714, xoshiro256++/ziggurat, thesis 0.1.0".
std::string simulation_stamp(const Thesis& thesis, const SimulationResult& result);

/// Appends the policy bracket of a run made with other fill policies (MonteCarlo's
/// other_policies): each plan's P(target), P(stop), P(gap-through stop), E[P&L] per share and
/// expectancy under each policy, and each other policy less the thesis's, paired path by path,
/// with 95% CIs: a table, a tidy twin for CSV, and JSON simulation.policies.
void add_policy_bracket(Report& report, const Thesis& thesis, const SimulationResult& result);

/// Common stamp on every JSON document: program version and source.
nlohmann::json json_stamp(const Thesis& thesis, std::string_view command);

}  // namespace thesis
