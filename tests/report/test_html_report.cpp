// The HTML report's parts that need no browser: the streamed histogram and price fan it draws
// from, and the page's promises (one chart element per chart, no URL). tests/report_browser.py
// renders the page in Chromium.
#include "thesis/core/errors.h"
#include "thesis/io/seed_thesis.h"
#include "thesis/io/yaml_loader.h"
#include "thesis/math/statistics.h"
#include "thesis/report/html_report.h"
#include "thesis/report/reports.h"
#include "thesis/simulation/self_check.h"

#include <doctest/doctest.h>

#include <boost/math/distributions/normal.hpp>

#include <cmath>
#include <regex>
#include <string>

using namespace thesis;

TEST_CASE("a quantile sketch's histogram counts each sample in its bin") {
    QuantileSketch s;
    for (double x : {1.0, 2.0, 2.0, 9.0, -3.0, 12.0}) s.add(x);
    // -3 and 12 lie outside the edges and are left out; 10 closes the last bin.
    const auto counts = s.histogram({0, 5, 10});
    REQUIRE(counts.size() == 2);
    CHECK(counts[0] == 3);
    CHECK(counts[1] == 1);
    CHECK_THROWS_AS(s.histogram({5}), std::invalid_argument);
    CHECK_THROWS_AS(s.histogram({5, 1}), std::invalid_argument);
    CHECK(QuantileSketch().histogram({0, 1}) == std::vector<std::uint64_t>{0});
}

TEST_CASE("the price fan's quantiles are GBM's log-normal quantiles at each date") {
    // GBM with μ 10%, σ 50%: ln S_t ~ N(ln S₀ + (μ − σ²/2)t, σ²t), so the p-quantile is
    // S₀ exp((μ − σ²/2)t + σ√t Φ⁻¹(p)). An order statistic's standard error is
    // √(p(1 − p)/n) / f(q_p), f the log-normal density at the quantile.
    const double s0 = 100, mu = 0.10, sigma = 0.50;
    const std::uint64_t n = 20'000;
    const Thesis t = odds_thesis(s0, 1, 1e12, mu, sigma, 1.0, Monitoring::Discrete, n, 7, 52);
    const PriceFan fan = price_fan(t, n, 13);
    REQUIRE(fan.years.size() == 14);  // today and every 4 weeks
    CHECK(fan.years.front() == 0);
    CHECK(fan.years.back() == doctest::Approx(1.0));
    for (double q : fan.price.front()) CHECK(q == doctest::Approx(s0).epsilon(1e-3));  // the sketch's α
    const boost::math::normal z;
    for (std::size_t i = 1; i < fan.years.size(); ++i) {
        const double time = fan.years[i], sd = sigma * std::sqrt(time);
        for (std::size_t j = 0; j < kFanLevels.size(); ++j) {
            const double p = kFanLevels[j], zp = quantile(z, p);
            const double exact = s0 * std::exp((mu - 0.5 * sigma * sigma) * time + sd * zp);
            const double density = pdf(z, zp) / (exact * sd);
            const double se = std::sqrt(p * (1 - p) / static_cast<double>(n)) / density;
            CHECK_MESSAGE(std::fabs(fan.price[i][j] - exact) < 4 * se + 1e-3 * exact, "t ", time, " p ", p);
        }
    }
}

TEST_CASE("the report page holds one element per chart and references no URL") {
    Thesis t = load_seed_thesis({parse_override("simulation.paths=4096")});
    MonteCarlo mc(t);
    mc.run(4096);
    Report r = valuation_report(t);
    add_simulation(r, t, mc.result(), 4096);
    const std::vector<Chart> charts = run_charts(t, mc.result(), price_fan(t, 512));
    // The valuation, four charts for each of the two plans with a stop (payoff, outcomes, P&L,
    // scenarios), the same for hold, and the fan.
    CHECK(charts.size() == 1 + 3 * 4 + 1);
    const nlohmann::json specs = vega_lite_document(charts);
    CHECK(specs["charts"].size() == charts.size());
    CHECK(specs.dump().find("\"url\"") == std::string::npos);  // data inline
    if (!html_report_available()) {
        CHECK_THROWS_AS(render_html(r, t, charts), InputError);
        return;
    }
    const std::string page = render_html(r, t, charts);
    for (const Chart& c : charts) CHECK(page.find("id=\"chart-" + c.id + "\"") != std::string::npos);
    CHECK_FALSE(
        std::regex_search(page, std::regex(R"((src|href)\s*=\s*["']?\s*https?:)", std::regex::icase)));
    // The data sits in a <script>: a "</" inside it would end the element early.
    const std::size_t data = page.find("const charts = ");
    REQUIRE(data != std::string::npos);
    CHECK(page.find("</", data) == page.find("</script>", data));
}

TEST_CASE("a sweep's charts are one per metric and the tornado one bar per input end") {
    const ThesisSource source{std::string(seed_thesis_yaml()), "seed", {}};
    EvalOptions options;
    options.paths = 1024;
    const Evaluator ev(source, "aggressive.p_stop,valuation.expected_price", options);
    const SweepGrid line = run_sweep(ev, {parse_sweep_axis("plans.aggressive.stop=550:650:50")});
    const std::vector<Chart> lines = sweep_charts(ev, line);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].id == "sweep-aggressive.p_stop");
    // A line with its band: 3 points, each with its interval; one of them marked best.
    const auto& values = lines[0].spec["data"]["values"];
    REQUIRE(values.size() == 3);
    int best = 0;
    for (const auto& v : values) {
        CHECK(v["ci_low"].get<double>() <= v["estimate"].get<double>());
        best += v["best"].get<bool>();
    }
    CHECK(best == 1);  // p_stop: lower is better, the 550 stop
    CHECK(values[0]["best"].get<bool>());
    const SweepGrid grid = run_sweep(ev, {parse_sweep_axis("plans.aggressive.stop=550,650"),
                                          parse_sweep_axis("model.volatility=30%,50%")});
    const std::vector<Chart> heat = sweep_charts(ev, grid);
    CHECK(heat[0].spec["layer"][0]["mark"] == "rect");
    CHECK(heat[0].spec["data"]["values"].size() == 4);

    const Evaluator valuation(source, "valuation.expected_price", {});
    std::vector<std::string> skipped;
    const auto inputs = sensitivity_inputs(source.yaml, valuation.metrics()[0], 0.10, &skipped);
    const auto rows = run_sensitivity(valuation, inputs);
    const Chart tornado = tornado_chart(valuation, rows);
    CHECK(tornado.spec["layer"][0]["data"]["values"].size() == 2 * rows.size());
}
