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

}  // namespace thesis::detail
