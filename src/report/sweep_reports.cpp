#include "thesis/report/sweep_reports.h"

#include "thesis/analysis/metrics.h"
#include "thesis/core/units.h"
#include "thesis/report/reports.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace thesis {

namespace {

std::string show(const MetricInfo& m, double v) { return format_metric(m, v); }
std::string show_signed(const MetricInfo& m, double v) { return format_metric_difference(m, v); }
// A width or a swing: a non-negative amount in the metric's unit, unsigned.
std::string show_width(const MetricInfo& m, double v) {
    switch (m.unit) {
        case MetricUnit::Money: return format_money(v, 2);
        case MetricUnit::Position: return format_money(v, 0);
        default: return format_metric(m, v);
    }
}

std::string show_ci(const MetricInfo& m, const Estimate& e, bool is_signed = false) {
    if (e.ci_low == e.ci_high) return "exact";
    return is_signed ? fmt::format("[{}, {}]", show_signed(m, e.ci_low), show_signed(m, e.ci_high))
                     : fmt::format("[{}, {}]", show(m, e.ci_low), show(m, e.ci_high));
}

std::string_view better_text(Better b) {
    switch (b) {
        case Better::Higher: return "higher is better";
        case Better::Lower: return "lower is better";
        case Better::Neither: return "no better direction";
    }
    return "";
}

nlohmann::json estimate_json(const MetricValue& v) { return thesis::estimate_json(v.estimate, v.reason); }

void add_estimate_cells(std::vector<Cell>& row, const std::optional<Estimate>& e) {
    if (!e) {
        for (int i = 0; i < 4; ++i) row.emplace_back("");
        return;
    }
    for (double x : {e->value, e->std_error, e->ci_low, e->ci_high})
        row.emplace_back(fmt::format("{}", x), x);
}

std::string engine_line(const Evaluator& ev) {
    if (!ev.simulates()) return "Deterministic metrics only: no simulation.";
    return fmt::format(
        "{} paths a point, seed {} at every point (common random numbers: every "
        "point draws the same paths).",
        format_count(static_cast<double>(ev.paths())), ev.seed());
}

}  // namespace

namespace {

// Whether a key is a scenario's probability (moved with the others rescaled).
bool is_scenario_probability(const std::string& key) {
    return key.rfind("scenarios.", 0) == 0 && key.size() > 12 &&
           key.compare(key.size() - 12, 12, ".probability") == 0;
}
constexpr const char* kRescaled =
    "Moving one scenario's probability rescales the others in proportion, so they still sum to 1.";

std::string_view unit_text(MetricUnit u) {
    switch (u) {
        case MetricUnit::Money: return "usd";
        case MetricUnit::Loss: return "usd (unsigned)";
        case MetricUnit::Position: return "usd (position)";
        case MetricUnit::Percent: return "fraction";
        case MetricUnit::R: return "R";
        case MetricUnit::Ratio: return "ratio";
        case MetricUnit::Duration: return "years";
        case MetricUnit::Count: return "shares";
    }
    return "";
}

std::string_view best_text(Better b) {
    return b == Better::Higher ? "max" : b == Better::Lower ? "min" : "none";
}

}  // namespace

Report metric_list_report() {
    Report r;
    r.heading =
        "Metrics (PLAN is a plan's name in the file): the keys of run's JSON and CSV, and what "
        "sweep, sensitivity, solve and --tolerance-metric accept";
    Table t;
    t.id = "metrics";
    t.title = "Metrics";
    t.columns = {{"Metric", "metric", false},      {"Kind", "kind", false},
                 {"Unit", "unit", false},          {"Best", "best", false},
                 {"Applies to", "applies", false}, {"Description", "description", false}};
    for (const auto& m : metric_catalogue())
        t.rows.push_back({m.scope + "." + m.name, m.simulated ? "simulated" : "exact",
                          std::string(unit_text(m.unit)), std::string(best_text(m.better)), m.applies,
                          m.description});
    t.footnotes = {"Simulated metrics carry a 95% CI; exact ones are computed from the file (zero-width CI).",
                   "Paired differences (--versus-base) exist for the means of a per-path quantity (the "
                   "probabilities, pnl_per_share, pnl_per_position, expectancy_r); the others' CI "
                   "assumes independence."};
    r.tables.push_back(std::move(t));
    nlohmann::json j = {{"program", "thesis"}, {"command", "sweep --list-metrics"}};
    j["metrics"] = nlohmann::json::array();
    for (const auto& m : metric_catalogue())
        j["metrics"].push_back({{"name", m.scope + "." + m.name},
                                {"label", m.label},
                                {"simulated", m.simulated},
                                {"paired", m.paired},
                                {"unit", unit_text(m.unit)},
                                {"best", best_text(m.better)},
                                {"applies", m.applies},
                                {"description", m.description}});
    r.json = std::move(j);
    return r;
}

Report sweep_report(const Evaluator& ev, const SweepGrid& g, bool versus_base) {
    Report r;
    r.primary = "sweep";
    const auto& axes = g.axes;
    const auto& metrics = ev.metrics();
    std::string what;
    for (const auto& a : axes)
        what += fmt::format("{}{} ({} values)", what.empty() ? "" : " × ", a.key, a.texts.size());
    r.heading = fmt::format("Sweep of {} — {}", what, ev.base().source);
    r.verdict.push_back(engine_line(ev));
    if (std::any_of(axes.begin(), axes.end(),
                    [](const SweepAxis& a) { return is_scenario_probability(a.key); }))
        r.verdict.push_back(kRescaled);
    const std::size_t n1 = axes.size() == 2 ? axes[1].texts.size() : 1;
    const auto where = [&](std::size_t p) {
        std::string s = axes[0].key + "=" + axes[0].texts[p / n1];
        if (axes.size() == 2) s += ", " + axes[1].key + "=" + axes[1].texts[p % n1];
        return s;
    };
    std::size_t invalid = 0;
    for (const auto& p : g.points) invalid += !p.valid;
    if (invalid)
        r.verdict.push_back(fmt::format("{} of {} points are invalid (marked; reasons below each table).",
                                        invalid, g.points.size()));

    for (std::size_t k = 0; k < metrics.size(); ++k) {
        const Metric& m = metrics[k];
        const auto best = best_point(g.points, k, m);
        if (best)
            r.verdict.push_back(fmt::format("Best {} ({}): {} at {}", m.name, better_text(m.info->better),
                                            show(*m.info, g.points[*best].values[k].estimate->value),
                                            where(*best)));
        Table t;
        t.audience = Table::Audience::People;
        t.id = "sweep_" + m.name;
        t.title = fmt::format("{} — {} ({})", m.name, m.info->description, better_text(m.info->better));
        std::vector<std::string> reasons;
        if (axes.size() == 1) {
            t.columns = {{axes[0].key, "value"}, {m.name, "metric"}, {"95% CI", "ci", false}};
            if (versus_base)
                t.columns.insert(t.columns.end(),
                                 {{"vs base", "diff"}, {"95% CI of diff", "diff_ci", false}});
            t.columns.push_back({"", "note", false});
            for (std::size_t p = 0; p < g.points.size(); ++p) {
                const PointResult& pt = g.points[p];
                const MetricValue& v = pt.values[k];
                std::vector<Cell> row{axes[0].texts[p]};
                if (!pt.valid) {
                    row.insert(row.end(), {"invalid", ""});
                    if (versus_base) row.insert(row.end(), {"", ""});
                    row.emplace_back(pt.reason);
                } else if (!v.estimate) {
                    row.insert(row.end(), {"n/a", ""});
                    if (versus_base) row.insert(row.end(), {"", ""});
                    row.emplace_back(v.reason);
                } else {
                    row.insert(row.end(), {show(*m.info, v.estimate->value), show_ci(*m.info, *v.estimate)});
                    if (versus_base) {
                        const MetricValue& d = pt.versus_base[k];
                        if (d.estimate)
                            row.insert(row.end(),
                                       {show_signed(*m.info, d.estimate->value),
                                        show_ci(*m.info, *d.estimate, true) +
                                            (pt.paired[k] || d.estimate->std_error == 0 ? "" : " †")});
                        else row.insert(row.end(), {"n/a", ""});
                    }
                    row.emplace_back(best && *best == p ? "◀ best" : "");
                }
                t.rows.push_back(std::move(row));
            }
        } else {
            t.columns.push_back({axes[0].key + " \\ " + axes[1].key, "row", false});
            for (const auto& c : axes[1].texts) t.columns.push_back({c, c});
            for (std::size_t i = 0; i < axes[0].texts.size(); ++i) {
                std::vector<Cell> row{axes[0].texts[i]};
                for (std::size_t j = 0; j < n1; ++j) {
                    const std::size_t p = i * n1 + j;
                    const PointResult& pt = g.points[p];
                    const MetricValue& v = pt.values[k];
                    if (!pt.valid) {
                        row.emplace_back("invalid");
                        if (reasons.size() < 8)
                            reasons.push_back("invalid at " + where(p) + ": " + pt.reason);
                        else if (reasons.size() == 8)
                            reasons.push_back("… more invalid points in the CSV/JSON");
                    } else if (!v.estimate) {
                        row.emplace_back("n/a");
                    } else {
                        row.emplace_back(show(*m.info, v.estimate->value) + (best && *best == p ? " *" : ""));
                    }
                }
                t.rows.push_back(std::move(row));
            }
            if (best) t.footnotes.push_back(fmt::format("* best cell ({})", better_text(m.info->better)));
            if (ev.simulates() && m.info->simulated) {
                // One representative CI width, so a reader can judge the differences.
                for (const auto& pt : g.points)
                    if (pt.values[k].estimate) {
                        const Estimate& e = *pt.values[k].estimate;
                        t.footnotes.push_back(
                            fmt::format("95% CI half-width about {} (per cell in the CSV/JSON)",
                                        show_width(*m.info, (e.ci_high - e.ci_low) / 2)));
                        break;
                    }
            }
            t.footnotes.insert(t.footnotes.end(), reasons.begin(), reasons.end());
        }
        if (versus_base && axes.size() == 1 && m.info->simulated && !m.info->paired)
            t.footnotes.push_back(
                "† CI of the difference assumes independent runs: conservative under "
                "common random numbers");
        r.tables.push_back(std::move(t));
    }

    // The tidy table: one row per point and metric.
    Table tidy;
    tidy.audience = Table::Audience::Machines;
    tidy.id = "sweep";
    tidy.title = "Sweep";
    for (std::size_t a = 0; a < axes.size(); ++a)
        tidy.columns.insert(tidy.columns.end(),
                            {{"", fmt::format("key{}", a + 1)}, {"", fmt::format("value{}", a + 1)}});
    for (const char* c : {"metric", "estimate", "std_error", "ci_low", "ci_high"})
        tidy.columns.push_back({"", c});
    if (versus_base)
        for (const char* c : {"diff", "diff_std_error", "diff_ci_low", "diff_ci_high", "diff_paired"})
            tidy.columns.push_back({"", c});
    for (const char* c : {"valid", "reason"}) tidy.columns.push_back({"", c});
    nlohmann::json points = nlohmann::json::array();
    for (std::size_t p = 0; p < g.points.size(); ++p) {
        const PointResult& pt = g.points[p];
        nlohmann::json jp;
        for (std::size_t a = 0; a < axes.size(); ++a) {
            const std::size_t i = a == 0 ? p / n1 : p % n1;
            jp["point"][axes[a].key] = axes[a].values[i];
        }
        jp["valid"] = pt.valid;
        if (!pt.valid) jp["reason"] = pt.reason;
        for (std::size_t k = 0; k < metrics.size(); ++k) {
            std::vector<Cell> row;
            for (std::size_t a = 0; a < axes.size(); ++a) {
                const std::size_t i = a == 0 ? p / n1 : p % n1;
                row.emplace_back(axes[a].key);
                row.emplace_back(axes[a].texts[i], axes[a].values[i]);
            }
            row.emplace_back(metrics[k].name);
            add_estimate_cells(row, pt.values[k].estimate);
            nlohmann::json jm = estimate_json(pt.values[k]);
            if (versus_base) {
                add_estimate_cells(row, pt.versus_base[k].estimate);
                row.emplace_back(pt.versus_base[k].estimate ? (pt.paired[k] ? "true" : "false") : "");
                jm["versus_base"] = estimate_json(pt.versus_base[k]);
                jm["versus_base"]["paired"] = pt.paired[k];
            }
            const bool has_value = pt.values[k].estimate.has_value();
            row.emplace_back(has_value ? "true" : "false");
            row.emplace_back(pt.valid ? pt.values[k].reason : pt.reason);
            tidy.rows.push_back(std::move(row));
            jp["metrics"][metrics[k].name] = std::move(jm);
        }
        points.push_back(std::move(jp));
    }
    r.tables.push_back(std::move(tidy));

    nlohmann::json j = json_stamp(ev.base(), "sweep");
    j["sweep"]["axes"] = nlohmann::json::array();
    for (const auto& a : axes) j["sweep"]["axes"].push_back({{"key", a.key}, {"values", a.values}});
    j["sweep"]["metrics"] = nlohmann::json::array();
    for (const auto& m : metrics)
        j["sweep"]["metrics"].push_back({{"name", m.name},
                                         {"description", m.info->description},
                                         {"simulated", m.info->simulated},
                                         {"best", best_text(m.info->better)}});
    if (ev.simulates())
        j["sweep"]["simulation"] = {{"paths", ev.paths()},
                                    {"seed", ev.seed()},
                                    {"common_random_numbers", true},
                                    {"touch_odds", ev.touch_odds()}};
    j["sweep"]["points"] = std::move(points);
    r.json = std::move(j);
    return r;
}

Report sensitivity_report(const Evaluator& ev, const std::vector<SensitivityRow>& rows, double spread,
                          const std::vector<std::string>& skipped) {
    const Metric& m = ev.metrics()[0];
    Report r;
    r.heading = fmt::format("Sensitivity of {} to each input — {}", m.name, ev.base().source);
    const MetricValue& base = ev.base_result().values[0];
    r.verdict.push_back(base.estimate
                            ? fmt::format("Base {}: {} {}", m.name, show(*m.info, base.estimate->value),
                                          show_ci(*m.info, *base.estimate))
                            : fmt::format("Base {}: n/a ({})", m.name, base.reason));
    r.verdict.push_back(fmt::format("{} inputs moved one at a time to ±{} (or the --set LOW:HIGH given). {}",
                                    rows.size(), format_percent(spread, 0), engine_line(ev)));
    if (std::any_of(rows.begin(), rows.end(),
                    [](const SensitivityRow& row) { return is_scenario_probability(row.input.key); }))
        r.verdict.push_back(kRescaled);
    if (!rows.empty() && rows[0].swing > 0)
        r.verdict.push_back(
            fmt::format("Largest swing: {} ({})", rows[0].input.key, show_width(*m.info, rows[0].swing)));

    double max_swing = 0;
    for (const auto& row : rows) max_swing = std::max(max_swing, row.swing);
    Table t;
    t.audience = Table::Audience::People;
    t.id = "tornado_text";
    t.title = fmt::format("Tornado: {} at each input's low and high, ranked by swing", m.name);
    t.columns = {{"Input", "key", false},
                 {"Low", "low"},
                 {"High", "high"},
                 {"At low", "at_low"},
                 {"At high", "at_high"},
                 {"Swing", "swing"},
                 {"High − low [95% CI]", "change"},
                 {"", "bar", false}};
    std::vector<std::string> notes;
    const auto at = [&](const PointResult& p, const std::string& label) -> std::string {
        if (!p.valid) {
            notes.push_back(label + " is invalid: " + p.reason);
            return "invalid";
        }
        if (!p.values[0].estimate) return "n/a";
        return show(*m.info, p.values[0].estimate->value);
    };
    for (const auto& row : rows) {
        const std::string lo = at(row.low, row.input.key + "=" + row.input.low_text);
        const std::string hi = at(row.high, row.input.key + "=" + row.input.high_text);
        const int width = max_swing > 0 ? static_cast<int>(std::lround(28 * row.swing / max_swing)) : 0;
        std::string bar;
        for (int i = 0; i < width; ++i) bar += "█";
        t.rows.push_back(
            {row.input.key, row.input.low_text, row.input.high_text, lo, hi,
             row.low.valid && row.high.valid && row.low.values[0].estimate && row.high.values[0].estimate
                 ? show_width(*m.info, row.swing)
                 : "-",
             row.change.estimate ? show_signed(*m.info, row.change.estimate->value) + " " +
                                       show_ci(*m.info, *row.change.estimate, true)
                                 : "-",
             bar});
    }
    t.footnotes = notes;
    if (ev.simulates() && base.estimate)
        t.footnotes.push_back(fmt::format(
            "Each value's 95% CI half-width is about {}; high − low is {}, so its CI is far narrower: a CI "
            "that excludes 0 says the input moves the metric beyond noise.",
            show_width(*m.info, (base.estimate->ci_high - base.estimate->ci_low) / 2),
            m.info->paired ? "paired path by path on the same paths"
                           : "a quantile's, its CI from the two runs as if independent (wider than it is)"));
    r.tables.push_back(std::move(t));

    Table tidy;
    tidy.audience = Table::Audience::Machines;
    tidy.id = "tornado";
    tidy.title = "Tornado";
    for (const char* c : {"key",
                          "base",
                          "low",
                          "high",
                          "metric",
                          "estimate_low",
                          "std_error_low",
                          "ci_low_low",
                          "ci_high_low",
                          "estimate_high",
                          "std_error_high",
                          "ci_low_high",
                          "ci_high_high",
                          "swing",
                          "change_estimate",
                          "change_std_error",
                          "change_ci_low",
                          "change_ci_high",
                          "valid",
                          "reason"})
        tidy.columns.push_back({"", c});
    nlohmann::json j = json_stamp(ev.base(), "sensitivity");
    j["sensitivity"]["metric"] = m.name;
    j["sensitivity"]["spread"] = spread;
    j["sensitivity"]["base"] = estimate_json(base);
    j["sensitivity"]["inputs"] = nlohmann::json::array();
    for (const auto& row : rows) {
        std::vector<Cell> cells{row.input.key, Cell(row.input.base_text, row.input.base),
                                Cell(row.input.low_text, row.input.low),
                                Cell(row.input.high_text, row.input.high), m.name};
        add_estimate_cells(cells, row.low.values[0].estimate);
        add_estimate_cells(cells, row.high.values[0].estimate);
        cells.emplace_back(fmt::format("{}", row.swing), row.swing);
        add_estimate_cells(cells, row.change.estimate);
        const bool valid = row.low.valid && row.high.valid;
        cells.emplace_back(valid ? "true" : "false");
        cells.emplace_back(!row.low.valid    ? "low: " + row.low.reason
                           : !row.high.valid ? "high: " + row.high.reason
                                             : "");
        tidy.rows.push_back(std::move(cells));
        nlohmann::json jl = estimate_json(row.low.values[0]), jh = estimate_json(row.high.values[0]);
        if (!row.low.valid) jl["invalid"] = row.low.reason;
        if (!row.high.valid) jh["invalid"] = row.high.reason;
        j["sensitivity"]["inputs"].push_back({{"key", row.input.key},
                                              {"base", row.input.base},
                                              {"low", row.input.low},
                                              {"high", row.input.high},
                                              {"at_low", jl},
                                              {"at_high", jh},
                                              {"swing", row.swing},
                                              {"change", estimate_json(row.change)}});
    }
    r.tables.push_back(std::move(tidy));
    j["sensitivity"]["skipped"] = skipped;
    if (ev.simulates())
        j["sensitivity"]["simulation"] = {
            {"paths", ev.paths()}, {"seed", ev.seed()}, {"touch_odds", ev.touch_odds()}};
    r.json = std::move(j);
    for (const auto& s : skipped) r.notes.push_back("Not moved: " + s);
    return r;
}

Report solve_report(const Evaluator& ev, const std::string& key, double target, const SolveResult& s) {
    const Metric& m = ev.metrics()[0];
    Report r;
    r.heading =
        fmt::format("Solve {} for {} = {} — {}", key, m.name, show(*m.info, target), ev.base().source);
    r.verdict.push_back(fmt::format(
        "{} = {:.6g}{} gives {} = {} {}", key, s.root,
        s.root_uncertainty
            ? fmt::format(" ± {:.3g}", *s.root_uncertainty) + " (95%, from the metric's CI and slope)"
            : "",
        m.name, show(*m.info, s.metric_at_root.value), show_ci(*m.info, s.metric_at_root)));
    r.verdict.push_back(engine_line(ev));
    if (is_scenario_probability(key)) r.verdict.push_back(kRescaled);
    Table t;
    t.id = "solve";
    t.title = "Root finding (TOMS 748 on common random numbers)";
    t.columns = {{"", "quantity", false}, {key, "x"}, {m.name, "metric"}};
    t.rows.push_back({"bracket low", Cell(decimal_text(s.lower), s.lower),
                      Cell(show(*m.info, s.f_lower + target), s.f_lower + target)});
    t.rows.push_back({"bracket high", Cell(decimal_text(s.upper), s.upper),
                      Cell(show(*m.info, s.f_upper + target), s.f_upper + target)});
    t.rows.push_back({"root", Cell(decimal_text(s.root), s.root),
                      Cell(show(*m.info, s.metric_at_root.value), s.metric_at_root.value)});
    t.footnotes.push_back(fmt::format("{} solver evaluations; final bracket [{}, {}]", s.iterations,
                                      decimal_text(s.final_lower), decimal_text(s.final_upper)));
    if (s.slope)
        t.footnotes.push_back(
            fmt::format("local slope {:.6g} per unit of {}; root uncertainty = CI "
                        "half-width / |slope|",
                        *s.slope, key));
    else t.footnotes.push_back("no slope near the root (flat or invalid nearby): no uncertainty");
    r.tables.push_back(std::move(t));
    nlohmann::json j = json_stamp(ev.base(), "solve");
    j["solve"] = {{"key", key},
                  {"metric", m.name},
                  {"target", target},
                  {"root", s.root},
                  {"lower", s.lower},
                  {"upper", s.upper},
                  {"metric_at_lower", s.f_lower + target},
                  {"metric_at_upper", s.f_upper + target},
                  {"iterations", s.iterations},
                  {"final_bracket", {s.final_lower, s.final_upper}},
                  {"metric_at_root", estimate_json({s.metric_at_root, ""})},
                  {"slope", s.slope ? nlohmann::json(*s.slope) : nlohmann::json(nullptr)},
                  {"root_uncertainty",
                   s.root_uncertainty ? nlohmann::json(*s.root_uncertainty) : nlohmann::json(nullptr)}};
    if (ev.simulates())
        j["solve"]["simulation"] = {
            {"paths", ev.paths()}, {"seed", ev.seed()}, {"touch_odds", ev.touch_odds()}};
    r.json = std::move(j);
    return r;
}

std::optional<std::size_t> best_point(const std::vector<PointResult>& points, std::size_t k,
                                      const Metric& metric) {
    if (metric.info->better == Better::Neither) return std::nullopt;
    std::optional<std::size_t> best;
    for (std::size_t p = 0; p < points.size(); ++p) {
        const auto& e = points[p].values[k].estimate;
        if (!e) continue;
        const double v = e->value, b = best ? points[*best].values[k].estimate->value : 0;
        if (!best || (metric.info->better == Better::Higher ? v > b : v < b)) best = p;
    }
    return best;
}

}  // namespace thesis
