// The engine's inner loop: kLanes paths at once, one per SIMD lane, stepped together.
//
// Each lane is one path with its own xoshiro256++ streams (rng.h), so a lane computes exactly
// what a scalar PathRandom of that path would: the lanes are a schedule, not an approximation.
// Per step, in every lane: a ziggurat normal (drawn 32 steps ahead by its fast path: one 64-bit
// word, the layer's two edges, a multiply and a compare; the 0.12% that fail it are finished
// after the block on the slow path, in vectors, round r taking each lane's r-th), the log-price
// update, and one compare against the levels all plans watch together (LaneWatch). Only when a
// jump arrives, an event fires, a plan's level is reached or a block of normals ends does the
// step loop leave the vectors. No path is stored: a lane holds a few hundred bytes of state.
//
// A lane runs one path after another: when its path is over — at the horizon, or once the
// observer has settled and the model has a closed form for the price at the horizon — it takes
// the next path of the range at the next block boundary. Each path's draws come from its own
// streams, so which lane ran it, and when, changes nothing.
//
// Plans: the observer's PlanTrackers are called where a level is reached. The plans most theses
// hold (market or limit entries, fixed stops and targets, discrete monitoring) the kernel plays
// itself instead, in vectors (PlanLanes): each look applies the plan's rules to all lanes at
// once. With one such plan, no touch odds and no events under GBM, the AVX-512 step loop goes
// further and plays the plan in mask registers at every step (play_in_loop), so fills and exits
// no longer leave the loop at all; a path that exits ends at its exit when the engine next looks.
// All three give the same outcomes bit for bit (tests/test_plan_lanes.cpp).
//
// The vectors are GCC/Clang vector extensions of kLanes doubles: the compiler maps them onto
// AVX-512 (one register), AVX2 (two) or SSE2 (four). The same source is compiled three times, under
// target pragmas, and one is picked at run time from the CPU (simd_level()). They give the same
// bits: the work is +, −, ×, compares, bit operations, integer shifts and loads (table look-ups
// included), which IEEE 754 and two's complement define exactly, in the same order in every
// version; -ffp-contract=off (CMakeLists.txt) stops the compiler fusing a·b + c into an FMA with
// one rounding fewer; and everything else (the ziggurat's tail and undecided wedge points, logs,
// exps, square roots of the bridge) is scalar code shared by all three. The test "every SIMD level
// gives the same bits" checks it.

#include "math/simd_target.h"
#include "thesis/math/bridge.h"
#include "thesis/simulation/detail/plan_tracker.h"
#include "thesis/simulation/path.h"
#include "thesis/simulation/trade.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <numbers>
#include <optional>
#include <stdexcept>
#include <string>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#if defined(__GNUC__)
// Vectors of 64 bytes change the calling convention between SIMD levels; GCC and Clang warn about
// it on every function that takes one. Here every such function is inlined into its caller (or
// takes arrays), so no call crosses levels.
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

// After the pragma: the models' LaneState members take vectors too.
#include "thesis/simulation/detail/price_models.h"

// One compilation of the kernel per SIMD level. A target pragma (GCC) or attribute region
// (Clang) makes every function of the included body use that level's instructions; only the
// chosen level's code ever runs (simd_level()).
#define THESIS_VECTOR_INLINE [[gnu::always_inline]] inline

namespace thesis::portable {
namespace {
#define THESIS_KERNEL_LEVEL 1
#include "path_kernel_body.inc"
#undef THESIS_KERNEL_LEVEL
}  // namespace
}  // namespace thesis::portable

#if defined(THESIS_SIMD_DISPATCH)

THESIS_SIMD_TARGET_BEGIN("avx2")
namespace thesis::avx2 {
namespace {
#define THESIS_KERNEL_LEVEL 2
#include "path_kernel_body.inc"
#undef THESIS_KERNEL_LEVEL
}  // namespace
}  // namespace thesis::avx2
THESIS_SIMD_TARGET_END

THESIS_SIMD_TARGET_BEGIN("avx512f,avx512dq")
namespace thesis::avx512 {
namespace {
#define THESIS_KERNEL_LEVEL 3
#include "path_kernel_body.inc"
#undef THESIS_KERNEL_LEVEL
}  // namespace
}  // namespace thesis::avx512
THESIS_SIMD_TARGET_END
#endif

namespace thesis {
namespace {

using Kernel = void (*)(const PathGenerator::Constants&, std::uint64_t, std::uint64_t, LaneObserver&,
                        PathBatch*, CloseTape*);
using NormalsKernel = void (*)(std::uint64_t, std::uint64_t, RandomStream, int, double*);
using SumKernel = double (*)(std::uint64_t, std::uint64_t, int);

struct Level {
    Kernel kernel;
    NormalsKernel normals;
    SumKernel sum;
};

// The kernel of the SIMD level simd.h chose.
Level current_level() {
#if defined(THESIS_SIMD_DISPATCH)
    switch (current_simd_level()) {
        case SimdLevel::Avx512: return {avx512::kernel, avx512::normals_of, avx512::normals_sum};
        case SimdLevel::Avx2: return {avx2::kernel, avx2::normals_of, avx2::normals_sum};
        case SimdLevel::Portable: break;
    }
#endif
    return {portable::kernel, portable::normals_of, portable::normals_sum};
}

}  // namespace

void lane_normals(std::uint64_t seed, std::uint64_t first_path, RandomStream stream, int count, double* out) {
    current_level().normals(seed, first_path, stream, count, out);
}

double lane_normals_sum(std::uint64_t seed, std::uint64_t first_path, int count) {
    return current_level().sum(seed, first_path, count);
}

void PathGenerator::simulate(std::uint64_t first, std::uint64_t last, LaneObserver& observer) const {
    if (first < last) current_level().kernel(c_, first, last, observer, nullptr, nullptr);
}

void PathGenerator::simulate(std::uint64_t first, std::uint64_t last, LaneObserver& observer,
                             CloseTape& tape) const {
    if (first < last) current_level().kernel(c_, first, last, observer, nullptr, &tape);
}

void PathGenerator::simulate_recorded(std::uint64_t first, LaneObserver& observer, PathBatch& record) const {
    current_level().kernel(c_, first, first + kLanes, observer, &record, nullptr);
}

}  // namespace thesis
