// `thesis check`: the simulation against closed forms, with z-scores; exit 1 if any |z| >= 4.
#include "common.h"

#include "thesis/report/reports.h"
#include "thesis/simulation/self_check.h"
#include "thesis/version.h"

#include <fmt/format.h>

#include <memory>

namespace thesis::cli {

namespace {
struct CheckOptions {
    CommonOptions common;
    std::uint64_t paths = 200'000, seed = 1;
    unsigned threads = 0;
};

int run_check(const CheckOptions& o) {
    const std::vector<CheckRow> rows = run_self_check(o.paths, o.seed, o.threads);
    std::size_t failed = 0;
    for (const auto& row : rows) failed += !row.pass;
    Report r;
    r.heading = fmt::format("Self-check: {} paths a case, seed {}, pass when |z| < 4",
                            format_count(static_cast<double>(o.paths)), o.seed);
    r.verdict.push_back(failed == 0 ? fmt::format("Verdict: all {} checks pass", rows.size())
                                    : fmt::format("Verdict: {} of {} checks FAIL", failed, rows.size()));
    Table t;
    t.id = "check";
    t.title = "Simulated vs closed form";
    t.columns = {{"case", "case", false},
                 {"quantity", "quantity", false},
                 {"simulated", "simulated", true},
                 {"closed form", "exact", true},
                 {"std error", "std_error", true},
                 {"z", "z", true},
                 {"", "pass", false}};
    nlohmann::json cases = nlohmann::json::array();
    for (const auto& row : rows) {
        t.rows.push_back({row.case_name, row.quantity,
                          Cell(fmt::format("{:.6g}", row.simulated), row.simulated),
                          Cell(fmt::format("{:.6g}", row.exact), row.exact),
                          Cell(fmt::format("{:.3g}", row.std_error), row.std_error),
                          Cell(fmt::format("{:+.2f}", row.z), row.z), row.pass ? "ok" : "FAIL"});
        cases.push_back({{"case", row.case_name},
                         {"quantity", row.quantity},
                         {"simulated", row.simulated},
                         {"exact", row.exact},
                         {"std_error", row.std_error},
                         {"z", row.z},
                         {"pass", row.pass}});
    }
    t.footnotes.push_back(
        "closed forms: Kunitomo–Ikeda double barrier; log-normal moments; "
        "Merton compensated mean; discrete odds by exact transition-density recursion");
    r.tables.push_back(t);
    r.json = {{"program", "thesis"}, {"version", kVersion},   {"command", "check"}, {"paths", o.paths},
              {"seed", o.seed},      {"passed", failed == 0}, {"cases", cases}};
    emit(r, o.common);
    return failed == 0 ? 0 : 1;
}
}  // namespace

void setup_check(CLI::App& app) {
    auto o = std::make_shared<CheckOptions>();
    CLI::App* command = app.add_subcommand(
        "check", "Check the simulation against closed forms (z-scores); exit 1 on a failure");
    command->add_option("--paths,-n", o->paths, "Paths per case")
        ->check(CLI::Range(std::uint64_t{1000}, std::uint64_t{1'000'000'000}))
        ->capture_default_str();
    command->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    command->add_option("--threads,-j", o->threads, "Worker threads (0: all cores)");
    add_output_options(*command, o->common);
    command->callback([o] { exit_code() = run_check(*o); });
}

}  // namespace thesis::cli
