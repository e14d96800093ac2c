// libFuzzer target: load and validate any bytes as a scenario file, then value it and render the
// report in every format. Bad input must end in thesis::InputError; anything else — a crash, a
// hang, a leak, another exception, undefined behaviour — is a bug. Built by fuzz/run.sh.
#include "thesis/core/errors.h"
#include "thesis/io/yaml_loader.h"
#include "thesis/report/report.h"
#include "thesis/report/reports.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const thesis::Thesis t = thesis::load_thesis(text, "fuzz.yaml");
        const thesis::Report report = thesis::valuation_report(t);
        for (auto format :
             {thesis::Format::Table, thesis::Format::Csv, thesis::Format::Json, thesis::Format::Markdown})
            (void)thesis::render(report, format);
        for (const thesis::Plan& plan : t.plans) (void)thesis::payoff_report(t, plan);
    } catch (const thesis::InputError&) {
        // The expected answer to bad input.
    }
    return 0;
}
