#pragma once
// The report people look at: one self-contained HTML file with the run's charts (Vega-Lite
// specifications rendered by vega-embed, the libraries inlined) and its tables. Pure: strings out;
// the file is written at the edge (output.h).

#include "thesis/analysis/hedge.h"
#include "thesis/analysis/sweep.h"
#include "thesis/core/thesis.h"
#include "thesis/report/report.h"
#include "thesis/simulation/monte_carlo.h"
#include "thesis/simulation/price_fan.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace thesis {

/// One chart: a stable id ("valuation", "payoff-aggressive", …), a title, a line that says how
/// to read it, and its Vega-Lite specification (data inline, no URL).
struct Chart {
    std::string id;
    std::string title;
    std::string caption;
    nlohmann::json spec;
};

/// Every chart's width in pixels (the page's column).
inline constexpr int kChartWidth = 640;
/// A Vega-Lite axis of dollar amounts ($1,234) titled `title`.
nlohmann::json money_axis(const std::string& title);

/// The charts of a run: the valuation (scenario prices, today's, the expected and the
/// sector-multiple price); for each plan its payoff at exit prices, its outcomes with 95%
/// intervals, its P&L distribution (from the streamed quantile sketch, VaR and ES marked) and,
/// under the scenarios model, its expected P&L on each scenario's paths; the price fan with the
/// plans' levels and the events' dates.
std::vector<Chart> run_charts(const Thesis& thesis, const SimulationResult& result, const PriceFan& fan);

/// The same, the fan drawn from the run's first `fan_paths` paths again (price_fan.h; at most the
/// run's own count): what `thesis report` and `run --report` draw.
std::vector<Chart> run_charts(const Thesis& thesis, const SimulationResult& result, std::uint64_t fan_paths);

/// A sweep's charts, one per metric: over one key, the estimate as a line with its 95% band and
/// the best point marked; over two, a heatmap with the best cell outlined.
std::vector<Chart> sweep_charts(const Evaluator& evaluator, const SweepGrid& grid);

/// The sensitivity's tornado: for each input, bars from the base value to the metric at the
/// input's low and high ends, ranked by swing.
Chart tornado_chart(const Evaluator& evaluator, const std::vector<SensitivityRow>& rows);

/// The protection comparison's P&L distributions overlaid: for each variant, the share of paths
/// whose P&L per share is at or below each amount (from its quantile sketch, 0.5% to 99.5%), so a
/// floor is a wall and a fat tail a long foot.
Chart hedge_chart(const HedgeComparison& comparison, const SimulationResult& result);

/// Whether this binary carries the chart libraries (built with THESIS_BUILD_REPORT and npm).
bool html_report_available();

/// One HTML page that opens offline with nothing beside it: the report's heading and verdict, a
/// stamp (file, seed, model, policy, version), the charts, the assumptions, then every table for
/// people. Throws InputError (naming "report") when the libraries were not built in.
std::string render_html(const Report& report, const Thesis& thesis, const std::vector<Chart>& charts);

/// The charts' specifications alone, for people who render them elsewhere (Altair, notebooks):
/// {"charts": [{"id", "title", "caption", "spec"}, …]}.
nlohmann::json vega_lite_document(const std::vector<Chart>& charts);

}  // namespace thesis
