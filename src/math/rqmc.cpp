// Normal quantiles, the Brownian-bridge construction and replicate estimates (rqmc.h).
#include "thesis/math/rqmc.h"

#include "thesis/math/rng.h"

#include "rqmc_levels.h"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
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
    const auto size = [](int k) { return static_cast<std::size_t>(k); };
    position_.assign(size(steps) + 1, 0);  // W(0) is value 0
    const auto add = [&](int at, int left, int right, double left_weight, double right_weight, double sd) {
        left_.push_back(position_[size(left)]);
        right_.push_back(position_[size(right)]);
        left_weight_.push_back(left_weight);
        right_weight_.push_back(right_weight);
        sd_.push_back(sd);
        position_[size(at)] = static_cast<int>(sd_.size());
    };
    // The end point, W(n) = 0·W(0) + 0·W(0) + √n·z₀, as its own level.
    level_begin_ = {0};
    add(steps, 0, 0, 0, 0, std::sqrt(static_cast<double>(steps)));
    level_begin_.push_back(1);
    // Breadth first: every interval of one level before any of the next, so the first normals
    // place the coarsest points.
    std::vector<std::pair<int, int>> level{{0, steps}}, next;
    while (!level.empty()) {
        next.clear();
        for (const auto& [a, b] : level) {
            if (b - a < 2) continue;
            const int m = a + (b - a) / 2;
            const double span = b - a;
            add(m, a, b, (b - m) / span, (m - a) / span, std::sqrt((m - a) * double(b - m) / span));
            next.emplace_back(a, m);
            next.emplace_back(m, b);
        }
        if (static_cast<int>(sd_.size()) > level_begin_.back())
            level_begin_.push_back(static_cast<int>(sd_.size()));
        level.swap(next);
    }
}

void BrownianBridge::increments(std::span<const double> normals, std::span<double> out,
                                std::span<double> work) const {
    const std::size_t n = sd_.size();
    if (normals.size() != n || out.size() != n || work.size() != n + 1)
        throw std::invalid_argument("BrownianBridge::increments: one normal and one increment a step");
    const detail::BridgeTables tables{static_cast<int>(n), static_cast<int>(level_begin_.size()) - 1,
                                      level_begin_.data(), left_.data(),
                                      right_.data(),       position_.data(),
                                      left_weight_.data(), right_weight_.data(),
                                      sd_.data()};
    detail::bridge_increments(tables, normals.data(), work.data(), out.data());
}

void BrownianBridge::increments(std::span<const double> normals, std::span<double> out) const {
    std::vector<double> work(sd_.size() + 1);
    increments(normals, out, work);
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
      normals_(static_cast<std::size_t>(normals.steps())),
      path_(static_cast<std::size_t>(normals.steps()) + 1) {}

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
    bridge_.increments(work.normals_, out, work.path_);
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
