#pragma once
// The engine's side of a simulation, kLanes paths at once (path_kernel.cpp): the levels each plan
// watches in every lane, the step a plan is shown, and the observer the engine calls. Internals of
// the simulation: PathGenerator::simulate and PlanBook speak this; users of the library do not.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace thesis {

/// Paths simulated together, one per SIMD lane. 8 doubles fill one AVX-512 register, two AVX2
/// or four SSE2 registers.
inline constexpr int kLanes = 8;

/// One plan's watched levels in every lane (log price): the engine calls the observer for a lane
/// whose price reaches `low` or `high` during a step, and for every running lane at kernel step
/// `forced`. Under continuous and session monitoring it also calls it where the step's bridge
/// may visit both `split_low` and `split_high` (PlanTracker::split_low).
struct LaneWatch {
    alignas(64) double low[kLanes];
    alignas(64) double high[kLanes];
    alignas(64) double split_low[kLanes];
    alignas(64) double split_high[kLanes];
    int forced = 0;
};

/// A step of kLanes paths, as the observer sees it (see StepView in trade.h).
struct LaneStep {
    alignas(64) double before[kLanes], open[kLanes], diffusive_end[kLanes], observed[kLanes];
    alignas(64) double u_low[kLanes], u_high[kLanes];
    alignas(64) double minus_log_u_low[kLanes], minus_log_u_high[kLanes];  ///< 0 where not taken
    double bridge_variance = 0, session_variance = 0;
    std::uint64_t seed = 0;
};

struct PlanRules;
struct TradeOutcome;

/// The most plans the engine plays in its lanes (LaneObserver::lane_plans).
inline constexpr std::size_t kMaxLanePlans = 16;

/// What the engine tells as it simulates a range of paths. Each lane runs one path after
/// another: a path starts at some kernel step, its `origin`, and its own step k is the kernel's
/// step origin + k. Kernel steps only grow, so every lane's steps arrive in order.
class LaneObserver {
  public:
    virtual ~LaneObserver() = default;
    /// The plans' watches, read by the engine every step and updated by the observer.
    virtual std::span<LaneWatch> watches() = 0;
    /// Lane `lane` starts path `path` at kernel step `origin`, at log price x0; event_steps[i] is
    /// the step (the path's own) event i fires at, or −1.
    virtual void start(int lane, std::uint64_t path, int origin, double x0, const int* event_steps) = 0;
    /// Plan `plan` must look at kernel step g in the lanes whose bit is set in `lanes`.
    virtual void step(std::size_t plan, int g, unsigned lanes, const LaneStep& step) = 0;
    /// Whether nothing the observer measures on lane `lane` can change any more, but the price at
    /// the horizon: the engine may then end the path early (PathGenerator::simulate). Asked only
    /// right after the lane was shown a step (a path settles by what it sees).
    virtual bool settled(int /*lane*/) const { return false; }
    /// The path on lane `lane` is over; its log price at the horizon.
    virtual void finish(int lane, double terminal_log_price) = 0;

    /// Plans the engine may play itself, in its vector lanes, instead of calling start, step,
    /// settled and finish: every one lane_playable (trade.h), at most kMaxLanePlans of them
    /// under discrete monitoring, one without touch odds under continuous; null for none. The
    /// engine plays them by PlanTracker's rules (in its AVX-512 code; the SSE2 and AVX2 code
    /// keeps calling the trackers, which is faster there; under continuous monitoring, only in
    /// GBM without events) and tells each path's outcomes through finish_path. Not used when
    /// recording paths.
    virtual const std::vector<PlanRules>* lane_plans() const { return nullptr; }
    /// With lane_plans(): path `path` is over, outcomes[i] is what plan i did on it, and
    /// terminal_log_price its log price at the horizon.
    virtual void finish_path(std::uint64_t /*path*/, const TradeOutcome* /*outcomes*/,
                             double /*terminal_log_price*/) {}
};

}  // namespace thesis
