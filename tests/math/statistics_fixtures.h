#pragma once
// Shared by the statistics tests (test_statistics.cpp, test_quantile_sketch.cpp): reference
// samples from a fixed generator and exact order statistics to hold the estimators against.

#include "thesis/math/statistics.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

namespace statistics_fixtures {

using thesis::Estimate;
using thesis::kZ95;
using thesis::QuantileSketch;
using thesis::RunningStats;

constexpr double kAlpha = QuantileSketch::kDefaultRelativeAccuracy;
// The sketch's bound is α up to rounding in one log and one exp (< 1e-12 relative); 1e-9 of
// slack covers that without hiding a real off-by-one-bucket error (which would be ~2α).
constexpr double kAlphaSlack = kAlpha * (1.0 + 1e-9);

inline std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

/// Uniform in (0, 1]: the top 53 bits of the generator, plus one ulp so log() is finite.
inline double uniform_open0(std::mt19937_64& rng) {
    return (static_cast<double>(rng() >> 11) + 1.0) * 0x1.0p-53;
}

/// Standard normal pairs by Box–Muller: √(−2 ln u1)·(cos 2πu2, sin 2πu2).
class BoxMuller {
  public:
    explicit BoxMuller(std::uint64_t seed) : rng_(seed) {}
    double operator()() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const double r = std::sqrt(-2.0 * std::log(uniform_open0(rng_)));
        const double theta = 2.0 * 3.14159265358979323846 * uniform_open0(rng_);
        spare_ = r * std::sin(theta);
        has_spare_ = true;
        return r * std::cos(theta);
    }

  private:
    std::mt19937_64 rng_;
    double spare_ = 0;
    bool has_spare_ = false;
};

inline std::vector<double> normal_sample(std::uint64_t seed, std::size_t n, double mean = 0, double sd = 1) {
    BoxMuller normal(seed);
    std::vector<double> xs(n);
    for (double& x : xs) x = mean + sd * normal();
    return xs;
}

/// Fisher–Yates with our own index draw (std::shuffle's sequence is implementation-defined).
template <class T>
inline void shuffle(std::vector<T>& xs, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    for (std::size_t i = xs.size(); i > 1; --i) std::swap(xs[i - 1], xs[rng() % i]);
}

/// Standard normal density φ(x) and cdf Φ(x) = erfc(−x/√2)/2.
inline double phi(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * 3.14159265358979323846); }
inline double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

/// Φ⁻¹(p) by bisection on Φ: 200 halvings of [−40, 40] reach the double nearest the root.
inline double normal_quantile(double p) {
    double lo = -40, hi = 40;
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (lo + hi);
        (normal_cdf(mid) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

/// The exact order statistic the sketch approximates: rank ⌊p·(n−1)⌋ of the sorted sample.
inline double exact_quantile(const std::vector<double>& sorted, double p) {
    return sorted[static_cast<std::size_t>(std::floor(p * static_cast<double>(sorted.size() - 1)))];
}

/// Exact mean of the lowest fraction p (k = p·n, boundary sample weighted k − ⌊k⌋), and the same
/// weighted mean of |x| (the scale of the sketch's error bound).
struct TailMean {
    double mean;
    double abs_mean;
};
inline TailMean exact_tail_mean_below(const std::vector<double>& sorted, double p) {
    const double k = p * static_cast<double>(sorted.size());
    double remaining = k, sum = 0, abs_sum = 0;
    for (std::size_t i = 0; i < sorted.size() && remaining > 0; ++i) {
        const double w = std::min(1.0, remaining);
        sum += w * sorted[i];
        abs_sum += w * std::fabs(sorted[i]);
        remaining -= w;
    }
    return {sum / k, abs_sum / k};
}
inline TailMean exact_tail_mean_above(std::vector<double> sorted, double p) {
    std::reverse(sorted.begin(), sorted.end());
    for (double& x : sorted) x = -x;
    const TailMean t = exact_tail_mean_below(sorted, p);
    return {-t.mean, t.abs_mean};
}

inline QuantileSketch sketch_of(const std::vector<double>& xs, double alpha = kAlpha,
                                std::size_t max_buckets = QuantileSketch::kDefaultMaxBuckets) {
    QuantileSketch s(alpha, max_buckets);
    for (double x : xs) s.add(x);
    return s;
}

inline RunningStats stats_of(const std::vector<double>& xs, std::size_t begin = 0,
                             std::size_t end = std::numeric_limits<std::size_t>::max()) {
    RunningStats s;
    for (std::size_t i = begin; i < std::min(end, xs.size()); ++i) s.add(xs[i]);
    return s;
}

inline bool bit_identical(const RunningStats& a, const RunningStats& b) {
    return a.count() == b.count() && bits(a.mean()) == bits(b.mean()) &&
           bits(a.variance()) == bits(b.variance()) && bits(a.sum()) == bits(b.sum()) &&
           bits(a.min()) == bits(b.min()) && bits(a.max()) == bits(b.max());
}

// `got` agrees with `want` to rounding: the same count, min and max, and mean, variance and sum
// within 1e-12 relative.
inline void check_agree(const RunningStats& got, const RunningStats& want) {
    CHECK(got.count() == want.count());
    CHECK(std::fabs(got.mean() - want.mean()) <= 1e-12 * std::fabs(want.mean()));
    CHECK(std::fabs(got.variance() - want.variance()) <= 1e-12 * want.variance());
    CHECK(std::fabs(got.sum() - want.sum()) <= 1e-12 * std::fabs(want.sum()));
    CHECK(got.min() == want.min());
    CHECK(got.max() == want.max());
}

}  // namespace statistics_fixtures
