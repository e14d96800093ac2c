#pragma once
// The rest of randomised quasi-Monte Carlo besides the points (sobol.h): normals from uniforms by
// the inverse CDF, a Brownian path built coarse to fine from them, and the estimate of a mean
// from independent randomisations with its error bar.

#include "thesis/math/sobol.h"
#include "thesis/math/statistics.h"

#include <cstdint>

#include <span>
#include <vector>

namespace thesis {

/// Φ⁻¹(p), the standard normal quantile, for 0 < p < 1: M. J. Wichura, "Algorithm AS 241: the
/// percentage points of the normal distribution", Applied Statistics 37(3), 1988 (PPND16: rational
/// approximations with a relative error of about 1e−16, on |p − ½| ≤ 0.425, then in
/// r = √(−ln min(p, 1 − p)) up to 5 and past it). Throws std::invalid_argument outside (0, 1).
/// Example: normal_quantile(0.975) ≈ 1.959963984540054.
double normal_quantile(double p);

/// normal_quantile of each p, into out (the same size), bit for bit, in vectors (simd.h): its
/// logarithm is arithmetic, not the library's. Throws std::invalid_argument for a p outside (0, 1).
void normal_quantiles(std::span<const double> p, std::span<double> out);

/// A Brownian path on steps 1..n built coarse to fine (the Brownian-bridge construction;
/// Glasserman, Monte Carlo Methods in Financial Engineering, 2004, §3.1.2): normal 0 places the
/// end, W(n) = √n·z₀, and each next normal the midpoint of an interval whose ends are known,
/// W(m) = ((b − m)W(a) + (m − a)W(b))/(b − a) + √((m − a)(b − m)/(b − a))·z. The first
/// normals then decide the path's large moves, where a low-discrepancy point is most even; the
/// law is the same as summing the normals step by step.
class BrownianBridge {
  public:
    /// Throws std::invalid_argument unless steps ≥ 1.
    explicit BrownianBridge(int steps);

    int steps() const { return static_cast<int>(sd_.size()); }

    /// The steps' increments W(k) − W(k − 1), k = 1..n, into `increments` (each N(0, 1) and
    /// independent, as the normals are), from n standard normals in construction order. Both
    /// spans hold steps() values; `work` holds steps() + 1. Const: one bridge serves all threads.
    void increments(std::span<const double> normals, std::span<double> increments,
                    std::span<double> work) const;
    /// The same with work space of its own.
    void increments(std::span<const double> normals, std::span<double> increments) const;

  private:
    // The path in construction order: value 0 is W(0) = 0, value i + 1 is set by normal i from
    // values left_[i] and right_[i] of earlier levels, a level's points one after another
    // (level_begin_), so a level is one loop without dependencies: vectors (rqmc_levels.cpp).
    // position_[k]: the value that holds W(k).
    std::vector<int> level_begin_, left_, right_, position_;
    std::vector<double> left_weight_, right_weight_, sd_;
};

/// One randomisation's paths as the engine reads them (simulation.method: rqmc): path p's n
/// standard normal increments from coordinates lead … lead + n − 1 of point p of a scrambled
/// Sobol' set in min(lead + n, 3,667) dimensions, through the inverse CDF (normal_quantile) and
/// the Brownian bridge. Past 3,667 steps the bridge's finest normals come from
/// PathRandom(seed, p, Diffusion), which keeps every path's law exact. The same (steps, seed, p)
/// give the same bits everywhere, at every SIMD level (simd.h).
class SobolBridgeNormals {
  public:
    /// A thread's work space for increments(): the last point's coordinates before the scramble,
    /// so that the next point in order costs a few XORs a coordinate (SobolPoints::advance), and
    /// buffers. Any point may follow any other; consecutive ones are cheapest.
    class Workspace {
      public:
        explicit Workspace(const SobolBridgeNormals& normals);

      private:
        friend class SobolBridgeNormals;
        std::uint32_t point_ = 0;         ///< the point raw_ holds (point 0: every coordinate 0)
        std::vector<std::uint32_t> raw_;  ///< its coordinates before the scramble
        std::vector<double> uniforms_;    ///< the scrambled point
        std::vector<double> normals_;     ///< the bridge's normals in construction order
        std::vector<double> path_;        ///< the bridge's values (BrownianBridge::increments)
    };

    /// `lead`: coordinates before the bridge's, for what else a path draws first (the scenarios
    /// model's scenario and landing: lead_uniform). Throws std::invalid_argument unless steps ≥ 1
    /// and 0 ≤ lead ≤ 8.
    SobolBridgeNormals(int steps, std::uint64_t seed, int lead = 0);

    int steps() const { return bridge_.steps(); }
    int lead() const { return lead_; }

    /// Coordinate k < lead() of path `point`'s point: uniform on (0, 1).
    double lead_uniform(std::uint64_t point, int k) const;

    /// Path `point`'s increments into `out` (steps() values), with `work` made for this object.
    /// Throws std::invalid_argument for a point past 2^32 − 1 (Sobol's points are 32-bit).
    void increments(std::uint64_t point, std::span<double> out, Workspace& work) const;

  private:
    ScrambledSobol sobol_;
    BrownianBridge bridge_;
    std::uint64_t seed_;
    int lead_;
};

/// The mean of independent, identically distributed estimates (one per randomisation of a
/// randomised QMC point set), with its standard error s/√R and a 95% interval from Student's t
/// with R − 1 degrees of freedom (exact for normal estimates; each randomisation's estimate is an
/// average of many points). Throws std::invalid_argument for fewer than 2 estimates.
/// Example: {1, 2, 3} → value 2, std_error 0.577, interval 2 ± 4.303 × 0.577.
Estimate replicate_estimate(std::span<const double> estimates);

}  // namespace thesis
