// Martingale control variates: the plan's value function on a grid, backwards over the steps,
// and each path's sum of a(k, x_k)·Z_{k+1} (control_variate.h).

#include "thesis/simulation/control_variate.h"

#include "control_levels.h"

#include "thesis/core/errors.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <numbers>
#include <thread>

namespace thesis {

std::optional<std::string> control_variate_refusal(const Thesis& t, const PathGenerator& generator,
                                                   const std::vector<PlanRules>& rules, bool policy_bracket) {
    if (t.simulation.method != SimulationMethod::Mc)
        return fmt::format("runs under method mc (the controls read each path's own normals), not {}",
                           to_string(t.simulation.method));
    if (t.model.kind == ModelKind::Fundamentals)
        return "needs the gbm, merton or scenarios model (the fundamentals model moves by two normals a "
               "step)";
    const PathGenerator::Constants& c = generator.constants();
    for (const ScenarioLanding& s : generator.scenario_landings()) {
        // Only at σ√T is a bridge to the landing, over the scenario's paths, a random walk.
        const double natural = c.vol_step * std::sqrt(static_cast<double>(s.landing_step));
        if (std::fabs(s.landing_sd - natural) > 1e-9 * std::max(1.0, natural))
            return fmt::format(
                "needs each scenario's dispersion at its default σ√T ({:.4g} for '{}'), not {:.4g}", natural,
                s.name, s.landing_sd);
    }
    if (policy_bracket) return "does not run with --policies (one policy's outcomes per path)";
    for (std::size_t i = 0; i < rules.size(); ++i)
        if (!control_playable(rules[i]))
            return fmt::format(
                "needs plans with a market, limit or dated entry and a stop and target fixed in price or "
                "set from the fill; plan '{}' has another",
                t.plans[i].name);
    return std::nullopt;
}

namespace {

double normal_cdf(double z) { return 0.5 * std::erfc(-z * std::numbers::sqrt2 / 2); }
double normal_pdf(double z) {
    return std::exp(-0.5 * z * z) * (std::numbers::inv_sqrtpi / std::numbers::sqrt2);
}

// Φ(b) − Φ(a) for a ≤ b, from the tail nearer both so that it keeps its digits far out.
double normal_mass(double a, double b) {
    return a > 0 ? normal_cdf(-a) - normal_cdf(-b) : normal_cdf(b) - normal_cdf(a);
}

// Where a coordinate u (in points from the first of `size` points) reads: clamped to the points,
// between point i and i + 1 (i ≤ size − 2), a share frac of the way. Every read of the tables
// and the values interpolates linearly through it.
struct Cell {
    int i = 0;
    double frac = 0;
};
[[gnu::always_inline]] inline Cell cell_at(double u, int size) {
    u = std::clamp(u, 0.0, static_cast<double>(size - 1));
    const int i = std::min(static_cast<int>(u), size - 2);
    return {i, u - i};
}

// One step's terms for each metric, added to s: a(k, x)·w + b(k, x)·w2 with a read a share frac
// of the way from point a[·] to a[· + 3], w the shock times the read's factor and w2 the second
// shock times its bend (b = (s/2)·∂a/∂x, a's difference between the points). Summed as
// a_i·w + Δa·(frac·w + w2): one product a metric more than the first-order term alone. The
// replay on GBM's normals (add_term) adds them through here; the replay on recorded closes sums
// the same terms a block of steps at a time in vectors (sweep_terms, control_level_body.inc).
[[gnu::always_inline]] inline void add_step(const float* a, double frac, double w, double w2, double& s0,
                                            double& s1, double& s2) {
    const double g = frac * w + w2;
    s0 += a[0] * w + (a[3] - a[0]) * g;
    s1 += a[1] * w + (a[4] - a[1]) * g;
    s2 += a[2] * w + (a[5] - a[2]) * g;
}

}  // namespace

ConvolutionWeights value_convolution_weights(double m, double s, double h, double reach) {
    THESIS_REQUIRE(s > 0 && h > 0 && reach > 0, "a step's sd {}, grid spacing {}, reach {}", s, h, reach);
    // U = (m + sZ)/h in grid units, N(mu, sd²); the interpolant of f at x_i + hU is
    // Σ_d f_{i+d} hat(U − d), hat(u) = max(0, 1 − |u|). With z_j = (j − mu)/sd, on U ∈ [d−1, d]
    // the hat is sd·(Z − z_{d−1}), on [d, d+1] it is sd·(z_{d+1} − Z), and over Z ∈ [a, b]:
    //   E[1] = Φ(b) − Φ(a),  E[Z] = φ(a) − φ(b),  E[Z²] = Φ(b) − Φ(a) + aφ(a) − bφ(b).
    const double mu = m / h, sd = s / h;
    ConvolutionWeights w;
    w.first = static_cast<int>(std::floor(mu - reach * sd));
    const int last = static_cast<int>(std::ceil(mu + reach * sd));
    const auto z = [&](int j) { return (j - mu) / sd; };
    for (int d = w.first; d <= last; ++d) {
        double value = 0, slope = 0;
        for (const bool rising : {true, false}) {
            const double a = rising ? z(d - 1) : z(d), b = rising ? z(d) : z(d + 1);
            const double p = normal_mass(a, b), m1 = normal_pdf(a) - normal_pdf(b);
            const double m2 = p + a * normal_pdf(a) - b * normal_pdf(b);
            if (rising) {
                value += sd * (m1 - a * p);
                slope += sd * (m2 - a * m1);
            } else {
                value += sd * (b * p - m1);
                slope += sd * (b * m1 - m2);
            }
        }
        w.value.push_back(value);
        w.slope.push_back(slope);
    }
    return w;
}

namespace {

// Whether log price x has reached `level` coming down (a long's stop or limit), else up.
bool reaches(bool down, double x, double level) { return down ? x <= level : x >= level; }

}  // namespace

bool control_playable(const PlanRules& r) {
    return (r.entry == Entry::Kind::Market || r.entry == Entry::Kind::Limit ||
            r.entry == Entry::Kind::OnDate) &&
           (r.stop == Stop::Kind::None || r.stop == Stop::Kind::Fixed || r.stop == Stop::Kind::Percent) &&
           (r.target == Target::Kind::None || r.target == Target::Kind::Fixed ||
            r.target == Target::Kind::Percent);
}

PlanControl::PlanControl(const PlanRules& rules, double x0, const ControlLaw& law)
    : rules_(rules), x0_(x0), law_(law), steps_(rules.last_step) {
    THESIS_REQUIRE(
        control_playable(rules),
        "a control variate for a plan with a market, limit or dated entry and fixed or percent levels");
    const bool down = rules.side == Side::Long;
    const double dir = down ? 1.0 : -1.0;
    const bool limit = rules.entry == Entry::Kind::Limit, dated = rules.entry == Entry::Kind::OnDate;
    const bool has_stop = rules.stop != Stop::Kind::None, has_target = rules.target != Target::Kind::None;
    const bool relative = rules.stop == Stop::Kind::Percent || rules.target == Target::Kind::Percent;
    starts_in_trade_ = rules.entry == Entry::Kind::Market || (limit && reaches(down, x0, rules.log_limit)) ||
                       (dated && rules.entry_step == 0);
    const double vol_step = law.vol;
    const bool finite = std::isfinite(x0) && std::isfinite(law.drift) && std::isfinite(law.drift_after) &&
                        std::isfinite(vol_step) && std::isfinite(law.level_shift) &&
                        (!limit || std::isfinite(rules.log_limit)) &&
                        (rules.stop != Stop::Kind::Fixed || std::isfinite(rules.log_stop)) &&
                        (rules.stop != Stop::Kind::Percent || std::isfinite(rules.log_stop_offset)) &&
                        (rules.target != Target::Kind::Fixed || std::isfinite(rules.log_target)) &&
                        (rules.target != Target::Kind::Percent || std::isfinite(rules.log_target_offset));
    // A date past the horizon never fills: nothing random to control, as with no grid to hold it.
    if (steps_ <= 0 || !(vol_step > 0) || !finite || (dated && rules.entry_step > steps_)) {
        steps_ = 0;
        return;
    }
    wait_steps_ = starts_in_trade_ ? 0 : limit ? steps_ : rules.entry_step;
    // Steps a row: a power of two up to kControlRowStepsMost, at least kControlRows rows.
    while ((1 << (row_shift_ + 1)) <= kControlRowStepsMost && (steps_ >> (row_shift_ + 1)) >= kControlRows)
        ++row_shift_;
    trade_from_ = dated ? rules.entry_step : 0;

    // The grid: the plan's levels and today's price, six sd of the whole horizon's move and ten
    // steps' beyond, at three quarters of a step's sd. Coarser tables build faster and are read
    // from nearer caches: at half a step's sd the seed's controlled tolerance run took about a
    // quarter longer for 4% fewer paths, at a whole step's sd it needed 15% more; W1's P(target)
    // keeps 61 of the 69 times less variance it had at half (docs/performance.md). Values past
    // the ends are the ends' own. Levels set from the fill lie inside it wherever a fill is likely.
    double lowest = x0, highest = x0;
    for (const auto& [has, level] :
         {std::pair{limit, rules.log_limit}, std::pair{rules.stop == Stop::Kind::Fixed, rules.log_stop},
          std::pair{rules.target == Target::Kind::Fixed, rules.log_target}})
        if (has) {
            lowest = std::min(lowest, level);
            highest = std::max(highest, level);
        }
    const double reach = 6 * vol_step * std::sqrt(static_cast<double>(steps_)) +
                         std::max(std::fabs(law.drift), std::fabs(law.drift_after)) * steps_ + 10 * vol_step;
    low_ = lowest - reach;
    const double span = highest + reach - low_;
    // At most 5·10⁶ coefficients a phase (40 MB in all; W1 needs 0.23·10⁶): a long grid of many
    // steps gets coarser.
    const double most = std::min(20'000.0, 5e6 / (static_cast<double>(steps_) * kControlledMetrics));
    const double h = std::max(0.75 * vol_step, span / most);
    size_ = static_cast<int>(std::ceil(span / h)) + 1;
    inv_h_ = 1 / h;
    const auto n = static_cast<std::size_t>(size_);
    const auto grid_x = [&](int j) { return low_ + static_cast<double>(std::clamp(j, 0, size_ - 1)) * h; };

    // Where the fill can be: today's price for a fill today; around the price the drift reaches
    // by a dated entry's close (four sd and two steps' either side); from a limit to six steps'
    // sd beyond it (a fill at a gap). A fill beyond reads the nearest table: the variance, not the
    // mean.
    double fill_low = x0, fill_high = x0;
    if (dated && !starts_in_trade_) {
        double centre = x0;
        for (int k = 0; k < rules.entry_step; ++k) centre += law.drift_at(k);
        const double half = 4 * vol_step * std::sqrt(static_cast<double>(rules.entry_step)) + 2 * vol_step;
        fill_low = centre - half;
        fill_high = centre + half;
    } else if (limit && !starts_in_trade_) {
        fill_low = fill_high = rules.log_limit;
        (down ? fill_low : fill_high) += (down ? -6 : 6) * vol_step;
    }
    // Levels fixed in price: one slice, whatever the fill. Levels set from the fill: slices two
    // steps' sd apart across where it can be, at most 64 of them (on the seed's cautious plan one
    // apart took 1–5% more of the variance away, four apart 1–8% less: docs/performance.md).
    std::vector<double> fills{x0};
    if (relative && fill_high > fill_low) {
        constexpr double kFillSpacing = 2;  // steps' sd
        constexpr int kMostFills = 64;
        const int count =
            std::clamp(static_cast<int>(std::ceil((fill_high - fill_low) / (kFillSpacing * vol_step))) + 1, 2,
                       kMostFills);
        const double spacing = (fill_high - fill_low) / (count - 1);
        fills.clear();
        for (int q = 0; q < count; ++q) fills.push_back(fill_low + q * spacing);
        first_fill_ = fill_low;
        inv_fill_spacing_ = 1 / spacing;
    }
    // Levels as the tables read them at the closes: moved inward by the law's shift (a level
    // reached coming down is met higher up). An exit or fill reached this way is worth the
    // level's price, or the close's where that lies beyond it (a gap), under intraday fills.
    const double shift = law.level_shift;
    const auto stop_at = [&](double stop) { return stop + (down ? shift : -shift); };
    const auto target_at = [&](double target) { return target + (down ? -shift : shift); };
    // Each slice holds the corridor between its levels as read at the closes and four points
    // beyond (a close between a level and where the tables read it is still open), or the grid's
    // end on a side without a level: the points the trade can be open at. And the fills that read
    // it, where a trade's value starts (a dated fill can be past a level fixed in price).
    constexpr int kBeyond = 4;
    std::size_t rows = 0;
    const auto in_trade_steps = static_cast<std::size_t>(std::max(0, steps_ - trade_from_));
    for (const double fill : fills) {
        Slice s{.stop = stop_level(fill), .target = target_level(fill)};
        double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
        if (has_stop) (down ? lo : hi) = stop_at(s.stop);
        if (has_target) (down ? hi : lo) = target_at(s.target);
        if (lo > hi) std::swap(lo, hi);
        if (fills.size() == 1) {
            lo = std::min(lo, fill_low);
            hi = std::max(hi, fill_high);
        } else {
            lo = std::min(lo, fill);
            hi = std::max(hi, fill);
        }
        int first = std::isfinite(lo) ? static_cast<int>(std::floor((lo - low_) * inv_h_)) - kBeyond : 0;
        int last =
            std::isfinite(hi) ? static_cast<int>(std::ceil((hi - low_) * inv_h_)) + kBeyond : size_ - 1;
        first = std::clamp(first, 0, size_ - 2);
        last = std::clamp(last, first + 1, size_ - 1);
        s.first = first;
        s.size = last - first + 1;
        s.offset = rows;
        rows += row_count(static_cast<int>(in_trade_steps)) * static_cast<std::size_t>(s.size) *
                kControlledMetrics;
        slices_.push_back(s);
    }

    // The step's law before and after the switch (a scenario's landing).
    // Taps to six sd, 2·10⁻⁹ of the mass left out: it moves only the variance (each term has mean
    // zero whatever the tables), and nine took the seed's tables 0.05 s longer for the same ratios.
    constexpr double kReach = 6;
    const std::array<ConvolutionWeights, 2> laws{
        value_convolution_weights(law.drift, vol_step, h, kReach),
        value_convolution_weights(law.drift_after, vol_step, h, kReach)};
    int pad = 0;
    for (const ConvolutionWeights& w : laws)
        pad = std::max({pad, std::abs(w.first), std::abs(w.first + static_cast<int>(w.value.size()) - 1)});
    // One float past each table's end: sweep_terms reads a point's metrics four at a time, the last
    // point's fourth from there (a lane it never uses).
    waiting_.resize(row_count(wait_steps_) * n * kControlledMetrics + 1);
    trading_.resize(rows + 1);
    waiting_.back() = 0;
    trading_.back() = 0;

    // What a path's outcome is worth, per metric, when the plan ends at a close x: an exit (stop,
    // target or horizon) at x, and the fill's own part of the P&L (trade.cpp's close_trade, less
    // the carry, which the tables leave out).
    const auto at_level = [&](double level, bool coming_down, double x, double price) {
        if (!law.fills_at_level) return price;
        return std::exp(coming_down ? std::min(level, x) : std::max(level, x));
    };
    const auto exit_value = [&](ExitReason reason, double price) {
        return ControlValues{reason == ExitReason::Target ? 1.0 : 0.0, reason == ExitReason::Stop ? 1.0 : 0.0,
                             dir * (price * (1 - dir * rules.slippage))};
    };
    const auto fill_value = [&](double price) {
        return -dir * (price * (1 + dir * rules.slippage)) - 2 * rules.commission;
    };
    std::vector<double> prices(n);
    for (std::size_t j = 0; j < n; ++j) prices[j] = std::exp(grid_x(static_cast<int>(j)));

    // V at step k + 1 (per metric: the convolutions run over contiguous points): the waiting
    // phase's on the grid, each slice's on its points.
    using Values = std::array<std::vector<double>, kControlledMetrics>;
    Values waiting_next, waiting_after;
    for (auto& v : waiting_next) v.assign(n, 0.0);
    for (auto& v : waiting_after) v.assign(n + 2 * static_cast<std::size_t>(pad), 0.0);
    std::vector<Values> trade_next(slices_.size());
    for (std::size_t q = 0; q < slices_.size(); ++q)
        for (auto& v : trade_next[q]) v.assign(static_cast<std::size_t>(slices_[q].size), 0.0);
    Values trade_after;
    std::vector<double> slope(n);
    // The value at step k + 1 of the trade filled at y, at a close x (linearly between points).
    const auto trade_value = [&](double x, double y) {
        ControlValues v{};
        const auto add = [&](std::size_t q, double at, double weight) {
            const Slice& s = slices_[q];
            const Cell c = cell_at((at - low_) * inv_h_ - s.first, s.size);
            const auto i = static_cast<std::size_t>(c.i);
            for (std::size_t m = 0; m < kControlledMetrics; ++m) {
                const std::vector<double>& f = trade_next[q][m];
                v[m] += weight * (f[i] + c.frac * (f[i + 1] - f[i]));
            }
        };
        if (slices_.size() == 1) {
            add(0, x, 1.0);
            return v;
        }
        // Between the two slices either side of y: the values, unlike the coefficients, are
        // summed up the steps before the fill, and a jump between slices would be a jump in them.
        const Cell c = cell_at((y - first_fill_) * inv_fill_spacing_, static_cast<int>(slices_.size()));
        const auto q = static_cast<std::size_t>(c.i);
        const double w = c.frac;
        for (const auto& [slice, weight] : {std::pair{q, 1 - w}, std::pair{q + 1, w}}) {
            const SliceRead r = read_slice(slice, y);
            add(slice, r.offset + r.scale * x, weight);
        }
        return v;
    };

    // What does not change with the step, worked out once: where a waiting plan fills (a limit
    // is read like a stop: inward by the shift, filled at its level or past it; a dated entry at
    // its close) and the fill's part of the P&L; where a slice's trade exits and what that is worth.
    struct Fill {
        bool at_limit = false;
        double y = 0, part = 0;  // the fill's log price and its part of the P&L
    };
    std::vector<Fill> fills_at(n);
    for (std::size_t j = 0; j < n; ++j) {
        const double x = grid_x(static_cast<int>(j));
        Fill& f = fills_at[j];
        f.at_limit = limit && reaches(down, x, stop_at(rules.log_limit));
        f.y = limit && law.fills_at_level
                  ? (down ? std::min(rules.log_limit, x) : std::max(rules.log_limit, x))
                  : x;
        f.part = fill_value(std::exp(f.y));
    }
    struct Exit {
        bool held = false;  // neither level reached: the trade goes on
        ControlValues value{}, at_horizon{};
    };
    std::vector<std::vector<Exit>> exits(slices_.size());
    for (std::size_t q = 0; q < slices_.size(); ++q) {
        const Slice& s = slices_[q];
        const double stop = stop_at(s.stop), target = target_at(s.target);
        for (int p = 0; p < s.size + 2 * pad; ++p) {
            const int j = s.first - pad + p;  // the grid point; past the grid's ends, its end's
            const double x = grid_x(j), price = prices[static_cast<std::size_t>(std::clamp(j, 0, size_ - 1))];
            const bool stopped = has_stop && reaches(down, x, stop);
            const bool targeted = !stopped && has_target && reaches(!down, x, target);
            Exit e{.held = !stopped && !targeted, .at_horizon = exit_value(ExitReason::Horizon, price)};
            if (stopped) e.value = exit_value(ExitReason::Stop, at_level(s.stop, down, x, price));
            if (targeted) e.value = exit_value(ExitReason::Target, at_level(s.target, !down, x, price));
            exits[q].push_back(e);
        }
    }

    for (int k = steps_ - 1; k >= 0; --k) {
        const bool last_close = k + 1 == steps_;
        const ConvolutionWeights& w = laws[k < law.switch_step ? 0 : 1];
        // Waiting at close k + 1 (the slices still hold step k + 1): a fill there is worth the
        // trade's value from its fill (no exits until the close after) and the fill's part.
        if (k < wait_steps_) {
            for (std::size_t j = 0; j < n; ++j) {
                const Fill& fill = fills_at[j];
                ControlValues waiting{};
                if (limit ? fill.at_limit : k + 1 == rules.entry_step) {
                    waiting = last_close ? exit_value(ExitReason::Horizon, prices[j])
                                         : trade_value(grid_x(static_cast<int>(j)), fill.y);
                    waiting[2] += fill.part;
                } else if (!last_close) {
                    waiting = {waiting_next[0][j], waiting_next[1][j], waiting_next[2][j]};
                }
                for (std::size_t m = 0; m < kControlledMetrics; ++m)
                    waiting_after[m][j + static_cast<std::size_t>(pad)] = waiting[m];
            }
            for (std::size_t m = 0; m < kControlledMetrics; ++m) {
                std::vector<double>& f = waiting_after[m];
                std::fill(f.begin(), f.begin() + pad, f[static_cast<std::size_t>(pad)]);
                std::fill(f.end() - pad, f.end(), f[n - 1 + static_cast<std::size_t>(pad)]);
                if (!row_taken_at(k, 0, wait_steps_)) {
                    detail::convolve_values(w, f.data(), pad, n, waiting_next[m].data(), nullptr);
                    continue;
                }
                detail::convolve_values(w, f.data(), pad, n, waiting_next[m].data(), slope.data());
                float* out = waiting_.data() + row_of(k, 0) * n * kControlledMetrics + m;
                for (std::size_t i = 0; i < n; ++i)
                    out[i * kControlledMetrics] = static_cast<float>(slope[i]);
            }
        }
        if (k < trade_from_) continue;
        // In the trade since close k or before: at close k + 1 the stop first, then the target
        // (look_plan), else held on.
        for (std::size_t q = 0; q < slices_.size(); ++q) {
            const Slice& s = slices_[q];
            const auto points = static_cast<std::size_t>(s.size);
            for (auto& v : trade_after) v.resize(points + 2 * static_cast<std::size_t>(pad));
            for (int p = 0; p < s.size + 2 * pad; ++p) {
                const Exit& e = exits[q][static_cast<std::size_t>(p)];
                ControlValues v = e.value;
                if (e.held && last_close) {
                    v = e.at_horizon;
                } else if (e.held) {
                    const auto i = static_cast<std::size_t>(std::clamp(p - pad, 0, s.size - 1));
                    v = {trade_next[q][0][i], trade_next[q][1][i], trade_next[q][2][i]};
                }
                for (std::size_t m = 0; m < kControlledMetrics; ++m)
                    trade_after[m][static_cast<std::size_t>(p)] = v[m];
            }
            for (std::size_t m = 0; m < kControlledMetrics; ++m) {
                if (!row_taken_at(k, trade_from_, steps_ - trade_from_)) {
                    detail::convolve_values(w, trade_after[m].data(), pad, points, trade_next[q][m].data(),
                                            nullptr);
                    continue;
                }
                detail::convolve_values(w, trade_after[m].data(), pad, points, trade_next[q][m].data(),
                                        slope.data());
                float* out =
                    trading_.data() + s.offset + row_of(k, trade_from_) * points * kControlledMetrics + m;
                for (std::size_t i = 0; i < points; ++i)
                    out[i * kControlledMetrics] = static_cast<float>(slope[i]);
            }
        }
    }
    // Today's value: the phase's at x0, linearly between points; a fill today adds its part.
    if (starts_in_trade_) {
        today_ = trade_value(x0, x0);
        today_[2] += fill_value(std::exp(x0));
    } else {
        const Cell c = cell_at((x0 - low_) * inv_h_, size_);
        const auto i = static_cast<std::size_t>(c.i);
        for (std::size_t m = 0; m < kControlledMetrics; ++m)
            today_[m] = waiting_next[m][i] + c.frac * (waiting_next[m][i + 1] - waiting_next[m][i]);
    }
}

PlanControl::SliceRead PlanControl::locate(double fill) const {
    if (slices_.size() < 2) return {.slice = slices_.data()};
    const double last = static_cast<double>(slices_.size() - 1);
    return read_slice(
        static_cast<std::size_t>(std::clamp((fill - first_fill_) * inv_fill_spacing_, 0.0, last) + 0.5),
        fill);
}

PlanControl::SliceRead PlanControl::read_slice(std::size_t q, double fill) const {
    SliceRead r{.slice = &slices_[q]};
    // Two levels: the corridor stretched to the slice's (where the two are alike); one: moved
    // with it.
    const bool has_stop = rules_.stop != Stop::Kind::None, has_target = rules_.target != Target::Kind::None;
    const double stop = stop_level(fill), target = target_level(fill);
    if (has_stop && has_target) {
        const double stretch = (r.slice->target - r.slice->stop) / (target - stop);
        r.scale = stretch > 0.5 && stretch < 2 ? stretch : 1.0;
        r.offset = r.slice->stop - stop * r.scale;
    } else if (has_stop) {
        r.offset = r.slice->stop - stop;
    } else if (has_target) {
        r.offset = r.slice->target - target;
    }
    return r;
}

const float* PlanControl::point(const float* row, int first, int size, double x, double& frac) const {
    const Cell c = cell_at((x - low_) * inv_h_ - first, size);
    frac = c.frac;
    return row + static_cast<std::size_t>(c.i) * kControlledMetrics;
}

const float* PlanControl::coefficients(int phase, int k, double x, const SliceRead& read,
                                       double& frac) const {
    if (phase == Waiting) return k < wait_steps_ ? point(waiting_row(k), 0, size_, x, frac) : nullptr;
    if (k < trade_from_) return nullptr;
    const Slice& s = *read.slice;
    return point(slice_row(s, k), s.first, s.size, read.offset + read.scale * x, frac);
}

void PlanControl::add_term(int phase, int k, double x, const SliceRead& read, double xi, double xi2,
                           ControlValues& sum) const {
    double frac = 0;
    const float* a = coefficients(phase, k, x, read, frac);
    if (a == nullptr) return;
    // The slice's coefficient times the stretch from y's corridor to the slice's (the chain rule).
    const double scale = phase == Waiting ? 1.0 : read.scale;
    add_step(a, frac, xi * scale, xi2 * bend(scale), sum[0], sum[1], sum[2]);
}

ControlValues PlanControl::control(const double* z, std::size_t stride) const {
    ControlValues sum{};
    if (steps_ == 0) return sum;
    const bool down = rules_.side == Side::Long;
    const bool has_stop = rules_.stop != Stop::Kind::None, has_target = rules_.target != Target::Kind::None;
    const bool limit = rules_.entry == Entry::Kind::Limit, dated = rules_.entry == Entry::Kind::OnDate;
    int phase = starts_in_trade_ ? InTrade : Waiting;
    double x = x0_;
    double stop = stop_level(x0_), target = target_level(x0_);
    SliceRead read = locate(x0_);
    for (int k = 0; k < steps_; ++k) {
        const double zk = z[static_cast<std::size_t>(k) * stride];
        add_term(phase, k, x, read, zk, zk * zk - 1, sum);
        x = x + (law_.drift_at(k) + law_.vol * zk);  // the engine's step, the same operations
        if (phase == InTrade) {
            if ((has_stop && reaches(down, x, stop)) || (has_target && reaches(!down, x, target))) break;
        } else if ((limit && reaches(down, x, rules_.log_limit)) || (dated && k + 1 == rules_.entry_step)) {
            phase = InTrade;  // filled at the close, levels from it (PlanTracker::enter)
            stop = stop_level(x);
            target = target_level(x);
            read = locate(x);
        }
    }
    return sum;
}

namespace {
// The steps [0, end) over which a plan's terms run on a path, and the step its trade starts at:
// to its stop or target exit's step, else to the horizon; in the trade from its entry's step (a
// fill during step e is known at close e).
struct TermSpan {
    int end = 0, entry = 0;
};
TermSpan term_span(const TradeOutcome& outcome, int steps) {
    const bool exited = outcome.reason == ExitReason::Target || outcome.reason == ExitReason::Stop ||
                        outcome.reason == ExitReason::GapThroughStop;
    return {exited ? std::min(outcome.exit_step, steps) : steps,
            outcome.entry_step >= 0 ? outcome.entry_step : steps + 1};
}
}  // namespace

int PlanControl::term_end(const TradeOutcome& outcome) const {
    return steps_ == 0 ? 0 : term_span(outcome, steps_).end;
}

ControlValues PlanControl::control(const double* log_price, const double* xi, const double* xi2,
                                   const TradeOutcome& outcome) const {
    ControlValues sum{};
    if (steps_ == 0) return sum;
    const TermSpan span = term_span(outcome, steps_);
    // Waiting: the whole grid, steps 0 … wait_steps_ − 1.
    const int waiting_end = std::min({span.end, span.entry, wait_steps_});
    detail::sweep_terms({.table = waiting_.data(),
                         .stride = static_cast<std::size_t>(size_) * kControlledMetrics,
                         .size = size_,
                         .slope = inv_h_,
                         .at_zero = -low_ * inv_h_,
                         .factor = 1.0,
                         .bend = bend(1.0),
                         .origin = 0,
                         .row_shift = row_shift_},
                        log_price, xi, xi2, 0, waiting_end, sum);
    // In the trade: the slice of the fill (a dated or market entry's close, else the engine's
    // fill price: a limit's level, or the open past it), from the entry's step or the slices'
    // first; a close x read at the slice's point offset + scale·x, its coefficient times the
    // stretch (the chain rule), and its slope in x times the stretch twice.
    const int from = std::max(span.entry, trade_from_);
    if (from >= span.end) return sum;
    double fill = x0_;
    if (slices_.size() > 1)
        fill = rules_.entry == Entry::Kind::Limit && outcome.entry_price > 0 ? std::log(outcome.entry_price)
                                                                             : log_price[span.entry];
    const SliceRead read = locate(fill);
    const Slice& s = *read.slice;
    detail::sweep_terms({.table = trading_.data() + s.offset,
                         .stride = static_cast<std::size_t>(s.size) * kControlledMetrics,
                         .size = s.size,
                         .slope = read.scale * inv_h_,
                         .at_zero = (read.offset - low_) * inv_h_ - s.first,
                         .factor = read.scale,
                         .bend = bend(read.scale),
                         .origin = trade_from_,
                         .row_shift = row_shift_},
                        log_price, xi, xi2, from, span.end, sum);
    return sum;
}

void path_controls(const PathGenerator& generator, std::span<const PlanControl> plans, std::uint64_t first,
                   std::uint64_t last, std::vector<ControlValues>& out) {
    const PathGenerator::Constants& c = generator.constants();
    THESIS_REQUIRE(c.rqmc == nullptr && !c.antithetic, "path controls read Monte Carlo's normals");
    out.assign(static_cast<std::size_t>(last - first) * plans.size(), ControlValues{});
    int steps = 0;
    for (const PlanControl& p : plans) steps = std::max(steps, p.steps());
    if (steps == 0) return;
    std::vector<double> normals(static_cast<std::size_t>(steps) * kLanes);
    for (std::uint64_t group = first; group < last; group += kLanes) {
        lane_normals(c.seed, group, RandomStream::Diffusion, steps, normals.data());
        for (int l = 0; l < kLanes && group + static_cast<std::uint64_t>(l) < last; ++l) {
            const std::size_t path = static_cast<std::size_t>(group - first) + static_cast<std::size_t>(l);
            for (std::size_t p = 0; p < plans.size(); ++p)
                out[path * plans.size() + p] = plans[p].control(normals.data() + l, kLanes);
        }
    }
}

namespace {
// What each event adds to a close on each scenario's paths where it has not fired yet, its mean
// and variance by its hazard, at [(scenario × events + event) × steps + k]: it fires with its
// probability (on the paths of the scenarios it is tied to) at a time uniform in its window,
// moving close event_close(t)
// (kernel_lanes.inc's draw), so q_s, the chance it lands on close s, is its probability times the
// share of the window in ((s − 1)Δt, sΔt] (all before Δt on close 1). A path that has not seen it
// by close k sees it at close k + 1 with chance q_{k+1}/(1 − q_1 − … − q_k).
std::vector<MartingaleControl::EventMove> event_moves(const PathGenerator::Constants& c,
                                                      std::size_t scenarios) {
    const std::vector<CatalystEvent>& events = *c.events;
    const auto steps = static_cast<std::size_t>(c.steps);
    std::vector<MartingaleControl::EventMove> moves(scenarios * events.size() * steps);
    std::vector<double> q(steps + 1);
    for (std::size_t j = 0; j < scenarios; ++j)
        for (std::size_t e = 0; e < events.size(); ++e) {
            const CatalystEvent& ev = events[e];
            if (!((*c.event_scenarios)[e] >> j & 1u)) continue;
            std::fill(q.begin(), q.end(), 0.0);
            const double width = ev.window_end - ev.window_start;
            if (!(width > 0)) {
                const double at = event_close(ev.window_start, c.dt);
                if (at <= c.steps) q[static_cast<std::size_t>(at)] = ev.probability;
            } else {
                for (std::size_t s = 1; s <= steps; ++s) {
                    const double from =
                        s == 1 ? -std::numeric_limits<double>::infinity() : static_cast<double>(s - 1) * c.dt;
                    const double to = static_cast<double>(s) * c.dt;
                    const double inside =
                        std::max(0.0, std::min(to, ev.window_end) - std::max(from, ev.window_start));
                    q[s] = ev.probability * inside / width;
                }
            }
            double seen = 0;
            MartingaleControl::EventMove* move = moves.data() + (j * events.size() + e) * steps;
            const double m = ev.jump_mean, second = m * m + ev.jump_sd * ev.jump_sd;
            for (std::size_t k = 0; k < steps; ++k) {
                const double left = 1 - seen;
                const double h = left > 0 ? q[k + 1] / left : 0.0;
                move[k] = {h * m, h * second - (h * m) * (h * m)};
                seen += q[k + 1];
            }
        }
    return moves;
}
}  // namespace

MartingaleControl::MartingaleControl(const Thesis& t, const PathGenerator& generator,
                                     const std::vector<PlanRules>& rules, unsigned threads)
    : plans_(rules.size()) {
    if (const auto why = control_variate_refusal(t, generator, rules, false))
        throw InputError({}, "simulation.control_variate", "martingale " + *why);
    const PathGenerator::Constants& c = generator.constants();
    from_normals_ = c.kind == ModelKind::Gbm && c.events->empty() && c.monitoring == Monitoring::Discrete;
    // Intraday fills: the levels move inward by BGK's β·σ√Δt over the span a level is watched
    // continuously (the session's share of the step's variance under sessions).
    constexpr double kBgkBeta = 0.5826;  // −ζ(1/2)/√(2π)
    ControlLaw law{.drift = c.drift_step, .drift_after = c.drift_step, .vol = c.vol_step};
    if (c.monitoring != Monitoring::Discrete) {
        const double watched = c.monitoring == Monitoring::Sessions ? c.session_variance : c.bridge_variance;
        law.level_shift = kBgkBeta * std::sqrt(watched);
        law.fills_at_level = true;
    }
    // Each scenario's paths: a random walk with drift (μ_j − x₀)/K_j to its landing, the model's
    // drift after it (one law, GBM's or Merton's, without scenarios).
    const std::vector<ScenarioLanding>& landings = generator.scenario_landings();
    std::vector<ControlLaw> laws{law};
    if (!landings.empty()) {
        laws.clear();
        for (const ScenarioLanding& s : landings) {
            ControlLaw scenario_law = law;
            scenario_law.drift = (s.landing_mean - c.x0) / s.landing_step;
            scenario_law.switch_step = s.landing_step;
            laws.push_back(scenario_law);
        }
    }
    // The tables are independent of each other: built side by side, each the same on any thread.
    std::vector<std::optional<PlanControl>> built(laws.size() * plans_);
    std::atomic<std::size_t> next{0};
    std::exception_ptr failed;
    std::mutex failed_mutex;
    const auto build = [&] {
        try {
            for (std::size_t i = next++; i < built.size(); i = next++)
                built[i].emplace(rules[i % plans_], c.x0, laws[i / plans_]);
        } catch (...) {
            const std::lock_guard lock(failed_mutex);
            failed = std::current_exception();
            next = built.size();
        }
    };
    const std::size_t cores = std::max(1u, threads ? threads : std::thread::hardware_concurrency());
    std::vector<std::jthread> helpers;
    for (std::size_t h = 1; h < std::min(built.size(), cores); ++h) helpers.emplace_back(build);
    build();
    helpers.clear();  // joins
    if (failed) std::rethrow_exception(failed);
    for (std::optional<PlanControl>& table : built) tables_.push_back(std::move(*table));
    event_move_ = event_moves(c, laws.size());
    // Each step's shock is ξ_{k+1} = (x_{k+1} − x_k − c_k)/s, shared by the plans, centred on
    // c_k = m_k + j_k: the scenario's drift, Merton's mean jump λΔt·m, and each event's mean move
    // on the steps it may still come, by its hazard (the firing itself, not only its size's
    // spread, is then a term of the control). And ξ² less its mean given the path so far,
    // 1 + v_k/s², v_k the variance of what the jumps and events add over the step: a compound
    // Poisson sum's λΔt·(m² + sd²), and h·(m² + sd²) − (h·m)² for an event that fires with
    // chance h, a jump N(m, sd²). Tabled per scenario for a path that has seen none of its
    // events; a path takes each event's part off from the close it moved on (controls()).
    const auto steps = static_cast<std::size_t>(c.steps);
    const std::size_t event_count = c.events->size();
    const double jump_mean = c.jump_rate_step * c.jump_mean;
    const double jump_variance = c.jump_rate_step * (c.jump_mean * c.jump_mean + c.jump_sd * c.jump_sd);
    step_centre_.assign(laws.size() * steps, 0.0);
    step_second_.assign(laws.size() * steps, 0.0);
    event_end_.assign(laws.size() * event_count, 0);
    for (std::size_t j = 0; j < laws.size(); ++j) {
        const double inv_var = 1 / (laws[j].vol * laws[j].vol);
        for (std::size_t k = 0; k < steps; ++k) {
            double centre = laws[j].drift_at(static_cast<int>(k)) + jump_mean, variance = jump_variance;
            for (std::size_t e = 0; e < event_count; ++e) {
                const EventMove& move = event_move_[(j * event_count + e) * steps + k];
                centre += move.mean;
                variance += move.variance;
                if (move.mean != 0 || move.variance != 0)
                    event_end_[j * event_count + e] = static_cast<int>(k) + 1;
            }
            step_centre_[j * steps + k] = centre;
            step_second_[j * steps + k] = 1 + variance * inv_var;
        }
    }
    if (landings.empty()) {
        scenario_term_.assign(plans_, ControlValues{});
        return;
    }
    // The scenario's draw is the first step of the martingale: V_j(0) less its mean over the
    // draw's own probabilities (the cumulative table's differences, as draw_scenario reads it).
    scenario_term_.assign(landings.size() * plans_, ControlValues{});
    for (std::size_t p = 0; p < plans_; ++p) {
        ControlValues mean{};
        double before = 0;
        for (std::size_t j = 0; j < landings.size(); ++j) {
            const double probability = landings[j].cumulative - before;
            before = landings[j].cumulative;
            for (std::size_t m = 0; m < kControlledMetrics; ++m)
                mean[m] += probability * tables(j, p).value_today()[m];
        }
        for (std::size_t j = 0; j < landings.size(); ++j)
            for (std::size_t m = 0; m < kControlledMetrics; ++m)
                scenario_term_[j * plans_ + p][m] = tables(j, p).value_today()[m] - mean[m];
    }
}

void MartingaleControl::controls(const PathGenerator& generator, const CloseTape* tape, std::uint64_t first,
                                 std::uint64_t last, const Outcomes& outcomes,
                                 std::vector<ControlValues>& out) const {
    if (from_normals_) {
        path_controls(generator, tables_, first, last, out);
        return;
    }
    THESIS_REQUIRE(tape != nullptr && tape->first <= first && last - tape->first <= tape->starts.size(),
                   "the closes of paths {} … {} on the tape", first, last);
    out.assign(static_cast<std::size_t>(last - first) * plans_, ControlValues{});
    const PathGenerator::Constants& c = generator.constants();
    const std::vector<CatalystEvent>& events = *c.events;
    const int steps = c.steps;
    const std::size_t rows = tape->close.size() / kLanes;
    std::vector<double> x(static_cast<std::size_t>(steps) + 1), xi(static_cast<std::size_t>(steps)),
        xi2(static_cast<std::size_t>(steps));
    for (std::uint64_t path = first; path < last; ++path) {
        const std::size_t i = static_cast<std::size_t>(path - first);
        const std::size_t on_tape = static_cast<std::size_t>(path - tape->first);
        const int drawn = generator.scenario_of(path);
        const std::size_t j = drawn >= 0 ? static_cast<std::size_t>(drawn) : 0;
        // The steps any plan's terms run over (a path that settled early was simulated to there).
        int end = 0;
        for (std::size_t p = 0; p < plans_; ++p) end = std::max(end, tables(j, p).term_end(outcomes(i, p)));
        const CloseTape::Start& start = tape->starts[on_tape];
        THESIS_REQUIRE(static_cast<std::size_t>(start.origin + end) < rows, "path {}'s closes to step {}",
                       path, end);
        // Each step's shock ξ_{k+1} = (x_{k+1} − x_k − c_k)/s and ξ² less its mean 1 + v_k/s²,
        // from the scenario's moments of a path that has seen none of its events (step_centre_,
        // step_second_), less each event's part from the close it moved on.
        const double vol = tables(j, 0).law().vol, inv_vol = 1 / vol, inv_var = 1 / (vol * vol);
        const auto from_step = static_cast<std::size_t>(j) * static_cast<std::size_t>(steps);
        std::copy_n(step_centre_.data() + from_step, end, xi.data());
        std::copy_n(step_second_.data() + from_step, end, xi2.data());
        for (std::size_t e = 0; e < events.size(); ++e) {
            const int at = tape->event_step[on_tape * events.size() + e];  // the close it moves, −1: never
            if (at < 1) continue;
            const std::size_t row = j * events.size() + e;
            const EventMove* move = event_move_.data() + row * static_cast<std::size_t>(steps);
            for (int k = at; k < std::min(end, event_end_[row]); ++k) {
                xi[static_cast<std::size_t>(k)] -= move[k].mean;
                xi2[static_cast<std::size_t>(k)] -= move[k].variance * inv_var;
            }
        }
        double before = start.x0;
        x[0] = before;
        for (int k = 0; k < end; ++k) {
            const double close = tape->at(on_tape, k + 1);
            x[static_cast<std::size_t>(k) + 1] = close;
            double& shock = xi[static_cast<std::size_t>(k)];
            shock = (close - before - shock) * inv_vol;
            double& second = xi2[static_cast<std::size_t>(k)];
            second = shock * shock - second;
            before = close;
        }
        for (std::size_t p = 0; p < plans_; ++p) {
            ControlValues sum = tables(j, p).control(x.data(), xi.data(), xi2.data(), outcomes(i, p));
            for (std::size_t m = 0; m < kControlledMetrics; ++m) sum[m] += scenario_term_[j * plans_ + p][m];
            out[i * plans_ + p] = sum;
        }
    }
}

}  // namespace thesis
