// Tests for thesis/math/sobol.h and thesis/math/rqmc.h: Sobol' points against Boost.Random's own
// generator, the scramble's nesting and uniformity, the net property it keeps, the normal
// quantile against Boost.Math, the vector code's bits at every SIMD level, the Brownian bridge's
// exact covariance, and replicate estimates.

#include "thesis/math/rqmc.h"
#include "thesis/math/sobol.h"

#include "engine_fixtures.h"

#include <doctest/doctest.h>
#include <boost/math/distributions/normal.hpp>
#include <boost/random/sobol.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <vector>

namespace {

using thesis::BrownianBridge;
using thesis::normal_quantile;
using thesis::owen_scramble;
using thesis::ScrambledSobol;
using thesis::SobolPoints;

TEST_CASE("Sobol dimension 0 is van der Corput's sequence") {
    const SobolPoints s(1);
    CHECK(s.coordinate(0, 0) == 0u);
    CHECK(s.coordinate(1, 0) == 1u << 31);  // 1/2
    CHECK(s.coordinate(2, 0) == 1u << 30);  // 1/4
    CHECK(s.coordinate(3, 0) == 3u << 30);  // 3/4
    CHECK(s.coordinate(5, 0) == 5u << 29);  // binary 101 reversed: 0.101 = 5/8
}

TEST_CASE("Sobol points equal Boost.Random's sobol engine in its Gray-code order") {
    // Boost's engine visits point gray(k) = k ^ (k >> 1) of the natural order at its k-th call,
    // from the same Joe-Kuo tables: an independent implementation of the construction.
    constexpr int kDims = 40;
    const SobolPoints mine(kDims);
    boost::random::sobol_engine<std::uint32_t, 32> boost_sobol(kDims);
    // Boost's first point is point 1 (it skips the origin).
    int mismatches = 0;
    for (std::uint32_t k = 1; k <= 2000; ++k) {
        const std::uint32_t gray = k ^ (k >> 1);
        for (int j = 0; j < kDims; ++j)
            if (boost_sobol() != mine.coordinate(gray, j)) ++mismatches;
    }
    CHECK(mismatches == 0);
}

TEST_CASE("walking Sobol points in Gray-code order by direction numbers visits point gray(k)") {
    const SobolPoints s(12);
    std::vector<std::uint32_t> walk(12, 0);
    int mismatches = 0;
    for (std::uint32_t k = 1; k < 5000; ++k) {
        const int c = std::countr_zero(k);
        for (int j = 0; j < 12; ++j) {
            walk[static_cast<std::size_t>(j)] ^= s.direction(j, c);
            if (walk[static_cast<std::size_t>(j)] != s.coordinate(k ^ (k >> 1), j)) ++mismatches;
        }
    }
    CHECK(mismatches == 0);
}

TEST_CASE("advancing a Sobol point's coordinates to any other point gives that point's") {
    // advance XORs the direction numbers of the bits where the two indices differ; from 0 (all
    // coordinates 0) that is coordinate()'s sum over the bits of the index.
    const SobolPoints s(50);
    std::vector<std::uint32_t> walk(50, 0);
    std::uint32_t at = 0;
    int mismatches = 0;
    for (std::uint32_t to : {1u, 2u, 3u, 4u, 1000u, 999u, 0xFFFFFFFFu, 7u, 0u, 65536u}) {
        s.advance(at, to, walk);
        at = to;
        for (int j = 0; j < 50; ++j) mismatches += walk[static_cast<std::size_t>(j)] != s.coordinate(to, j);
    }
    CHECK(mismatches == 0);
    std::vector<std::uint32_t> too_many(51);
    CHECK_THROWS_AS(s.advance(0, 1, too_many), std::invalid_argument);
}

TEST_CASE("Sobol points reject dimensions outside 1 to 3667") {
    CHECK_THROWS_AS(SobolPoints(0), std::invalid_argument);
    CHECK_THROWS_AS(SobolPoints(SobolPoints::kMaxDimensions + 1), std::invalid_argument);
    CHECK(SobolPoints(SobolPoints::kMaxDimensions).dimensions() == 3667);
}

TEST_CASE("the Owen scramble is nested: the leading m digits out depend on the leading m in") {
    // Two inputs sharing their top m bits land in the same dyadic interval of length 2^-m, and
    // the scramble is a bijection (no two inputs of a sample collide).
    std::uint64_t state = 12345;
    const auto next = [&] {
        state = state * 6364136223846793005u + 1442695040888963407u;
        return static_cast<std::uint32_t>(state >> 32);
    };
    for (int trial = 0; trial < 2000; ++trial) {
        const std::uint32_t addend = next(), multiplier = next() | 1u;
        const int m = 1 + trial % 31;
        const std::uint32_t x = next();
        const std::uint32_t keep = ~0u << (32 - m);
        const std::uint32_t y = (x & keep) | (next() & ~keep);
        CHECK((owen_scramble(x, addend, multiplier) & keep) == (owen_scramble(y, addend, multiplier) & keep));
    }
    std::set<std::uint32_t> images;
    for (std::uint32_t x = 0; x < 4096; ++x) images.insert(owen_scramble(x << 20, 0x9E3779B9u, 0x85EBCA6Bu));
    CHECK(images.size() == 4096);
}

TEST_CASE("scrambled Sobol points keep the net property in dimensions 0 and 1") {
    // The first 2^m points of Sobol's first two dimensions are a (0, m, 2)-net: each box
    // [i/2^a, (i+1)/2^a) x [j/2^b, (j+1)/2^b) with a + b = m holds exactly one point. A nested
    // scramble maps elementary boxes onto elementary boxes, so the scrambled points must too; and
    // each one-dimensional projection, in any dimension, has one point in each [k/2^m, (k+1)/2^m).
    constexpr int m = 10, n = 1 << m;
    for (std::uint64_t seed : {1u, 2u, 77u}) {
        const ScrambledSobol s(8, seed);
        for (int a = 0; a <= m; ++a) {
            const int b = m - a;
            std::vector<int> count(n, 0);
            for (std::uint32_t i = 0; i < n; ++i) {
                const auto x = static_cast<int>(std::floor(s.uniform(i, 0) * (1 << a)));
                const auto y = static_cast<int>(std::floor(s.uniform(i, 1) * (1 << b)));
                ++count[static_cast<std::size_t>(x * (1 << b) + y)];
            }
            int wrong = 0;
            for (int c : count) wrong += c != 1;
            CHECK(wrong == 0);
        }
        for (int j = 0; j < 8; ++j) {
            std::vector<int> count(n, 0);
            for (std::uint32_t i = 0; i < n; ++i)
                ++count[static_cast<std::size_t>(std::floor(s.uniform(i, j) * n))];
            int wrong = 0;
            for (int c : count) wrong += c != 1;
            CHECK(wrong == 0);
        }
    }
}

TEST_CASE("a scrambled point computed in vectors has each coordinate's bits at every SIMD level") {
    const thesis::test::SimdLevelGuard guard;
    const ScrambledSobol s(300, 42);
    std::vector<double> point(300);
    for (const char* level : thesis::test::simd_levels_to_compare()) {
        thesis::set_simd_level(level);
        int mismatches = 0;
        for (std::uint32_t index : {0u, 1u, 2u, 77u, 4095u, 123456u, 0xFFFFFFFFu}) {
            s.point(index, point);
            for (int j = 0; j < 300; ++j)
                mismatches += std::bit_cast<std::uint64_t>(point[static_cast<std::size_t>(j)]) !=
                              std::bit_cast<std::uint64_t>(s.uniform(index, j));
        }
        CHECK_MESSAGE(mismatches == 0, level);
    }
}

TEST_CASE("a scrambled coordinate is uniform over scrambles") {
    // For a fixed point and dimension, over 20,000 seeds: mean 1/2 (sd of the mean √(1/12/n)),
    // P(u < 1/4) = 1/4 (sd √(3/16/n)); |z| < 4. Strictly inside (0, 1).
    constexpr int kSeeds = 20000;
    for (const auto& [index, dim] : {std::pair<std::uint32_t, int>{0, 0}, {5, 3}, {1000, 7}}) {
        double sum = 0;
        int quarter = 0;
        bool inside = true;
        for (int seed = 0; seed < kSeeds; ++seed) {
            const double u =
                ScrambledSobol(dim + 1, static_cast<std::uint64_t>(seed) + 1).uniform(index, dim);
            inside &= u > 0 && u < 1;
            sum += u;
            quarter += u < 0.25;
        }
        const double z_mean = (sum / kSeeds - 0.5) / std::sqrt(1.0 / 12 / kSeeds);
        const double z_quarter = (quarter / double(kSeeds) - 0.25) / std::sqrt(0.1875 / kSeeds);
        CHECK(inside);
        CHECK(std::fabs(z_mean) < 4);
        CHECK(std::fabs(z_quarter) < 4);
    }
}

TEST_CASE("the normal quantile agrees with Boost.Math to 1e-15 relative") {
    const boost::math::normal standard;
    double worst = 0;
    const auto check = [&](double p) {
        const double want = boost::math::quantile(standard, p);
        const double got = normal_quantile(p);
        const double error = std::fabs(got - want) / std::max(std::fabs(want), 1e-300);
        if (want != 0) worst = std::max(worst, error);
        CHECK(std::fabs(got - want) <= 1e-15 * std::fabs(want) + 1e-300);
    };
    for (int i = 1; i < 1000; ++i) check(i / 1000.0);
    for (double p = 1e-300; p < 0.5; p *= 7.3) {
        check(p);
        if (1 - p < 1) check(1 - p);
    }
    check(1e-310);  // subnormal: its logarithm scales it first
    CHECK(normal_quantile(0.5) == 0);
    CHECK(normal_quantile(0.975) == doctest::Approx(1.959963984540054).epsilon(1e-15));
    CHECK_THROWS_AS(normal_quantile(0), std::invalid_argument);
    CHECK_THROWS_AS(normal_quantile(1), std::invalid_argument);
    CHECK_THROWS_AS(normal_quantile(std::nan("")), std::invalid_argument);
    CHECK(worst < 1e-15);  // 6.8e-16 measured
}

TEST_CASE("normal quantiles in vectors give normal_quantile's bits at every SIMD level") {
    // Every region of AS 241: scrambled uniforms (about 15% in the tails), both edges of the
    // central region, the far tail (r > 5: p < 1.4e-11), the smallest 53-bit fraction a point
    // makes (2^-54), a subnormal, and their mirror images.
    const thesis::test::SimdLevelGuard guard;
    std::vector<double> p(3000);
    const ScrambledSobol s(static_cast<int>(p.size()), 7);
    s.point(12345, p);
    for (double edge : {0.075, std::nextafter(0.075, 0.0), std::nextafter(0.075, 1.0), 1e-11, 1.4e-11, 1e-100,
                        0x1.0p-54, 1e-310, 0.5, 0.425})
        for (double v : {edge, 1 - edge})
            if (v > 0 && v < 1) p.push_back(v);
    std::vector<double> out(p.size());
    for (const char* level : thesis::test::simd_levels_to_compare()) {
        thesis::set_simd_level(level);
        thesis::normal_quantiles(p, out);
        int mismatches = 0;
        for (std::size_t i = 0; i < p.size(); ++i)
            mismatches +=
                std::bit_cast<std::uint64_t>(out[i]) != std::bit_cast<std::uint64_t>(normal_quantile(p[i]));
        CHECK_MESSAGE(mismatches == 0, level);
    }
    std::vector<double> bad{0.5, 0.0};
    std::vector<double> two(2);
    CHECK_THROWS_AS(thesis::normal_quantiles(bad, two), std::invalid_argument);
}

TEST_CASE("the Brownian bridge is an orthogonal map from normals to increments") {
    // increments = A z with A's columns the images of the unit vectors. Independent N(0, 1)
    // increments from independent N(0, 1) normals need A Aᵀ = I, i.e. A orthogonal: its columns
    // orthonormal. Checked exactly (to rounding) for sizes that are and are not powers of two.
    for (int n : {1, 2, 3, 7, 16, 52, 252}) {
        const BrownianBridge bridge(n);
        CHECK(bridge.steps() == n);
        std::vector<std::vector<double>> columns(static_cast<std::size_t>(n), std::vector<double>(n));
        std::vector<double> z(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            std::fill(z.begin(), z.end(), 0.0);
            z[static_cast<std::size_t>(i)] = 1;
            bridge.increments(z, columns[static_cast<std::size_t>(i)]);
        }
        double worst = 0;
        for (int i = 0; i < n; ++i)
            for (int j = i; j < n; ++j) {
                double dot = 0;
                for (int k = 0; k < n; ++k)
                    dot += columns[static_cast<std::size_t>(i)][static_cast<std::size_t>(k)] *
                           columns[static_cast<std::size_t>(j)][static_cast<std::size_t>(k)];
                worst = std::max(worst, std::fabs(dot - (i == j ? 1.0 : 0.0)));
            }
        CHECK(worst < 1e-12);
        // The first normal alone is the straight line to √n·z at the end: each increment 1/√n.
        for (double inc : columns[0]) CHECK(inc == doctest::Approx(1 / std::sqrt(double(n))).epsilon(1e-14));
    }
    CHECK_THROWS_AS(BrownianBridge(0), std::invalid_argument);
}

TEST_CASE("the Brownian bridge gives the same bits at every SIMD level and with its own work space") {
    const thesis::test::SimdLevelGuard guard;
    for (int n : {1, 3, 252, 1000}) {
        const BrownianBridge bridge(n);
        std::vector<double> z(static_cast<std::size_t>(n));
        const ScrambledSobol s(std::min(n, 3000), 11);
        std::vector<double> u(z.size());
        s.point(99, u);
        thesis::normal_quantiles(u, z);
        std::vector<double> want(z.size()), got(z.size()), work(z.size() + 1);
        thesis::set_simd_level("portable");
        bridge.increments(z, want);
        for (const char* level : thesis::test::simd_levels_to_compare()) {
            thesis::set_simd_level(level);
            bridge.increments(z, got, work);
            int mismatches = 0;
            for (std::size_t k = 0; k < got.size(); ++k)
                mismatches += std::bit_cast<std::uint64_t>(got[k]) != std::bit_cast<std::uint64_t>(want[k]);
            CHECK_MESSAGE(mismatches == 0, level, " n=", n);
        }
        std::vector<double> short_work(z.size());
        CHECK_THROWS_AS(bridge.increments(z, got, short_work), std::invalid_argument);
    }
}

TEST_CASE("replicate estimates: the mean and a Student t interval") {
    const std::vector<double> e{1, 2, 3};
    const thesis::Estimate r = thesis::replicate_estimate(e);
    // s = 1, se = 1/√3; with 2 degrees of freedom t's quantile has the closed form
    // (2p − 1)·√(2 / (4p(1 − p))), at p = 0.975: 0.95·√(2/0.0975) = 4.302652729749461.
    CHECK(r.value == doctest::Approx(2));
    CHECK(r.std_error == doctest::Approx(1 / std::sqrt(3.0)));
    CHECK(r.ci_high - r.value == doctest::Approx(4.302652729749461 / std::sqrt(3.0)).epsilon(1e-12));
    CHECK(r.value - r.ci_low == doctest::Approx(r.ci_high - r.value));
    CHECK_THROWS_AS(thesis::replicate_estimate(std::vector<double>{1}), std::invalid_argument);
}

}  // namespace
