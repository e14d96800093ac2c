// Errors name where and what; typos get a hint.
#include "thesis/core/errors.h"

#include <doctest/doctest.h>

using namespace thesis;

TEST_CASE("an input error formats as file:line:column: key.path: message") {
    const InputError e({"nvda-china.yaml", 12, 9}, "plans.aggressive.stop",
                       "expected a price below entry (700), got 750");
    CHECK(std::string(e.what()) ==
          "nvda-china.yaml:12:9: plans.aggressive.stop: expected a price below entry (700), got 750");
    CHECK(std::string(InputError({"command line"}, "--plan", "no plan").what()) ==
          "command line: --plan: no plan");
}

TEST_CASE("did you mean: one or two edits - swapped letters and prefixes") {
    CHECK(did_you_mean("stpo", {"stop", "target"}) == "stop");
    CHECK(did_you_mean("pirce", {"price", "pe", "market_cap"}) == "price");
    CHECK(did_you_mean("vol", {"drift", "volatility"}) == "volatility");
    CHECK(did_you_mean("Target", {"stop", "target"}) == "target");
    CHECK(did_you_mean("completely_different", {"stop", "target"}).empty());
}

TEST_CASE("THESIS_REQUIRE states the values when an invariant breaks") {
    const int paths = 0;
    CHECK_THROWS_WITH_AS(THESIS_REQUIRE(paths > 0, "paths = {}", paths), doctest::Contains("paths = 0"),
                         InternalError);
}
