#pragma once
// Standard normals for a batch of kLanes = 8 paths at once, bit-identical whatever the SIMD width
// the compiler picks (SSE2, AVX2 or AVX-512) and equal to a scalar one-path twin (PathNormals).
//
// Same random bits as rng.h: lane l of a batch started at path p reads Philox4x32-10 (Salmon et
// al., "Parallel random numbers: as easy as 1, 2, 3", SC11) under key {seed lo, seed hi} at
// counter {path lo, path hi, draw block, stream}, with path = p + l, and maps a word w to the
// uniform (w + ½)/2³² (uniform_from_bits). The normals come in the order PathRandom::normal()
// returns them: per block r(w0)·cos 2πw1, r(w0)·sin 2πw1, r(w2)·cos 2πw3, r(w2)·sin 2πw3
// (Box & Muller 1958). Only the log, sin and cos differ: they are the polynomials below instead
// of libm, so a lane normal agrees with PathRandom's to ~2e-15 absolute, not bit for bit.
//
// Why bit-identical: the floating-point path uses only +, −, ×, ÷ and sqrt, which IEEE 754 rounds
// correctly, so a vector lane rounds exactly as a scalar does; the rest is integer and bit work.
// The order of evaluation is fixed, selects are bit masks, and there is no libm call and no
// data-dependent branch. Two build rules keep it so:
//  * -ffp-contract=off. GCC contracts a·b + c into one FMA (one rounding instead of two) in C++
//    under every -std whenever FMA instructions are enabled (-mavx512f, -mfma, -march=haswell or
//    later), so a build with FMA and without this flag gives other bits. The SSE2 default has no
//    FMA, where the flag changes nothing.
//  * no -ffast-math (nor -fassociative-math): reassociation would change the sums and would fold
//    away the round-to-integer trick of fast_sincos_2pi. x87 math (-mfpmath=387) is also out.
// The test "lane normals match the recorded checksum" fails on a build that breaks either rule.
//
// How it vectorizes: the Box–Muller transform is plain loops over the lanes that GCC vectorizes
// at -O2 and -O3 with any -m flags. Two parts are written with x86 intrinsics, selected by the
// compiler's own __AVX512F__ / __AVX2__ / __SSE2__, with plain loops for other targets:
//  * Philox. GCC 12 vectorizes the plain loop (LanePhilox::next_portable), but it widens the
//    32-bit words for pmuludq and packs them back with ~12 shuffles per product, and ends up no
//    faster than scalar r123 (measured). Kept in 64-bit slots, Philox needs only pmuludq, a shift
//    and xors: 2–3× faster. Integer arithmetic is exact, so every path gives the same words.
//  * sqrt. std::sqrt may set errno, so without -fno-math-errno GCC keeps a libm call beside the
//    sqrt instruction and will not vectorize it; the sqrt*pd instructions are the same correctly
//    rounded IEEE square root, without errno.

#include "thesis/rng.h"

#include <Random123/philox.h>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace thesis {

/// Paths per batch. 8 doubles fill one AVX-512 register, two AVX2 or four SSE2 registers.
inline constexpr int kLanes = 8;

namespace lane_detail {

// Philox4x32 multipliers and Weyl key increments, as in Random123's philox.h (PHILOX_M4x32_0/1,
// PHILOX_W32_0/1); the tests compare the words with r123::Philox4x32.
inline constexpr std::uint32_t kPhiloxM0 = 0xD2511F53u;
inline constexpr std::uint32_t kPhiloxM1 = 0xCD9E8D57u;
inline constexpr std::uint32_t kPhiloxW0 = 0x9E3779B9u;   // golden ratio
inline constexpr std::uint32_t kPhiloxW1 = 0xBB67AE85u;   // √3 − 1
inline constexpr int kPhiloxRounds = 10;

// 2⁵² + 2⁵¹: adding it to |y| < 2⁵¹ rounds y to an integer (round to nearest even) that lands in
// the low mantissa bits; subtracting it again gives that integer as a double. Exact, no libm.
inline constexpr double kRoundMagic = 6755399441055744.0;
// 2⁵²: the double whose bit pattern is 0x4330000000000000; OR-ing an integer n < 2⁵² into its
// mantissa gives the double 2⁵² + n, so (that − 2⁵²) converts n exactly without cvt instructions
// (SSE2 and AVX2 have no unsigned or 64-bit integer → double conversion).
inline constexpr std::uint64_t kTwo52Bits = 0x4330000000000000u;
inline constexpr double kTwo52 = 4503599627370496.0;

}  // namespace lane_detail

/// uniform_from_bits(w), (w + ½)/2³², computed with bit operations so that it vectorizes on every
/// x86-64 level. Equal bit for bit: double(w) is exact either way, + ½ and × 2⁻³² are exact.
inline double uniform_from_bits_exact(std::uint32_t w) {
    const double wd =
        std::bit_cast<double>(lane_detail::kTwo52Bits | std::uint64_t{w}) - lane_detail::kTwo52;
    return (wd + 0.5) * (1.0 / 4294967296.0);
}

/// Natural log of a positive normal double (subnormals, 0, ∞ and NaN are not handled; uniforms
/// are ≥ 2⁻³³). Below 1 ulp in fdlibm's analysis; the tests find ≤ 1 ulp from glibc's log.
///
/// fdlibm's e_log.c (Sun Microsystems 1993, as kept in FreeBSD msun and musl): write
/// x = 2ᵏ·m with m in [√½, √2) by bit manipulation, then log x = k·ln2 + log m, and with
/// f = m − 1, s = f/(2 + f) = (m − 1)/(m + 1): log m = 2 atanh s = 2s + 2s³/3 + 2s⁵/5 + …,
/// evaluated as f − (f²/2 − s(f²/2 + R(s²))) with R a degree-14 Remez fit (error < 2⁻⁵⁸·⁴⁵)
/// so that the large terms f and f²/2 stay exact. ln2 is split hi + lo with hi's low 21 bits zero
/// so that k·ln2_hi is exact for every |k| < 2¹¹ (Cody & Waite 1980).
inline double fast_log(double x) {
    // The Remez coefficients Lg1..Lg7 and ln2_hi/lo of fdlibm e_log.c (hex words in comments).
    constexpr double kLn2Hi = 6.93147180369123816490e-01;   // 0x3FE62E42 FEE00000
    constexpr double kLn2Lo = 1.90821492927058770002e-10;   // 0x3DEA39EF 35793C76
    constexpr double kLg1 = 6.666666666666735130e-01;       // 0x3FE55555 55555593
    constexpr double kLg2 = 3.999999999940941908e-01;       // 0x3FD99999 9997FA04
    constexpr double kLg3 = 2.857142874366239149e-01;       // 0x3FD24924 94229359
    constexpr double kLg4 = 2.222219843214978396e-01;       // 0x3FCC71C5 1D8E78AF
    constexpr double kLg5 = 1.818357216161805012e-01;       // 0x3FC74664 96CB03DE
    constexpr double kLg6 = 1.531383769920937332e-01;       // 0x3FC39A09 D078C69F
    constexpr double kLg7 = 1.479819860511658591e-01;       // 0x3FC2F112 DF3E5244
    // Bit pattern of √½. Adding (1.0's pattern − √½'s pattern) to x's carries into the exponent
    // field exactly when x's significand is ≥ √2; adding √½'s pattern back to the fraction then
    // gives m = significand, or significand/2 after a carry, in [√½, √2), and k counts the
    // carry: no compare, no branch (musl's log does the same on the high word).
    constexpr std::uint64_t kSqrtHalfBits = 0x3FE6A09E667F3BCDu;
    constexpr std::uint64_t kOneBits = 0x3FF0000000000000u;
    constexpr std::uint64_t kMantissaMask = 0x000FFFFFFFFFFFFFu;

    const std::uint64_t ix = std::bit_cast<std::uint64_t>(x) + (kOneBits - kSqrtHalfBits);
    // k + 1023 as a double, converted by the 2⁵² trick (no 64-bit int → double on AVX2/SSE2).
    const double k_biased =
        std::bit_cast<double>(lane_detail::kTwo52Bits | (ix >> 52)) - lane_detail::kTwo52;
    const double k = k_biased - 1023.0;
    const double m = std::bit_cast<double>((ix & kMantissaMask) + kSqrtHalfBits);

    const double f = m - 1.0;        // exact (Sterbenz: m within a factor 2 of 1)
    const double hfsq = 0.5 * f * f;
    const double s = f / (2.0 + f);
    const double z = s * s;
    const double w = z * z;
    const double t1 = w * (kLg2 + w * (kLg4 + w * kLg6));
    const double t2 = z * (kLg1 + w * (kLg3 + w * (kLg5 + w * kLg7)));
    const double r = t2 + t1;
    return s * (hfsq + r) + k * kLn2Lo - hfsq + f + k * kLn2Hi;
}

/// sin(2πu) and cos(2πu) for u in [0, 1] (any finite u with |u| < 2⁴⁹ works; accuracy is
/// stated for [0, 1]). Absolute error ≤ 1.4e-16 in the tests.
///
/// Reduction (the idea of Cody & Waite 1980, made exact because the period in u is exactly 1):
/// q = round(4u), r = u − q/4 in [−⅛, ⅛]. The subtraction is exact: for u < ⅛, q = 0; otherwise
/// r is a multiple of ulp(u) ≥ 2⁻⁵⁶ below 2⁻³ in size, so it fits in 53 bits. Then
/// x = 2π·r in [−π/4, π/4] (one rounding, ≤ 1.2e-16 absolute) and the fdlibm kernels
/// __kernel_sin / __kernel_cos (k_sin.c, k_cos.c, Sun Microsystems 1993; the cos form with
/// musl's exact 1 − z/2 split) give sin x and cos x to < 1 ulp. Quadrant q mod 4 rotates:
/// (sin, cos) of 2πu = (s, c), (c, −s), (−s, −c), (−c, s) for q = 0, 1, 2, 3 — a masked swap and
/// two sign-bit XORs, no branches.
inline void fast_sincos_2pi(double u, double& sin_out, double& cos_out) {
    constexpr double kS1 = -1.66666666666666324348e-01;   // 0xBFC55555 55555549
    constexpr double kS2 = 8.33333333332248946124e-03;    // 0x3F811111 1110F8A6
    constexpr double kS3 = -1.98412698298579493134e-04;   // 0xBF2A01A0 19C161D5
    constexpr double kS4 = 2.75573137070700676789e-06;    // 0x3EC71DE3 57B1FE7D
    constexpr double kS5 = -2.50507602534068634195e-08;   // 0xBE5AE5E6 8A2B9CEB
    constexpr double kS6 = 1.58969099521155010221e-10;    // 0x3DE5D93A 5ACFD57C
    constexpr double kC1 = 4.16666666666666019037e-02;    // 0x3FA55555 5555554C
    constexpr double kC2 = -1.38888888888741095749e-03;   // 0xBF56C16C 16C15177
    constexpr double kC3 = 2.48015872894767294178e-05;    // 0x3EFA01A0 19CB1590
    constexpr double kC4 = -2.75573143513906633035e-07;   // 0xBE927E4F 809C52AD
    constexpr double kC5 = 2.08757232129817482790e-09;    // 0x3E21EE9E BDB4B1C4
    constexpr double kC6 = -1.13596475577881948265e-11;   // 0xBDA8FAE9 BE8838D4
    constexpr double kTwoPi = 6.28318530717958647693;
    constexpr std::uint64_t kSignBit = 0x8000000000000000u;

    // q = round(4u) by the 2⁵² + 2⁵¹ trick: the low mantissa bits of the sum hold q.
    const double shifted = 4.0 * u + lane_detail::kRoundMagic;
    const std::uint64_t q = std::bit_cast<std::uint64_t>(shifted);
    const double q_real = shifted - lane_detail::kRoundMagic;
    const double r = u - 0.25 * q_real;   // exact, see above
    const double x = kTwoPi * r;

    const double z = x * x;
    const double w = z * z;
    const double rs = kS2 + z * (kS3 + z * kS4) + z * w * (kS5 + z * kS6);
    const double sin_x = x + z * x * (kS1 + z * rs);
    const double rc = z * (kC1 + z * (kC2 + z * kC3)) + w * w * (kC4 + z * (kC5 + z * kC6));
    const double hz = 0.5 * z;
    const double one_minus_hz = 1.0 - hz;
    const double cos_x = one_minus_hz + (((1.0 - one_minus_hz) - hz) + z * rc);

    // Odd quadrants swap sin and cos; sin is negated in quadrants 2, 3 and cos in 1, 2.
    const std::uint64_t swap = 0 - (q & 1);   // all ones when q is odd
    const std::uint64_t sin_bits = std::bit_cast<std::uint64_t>(sin_x);
    const std::uint64_t cos_bits = std::bit_cast<std::uint64_t>(cos_x);
    const std::uint64_t s_sel = (sin_bits & ~swap) | (cos_bits & swap);
    const std::uint64_t c_sel = (cos_bits & ~swap) | (sin_bits & swap);
    const std::uint64_t sin_sign = (q << 62) & kSignBit;              // bit 1 of q
    const std::uint64_t cos_sign = ((q ^ (q >> 1)) << 63) & kSignBit;  // bit 0 xor bit 1
    sin_out = std::bit_cast<double>(s_sel ^ sin_sign);
    cos_out = std::bit_cast<double>(c_sel ^ cos_sign);
}

/// One Box–Muller pair (Box & Muller 1958) from two Philox words, in PathRandom::normal()'s
/// order: u1 = w1 sets the radius √(−2 ln u1), u2 = w2 the angle 2πu2; cos first, then sin.
/// u1 ≥ 2⁻³³ bounds the radius by √(66 ln 2) = 6.76. The same operations, in the same order, as
/// one lane of normals_for_lanes, so the two agree bit for bit.
inline void box_muller_pair(std::uint32_t w1, std::uint32_t w2, double& z_cos, double& z_sin) {
    const double radius = std::sqrt(-2.0 * fast_log(uniform_from_bits_exact(w1)));
    double s = 0;
    double c = 0;
    fast_sincos_2pi(uniform_from_bits_exact(w2), s, c);
    z_cos = radius * c;
    z_sin = radius * s;
}

namespace lane_detail {

#if defined(__AVX512F__) || defined(__AVX2__) || defined(__SSE2__)
// Lanes of 64-bit slots, each holding one 32-bit Philox word in its low half. pmuludq multiplies
// the low halves of two slots into the full 64-bit product, so a Philox round needs no shuffles.
// The high halves may hold garbage between rounds (c1 = whole product p1): every use either
// ignores them (pmuludq, the final truncation) or only xors them among themselves.
#if defined(__AVX512F__)
// GCC 12's AVX-512 intrinsics fill their unused merge operand from a self-initialised variable,
// which -Wuninitialized reports once inlined (GCC bug 105593, fixed in GCC 13); the pop is after
// sqrt_two_rows, the last user.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define THESIS_LANE_RANDOM_POP_DIAGNOSTIC
#endif
struct SimdSlots {
    using Vec = __m512i;
    static constexpr int kWidth = 8;
    static Vec load_u32(const std::uint32_t* p) {
        return _mm512_cvtepu32_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    }
    static void store_u32(std::uint32_t* p, Vec v) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm512_cvtepi64_epi32(v));
    }
    static Vec broadcast(std::uint32_t x) { return _mm512_set1_epi64(x); }
    static Vec mul_low32(Vec a, Vec b) { return _mm512_mul_epu32(a, b); }
    static Vec high32(Vec a) { return _mm512_srli_epi64(a, 32); }
    static Vec bit_xor(Vec a, Vec b) { return _mm512_xor_si512(a, b); }
    static Vec add32(Vec a, Vec b) { return _mm512_add_epi32(a, b); }
};
#elif defined(__AVX2__)
struct SimdSlots {
    using Vec = __m256i;
    static constexpr int kWidth = 4;
    static Vec load_u32(const std::uint32_t* p) {
        return _mm256_cvtepu32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    }
    static void store_u32(std::uint32_t* p, Vec v) {
        const Vec even = _mm256_setr_epi32(0, 2, 4, 6, 0, 0, 0, 0);
        const Vec low_halves = _mm256_permutevar8x32_epi32(v, even);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_castsi256_si128(low_halves));
    }
    static Vec broadcast(std::uint32_t x) { return _mm256_set1_epi64x(x); }
    static Vec mul_low32(Vec a, Vec b) { return _mm256_mul_epu32(a, b); }
    static Vec high32(Vec a) { return _mm256_srli_epi64(a, 32); }
    static Vec bit_xor(Vec a, Vec b) { return _mm256_xor_si256(a, b); }
    static Vec add32(Vec a, Vec b) { return _mm256_add_epi32(a, b); }
};
#else
struct SimdSlots {
    using Vec = __m128i;
    static constexpr int kWidth = 2;
    static Vec load_u32(const std::uint32_t* p) {
        return _mm_unpacklo_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)),
                                  _mm_setzero_si128());
    }
    static void store_u32(std::uint32_t* p, Vec v) {
        _mm_storel_epi64(reinterpret_cast<__m128i*>(p), _mm_shuffle_epi32(v, 0x08));   // [0, 2]
    }
    static Vec broadcast(std::uint32_t x) { return _mm_set1_epi64x(x); }
    static Vec mul_low32(Vec a, Vec b) { return _mm_mul_epu32(a, b); }
    static Vec high32(Vec a) { return _mm_srli_epi64(a, 32); }
    static Vec bit_xor(Vec a, Vec b) { return _mm_xor_si128(a, b); }
    static Vec add32(Vec a, Vec b) { return _mm_add_epi32(a, b); }
};
#endif

// Philox4x32-10 of kLanes counters, SimdSlots::kWidth lanes per register; the same rounds as the
// plain loop in LanePhilox::next_portable.
inline void philox_simd(const std::uint32_t* key0, const std::uint32_t* key1,
                        const std::uint32_t* ctr0, const std::uint32_t* ctr1,
                        const std::uint32_t* ctr2, const std::uint32_t* ctr3,
                        std::uint32_t out[4][kLanes]) {
    using S = SimdSlots;
    using V = S::Vec;
    const V m0 = S::broadcast(kPhiloxM0);
    const V m1 = S::broadcast(kPhiloxM1);
    const V w0 = S::broadcast(kPhiloxW0);
    const V w1 = S::broadcast(kPhiloxW1);
    for (int l = 0; l < kLanes; l += S::kWidth) {
        V c0 = S::load_u32(ctr0 + l), c1 = S::load_u32(ctr1 + l);
        V c2 = S::load_u32(ctr2 + l), c3 = S::load_u32(ctr3 + l);
        V k0 = S::load_u32(key0 + l), k1 = S::load_u32(key1 + l);
#pragma GCC unroll 10
        for (int round = 0; round < kPhiloxRounds; ++round) {
            const V p0 = S::mul_low32(c0, m0);
            const V p1 = S::mul_low32(c2, m1);
            c0 = S::bit_xor(S::bit_xor(S::high32(p1), c1), k0);
            c1 = p1;
            c2 = S::bit_xor(S::bit_xor(S::high32(p0), c3), k1);
            c3 = p0;
            k0 = S::add32(k0, w0);
            k1 = S::add32(k1, w1);
        }
        S::store_u32(out[0] + l, c0);
        S::store_u32(out[1] + l, c1);
        S::store_u32(out[2] + l, c2);
        S::store_u32(out[3] + l, c3);
    }
}
#endif

// x[j][l] = √x[j][l] for two rows of lanes: the IEEE square root, without errno (see the top).
inline void sqrt_two_rows(double x[2][kLanes]) {
#if defined(__AVX512F__)
    for (int j = 0; j < 2; ++j) _mm512_storeu_pd(x[j], _mm512_sqrt_pd(_mm512_loadu_pd(x[j])));
#elif defined(__AVX2__)
    for (int j = 0; j < 2; ++j)
        for (int l = 0; l < kLanes; l += 4)
            _mm256_storeu_pd(x[j] + l, _mm256_sqrt_pd(_mm256_loadu_pd(x[j] + l)));
#elif defined(__SSE2__)
    for (int j = 0; j < 2; ++j)
        for (int l = 0; l < kLanes; l += 2)
            _mm_storeu_pd(x[j] + l, _mm_sqrt_pd(_mm_loadu_pd(x[j] + l)));
#else
    for (int j = 0; j < 2; ++j)
        for (int l = 0; l < kLanes; ++l) x[j][l] = std::sqrt(x[j][l]);
#endif
}
#if defined(THESIS_LANE_RANDOM_POP_DIAGNOSTIC)
#pragma GCC diagnostic pop
#undef THESIS_LANE_RANDOM_POP_DIAGNOSTIC
#endif

}  // namespace lane_detail

/// Philox4x32-10 for kLanes counters at once, structure of arrays: word j of lane l's counter is
/// `ctr<j>[l]`. Each next() call encrypts every lane's counter and then advances its draw block
/// (counter word 2), as PathRandom::refill does. Lanes are independent: the key may differ too.
struct LanePhilox {
    alignas(32) std::uint32_t key0[kLanes] = {};   ///< seed, low 32 bits
    alignas(32) std::uint32_t key1[kLanes] = {};   ///< seed, high 32 bits
    alignas(32) std::uint32_t ctr0[kLanes] = {};   ///< path, low 32 bits
    alignas(32) std::uint32_t ctr1[kLanes] = {};   ///< path, high 32 bits
    alignas(32) std::uint32_t ctr2[kLanes] = {};   ///< draw block
    alignas(32) std::uint32_t ctr3[kLanes] = {};   ///< stream

    LanePhilox() = default;
    /// Lanes l = 0..7 are paths first_path + l of (seed, stream), each at draw block 0: lane l
    /// then reads what PathRandom(seed, first_path + l, stream) reads.
    LanePhilox(std::uint64_t seed, std::uint64_t first_path, RandomStream stream) {
        for (int l = 0; l < kLanes; ++l)
            set_lane(l, seed, first_path + static_cast<std::uint64_t>(l), stream);
    }

    /// Point one lane at (seed, path, stream), draw block 0: for a batch of scattered paths.
    void set_lane(int lane, std::uint64_t seed, std::uint64_t path, RandomStream stream) {
        key0[lane] = static_cast<std::uint32_t>(seed);
        key1[lane] = static_cast<std::uint32_t>(seed >> 32);
        ctr0[lane] = static_cast<std::uint32_t>(path);
        ctr1[lane] = static_cast<std::uint32_t>(path >> 32);
        ctr2[lane] = 0;
        ctr3[lane] = static_cast<std::uint32_t>(stream);
    }

    /// out[j][l] = word j of lane l's next block; then every lane's draw block advances by one.
    void next(std::uint32_t out[4][kLanes]) {
#if defined(__AVX512F__) || defined(__AVX2__) || defined(__SSE2__)
        lane_detail::philox_simd(key0, key1, ctr0, ctr1, ctr2, ctr3, out);
        advance();
#else
        next_portable(out);
#endif
    }

    /// The same as next() in plain loops over the lanes, for targets without SSE2 and as a second
    /// implementation for the tests. GCC vectorizes it too (the 32×32 → 64-bit products become
    /// pmuludq on widened words), only slower than next(): see the top of this file.
    void next_portable(std::uint32_t out[4][kLanes]) {
        using namespace lane_detail;
        // Results go to a local array first: it cannot alias the members, so GCC vectorizes
        // without a run-time overlap check (which its -O2 cost model would refuse).
        alignas(32) std::uint32_t words[4][kLanes];
        for (int l = 0; l < kLanes; ++l) {
            std::uint32_t c0 = ctr0[l], c1 = ctr1[l], c2 = ctr2[l], c3 = ctr3[l];
            std::uint32_t k0 = key0[l], k1 = key1[l];
            // One round (Salmon et al. 2011, section 3.3): two 32×32 → 64-bit products, their high
            // halves mixed with the other words and the key, then the key bumped by the Weyl
            // constants. The bump after the last round is dead and GCC drops it.
#pragma GCC unroll 10
            for (int round = 0; round < kPhiloxRounds; ++round) {
                const std::uint64_t p0 = std::uint64_t{kPhiloxM0} * c0;
                const std::uint64_t p1 = std::uint64_t{kPhiloxM1} * c2;
                c0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1 ^ k0;
                c1 = static_cast<std::uint32_t>(p1);
                c2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3 ^ k1;
                c3 = static_cast<std::uint32_t>(p0);
                k0 += kPhiloxW0;
                k1 += kPhiloxW1;
            }
            words[0][l] = c0;
            words[1][l] = c1;
            words[2][l] = c2;
            words[3][l] = c3;
        }
        std::memcpy(out, words, sizeof words);
        advance();
    }

  private:
    void advance() {
        for (int l = 0; l < kLanes; ++l) ++ctr2[l];   // 2³² blocks × 4 words per path, as rng.h
    }
};

/// Four normals per lane from one Philox block: out[j][l] is normal j of lane l, the j-th value
/// PathRandom::normal() would return for that block (up to the last-ulp differences of libm).
///
/// The transform is box_muller_pair for each lane, split into loops that each vectorize: words
/// to uniforms; −2 ln u1 and sincos 2πu2; the square roots (lane_detail::sqrt_two_rows); the
/// products. Every lane does the same operations as box_muller_pair, in the same order.
inline void normals_for_lanes(LanePhilox& rng, double out[4][kLanes]) {
    alignas(32) std::uint32_t words[4][kLanes];
    rng.next(words);
    // The uniforms first, in a loop of their own: the long loop below then holds only 64-bit
    // types, so GCC gives it whole registers of doubles (8 per zmm) instead of sizing its
    // vectors by the 32-bit words (which halves the width under AVX-512).
    alignas(64) double uniforms[4][kLanes];
    for (int j = 0; j < 4; ++j)
        for (int l = 0; l < kLanes; ++l) uniforms[j][l] = uniform_from_bits_exact(words[j][l]);
    alignas(64) double radius[2][kLanes];   // −2 ln u1 until sqrt_two_rows
    alignas(64) double sines[2][kLanes];
    alignas(64) double cosines[2][kLanes];
    for (int l = 0; l < kLanes; ++l) {
        radius[0][l] = -2.0 * fast_log(uniforms[0][l]);
        fast_sincos_2pi(uniforms[1][l], sines[0][l], cosines[0][l]);
        radius[1][l] = -2.0 * fast_log(uniforms[2][l]);
        fast_sincos_2pi(uniforms[3][l], sines[1][l], cosines[1][l]);
    }
    lane_detail::sqrt_two_rows(radius);
    for (int l = 0; l < kLanes; ++l) {
        out[0][l] = radius[0][l] * cosines[0][l];
        out[1][l] = radius[0][l] * sines[0][l];
        out[2][l] = radius[1][l] * cosines[1][l];
        out[3][l] = radius[1][l] * sines[1][l];
    }
}

/// Four uniforms on (0, 1) per lane from one Philox block: out[j][l] = uniform_from_bits(word j).
inline void uniforms_for_lanes(LanePhilox& rng, double out[4][kLanes]) {
    alignas(32) std::uint32_t words[4][kLanes];
    rng.next(words);
    for (int j = 0; j < 4; ++j)
        for (int l = 0; l < kLanes; ++l) out[j][l] = uniform_from_bits_exact(words[j][l]);
}

/// The scalar twin of one lane: same stream, same fast_log / fast_sincos_2pi, so its values equal
/// lane l of normals_for_lanes bit for bit. For a batch's remainder paths, and as the reference
/// the tests hold the lanes to. A value type of 24 bytes; make one per path and stream.
class PathNormals {
  public:
    PathNormals(std::uint64_t seed, std::uint64_t path, RandomStream stream)
        : key_{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}},
          counter_{{static_cast<std::uint32_t>(path), static_cast<std::uint32_t>(path >> 32), 0,
                    static_cast<std::uint32_t>(stream)}} {}

    /// The next block's four normals, as one lane of normals_for_lanes.
    void normals(double out[4]) {
        const auto block = next_block();
        box_muller_pair(block[0], block[1], out[0], out[1]);
        box_muller_pair(block[2], block[3], out[2], out[3]);
    }
    /// The next block's four uniforms, as one lane of uniforms_for_lanes.
    void uniforms(double out[4]) {
        const auto block = next_block();
        for (int j = 0; j < 4; ++j) out[j] = uniform_from_bits_exact(block[j]);
    }

  private:
    r123::Philox4x32::ctr_type next_block() {
        const auto block = r123::Philox4x32{}(counter_, key_);
        ++counter_[2];
        return block;
    }

    r123::Philox4x32::key_type key_;
    r123::Philox4x32::ctr_type counter_;
};

}  // namespace thesis
