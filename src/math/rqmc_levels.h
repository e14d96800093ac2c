#pragma once
// The vector parts of randomised QMC (sobol.cpp, rqmc.cpp), compiled once per SIMD level
// (rqmc_levels.cpp) and run at the level simd.h chose; every level gives the same bits as the
// scalar functions (rqmc_arithmetic.inc). Private to src/math.

#include <cstdint>

namespace thesis::detail {

/// out[j] = coordinate j of scrambled point `index` (ScrambledSobol::uniform) from raw[j], its
/// coordinate before the scramble, and dimension j's keys, for j < count.
void scrambled_uniforms(std::uint32_t index, const std::uint32_t* raw, const std::uint32_t* addend,
                        const std::uint32_t* multiplier, const std::uint32_t* trail_key, int count,
                        double* out);

/// out[i] = normal_quantile(p[i]) for i < count, each p in (0, 1) (not checked here).
void normal_quantiles(const double* p, int count, double* out);

/// A Brownian bridge's construction (BrownianBridge, rqmc.h): `levels` levels, level l the
/// points level_begin[l] … level_begin[l + 1] − 1; point i sets value i + 1 of the path from
/// values left[i] and right[i] (value 0 is W(0) = 0); value position[k] holds W(k).
struct BridgeTables {
    int steps, levels;
    const int *level_begin, *left, *right, *position;
    const double *left_weight, *right_weight, *sd;
};

/// The bridge's increments from `steps` normals: values[i + 1] = (left_weight·values[left] +
/// right_weight·values[right]) + sd·normals[i] a level at a time (values: steps + 1), then
/// out[k] = W(k + 1) − W(k).
void bridge_increments(const BridgeTables& tables, const double* normals, double* values, double* out);

}  // namespace thesis::detail
