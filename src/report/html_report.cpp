#include "thesis/report/html_report.h"

#include "report/report_assets.h"
#include "thesis/analysis/metrics.h"
#include "thesis/core/errors.h"
#include "thesis/report/sweep_reports.h"
#include "thesis/valuation/payoff.h"
#include "thesis/valuation/valuation.h"
#include "thesis/version.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace thesis {

namespace {

using nlohmann::json;

// The ISO date `days` after `origin` (Howard Hinnant's civil_from_days, the inverse of
// days_since_epoch), for the charts' time axes.
std::string date_after(Date origin, double days) {
    long z = days_since_epoch(origin) + std::lround(days) + 719468;
    const long era = (z >= 0 ? z : z - 146096) / 146097;
    const long doe = z - era * 146097;
    const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const long mp = (5 * doy + 2) / 153;
    const long d = doy - (153 * mp + 2) / 5 + 1;
    const long m = mp < 10 ? mp + 3 : mp - 9;
    const long y = yoe + era * 400 + (m <= 2);
    return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

std::string date_at(const Thesis& t, Years years) { return date_after(t.stock.valuation_date, years * 365); }

// A layer of labelled reference rules at `values` ([{what, field: value}]) on one axis.
json rules(const json& values, const std::string& field, bool vertical, const std::string& dash_field = "") {
    json encoding{
        {vertical ? "x" : "y", {{"field", field}, {"type", "quantitative"}}},
        {"color", {{"field", "what"}, {"type", "nominal"}, {"title", nullptr}}},
        {"tooltip", json::array({{{"field", "what"}, {"type", "nominal"}},
                                 {{"field", field}, {"type", "quantitative"}, {"format", "$,.2f"}}})}};
    if (!dash_field.empty())
        encoding["strokeDash"] = {{"field", dash_field}, {"type", "nominal"}, {"legend", nullptr}};
    return {{"data", {{"values", values}}},
            {"mark", {{"type", "rule"}, {"strokeDash", json::array({5, 3})}, {"strokeWidth", 1.5}}},
            {"encoding", encoding}};
}

Chart valuation_chart(const Thesis& t) {
    std::vector<ScenarioValue> values;
    for (const Scenario& s : t.scenarios) values.push_back(value_scenario(s, t.stock));
    json points = json::array();
    for (const ScenarioValue& v : values)
        points.push_back({{"scenario", v.name}, {"price", v.price}, {"probability", v.probability}});
    json references = json::array(
        {{{"what", fmt::format("today {}", format_money(t.stock.price))}, {"price", t.stock.price}}});
    if (!values.empty()) {
        const ScenarioExpectation e = expectation(values, t.stock.price);
        if (e.probability_sum > 0)
            references.push_back({{"what", fmt::format("expected {}", format_money(e.expected_price))},
                                  {"price", e.expected_price}});
    }
    if (t.stock.sector_pe > 0 && bridge(t.stock).eps > 0) {
        const double sector = bridge(t.stock).eps * t.stock.sector_pe;
        references.push_back(
            {{"what", fmt::format("at the sector's {} {}", format_multiple(t.stock.sector_pe, 0),
                                  format_money(sector))},
             {"price", sector}});
    }
    json spec{{"width", kChartWidth},
              {"height", 40 + 36 * std::max<std::size_t>(1, values.size())},
              {"layer",
               json::array({{{"data", {{"values", points}}},
                             {"mark", {{"type", "circle"}, {"opacity", 0.85}}},
                             {"encoding",
                              {{"x",
                                {{"field", "price"},
                                 {"type", "quantitative"},
                                 {"scale", {{"zero", false}}},
                                 {"axis", money_axis("price per share")}}},
                               {"y",
                                {{"field", "scenario"},
                                 {"type", "nominal"},
                                 {"title", nullptr},
                                 {"sort", {{"field", "price"}, {"order", "descending"}}}}},
                               {"size",
                                {{"field", "probability"},
                                 {"type", "quantitative"},
                                 {"scale", {{"range", json::array({80, 1200})}}},
                                 {"legend", {{"format", ".0%"}}}}},
                               {"tooltip", json::array({{{"field", "scenario"}},
                                                        {{"field", "price"}, {"format", "$,.2f"}},
                                                        {{"field", "probability"}, {"format", ".1%"}}})}}}},
                            rules(references, "price", true)})}};
    return {"valuation", "Valuation: each scenario's price",
            "Each scenario's price per share, sized by its probability; the dashed lines mark today's price, "
            "the probability-weighted price and the price at the sector's multiple.",
            std::move(spec)};
}

Chart payoff_chart(const Thesis& t, const Plan& plan) {
    const TradeEconomics e = trade_economics(plan, t.stock.price);
    std::vector<Price> also;
    json levels = json::array();
    for (const Scenario& s : t.scenarios) {
        const Price p = value_scenario(s, t.stock).price;
        also.push_back(p);
        levels.push_back({{"what", fmt::format("scenario {} {}", s.name, format_money(p))},
                          {"price", p},
                          {"kind", "scenario"}});
    }
    levels.push_back(
        {{"what", fmt::format("entry {}", format_money(e.entry))}, {"price", e.entry}, {"kind", "plan"}});
    if (e.stop)
        levels.push_back(
            {{"what", fmt::format("stop {}", format_money(*e.stop))}, {"price", *e.stop}, {"kind", "plan"}});
    if (e.target)
        levels.push_back({{"what", fmt::format("target {}", format_money(*e.target))},
                          {"price", *e.target},
                          {"kind", "plan"}});
    json lines = json::array();
    for (const PayoffRow& row : payoff_table(plan, e, default_price_grid(e, also))) {
        lines.push_back({{"exit", row.exit}, {"rule", "hold"}, {"pnl", row.hold.per_share}});
        if (e.stop) lines.push_back({{"exit", row.exit}, {"rule", "stop"}, {"pnl", row.stop_only.per_share}});
        if (e.stop || e.target)
            lines.push_back(
                {{"exit", row.exit}, {"rule", "stop and target"}, {"pnl", row.stop_and_target.per_share}});
    }
    json spec{
        {"width", kChartWidth},
        {"height", 260},
        {"layer",
         json::array(
             {{{"data", {{"values", lines}}},
               {"mark", {{"type", "line"}, {"point", true}}},
               {"encoding",
                {{"x",
                  {{"field", "exit"},
                   {"type", "quantitative"},
                   {"scale", {{"zero", false}}},
                   {"axis", money_axis("price the position exits at")}}},
                 {"y", {{"field", "pnl"}, {"type", "quantitative"}, {"axis", money_axis("P&L per share")}}},
                 {"color", {{"field", "rule"}, {"type", "nominal"}, {"title", "exit rule"}}},
                 {"tooltip", json::array({{{"field", "rule"}},
                                          {{"field", "exit"}, {"format", "$,.2f"}},
                                          {{"field", "pnl"}, {"format", "$,.2f"}}})}}}},
              rules(levels, "price", true, "kind")})}};
    return {
        "payoff-" + plan.name, fmt::format("{}: payoff at the exit price", plan.name),
        "P&L per share, costs included, if the price ends at each level: held, with the stop, with the stop "
        "and the target; dashed lines mark the plan's levels and the scenarios' prices (no gaps: the "
        "simulation prices those).",
        std::move(spec)};
}

json interval_bars(const json& values, const std::string& category, const std::string& value_title,
                   const std::string& format, bool money) {
    const json axis = money ? money_axis(value_title) : json{{"title", value_title}, {"format", format}};
    return json::array({{{"data", {{"values", values}}},
                         {"mark", {{"type", "bar"}, {"opacity", 0.8}}},
                         {"encoding",
                          {{"x",
                            {{"field", category},
                             {"type", "nominal"},
                             {"sort", nullptr},
                             {"title", nullptr},
                             {"axis", {{"labelAngle", 0}}}}},
                           {"y", {{"field", "estimate"}, {"type", "quantitative"}, {"axis", axis}}},
                           {"tooltip", json::array({{{"field", category}},
                                                    {{"field", "estimate"}, {"format", format}},
                                                    {{"field", "ci_low"}, {"format", format}},
                                                    {{"field", "ci_high"}, {"format", format}}})}}}},
                        {{"data", {{"values", values}}},
                         {"mark", {{"type", "rule"}, {"strokeWidth", 2}}},
                         {"encoding",
                          {{"x", {{"field", category}, {"type", "nominal"}, {"sort", nullptr}}},
                           {"y", {{"field", "ci_low"}, {"type", "quantitative"}}},
                           {"y2", {{"field", "ci_high"}}}}}}});
}

json with_interval(json row, const Estimate& e) {
    row["estimate"] = e.value;
    row["ci_low"] = e.ci_low;
    row["ci_high"] = e.ci_high;
    return row;
}

Chart outcomes_chart(const Plan& plan, const PlanMetrics& m) {
    static constexpr const char* kNames[] = {"unfilled", "target", "stop at its level",
                                             "gap through the stop", "horizon"};
    json values = json::array();
    for (std::size_t i = 0; i < kExitReasons.size(); ++i) {
        values.push_back(with_interval({{"outcome", kNames[i]}}, m.outcome[i]));
    }
    json spec{{"width", kChartWidth},
              {"height", 220},
              {"layer", interval_bars(values, "outcome", "probability", ".1%", false)}};
    return {
        "outcomes-" + plan.name, fmt::format("{}: how the trade ends", plan.name),
        fmt::format("The probability of each exit over {} paths, with its 95% confidence interval (the black "
                    "whiskers). A stop exit is at its level or through a gap past it.",
                    format_count(static_cast<double>(m.paths))),
        std::move(spec)};
}

Chart pnl_chart(const Plan& plan, const PlanMetrics& m, const QuantileSketch& sketch) {
    // 40 bins over the middle 99% of the P&L (the tails beyond are said in the caption).
    const double lo = sketch.quantile(0.005), hi = sketch.quantile(0.995);
    std::vector<double> edges;
    const int bins = 40;
    const double width = hi > lo ? (hi - lo) / bins : 1.0;
    for (int i = 0; i <= bins; ++i) edges.push_back(lo + i * width);
    edges.back() = std::max(edges.back(), hi);
    const std::vector<std::uint64_t> counts = sketch.histogram(edges);
    const double n = static_cast<double>(sketch.count());
    json bars = json::array();
    for (std::size_t i = 0; i < counts.size(); ++i)
        bars.push_back(
            {{"from", edges[i]}, {"to", edges[i + 1]}, {"share", static_cast<double>(counts[i]) / n}});
    json marks = json::array(
        {{{"what", fmt::format("VaR 95% {}", format_money(m.var95.value))}, {"pnl", -m.var95.value}},
         {{"what", fmt::format("ES 95% {}", format_money(m.es95.value))}, {"pnl", -m.es95.value}},
         {{"what", fmt::format("mean {}", format_signed_money(m.pnl_per_share.value))},
          {"pnl", m.pnl_per_share.value}}});
    json spec{
        {"width", kChartWidth},
        {"height", 220},
        {"layer",
         json::array(
             {{{"data", {{"values", bars}}},
               {"mark", {{"type", "bar"}, {"opacity", 0.75}}},
               {"encoding",
                {{"x", {{"field", "from"}, {"type", "quantitative"}, {"axis", money_axis("P&L per share")}}},
                 {"x2", {{"field", "to"}}},
                 {"y",
                  {{"field", "share"},
                   {"type", "quantitative"},
                   {"axis", {{"title", "share of paths"}, {"format", ".1%"}}}}},
                 {"y2", {{"datum", 0}}},
                 {"tooltip", json::array({{{"field", "from"}, {"format", "$,.2f"}},
                                          {{"field", "to"}, {"format", "$,.2f"}},
                                          {{"field", "share"}, {"format", ".2%"}}})}}}},
              rules(marks, "pnl", true)})}};
    return {"pnl-" + plan.name, fmt::format("{}: the P&L distribution", plan.name),
            "P&L per share over the simulated paths (unfilled paths at $0), from the run's streamed quantile "
            "sketch, no path stored; the middle 99% is shown. Losses are negative: VaR and ES 95% are marked "
            "where the loss they name lies.",
            std::move(spec)};
}

Chart scenario_chart(const Plan& plan, const PlanMetrics& m) {
    json values = json::array();
    for (const ScenarioOutcome& o : m.by_scenario)
        values.push_back(with_interval({{"scenario", o.scenario}}, o.pnl_per_share));
    json spec{{"width", kChartWidth},
              {"height", 220},
              {"layer", interval_bars(values, "scenario", "E[P&L] per share", "$,.2f", true)}};
    return {
        "scenarios-" + plan.name, fmt::format("{}: expected P&L on each scenario's paths", plan.name),
        "The plan's mean P&L per share on the paths that drew each scenario (the scenarios model), with its "
        "95% confidence interval.",
        std::move(spec)};
}

Chart fan_chart(const Thesis& t, const PriceFan& fan) {
    json band = json::array();
    for (std::size_t i = 0; i < fan.years.size(); ++i) {
        const auto& q = fan.price[i];
        band.push_back({{"date", date_at(t, fan.years[i])},
                        {"q05", q[0]},
                        {"q25", q[1]},
                        {"q50", q[2]},
                        {"q75", q[3]},
                        {"q95", q[4]}});
    }
    json levels = json::array();
    for (const Plan& plan : t.plans) {
        const TradeEconomics e = trade_economics(plan, t.stock.price);
        if (plan.entry.kind == Entry::Kind::Limit)
            levels.push_back(
                {{"what", fmt::format("{} entry {}", plan.name, format_money(e.entry))}, {"price", e.entry}});
        if (e.stop)
            levels.push_back(
                {{"what", fmt::format("{} stop {}", plan.name, format_money(*e.stop))}, {"price", *e.stop}});
        if (e.target)
            levels.push_back({{"what", fmt::format("{} target {}", plan.name, format_money(*e.target))},
                              {"price", *e.target}});
    }
    json events = json::array();
    for (const CatalystEvent& e : t.model.events)
        events.push_back({{"event", e.name},
                          {"date", date_at(t, e.window_start)},
                          {"end", date_at(t, e.window_end)},
                          {"probability", e.probability}});
    const json x{{"field", "date"}, {"type", "temporal"}, {"title", nullptr}};
    json layers = json::array(
        {{{"data", {{"values", band}}},
          {"mark", {{"type", "area"}, {"opacity", 0.18}}},
          {"encoding",
           {{"x", x},
            {"y", {{"field", "q05"}, {"type", "quantitative"}, {"axis", money_axis("price")}}},
            {"y2", {{"field", "q95"}}}}}},
         {{"data", {{"values", band}}},
          {"mark", {{"type", "area"}, {"opacity", 0.35}}},
          {"encoding",
           {{"x", x}, {"y", {{"field", "q25"}, {"type", "quantitative"}}}, {"y2", {{"field", "q75"}}}}}},
         {{"data", {{"values", band}}},
          {"mark", {{"type", "line"}, {"strokeWidth", 2}}},
          {"encoding",
           {{"x", x},
            {"y", {{"field", "q50"}, {"type", "quantitative"}}},
            {"tooltip", json::array({{{"field", "date"}, {"type", "temporal"}},
                                     {{"field", "q05"}, {"format", "$,.0f"}},
                                     {{"field", "q50"}, {"format", "$,.0f"}},
                                     {{"field", "q95"}, {"format", "$,.0f"}}})}}}}});
    if (!levels.empty()) layers.push_back(rules(levels, "price", false));
    if (!events.empty())
        layers.push_back(
            {{"data", {{"values", events}}},
             {"mark", {{"type", "rule"}, {"strokeDash", json::array({2, 2})}, {"color", "gray"}}},
             {"encoding",
              {{"x", {{"field", "date"}, {"type", "temporal"}}},
               {"tooltip", json::array({{{"field", "event"}},
                                        {{"field", "date"}, {"type", "temporal"}},
                                        {{"field", "end"}, {"type", "temporal"}},
                                        {{"field", "probability"}, {"format", ".0%"}}})}}}});
    json spec{{"width", kChartWidth}, {"height", 300}, {"layer", std::move(layers)}};
    return {
        "fan", "The price over time",
        fmt::format(
            "The price's 5–95% and 25–75% bands and its median over the run's first {} paths (the same "
            "paths, keyed by index), one quantile sketch per date; dashed: the plans' levels; dotted: the "
            "catalyst events' dates (a window's start).",
            format_count(static_cast<double>(fan.paths))),
        std::move(spec)};
}

// A chart's element id: its id with anything but letters, digits, '-' and '_' made '-', so that
// it is a valid CSS selector (a sweep's metric holds a '.', a plan's name any character).
std::string element_id(const std::string& id) {
    std::string out = "chart-";
    for (char c : id) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '-';
    return out;
}

std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

// JSON inside a <script>: "</" would end the script element.
std::string script_json(const json& j) {
    std::string s = j.dump();
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '<' && i + 1 < s.size() && s[i + 1] == '/') {
            out += "<\\/";
            ++i;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string html_table(const Table& t) {
    std::string out = "<section class=\"table\">";
    if (!t.title.empty()) out += "<h3>" + escape(t.title) + "</h3>";
    out += "<table>";
    std::vector<std::size_t> shown;
    for (std::size_t c = 0; c < t.columns.size(); ++c)
        if (!t.columns[c].machine_only) shown.push_back(c);
    if (t.show_header) {
        out += "<thead><tr>";
        for (std::size_t c : shown) out += "<th>" + escape(t.columns[c].label) + "</th>";
        out += "</tr></thead>";
    }
    out += "<tbody>";
    for (const auto& row : t.rows) {
        out += "<tr>";
        for (std::size_t c : shown) {
            const std::string text = c < row.size() ? row[c].text : "";
            out += std::string(t.columns[c].right ? "<td class=\"num\">" : "<td>") + escape(text) + "</td>";
        }
        out += "</tr>";
    }
    out += "</tbody></table>";
    for (const std::string& f : t.footnotes) out += "<p class=\"note\">" + escape(f) + "</p>";
    return out + "</section>\n";
}

constexpr const char* kStyle = R"(
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d232a; margin: 0 auto;
       max-width: 1000px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 6px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #d8dee4; }
h3 { font-size: 14px; margin: 18px 0 6px; }
.verdict p { margin: 2px 0; } .verdict p.detail { margin-left: 18px; color: #57606a; }
table { border-collapse: collapse; font-size: 12.5px; } td, th { padding: 2px 8px; border-bottom: 1px solid #eaeef2; }
th { text-align: left; background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 16px 0 24px; } figcaption { font-weight: 600; } .caption, .note { color: #57606a; font-size: 12.5px; }
.stamp td:first-child { color: #57606a; } #errors { color: #b00020; white-space: pre-wrap; }
)";

}  // namespace

std::vector<Chart> run_charts(const Thesis& t, const SimulationResult& result, std::uint64_t fan_paths) {
    if (t.plans.empty() || result.paths == 0) return run_charts(t, result, PriceFan());
    return run_charts(t, result, price_fan(t, std::min(fan_paths, result.paths)));
}

std::vector<Chart> run_charts(const Thesis& t, const SimulationResult& result, const PriceFan& fan) {
    std::vector<Chart> charts;
    // A chart's reference rules keep their own colour legend, apart from its data's.
    const auto independent = [](Chart c) {
        if (c.spec.contains("layer"))
            c.spec["resolve"] = {{"scale", {{"color", "independent"}, {"strokeDash", "independent"}}}};
        return c;
    };
    if (!t.scenarios.empty()) charts.push_back(independent(valuation_chart(t)));
    for (std::size_t i = 0; i < t.plans.size() && i < result.plans.size(); ++i) {
        const Plan& plan = t.plans[i];
        const PlanMetrics m = summarize(result, i, plan, t.stock.price);
        charts.push_back(independent(payoff_chart(t, plan)));
        charts.push_back(outcomes_chart(plan, m));
        if (result.pnl[i].count() > 0) charts.push_back(independent(pnl_chart(plan, m, result.pnl[i])));
        if (!m.by_scenario.empty()) charts.push_back(scenario_chart(plan, m));
    }
    if (!fan.years.empty() && fan.paths > 0) charts.push_back(independent(fan_chart(t, fan)));
    return charts;
}

bool html_report_available() { return report_assets::available(); }

json money_axis(const std::string& title) { return {{"title", title}, {"format", "$,.0f"}}; }

nlohmann::json vega_lite_document(const std::vector<Chart>& charts) {
    json list = json::array();
    for (const Chart& c : charts) {
        json spec = c.spec;
        spec["$schema"] = "https://vega.github.io/schema/vega-lite/v6.json";  // for other renderers
        list.push_back({{"id", c.id}, {"title", c.title}, {"caption", c.caption}, {"spec", std::move(spec)}});
    }
    return {{"charts", std::move(list)}};
}

std::string render_html(const Report& r, const Thesis& t, const std::vector<Chart>& charts) {
    if (!report_assets::available())
        throw InputError(
            {}, "report",
            "this thesis was built without the report's chart libraries (configure with npm "
            "available and THESIS_BUILD_REPORT=ON); --format vega-lite prints the charts' specifications");
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" +
                      escape(r.heading) + "</title>\n<style>" + kStyle + "</style>\n";
    // The libraries inline, at their pinned versions: the file needs nothing beside it.
    out += fmt::format("<!-- {} -->\n", report_assets::versions());
    for (std::string_view js :
         {report_assets::vega(), report_assets::vega_lite(), report_assets::vega_embed()}) {
        out += "<script>";
        out += js;
        out += "</script>\n";
    }
    out += "</head><body>\n<header><h1>" + escape(r.heading) + "</h1>\n";
    // The run's simulation object, or a sweep's or a sensitivity's.
    json sim = json::object();
    if (r.json.contains("simulation")) sim = r.json["simulation"];
    for (const char* command : {"sweep", "sensitivity"})
        if (r.json.contains(command) && r.json[command].contains("simulation"))
            sim = r.json[command]["simulation"];
    std::vector<std::pair<std::string, std::string>> stamp{{"file", t.source}};
    if (sim.contains("seed")) {
        stamp.emplace_back("seed", std::to_string(sim["seed"].get<std::uint64_t>()));
        stamp.emplace_back("paths", format_count(sim["paths"].get<double>()));
    }
    stamp.emplace_back("model", std::string(to_string(t.model.kind)));
    stamp.emplace_back("fill policy", std::string(to_string(t.simulation.monitoring)));
    stamp.emplace_back("version", std::string("thesis ") + kVersion);
    stamp.emplace_back("charts", std::string(report_assets::versions()));
    out += "<table class=\"stamp\">";
    for (const auto& [k, v] : stamp) out += "<tr><td>" + escape(k) + "</td><td>" + escape(v) + "</td></tr>";
    out += "</table></header>\n<section class=\"verdict\"><h2>Verdict</h2>";
    for (const std::string& v : r.verdict)
        out += v.starts_with("  ") ? "<p class=\"detail\">" + escape(v.substr(2)) + "</p>"
                                   : "<p>" + escape(v) + "</p>";
    out += "</section>\n<section><h2>Charts</h2>\n";
    for (const Chart& c : charts)
        out += "<figure><figcaption>" + escape(c.title) + "</figcaption><div class=\"chart\" id=\"" +
               element_id(c.id) + "\"></div><p class=\"caption\">" + escape(c.caption) + "</p></figure>\n";
    out += "</section>\n";
    if (!t.assumptions.empty()) {
        out +=
            "<section><h2>Assumptions</h2><p class=\"note\">Values the file tags <code>!assumption</code> "
            "(not "
            "from the source): the numbers above rest on "
            "them.</p><table><thead><tr><th>key</th><th>value</th>"
            "</tr></thead><tbody>";
        for (const auto& [key, value] : t.assumptions)
            out += "<tr><td>" + escape(key) + "</td><td>" + escape(value) + "</td></tr>";
        out += "</tbody></table></section>\n";
    }
    out += "<section><h2>Tables</h2>\n";
    for (const Table& table : r.tables)
        if (table.audience != Table::Audience::Machines) out += html_table(table);
    for (const std::string& note : r.notes) out += "<p class=\"note\">" + escape(note) + "</p>";
    out += "</section>\n<pre id=\"errors\"></pre>\n<script>\n";
    json specs = json::array();
    for (const Chart& c : charts) specs.push_back({{"id", element_id(c.id)}, {"spec", c.spec}});
    out += "const charts = " + script_json(specs) + ";\n";
    // Errors are written into the page (and console), so a headless browser's DOM shows them;
    // body[data-rendered] says how many charts rendered.
    out += R"(const errors = document.getElementById('errors');
const fail = (m) => { errors.textContent += m + '\n'; };
window.addEventListener('error', (e) => fail('error: ' + e.message));
const consoleError = console.error.bind(console);
console.error = (...a) => { fail('console.error: ' + a.join(' ')); consoleError(...a); };
Promise.all(charts.map((c) => vegaEmbed('#' + c.id, c.spec, {actions: false, renderer: 'svg', mode: 'vega-lite'})))
  .then(() => { document.body.dataset.rendered = String(charts.length); })
  .catch((e) => fail('vegaEmbed: ' + e));
</script>
</body></html>
)";
    return out;
}

}  // namespace thesis
