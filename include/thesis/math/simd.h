#pragma once
// Which SIMD instructions the engines' vector code runs: a property of the machine, shared by the
// path kernel (path_kernel.cpp) and the randomised-QMC normals (rqmc_levels.cpp). Each such piece
// of code is compiled once per level and gives the same bits at every level (+, −, ×, ÷, √,
// compares and integer operations, in the same order, without fused multiply-adds), so the
// choice changes the speed only.

#include <string_view>

namespace thesis {

/// The SIMD levels, slowest first.
enum class SimdLevel { Portable = 0, Avx2 = 1, Avx512 = 2 };

/// The level the engines run ("avx512", "avx2" or "portable"): AVX-512 if the CPU has it, else
/// portable (AVX2 measured slower than portable: path_kernel.cpp), or THESIS_SIMD from the
/// environment if set to one of those (for tests and benchmarks). Every choice gives the same
/// bits.
std::string_view simd_level();
/// simd_level() as the enum, for the code that dispatches on it.
SimdLevel current_simd_level();
/// Whether this CPU can run a SIMD level ("portable" always).
bool simd_level_available(std::string_view name);
/// Switches every later computation to a SIMD level; throws std::invalid_argument if the CPU
/// cannot run it. For the tests and the benchmark.
void set_simd_level(std::string_view name);

}  // namespace thesis
