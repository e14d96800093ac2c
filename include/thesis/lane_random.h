#pragma once
// Standard normals for a batch of kLanes = 8 paths at once, written as plain loops over the lanes
// that GCC auto-vectorizes (SSE2, AVX2 or AVX-512, whatever the target flags allow).
//
// Same random bits as rng.h: lane l of a batch started at path p reads Philox4x32-10 (Salmon et
// al., "Parallel random numbers: as easy as 1, 2, 3", SC11) under key {seed lo, seed hi} at
// counter {path lo, path hi, draw block, stream}, with path = p + l, and maps a word w to the
// uniform (w + ½)/2³² (uniform_from_bits). The normals come in the order PathRandom::normal()
// returns them: per block r(w0)·cos 2πw1, r(w0)·sin 2πw1, r(w2)·cos 2πw3, r(w2)·sin 2πw3
// (Box & Muller 1958). Only the log, sin and cos differ: they are the polynomials below instead
// of libm, so a lane normal agrees with PathRandom's to ~1e-15 relative, not bit for bit.
//
// Bit-identical at any SIMD width: the hot path uses only +, −, ×, ÷, sqrt (all correctly
// rounded by IEEE 754, so a vector lane rounds exactly as a scalar does) and integer/bit ops, in
// a fixed order, with selects done by bit masks. No libm call, no data-dependent branch. The
// translation unit must not contract a·b + c into an FMA (an FMA rounds once, not twice): build
// with -ffp-contract=off (GCC's default under -std=c++20, not under -std=gnu++20) and with SSE2
// floating point (the x86-64 default; never -mfpmath=387). -ffast-math is forbidden: it lets the
// compiler reassociate and would remove the round-to-integer trick in fast_sincos_2pi.
// The test "lane normals match the recorded checksum" catches a build that breaks this.

#include "thesis/rng.h"

#include <Random123/philox.h>

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
/// are ≥ 2⁻³³). Relative error below 1 ulp in fdlibm's analysis; the tests measure < 1e-15.
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
    // Bit pattern of √½ (0x3FE6A09E667F3BCD). Adding 1.0's pattern minus this one carries into
    // the exponent exactly when the mantissa is ≥ √2/2·2, so k and m come out already
    // renormalised into [√½, √2) without a compare (musl's log does the same on the high word).
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
/// stated for [0, 1]). Absolute error < 5e-16 in the tests.
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

/// −2 ln u1 for the Philox word w1: the squared Box–Muller radius (Box & Muller 1958). u1 ≥ 2⁻³³
/// so the radius is < 6.8. Split from the square root so that the lane loop around it never
/// contains a libm call (see normals_for_lanes).
inline double box_muller_radius_sq(std::uint32_t w1) {
    return -2.0 * fast_log(uniform_from_bits_exact(w1));
}

/// One Box–Muller pair from two Philox words, in PathRandom::normal()'s order: u1 = w1 sets the
/// radius √(−2 ln u1), u2 = w2 the angle 2πu2; cos first, then sin. The same operations, in the
/// same order, as one lane of normals_for_lanes, so the two agree bit for bit.
inline void box_muller_pair(std::uint32_t w1, std::uint32_t w2, double& z_cos, double& z_sin) {
    const double radius = std::sqrt(box_muller_radius_sq(w1));
    double s = 0;
    double c = 0;
    fast_sincos_2pi(uniform_from_bits_exact(w2), s, c);
    z_cos = radius * c;
    z_sin = radius * s;
}

/// Philox4x32-10 for kLanes counters at once, structure of arrays: word j of lane l is
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
        using namespace lane_detail;
        // Results go to a local array first: it cannot alias the members, so GCC vectorizes
        // without a run-time overlap check (which its -O2 cost model would refuse).
        alignas(32) std::uint32_t words[4][kLanes];
        for (int l = 0; l < kLanes; ++l) {
            std::uint32_t c0 = ctr0[l], c1 = ctr1[l], c2 = ctr2[l], c3 = ctr3[l];
            std::uint32_t k0 = key0[l], k1 = key1[l];
            // One round (Salmon et al. 2011, Fig. 2): two 32×32 → 64-bit products, the high
            // halves mixed with the other words and the key, then the key bumped by the Weyl
            // constants. The bump after the last round is dead and GCC drops it.
#pragma GCC unroll 10
            for (int round = 0; round < kPhiloxRounds; ++round) {
                const std::uint64_t p0 = std::uint64_t{kPhiloxM0} * c0;
                const std::uint64_t p1 = std::uint64_t{kPhiloxM1} * c2;
                const auto hi0 = static_cast<std::uint32_t>(p0 >> 32);
                const auto lo0 = static_cast<std::uint32_t>(p0);
                const auto hi1 = static_cast<std::uint32_t>(p1 >> 32);
                const auto lo1 = static_cast<std::uint32_t>(p1);
                c0 = hi1 ^ c1 ^ k0;
                c1 = lo1;
                c2 = hi0 ^ c3 ^ k1;
                c3 = lo0;
                k0 += kPhiloxW0;
                k1 += kPhiloxW1;
            }
            words[0][l] = c0;
            words[1][l] = c1;
            words[2][l] = c2;
            words[3][l] = c3;
        }
        for (int l = 0; l < kLanes; ++l) ++ctr2[l];   // 2³² blocks × 4 words per path, as rng.h
        std::memcpy(out, words, sizeof words);
    }
};

/// Four normals per lane from one Philox block: out[j][l] is normal j of lane l, the j-th value
/// PathRandom::normal() would return for that block (up to the last-ulp differences of libm).
///
/// Two loops, because std::sqrt sets errno on a negative argument unless -fno-math-errno is on:
/// GCC then keeps a (never taken) libm call beside the sqrt instruction and refuses to vectorize
/// any loop that holds it. The first loop, log and sincos, has no call and vectorizes under any
/// flags; the second, sqrt and the products, vectorizes only with -fno-math-errno and otherwise
/// runs 16 scalar sqrtsd. IEEE sqrt is correctly rounded, so the bits are the same either way.
inline void normals_for_lanes(LanePhilox& rng, double out[4][kLanes]) {
    alignas(32) std::uint32_t words[4][kLanes];
    rng.next(words);
    // The uniforms first, in a loop of their own: the long loop below then holds only 64-bit
    // types, so GCC gives it whole registers of doubles (8 per zmm) instead of sizing its
    // vectors by the 32-bit words (which halves the width under AVX-512).
    alignas(64) double uniforms[4][kLanes];
    for (int j = 0; j < 4; ++j)
        for (int l = 0; l < kLanes; ++l) uniforms[j][l] = uniform_from_bits_exact(words[j][l]);
    alignas(64) double radius_sq[2][kLanes];
    alignas(64) double sines[2][kLanes];
    alignas(64) double cosines[2][kLanes];
    for (int l = 0; l < kLanes; ++l) {
        radius_sq[0][l] = -2.0 * fast_log(uniforms[0][l]);
        fast_sincos_2pi(uniforms[1][l], sines[0][l], cosines[0][l]);
        radius_sq[1][l] = -2.0 * fast_log(uniforms[2][l]);
        fast_sincos_2pi(uniforms[3][l], sines[1][l], cosines[1][l]);
    }
    for (int l = 0; l < kLanes; ++l) {
        const double radius0 = std::sqrt(radius_sq[0][l]);
        const double radius1 = std::sqrt(radius_sq[1][l]);
        out[0][l] = radius0 * cosines[0][l];
        out[1][l] = radius0 * sines[0][l];
        out[2][l] = radius1 * cosines[1][l];
        out[3][l] = radius1 * sines[1][l];
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
/// the tests hold the lanes to. A value type of 64 bytes; make one per path and stream.
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
