#pragma once
// `thesis hedge`'s report: the protection comparison (analysis/hedge.h) as tables for people, a
// tidy table for machines, and a JSON document.

#include "thesis/analysis/hedge.h"
#include "thesis/report/report.h"

#include <cstdint>

namespace thesis {

/// Each variant's cost today, P(loss), VaR and ES, E[P&L] per share, the options' P&L and the
/// loss past the floor, each with its 95% CI, and E[P&L] less the reference's (the stop's),
/// paired path by path; then the options at the opening with their greeks. `result` is the run
/// of comparison.thesis with comparison.pairs paired.
Report hedge_report(const HedgeComparison& comparison, const SimulationResult& result,
                    std::uint64_t requested_paths);

}  // namespace thesis
