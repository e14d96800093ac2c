#pragma once
// `thesis calibrate`'s report: each model's maximum-likelihood parameters with their standard
// errors and 95% intervals, the fit (log-likelihood, AIC), the overnight share, and the lines to
// paste into a scenario file's model section.

#include "thesis/analysis/calibration.h"
#include "thesis/report/report.h"

namespace thesis {

Report calibration_report(const PriceSeries& series, const Calibration& calibration);

}  // namespace thesis
