#pragma once
// Every plan of a thesis on a range of paths (PlanBook): the engine's observer, holding a
// PlanTracker per plan and lane, or handing lane-playable plans to the engine's lanes. Internals
// of the simulation: MonteCarlo runs one per chunk of paths; the tests compare lanes and trackers.

#include "thesis/simulation/detail/lanes.h"
#include "thesis/simulation/detail/plan_tracker.h"
#include "thesis/simulation/path.h"

#include <array>
#include <cstdint>
#include <vector>

namespace thesis {

/// Every plan of a thesis on a range of paths, and each path's outcomes kept by path index, so
/// that they are tallied in path order whatever order the lanes finish them in. When every plan
/// is lane_playable under discrete monitoring (under continuous: one, without touch odds), the
/// engine may play them in its vector lanes (lane_plans()); otherwise a PlanTracker per plan and
/// lane is fed by the engine at the steps where a plan's levels are reached. Both give the same
/// outcomes, bit for bit (tested); `in_lanes` = false keeps the trackers, for that test.
class PlanBook final : public LaneObserver {
  public:
    PlanBook(const std::vector<PlanRules>& rules, Monitoring monitoring, bool in_lanes = true);
    /// Plan i played under policies[i] (the policy bracket): trackers only, on a generator made
    /// with every_policy.
    PlanBook(const std::vector<PlanRules>& rules, std::vector<Monitoring> policies);

    /// Prepares for paths first … first + count − 1.
    void begin(std::uint64_t first, std::size_t count);

    std::span<LaneWatch> watches() override { return watches_; }
    void start(int lane, std::uint64_t path, int origin, double x0, const int* event_steps) override;
    void step(std::size_t plan, int g, unsigned lanes, const LaneStep& step) override;
    bool settled(int lane) const override;
    void finish(int lane, double terminal_log_price) override;
    const std::vector<PlanRules>* lane_plans() const override { return in_lanes_ ? rules_ : nullptr; }
    void finish_path(std::uint64_t path, const TradeOutcome* outcomes, double terminal_log_price) override;

    /// After the range: what plan `plan` did on path first + i, and that path's log price at
    /// the horizon.
    const TradeOutcome& outcome(std::size_t i, std::size_t plan) const {
        return outcomes_[i * trackers_.size() + plan];
    }
    double terminal_log_price(std::size_t i) const { return terminal_[i]; }

  private:
    void refresh(std::size_t plan, int lane);
    void refresh_forced(std::size_t plan, int lane);

    const std::vector<PlanRules>* rules_;
    std::vector<Monitoring> policies_;  ///< per plan
    bool in_lanes_ = false;
    std::vector<std::array<PlanTracker, kLanes>> trackers_;
    std::vector<LaneWatch> watches_;
    std::vector<std::array<int, kLanes>> forced_;  // [plan][lane]: kernel step, or never
    std::array<std::uint64_t, kLanes> path_{};
    std::array<int, kLanes> origin_{};
    unsigned running_ = 0;
    std::uint64_t first_ = 0;
    std::vector<TradeOutcome> outcomes_;  // [path − first][plan]
    std::vector<double> terminal_;        // [path − first]
};

}  // namespace thesis
