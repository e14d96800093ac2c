// Running the Monte Carlo engine from the command line: flags, a progress bar on a terminal,
// --tolerance rounds, and Ctrl-C / SIGTERM stopping at a chunk boundary.
#include "common.h"

#include "thesis/analysis/metrics.h"
#include "thesis/core/errors.h"
#include "thesis/simulation/monte_carlo.h"

#include <fmt/format.h>

#include <unistd.h>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>

namespace thesis::cli {

namespace {

// A one-line progress bar with an ETA, on stderr, only for a terminal and a run past 0.5 s.
class ProgressBar {
  public:
    explicit ProgressBar(bool enabled) : enabled_(enabled && ::isatty(STDERR_FILENO)) {}
    ~ProgressBar() { finish(); }
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    void update(std::uint64_t done, std::uint64_t total) {
        if (!enabled_ || total == 0) return;
        const auto now = std::chrono::steady_clock::now();
        const double elapsed = std::chrono::duration<double>(now - start_).count();
        if (elapsed < 0.5 || std::chrono::duration<double>(now - last_).count() < 0.2) return;
        last_ = now;
        const double fraction = static_cast<double>(done) / static_cast<double>(total);
        const int width = 30;
        const int filled = static_cast<int>(fraction * width);
        const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
        fmt::print(stderr, "\r[{}{}] {:3.0f}% {} paths, ETA {:.0f}s ", std::string(filled, '#'),
                   std::string(width - filled, '.'), fraction * 100, format_count(static_cast<double>(done)),
                   eta);
        std::fflush(stderr);
        shown_ = true;
    }
    void finish() {
        if (shown_) fmt::print(stderr, "\r{}\r", std::string(72, ' '));
        shown_ = false;
    }

  private:
    bool enabled_;
    bool shown_ = false;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_{};
};

// The worst 95% half-width of a metric over the plans it applies to: ½(ci_high − ci_low) of the
// catalogue's estimate (metrics.h), so --tolerance bounds exactly the interval the report prints.
double worst_half_width(const Thesis& thesis, const SimulationResult& result, const MetricInfo& metric) {
    double worst = 0;
    for (std::size_t i = 0; i < thesis.plans.size(); ++i) {
        const MetricValue v =
            metric.from_simulation(summarize(result, i, thesis.plans[i], thesis.stock.price));
        if (v.estimate) worst = std::max(worst, (v.estimate->ci_high - v.estimate->ci_low) / 2);
    }
    return worst;
}

// The metrics --tolerance can bound: the simulated plan metrics that carry a CI.
std::vector<std::string> tolerance_metrics() {
    std::vector<std::string> names;
    for (const MetricInfo& m : metric_catalogue())
        if (m.simulated && m.name != "pnl_sd") names.push_back(m.name);
    return names;
}

}  // namespace

void add_simulation_options(CLI::App& command, SimulationOptions& o) {
    command.add_option("--paths,-n", o.paths, "Number of simulated paths (default: the file's)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000'000ULL}));
    command.add_option("--seed", o.seed, "Random seed (default: the file's)");
    command.add_option("--threads,-j", o.threads, "Worker threads (default: all cores)")
        ->check(CLI::Range(0u, 1024u));
    command.add_option("--chunk", o.chunk, "Paths per work item (results do not depend on it)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
    command
        .add_option("--monitoring", o.monitoring,
                    "How orders see the price: sessions (an overnight gap, then a continuous "
                    "session), continuous or discrete (closes only); default: the file's")
        ->check(CLI::IsMember({"sessions", "continuous", "discrete"}));
    command.add_flag("--no-touch-odds", o.no_touch_odds,
                     "Don't measure the odds of touching stop/target levels; paths can end when "
                     "their plans are over, which is faster");
    command
        .add_option("--tolerance", o.tolerance,
                    "Run until every plan's --tolerance-metric has a 95% half-width at most "
                    "this (dollars for pnl, a probability otherwise; capped by --max-paths)")
        ->check(CLI::PositiveNumber);
    command
        .add_option("--tolerance-metric", o.tolerance_metric,
                    "What --tolerance bounds: a simulated metric (thesis sweep --list-metrics), "
                    "e.g. pnl_per_share (dollars a share), p_target, p_stop, p_loss")
        ->check(CLI::IsMember(tolerance_metrics()))
        ->capture_default_str();
    command.add_option("--max-paths", o.max_paths, "Cap on paths for --tolerance")
        ->check(CLI::Range(std::uint64_t{2048}, std::uint64_t{100'000'000'000ULL}))
        ->capture_default_str();
}

void apply_simulation_options(const SimulationOptions& o, Thesis& thesis) {
    if (o.paths) thesis.simulation.paths = *o.paths;
    if (o.seed) thesis.simulation.seed = *o.seed;
    if (!o.monitoring.empty()) thesis.simulation.monitoring = *monitoring_from_string(o.monitoring);
    if (o.no_touch_odds) thesis.simulation.touch_odds = false;
}

SimulationOutcome simulate(const Thesis& thesis, const SimulationOptions& o, bool quiet,
                           const std::vector<PlanPair>& pairs) {
    SignalGuard signals(SignalGuard::Mode::Cancel);  // the engine stops at its next chunk
    ProgressBar bar(!quiet);
    std::vector<Monitoring> others;
    if (o.policies) others = {Monitoring::Discrete, Monitoring::Sessions, Monitoring::Continuous};
    MonteCarlo mc(thesis, others);
    if (!pairs.empty()) mc.pair_plans(pairs);
    RunControl control;
    control.threads = o.threads;
    control.chunk_paths = o.chunk;
    control.cancel = SignalGuard::cancel_flag();
    control.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
    SimulationOutcome out;
    if (!o.tolerance) {
        out.requested = thesis.simulation.paths;
        mc.run(out.requested, control);
    } else {
        // Rounds of whole blocks, each sized from the last one's error: n' = n (h / tol)² × margin.
        // Under rqmc and antithetic, whole blocks of every replicate: a replicate extends only
        // from a whole block, and would start over from anything else. The margin past the
        // projection: Monte Carlo's half-width is the paths' own spread, known to about 1% from
        // the first round, and falling short costs only a round over the few paths missing, so
        // 2%; a replicated method's comes from 16 or so replicates' spread, uncertain by about
        // 18%, so 10%, which keeps most runs to two rounds.
        const bool replicates = replicated(thesis.simulation.method);
        const double margin = replicates ? 1.1 : 1.02;
        const std::uint64_t granule =
            kBlockPaths * (replicates ? static_cast<std::uint64_t>(thesis.simulation.replicates) : 1);
        std::uint64_t n = std::max<std::uint64_t>(16 * kBlockPaths, granule);
        while (true) {
            n = std::min(n, o.max_paths);
            out.requested = n;
            mc.run(n, control);
            if (mc.result().interrupted) break;
            const double worst = worst_half_width(thesis, mc.result(), *find_metric(o.tolerance_metric));
            out.half_width = worst;
            if (worst <= *o.tolerance || n >= o.max_paths) break;
            const double ratio = worst / *o.tolerance;
            const double wanted = static_cast<double>(n) * ratio * ratio * margin;
            const auto size = static_cast<double>(granule);
            const std::uint64_t next = static_cast<std::uint64_t>(std::ceil(wanted / size)) * granule;
            n = std::max(next, n + granule);
        }
        out.tolerance_met = out.half_width <= *o.tolerance;
    }
    bar.finish();
    out.result = mc.result();
    out.signal = SignalGuard::caught();
    return out;
}

}  // namespace thesis::cli
