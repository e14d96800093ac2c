// simulation.method rqmc and antithetic: MonteCarlo's replicates (rqmc: scrambles), each a run of
// its own, pooled; and the error bars from their spread (monte_carlo.h: with_replicate_error,
// summarize).
#include "thesis/core/errors.h"
#include "thesis/math/rqmc.h"
#include "thesis/simulation/monte_carlo.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace thesis {

void MonteCarlo::make_replicates() {
    if (result_.policies.size() > 1)
        throw InputError({}, "simulation.method",
                         "the policy bracket (--policies) runs under method mc only: its paired "
                         "differences have Monte Carlo's error bars");
    if (thesis_.simulation.replicates < 2) return;  // one scramble: this run is it
    empty_ = result_;
    for (int r = 0; r < thesis_.simulation.replicates; ++r) {
        Thesis one = thesis_;
        one.simulation.replicates = 1;
        // Each replicate its own seed (and so its own scramble and pseudo-random streams: jumps,
        // events, the horizon's draws), so the replicates are independent.
        one.simulation.seed = mix64(thesis_.simulation.seed ^ mix64(static_cast<std::uint64_t>(r) + 1));
        replicates_.push_back(std::make_unique<MonteCarlo>(one));
    }
}

void MonteCarlo::run_replicates(std::uint64_t total_paths, const RunControl& control) {
    const auto count = static_cast<std::uint64_t>(replicates_.size());
    const std::uint64_t each = total_paths / count;
    const std::string_view method = to_string(thesis_.simulation.method);
    if (each == 0)
        throw InputError({}, "simulation.paths",
                         fmt::format("method {} splits the paths among {} replicates: expected at least {} "
                                     "paths, got {}",
                                     method, count, count, total_paths));
    if (each > 0xFFFFFFFFu)
        throw InputError({}, "simulation.paths",
                         fmt::format("method {} takes at most 2^32 paths a replicate; raise "
                                     "simulation.replicates above {}",
                                     method, count));
    // A run extends only from whole blocks (run()); a replicate that stopped inside one starts
    // over, which gives the same bits as running it to `each` at once.
    for (auto& replicate : replicates_) {
        const std::uint64_t done = replicate->result().paths;
        if (done % kBlockPaths != 0 && each > done)
            replicate = std::make_unique<MonteCarlo>(replicate->thesis_);
    }
    // The replicates side by side, one a thread (more threads than replicates share them out): a
    // replicate's bits do not depend on its threads (run()), and a run's set-up (its workers,
    // their sketches) is then paid once a replicate instead of once a thread and a replicate (16
    // replicates on two threads, one after the other, took 25% longer than Monte Carlo's run of
    // the same paths).
    const unsigned available =
        std::max(1u, control.threads ? control.threads : std::thread::hardware_concurrency());
    const auto threads = static_cast<unsigned>(std::min<std::uint64_t>(available, count));
    const unsigned threads_each = std::max(1u, available / threads);
    std::atomic<std::uint64_t> next{0};
    std::mutex progress_mutex;
    std::vector<std::uint64_t> done_of(count, 0);
    std::exception_ptr failure;
    const auto worker = [&] {
        try {
            for (;;) {
                if (control.cancel && control.cancel->load(std::memory_order_relaxed)) return;
                const std::uint64_t r = next.fetch_add(1);
                if (r >= count) return;
                RunControl mine = control;
                mine.threads = threads_each;
                if (control.progress)
                    mine.progress = [&, r](std::uint64_t done, std::uint64_t) {
                        std::lock_guard lock(progress_mutex);
                        done_of[r] = done;
                        control.progress(std::accumulate(done_of.begin(), done_of.end(), std::uint64_t{0}),
                                         count * each);
                    };
                replicates_[r]->run(each, mine);
            }
        } catch (...) {
            std::lock_guard lock(progress_mutex);
            if (!failure) failure = std::current_exception();
        }
    };
    if (threads == 1) {
        worker();
    } else {
        std::vector<std::thread> pool;
        for (unsigned w = 0; w < threads; ++w) pool.emplace_back(worker);
        for (auto& t : pool) t.join();
    }
    if (failure) std::rethrow_exception(failure);
    // Pooled in the replicates' order, so the bits do not depend on the threads.
    SimulationResult pooled = empty_;
    for (const auto& replicate : replicates_) {
        const SimulationResult& one = replicate->result();
        pooled.paths += one.paths;
        pooled.interrupted = pooled.interrupted || one.interrupted || one.paths < each;
        for (std::size_t i = 0; i < pooled.plans.size(); ++i) {
            pooled.plans[i].merge(one.plans[i]);
            pooled.pnl[i].merge(one.pnl[i]);
        }
        pooled.terminal.merge(one.terminal);
        for (std::size_t j = 0; j < pooled.terminal_by_scenario.size(); ++j)
            pooled.terminal_by_scenario[j].merge(one.terminal_by_scenario[j]);
        pooled.terminal_sketch.merge(one.terminal_sketch);
        pooled.replicates.push_back(one);
    }
    result_ = std::move(pooled);
}

std::string generator_name(const SimulationSettings& simulation) {
    switch (simulation.method) {
        case SimulationMethod::Mc: break;
        case SimulationMethod::Rqmc:
            return fmt::format("Sobol' (Owen-scrambled, {} scrambles, Brownian bridge) + {}",
                               simulation.replicates, kGeneratorName);
        case SimulationMethod::Antithetic:
            return fmt::format("{} in antithetic pairs, {} replicates", kGeneratorName,
                               simulation.replicates);
    }
    if (simulation.control_variate == ControlVariate::Martingale)
        return fmt::format("{}, martingale control variates on P(target), P(stop), E[P&L]", kGeneratorName);
    return std::string(kGeneratorName);
}

Estimate with_replicate_error(const SimulationResult& result, const Estimate& pooled,
                              const std::function<double(const SimulationResult&)>& of) {
    if (result.replicates.size() < 2) return pooled;
    std::vector<double> values;
    for (const SimulationResult& r : result.replicates) {
        const double v = of(r);
        if (!std::isfinite(v)) return pooled;
        values.push_back(v);
    }
    const Estimate spread = replicate_estimate(values);
    return {pooled.value, spread.std_error, pooled.value - (spread.value - spread.ci_low),
            pooled.value + (spread.ci_high - spread.value)};
}

namespace {

// Every estimate of a plan's metrics, by a name that is the same for every replicate's.
std::vector<std::pair<std::string, Estimate*>> estimates_of(PlanMetrics& m) {
    std::vector<std::pair<std::string, Estimate*>> out;
    const auto add = [&](std::string name, Estimate& e) { out.emplace_back(std::move(name), &e); };
    const auto maybe = [&](std::string name, std::optional<Estimate>& e) {
        if (e) add(std::move(name), *e);
    };
    for (std::size_t k = 0; k < m.outcome.size(); ++k) add(fmt::format("outcome{}", k), m.outcome[k]);
    add("stopped", m.stopped);
    add("stopped_in_profit", m.stopped_in_profit);
    add("pnl_per_share", m.pnl_per_share);
    add("pnl_per_position", m.pnl_per_position);
    for (auto& [level, e] : m.pnl_quantiles) add(fmt::format("q{}", level), e);
    add("probability_of_loss", m.probability_of_loss);
    add("var95", m.var95);
    add("var99", m.var99);
    add("es95", m.es95);
    add("es99", m.es99);
    maybe("expectancy_r", m.expectancy_r);
    maybe("average_win", m.average_win);
    maybe("average_loss", m.average_loss);
    maybe("profit_factor", m.profit_factor);
    maybe("holding_years", m.holding_years);
    maybe("kelly", m.kelly);
    maybe("stop_shortfall", m.stop_shortfall);
    maybe("hedge_pnl", m.hedge_pnl);
    maybe("carry", m.carry);
    maybe("floor_shortfall", m.floor_shortfall);
    maybe("past_floor", m.past_floor);
    add("touch_target", m.touch_target);
    add("touch_stop", m.touch_stop);
    for (ScenarioOutcome& o : m.by_scenario) {
        add(o.scenario + ".share", o.share);
        add(o.scenario + ".p_target", o.p_target);
        add(o.scenario + ".p_stop", o.p_stop);
        add(o.scenario + ".p_gap_through_stop", o.p_gap_through_stop);
        add(o.scenario + ".pnl_per_share", o.pnl_per_share);
        add(o.scenario + ".pnl_per_position", o.pnl_per_position);
    }
    return out;
}

}  // namespace

// Randomised QMC and antithetic pairs: every error bar from the replicates' spread
// (with_replicate_error), each metric's pooled value kept. A metric some replicate lacks (no win
// on its paths, say) keeps Monte Carlo's error bar.
void use_replicate_errors(PlanMetrics& m, const SimulationResult& r, std::size_t index, const Plan& plan,
                          Price spot) {
    std::vector<PlanMetrics> each;
    for (const SimulationResult& one : r.replicates) each.push_back(summarize(one, index, plan, spot));
    std::vector<std::map<std::string, double>> values(each.size());
    for (std::size_t k = 0; k < each.size(); ++k)
        for (const auto& [name, e] : estimates_of(each[k])) values[k][name] = e->value;
    for (const auto& [name, e] : estimates_of(m)) {
        std::vector<double> spread;
        for (const auto& v : values) {
            const auto it = v.find(name);
            if (it == v.end() || !std::isfinite(it->second)) break;
            spread.push_back(it->second);
        }
        if (spread.size() != values.size()) continue;
        const Estimate s = replicate_estimate(spread);
        *e = {e->value, s.std_error, e->value - (s.value - s.ci_low), e->value + (s.ci_high - s.value)};
    }
}

}  // namespace thesis
