#pragma once
// The value types of a thesis as written in a scenario file: the stock, the opportunity the
// thesis hinges on, named valuation scenarios, named trade plans, a price model and simulation
// settings. Plain aggregates with in-class defaults; the loader fills them, the engines read them.

#include "thesis/core/plan.h"
#include "thesis/core/units.h"

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace thesis {

/// What the market says about the stock today. EPS, shares and earnings are derived
/// (valuation.h), not stored: price = EPS × P/E and market cap = price × shares.
struct Stock {
    std::string name;
    std::string ticker;
    Date valuation_date{};
    Price price = 0;  ///< spot price per share
    Multiple pe = 0;  ///< trailing price/earnings; 0 when not meaningful (EPS ≤ 0)
    /// Trailing EPS as written, instead of `pe` (it may be negative or zero: a loss-making
    /// company has no meaningful P/E). Without it, EPS = price / P/E.
    std::optional<double> eps;
    /// Forward (next-year) EPS, written or as price / forward P/E: the EPS a scenario's multiple
    /// applies to when trailing earnings are negative.
    std::optional<double> forward_eps;
    Multiple sector_pe = 0;  ///< sector average P/E, where a re-rating would converge
    Amount market_cap = 0;
    std::optional<Amount> revenue;  ///< annual revenue (sales)
    Fraction net_margin = 0;        ///< earnings / revenue, turns a revenue change into EPS
    std::optional<double> shares;   ///< shares outstanding, if known (audited against the cap)
    /// Continuous annual dividend yield: what prices a hedge's options (Black–Scholes–Merton).
    Fraction dividend_yield = 0;
};

/// The revenue opportunity the thesis hinges on (for the seed: partial re-entry into China).
struct Opportunity {
    std::string description;
    Amount revenue_unlock = 0;                                        ///< annual revenue the event would add
    std::optional<Amount> addressable_market;                         ///< the market the unlock comes from
    std::optional<Fraction> share_of_sales_low, share_of_sales_high;  ///< of annual sales
    std::optional<Amount> writeoff;  ///< one-off charge already in trailing earnings
};

/// How a named scenario moves the valuation. Any one or two levers may be set; the engine derives
/// the rest (valuation.h). A price-type lever alone keeps EPS; an EPS-type lever alone keeps the
/// multiple.
struct ScenarioLevers {
    std::optional<Price> price;     ///< the scenario's price per share
    std::optional<double> eps;      ///< the scenario's EPS, absolute
    std::optional<Amount> revenue;  ///< the scenario's annual revenue (× net margin ÷ shares → EPS)
    std::optional<Fraction> price_change;  ///< -0.40 for a 40% drop
    std::optional<Multiple> multiple;      ///< P/E the market pays in the scenario
    std::optional<Fraction> eps_change;    ///< EPS growth, 0.10 for +10%
    std::optional<Amount> revenue_change;  ///< added annual revenue (× net margin → EPS)
};

struct Scenario {
    std::string name;
    std::string description;
    double probability = 0;
    ScenarioLevers levers;
    std::optional<Fraction> claimed_return;  ///< a return the thesis quotes for it, to audit
    Stock stock;                             ///< the base stock with this scenario's overrides
    /// The scenarios price model (PriceModel): when a path of this scenario lands at its price, in
    /// years from the valuation date (default: the simulation's horizon), and the standard
    /// deviation of the log landing price (default: the model's volatility × √by).
    std::optional<Years> by;
    std::optional<double> dispersion;
};

/// A named catalyst: fires with a probability at a date or uniformly in a window, moving the
/// price by a log-normal jump (log-return mean and sd). Used by the Monte Carlo engine.
struct CatalystEvent {
    std::string name;
    std::string description;
    double probability = 0;
    Years window_start = 0, window_end = 0;  ///< from the valuation date; equal for a fixed date
    double jump_mean = 0;                    ///< mean of the log-return jump
    double jump_sd = 0;
    bool unlocks_revenue = false;  ///< in fundamentals mode: the unlock arrives as EPS
    /// The scenarios whose paths it may fire on (empty: every path). Under the scenarios model it
    /// fires with its probability on those paths only; under another model, which draws no
    /// scenario, with its probability times theirs (the same share of all paths).
    std::vector<std::string> scenarios;
};

/// gbm and merton: a typed drift; fundamentals: price = EPS × P/E; scenarios: each path draws a
/// valuation scenario by its probability and travels to its price (path.h).
enum class ModelKind { Gbm, Merton, Fundamentals, Scenarios };
/// Each kind's name (model.kind in a scenario file), in ModelKind's order. The simulation's side
/// of each model is one type in thesis/simulation/detail/price_models.h.
inline constexpr std::array<std::string_view, 4> kModelNames{"gbm", "merton", "fundamentals", "scenarios"};
/// How orders see the price between observations (trade.h): close-only, a continuous diffusion,
/// or trading sessions with an overnight gap.
enum class Monitoring { Discrete, Continuous, Sessions };
/// How the simulation draws the diffusion's normals: Monte Carlo (pseudo-random, iid paths);
/// randomised quasi-Monte Carlo (scrambled Sobol' points through a Brownian bridge, rqmc.h); or
/// antithetic pairs (paths 2k and 2k + 1 take opposite normals and scenario draws). The last two
/// take their error bars from independent replicates (SimulationSettings::replicates).
enum class SimulationMethod { Mc, Rqmc, Antithetic };

/// Whether a method's paths are not independent, so that its error bars come from replicates.
constexpr bool replicated(SimulationMethod m) { return m != SimulationMethod::Mc; }

/// What the simulation subtracts from each path's outcome to shrink its error bar: nothing, or
/// (martingale) the sum over the path's steps of each step's normal times the plan's value
/// tables' coefficient there, whose mean is zero (simulation/control_variate.h).
enum class ControlVariate { None, Martingale };

/// Price dynamics for the simulation, all in log space.
struct PriceModel {
    ModelKind kind = ModelKind::Gbm;
    double drift = 0;       ///< μ in dS/S = μ dt + σ dW, annualised
    double volatility = 0;  ///< σ, annualised
    // Merton jumps: Poisson intensity per year, log-normal jump sizes (log-return mean, sd).
    double jump_intensity = 0, jump_mean = 0, jump_sd = 0;
    // Fundamentals mode: price = EPS × P/E.
    Years multiple_half_life = 1;    ///< log multiple reverts to the sector P/E at this half-life
    double multiple_volatility = 0;  ///< of the log multiple
    double eps_growth = 0;           ///< expected EPS growth per year
    double eps_volatility = 0;
    double eps_multiple_correlation = 0;
    std::vector<CatalystEvent> events;
};

struct SimulationSettings {
    std::uint64_t paths = 200'000;
    std::uint64_t seed = 1;
    Years horizon = 1;
    int steps_per_year = 252;
    /// Sessions by default: stops rest in the book, fill at their level during a session and past
    /// it only when the price opens (or jumps) beyond them, as real stop orders do.
    Monitoring monitoring = Monitoring::Sessions;
    /// Sessions: the share of a step's variance that accrues overnight, between the close and the
    /// next open. Studies of US stocks put the close-to-open share of daily return variance at
    /// roughly a fifth to a third (e.g. Hansen & Lunde, "A realized variance for the whole day
    /// based on intermittent high-frequency data", J. Financial Econometrics 3(4), 2005, on the
    /// Dow Jones stocks); 25% is a middle value. Set it from the stock's own opens and closes.
    Fraction overnight_variance_share = 0.25;
    /// A stop that fills further than this past its level (at a close, an open, or after a jump)
    /// is reported as a gap through the stop.
    Fraction gap_threshold = 0.01;
    /// Whether to measure the odds that each plan's stop and target levels are touched over its
    /// horizon. Off, a path needs no steps after its plans are over, and the engine ends it there
    /// (PathGenerator::simulate): about twice as fast for plans with a stop and a target.
    bool touch_odds = true;
    /// Continuously compounded annual risk-free rate: what prices a hedge's options. It does not
    /// move the simulated price (the model's drift does).
    double risk_free_rate = 0;
    SimulationMethod method = SimulationMethod::Mc;
    /// rqmc and antithetic: the independent replicates (rqmc: scrambles) the paths are split
    /// among (paths / replicates each); their spread is the error bar. 1 is one replicate alone
    /// (each of MonteCarlo's own replicates).
    int replicates = 16;
    /// martingale: P(target), P(stop) and E[P&L] per share of each plan take a control variate
    /// (method mc, GBM, discrete monitoring, plans with fixed levels).
    ControlVariate control_variate = ControlVariate::None;
};

/// One thesis: everything a scenario file says.
struct Thesis {
    std::string source;  ///< file name (or "<built-in>") for messages
    Stock stock;
    Opportunity opportunity;
    std::vector<Scenario> scenarios;
    std::vector<Plan> plans;
    PriceModel model;
    SimulationSettings simulation;
    /// Key paths of values the file marks `!assumption` (not from the source), with their text.
    std::map<std::string, std::string> assumptions;

    const Scenario* find_scenario(std::string_view name) const;
    const Plan* find_plan(std::string_view name) const;
};

std::string_view to_string(ModelKind kind);
std::string_view to_string(Monitoring monitoring);
/// "mc", "rqmc" or "antithetic": simulation.method's spelling.
std::string_view to_string(SimulationMethod method);
/// "none" or "martingale": simulation.control_variate's spelling.
std::string_view to_string(ControlVariate control);
/// "discrete", "continuous" or "sessions"; nullopt for anything else.
std::optional<Monitoring> monitoring_from_string(std::string_view name);

}  // namespace thesis
