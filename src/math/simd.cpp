// The SIMD level the engines run (simd.h).
#include "thesis/math/simd.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iterator>
#include <stdexcept>
#include <string>

namespace thesis {

namespace {
constexpr std::string_view kLevelNames[] = {"portable", "avx2", "avx512"};

bool cpu_has(std::string_view level) {
    if (level == "portable") return true;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (level == "avx2") return __builtin_cpu_supports("avx2");
    if (level == "avx512") return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
#endif
    return false;
}

int index_of(std::string_view name) {
    return static_cast<int>(std::find(std::begin(kLevelNames), std::end(kLevelNames), name) -
                            std::begin(kLevelNames));
}

int best_level() {
    if (const char* forced = std::getenv("THESIS_SIMD"); forced && cpu_has(forced)) return index_of(forced);
    // AVX2 is not picked by itself: sixteen 256-bit registers hold too little of the kernel's
    // state (eight lanes of xoshiro256++ alone take eight), and on the project's machine its
    // spills made W1 slower than the SSE2 code (README, Performance). THESIS_SIMD=avx2 still
    // runs it, with the same bits.
    if (cpu_has("avx512")) return index_of("avx512");
    return index_of("portable");
}

std::atomic<int> g_level{-1};  // index into kLevelNames, −1 until chosen

int level_index() {
    int index = g_level.load(std::memory_order_relaxed);
    if (index < 0) {
        index = best_level();
        g_level.store(index, std::memory_order_relaxed);
    }
    return index;
}
}  // namespace

std::string_view simd_level() { return kLevelNames[level_index()]; }

SimdLevel current_simd_level() { return static_cast<SimdLevel>(level_index()); }

bool simd_level_available(std::string_view name) { return cpu_has(name); }

void set_simd_level(std::string_view name) {
    if (index_of(name) == static_cast<int>(std::size(kLevelNames)) || !cpu_has(name))
        throw std::invalid_argument("this CPU cannot run SIMD level " + std::string(name));
    g_level.store(index_of(name), std::memory_order_relaxed);
}

}  // namespace thesis
