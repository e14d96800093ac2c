// Tests for thesis/lane_random.h: Philox words, the polynomial log and sincos, lane = scalar bit
// for bit, and the normals' distribution.
//
// Deterministic references: r123::Philox4x32 and PathRandom for the random bits; std::log
// (glibc, < 1 ulp) for fast_log; sinl/cosl in x87 long double (64-bit mantissa, so 2πu itself is
// ~1e-19 off) for fast_sincos_2pi, because std::sin(2.0 * pi * u) already errs by up to
// ~4e-16 when it rounds the angle. Each tolerance is the stated contract, with its reason.
// Statistical checks use fixed seeds and allow |z| < 4 against the estimator's standard error,
// so any seed fails by chance with probability < 1e-4 per check.

#include "thesis/lane_random.h"
#include "thesis/rng.h"

#include <Random123/philox.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

using thesis::kLanes;
using thesis::LanePhilox;
using thesis::PathNormals;
using thesis::PathRandom;
using thesis::RandomStream;

namespace {

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

std::uint32_t draw_u32(std::mt19937_64& rng) { return static_cast<std::uint32_t>(rng() >> 32); }

/// Distance in units in the last place between two finite doubles of the same sign.
std::uint64_t ulp_distance(double a, double b) {
    const std::uint64_t x = bits(a), y = bits(b);
    return x > y ? x - y : y - x;
}

/// FNV-1a over the bytes of a double's bit pattern: a checksum that any changed bit changes.
std::uint64_t fnv1a(std::uint64_t hash, double x) {
    const std::uint64_t b = bits(x);
    for (int i = 0; i < 8; ++i) {
        hash ^= (b >> (8 * i)) & 0xFFu;
        hash *= 0x100000001B3u;
    }
    return hash;
}

/// Points of (0, 1] for the log test: the uniforms the generator makes, (w + ½)/2³², and
/// log-spaced points 2^(−33·t) that reach down to the smallest of them, 2⁻³³.
double log_test_point(std::mt19937_64& rng, int i) {
    if (i % 2 == 0) return thesis::uniform_from_bits(draw_u32(rng));
    const double t = static_cast<double>(rng() >> 11) * 0x1.0p-53;
    return std::exp2(-33.0 * t);
}

/// Sample moments and a tail count of the lane normals, computed once for the tests below.
struct NormalSample {
    double n = 0;
    double mean = 0;
    double variance = 0;
    double skewness = 0;
    double kurtosis = 0;
    double beyond_3 = 0;   // count of |z| > 3
    double max_abs = 0;
};

const NormalSample& lane_normal_sample() {
    static const NormalSample sample = [] {
        // 5,000 batches of 8 paths × 25 blocks × 4 normals = 4·10⁶ normals, across paths and
        // along each path.
        constexpr int kBatches = 5000;
        constexpr int kBlocks = 25;
        long double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
        NormalSample out;
        for (int b = 0; b < kBatches; ++b) {
            LanePhilox rng(0xC0FFEE1234ABCDu, static_cast<std::uint64_t>(b) * kLanes,
                           RandomStream::Diffusion);
            double z[4][kLanes];
            for (int k = 0; k < kBlocks; ++k) {
                thesis::normals_for_lanes(rng, z);
                for (const auto& row : z)
                    for (double x : row) {
                        const long double xl = x;
                        s1 += xl;
                        s2 += xl * xl;
                        s3 += xl * xl * xl;
                        s4 += xl * xl * xl * xl;
                        if (std::abs(x) > 3.0) out.beyond_3 += 1;
                        out.max_abs = std::max(out.max_abs, std::abs(x));
                    }
            }
        }
        const long double n = static_cast<long double>(kBatches) * kBlocks * 4 * kLanes;
        // Central moments from raw sums; long double keeps the cancellation harmless here
        // (the mean is ~1e-4, the raw moments O(1)).
        const long double m = s1 / n;
        const long double m2 = s2 / n - m * m;
        const long double m3 = s3 / n - 3 * m * s2 / n + 2 * m * m * m;
        const long double m4 = s4 / n - 4 * m * s3 / n + 6 * m * m * s2 / n - 3 * m * m * m * m;
        out.n = static_cast<double>(n);
        out.mean = static_cast<double>(m);
        out.variance = static_cast<double>(m2);
        out.skewness = static_cast<double>(m3 / std::pow(m2, 1.5L));
        out.kurtosis = static_cast<double>(m4 / (m2 * m2));
        return out;
    }();
    return sample;
}

}  // namespace

TEST_CASE("LanePhilox words equal r123 Philox4x32 for random keys and counters") {
    std::mt19937_64 rng(20240611);
    for (int trial = 0; trial < 200; ++trial) {
        LanePhilox lanes;
        LanePhilox lanes_portable;
        r123::Philox4x32::key_type keys[kLanes];
        r123::Philox4x32::ctr_type counters[kLanes];
        for (int l = 0; l < kLanes; ++l) {
            keys[l] = {{draw_u32(rng), draw_u32(rng)}};
            counters[l] = {{draw_u32(rng), draw_u32(rng), draw_u32(rng), draw_u32(rng)}};
            if (trial == 0) counters[l][2] = 0xFFFFFFFFu;   // the draw block wraps as in rng.h
            lanes.key0[l] = keys[l][0];
            lanes.key1[l] = keys[l][1];
            lanes.ctr0[l] = counters[l][0];
            lanes.ctr1[l] = counters[l][1];
            lanes.ctr2[l] = counters[l][2];
            lanes.ctr3[l] = counters[l][3];
        }
        lanes_portable = lanes;
        for (int block = 0; block < 3; ++block) {
            std::uint32_t words[4][kLanes];
            std::uint32_t words_portable[4][kLanes];
            lanes.next(words);
            lanes_portable.next_portable(words_portable);
            for (int l = 0; l < kLanes; ++l) {
                const auto expected = r123::Philox4x32{}(counters[l], keys[l]);
                ++counters[l][2];
                for (int j = 0; j < 4; ++j) {
                    REQUIRE(words[j][l] == expected[j]);
                    REQUIRE(words_portable[j][l] == expected[j]);
                }
                CHECK(lanes.ctr2[l] == counters[l][2]);
            }
        }
    }
}

TEST_CASE("LanePhilox lane l reads the bits of PathRandom for path first_path + l") {
    // A first path just below 2³² also checks the path's high word.
    for (const std::uint64_t first_path : {std::uint64_t{0}, std::uint64_t{0xFFFFFFFDu}}) {
        const std::uint64_t seed = 0x0123456789ABCDEFu;
        LanePhilox lanes(seed, first_path, RandomStream::Jumps);
        std::uint32_t words[3][4][kLanes];
        for (auto& block : words) lanes.next(block);
        for (int l = 0; l < kLanes; ++l) {
            const std::uint64_t path = first_path + static_cast<std::uint64_t>(l);
            PathRandom scalar(seed, path, RandomStream::Jumps);
            for (const auto& block : words)
                for (int j = 0; j < 4; ++j) REQUIRE(block[j][l] == scalar.bits());
        }
    }
}

TEST_CASE("LanePhilox set_lane points one lane at any path and stream") {
    const std::uint64_t seed = 77;
    LanePhilox lanes(seed, 0, RandomStream::Diffusion);
    lanes.set_lane(3, seed + 1, 1'000'000'007u, RandomStream::Events);
    std::uint32_t words[4][kLanes];
    lanes.next(words);
    PathRandom moved(seed + 1, 1'000'000'007u, RandomStream::Events);
    PathRandom kept(seed, 4, RandomStream::Diffusion);
    for (int j = 0; j < 4; ++j) {
        CHECK(words[j][3] == moved.bits());
        CHECK(words[j][4] == kept.bits());
    }
}

TEST_CASE("uniform_from_bits_exact equals uniform_from_bits bit for bit") {
    for (const std::uint32_t w : {0u, 1u, 2u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFEu, 0xFFFFFFFFu})
        CHECK(bits(thesis::uniform_from_bits_exact(w)) == bits(thesis::uniform_from_bits(w)));
    std::mt19937_64 rng(5);
    for (int i = 0; i < 1'000'000; ++i) {
        const std::uint32_t w = draw_u32(rng);
        REQUIRE(bits(thesis::uniform_from_bits_exact(w)) == bits(thesis::uniform_from_bits(w)));
    }
    CHECK(thesis::uniform_from_bits_exact(0) == 0x1.0p-33);
}

TEST_CASE("fast_log is within 1e-14 relative of std log from 2^-33 to 1") {
    // fdlibm's bound is < 1 ulp and glibc's log is < 1 ulp, so they differ by at most ~2 ulp
    // (4.4e-16 relative); 1e-14 is the contract, the ulp check below the real figure.
    std::mt19937_64 rng(11);
    double max_rel = 0;
    std::uint64_t max_ulp = 0;
    auto check = [&](double x) {
        const double expected = std::log(x);
        const double got = thesis::fast_log(x);
        if (expected == 0) {
            REQUIRE(got == 0);
            return;
        }
        const double rel = std::abs(got - expected) / std::abs(expected);
        max_rel = std::max(max_rel, rel);
        max_ulp = std::max(max_ulp, ulp_distance(got, expected));
        REQUIRE(rel < 1e-14);
    };
    // The ends, the reduction's switch points around √½ and powers of two, the smallest normal.
    for (const double x : {0x1.0p-33, 0x1.0p-33 * 1.5, 1.0, std::nextafter(1.0, 0.0), 0.5,
                           std::nextafter(0.5, 0.0), std::nextafter(0.5, 1.0),
                           std::numbers::sqrt2 / 2, std::nextafter(std::numbers::sqrt2 / 2, 0.0),
                           std::nextafter(std::numbers::sqrt2 / 2, 1.0), 0x1.0p-1022, 0x1.8p-1000})
        check(x);
    for (int i = 0; i < 1'000'000; ++i) check(log_test_point(rng, i));
    // Beyond (0, 1]: the same code on the positive normal numbers above 1.
    for (const double x : {1.5, 2.0, std::numbers::sqrt2, 10.0, 1e300, 0x1.fffffffffffffp1023})
        check(x);
    MESSAGE("fast_log: max relative error " << max_rel << ", max " << max_ulp << " ulp");
    CHECK(max_ulp <= 2);
}

TEST_CASE("fast_sincos_2pi is within 2e-15 absolute of sin and cos of 2 pi u") {
    // Errors: the kernels (< 1 ulp of a value ≤ 1, 1.1e-16) plus rounding 2π·r (≤ 1.2e-16);
    // 2e-15 is the contract, with room for a kernel change.
    const long double two_pi = 2 * std::numbers::pi_v<long double>;
    std::mt19937_64 rng(13);
    double max_err = 0;
    auto check = [&](double u) {
        double s = 0;
        double c = 0;
        thesis::fast_sincos_2pi(u, s, c);
        const long double angle = two_pi * u;
        const double err = std::max(std::abs(static_cast<double>(s - std::sin(angle))),
                                    std::abs(static_cast<double>(c - std::cos(angle))));
        max_err = std::max(max_err, err);
        REQUIRE(err < 2e-15);
    };
    // Octant and quadrant edges and their neighbours: the reduction switches there.
    for (int k = 0; k <= 8; ++k) {
        const double edge = k / 8.0;
        check(edge);
        check(std::nextafter(edge, -1.0));
        check(std::nextafter(edge, 2.0));
    }
    for (int i = 0; i < 500'000; ++i) check(thesis::uniform_from_bits(draw_u32(rng)));
    for (int i = 0; i < 500'000; ++i) check(static_cast<double>(rng() >> 11) * 0x1.0p-53);
    MESSAGE("fast_sincos_2pi: max absolute error " << max_err);

    double s = 0;
    double c = 0;
    thesis::fast_sincos_2pi(0.0, s, c);
    CHECK(s == 0.0);
    CHECK(c == 1.0);
    thesis::fast_sincos_2pi(0.25, s, c);
    CHECK(s == 1.0);
    CHECK(c == 0.0);
}

TEST_CASE("normals_for_lanes and uniforms_for_lanes equal the scalar PathNormals bit for bit") {
    const std::uint64_t seed = 0xFEEDFACEu;
    for (std::uint64_t batch = 0; batch < 64; ++batch) {
        const std::uint64_t first = batch * kLanes;
        LanePhilox normal_lanes(seed, first, RandomStream::Rerating);
        LanePhilox uniform_lanes(seed, first, RandomStream::Bridge);
        std::vector<PathNormals> normal_paths;
        std::vector<PathNormals> uniform_paths;
        for (std::uint64_t l = 0; l < kLanes; ++l) {
            normal_paths.emplace_back(seed, first + l, RandomStream::Rerating);
            uniform_paths.emplace_back(seed, first + l, RandomStream::Bridge);
        }
        for (int block = 0; block < 32; ++block) {
            double z[4][kLanes];
            double u[4][kLanes];
            thesis::normals_for_lanes(normal_lanes, z);
            thesis::uniforms_for_lanes(uniform_lanes, u);
            for (int l = 0; l < kLanes; ++l) {
                double expected_z[4];
                double expected_u[4];
                normal_paths[static_cast<std::size_t>(l)].normals(expected_z);
                uniform_paths[static_cast<std::size_t>(l)].uniforms(expected_u);
                for (int j = 0; j < 4; ++j) {
                    REQUIRE(bits(z[j][l]) == bits(expected_z[j]));
                    REQUIRE(bits(u[j][l]) == bits(expected_u[j]));
                }
            }
        }
    }
}

TEST_CASE("box_muller_pair on the words of a block gives the PathNormals values") {
    const std::uint64_t seed = 99;
    PathRandom words(seed, 5, RandomStream::Diffusion);
    PathNormals normals(seed, 5, RandomStream::Diffusion);
    for (int block = 0; block < 1000; ++block) {
        std::uint32_t w[4];
        for (auto& x : w) x = words.bits();
        double z[4];
        thesis::box_muller_pair(w[0], w[1], z[0], z[1]);
        thesis::box_muller_pair(w[2], w[3], z[2], z[3]);
        double expected[4];
        normals.normals(expected);
        for (int j = 0; j < 4; ++j) REQUIRE(bits(z[j]) == bits(expected[j]));
    }
}

TEST_CASE("lane normals follow PathRandom normal to 1e-14 absolute in the same order") {
    // Same words and order; only log/sin/cos differ (< 1e-15 relative each, times |z| < 6.8).
    const std::uint64_t seed = 4242;
    LanePhilox lanes(seed, 100, RandomStream::Diffusion);
    double z[64][4][kLanes];
    for (auto& block : z) thesis::normals_for_lanes(lanes, block);
    double max_diff = 0;
    for (int l = 0; l < kLanes; ++l) {
        PathRandom scalar(seed, 100 + static_cast<std::uint64_t>(l), RandomStream::Diffusion);
        for (const auto& block : z)
            for (int j = 0; j < 4; ++j) {
                const double diff = std::abs(block[j][l] - scalar.normal());
                max_diff = std::max(max_diff, diff);
                REQUIRE(diff < 1e-14);
            }
    }
    MESSAGE("lane vs PathRandom normal: max absolute difference " << max_diff);
}

TEST_CASE("lane normals match the recorded checksum") {
    // The bits of the first 2¹⁶ normals of eight paths. Every build must reproduce them: an
    // FMA-contracting (-ffp-contract=fast with FMA enabled) or -ffast-math build, or a changed
    // polynomial, gives another checksum. Recorded with g++ 12, -O2, x86-64 SSE2, and equal
    // under -mavx2 and -mavx512f.
    LanePhilox lanes(0x5EED5EED5EEDu, 1'000, RandomStream::Diffusion);
    std::uint64_t hash = 0xCBF29CE484222325u;
    double z[4][kLanes];
    for (int block = 0; block < (1 << 16) / (4 * kLanes); ++block) {
        thesis::normals_for_lanes(lanes, z);
        for (const auto& row : z)
            for (double x : row) hash = fnv1a(hash, x);
    }
    CHECK(hash == 0x4206F1F4A92B0AC0u);
}

TEST_CASE("lane normals have mean 0 and variance 1 within 4 standard errors") {
    // n = 4·10⁶. SE(mean) = 1/√n = 5.0e-4; SE(variance) = √(2/n) = 7.1e-4.
    const NormalSample& s = lane_normal_sample();
    REQUIRE(s.n == 4e6);
    MESSAGE("mean " << s.mean << ", variance " << s.variance);
    CHECK(std::abs(s.mean) < 4 / std::sqrt(s.n));
    CHECK(std::abs(s.variance - 1) < 4 * std::sqrt(2 / s.n));
}

TEST_CASE("lane normals have skewness 0 and kurtosis 3 within 4 standard errors") {
    // SE(skewness) = √(6/n) = 1.22e-3; SE(kurtosis) = √(24/n) = 2.45e-3.
    const NormalSample& s = lane_normal_sample();
    MESSAGE("skewness " << s.skewness << ", kurtosis " << s.kurtosis);
    CHECK(std::abs(s.skewness) < 4 * std::sqrt(6 / s.n));
    CHECK(std::abs(s.kurtosis - 3) < 4 * std::sqrt(24 / s.n));
}

TEST_CASE("lane normals beyond 3 sd occur with probability 0.0026998 within 4 binomial SE") {
    // P(|Z| > 3) = erfc(3/√2) = 0.0026998; SE = √(p(1 − p)/n) = 2.6e-5 at n = 4·10⁶.
    const NormalSample& s = lane_normal_sample();
    const double p = std::erfc(3 / std::numbers::sqrt2);
    CHECK(p == doctest::Approx(0.0026998).epsilon(1e-4));
    const double observed = s.beyond_3 / s.n;
    MESSAGE("P(|z| > 3) observed " << observed << " vs " << p << "; max |z| " << s.max_abs);
    CHECK(std::abs(observed - p) < 4 * std::sqrt(p * (1 - p) / s.n));
    // u1 ≥ 2⁻³³ bounds every |z| by √(66 ln 2) = 6.764.
    CHECK(s.max_abs <= std::sqrt(66 * std::numbers::ln2));
}
