#pragma once
// The metric catalogue: every number `thesis` reports about a plan or the valuation, defined once
// — its name, what it means, its unit, which way is better, how it is computed and when it
// applies. The run report's rows, the JSON and CSV keys, sweeps, sensitivity, solve and
// --tolerance all read this one table, so a name means the same number in every command.

#include "thesis/core/thesis.h"
#include "thesis/math/statistics.h"
#include "thesis/simulation/monte_carlo.h"
#include "thesis/valuation/payoff.h"
#include "thesis/valuation/valuation.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace thesis {

/// How a metric's value reads: Money signed ($+12.34), Loss a loss as a positive amount ($12.34),
/// Position signed whole dollars, Percent a probability or return, R a multiple of the risk per
/// share, Ratio a plain number, Duration years shown in days, Count shares.
enum class MetricUnit { Money, Loss, Position, Percent, R, Ratio, Duration, Count };
enum class Better { Higher, Lower, Neither };

/// A metric's value, or why it has none (e.g. expectancy_r of a plan without a stop).
struct MetricValue {
    std::optional<Estimate> estimate;
    std::string reason;
};

/// One entry of the catalogue. `scope` is "PLAN" (named PLAN.name) or "valuation". Exactly one
/// of the `from_*` functions is set: simulated plan metrics read the run's PlanMetrics, exact
/// plan metrics the plan's economics, valuation metrics the scenarios' expectation.
struct MetricInfo {
    std::string name;   ///< the key everywhere: JSON, CSV, sweeps, --tolerance-metric
    std::string label;  ///< the run table's row: "P(stop)"
    std::string scope;
    std::string description;  ///< what it means
    MetricUnit unit = MetricUnit::Ratio;
    Better better = Better::Higher;
    bool simulated = false;
    /// A mean of a per-path quantity (per_path): a paired CI of a difference exists.
    bool paired = false;
    std::string applies;  ///< when it has a value: "every plan", "a plan with a stop", …
    std::function<MetricValue(const PlanMetrics&)> from_simulation;
    std::function<MetricValue(const TradeEconomics&)> from_economics;
    std::function<MetricValue(const ScenarioExpectation&)> from_scenarios;
    /// The per-path quantity whose mean is the metric (paired metrics only); nullopt where the
    /// plan has none (expectancy_r without a stop).
    std::function<std::optional<double>(const TradeOutcome&, const TradeEconomics&)> per_path;
    /// Whether the run table for people shows the row when no plan has a value (a hedge's rows
    /// do not clutter a thesis without one; machine output always has every metric).
    bool shown_when_empty = true;
};

/// Every metric, in the order the run report shows them.
const std::vector<MetricInfo>& metric_catalogue();
/// The catalogue's entry named `name` in `scope` ("PLAN" or "valuation"); nullptr if none.
const MetricInfo* find_metric(std::string_view name, std::string_view scope = "PLAN");

/// A metric's value for people: $+12.34, 45.7%, +0.123R, 2.972, 40.1d.
std::string format_metric(const MetricInfo& metric, double value);
/// With its 95% CI when it has one: "$+12.34 [$+11.80, $+12.88]".
std::string format_metric_ci(const MetricInfo& metric, const Estimate& value);
/// A difference of two values, signed: percentage points for Percent ("+1.2 pts").
std::string format_metric_difference(const MetricInfo& metric, double difference);
/// A paired difference with its 95% CI, signed in the metric's unit: "+$2.89 [+$2.51, +$3.27]".
std::string format_metric_difference_ci(const MetricInfo& metric, const Estimate& difference);

/// A metric resolved against a thesis: "aggressive.p_stop" → plan "aggressive", info p_stop.
struct Metric {
    std::string name;
    std::string plan;  ///< empty for valuation metrics
    const MetricInfo* info = nullptr;
};
/// Throws InputError naming `input` (the CLI shows its flag) with a did-you-mean for an unknown
/// plan or metric.
Metric resolve_metric(std::string_view name, const Thesis& thesis, const std::string& input = "metric");
/// A comma-separated list; duplicates are refused.
std::vector<Metric> resolve_metrics(std::string_view names, const Thesis& thesis,
                                    const std::string& input = "metric");

/// Evaluates a metric on a loaded thesis; `sim` (the thesis's simulation, plans in the thesis's
/// order) is needed for simulated metrics only.
MetricValue evaluate_metric(const Metric& metric, const Thesis& thesis, const SimulationResult* sim);
/// The same for several metrics, summarizing each plan's simulation once (summarize() reads
/// every quantile and tail of the plan's sketch).
std::vector<MetricValue> evaluate_metrics(const std::vector<Metric>& metrics, const Thesis& thesis,
                                          const SimulationResult* sim);

}  // namespace thesis
