#pragma once
// The Brownian bridge between two observations, for orders that rest in the book between them
// (continuous and session monitoring, trade.h). Pure functions of the bridge's ends, its variance
// and uniforms; the plan's walk over a step (PlanTracker) is built from them.
//
// In log space the diffusion over a step is a Brownian motion; given where it starts (a) and ends
// (b) it is a Brownian bridge with variance v = σ²Δt. Everything below follows from its law:
//  - visiting a level L beyond both ends: P(min ≤ L | a, b) = exp(−2(a − L)(b − L)/v) for L below,
//    and the mirror image above (Glasserman, "Monte Carlo Methods in Financial Engineering",
//    2004, §6.4; the reflection principle);
//  - its value at the middle of the step: normal, mean (a + b)/2, variance v/4, and given that
//    value the two halves are independent bridges of variance v/2 each (the Lévy construction of
//    Brownian motion; Glasserman §3.1.1).

#include "thesis/math/rng.h"

#include <cstdint>

namespace thesis {

/// The bridge's minimum, sampled by inverting P(min ≤ m) = exp(−2(a − m)(b − m)/v) with the
/// uniform u: m = (a + b − √((a − b)² − 2v ln u))/2 (as QuantLib's BarrierPathPricer).
double bridge_low(double a, double b, double v, double u);
/// The maximum, the mirror image: M = (a + b + √((a − b)² − 2v ln u))/2.
double bridge_high(double a, double b, double v, double u);
/// The same given −ln u (when it is known already), with the same bits.
double bridge_low_at(double a, double b, double v, double minus_log_u);
double bridge_high_at(double a, double b, double v, double minus_log_u);

/// −ln ε for the ε below which a visit is treated as impossible: a level the bridge visits with
/// probability under e^−40 ≈ 4.2e−18 never changes which order fills first (trade.cpp's walk).
inline constexpr double kBridgeReach = 40;

/// Whether the bridge from a to b (variance v) visits `level` with probability at least
/// e^−kBridgeReach: the level lies between the ends, or 2(a − L)(b − L) ≤ kBridgeReach·v.
inline bool bridge_may_visit(double a, double b, double v, double level) {
    return (a - level) * (b - level) <= 0 || 2 * (a - level) * (b - level) <= kBridgeReach * v;
}

/// The extra draws a step's walk takes when it must split the bridge (midpoints, and the extremes
/// of the halves): a generator of its own per (seed, path, step), so the draws depend on neither
/// the order the engine shows steps in nor on whether a SIMD lane or a tracker plays the plan.
/// Step k's stream is 64 + 32k: rng.h's streams and their slow-path sequences (stream + 16) are
/// below 32, and a refinement stream's slow path (+16) falls between two refinement streams.
inline PathRandom refinement_random(std::uint64_t seed, std::uint64_t path, int step) {
    const auto stream = 64u + 32u * static_cast<std::uint32_t>(step);
    return PathRandom(seed, path, static_cast<RandomStream>(stream));
}

}  // namespace thesis
