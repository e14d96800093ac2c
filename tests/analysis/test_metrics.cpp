// The metric catalogue: one definition a name, each entry computable, and the outcome
// probabilities consistent with the tallies they come from (p_stop counts every stop exit).
#include "thesis/analysis/metrics.h"
#include "thesis/io/seed_thesis.h"
#include "thesis/io/yaml_loader.h"

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace thesis;

TEST_CASE("the metric catalogue names each metric once and says how to compute it") {
    std::set<std::string> names;
    for (const MetricInfo& m : metric_catalogue()) {
        CAPTURE(m.name);
        CHECK(names.insert(m.scope + "." + m.name).second);
        CHECK(!m.label.empty());
        CHECK(!m.description.empty());
        CHECK(!m.applies.empty());
        const int ways = static_cast<int>(static_cast<bool>(m.from_simulation)) +
                         static_cast<int>(static_cast<bool>(m.from_economics)) +
                         static_cast<int>(static_cast<bool>(m.from_scenarios));
        CHECK(ways == 1);
        CHECK(m.simulated == static_cast<bool>(m.from_simulation));
        CHECK(m.paired == static_cast<bool>(m.per_path));
        CHECK((m.scope == "valuation") == static_cast<bool>(m.from_scenarios));
        CHECK(find_metric(m.name, m.scope) == &m);
    }
    CHECK(find_metric("p_gap") == nullptr);  // one name a quantity: p_gap_through_stop
}

TEST_CASE("p_stop counts every stop exit and the four outcomes add up to the paths") {
    Thesis t = load_seed_thesis();
    t.simulation.paths = 4096;
    MonteCarlo mc(t);
    mc.run(t.simulation.paths);
    const SimulationResult& r = mc.result();
    for (std::size_t i = 0; i < t.plans.size(); ++i) {
        CAPTURE(t.plans[i].name);
        const auto count = [&](ExitReason e) { return r.plans[i].outcomes[static_cast<std::size_t>(e)]; };
        const auto p = [&](const char* name) {
            const MetricValue v = evaluate_metric(Metric{name, t.plans[i].name, find_metric(name)}, t, &r);
            REQUIRE(v.estimate);
            return v.estimate->value;
        };
        const double n = static_cast<double>(r.paths);
        // Exact: each probability is a count over n.
        CHECK(p("p_stop") ==
              static_cast<double>(count(ExitReason::Stop) + count(ExitReason::GapThroughStop)) / n);
        CHECK(p("p_gap_through_stop") == static_cast<double>(count(ExitReason::GapThroughStop)) / n);
        CHECK(p("p_unfilled") + p("p_target") + p("p_stop") + p("p_horizon") ==
              doctest::Approx(1).epsilon(1e-12));
    }
    // The seed's aggressive plan does gap through its stop sometimes, so the two names differ there.
    const MetricValue stop =
        evaluate_metric(Metric{"aggressive.p_stop", "aggressive", find_metric("p_stop")}, t, &r);
    const MetricValue gap = evaluate_metric(
        Metric{"aggressive.p_gap_through_stop", "aggressive", find_metric("p_gap_through_stop")}, t, &r);
    CHECK(gap.estimate->value > 0);
    CHECK(stop.estimate->value > gap.estimate->value);
}

TEST_CASE("a metric that does not apply says why") {
    Thesis t = load_seed_thesis();
    t.simulation.paths = 2048;
    MonteCarlo mc(t);
    mc.run(t.simulation.paths);
    const MetricValue r =
        evaluate_metric(Metric{"hold.expectancy_r", "hold", find_metric("expectancy_r")}, t, &mc.result());
    CHECK_FALSE(r.estimate);
    CHECK(r.reason == "needs a plan with a stop");
    const MetricValue risk =
        evaluate_metric(Metric{"hold.risk_per_share", "hold", find_metric("risk_per_share")}, t, nullptr);
    CHECK_FALSE(risk.estimate);
    CHECK(risk.reason == "the plan has no stop");
}
