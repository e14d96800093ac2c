#include "thesis/math/rng.h"

#include <algorithm>

namespace thesis {

const ZigguratTables& ziggurat_tables() {
    static const ZigguratTables tables = [] {
        ZigguratTables t;
        const auto f = [](double x) { return std::exp(-0.5 * x * x); };
        const double r = ZigguratTables::kR, v = ZigguratTables::kArea;
        t.x[0] = v / f(r);  // the base strip: rectangle [0, r] × [0, f(r)] plus the tail, area v
        t.x[1] = r;
        for (int i = 1; i < ZigguratTables::kLayers; ++i) {
            // Layer i spans heights f(x[i]) … f(x[i]) + v/x[i]; its top edge meets the curve at
            // x[i+1]. The last is the peak: f(x[4096]) = 1 up to the rounding of r and v.
            const double top = f(t.x[i]) + v / t.x[i];
            t.x[i + 1] = top < 1 ? std::sqrt(-2.0 * std::log(top)) : 0.0;
        }
        t.x[ZigguratTables::kLayers] = 0;
        for (int i = 0; i <= ZigguratTables::kLayers; ++i) t.f[i] = f(t.x[i]);
        return t;
    }();
    return tables;
}

// Where a point (a, height) of layer i's wedge lies against the curve f(x) = exp(−x²/2), from
// straight lines alone where they decide it (the squeeze of McFarland, "A modified ziggurat
// algorithm for generating exponentially and normally distributed pseudorandom numbers",
// J. Stat. Comput. Simul. 86(7), 2016): f is convex for x ≥ 1, so there it lies under the chord
// between the layer's corners and over its tangents at them; for x ≤ 1 it is concave, and the
// other way round. A margin of 1e-12 relative keeps the rounding of the lines on the safe side;
// only points closer to the curve than that, or in the layer that spans x = 1, need the exp.
WedgeSide wedge_side(const ZigguratTables& t, int i, double a, double height) {
    const double x0 = t.x[i + 1], x1 = t.x[i];  // the wedge spans a in [x0, x1]
    const double f0 = t.f[i + 1], f1 = t.f[i];  // f(x0) > f(x1)
    if (!(x0 >= 1 || x1 <= 1)) return WedgeSide::Unknown;
    const double chord = f1 + (f0 - f1) * ((x1 - a) / (x1 - x0));
    const double tangent0 = f0 * (1 - x0 * (a - x0));  // f(x) ≈ f(c)(1 − c(x − c)) at c
    const double tangent1 = f1 * (1 - x1 * (a - x1));
    const double margin = 1e-12 * f0;
    if (x0 >= 1) {  // convex: max(tangents) ≤ f ≤ chord
        if (height < std::max(tangent0, tangent1) - margin) return WedgeSide::Under;
        if (height > chord + margin) return WedgeSide::Over;
    } else {  // concave: chord ≤ f ≤ min(tangents)
        if (height < chord - margin) return WedgeSide::Under;
        if (height > std::min(tangent0, tangent1) + margin) return WedgeSide::Over;
    }
    return WedgeSide::Unknown;
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
        const WedgeSide s = wedge_side(t, d.layer, std::fabs(d.x), height);
        if (s == WedgeSide::Under || (s == WedgeSide::Unknown && height < std::exp(-0.5 * d.x * d.x)))
            return d.x;
        d = ziggurat_try(t, slow.next());
        if (d.accepted) return d.x;
    }
}

}  // namespace thesis
