// What the report tells about a thesis: its implied numbers and the audit of where its numbers
// disagree, on the seed article's stock.
#include "thesis/report/findings.h"
#include "thesis/valuation/valuation.h"

#include "thesis/core/errors.h"

#include "valuation/article_stock.h"

#include <doctest/doctest.h>

#include <algorithm>

using namespace thesis;
using article::nvda;
using article::scenario;

namespace {
const std::string* find_topic(const std::vector<AuditFinding>& f, std::string_view topic) {
    for (const auto& x : f)
        if (x.topic == topic) return &x.message;
    return nullptr;
}
}  // namespace

TEST_CASE("the audit flags a claimed return that today's price does not give") {
    Thesis t;
    t.stock = nvda();
    t.stock.price = 800;  // then $1,000 is +25%, not +30%
    Scenario bull = scenario("bull", {.price = 1000});
    bull.claimed_return = 0.30;
    bull.stock = t.stock;
    t.scenarios = {bull};
    const auto values = std::vector<ScenarioValue>{value_scenario(bull, t.stock)};
    const auto findings = audit(t, values);
    const std::string* m = find_topic(findings, "claimed-return");
    REQUIRE(m);
    CHECK(m->find("+25.0%") != std::string::npos);
}

TEST_CASE("the audit flags a scenario price far beyond a plan's stop (gap risk)") {
    Thesis t;
    t.stock = nvda();
    Scenario bear = scenario("bear", {.price_change = -0.40});
    t.scenarios = {bear};
    Plan p;
    p.name = "aggressive";
    p.entry = {.kind = Entry::Kind::Limit, .limit = 700};
    p.stop = {.kind = Stop::Kind::Fixed, .level = 600};
    p.target = {.kind = Target::Kind::Fixed, .level = 1000};
    t.plans = {p};
    const auto values = std::vector<ScenarioValue>{value_scenario(bear, t.stock)};
    const auto findings = audit(t, values);
    const std::string* m = find_topic(findings, "stop-gap");
    REQUIRE(m);
    // 461.54 / 600 − 1 = −23.1%; a fill there loses 700 − 461.54 = 238.46 a share, not 100.
    CHECK(m->find("23.1%") != std::string::npos);
    CHECK(m->find("$238.46") != std::string::npos);
    CHECK(m->find("$100.00") != std::string::npos);
}

TEST_CASE("the audit flags an unlock far from the thesis's own share of sales") {
    Thesis t;
    t.stock = nvda();
    t.opportunity.revenue_unlock = 8e9;
    t.opportunity.share_of_sales_low = 0.20;
    t.opportunity.share_of_sales_high = 0.30;
    const auto findings = audit(t, {});
    const std::string* m = find_topic(findings, "unlock-size");
    REQUIRE(m);
    // 20–30% of $130.5B = $26.1B–$39.15B; $8B is 6.1% of sales.
    CHECK(m->find("6.1%") != std::string::npos);
    CHECK(m->find("$26.10B") != std::string::npos);
}

TEST_CASE("implied numbers name the assumptions they rest on") {
    Thesis t;
    t.stock = nvda();
    t.opportunity.revenue_unlock = 8e9;
    t.assumptions["stock.net_margin"] = "50%";
    const auto numbers = implied_numbers(t, {});
    const auto it = std::find_if(numbers.begin(), numbers.end(), [](const auto& n) {
        return n.label.find("EPS growth from") != std::string::npos;
    });
    REQUIRE(it != numbers.end());
    CHECK(it->raw == doctest::Approx(0.052).epsilon(1e-12));
    CHECK(it->rests_on == std::vector<std::string>{"stock.net_margin"});
}

TEST_CASE("the unlock's share of the EPS growth a scenario assumes with its own EPS lever") {
    // Today: $100 at 20x (EPS $5, 1B shares, earnings $5B), a 50% margin; a $0.5B unlock adds
    // $0.25B, +5% EPS. The bull case assumes +16% EPS at 18x: $104.40. At today's 20x that price
    // needs only +4.4% (the unlock would "supply" 114% of it); the scenario's own +16% is what
    // the unlock must be set against: 5 / 16 = 31.25%.
    Thesis t;
    t.stock.price = 100;
    t.stock.pe = 20;
    t.stock.market_cap = 100e9;
    t.stock.net_margin = 0.5;
    t.opportunity.revenue_unlock = 0.5e9;
    Scenario bull;
    bull.name = "bull";
    bull.levers.eps_change = 0.16;
    bull.levers.multiple = 18;
    bull.stock = t.stock;
    t.scenarios = {bull};
    const std::vector<ScenarioValue> values{value_scenario(bull, t.stock)};
    CHECK(values[0].price == doctest::Approx(104.4).epsilon(1e-12));
    const auto numbers = implied_numbers(t, values);
    const auto share = std::find_if(numbers.begin(), numbers.end(), [](const ImpliedNumber& n) {
        return n.label.find("assumes") != std::string::npos;
    });
    REQUIRE(share != numbers.end());
    CHECK(share->label == "share of the EPS growth $104.40 (bull) assumes that the unlock supplies");
    CHECK(share->raw == doctest::Approx(0.3125).epsilon(1e-12));
    const auto findings = audit(t, values);
    const std::string* gap = find_topic(findings, "unlock-vs-target");
    REQUIRE(gap);
    CHECK(gap->find("(bull) assumes +16.0% EPS growth") != std::string::npos);
    CHECK(gap->find("(31% of it)") != std::string::npos);
}

TEST_CASE("a loss today: the implied numbers leave out what a P/E would need") {
    Thesis t;
    t.stock.price = 20;
    t.stock.eps = -4.0;
    t.stock.market_cap = 80e9;
    t.stock.net_margin = 0.10;
    t.stock.sector_pe = 15;
    t.opportunity.revenue_unlock = 8e9;
    const auto numbers = implied_numbers(t, {});
    for (const ImpliedNumber& n : numbers) {
        CAPTURE(n.label);
        CHECK(n.label.find("sector") == std::string::npos);
        CHECK(n.label.find("EPS growth") == std::string::npos);
    }
    // The unlock's EPS instead: $8B × 10% / 4B shares = $0.20 a share.
    REQUIRE(numbers.size() == 1);
    CHECK(numbers[0].raw == doctest::Approx(0.20).epsilon(1e-12));
    CHECK(audit(t, {}).empty());
}
