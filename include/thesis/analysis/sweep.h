#pragma once
// Sweeps, sensitivity and backward solving over any numeric input of a thesis.
//
// Every evaluation loads the thesis again from its YAML text with that point's overrides, so the
// loader validates each point exactly as it validates a file: a point that makes a plan invalid
// (a stop above the entry) is an InputError, caught and reported as an invalid point. Every
// simulated point uses the same seed, and the engine keys its draws by (seed, path, stream), so
// path i sees the same random numbers at every point (common random numbers): neighbours differ
// by signal, not by noise.

#include "thesis/analysis/metrics.h"
#include "thesis/core/thesis.h"
#include "thesis/io/yaml_loader.h"
#include "thesis/math/statistics.h"
#include "thesis/simulation/monte_carlo.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace thesis {

// ---- Axes ----

/// One swept key and its values: `texts` go to the loader (plain decimals for a range, the
/// user's own text for a list), `values` are the same numbers for tables and CSV.
struct SweepAxis {
    std::string key;
    std::vector<std::string> texts;
    std::vector<double> values;
};

inline constexpr std::size_t kMaxSweepPoints = 10'000;
inline constexpr std::size_t kMaxSweepAxes = 2;

/// True when a --set value is a sweep (a range FROM:TO:STEP holds ':', a list v1,v2 holds ','),
/// false for a plain override. Example: is_sweep_value("550:650:25") == true, ("550") == false.
bool is_sweep_value(std::string_view value);

/// Parses `KEY=FROM:TO:STEP` or `KEY=v1,v2,...`. A range's three numbers share a unit: plain
/// (550:650:25), percent (30%:70%:10% → 0.3, 0.4, ...), multiple (20x:30x:5x) or K/M/B/T
/// (6B:10B:1B); `$` is allowed. Throws InputError (naming "set KEY", which the CLI shows as --set KEY) for an empty range
/// (FROM > TO), a step ≤ 0, a non-number, or more than kMaxSweepPoints values.
/// Example: parse_sweep_axis("model.volatility=30%:50%:10%") → texts {"0.3", "0.4", "0.5"}.
SweepAxis parse_sweep_axis(std::string_view spec);

/// A number as a plain decimal the loader reads back exactly enough (12 significant digits, no
/// exponent): decimal_text(0.30000000000000004) == "0.3", decimal_text(4.4e12) == "4400000000000".
std::string decimal_text(double value);

/// Checks that `key` names a numeric scalar of the file (after nothing is overridden): unknown
/// keys get a did-you-mean from their siblings; sections and text fields are refused.
/// Returns the value's text as the file writes it. Throws InputError naming `flag` (e.g.
/// "--set plans.aggressive.stop").
std::string check_numeric_key(std::string_view yaml, const std::string& key, const std::string& flag);

// ---- Evaluating points ----

/// The file a sweep starts from: its YAML text, its name, and the plain --set overrides.
struct ThesisSource {
    std::string yaml;
    std::string source;
    std::vector<Override> fixed;
};

struct EvalOptions {
    std::optional<std::uint64_t> paths;  ///< default: the file's simulation.paths
    std::optional<std::uint64_t> seed;   ///< default: the file's simulation.seed
    unsigned threads = 0;                ///< 0: all cores
    bool versus_base = false;            ///< also each metric's difference to the base point
};

/// One grid point's results.
struct PointResult {
    bool valid = true;
    std::string reason;                    ///< why the point is invalid (the loader's message)
    std::vector<MetricValue> values;       ///< per metric
    std::vector<MetricValue> versus_base;  ///< per metric: point − base (when asked)
    std::vector<bool> paired;              ///< per metric: the difference's CI is paired
};

/// Loads and evaluates points of one file. The base point (the file with the plain overrides)
/// must be valid; it is loaded, and evaluated when differences are asked for, on construction.
/// A p_touch_* metric of a file whose simulation.touch_odds is false is an InputError.
class Evaluator {
  public:
    Evaluator(ThesisSource source, std::string_view metric_names, EvalOptions options);

    const Thesis& base() const { return base_; }
    const std::vector<Metric>& metrics() const { return metrics_; }
    const EvalOptions& options() const { return options_; }
    const ThesisSource& source() const { return source_; }
    bool simulates() const { return simulates_; }
    /// Whether points are simulated with touch odds: only when a metric is p_touch_target or
    /// p_touch_stop. Otherwise simulation.touch_odds is set to false, a pure speed-up (paths end
    /// with their plans; plan outcomes, and so every other plan metric, are the same bits).
    bool touch_odds() const { return touch_odds_; }
    std::uint64_t paths() const;
    std::uint64_t seed() const;
    /// The base point's values (evaluated lazily, once).
    const PointResult& base_result() const;

    /// Evaluates the thesis with `point` applied after the plain overrides. Never throws
    /// InputError for a bad point: it comes back invalid with the loader's message.
    PointResult evaluate(const std::vector<Override>& point) const;

    /// The thesis a point simulates: loaded with `point` (probabilities rescaled), the seed and
    /// touch odds set, pruned to the plans the metrics read. Throws InputError for a bad point.
    Thesis simulated_thesis(const std::vector<Override>& point) const;

  private:
    PointResult evaluate_point(const std::vector<Override>& point, bool versus_base) const;

    ThesisSource source_;
    EvalOptions options_;
    Thesis base_;
    std::vector<Metric> metrics_;
    bool simulates_ = false;
    bool touch_odds_ = false;
    mutable std::optional<PointResult> base_result_;
};

/// `point` with, when it sets one scenario's probability p, the other scenarios' probabilities
/// rescaled in proportion so that they still sum to 1: pⱼ' = pⱼ (1 − p) / Σ_{k≠i} pₖ, from
/// `base`'s probabilities. Example: base 0.25/0.40/0.15/0.20 and bull → 0.5 give the others
/// 0.40·0.5/0.75 = 0.2667, 0.1, 0.1333. Sweeps, sensitivity and solve evaluate points through it.
std::vector<Override> with_probabilities_rescaled(const Thesis& base, const std::vector<Override>& point);

/// Differences point − base of the paired metrics, from per-path differences on the same path
/// indices (common random numbers): mean and CI of (x_point,i − x_base,i). Metrics that are not
/// paired come back without an estimate.
std::vector<MetricValue> paired_differences(const Thesis& base, const Thesis& point,
                                            const std::vector<Metric>& metrics, std::uint64_t paths,
                                            unsigned threads);

// ---- Sweep ----

/// A grid: points in row-major order (index = i0 × n1 + i1).
struct SweepGrid {
    std::vector<SweepAxis> axes;
    std::vector<PointResult> points;
};

/// Checks axes (at most two, distinct keys, numeric keys of the file, at most kMaxSweepPoints
/// points in all), then evaluates every point in order. `progress(done, total)` after each.
SweepGrid run_sweep(const Evaluator& evaluator, const std::vector<SweepAxis>& axes,
                    const std::function<void(std::size_t, std::size_t)>& progress = {});

// ---- Sensitivity ----

/// One input moved to a low and a high value.
struct SensitivityInput {
    std::string key;
    std::string base_text;
    double base = 0, low = 0, high = 0;
    std::string low_text, high_text;
};

/// The numeric inputs of a file a metric may depend on: every numeric scalar leaf of the YAML
/// tree except simulation settings, dates and claimed returns (audited, never used; a scenario probability moves with the others rescaled,
/// with_probabilities_rescaled), and, for a plan's
/// metric, other plans' keys. Zero values are skipped (±spread would not move them).
/// `skipped` receives "key: why" lines for what was left out on purpose.
std::vector<SensitivityInput> sensitivity_inputs(std::string_view yaml, const Metric& metric, double spread,
                                                 std::vector<std::string>* skipped);

/// An input given as `KEY=LOW:HIGH` (each in the field's own notation, e.g. 550:650 or
/// 40%:60%); the key must be a numeric field of the file. Throws InputError naming "set KEY" (--set KEY).
SensitivityInput parse_sensitivity_range(std::string_view yaml, std::string_view spec);

struct SensitivityRow {
    SensitivityInput input;
    PointResult low, high;
    double swing = 0;  ///< |metric(high) − metric(low)|, 0 when either end has no value
    /// metric(high) − metric(low) with its 95% CI: paired path by path on the same paths for a
    /// per-path mean (paired_differences), exact for a metric that is not simulated, and from
    /// the two runs' errors as if independent (conservative) for a quantile.
    MetricValue change;
};
/// Evaluates each input at its low and high value (same seed), ranked by swing, largest first.
std::vector<SensitivityRow> run_sensitivity(
    const Evaluator& evaluator, const std::vector<SensitivityInput>& inputs,
    const std::function<void(std::size_t, std::size_t)>& progress = {});

// ---- Solve ----

struct SolveResult {
    double root = 0;
    double lower = 0, upper = 0;              ///< the bracket given
    double f_lower = 0, f_upper = 0;          ///< metric − target at the bracket's ends
    double final_lower = 0, final_upper = 0;  ///< the bracket TOMS 748 ended with
    std::uintmax_t iterations = 0;            ///< metric evaluations inside the solver
    Estimate metric_at_root;
    std::optional<double> slope;             ///< d metric / d x near the root (central difference)
    std::optional<double> root_uncertainty;  ///< metric CI half-width / |slope|
};

/// The value of `key` in [lower, upper] at which the metric equals `target` (Boost.Math TOMS 748,
/// Alefeld, Potra & Shi 1995), every evaluation on the same seed. Throws InputError when the
/// metric minus target has the same sign at both ends ("no root between ..."), or an end is an
/// invalid point.
SolveResult solve_for(const Evaluator& evaluator, const std::string& key, double lower, double upper,
                      double target);

}  // namespace thesis
