// Normal quantiles, the Brownian-bridge construction and replicate estimates (rqmc.h).
#include "thesis/math/rqmc.h"

#include "thesis/math/rng.h"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <deque>
#include <stdexcept>
#include <utility>

namespace thesis {

namespace {
// AS 241's central rational function, for |q| ≤ 0.425 (q = p − ½).
inline double central_quantile(double q) {
    const double r = 0.180625 - q * q;
    return q *
           (((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r + 6.7265770927008700853e+4) *
                    r +
                4.5921953931549871457e+4) *
                   r +
               1.3731693765509461125e+4) *
                  r +
              1.9715909503065514427e+3) *
                 r +
             1.3314166789178437745e+2) *
                r +
            3.3871328727963666080e+0) /
           (((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r + 3.9307895800092710610e+4) *
                    r +
                2.1213794301586595867e+4) *
                   r +
               5.3941960214247511077e+3) *
                  r +
              6.8718700749205790830e+2) *
                 r +
             4.2313330701600911252e+1) *
                r +
            1.0);
}
}  // namespace

double normal_quantile(double p) {
    if (!(p > 0 && p < 1)) throw std::invalid_argument("normal_quantile needs 0 < p < 1");
    // Wichura's PPND16 coefficients (AS 241, 1988), as published.
    const double q = p - 0.5;
    if (std::fabs(q) <= 0.425) return central_quantile(q);
    double r = std::sqrt(-std::log(q < 0 ? p : 1 - p));
    double x;
    if (r <= 5) {
        r -= 1.6;
        x = (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r +
                  2.41780725177450611770e-1) *
                     r +
                 1.27045825245236838258e+0) *
                    r +
                3.64784832476320460504e+0) *
                   r +
               5.76949722146069140550e+0) *
                  r +
              4.63033784615654529590e+0) *
                 r +
             1.42343711074968357734e+0) /
            (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r +
                  1.51986665636164571966e-2) *
                     r +
                 1.48103976427480074590e-1) *
                    r +
                6.89767334985100004550e-1) *
                   r +
               1.67638483018380384940e+0) *
                  r +
              2.05319162663775882187e+0) *
                 r +
             1.0);
    } else {
        r -= 5;
        x = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r +
                  1.24266094738807843860e-3) *
                     r +
                 2.65321895265761230930e-2) *
                    r +
                2.96560571828504891230e-1) *
                   r +
               1.78482653991729133580e+0) *
                  r +
              5.46378491116411436990e+0) *
                 r +
             6.65790464350110377720e+0) /
            (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r +
                  1.84631831751005468180e-5) *
                     r +
                 7.86869131145613259100e-4) *
                    r +
                1.48753612908506148525e-2) *
                   r +
               1.36929880922735805310e-1) *
                  r +
              5.99832206555887937690e-1) *
                 r +
             1.0);
    }
    return q < 0 ? -x : x;
}

void normal_quantiles(std::span<const double> p, std::span<double> out) {
    if (out.size() != p.size()) throw std::invalid_argument("normal_quantiles: one quantile a probability");
    for (double v : p)
        if (!(v > 0 && v < 1)) throw std::invalid_argument("normal_quantile needs 0 < p < 1");
    // The central formula for every value first, in a loop without branches that the compiler
    // runs in vectors (the same operations as normal_quantile's, so the same bits); then the
    // tails, about 15% of uniform values, one at a time.
    for (std::size_t i = 0; i < p.size(); ++i) out[i] = central_quantile(p[i] - 0.5);
    for (std::size_t i = 0; i < p.size(); ++i)
        if (std::fabs(p[i] - 0.5) > 0.425) out[i] = normal_quantile(p[i]);
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

void SobolBridgeNormals::increments(std::uint64_t point, std::span<double> out,
                                    std::span<double> scratch) const {
    if (point > 0xFFFFFFFFu) throw std::invalid_argument("Sobol' points are numbered below 2^32");
    const int n = steps();
    const auto size = [](int k) { return static_cast<std::size_t>(k); };
    if (out.size() != size(n) || scratch.size() != size(n + lead_))
        throw std::invalid_argument("SobolBridgeNormals::increments: one value a step (and the lead's)");
    const int dims = sobol_.dimensions(), bridged = dims - lead_;
    // The point's uniforms in `scratch`, the bridge's normals in `out`, the increments back
    // through `scratch`.
    sobol_.point(static_cast<std::uint32_t>(point), scratch.first(size(dims)));
    normal_quantiles(scratch.subspan(size(lead_), size(bridged)), out.first(size(bridged)));
    if (bridged < n) {
        PathRandom pad(seed_, point, RandomStream::Diffusion);
        for (int d = bridged; d < n; ++d) out[size(d)] = pad.normal();
    }
    bridge_.increments(out, scratch.first(size(n)));
    std::copy_n(scratch.begin(), n, out.begin());
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
