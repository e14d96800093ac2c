#include "thesis/analysis/sweep.h"

#include "thesis/core/errors.h"
#include "thesis/simulation/trade.h"
#include "thesis/valuation/payoff.h"
#include "thesis/valuation/valuation.h"

#include <fmt/format.h>
#include <boost/math/tools/toms748_solve.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <thread>

namespace thesis {

namespace {

InputError flag_error(const std::string& flag, const std::string& message) {
    return InputError({"command line"}, flag, message);
}

// Any numeric notation the loader reads: 0.5, 50%, $700, 8B, 52x.
std::optional<double> any_number(std::string_view text) {
    for (Unit u : {Unit::Number, Unit::Money, Unit::Times})
        if (auto v = parse_quantity(text, u)) return v;
    return std::nullopt;
}

// One end or the step of a range: the number and its unit suffix ('%', 'x', 'K', ... or 0).
struct RangeNumber {
    double value = 0;
    char suffix = 0;
};

std::optional<RangeNumber> range_number(std::string_view text) {
    std::string s(trim(text));
    std::string sign;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        sign = s.substr(0, 1);
        s.erase(0, 1);
    }
    if (!s.empty() && s.front() == '$') s.erase(0, 1);
    char suffix = 0;
    double factor = 1;
    if (!s.empty()) {
        const char last = static_cast<char>(std::toupper(static_cast<unsigned char>(s.back())));
        static const std::map<char, double> kFactors{{'%', 0.01}, {'X', 1},   {'K', 1e3},
                                                     {'M', 1e6},  {'B', 1e9}, {'T', 1e12}};
        if (auto it = kFactors.find(last); it != kFactors.end()) {
            suffix = last;
            factor = it->second;
            s.pop_back();
        }
    }
    auto v = parse_quantity(sign + s, Unit::Number);
    if (!v || (!s.empty() && s.back() == '%')) return std::nullopt;
    return RangeNumber{*v * factor, suffix};
}

}  // namespace

// ---- Axes ----

bool is_sweep_value(std::string_view value) {
    return value.find(':') != std::string_view::npos || value.find(',') != std::string_view::npos;
}

std::string decimal_text(double value) {
    if (value == 0 || !std::isfinite(value)) return "0";
    const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(value))));
    const int decimals = std::clamp(11 - magnitude, 0, 15);
    std::string s = fmt::format("{:.{}f}", value, decimals);
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    return s == "-0" ? "0" : s;
}

SweepAxis parse_sweep_axis(std::string_view spec) {
    const Override o = parse_override(spec);
    SweepAxis axis;
    axis.key = o.key_path;
    const std::string flag = "set " + o.key_path;
    const std::string_view value = trim(o.value);
    if (value.find(':') != std::string_view::npos) {
        std::vector<std::string_view> parts;
        for (std::size_t start = 0;;) {
            const std::size_t colon = value.find(':', start);
            parts.push_back(value.substr(start, colon == std::string_view::npos ? colon : colon - start));
            if (colon == std::string_view::npos) break;
            start = colon + 1;
        }
        if (parts.size() != 3)
            throw flag_error(flag,
                             fmt::format("expected a range FROM:TO:STEP like 550:650:25, got '{}'", value));
        std::array<RangeNumber, 3> n;
        const char* names[] = {"FROM", "TO", "STEP"};
        for (std::size_t i = 0; i < 3; ++i) {
            auto v = range_number(parts[i]);
            if (!v)
                throw flag_error(flag, fmt::format("expected a number for {} in FROM:TO:STEP, got '{}'",
                                                   names[i], parts[i]));
            n[i] = *v;
        }
        if (n[0].suffix != n[1].suffix || n[0].suffix != n[2].suffix)
            throw flag_error(flag, fmt::format("FROM, TO and STEP must share a unit (like 30%:70%:10% "
                                               "or 550:650:25), got '{}'",
                                               value));
        const double from = n[0].value, to = n[1].value, step = n[2].value;
        if (!(step > 0)) throw flag_error(flag, fmt::format("expected a positive STEP, got '{}'", parts[2]));
        if (from > to)
            throw flag_error(flag,
                             fmt::format("empty range: FROM ({}) is above TO ({})", parts[0], parts[1]));
        const double count = std::floor((to - from) / step + 1e-9) + 1;
        if (count > static_cast<double>(kMaxSweepPoints))
            throw flag_error(flag, fmt::format("{} values is too many; at most {} points in a sweep",
                                               format_count(count), format_count(kMaxSweepPoints)));
        for (std::size_t i = 0; i < static_cast<std::size_t>(count); ++i) {
            const std::string text = decimal_text(from + static_cast<double>(i) * step);
            axis.texts.push_back(text);
            axis.values.push_back(*parse_quantity(text, Unit::Number));
        }
        return axis;
    }
    for (std::size_t start = 0;;) {
        const std::size_t comma = value.find(',', start);
        const std::string_view item =
            trim(value.substr(start, comma == std::string_view::npos ? comma : comma - start));
        if (item.empty())
            throw flag_error(flag,
                             fmt::format("expected a list of numbers like 550,600,650, got '{}'", value));
        auto v = any_number(item);
        if (!v)
            throw flag_error(flag, fmt::format("expected a number in the list, got '{}' (write "
                                               "thousands without commas: 1000 or 1K)",
                                               item));
        axis.texts.emplace_back(item);
        axis.values.push_back(*v);
        if (axis.texts.size() > kMaxSweepPoints)
            throw flag_error(flag, fmt::format("too many values; at most {} points in a sweep",
                                               format_count(kMaxSweepPoints)));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return axis;
}

std::string check_numeric_key(std::string_view yaml, const std::string& key, const std::string& flag) {
    std::string text = scalar_at(yaml, key, flag);
    if (!any_number(text)) throw flag_error(flag, fmt::format("{} is '{}', not a numeric field", key, text));
    return text;
}

// ---- Evaluating points ----

namespace {

MetricValue none(std::string reason) { return {std::nullopt, std::move(reason)}; }

bool is_touch_metric(const Metric& m) {
    return m.info->name == "p_touch_target" || m.info->name == "p_touch_stop";
}

// The thesis with only the plans the metrics read (the engine simulates every plan it is given).
Thesis pruned(const Thesis& t, const std::vector<Metric>& metrics) {
    Thesis out = t;
    out.plans.clear();
    for (const auto& p : t.plans)
        if (std::any_of(metrics.begin(), metrics.end(), [&](const Metric& m) { return m.plan == p.name; }))
            out.plans.push_back(p);
    return out;
}

// Runs fn(block) over blocks [0, blocks) on `threads` workers.
template <class Fn>
void parallel_blocks(std::uint64_t blocks, unsigned threads, Fn fn) {
    threads = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<std::uint64_t>(threads, blocks));
    std::atomic<std::uint64_t> next{0};
    const auto worker = [&] {
        for (std::uint64_t b = next.fetch_add(1); b < blocks; b = next.fetch_add(1)) fn(b);
    };
    if (threads <= 1) {
        worker();
        return;
    }
    std::vector<std::thread> pool;
    for (unsigned w = 0; w < threads; ++w) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
}

}  // namespace

std::vector<MetricValue> paired_differences(const Thesis& base, const Thesis& point,
                                            const std::vector<Metric>& metrics, std::uint64_t paths,
                                            unsigned threads) {
    std::vector<MetricValue> out(metrics.size(), none("no paired difference for this metric"));
    std::vector<std::size_t> wanted;
    for (std::size_t k = 0; k < metrics.size(); ++k)
        if (metrics[k].info->paired) wanted.push_back(k);
    if (wanted.empty() || paths == 0) return out;
    if (replicated(base.simulation.method) || replicated(point.simulation.method))
        throw InputError({}, "simulation.method",
                         "paired differences (--versus-base, the tornado) run under method mc only: "
                         "they have Monte Carlo's error bars");

    const PathGenerator gen_base(base, MonteCarlo::horizon_of(base));
    const PathGenerator gen_point(point, MonteCarlo::horizon_of(point));
    // Each plan is played once a path, however many of its metrics are wanted: a sweep asks for
    // several metrics of one plan, and replaying it for each was most of a sweep's time.
    std::vector<std::string> plans;
    std::vector<std::size_t> plan_of(wanted.size());
    for (std::size_t w = 0; w < wanted.size(); ++w) {
        const std::string& name = metrics[wanted[w]].plan;
        const auto at = std::find(plans.begin(), plans.end(), name);
        plan_of[w] = static_cast<std::size_t>(at - plans.begin());
        if (at == plans.end()) plans.push_back(name);
    }
    struct Arm {
        const Thesis* thesis;
        const PathGenerator* generator;
        std::vector<PlanRules> rules;
        std::vector<TradeEconomics> economics;
    };
    std::array<Arm, 2> sides{Arm{&base, &gen_base, {}, {}}, Arm{&point, &gen_point, {}, {}}};
    for (Arm& s : sides)
        for (const std::string& name : plans) {
            const Plan& plan = *s.thesis->find_plan(name);
            s.rules.push_back(compile_plan(plan, *s.thesis, s.generator->grid()));
            s.economics.push_back(trade_economics(plan, s.thesis->stock.price));
        }

    // Per-block statistics, merged in block order: the same bits for any thread count.
    const std::uint64_t blocks = (paths + kBlockPaths - 1) / kBlockPaths;
    std::vector<std::vector<RunningStats>> per_block(blocks, std::vector<RunningStats>(wanted.size()));
    std::vector<char> undefined(wanted.size(), 0);
    parallel_blocks(blocks, threads, [&](std::uint64_t block) {
        PathBatch batch_base, batch_point;
        std::vector<TradeOutcome> played_base(plans.size()), played_point(plans.size());
        const std::uint64_t end = std::min(paths, (block + 1) * kBlockPaths);
        for (std::uint64_t first = block * kBlockPaths; first < end; first += kLanes) {
            gen_base.generate_batch(first, batch_base);
            gen_point.generate_batch(first, batch_point);
            const std::uint64_t lanes = std::min<std::uint64_t>(kLanes, end - first);
            for (std::uint64_t lane = 0; lane < lanes; ++lane) {
                for (std::size_t q = 0; q < plans.size(); ++q) {
                    played_base[q] =
                        trade_on_path(sides[0].rules[q], batch_base.paths[lane], base.simulation.monitoring);
                    played_point[q] = trade_on_path(sides[1].rules[q], batch_point.paths[lane],
                                                    point.simulation.monitoring);
                }
                for (std::size_t w = 0; w < wanted.size(); ++w) {
                    const auto& per_path = metrics[wanted[w]].info->per_path;
                    const std::size_t q = plan_of[w];
                    const auto x0 = per_path(played_base[q], sides[0].economics[q]);
                    const auto x1 = per_path(played_point[q], sides[1].economics[q]);
                    if (!x0 || !x1) {
                        undefined[w] = 1;  // the same value from every thread: a benign flag
                        continue;
                    }
                    per_block[block][w].add(*x1 - *x0);
                }
            }
        }
    });
    for (std::size_t w = 0; w < wanted.size(); ++w) {
        if (undefined[w]) {
            out[wanted[w]] = none("undefined at the base or the point");
            continue;
        }
        RunningStats total;
        for (const auto& b : per_block) total.merge(b[w]);
        out[wanted[w]] = total.count() > 1 ? MetricValue{total.mean_estimate(), ""}
                                           : MetricValue{exact_estimate(total.mean()), ""};
    }
    return out;
}

Evaluator::Evaluator(ThesisSource source, std::string_view metric_names, EvalOptions options)
    : source_(std::move(source)), options_(options) {
    base_ = load_thesis(source_.yaml, source_.source, source_.fixed);
    if (options_.seed) base_.simulation.seed = *options_.seed;
    metrics_ = resolve_metrics(metric_names, base_);
    simulates_ =
        std::any_of(metrics_.begin(), metrics_.end(), [](const Metric& m) { return m.info->simulated; });
    for (const auto& m : metrics_) {
        if (!is_touch_metric(m)) continue;
        touch_odds_ = true;
        if (base_.simulation.touch_odds) continue;
        // The last --set of the key wins, as in the loader.
        const auto set = std::find_if(source_.fixed.rbegin(), source_.fixed.rend(), [](const Override& o) {
            return o.key_path == "simulation.touch_odds";
        });
        throw flag_error(
            "metric", set != source_.fixed.rend()
                          ? fmt::format("{} needs the touch odds, which --set simulation.touch_odds={} turns "
                                        "off; drop that --set or the metric",
                                        m.name, set->value)
                          : fmt::format("{} needs the touch odds, which {} turns off (simulation.touch_odds: "
                                        "false); add --set simulation.touch_odds=true or drop the metric",
                                        m.name, source_.source));
    }
    if (simulates_ && paths() == 0) throw flag_error("paths", "expected at least 1 path");
    if (simulates_ && paths() > 100'000'000'000ULL) throw flag_error("paths", "expected at most 10^11 paths");
}

std::uint64_t Evaluator::paths() const { return options_.paths.value_or(base_.simulation.paths); }
std::uint64_t Evaluator::seed() const { return base_.simulation.seed; }

const PointResult& Evaluator::base_result() const {
    if (!base_result_) base_result_ = evaluate_point({}, false);
    return *base_result_;
}

PointResult Evaluator::evaluate(const std::vector<Override>& point) const {
    return evaluate_point(point, options_.versus_base);
}

std::vector<Override> with_probabilities_rescaled(const Thesis& base, const std::vector<Override>& point) {
    std::vector<Override> out = point;
    const Scenario* moved = nullptr;
    double p = 0;
    for (const Override& o : point) {
        for (const Scenario& s : base.scenarios) {
            if (o.key_path != "scenarios." + s.name + ".probability") continue;
            if (moved) return point;  // two probabilities set: the loader checks their sum
            const auto v = any_number(o.value);
            if (!v || *v < 0 || *v > 1) return point;  // the loader names the bad value
            moved = &s;
            p = *v;
        }
    }
    if (!moved) return point;
    double others = 0;
    for (const Scenario& s : base.scenarios)
        if (&s != moved) others += s.probability;
    if (!(others > 0)) return point;  // nothing to rescale: the loader checks the sum
    for (const Scenario& s : base.scenarios)
        if (&s != moved)
            out.push_back(
                {"scenarios." + s.name + ".probability", decimal_text(s.probability * (1 - p) / others)});
    return out;
}

Thesis Evaluator::simulated_thesis(const std::vector<Override>& point) const {
    std::vector<Override> all = source_.fixed;
    const std::vector<Override> rescaled = with_probabilities_rescaled(base_, point);
    all.insert(all.end(), rescaled.begin(), rescaled.end());
    Thesis t = load_thesis(source_.yaml, source_.source, all);
    if (options_.seed) t.simulation.seed = *options_.seed;
    if (!touch_odds_) t.simulation.touch_odds = false;
    return pruned(t, metrics_);
}

PointResult Evaluator::evaluate_point(const std::vector<Override>& point, bool versus_base) const {
    PointResult r;
    std::vector<Override> all = source_.fixed;
    const std::vector<Override> rescaled = with_probabilities_rescaled(base_, point);
    all.insert(all.end(), rescaled.begin(), rescaled.end());
    const auto invalid = [&](const InputError& e) {
        const std::string reason =
            e.key_path().empty() ? std::string(e.what()) : e.key_path() + ": " + e.message();
        r.valid = false;
        r.reason = reason;
        r.values.assign(metrics_.size(), none("invalid point"));
        if (versus_base) {
            r.versus_base.assign(metrics_.size(), none("invalid point"));
            r.paired.assign(metrics_.size(), false);
        }
        return r;
    };
    Thesis t;
    try {
        t = load_thesis(source_.yaml, source_.source, all);
    } catch (const InputError& e) {
        return invalid(e);
    }
    if (options_.seed) t.simulation.seed = *options_.seed;
    if (!touch_odds_) t.simulation.touch_odds = false;  // a speed-up; no metric reads them
    const Thesis sim_thesis = pruned(t, metrics_);
    std::optional<SimulationResult> sim;
    if (simulates_) {
        try {
            MonteCarlo mc(sim_thesis);
            RunControl control;
            control.threads = options_.threads;
            mc.run(paths(), control);
            sim = mc.result();
        } catch (const InputError& e) {
            return invalid(e);
        }
    }
    r.values = evaluate_metrics(metrics_, sim_thesis, sim ? &*sim : nullptr);
    if (!versus_base) return r;

    const PointResult& b = base_result();
    std::vector<MetricValue> paired;
    if (simulates_) {
        Thesis base_sim = pruned(base_, metrics_);
        base_sim.simulation.touch_odds = sim_thesis.simulation.touch_odds;
        paired = paired_differences(base_sim, sim_thesis, metrics_, paths(), options_.threads);
    }
    for (std::size_t k = 0; k < metrics_.size(); ++k) {
        const MetricValue& x1 = r.values[k];
        const MetricValue& x0 = b.values[k];
        const bool deterministic = !metrics_[k].info->simulated;
        if (!x1.estimate || !x0.estimate) {
            r.versus_base.push_back(none(!x0.estimate ? "no value at the base" : x1.reason));
            r.paired.push_back(false);
        } else if (deterministic) {
            r.versus_base.push_back({exact_estimate(x1.estimate->value - x0.estimate->value), ""});
            r.paired.push_back(true);
        } else if (metrics_[k].info->paired && paired[k].estimate) {
            r.versus_base.push_back(paired[k]);
            r.paired.push_back(true);
        } else {
            // Quantile metrics: no per-path form; the CI treats the runs as independent, which
            // overstates it under common random numbers (conservative).
            const double se = std::hypot(x1.estimate->std_error, x0.estimate->std_error);
            r.versus_base.push_back({normal_estimate(x1.estimate->value - x0.estimate->value, se), ""});
            r.paired.push_back(false);
        }
    }
    return r;
}

// ---- Sweep ----

SweepGrid run_sweep(const Evaluator& ev, const std::vector<SweepAxis>& axes,
                    const std::function<void(std::size_t, std::size_t)>& progress) {
    if (axes.empty())
        throw flag_error("set", "expected a key to sweep, like plans.aggressive.stop=550:650:25");
    if (axes.size() > kMaxSweepAxes)
        throw flag_error(
            "set " + axes[kMaxSweepAxes].key,
            fmt::format("at most {} swept keys (a table or a grid), got {}", kMaxSweepAxes, axes.size()));
    if (axes.size() == 2 && axes[0].key == axes[1].key)
        throw flag_error("set " + axes[1].key, "the same key is swept twice");
    std::size_t total = 1;
    for (const auto& a : axes) {
        check_numeric_key(ev.source().yaml, a.key, "set " + a.key);
        total *= a.texts.size();
    }
    if (total > kMaxSweepPoints)
        throw flag_error(
            "set", fmt::format("{} grid points is too many; at most {}",
                               format_count(static_cast<double>(total)), format_count(kMaxSweepPoints)));
    SweepGrid grid;
    grid.axes = axes;
    const std::size_t n1 = axes.size() == 2 ? axes[1].texts.size() : 1;
    for (std::size_t p = 0; p < total; ++p) {
        std::vector<Override> point{{axes[0].key, axes[0].texts[p / n1]}};
        if (axes.size() == 2) point.push_back({axes[1].key, axes[1].texts[p % n1]});
        grid.points.push_back(ev.evaluate(point));
        if (progress) progress(p + 1, total);
    }
    return grid;
}

// ---- Sensitivity ----

namespace {

bool starts_with(const std::string& s, std::string_view prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

std::vector<SensitivityInput> sensitivity_inputs(std::string_view yaml, const Metric& metric, double spread,
                                                 std::vector<std::string>* skipped) {
    if (!(spread > 0) || spread >= 1)
        throw flag_error(
            "spread", fmt::format("expected a spread between 0% and 100%, got {}", format_percent(spread)));
    std::vector<SensitivityInput> out;
    const auto skip = [&](const std::string& line) {
        if (skipped) skipped->push_back(line);
    };
    for (const auto& [key, text] : scalar_leaves(yaml, "FILE")) {
        const auto v = any_number(text);
        if (!v) continue;  // text, dates, market, none
        if (starts_with(key, "simulation.")) continue;
        if (key.size() > 15 && key.compare(key.size() - 15, 15, ".claimed_return") == 0) continue;
        if (!metric.plan.empty() && starts_with(key, "plans.") &&
            !starts_with(key, "plans." + metric.plan + "."))
            continue;  // another plan's levels cannot move this plan's metric
        if (metric.plan.empty() && (starts_with(key, "plans.") || starts_with(key, "model.")))
            continue;  // the valuation reads neither
        if (*v == 0) {
            skip(key + ": zero, so ±spread does not move it (give --set " + key + "=LOW:HIGH)");
            continue;
        }
        SensitivityInput in;
        in.key = key;
        in.base_text = text;
        in.base = *v;
        in.low = *v * (1 - spread);
        in.high = *v * (1 + spread);
        in.low_text = decimal_text(in.low);
        in.high_text = decimal_text(in.high);
        out.push_back(std::move(in));
    }
    return out;
}

SensitivityInput parse_sensitivity_range(std::string_view yaml, std::string_view spec) {
    const Override o = parse_override(spec);
    const std::string flag = "set " + o.key_path;
    const std::size_t colon = o.value.find(':');
    if (colon == std::string::npos || o.value.find(':', colon + 1) != std::string::npos)
        throw flag_error(flag, fmt::format("expected LOW:HIGH like 550:650, got '{}'", o.value));
    SensitivityInput in;
    in.base_text = check_numeric_key(yaml, o.key_path, flag);
    in.base = any_number(in.base_text).value_or(0);
    in.key = o.key_path;
    in.low_text = std::string(trim(std::string_view(o.value).substr(0, colon)));
    in.high_text = std::string(trim(std::string_view(o.value).substr(colon + 1)));
    const auto lo = any_number(in.low_text), hi = any_number(in.high_text);
    if (!lo || !hi) throw flag_error(flag, fmt::format("expected numbers LOW:HIGH, got '{}'", o.value));
    in.low = *lo;
    in.high = *hi;
    return in;
}

std::vector<SensitivityRow> run_sensitivity(const Evaluator& ev, const std::vector<SensitivityInput>& inputs,
                                            const std::function<void(std::size_t, std::size_t)>& progress) {
    std::vector<SensitivityRow> rows;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        SensitivityRow row;
        row.input = inputs[i];
        row.low = ev.evaluate({{inputs[i].key, inputs[i].low_text}});
        row.high = ev.evaluate({{inputs[i].key, inputs[i].high_text}});
        const auto& lo = row.low.values.at(0).estimate;
        const auto& hi = row.high.values.at(0).estimate;
        row.swing = lo && hi ? std::fabs(hi->value - lo->value) : 0;
        row.change = none(!row.low.valid || !row.high.valid ? "invalid point" : "no value at an end");
        if (lo && hi) {
            const Metric& metric = ev.metrics()[0];
            if (!metric.info->simulated) {
                row.change = {exact_estimate(hi->value - lo->value), ""};
            } else if (metric.info->paired) {
                const std::vector<Override> low_point{{inputs[i].key, inputs[i].low_text}};
                const std::vector<Override> high_point{{inputs[i].key, inputs[i].high_text}};
                row.change =
                    paired_differences(ev.simulated_thesis(low_point), ev.simulated_thesis(high_point),
                                       {metric}, ev.paths(), ev.options().threads)[0];
            } else {
                row.change = {
                    normal_estimate(hi->value - lo->value, std::hypot(hi->std_error, lo->std_error)), ""};
            }
        }
        rows.push_back(std::move(row));
        if (progress) progress(i + 1, inputs.size());
    }
    // Largest swing first, inputs with an invalid end last; ties keep the file's order.
    std::stable_sort(rows.begin(), rows.end(), [](const SensitivityRow& a, const SensitivityRow& b) {
        const bool va = a.low.valid && a.high.valid, vb = b.low.valid && b.high.valid;
        if (va != vb) return va;
        return a.swing > b.swing;
    });
    return rows;
}

// ---- Solve ----

SolveResult solve_for(const Evaluator& ev, const std::string& key, double lower, double upper,
                      double target) {
    const std::string flag = "vary " + key;
    check_numeric_key(ev.source().yaml, key, flag);
    if (ev.metrics().size() != 1) throw flag_error("metric", "expected exactly one metric to solve for");
    if (!(lower < upper))
        throw flag_error("between", fmt::format("expected A below B, got {} and {}", decimal_text(lower),
                                                decimal_text(upper)));
    const Metric& metric = ev.metrics()[0];
    std::map<double, Estimate> seen;
    const auto metric_at = [&](double x) -> Estimate {
        if (auto it = seen.find(x); it != seen.end()) return it->second;
        const PointResult r = ev.evaluate({{key, decimal_text(x)}});
        if (!r.valid)
            throw flag_error(
                flag, fmt::format("at {}={} the thesis is invalid: {}", key, decimal_text(x), r.reason));
        if (!r.values[0].estimate)
            throw flag_error(flag, fmt::format("at {}={} {} has no value: {}", key, decimal_text(x),
                                               metric.name, r.values[0].reason));
        seen.emplace(x, *r.values[0].estimate);
        return *r.values[0].estimate;
    };
    SolveResult s;
    s.lower = lower;
    s.upper = upper;
    s.f_lower = metric_at(lower).value - target;
    s.f_upper = metric_at(upper).value - target;
    if (s.f_lower * s.f_upper > 0)
        throw flag_error(flag,
                         fmt::format("no root between {} and {}: {} is {} at {} and {} at {}, "
                                     "both {} the target {}",
                                     decimal_text(lower), decimal_text(upper), metric.name,
                                     format_metric(*metric.info, s.f_lower + target), decimal_text(lower),
                                     format_metric(*metric.info, s.f_upper + target), decimal_text(upper),
                                     s.f_lower > 0 ? "above" : "below", format_metric(*metric.info, target)));
    const double resolution = 1e-6 * std::max({1.0, std::fabs(lower), std::fabs(upper)});
    const auto f = [&](double x) { return metric_at(x).value - target; };
    const auto tolerance = [&](double a, double b) { return std::fabs(b - a) <= resolution; };
    std::uintmax_t iterations = 100;
    const auto [a, b] =
        boost::math::tools::toms748_solve(f, lower, upper, s.f_lower, s.f_upper, tolerance, iterations);
    s.iterations = iterations;
    s.final_lower = a;
    s.final_upper = b;
    s.root = s.f_lower == 0 ? lower : s.f_upper == 0 ? upper : (a + b) / 2;
    s.metric_at_root = metric_at(s.root);
    // Local slope from a central difference over 1% of the bracket (same seed, so no noise term
    // beyond the metric's own steps), kept inside the bracket.
    const double h = 0.01 * (upper - lower);
    const double x0 = std::max(lower, s.root - h), x1 = std::min(upper, s.root + h);
    try {
        const double slope = (metric_at(x1).value - metric_at(x0).value) / (x1 - x0);
        if (slope != 0 && std::isfinite(slope)) {
            s.slope = slope;
            const double half = (s.metric_at_root.ci_high - s.metric_at_root.ci_low) / 2;
            s.root_uncertainty = half / std::fabs(slope);
        }
    } catch (const InputError&) {
        // An end of the difference is invalid: no slope, no uncertainty.
    }
    return s;
}

}  // namespace thesis
