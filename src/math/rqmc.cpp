// Normal quantiles, the Brownian-bridge construction and replicate estimates (rqmc.h).
#include "thesis/math/rqmc.h"

#include "thesis/math/rng.h"

#include "rqmc_levels.h"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <deque>
#include <stdexcept>
#include <utility>

namespace thesis {

namespace {
#include "rqmc_arithmetic.inc"
}  // namespace

double normal_quantile(double p) {
    if (!(p > 0 && p < 1)) throw std::invalid_argument("normal_quantile needs 0 < p < 1");
    // Wichura's AS 241 (PPND16) in three regions; the logarithm is quantile_log, so the vector
    // code (rqmc_levels.cpp) gives these bits too.
    const double q = p - 0.5;
    if (std::fabs(q) <= 0.425) return central_quantile(q);
    const double r = tail_radius(p);
    const double x = r <= 5 ? near_tail_quantile(r) : far_tail_quantile(r);
    return q < 0 ? -x : x;
}

void normal_quantiles(std::span<const double> p, std::span<double> out) {
    if (out.size() != p.size()) throw std::invalid_argument("normal_quantiles: one quantile a probability");
    for (double v : p)
        if (!(v > 0 && v < 1)) throw std::invalid_argument("normal_quantile needs 0 < p < 1");
    detail::normal_quantiles(p.data(), static_cast<int>(p.size()), out.data());
}

BrownianBridge::BrownianBridge(int steps) {
    if (steps < 1) throw std::invalid_argument("a Brownian bridge needs at least one step");
    order_.reserve(static_cast<std::size_t>(steps));
    order_.push_back({steps, 0, -1, 0, 0, std::sqrt(static_cast<double>(steps))});
    // Breadth first: every interval of one level before any of the next, so the first normals
    // place the coarsest points.
    std::deque<std::pair<int, int>> intervals{{0, steps}};
    while (!intervals.empty()) {
        const auto [a, b] = intervals.front();
        intervals.pop_front();
        if (b - a < 2) continue;
        const int m = a + (b - a) / 2;
        const double span = b - a;
        order_.push_back(
            {m, a, b, (b - m) / span, (m - a) / span, std::sqrt((m - a) * double(b - m) / span)});
        intervals.emplace_back(a, m);
        intervals.emplace_back(m, b);
    }
}

void BrownianBridge::increments(std::span<const double> normals, std::span<double> out) const {
    const std::size_t n = order_.size();
    if (normals.size() != n || out.size() != n)
        throw std::invalid_argument("BrownianBridge::increments: one normal and one increment a step");
    // out[k − 1] holds W(k) until the differences below; W(0) = 0.
    const auto w = [&](int k) { return k == 0 ? 0.0 : out[static_cast<std::size_t>(k - 1)]; };
    for (std::size_t i = 0; i < n; ++i) {
        const Point& p = order_[i];
        const double mean = p.right < 0 ? 0.0 : p.left_weight * w(p.left) + p.right_weight * w(p.right);
        out[static_cast<std::size_t>(p.at - 1)] = mean + p.sd * normals[i];
    }
    for (std::size_t k = n - 1; k >= 1; --k) out[k] -= out[k - 1];
}

SobolBridgeNormals::SobolBridgeNormals(int steps, std::uint64_t seed, int lead)
    : sobol_(std::clamp(steps + std::clamp(lead, 0, 8), 1, SobolPoints::kMaxDimensions),
             mix64(seed ^ 0x5851F42D4C957F2Du)),
      bridge_(steps),
      seed_(seed),
      lead_(lead) {
    if (lead < 0 || lead > 8) throw std::invalid_argument("SobolBridgeNormals: 0 to 8 leading coordinates");
}

double SobolBridgeNormals::lead_uniform(std::uint64_t point, int k) const {
    if (point > 0xFFFFFFFFu) throw std::invalid_argument("Sobol' points are numbered below 2^32");
    if (k < 0 || k >= lead_)
        throw std::invalid_argument("SobolBridgeNormals::lead_uniform: no such coordinate");
    return sobol_.uniform(static_cast<std::uint32_t>(point), k);
}

SobolBridgeNormals::Workspace::Workspace(const SobolBridgeNormals& normals)
    : raw_(static_cast<std::size_t>(normals.sobol_.dimensions()), 0),
      uniforms_(raw_.size()),
      normals_(static_cast<std::size_t>(normals.steps())) {}

void SobolBridgeNormals::increments(std::uint64_t point, std::span<double> out, Workspace& work) const {
    if (point > 0xFFFFFFFFu) throw std::invalid_argument("Sobol' points are numbered below 2^32");
    const int n = steps();
    const auto size = [](int k) { return static_cast<std::size_t>(k); };
    if (out.size() != size(n) || work.raw_.size() != size(sobol_.dimensions()) ||
        work.normals_.size() != size(n))
        throw std::invalid_argument(
            "SobolBridgeNormals::increments: one value a step, and this object's work space");
    const int dims = sobol_.dimensions(), bridged = dims - lead_;
    const auto index = static_cast<std::uint32_t>(point);
    sobol_.points().advance(work.point_, index, work.raw_);
    work.point_ = index;
    sobol_.scramble(index, work.raw_, work.uniforms_);
    detail::normal_quantiles(work.uniforms_.data() + lead_, bridged, work.normals_.data());
    if (bridged < n) {
        PathRandom pad(seed_, point, RandomStream::Diffusion);
        for (int d = bridged; d < n; ++d) work.normals_[size(d)] = pad.normal();
    }
    bridge_.increments(work.normals_, out);
}

Estimate replicate_estimate(std::span<const double> estimates) {
    const std::size_t r = estimates.size();
    if (r < 2) throw std::invalid_argument("an error bar from replicates needs at least two of them");
    RunningStats s;
    for (double e : estimates) s.add(e);
    const double se = std::sqrt(s.variance() / static_cast<double>(r));
    const boost::math::students_t t(static_cast<double>(r - 1));
    const double half = boost::math::quantile(boost::math::complement(t, 0.025)) * se;
    return {s.mean(), se, s.mean() - half, s.mean() + half};
}

}  // namespace thesis
