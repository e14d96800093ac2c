// Inputs the fuzzer once broke the loader with (fuzz/regressions/): each must now load, or fail
// with an InputError, and every report the fuzzer renders must render — no crash, no other
// exception. The steps are fuzz/fuzz_loader.cpp's.
#include "thesis/core/errors.h"
#include "thesis/io/yaml_loader.h"
#include "thesis/report/report.h"
#include "thesis/report/reports.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace thesis;

TEST_CASE("every fuzz regression input loads or fails with an input error") {
    const std::filesystem::path folder = std::filesystem::path(THESIS_SOURCE_DIR) / "fuzz" / "regressions";
    int replayed = 0;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        if (!entry.is_regular_file() || entry.path().filename() == "README.md") continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        ++replayed;
        try {
            const Thesis t = load_thesis(text.str(), entry.path().filename().string());
            const Report report = valuation_report(t);
            for (auto format : {Format::Table, Format::Csv, Format::Json, Format::Markdown})
                (void)render(report, format);
            for (const Plan& plan : t.plans) (void)payoff_report(t, plan);
        } catch (const InputError&) {
        } catch (const std::exception& e) {
            FAIL_CHECK(entry.path().filename().string(), ": ", e.what());
        }
    }
    CHECK(replayed >= 1);
}
