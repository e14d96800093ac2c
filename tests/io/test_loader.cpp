// Loading scenario files: the shipped theses, overrides, merges and assumptions.
#include "thesis/io/yaml_loader.h"

#include "thesis/core/errors.h"
#include "thesis/io/seed_thesis.h"
#include "thesis/valuation/valuation.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace thesis;

namespace {
const std::string kSource = THESIS_SOURCE_DIR;
std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}
}  // namespace

TEST_CASE("the seed's thesis carries every input of the article") {
    const Thesis t = load_thesis_file(kSource + "/scenarios/nvda-china.yaml");
    CHECK(t.stock.pe == 52);
    CHECK(t.stock.sector_pe == 25);
    CHECK(t.stock.market_cap == 4e12);
    CHECK(t.stock.price == doctest::Approx(769.23).epsilon(1e-12));
    CHECK(t.stock.valuation_date == Date{2025, 7, 14});
    CHECK(t.opportunity.revenue_unlock == 8e9);
    CHECK(t.opportunity.addressable_market == 50e9);
    CHECK(*t.opportunity.share_of_sales_low == doctest::Approx(0.20).epsilon(1e-15));
    CHECK(*t.opportunity.share_of_sales_high == doctest::Approx(0.30).epsilon(1e-15));
    CHECK(t.opportunity.writeoff == 4.5e9);
    const Scenario* bear = t.find_scenario("bear");
    REQUIRE(bear);
    CHECK(*bear->levers.price_change == doctest::Approx(-0.40).epsilon(1e-15));
    const Scenario* bull = t.find_scenario("bull");
    REQUIRE(bull);
    CHECK(bull->levers.price == 1000);
    CHECK(t.find_scenario("rerate")->levers.multiple == 25);
    const Plan* aggressive = t.find_plan("aggressive");
    REQUIRE(aggressive);
    CHECK(aggressive->entry.kind == Entry::Kind::Limit);
    CHECK(aggressive->entry.limit == 700);
    CHECK(aggressive->stop.level == 600);
    CHECK(aggressive->target.level == 1000);
    REQUIRE(t.find_plan("cautious"));
    CHECK(t.find_plan("cautious")->entry.kind == Entry::Kind::OnDate);
    REQUIRE(t.find_plan("hold"));
    CHECK(t.model.events.size() >= 4);
}

TEST_CASE("values tagged !assumption are recorded by key path") {
    const Thesis t = load_thesis_file(kSource + "/scenarios/nvda-china.yaml");
    CHECK(t.assumptions.count("stock.net_margin") == 1);
    CHECK(t.assumptions.count("scenarios.bull.probability") == 1);
    CHECK(t.assumptions.count("plans.cautious.entry.date") == 1);
    CHECK(t.assumptions.count("stock.pe") == 0);  // quoted from the article
}

TEST_CASE("the built-in seed thesis is the shipped file") {
    CHECK(seed_thesis_yaml() == read(kSource + "/scenarios/nvda-china.yaml"));
    const Thesis t = load_seed_thesis();
    CHECK(t.plans.size() == 3);
}

TEST_CASE("the unrelated example loads - with a short plan") {
    const Thesis t = load_thesis_file(kSource + "/scenarios/coastal-coffee-short.yaml");
    const Plan* s = t.find_plan("short");
    REQUIRE(s);
    CHECK(s->side == Side::Short);
    CHECK(t.model.kind == ModelKind::Merton);
    CHECK(t.simulation.monitoring == Monitoring::Continuous);
    CHECK(t.simulation.horizon == 0.5);
}

TEST_CASE("--set overrides any value by key path - and adds keys the schema knows") {
    const Thesis t = load_seed_thesis(
        {{"plans.aggressive.stop", "550"}, {"model.volatility", "40%"}, {"plans.hold.horizon", "6m"}});
    CHECK(t.find_plan("aggressive")->stop.level == 550);
    CHECK(t.model.volatility == doctest::Approx(0.40).epsilon(1e-15));
    CHECK(t.find_plan("hold")->horizon == 0.5);
}

TEST_CASE("an override that breaks a rule is reported against the command line") {
    CHECK_THROWS_WITH_AS(load_seed_thesis({{"plans.aggressive.stop", "750"}}),
                         doctest::Contains("command line (--set plans.aggressive.stop)"), InputError);
    CHECK_THROWS_WITH_AS(load_seed_thesis({{"stock.pe.x", "1"}}), doctest::Contains("not a section"),
                         InputError);
    CHECK_THROWS_WITH_AS(load_seed_thesis({{"stock.pirce", "1"}}), doctest::Contains("did you mean 'price'"),
                         InputError);
    CHECK_THROWS_AS(parse_override("novalue"), InputError);
    CHECK(parse_override("a.b=c=d").value == "c=d");
}

TEST_CASE("a scenario overrides base fields by key path -- the rest is inherited") {
    const std::string text = R"(
stock:
  valuation_date: 2025-07-14
  price: 100
  pe: 20x
  market_cap: 10B
  net_margin: 10%
model:
  volatility: 30%
scenarios:
  fat_margin:
    revenue_change: 1B
    stock:
      net_margin: 20%
  thin_margin:
    revenue_change: 1B
)";
    const Thesis t = load_thesis(text, "inline.yaml");
    const Scenario* fat = t.find_scenario("fat_margin");
    REQUIRE(fat);
    CHECK(fat->stock.net_margin == doctest::Approx(0.20).epsilon(1e-15));
    CHECK(fat->stock.price == 100);  // inherited from the base
    CHECK(t.find_scenario("thin_margin")->stock.net_margin == doctest::Approx(0.10).epsilon(1e-15));
    // Earnings = 10B / 20 = 500M. +1B × 20% = +200M → EPS +40%; at 10% → +20%.
    CHECK(value_scenario(*fat, t.stock).eps_change == doctest::Approx(0.40).epsilon(1e-12));
    CHECK(value_scenario(*t.find_scenario("thin_margin"), t.stock).eps_change ==
          doctest::Approx(0.20).epsilon(1e-12));
}

TEST_CASE("stops and targets: fixed - percent - trailing -- entries: market - limit - date - event") {
    const std::string text = R"(
stock: {valuation_date: 2025-07-14, price: 100, pe: 20, market_cap: 10B}
model:
  volatility: 30%
  events:
    approval: {probability: 50%, window: [2025-08-01, 2025-12-31], jump_mean: 5%, jump_sd: 2%}
plans:
  a: {entry: market, stop: 10%, target: 30%}
  b: {entry: {limit: 95}, stop: {trailing: 20%}, target: 120}
  c: {entry: {date: 2025-10-12}, stop: 90}
  d: {entry: {after: approval}, side: short, stop: 110, target: 80}
)";
    const Thesis t = load_thesis(text, "inline.yaml");
    CHECK(t.find_plan("a")->stop.kind == Stop::Kind::Percent);
    CHECK(t.find_plan("a")->target.kind == Target::Kind::Percent);
    CHECK(t.find_plan("b")->stop.kind == Stop::Kind::Trailing);
    CHECK(t.find_plan("b")->entry.limit == 95);
    // 2025-07-14 → 2025-10-12 is 90 days.
    CHECK(t.find_plan("c")->entry.at == doctest::Approx(90.0 / 365).epsilon(1e-15));
    CHECK(t.find_plan("c")->target.kind == Target::Kind::None);
    CHECK(t.find_plan("d")->entry.event == "approval");
    CHECK(t.find_plan("d")->side == Side::Short);
    const CatalystEvent& e = t.model.events.front();
    CHECK(e.window_start == doctest::Approx(18.0 / 365).epsilon(1e-15));
    CHECK(e.probability == doctest::Approx(0.5).epsilon(1e-15));
}

TEST_CASE("simulation.touch_odds is a boolean - true by default - false turns the touch odds off") {
    const std::string head = R"(
stock: {valuation_date: 2025-07-14, price: 100, pe: 20, market_cap: 10B}
model:
  volatility: 30%
plans:
  a: {entry: market, stop: 90, target: 120}
simulation:
  paths: 1000
)";
    CHECK(load_thesis(head, "inline.yaml").simulation.touch_odds);
    CHECK(load_thesis(head + "  touch_odds: true\n", "inline.yaml").simulation.touch_odds);
    CHECK_FALSE(load_thesis(head + "  touch_odds: false\n", "inline.yaml").simulation.touch_odds);
    CHECK_FALSE(load_seed_thesis({{"simulation.touch_odds", "false"}}).simulation.touch_odds);
    // Anything else is one line naming file:line:column and the key.
    CHECK_THROWS_WITH_AS(load_thesis(head + "  touch_odds: maybe\n", "inline.yaml"),
                         "inline.yaml:9:15: simulation.touch_odds: expected true or false, got 'maybe'",
                         InputError);
    CHECK_THROWS_WITH_AS(load_thesis(head + "  touch_odds: [1]\n", "inline.yaml"),
                         doctest::Contains("inline.yaml:9:15: simulation.touch_odds: expected true or false"),
                         InputError);
    CHECK_THROWS_WITH_AS(load_seed_thesis({{"simulation.touch_odds", "0"}}),
                         doctest::Contains("command line (--set simulation.touch_odds)"), InputError);
}
