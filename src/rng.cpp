#include "thesis/rng.h"

#include <algorithm>

namespace thesis {

const ZigguratTables& ziggurat_tables() {
    static const ZigguratTables tables = [] {
        ZigguratTables t;
        const auto f = [](double x) { return std::exp(-0.5 * x * x); };
        const double r = ZigguratTables::kR, v = ZigguratTables::kArea;
        t.x[0] = v / f(r);   // the base strip: rectangle [0, r] × [0, f(r)] plus the tail, area v
        t.x[1] = r;
        for (int i = 1; i < ZigguratTables::kLayers; ++i) {
            // Layer i spans heights f(x[i]) … f(x[i]) + v/x[i]; its top edge meets the curve at
            // x[i+1]. The last is the peak: f(x[256]) = 1 up to the rounding of r and v.
            const double top = f(t.x[i]) + v / t.x[i];
            t.x[i + 1] = top < 1 ? std::sqrt(-2.0 * std::log(top)) : 0.0;
        }
        t.x[ZigguratTables::kLayers] = 0;
        for (int i = 0; i <= ZigguratTables::kLayers; ++i) t.f[i] = f(t.x[i]);
        // The top layer (x[256] = 0) has no rectangle: its threshold is 0, every draw goes to the
        // wedge test.
        for (int i = 0; i < ZigguratTables::kLayers; ++i)
            t.inner[i] = static_cast<std::uint8_t>(
                std::max(0.0, std::floor(t.x[i + 1] / t.x[i] * 256 - 1e-6)));
        return t;
    }();
    return tables;
}

double finish_normal(ZigguratDraw d, Xoshiro256& slow) {
    const ZigguratTables& t = ziggurat_tables();
    for (;;) {
        if (d.layer == 0) {
            // The tail beyond r (Marsaglia 1964): a = −ln(u1)/r, b = −ln(u2), accept when
            // 2b ≥ a²; then r + a is exactly distributed as a normal conditioned on > r.
            double a = 0, b = 0;
            do {
                a = -std::log(slow.uniform()) / ZigguratTables::kR;
                b = -std::log(slow.uniform());
            } while (2 * b < a * a);
            return d.u < 0 ? -(ZigguratTables::kR + a) : ZigguratTables::kR + a;
        }
        // The wedge between the layer's rectangle and the curve: a uniform height in the layer,
        // accepted under the curve.
        const double height = t.f[d.layer] + slow.uniform() * (t.f[d.layer + 1] - t.f[d.layer]);
        if (height < std::exp(-0.5 * d.x * d.x)) return d.x;
        d = ziggurat_try(t, slow.next());
        if (d.accepted) return d.x;
    }
}

}  // namespace thesis
