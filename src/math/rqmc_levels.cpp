// The vector parts of randomised QMC, once per SIMD level (rqmc_levels.h). The same source
// (rqmc_level_body.inc) is compiled under each level's target pragma, inside its own namespace,
// as the path kernel is (path_kernel.cpp), and gives the same bits at each: the arithmetic is
// rqmc_arithmetic.inc's, which the scalar functions share.
#include "rqmc_levels.h"
#include "simd_target.h"

#include "thesis/math/simd.h"

#include <bit>
#include <cmath>
#include <cstdint>

namespace thesis::portable_rqmc {
namespace {
#include "rqmc_level_body.inc"
}  // namespace
}  // namespace thesis::portable_rqmc

#if defined(THESIS_SIMD_DISPATCH)

THESIS_SIMD_TARGET_BEGIN("avx2")
namespace thesis::avx2_rqmc {
namespace {
#include "rqmc_level_body.inc"
}  // namespace
}  // namespace thesis::avx2_rqmc
THESIS_SIMD_TARGET_END

THESIS_SIMD_TARGET_BEGIN("avx512f,avx512dq")
namespace thesis::avx512_rqmc {
namespace {
#include "rqmc_level_body.inc"
}  // namespace
}  // namespace thesis::avx512_rqmc
THESIS_SIMD_TARGET_END
#endif

namespace thesis::detail {

namespace {
// One level's functions, and the level simd.h chose.
struct Level {
    decltype(&portable_rqmc::scrambled_uniforms) scrambled_uniforms;
    decltype(&portable_rqmc::normal_quantiles) normal_quantiles;
    decltype(&portable_rqmc::bridge_increments) bridge_increments;
};

Level current_level() {
#if defined(THESIS_SIMD_DISPATCH)
    switch (current_simd_level()) {
        case SimdLevel::Avx512:
            return {avx512_rqmc::scrambled_uniforms, avx512_rqmc::normal_quantiles,
                    avx512_rqmc::bridge_increments};
        case SimdLevel::Avx2:
            return {avx2_rqmc::scrambled_uniforms, avx2_rqmc::normal_quantiles, avx2_rqmc::bridge_increments};
        case SimdLevel::Portable: break;
    }
#endif
    return {portable_rqmc::scrambled_uniforms, portable_rqmc::normal_quantiles,
            portable_rqmc::bridge_increments};
}
}  // namespace

void scrambled_uniforms(std::uint32_t index, const std::uint32_t* raw, const std::uint32_t* addend,
                        const std::uint32_t* multiplier, const std::uint32_t* trail_key, int count,
                        double* out) {
    current_level().scrambled_uniforms(index, raw, addend, multiplier, trail_key, count, out);
}

void normal_quantiles(const double* p, int count, double* out) {
    current_level().normal_quantiles(p, count, out);
}

void bridge_increments(const BridgeTables& tables, const double* normals, double* values, double* out) {
    current_level().bridge_increments(tables, normals, values, out);
}

}  // namespace thesis::detail
