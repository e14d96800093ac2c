#pragma once
// Regions of code compiled for one SIMD level (simd.h): between THESIS_SIMD_TARGET_BEGIN("avx2")
// and THESIS_SIMD_TARGET_END every function uses that level's instructions, by a target pragma
// (GCC) or an attribute region (Clang). The code compiled once per level (path_kernel.cpp,
// rqmc_levels.cpp) includes its body between them, inside a namespace of its own per level.
// THESIS_SIMD_DISPATCH: this compiler and CPU family have the levels beyond portable.

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define THESIS_SIMD_DISPATCH 1
#define THESIS_SIMD_PRAGMA(text) _Pragma(#text)
#if defined(__clang__)
#define THESIS_SIMD_TARGET_BEGIN(isa) \
    THESIS_SIMD_PRAGMA(clang attribute push(__attribute__((target(isa))), apply_to = function))
#define THESIS_SIMD_TARGET_END THESIS_SIMD_PRAGMA(clang attribute pop)
#else
#define THESIS_SIMD_TARGET_BEGIN(isa) THESIS_SIMD_PRAGMA(GCC push_options) THESIS_SIMD_PRAGMA(GCC target(isa))
#define THESIS_SIMD_TARGET_END THESIS_SIMD_PRAGMA(GCC pop_options)
#endif
#endif
