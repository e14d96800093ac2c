// The price models' registry (thesis/simulation/detail/price_models.h): every ModelKind is one
// model type, reached through with_model; each model names the keys it reads (the assumptions a run rests on)
// and describes itself in the stamp.
#include "thesis/simulation/detail/price_models.h"

#include "thesis/io/seed_thesis.h"
#include "thesis/io/yaml_loader.h"

#include <doctest/doctest.h>

#include <string>

using namespace thesis;

TEST_CASE("every model kind has its name and its own model type") {
    for (std::size_t i = 0; i < kModelNames.size(); ++i) {
        const auto kind = static_cast<ModelKind>(i);
        CAPTURE(kModelNames[i]);
        CHECK(to_string(kind) == kModelNames[i]);
        // A kind missing from with_model falls through to GBM's type: this would fail.
        const ModelKind reached = models::with_model(kind, []<class Model>() { return Model::kind; });
        CHECK(reached == kind);
    }
}

TEST_CASE("a model reads its own parameters and not another model's") {
    Thesis t = load_thesis(seed_thesis_yaml(), "seed");
    const auto reads = [&](ModelKind kind, const char* key) {
        t.model.kind = kind;
        return model_reads(t, key);
    };
    CHECK(reads(ModelKind::Gbm, "model.drift"));
    CHECK_FALSE(reads(ModelKind::Gbm, "model.jumps.intensity"));
    CHECK_FALSE(reads(ModelKind::Gbm, "model.fundamentals.eps_growth"));
    CHECK_FALSE(reads(ModelKind::Gbm, "scenarios.bull.probability"));
    CHECK(reads(ModelKind::Merton, "model.jumps.intensity"));
    CHECK_FALSE(reads(ModelKind::Merton, "model.fundamentals.eps_growth"));
    CHECK(reads(ModelKind::Fundamentals, "model.fundamentals.eps_growth"));
    CHECK_FALSE(reads(ModelKind::Fundamentals, "model.drift"));
    CHECK_FALSE(reads(ModelKind::Fundamentals, "model.volatility"));
    CHECK(reads(ModelKind::Scenarios, "scenarios.bull.probability"));
    CHECK(reads(ModelKind::Scenarios, "model.events.licences_approved.probability"));
    // The scenarios model reads the jumps only where they have an intensity.
    REQUIRE(t.model.jump_intensity > 0);
    CHECK(reads(ModelKind::Scenarios, "model.jumps.sd"));
    t.model.jump_intensity = 0;
    CHECK_FALSE(reads(ModelKind::Scenarios, "model.jumps.sd"));
}

TEST_CASE("each model describes itself for the stamp") {
    Thesis t = load_thesis(seed_thesis_yaml(), "seed");
    t.model.kind = ModelKind::Gbm;
    CHECK(describe_model(t) == "gbm μ 10% σ 50%");
    t.model.kind = ModelKind::Merton;
    CHECK(describe_model(t) == "merton μ 10% σ 50%, jumps 2/y mean -5% sd 10%");
    t.model.kind = ModelKind::Scenarios;
    CHECK(describe_model(t).rfind("scenarios: ", 0) == 0);
    t.model.kind = ModelKind::Fundamentals;
    CHECK(describe_model(t).rfind("fundamentals: EPS ", 0) == 0);
}
