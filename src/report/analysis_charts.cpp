// The analyses' charts for the HTML report: a sweep's metrics over its grid, the sensitivity
// tornado, and the hedge comparison's P&L distributions (html_report.h).
#include "thesis/analysis/metrics.h"
#include "thesis/report/html_report.h"
#include "thesis/report/sweep_reports.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace thesis {

namespace {

using nlohmann::json;

// A d3 format for a metric's values.
std::string value_format(const MetricInfo& m) {
    switch (m.unit) {
        case MetricUnit::Money:
        case MetricUnit::Loss: return "$,.2f";
        case MetricUnit::Position: return "$,.0f";
        case MetricUnit::Percent: return ".1%";
        default: return ",.3~f";
    }
}

}  // namespace

std::vector<Chart> sweep_charts(const Evaluator& ev, const SweepGrid& grid) {
    std::vector<Chart> charts;
    if (grid.axes.empty()) return charts;
    for (std::size_t k = 0; k < ev.metrics().size(); ++k) {
        const Metric& metric = ev.metrics()[k];
        const std::string format = value_format(*metric.info);
        const std::optional<std::size_t> best = best_point(grid.points, k, metric);
        json values = json::array();
        for (std::size_t p = 0; p < grid.points.size(); ++p) {
            const auto& e = grid.points[p].values[k].estimate;
            if (!e) continue;
            json row{{"estimate", e->value},
                     {"ci_low", e->ci_low},
                     {"ci_high", e->ci_high},
                     {"best", best && *best == p}};
            if (grid.axes.size() == 1) {
                row["x"] = grid.axes[0].values[p];
            } else {
                const std::size_t n1 = grid.axes[1].values.size();
                row["x"] = grid.axes[0].values[p / n1];
                row["y"] = grid.axes[1].values[p % n1];
            }
            values.push_back(std::move(row));
        }
        const json tooltip = json::array({{{"field", "x"}, {"title", grid.axes[0].key}},
                                          {{"field", "estimate"}, {"format", format}, {"title", metric.name}},
                                          {{"field", "ci_low"}, {"format", format}},
                                          {{"field", "ci_high"}, {"format", format}}});
        json spec;
        if (grid.axes.size() == 1) {
            const json x{{"field", "x"},
                         {"type", "quantitative"},
                         {"scale", {{"zero", false}}},
                         {"title", grid.axes[0].key}};
            spec = {
                {"width", kChartWidth},
                {"height", 260},
                {"data", {{"values", values}}},
                {"layer",
                 json::array(
                     {{{"mark", {{"type", "area"}, {"opacity", 0.25}}},
                       {"encoding",
                        {{"x", x},
                         {"y",
                          {{"field", "ci_low"},
                           {"type", "quantitative"},
                           {"scale", {{"zero", false}}},
                           {"axis", {{"title", metric.name}, {"format", format}}}}},
                         {"y2", {{"field", "ci_high"}}}}}},
                      {{"mark", {{"type", "line"}, {"point", true}}},
                       {"encoding",
                        {{"x", x},
                         {"y", {{"field", "estimate"}, {"type", "quantitative"}}},
                         {"tooltip", tooltip}}}},
                      {{"transform", json::array({{{"filter", "datum.best"}}})},
                       {"mark", {{"type", "point"}, {"filled", true}, {"size", 160}, {"color", "#d62728"}}},
                       {"encoding",
                        {{"x", x},
                         {"y", {{"field", "estimate"}, {"type", "quantitative"}}},
                         {"tooltip", tooltip}}}}})}};
        } else {
            json with_y = tooltip;
            with_y.insert(with_y.begin() + 1, {{"field", "y"}, {"title", grid.axes[1].key}});
            const json x{{"field", "x"}, {"type", "ordinal"}, {"title", grid.axes[0].key}};
            const json y{
                {"field", "y"}, {"type", "ordinal"}, {"title", grid.axes[1].key}, {"sort", "descending"}};
            spec = {
                {"width", kChartWidth},
                {"height", 40 + 28 * grid.axes[1].values.size()},
                {"data", {{"values", values}}},
                {"layer",
                 json::array(
                     {{{"mark", "rect"},
                       {"encoding",
                        {{"x", x},
                         {"y", y},
                         {"color",
                          {{"field", "estimate"},
                           {"type", "quantitative"},
                           {"title", metric.name},
                           {"legend", {{"format", format}}}}},
                         {"tooltip", with_y}}}},
                      {{"mark", {{"type", "text"}, {"fontSize", 10}}},
                       {"encoding",
                        {{"x", x},
                         {"y", y},
                         {"text", {{"field", "estimate"}, {"type", "quantitative"}, {"format", format}}}}}},
                      {{"transform", json::array({{{"filter", "datum.best"}}})},
                       {"mark",
                        {{"type", "rect"}, {"fill", nullptr}, {"stroke", "black"}, {"strokeWidth", 3}}},
                       {"encoding", {{"x", x}, {"y", y}}}}})}};
        }
        const std::string better = metric.info->better == Better::Higher  ? "higher is better"
                                   : metric.info->better == Better::Lower ? "lower is better"
                                                                          : "no better direction";
        charts.push_back(
            {"sweep-" + metric.name, fmt::format("{} across the sweep", metric.name),
             fmt::format(
                 "{} ({}), every point on the same paths (common random numbers){}; {} marked in red or "
                 "outlined. Invalid points are left out.",
                 metric.info->description, better,
                 metric.info->simulated && grid.axes.size() == 1 ? ", with its 95% band" : "",
                 best ? "the best point" : "no best point"),
             std::move(spec)});
    }
    return charts;
}

Chart tornado_chart(const Evaluator& ev, const std::vector<SensitivityRow>& rows) {
    const Metric& metric = ev.metrics()[0];
    const std::string format = value_format(*metric.info);
    const MetricValue& base_value = ev.base_result().values[0];
    const double base = base_value.estimate ? base_value.estimate->value : 0;
    json bars = json::array();
    for (const SensitivityRow& row : rows) {
        for (const auto& [end, point, text] : {std::tuple{"low", &row.low, row.input.low_text},
                                               std::tuple{"high", &row.high, row.input.high_text}}) {
            if (!point->valid || !point->values[0].estimate) continue;
            bars.push_back({{"input", row.input.key},
                            {"end", fmt::format("{} end", end)},
                            {"at", text},
                            {"from", base},
                            {"to", point->values[0].estimate->value},
                            {"swing", row.swing}});
        }
    }
    json spec{
        {"width", kChartWidth},
        {"height", 30 + 22 * std::max<std::size_t>(1, rows.size())},
        {"layer",
         json::array(
             {{{"data", {{"values", bars}}},
               {"mark", {{"type", "bar"}, {"opacity", 0.8}}},
               {"encoding",
                {{"y",
                  {{"field", "input"},
                   {"type", "nominal"},
                   {"title", nullptr},
                   {"sort", {{"field", "swing"}, {"order", "descending"}}},
                   {"axis", {{"labelLimit", 320}}}}},
                 {"x",
                  {{"field", "from"},
                   {"type", "quantitative"},
                   {"scale", {{"zero", false}}},
                   {"axis", {{"title", metric.name}, {"format", format}}}}},
                 {"x2", {{"field", "to"}}},
                 {"color", {{"field", "end"}, {"type", "nominal"}, {"title", "input at its"}}},
                 {"tooltip", json::array({{{"field", "input"}},
                                          {{"field", "at"}, {"title", "value"}},
                                          {{"field", "to"}, {"format", format}, {"title", metric.name}}})}}}},
              {{"data", {{"values", json::array({{{"base", base}}})}}},
               {"mark", {{"type", "rule"}, {"strokeDash", json::array({4, 3})}}},
               {"encoding", {{"x", {{"field", "base"}, {"type", "quantitative"}}}}}}})}};
    return {
        "tornado", fmt::format("Tornado: {} with each input moved alone", metric.name),
        "Each bar runs from the metric at the file's values (the dashed line) to its value with one input at "
        "its low or high end, on the same paths; the inputs are ranked by swing.",
        std::move(spec)};
}

Chart hedge_chart(const HedgeComparison& c, const SimulationResult& result) {
    json points = json::array();
    for (std::size_t i = 0; i < c.variants.size() && i < result.pnl.size(); ++i) {
        const QuantileSketch& sketch = result.pnl[i];
        if (sketch.count() == 0) continue;
        for (int k = 1; k < 200; ++k) {
            const double level = k / 200.0;
            points.push_back(
                {{"protection", c.variants[i].label}, {"pnl", sketch.quantile(level)}, {"share", level}});
        }
    }
    json spec{{"width", kChartWidth},
              {"height", 260},
              {"data", {{"values", points}}},
              {"mark", {{"type", "line"}, {"interpolate", "step-after"}}},
              {"encoding",
               {{"x", {{"field", "pnl"}, {"type", "quantitative"}, {"axis", money_axis("P&L per share")}}},
                {"y",
                 {{"field", "share"},
                  {"type", "quantitative"},
                  {"axis", {{"title", "share of paths at or below"}, {"format", ".0%"}}}}},
                {"color", {{"field", "protection"}, {"type", "nominal"}, {"sort", nullptr}}},
                {"tooltip", json::array({{{"field", "protection"}},
                                         {{"field", "pnl"}, {"format", "$,.2f"}, {"title", "P&L per share"}},
                                         {{"field", "share"}, {"format", ".1%"}}})}}}};
    return {"hedge-" + c.plan, fmt::format("{}: P&L with each protection, on the same paths", c.plan),
            "For each protection, the share of paths whose P&L per share is at or below an amount (0.5% to "
            "99.5%, from each row's streamed quantile sketch). A vertical wall on the left is a floor (the "
            "put's strike plus its cost); a line that runs further left loses more in its worst paths.",
            std::move(spec)};
}

}  // namespace thesis
