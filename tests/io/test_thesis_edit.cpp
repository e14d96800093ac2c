// Editing a scenario file in place: values set by key path, every other line kept.
#include "thesis/core/errors.h"
#include "thesis/io/thesis_edit.h"
#include "thesis/io/yaml_loader.h"

#include <doctest/doctest.h>

using namespace thesis;

namespace {
const char* kFile = R"(# A thesis.
stock:
  valuation_date: 2025-07-14
  price: 100       # today
  pe: 20x
  market_cap: 10B

model:
  kind: gbm
  volatility: 30%  # a guess

# The plans.
plans:
  swing:
    entry: 95
)";
}  // namespace

TEST_CASE("editing a thesis: a value is rewritten in place and the comments stay") {
    const std::string out = edit_scalars(kFile, "t.yaml", {{"model.volatility", "24.76%"}}, "calibrated");
    CHECK(out.find("  volatility: !assumption 24.76%   # calibrated\n") != std::string::npos);
    CHECK(out.find("# A thesis.") == 0);
    CHECK(out.find("price: 100       # today") != std::string::npos);
    CHECK(out.find("# The plans.") != std::string::npos);
    CHECK(out.find("30%") == std::string::npos);
    const Thesis t = load_thesis(out, "t.yaml");
    CHECK(t.model.volatility == doctest::Approx(0.2476));
    CHECK(t.assumptions.count("model.volatility") == 1);
}

TEST_CASE("editing a thesis: missing keys and sections are added where they belong") {
    const std::string out = edit_scalars(kFile, "t.yaml",
                                         {{"model.kind", "merton", false},
                                          {"model.jumps.intensity", "12.5"},
                                          {"model.jumps.sd", "4%"},
                                          {"simulation.overnight_variance_share", "30%"}},
                                         "");
    // The jumps under model, after its last line and before the plans' comment; the simulation
    // section at the end.
    CHECK(out.find("  kind: merton\n  volatility: 30%  # a guess\n  jumps:\n    intensity: !assumption 12.5\n"
                   "    sd: !assumption 4%\n") != std::string::npos);
    CHECK(out.find("simulation:\n  overnight_variance_share: !assumption 30%\n") != std::string::npos);
    CHECK(out.rfind("simulation:") > out.find("plans:"));
    const Thesis t = load_thesis(out, "t.yaml");
    CHECK(t.model.kind == ModelKind::Merton);
    CHECK(t.model.jump_intensity == doctest::Approx(12.5));
    CHECK(t.simulation.overnight_variance_share == doctest::Approx(0.30));
}

TEST_CASE("editing a thesis: flow style and values in the way are refused") {
    const std::string flow = "stock: {price: 100}\nmodel: {volatility: 30%}\n";
    CHECK_THROWS_WITH_AS(edit_scalars(flow, "f.yaml", {{"model.volatility", "20%"}}, ""),
                         doctest::Contains("written in flow style"), InputError);
    CHECK_THROWS_WITH_AS(edit_scalars(kFile, "t.yaml", {{"model.volatility.x", "1"}}, ""),
                         doctest::Contains("is a value, not a section"), InputError);
    CHECK_THROWS_WITH_AS(edit_scalars(kFile, "t.yaml", {{"model", "1"}}, ""),
                         doctest::Contains("is a section, not a value"), InputError);
    CHECK_THROWS_AS(edit_scalars("a: [1", "bad.yaml", {{"a", "1"}}, ""), InputError);
}
