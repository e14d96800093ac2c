#include "thesis/simulation/monte_carlo.h"

#include "thesis/simulation/detail/price_models.h"

#include "thesis/core/errors.h"
#include "thesis/simulation/detail/plan_book.h"
#include "thesis/valuation/payoff.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <thread>

namespace thesis {

void PlanTally::merge(const PlanTally& other) {
    for (std::size_t i = 0; i < outcomes.size(); ++i) outcomes[i] += other.outcomes[i];
    pnl.merge(other.pnl);
    pnl_position.merge(other.pnl_position);
    carry.merge(other.carry);
    wins.merge(other.wins);
    losses.merge(other.losses);
    holding.merge(other.holding);
    stop_shortfall.merge(other.stop_shortfall);
    hedge_pnl.merge(other.hedge_pnl);
    floor_shortfall.merge(other.floor_shortfall);
    past_floor += other.past_floor;
    touched_target += other.touched_target;
    touched_stop += other.touched_stop;
    stopped_in_profit += other.stopped_in_profit;
    for (std::size_t i = 0; i < controlled.size(); ++i) controlled[i].merge(other.controlled[i]);
    if (scenarios.size() < other.scenarios.size()) scenarios.resize(other.scenarios.size());
    for (std::size_t i = 0; i < other.scenarios.size(); ++i) scenarios[i].merge(other.scenarios[i]);
}

void ScenarioTally::merge(const ScenarioTally& other) {
    paths += other.paths;
    target += other.target;
    stop += other.stop;
    gap += other.gap;
    pnl.merge(other.pnl);
    pnl_position.merge(other.pnl_position);
}

void PairedTally::merge(const PairedTally& other) {
    target.merge(other.target);
    stop.merge(other.stop);
    gap.merge(other.gap);
    pnl.merge(other.pnl);
}

PlanBook::PlanBook(const std::vector<PlanRules>& rules, std::vector<Monitoring> policies)
    : PlanBook(rules, policies.empty() ? Monitoring::Discrete : policies.front(), false) {
    THESIS_REQUIRE(policies.size() == rules.size(), "{} policies for {} plans", policies.size(),
                   rules.size());
    policies_ = std::move(policies);
}

PlanBook::PlanBook(const std::vector<PlanRules>& rules, Monitoring monitoring, bool in_lanes)
    : rules_(&rules),
      policies_(rules.size(), monitoring),
      in_lanes_(
          in_lanes && rules.size() <= kMaxLanePlans &&
          std::all_of(rules.begin(), rules.end(), lane_playable) &&
          (monitoring == Monitoring::Discrete || (monitoring == Monitoring::Continuous && rules.size() == 1 &&
                                                  !rules[0].has_touch_stop && !rules[0].has_touch_target))),
      trackers_(rules.size()),
      watches_(rules.size()),
      forced_(rules.size()) {
    for (auto& lanes : forced_) lanes.fill(std::numeric_limits<int>::max());
    for (LaneWatch& w : watches_) {
        std::fill(std::begin(w.low), std::end(w.low), -std::numeric_limits<double>::infinity());
        std::fill(std::begin(w.high), std::end(w.high), std::numeric_limits<double>::infinity());
        std::fill(std::begin(w.split_low), std::end(w.split_low), -std::numeric_limits<double>::infinity());
        std::fill(std::begin(w.split_high), std::end(w.split_high), std::numeric_limits<double>::infinity());
        w.forced = std::numeric_limits<int>::max();
    }
}

void PlanBook::begin(std::uint64_t first, std::size_t count) {
    first_ = first;
    outcomes_.assign(count * trackers_.size(), TradeOutcome{});
    terminal_.assign(count, 0.0);
}

void PlanBook::refresh(std::size_t plan, int lane) {
    const PlanTracker& t = trackers_[plan][static_cast<std::size_t>(lane)];
    watches_[plan].low[lane] = t.watch_low();
    watches_[plan].high[lane] = t.watch_high();
    watches_[plan].split_low[lane] = t.split_low();
    watches_[plan].split_high[lane] = t.split_high();
}

// Lane `lane`'s next forced step of plan `plan` in kernel steps (never once the lane is idle),
// and the plan's earliest over the lanes: rescanned only when the lane that held the earliest
// moves later, which is rare (a tracker's forced step is its horizon until it is done).
void PlanBook::refresh_forced(std::size_t plan, int lane) {
    constexpr std::int64_t kNever = std::numeric_limits<int>::max();
    const auto l = static_cast<std::size_t>(lane);
    const std::int64_t now =
        running_ >> lane & 1u
            ? std::min<std::int64_t>(kNever, origin_[l] + std::int64_t{trackers_[plan][l].forced_step()})
            : kNever;
    int& slot = forced_[plan][l];
    const int before = slot;
    slot = static_cast<int>(now);
    int& earliest = watches_[plan].forced;
    if (slot < earliest) {
        earliest = slot;
    } else if (before == earliest && slot > before) {
        earliest = *std::min_element(forced_[plan].begin(), forced_[plan].end());
    }
}

void PlanBook::start(int lane, std::uint64_t path, int origin, double x0, const int* event_steps) {
    const auto l = static_cast<std::size_t>(lane);
    path_[l] = path;
    origin_[l] = origin;
    running_ |= 1u << lane;
    for (std::size_t p = 0; p < trackers_.size(); ++p) {
        trackers_[p][l].start((*rules_)[p], policies_[p], x0, event_steps);
        refresh(p, lane);
        refresh_forced(p, lane);
    }
}

void PlanBook::step(std::size_t plan, int g, unsigned lanes, const LaneStep& s) {
    for (unsigned bits = lanes; bits != 0; bits &= bits - 1) {
        const int l = std::countr_zero(bits);
        const auto lane = static_cast<std::size_t>(l);
        const StepView view{s.before[l],
                            s.open[l],
                            s.diffusive_end[l],
                            s.observed[l],
                            s.u_low[l],
                            s.u_high[l],
                            s.minus_log_u_low[l],
                            s.minus_log_u_high[l],
                            s.bridge_variance,
                            s.session_variance,
                            s.seed,
                            path_[lane]};
        trackers_[plan][lane].step((*rules_)[plan], g - origin_[lane], view);
        refresh(plan, l);
        refresh_forced(plan, l);
    }
}

bool PlanBook::settled(int lane) const {
    for (const auto& lanes : trackers_)
        if (!lanes[static_cast<std::size_t>(lane)].settled()) return false;
    return true;
}

void PlanBook::finish(int lane, double terminal_log_price) {
    const auto l = static_cast<std::size_t>(lane);
    const std::size_t i = path_[l] - first_;
    for (std::size_t p = 0; p < trackers_.size(); ++p)
        outcomes_[i * trackers_.size() + p] = trackers_[p][l].outcome();
    terminal_[i] = terminal_log_price;
    running_ &= ~(1u << lane);
    for (std::size_t p = 0; p < trackers_.size(); ++p) {
        watches_[p].low[l] = -std::numeric_limits<double>::infinity();
        watches_[p].high[l] = std::numeric_limits<double>::infinity();
        watches_[p].split_low[l] = -std::numeric_limits<double>::infinity();
        watches_[p].split_high[l] = std::numeric_limits<double>::infinity();
        refresh_forced(p, lane);
    }
}

void PlanBook::finish_path(std::uint64_t path, const TradeOutcome* outcomes, double terminal_log_price) {
    const std::size_t i = path - first_;
    // One assignment a plan (inlined), not std::copy, which calls memmove for a run-time count.
    for (std::size_t p = 0; p < trackers_.size(); ++p) outcomes_[i * trackers_.size() + p] = outcomes[p];
    terminal_[i] = terminal_log_price;
}

std::optional<Price> expected_horizon_price(const Thesis& t, Years horizon) {
    return models::with_model(t.model.kind, [&]<class Model>() {
        return Model::expected_price(t, horizon, MonteCarlo::horizon_of(t));
    });
}

std::optional<double> drift_for_horizon_price(const Thesis& t, Years horizon, Price price) {
    const bool typed = models::with_model(t.model.kind, [&]<class Model>() { return Model::typed_drift; });
    if (!typed) return std::nullopt;
    const std::optional<Price> expected = expected_horizon_price(t, horizon);
    if (!expected || !(price > 0) || !(horizon > 0)) return std::nullopt;
    return t.model.drift + std::log(price / *expected) / horizon;
}

Years MonteCarlo::horizon_of(const Thesis& t) {
    Years h = t.simulation.horizon;
    for (const Plan& p : t.plans)
        if (p.horizon) h = std::max(h, *p.horizon);
    return h;
}

namespace {
// The thesis's policy, then the others, each once.
std::vector<Monitoring> policies_of(const Thesis& thesis, const std::vector<Monitoring>& others) {
    std::vector<Monitoring> out{thesis.simulation.monitoring};
    for (Monitoring m : others)
        if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
    return out;
}
}  // namespace

MonteCarlo::MonteCarlo(const Thesis& thesis, const std::vector<Monitoring>& other_policies)
    : thesis_(thesis),
      generator_(thesis_, horizon_of(thesis_), policies_of(thesis_, other_policies).size() > 1) {
    result_.policies = policies_of(thesis_, other_policies);
    // The same rules under each policy: a policy changes how a step is read, not the plan.
    for (std::size_t copy = 0; copy < result_.policies.size(); ++copy)
        for (const Plan& p : thesis_.plans) rules_.push_back(compile_plan(p, thesis_, generator_.grid()));
    result_.grid = generator_.grid();
    for (const ScenarioLanding& s : generator_.scenario_landings()) result_.scenarios.push_back(s.name);
    result_.terminal_by_scenario.resize(result_.scenarios.size());
    result_.touch_odds = thesis_.simulation.touch_odds;
    result_.plans.resize(rules_.size());
    result_.pnl.resize(rules_.size());
    result_.paired.resize((result_.policies.size() - 1) * thesis_.plans.size());
    // Refused before anything is built for it (a replicated method's replicates, say).
    if (thesis_.simulation.control_variate == ControlVariate::Martingale) {
        if (const auto why =
                control_variate_refusal(thesis_, generator_, rules_, result_.policies.size() > 1))
            throw InputError({}, "simulation.control_variate", "martingale " + *why);
        // The tables are built by the first run, on its threads.
    }
    if (replicated(thesis_.simulation.method)) make_replicates();  // replicates.cpp
}

void MonteCarlo::pair_plans(std::vector<PlanPair> pairs) {
    THESIS_REQUIRE(result_.paths == 0, "plans are paired before the first run");
    if (replicated(thesis_.simulation.method))
        throw InputError({}, "simulation.method",
                         "comparing plans path by path (thesis hedge) runs under method mc only: "
                         "its paired differences have Monte Carlo's error bars");
    for (const PlanPair& p : pairs)
        THESIS_REQUIRE(p.plan < thesis_.plans.size() && p.reference < thesis_.plans.size(),
                       "pair ({}, {}) of {} plans", p.plan, p.reference, thesis_.plans.size());
    result_.plan_pairs = std::move(pairs);
    result_.plan_paired.assign(result_.plan_pairs.size(), {});
}

namespace {

// What one block of paths adds: the order-dependent part, merged in block order.
struct BlockTally {
    std::vector<PlanTally> plans;
    RunningStats terminal;
    std::vector<RunningStats> terminal_by_scenario;
    std::vector<PairedTally> paired, plan_paired;
};

// The policy bracket's per-path differences over a block, in path order.
struct PairedSamples {
    std::vector<double> target, stop, gap, pnl;

    void clear() {
        for (auto* v : {&target, &stop, &gap, &pnl}) v->clear();
    }
    void add(const TradeOutcome& o, const TradeOutcome& reference) {
        const auto is = [](const TradeOutcome& x, ExitReason r) { return x.reason == r ? 1.0 : 0.0; };
        target.push_back(is(o, ExitReason::Target) - is(reference, ExitReason::Target));
        // p_stop's stops: at the level or through a gap (metrics.h).
        const auto stopped = [&](const TradeOutcome& x) {
            return is(x, ExitReason::Stop) + is(x, ExitReason::GapThroughStop);
        };
        stop.push_back(stopped(o) - stopped(reference));
        gap.push_back(is(o, ExitReason::GapThroughStop) - is(reference, ExitReason::GapThroughStop));
        pnl.push_back(o.pnl_per_share - reference.pnl_per_share);
    }
    PairedTally tally() const {
        return {RunningStats::of(target), RunningStats::of(stop), RunningStats::of(gap),
                RunningStats::of(pnl)};
    }
};

// One plan's samples over a block of paths, in path order, reduced into a PlanTally at once
// (RunningStats::of: two passes, no division per sample).
struct PlanSamples {
    // One scenario's paths (the scenarios model).
    struct Scenario {
        std::uint64_t paths = 0, target = 0, stop = 0, gap = 0;
        std::vector<double> pnl, pnl_position;
    };
    std::array<std::uint64_t, kExitReasons.size()> outcomes{};
    std::vector<double> pnl, pnl_position, carry, wins, losses, holding, stop_shortfall, hedge_pnl,
        floor_shortfall;
    std::uint64_t touched_target = 0, touched_stop = 0, stopped_in_profit = 0, past_floor = 0;
    std::vector<Scenario> scenarios;
    // simulation.control_variate: each controlled metric's outcome less the path's control.
    std::array<std::vector<double>, kControlledMetrics> controlled;

    explicit PlanSamples(std::size_t scenario_count = 0) : scenarios(scenario_count) {}
    void clear() {
        outcomes.fill(0);
        for (auto* v : {&pnl, &pnl_position, &carry, &wins, &losses, &holding, &stop_shortfall, &hedge_pnl,
                        &floor_shortfall})
            v->clear();
        for (auto& v : controlled) v.clear();
        touched_target = touched_stop = stopped_in_profit = past_floor = 0;
        for (Scenario& s : scenarios) {
            s.paths = s.target = s.stop = s.gap = 0;
            s.pnl.clear();
            s.pnl_position.clear();
        }
    }
    void add(const TradeOutcome& o, Years dt, int scenario) {
        if (scenario >= 0) {
            Scenario& s = scenarios[static_cast<std::size_t>(scenario)];
            ++s.paths;
            s.target += o.reason == ExitReason::Target;
            s.stop += o.reason == ExitReason::Stop || o.reason == ExitReason::GapThroughStop;
            s.gap += o.reason == ExitReason::GapThroughStop;
            s.pnl.push_back(o.pnl_per_share);
            s.pnl_position.push_back(o.pnl_per_share * o.shares);
        }
        ++outcomes[static_cast<std::size_t>(o.reason)];
        pnl.push_back(o.pnl_per_share);
        pnl_position.push_back(o.pnl_per_share * o.shares);
        carry.push_back(o.carry);
        if (o.pnl_per_share > 0) wins.push_back(o.pnl_per_share);
        if (o.pnl_per_share < 0) losses.push_back(o.pnl_per_share);
        if (o.reason != ExitReason::Unfilled) holding.push_back((o.exit_step - o.entry_step) * dt);
        if (o.reason == ExitReason::Stop || o.reason == ExitReason::GapThroughStop) {
            stop_shortfall.push_back(o.stop_shortfall);
            stopped_in_profit += o.pnl_per_share > 0;
        }
        touched_target += o.touched_target;
        touched_stop += o.touched_stop;
        hedge_pnl.push_back(o.hedge_pnl);
        floor_shortfall.push_back(o.floor_shortfall);
        past_floor += o.floor_shortfall > 0;
    }
    // The outcome less the path's control, for each controlled metric (ControlledMetric's order).
    void add_controlled(const TradeOutcome& o, const ControlValues& control) {
        const bool stopped = o.reason == ExitReason::Stop || o.reason == ExitReason::GapThroughStop;
        const ControlValues y{o.reason == ExitReason::Target ? 1.0 : 0.0, stopped ? 1.0 : 0.0,
                              o.pnl_per_share};
        for (std::size_t m = 0; m < kControlledMetrics; ++m) controlled[m].push_back(y[m] - control[m]);
    }
    PlanTally tally() const {
        PlanTally t;
        t.outcomes = outcomes;
        t.pnl = RunningStats::of(pnl);
        t.pnl_position = RunningStats::of(pnl_position);
        t.carry = RunningStats::of(carry);
        t.wins = RunningStats::of(wins);
        t.losses = RunningStats::of(losses);
        t.holding = RunningStats::of(holding);
        t.stop_shortfall = RunningStats::of(stop_shortfall);
        t.hedge_pnl = RunningStats::of(hedge_pnl);
        t.floor_shortfall = RunningStats::of(floor_shortfall);
        t.past_floor = past_floor;
        t.touched_target = touched_target;
        t.touched_stop = touched_stop;
        t.stopped_in_profit = stopped_in_profit;
        if (!controlled[0].empty())
            for (std::size_t m = 0; m < kControlledMetrics; ++m)
                t.controlled[m] = RunningStats::of(controlled[m]);
        for (const Scenario& s : scenarios)
            t.scenarios.push_back({s.paths, s.target, s.stop, s.gap, RunningStats::of(s.pnl),
                                   RunningStats::of(s.pnl_position)});
        return t;
    }
};

// What one worker accumulates privately: the order-free part (integer bucket counts).
struct WorkerSketches {
    std::vector<QuantileSketch> pnl;
    QuantileSketch terminal;
};

}  // namespace

void MonteCarlo::run(std::uint64_t total_paths, const RunControl& control) {
    if (total_paths == 0) throw InputError({}, "simulation.paths", "expected at least 1 path");
    if (total_paths > 100'000'000'000ULL)
        throw InputError({}, "simulation.paths",
                         fmt::format("{} paths is more than this tool runs (10^11); a tolerance "
                                     "stops a run when the answer is precise enough",
                                     total_paths));
    if (!replicates_.empty()) {
        run_replicates(total_paths, control);
        return;
    }
    const std::uint64_t start = result_.paths;
    if (total_paths <= start) return;
    THESIS_REQUIRE(start % kBlockPaths == 0, "cannot extend a run of {} paths (not whole blocks)", start);
    result_.interrupted = false;

    const std::uint64_t first_block = start / kBlockPaths;
    const std::uint64_t end_block = (total_paths + kBlockPaths - 1) / kBlockPaths;
    const std::uint64_t blocks_per_chunk =
        std::max<std::uint64_t>(1, (control.chunk_paths + kBlockPaths - 1) / kBlockPaths);
    unsigned threads = control.threads ? control.threads : std::thread::hardware_concurrency();
    threads = std::max(1u, threads);
    if (thesis_.simulation.control_variate == ControlVariate::Martingale && !control_)
        control_.emplace(thesis_, generator_, rules_, threads);
    const std::uint64_t chunks = (end_block - first_block + blocks_per_chunk - 1) / blocks_per_chunk;
    threads = static_cast<unsigned>(std::min<std::uint64_t>(threads, chunks));

    std::atomic<std::uint64_t> next_chunk{0};
    std::mutex merge_mutex;
    std::map<std::uint64_t, BlockTally> pending;  // finished blocks waiting for their turn
    std::uint64_t next_to_merge = first_block;
    std::vector<WorkerSketches> sketches(threads);
    if (tapes_.size() < threads) tapes_.resize(threads);
    const std::size_t plan_count = rules_.size();
    const std::size_t plans_per_policy = thesis_.plans.size();
    const std::size_t paired_count = result_.paired.size();
    std::vector<Monitoring> policy_of_plan;
    for (Monitoring m : result_.policies) policy_of_plan.insert(policy_of_plan.end(), plans_per_policy, m);
    const Years dt = generator_.grid().dt;

    // Merges every finished block that is next in line; called with the mutex held.
    const auto merge_ready = [&] {
        for (auto it = pending.find(next_to_merge); it != pending.end(); it = pending.find(next_to_merge)) {
            const BlockTally& b = it->second;
            for (std::size_t i = 0; i < plan_count; ++i) result_.plans[i].merge(b.plans[i]);
            for (std::size_t i = 0; i < paired_count; ++i) result_.paired[i].merge(b.paired[i]);
            for (std::size_t i = 0; i < b.plan_paired.size(); ++i)
                result_.plan_paired[i].merge(b.plan_paired[i]);
            result_.terminal.merge(b.terminal);
            for (std::size_t j = 0; j < b.terminal_by_scenario.size(); ++j)
                result_.terminal_by_scenario[j].merge(b.terminal_by_scenario[j]);
            const std::uint64_t block_end = std::min(total_paths, (next_to_merge + 1) * kBlockPaths);
            result_.paths = block_end;
            pending.erase(it);
            ++next_to_merge;
        }
    };

    const auto worker = [&](unsigned worker_index) {
        WorkerSketches& mine = sketches[worker_index];
        mine.pnl.resize(plan_count);
        PlanBook book = result_.policies.size() > 1 ? PlanBook(rules_, policy_of_plan)
                                                    : PlanBook(rules_, thesis_.simulation.monitoring);
        const std::size_t scenario_count = result_.scenarios.size();
        std::vector<PlanSamples> samples(plan_count, PlanSamples(scenario_count));
        std::vector<std::vector<double>> terminals_by_scenario(scenario_count);
        std::vector<PairedSamples> paired(paired_count), plan_paired(result_.plan_pairs.size());
        std::vector<double> terminals;
        std::vector<ControlValues> controls;  // [path − block's first][plan]
        CloseTape& tape = tapes_[worker_index];
        while (true) {
            if (control.cancel && control.cancel->load(std::memory_order_relaxed)) return;
            const std::uint64_t chunk = next_chunk.fetch_add(1);
            if (chunk >= chunks) return;
            const std::uint64_t block_begin = first_block + chunk * blocks_per_chunk;
            const std::uint64_t block_stop = std::min(end_block, block_begin + blocks_per_chunk);
            for (std::uint64_t block = block_begin; block < block_stop; ++block) {
                BlockTally tally;
                tally.plans.resize(plan_count);
                const std::uint64_t path_begin = block * kBlockPaths;
                const std::uint64_t path_end = std::min(total_paths, (block + 1) * kBlockPaths);
                // The block's paths, kLanes at a time, each lane taking the next path when its
                // own is over; the outcomes are then tallied in path order.
                book.begin(path_begin, path_end - path_begin);
                // The controls read each path's closes from the run itself (a tape), not a rerun.
                if (control_ && control_->needs_tape()) generator_.simulate(path_begin, path_end, book, tape);
                else generator_.simulate(path_begin, path_end, book);
                if (control_)
                    control_->controls(
                        generator_, &tape, path_begin, path_end,
                        [&](std::size_t i, std::size_t plan) -> const TradeOutcome& {
                            return book.outcome(i, plan);
                        },
                        controls);
                terminals.clear();
                for (auto& v : terminals_by_scenario) v.clear();
                for (PlanSamples& s : samples) s.clear();
                for (PairedSamples& s : paired) s.clear();
                for (PairedSamples& s : plan_paired) s.clear();
                for (std::uint64_t i = 0; i < path_end - path_begin; ++i) {
                    const double log_terminal = book.terminal_log_price(i);
                    terminals.push_back(std::exp(log_terminal));
                    mine.terminal.add_with_log(terminals.back(), log_terminal);
                    const int scenario = scenario_count > 0 ? generator_.scenario_of(path_begin + i) : -1;
                    if (scenario >= 0)
                        terminals_by_scenario[static_cast<std::size_t>(scenario)].push_back(terminals.back());
                    for (std::size_t j = 0; j < plan_count; ++j) {
                        const TradeOutcome& o = book.outcome(i, j);
                        samples[j].add(o, dt, scenario);
                        if (control_) samples[j].add_controlled(o, controls[i * plan_count + j]);
                        mine.pnl[j].add(o.pnl_per_share);
                    }
                    // The other policies' plans against the thesis's policy's (the first).
                    for (std::size_t j = 0; j < paired_count; ++j)
                        paired[j].add(book.outcome(i, plans_per_policy + j),
                                      book.outcome(i, j % plans_per_policy));
                    for (std::size_t j = 0; j < plan_paired.size(); ++j)
                        plan_paired[j].add(book.outcome(i, result_.plan_pairs[j].plan),
                                           book.outcome(i, result_.plan_pairs[j].reference));
                }
                tally.terminal = RunningStats::of(terminals);
                for (const auto& v : terminals_by_scenario)
                    tally.terminal_by_scenario.push_back(RunningStats::of(v));
                for (std::size_t j = 0; j < plan_count; ++j) tally.plans[j] = samples[j].tally();
                for (std::size_t j = 0; j < paired_count; ++j) tally.paired.push_back(paired[j].tally());
                for (const PairedSamples& s : plan_paired) tally.plan_paired.push_back(s.tally());
                std::lock_guard lock(merge_mutex);
                pending.emplace(block, std::move(tally));
                merge_ready();
            }
            if (control.progress) {
                std::lock_guard lock(merge_mutex);
                control.progress(result_.paths, total_paths);
            }
        }
    };

    if (threads == 1) {
        worker(0);
    } else {
        std::vector<std::thread> pool;
        for (unsigned w = 0; w < threads; ++w) pool.emplace_back(worker, w);
        for (auto& t : pool) t.join();
    }
    // Every chunk taken was finished, and chunks are taken in order: the merged blocks are a
    // prefix of the run, and the sketches hold exactly those paths.
    THESIS_REQUIRE(pending.empty(), "{} blocks left unmerged", pending.size());
    for (auto& s : sketches) {
        for (std::size_t j = 0; j < plan_count && j < s.pnl.size(); ++j) result_.pnl[j].merge(s.pnl[j]);
        result_.terminal_sketch.merge(s.terminal);
    }
    result_.interrupted = result_.paths < total_paths;
}

// ---- Metrics ----

namespace {

Estimate scaled(const Estimate& e, double factor) {
    Estimate out{e.value * factor, std::fabs(e.std_error * factor), e.ci_low * factor, e.ci_high * factor};
    if (out.ci_low > out.ci_high) std::swap(out.ci_low, out.ci_high);
    return out;
}

// E[X²] of a RunningStats' samples.
double second_moment(const RunningStats& s) {
    if (s.count() == 0) return 0;
    const double n = static_cast<double>(s.count());
    const double var = s.count() > 1 ? s.variance() * (n - 1) / n : 0;
    return var + s.mean() * s.mean();
}

}  // namespace

Estimate expected_shortfall_estimate(const QuantileSketch& pnl, double level) {
    const double a = 1 - level;
    const double n = static_cast<double>(pnl.count());
    const double es = expected_shortfall(pnl, level);  // losses positive
    const double q = -pnl.quantile(a);                 // VaR, losses positive
    const double tail_mean = pnl.tail_mean_below(a);
    const double tail_var = std::max(0.0, pnl.tail_square_mean_below(a) - tail_mean * tail_mean);
    const double variance = (tail_var + (1 - a) * (es - q) * (es - q)) / (n * a);
    return normal_estimate(es, std::sqrt(variance));
}

PlanMetrics summarize(const SimulationResult& r, std::size_t index, const Plan& plan, Price spot) {
    THESIS_REQUIRE(index < r.plans.size(), "plan index {} of {}", index, r.plans.size());
    const PlanTally& t = r.plans[index];
    const QuantileSketch& sketch = r.pnl[index];
    PlanMetrics m;
    m.plan = plan.name;
    m.paths = r.paths;
    const std::uint64_t n = r.paths;
    THESIS_REQUIRE(n > 0 && t.pnl.count() == n, "{} paths but {} tallied", n, t.pnl.count());
    for (std::size_t i = 0; i < kExitReasons.size(); ++i)
        m.outcome[i] = proportion_estimate(t.outcomes[i], n);
    m.stopped = proportion_estimate(t.outcomes[static_cast<std::size_t>(ExitReason::Stop)] +
                                        t.outcomes[static_cast<std::size_t>(ExitReason::GapThroughStop)],
                                    n);

    const TradeEconomics e = trade_economics(plan, spot);
    m.shares = e.shares;
    m.has_stop = e.stop.has_value();
    m.has_target = e.target.has_value();
    m.touch_odds = r.touch_odds;
    m.risk_per_share = e.risk_per_share;
    m.pnl_per_share = n > 1 ? t.pnl.mean_estimate() : normal_estimate(t.pnl.mean(), 0);
    // Sized at each path's fill (a limit or a later entry fills at prices unknown today).
    m.pnl_per_position = n > 1 ? t.pnl_position.mean_estimate() : normal_estimate(t.pnl_position.mean(), 0);
    m.pnl_sd = n > 1 ? t.pnl.std_dev() : 0;
    // The control variate's estimates, where the run has them: the mean of outcome less control,
    // its error bar the normal one from their spread (unbiased, so no Wilson interval). A plan
    // without a target (stop) has no odds of one to control: those stay Monte Carlo's zero, with
    // its interval.
    if (n > 1 && t.controlled[0].count() == n) {
        m.controlled = true;
        if (m.has_target)
            m.outcome[static_cast<std::size_t>(ExitReason::Target)] =
                t.controlled[static_cast<std::size_t>(ControlledMetric::Target)].mean_estimate();
        if (m.has_stop)
            m.stopped = t.controlled[static_cast<std::size_t>(ControlledMetric::Stop)].mean_estimate();
        m.pnl_per_share = t.controlled[static_cast<std::size_t>(ControlledMetric::Pnl)].mean_estimate();
    }
    for (double level : kQuantileLevels) m.pnl_quantiles.emplace_back(level, sketch.quantile_ci(level));
    m.probability_of_loss = proportion_estimate(t.losses.count(), n);
    for (auto [level, var, es] : {std::tuple{0.95, &m.var95, &m.es95}, std::tuple{0.99, &m.var99, &m.es99}}) {
        *var = scaled(sketch.quantile_ci(1 - level), -1);
        *es = expected_shortfall_estimate(sketch, level);
    }
    if (m.has_stop && e.risk_per_share > 0) m.expectancy_r = scaled(m.pnl_per_share, 1 / e.risk_per_share);
    if (t.wins.count() > 1) m.average_win = t.wins.mean_estimate();
    if (t.losses.count() > 1) m.average_loss = scaled(t.losses.mean_estimate(), -1);

    // Profit factor Σwins / Σ|losses| = E[W] / E[L] with W = max(X, 0), L = max(−X, 0), by the
    // delta method: Var ≈ (Var W / E[L]² + E[W]² Var L / E[L]⁴ − 2 E[W] Cov(W, L) / E[L]³) / n,
    // Cov(W, L) = −E[W] E[L] since W L = 0.
    if (t.wins.count() > 0 && t.losses.count() > 0) {
        const double nn = static_cast<double>(n);
        const double ew = t.wins.sum() / nn, el = -t.losses.sum() / nn;
        const double ew2 = second_moment(t.wins) * static_cast<double>(t.wins.count()) / nn;
        const double el2 = second_moment(t.losses) * static_cast<double>(t.losses.count()) / nn;
        const double var_w = ew2 - ew * ew, var_l = el2 - el * el, cov = -ew * el;
        const double pf = ew / el;
        const double v =
            (var_w / (el * el) + ew * ew * var_l / std::pow(el, 4) - 2 * ew * cov / std::pow(el, 3)) / nn;
        m.profit_factor = normal_estimate(pf, std::sqrt(std::max(0.0, v)));
    }
    if (t.holding.count() > 1) m.holding_years = t.holding.mean_estimate();
    if (t.stop_shortfall.count() > 1) m.stop_shortfall = t.stop_shortfall.mean_estimate();
    // Carry applies to a short with a borrow rate, or wherever a path carried dividends.
    if ((plan.side == Side::Short && plan.costs.borrow_rate > 0) || t.carry.min() != 0 || t.carry.max() != 0)
        m.carry = n > 1 ? t.carry.mean_estimate() : exact_estimate(t.carry.mean());
    if (plan.hedge.kind != Hedge::Kind::None)
        m.hedge_pnl = n > 1 ? t.hedge_pnl.mean_estimate() : exact_estimate(t.hedge_pnl.mean());
    if (has_floor(plan, e.shares)) {
        m.floor_shortfall =
            n > 1 ? t.floor_shortfall.mean_estimate() : exact_estimate(t.floor_shortfall.mean());
        m.past_floor = proportion_estimate(t.past_floor, n);
    }

    // Kelly fraction of a win/lose bet (Kelly 1956): f* = p − (1 − p)/b, p = P(win | decided),
    // b = average win / average loss; its error by the delta method over p, the average win and
    // the average loss (independent to first order).
    if (m.average_win && m.average_loss && m.average_loss->value > 0) {
        const double nw = static_cast<double>(t.wins.count()), nl = static_cast<double>(t.losses.count());
        const double p = nw / (nw + nl);
        const double mw = m.average_win->value, ml = m.average_loss->value;
        const double b = mw / ml;
        const double f = p - (1 - p) / b;
        const double df_dp = 1 + 1 / b, df_db = (1 - p) / (b * b);
        const double var_p = p * (1 - p) / (nw + nl);
        const double var_b = std::pow(1 / ml, 2) * std::pow(m.average_win->std_error, 2) +
                             std::pow(mw / (ml * ml), 2) * std::pow(m.average_loss->std_error, 2);
        m.kelly = normal_estimate(f, std::sqrt(df_dp * df_dp * var_p + df_db * df_db * var_b));
    }
    m.stopped_in_profit = proportion_estimate(t.stopped_in_profit, n);
    m.touch_target = proportion_estimate(t.touched_target, n);
    m.touch_stop = proportion_estimate(t.touched_stop, n);
    // Conditional on each scenario: proportions and a mean over its own paths.
    for (std::size_t j = 0; j < t.scenarios.size() && j < r.scenarios.size(); ++j) {
        const ScenarioTally& s = t.scenarios[j];
        if (s.paths == 0) continue;  // a scenario no path drew (probability 0, or few paths)
        ScenarioOutcome o;
        o.scenario = r.scenarios[j];
        o.share = proportion_estimate(s.paths, n);
        o.p_target = proportion_estimate(s.target, s.paths);
        o.p_stop = proportion_estimate(s.stop, s.paths);
        o.p_gap_through_stop = proportion_estimate(s.gap, s.paths);
        o.pnl_per_share = s.pnl.count() > 1 ? s.pnl.mean_estimate() : exact_estimate(s.pnl.mean());
        o.pnl_per_position = s.pnl_position.count() > 1 ? s.pnl_position.mean_estimate()
                                                        : exact_estimate(s.pnl_position.mean());
        m.by_scenario.push_back(std::move(o));
    }
    if (r.replicates.size() >= 2) use_replicate_errors(m, r, index, plan, spot);  // replicates.cpp
    return m;
}

}  // namespace thesis
