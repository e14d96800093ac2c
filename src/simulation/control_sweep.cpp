// The control variate's per-path sum, once per SIMD level (control_sweep.h), as the path kernel
// (path_kernel.cpp) and randomised QMC (rqmc_levels.cpp) are. On the seed's tolerance run the
// AVX-512 level took a fifth off the whole process's CPU time against portable SSE2
// (docs/performance.md).
#include "control_sweep.h"

#include "math/simd_target.h"
#include "thesis/math/simd.h"

#include <algorithm>
#include <cstring>

namespace thesis::portable_sweep {
namespace {
#include "control_sweep_body.inc"
}  // namespace
}  // namespace thesis::portable_sweep

#if defined(THESIS_SIMD_DISPATCH)

THESIS_SIMD_TARGET_BEGIN("avx2")
namespace thesis::avx2_sweep {
namespace {
#include "control_sweep_body.inc"
}  // namespace
}  // namespace thesis::avx2_sweep
THESIS_SIMD_TARGET_END

THESIS_SIMD_TARGET_BEGIN("avx512f,avx512dq")
namespace thesis::avx512_sweep {
namespace {
#include "control_sweep_body.inc"
}  // namespace
}  // namespace thesis::avx512_sweep
THESIS_SIMD_TARGET_END
#endif

namespace thesis::detail {

void sweep_terms(const TableRead& read, const double* x, const double* xi, const double* xi2, int from,
                 int to, ControlValues& sum) {
#if defined(THESIS_SIMD_DISPATCH)
    switch (current_simd_level()) {
        case SimdLevel::Avx512: return avx512_sweep::sweep_terms(read, x, xi, xi2, from, to, sum);
        case SimdLevel::Avx2: return avx2_sweep::sweep_terms(read, x, xi, xi2, from, to, sum);
        case SimdLevel::Portable: break;
    }
#endif
    portable_sweep::sweep_terms(read, x, xi, xi2, from, to, sum);
}

}  // namespace thesis::detail
