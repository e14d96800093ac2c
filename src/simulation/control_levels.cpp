// The control variate's vector loops, once per SIMD level (control_levels.h), as the path kernel
// (path_kernel.cpp) and randomised QMC (rqmc_levels.cpp) are. On the seed's tolerance run the
// AVX-512 level of the per-path sum took a fifth off the whole process's CPU time against
// portable SSE2 (docs/performance.md).
#include "control_levels.h"

#include "math/simd_target.h"
#include "thesis/math/simd.h"

#include <algorithm>
#include <cstring>

namespace thesis::portable_control {
namespace {
#include "control_level_body.inc"
}  // namespace
}  // namespace thesis::portable_control

#if defined(THESIS_SIMD_DISPATCH)

THESIS_SIMD_TARGET_BEGIN("avx2")
namespace thesis::avx2_control {
namespace {
#include "control_level_body.inc"
}  // namespace
}  // namespace thesis::avx2_control
THESIS_SIMD_TARGET_END

THESIS_SIMD_TARGET_BEGIN("avx512f,avx512dq")
namespace thesis::avx512_control {
namespace {
#include "control_level_body.inc"
}  // namespace
}  // namespace thesis::avx512_control
THESIS_SIMD_TARGET_END
#endif

namespace thesis::detail {

void convolve_values(const ConvolutionWeights& w, const double* after, int pad, std::size_t n, double* value,
                     double* slope) {
#if defined(THESIS_SIMD_DISPATCH)
    switch (current_simd_level()) {
        case SimdLevel::Avx512: return avx512_control::convolve_values(w, after, pad, n, value, slope);
        case SimdLevel::Avx2: return avx2_control::convolve_values(w, after, pad, n, value, slope);
        case SimdLevel::Portable: break;
    }
#endif
    portable_control::convolve_values(w, after, pad, n, value, slope);
}

void sweep_terms(const TableRead& read, const double* x, const double* xi, const double* xi2, int from,
                 int to, ControlValues& sum) {
#if defined(THESIS_SIMD_DISPATCH)
    switch (current_simd_level()) {
        case SimdLevel::Avx512: return avx512_control::sweep_terms(read, x, xi, xi2, from, to, sum);
        case SimdLevel::Avx2: return avx2_control::sweep_terms(read, x, xi, xi2, from, to, sum);
        case SimdLevel::Portable: break;
    }
#endif
    portable_control::sweep_terms(read, x, xi, xi2, from, to, sum);
}

}  // namespace thesis::detail
