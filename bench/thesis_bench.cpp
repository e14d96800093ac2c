// Benchmark driver: workload W1 (SPEC §7) and its variants through the same engine the CLI uses,
// printing nominal path-steps per second (paths × 252 / seconds), peak memory and the statistics,
// so each figure is for the same answer. Also the roofline: the random generator and normal
// transform alone, on all cores; and the seed's thesis (three plans, five events, touch odds)
// under each fill policy, the cost of session monitoring against close-only.
//
//   thesis_bench [--paths N] [--threads T] [--only w1|touch|jumps|continuous|fundamentals|rng|seed] [--json]
#include "thesis/io/seed_thesis.h"
#include "thesis/io/yaml_loader.h"
#include "thesis/simulation/monte_carlo.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <sys/resource.h>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

using namespace thesis;

namespace {

// W1: GBM in log space, S0 = 770, μ = 10%, σ = 50%, 252 daily steps, discrete monitoring; limit
// buy at 700, stop 600, target 1000 (fills at observed prices), else the horizon.
Thesis w1(std::uint64_t paths) {
    Thesis t;
    t.source = "W1";
    t.stock.price = 770;
    t.stock.pe = 52;
    t.stock.sector_pe = 25;
    t.stock.market_cap = 4e12;
    t.model.drift = 0.10;
    t.model.volatility = 0.50;
    t.simulation.paths = paths;
    t.simulation.seed = 1;
    t.simulation.horizon = 1;
    t.simulation.steps_per_year = 252;
    t.simulation.monitoring = Monitoring::Discrete;
    // W1 asks for the plan's outcome and the price at the horizon, not the odds of touching the
    // stop and target levels: the engine can then end a path when its plan is over.
    t.simulation.touch_odds = false;
    Plan p;
    p.name = "W1";
    p.entry = {.kind = Entry::Kind::Limit, .limit = 700};
    p.stop = {.kind = Stop::Kind::Fixed, .level = 600};
    p.target = {.kind = Target::Kind::Fixed, .level = 1000};
    t.plans = {p};
    return t;
}

double peak_rss_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

nlohmann::json run_workload(const std::string& name, const Thesis& t, unsigned threads) {
    MonteCarlo mc(t);
    const auto start = std::chrono::steady_clock::now();
    mc.run(t.simulation.paths, {.threads = threads});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const SimulationResult& r = mc.result();
    const PlanTally& tally = r.plans[0];
    const double n = static_cast<double>(r.paths);
    const auto p = [&](ExitReason e) {
        return static_cast<double>(tally.outcomes[static_cast<std::size_t>(e)]) / n;
    };
    return {{"workload", name},
            {"simd", std::string(simd_level())},
            {"paths", r.paths},
            {"steps", r.grid.steps},
            {"seconds", seconds},
            {"path_steps_per_sec", n * 252 / seconds},
            {"peak_rss_mib", peak_rss_mib()},
            {"p_unfilled", p(ExitReason::Unfilled)},
            {"p_target", p(ExitReason::Target)},
            {"p_stop", p(ExitReason::Stop) + p(ExitReason::GapThroughStop)},
            {"p_horizon", p(ExitReason::Horizon)},
            {"mean_pnl", tally.pnl.mean()},
            {"se_pnl", tally.pnl.std_dev() / std::sqrt(n)},
            {"mean_st", r.terminal.mean()},
            {"se_st", r.terminal.std_dev() / std::sqrt(n)}};
}

// The roofline: the engine's generator and normal transform alone (path_kernel.cpp's lanes,
// kLanes paths at a time, as the engine draws them), 252 normals a path.
nlohmann::json run_rng(std::uint64_t paths, unsigned threads) {
    std::vector<double> sums(threads, 0.0);
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (unsigned w = 0; w < threads; ++w)
        pool.emplace_back([&, w] {
            double sum = 0;
            for (std::uint64_t first = w * kLanes; first < paths; first += threads * kLanes)
                sum += lane_normals_sum(1, first, 252);
            sums[w] = sum;
        });
    for (auto& t : pool) t.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double total = 0;
    for (double s : sums) total += s;
    return {{"workload", "rng+normal only"},
            {"simd", std::string(simd_level())},
            {"paths", paths},
            {"seconds", seconds},
            {"path_steps_per_sec", static_cast<double>(paths) * 252 / seconds},
            {"checksum_mean", total / (static_cast<double>(paths) * 252)}};
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t paths = 1'000'000;
    unsigned threads = std::thread::hardware_concurrency();
    std::string only;
    bool json_out = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--paths" && i + 1 < argc) paths = std::stoull(argv[++i]);
        else if (a == "--threads" && i + 1 < argc) threads = static_cast<unsigned>(std::stoul(argv[++i]));
        else if (a == "--only" && i + 1 < argc) only = argv[++i];
        else if (a == "--json") json_out = true;
        else {
            fmt::print(stderr,
                       "usage: thesis_bench [--paths N] [--threads T] [--only NAME] [--json]\n"
                       "  NAME: rng, w1, touch, jumps, continuous, fundamentals, seed\n");
            return 2;
        }
    }
    nlohmann::json results = nlohmann::json::array();
    const auto want = [&](const char* name) { return only.empty() || only == name; };
    if (want("rng")) results.push_back(run_rng(paths, threads));
    if (want("w1")) results.push_back(run_workload("W1", w1(paths), threads));
    if (want("touch")) {
        Thesis t = w1(paths);
        t.simulation.touch_odds = true;  // what `thesis run` measures: every path to the horizon
        results.push_back(run_workload("W1 + touch odds", t, threads));
    }
    if (want("jumps")) {
        Thesis t = w1(paths);
        t.model.kind = ModelKind::Merton;  // 2 jumps a year, mean −5%, sd 10%
        t.model.jump_intensity = 2;
        t.model.jump_mean = -0.05;
        t.model.jump_sd = 0.10;
        results.push_back(run_workload("W1 + Merton jumps", t, threads));
    }
    if (want("continuous")) {
        Thesis t = w1(paths);
        t.simulation.monitoring = Monitoring::Continuous;
        results.push_back(run_workload("W1 continuous monitoring", t, threads));
    }
    if (want("fundamentals")) {
        Thesis t = w1(paths);
        t.model.kind = ModelKind::Fundamentals;  // P/E 52x → 25x at a 1y half-life
        t.model.multiple_half_life = 1;
        t.model.multiple_volatility = 0.3;
        t.model.eps_growth = 0.15;
        t.model.eps_volatility = 0.35;
        t.model.eps_multiple_correlation = 0.3;
        results.push_back(run_workload("fundamentals mode", t, threads));
    }
    if (want("seed")) {
        // What `thesis run` simulates, at this path count, under each fill policy.
        for (Monitoring m : {Monitoring::Discrete, Monitoring::Sessions, Monitoring::Continuous}) {
            Thesis t = load_thesis(seed_thesis_yaml(), "seed");
            t.simulation.paths = paths;
            t.simulation.monitoring = m;
            results.push_back(run_workload(fmt::format("seed, {}", to_string(m)), t, threads));
        }
    }
    if (json_out) {
        fmt::print("{}\n", results.dump(2));
        return 0;
    }
    fmt::print("thesis_bench: {} paths, {} threads, SIMD {}\n", paths, threads, simd_level());
    fmt::print("{:<26} {:>9} {:>14} {:>9}  {}\n", "workload", "seconds", "path-steps/s", "peak MiB",
               "statistics");
    for (const auto& r : results) {
        std::string stats;
        if (r.contains("p_target"))
            stats = fmt::format(
                "P(unfilled) {:.4f} P(target) {:.4f} P(stop) {:.4f} P(horizon) "
                "{:.4f} E[P&L] {:.3f}±{:.3f} E[S_T] {:.2f}±{:.2f}",
                r["p_unfilled"].get<double>(), r["p_target"].get<double>(), r["p_stop"].get<double>(),
                r["p_horizon"].get<double>(), r["mean_pnl"].get<double>(), r["se_pnl"].get<double>(),
                r["mean_st"].get<double>(), r["se_st"].get<double>());
        else stats = fmt::format("mean of the normals {:+.2e}", r["checksum_mean"].get<double>());
        fmt::print("{:<26} {:>9.3f} {:>14.3e} {:>9.1f}  {}\n", r["workload"].get<std::string>(),
                   r["seconds"].get<double>(), r["path_steps_per_sec"].get<double>(),
                   r.value("peak_rss_mib", 0.0), stats);
    }
    return 0;
}
