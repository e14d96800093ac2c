#pragma once
// The reports of sweep, sensitivity and solve, and the metric list: the engines' results (sweep.h)
// in, a Report (tables for people, the machine parts, the JSON document) out. Pure.

#include "thesis/analysis/sweep.h"
#include "thesis/report/report.h"

#include <optional>
#include <string>
#include <vector>

namespace thesis {

/// `thesis sweep --list-metrics`: the metric catalogue (metrics.h).
Report metric_list_report();

/// `thesis sweep`: a table per metric (a column for one axis, a grid for two), the tidy `sweep`
/// part and the JSON; `versus_base` adds each point's difference to the base.
Report sweep_report(const Evaluator& evaluator, const SweepGrid& grid, bool versus_base);

/// `thesis sensitivity`: the tornado (ranked by swing), its tidy part and the JSON; `skipped`
/// lists the inputs left alone and why.
Report sensitivity_report(const Evaluator& evaluator, const std::vector<SensitivityRow>& rows, double spread,
                          const std::vector<std::string>& skipped);

/// The index of the best point for metric k (by the metric's better direction), nullopt when it
/// has no direction or no point a value. The tables and the report's charts mark it.
std::optional<std::size_t> best_point(const std::vector<PointResult>& points, std::size_t k,
                                      const Metric& metric);

/// `thesis solve`: the root of `key` for the metric at `target`, the bracket and the JSON.
Report solve_report(const Evaluator& evaluator, const std::string& key, double target,
                    const SolveResult& result);

}  // namespace thesis
