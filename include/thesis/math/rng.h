#pragma once
// Random numbers keyed by (seed, path, stream): path i sees the same draws on any thread, in any
// chunk, for any plan and at any sweep point. There is no clock seed: the seed is explicit.
//
// The generator is xoshiro256++ (Blackman & Vigna, "Scrambled linear pseudorandom number
// generators", ACM TOMS 47(4), 2021): four 64-bit words of state, a handful of adds, shifts,
// rotates and xors per 64-bit output, period 2²⁵⁶ − 1, and no known statistical failure in
// BigCrush or PractRand. Each (seed, path, stream) starts its own sequence from a state derived
// by hashing (below), so a path needs no counter and no skip-ahead: the state *is* the path's
// identity, and eight paths step together in SIMD lanes (path_kernel.cpp) bit for bit as one
// path steps here. Measured against the counter-based Philox4x32-10 the engine used before, the
// whole W1 kernel ran several times faster (README, Performance).
//
// Normals come from the ziggurat method (Marsaglia & Tsang, "The Ziggurat Method for Generating
// Random Variables", J. Stat. Softw. 5(8), 2000) with 4096 layers, in Doornik's form ("An
// Improved Ziggurat Method to Generate Normal Random Samples", 2005): the sign and the layer's
// abscissa come from separate bits of one 64-bit word, which avoids the correlation of the
// original. 99.88% of draws need one word, two table look-ups, one multiply and one compare;
// the rest fall to an exact slow path (the wedge test or Marsaglia's 1964 tail), so the normals
// are exact, not an approximation of the inverse CDF.

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

namespace thesis {

/// Independent random sequences of one path. Adding a model feature (jumps, events) never
/// shifts the draws of another stream, so results stay comparable.
enum class RandomStream : std::uint32_t {
    Diffusion = 0,  ///< normals of the price (or EPS) diffusion
    Rerating = 1,   ///< the multiple's own shocks in fundamentals mode
    Jumps = 2,      ///< Merton jump counts and sizes
    Bridge = 3,     ///< Brownian-bridge extremes for continuous and session monitoring
    Events = 4,     ///< catalyst events: fire?, when, how big
    Horizon = 5,    ///< the price at the horizon of a path that ended early (path.h)
    Overnight = 6,  ///< session monitoring: the normal that places each step's open
    Scenario = 7,   ///< scenarios model: the path's scenario and its landing price (path.h)
};

/// The SplitMix64 finaliser (Steele, Lea & Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014; Stafford's "Mix13" constants): a bijection of 64-bit words whose
/// every output bit depends on every input bit.
constexpr std::uint64_t mix64(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/// The xoshiro256++ state that starts (seed, path, stream). Words 0–2 are bijections of the seed,
/// the path and the stream, each offset by its own odd constant, so two different triples never
/// share a state (and mix64(0) = 0 cannot make word 1 or 2 zero); word 3 mixes all three so that
/// triples differing in one field differ in two words. Vigna recommends seeding xoshiro from
/// SplitMix64 outputs; these are SplitMix64 outputs of three well-separated counters.
constexpr std::array<std::uint64_t, 4> stream_state(std::uint64_t seed, std::uint64_t path,
                                                    RandomStream stream) {
    constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15u;  // 2⁶⁴/φ, SplitMix64's increment
    const std::uint64_t s = static_cast<std::uint64_t>(stream);
    const std::uint64_t w0 = mix64(seed + kGolden);
    const std::uint64_t w1 = mix64(path + 2 * kGolden);
    const std::uint64_t w2 = mix64(s + 3 * kGolden);
    return {w0, w1, w2, mix64(w0 ^ std::rotl(w1, 21) ^ std::rotl(w2, 42))};
}

/// Uniform on the open interval (0, 1) from the top 52 bits of a word: (m + ½)/2⁵², never 0 or
/// 1, so log(u) is finite (≥ −36.4). Written with the 2⁵² bit trick so that SIMD lanes compute
/// it the same way (SSE2 and AVX2 have no 64-bit integer → double conversion); exact either way.
inline double uniform_from_word(std::uint64_t w) {
    constexpr std::uint64_t kTwo52Bits = 0x4330000000000000u;  // the double 2⁵²
    const double m = std::bit_cast<double>(kTwo52Bits | (w >> 12)) - 4503599627370496.0;
    return (m + 0.5) * 0x1.0p-52;
}

/// The ziggurat's layers: x[i] is the right edge of layer i (x[0] the base strip's equivalent
/// width v/f(r), x[1] = r, decreasing to x[4096] = 0) and f[i] = exp(−x[i]²/2).
struct ZigguratTables {
    /// 4096 layers, not Marsaglia & Tsang's 256: the fast test then rejects 0.12% of draws
    /// instead of 1.5%, and the slow path, which costs tens of fast draws, nearly disappears. The
    /// fast path's table x is 32 KiB, the size of a Zen 4's L1: its loads are independent of
    /// each other, so the few that miss overlap. Measured (README, Performance): 1024 → 2048
    /// layers made the generator 10% faster, 2048 → 4096 another 5%.
    static constexpr int kLayers = 4096;
    static constexpr std::uint64_t kLayerMask = kLayers - 1;
    /// The base strip's right edge r and the common area v of every layer under
    /// f(x) = exp(−x²/2), solved (40 digits, mpmath) so that the recurrence below closes the
    /// top layer at f = 1, as Marsaglia & Tsang's 3.6541528853610088 does for 256 layers:
    /// r = 4.3859450348713048591, v = r f(r) + ∫_r^∞ f = 3.0615410327846447769e-4.
    static constexpr double kR = 4.3859450348713048591;
    static constexpr double kArea = 3.0615410327846447769e-4;
    alignas(64) std::array<double, kLayers + 1> x{};
    alignas(64) std::array<double, kLayers + 1> f{};
};

/// The tables, built once (thread-safe) by the recurrence x[i+1] = f⁻¹(f(x[i]) + v/x[i]).
const ZigguratTables& ziggurat_tables();

/// The ziggurat's layer, value and acceptance test for one word: the fast path every lane
/// takes. Layer i = the low 10 bits; u = the top 52 bits as a signed uniform in (−1, 1)
/// (2d − 3 + 2⁻⁵² with d in [1, 2), all exact); the candidate is x = u·x[i], accepted when
/// |x| < x[i+1] (it lies in the layer's rectangle, under the curve for sure).
struct ZigguratDraw {
    int layer;
    double u, x;
    bool accepted;
};
inline ZigguratDraw ziggurat_try(const ZigguratTables& t, std::uint64_t w) {
    const int layer = static_cast<int>(w & ZigguratTables::kLayerMask);
    const double d = std::bit_cast<double>(0x3FF0000000000000u | (w >> 12));
    const double u = (2.0 * d - 3.0) + 0x1.0p-52;
    const double x = u * t.x[layer];
    return {layer, u, x, std::fabs(x) < t.x[layer + 1]};
}

/// xoshiro256++ (Vigna's reference code, prng.di.unimi.it): the state and its step.
struct Xoshiro256 {
    std::array<std::uint64_t, 4> s;

    std::uint64_t next() {
        const std::uint64_t result = std::rotl(s[0] + s[3], 23) + s[0];
        const std::uint64_t t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = std::rotl(s[3], 45);
        return result;
    }
    double uniform() { return uniform_from_word(next()); }
};

/// The state of a stream's second sequence, which feeds the ziggurat's slow path: stream
/// number + 16 in stream_state, so it never meets any stream's main sequence.
constexpr std::array<std::uint64_t, 4> slow_path_state(std::uint64_t seed, std::uint64_t path,
                                                       RandomStream stream) {
    return stream_state(seed, path, static_cast<RandomStream>(static_cast<std::uint32_t>(stream) + 16));
}

/// Whether the point (a, height) of layer i's wedge (x[i+1] ≤ a ≤ x[i]) lies under or over the
/// curve exp(−a²/2), decided by straight lines alone where they can (rng.cpp); Unknown near
/// the curve and in the layer that spans a = 1, where the slow path computes the exp.
enum class WedgeSide { Under, Over, Unknown };
WedgeSide wedge_side(const ZigguratTables& t, int layer, double a, double height);

/// The ziggurat's slow path after the fast test rejected `d`: the wedge test, fresh tries, or the
/// tail for layer 0, drawing every word it needs from `slow`.
double finish_normal(ZigguratDraw d, Xoshiro256& slow);

/// One path's draws of one stream. The main sequence gives exactly one 64-bit word per
/// uniform and per normal; the 0.12% of normals that fail the ziggurat's fast test finish from
/// the stream's second sequence (slow_path_state). So the k-th normal of a path always starts
/// from the k-th word, which lets the SIMD engine draw a block of normals with no branch and
/// finish the rare rejections afterwards, in the same order as this class does one by one.
/// A value type of 64 bytes; make one per path and stream.
class PathRandom {
  public:
    PathRandom(std::uint64_t seed, std::uint64_t path, RandomStream stream)
        : main_{stream_state(seed, path, stream)}, slow_{slow_path_state(seed, path, stream)} {}
    PathRandom(const std::array<std::uint64_t, 4>& main, const std::array<std::uint64_t, 4>& slow)
        : main_{main}, slow_{slow} {}

    /// The next 64-bit word of the main sequence.
    std::uint64_t next() { return main_.next(); }
    /// Uniform on (0, 1), one word.
    double uniform() { return main_.uniform(); }
    /// A standard normal by the ziggurat: one word, and the slow path 0.12% of the time.
    double normal() {
        const ZigguratDraw d = ziggurat_try(ziggurat_tables(), main_.next());
        return d.accepted ? d.x : finish_normal(d, slow_);
    }

    const std::array<std::uint64_t, 4>& main_state() const { return main_.s; }
    const std::array<std::uint64_t, 4>& slow_state() const { return slow_.s; }

  private:
    Xoshiro256 main_, slow_;
};

/// Poisson(rate) by inversion on one uniform u, given P(N = 0) = e^{−rate}: the first k whose
/// cumulative probability reaches u. For the small rates it serves (λ dt per step, or at most 30
/// over a path's remaining horizon) this takes a few steps; capped at 1000.
inline int poisson_by_inversion(double u, double probability_zero, double rate) {
    int k = 0;
    double p = probability_zero, cumulative = p;
    while (u > cumulative && k < 1000) {
        ++k;
        p *= rate / k;
        cumulative += p;
    }
    return k;
}

}  // namespace thesis
