// The engine's inner loop: kLanes paths at once, one per SIMD lane, stepped together.
//
// Each lane is one path with its own xoshiro256++ streams (rng.h), so a lane computes exactly
// what a scalar PathRandom of that path would: the lanes are a schedule, not an approximation.
// Per step, in every lane: a ziggurat normal (its fast path: one 64-bit word, a table look-up,
// a multiply and a compare), the log-price update, and for each plan a compare against the levels
// it watches (LaneWatch). Only when a lane's ziggurat draw falls off the fast path (~1%), a jump
// arrives, an event fires, or a plan's level is reached does the loop leave the vectors, for
// that lane alone. No path is stored: a batch holds a few hundred bytes of state.
//
// The vectors are GCC/Clang vector extensions of kLanes doubles: the compiler maps them onto
// AVX-512 (one register), AVX2 (two) or SSE2 (four). The same source is compiled three times,
// under target attributes, and one is picked at run time from the CPU (simd_level()). They give
// the same bits: the arithmetic is +, −, ×, compares, bit operations and integer shifts, which
// IEEE 754 and two's complement define exactly, in the same order in every version;
// -ffp-contract=off (CMakeLists.txt) stops the compiler fusing a·b + c into an FMA with one
// rounding fewer; and everything else (the ziggurat's slow path, logs, exps, square roots of the
// bridge) is scalar code shared by all three. The test "every SIMD level gives the same bits"
// checks it.

#include "thesis/path.h"
#include "thesis/trade.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

#if defined(__GNUC__) && !defined(__clang__)
// Vectors of 64 bytes change the calling convention between SIMD levels; GCC warns about it on
// every function that takes one. Here every such function is inlined into its caller (or takes
// arrays), so no call crosses levels.
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace thesis {
namespace {

using F = double __attribute__((vector_size(8 * kLanes)));
using U = std::uint64_t __attribute__((vector_size(8 * kLanes)));
using I = std::int64_t __attribute__((vector_size(8 * kLanes)));
using U4 = std::uint64_t __attribute__((vector_size(4 * 8)));
using U2 = std::uint64_t __attribute__((vector_size(2 * 8)));

#define THESIS_VECTOR_INLINE [[gnu::always_inline]] inline

constexpr std::uint64_t kTwo52Bits = 0x4330000000000000u;   // the double 2⁵²
constexpr double kTwo52 = 4503599627370496.0;
constexpr double kInf = std::numeric_limits<double>::infinity();

THESIS_VECTOR_INLINE F splat(double x) { return F{} + x; }
THESIS_VECTOR_INLINE F load(const double* p) {
    F v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
THESIS_VECTOR_INLINE void store(double* p, F v) { std::memcpy(p, &v, sizeof v); }
THESIS_VECTOR_INLINE U as_bits(F v) { return __builtin_bit_cast(U, v); }
THESIS_VECTOR_INLINE F as_double(U v) { return __builtin_bit_cast(F, v); }
/// mask ? a : b, lane by lane (mask lanes are all ones or all zeros).
THESIS_VECTOR_INLINE F select(I mask, F a, F b) {
    const U m = __builtin_bit_cast(U, mask);
    return as_double((as_bits(a) & m) | (as_bits(b) & ~m));
}
THESIS_VECTOR_INLINE F min(F a, F b) { return select(a < b, a, b); }
THESIS_VECTOR_INLINE F max(F a, F b) { return select(a > b, a, b); }
/// Whether any lane of a compare's mask is set: halving ORs, then one scalar test.
THESIS_VECTOR_INLINE bool any(I mask) {
    const U m = __builtin_bit_cast(U, mask);
    const U4 a = __builtin_shufflevector(m, m, 0, 1, 2, 3) | __builtin_shufflevector(m, m, 4, 5, 6, 7);
    const U2 b = __builtin_shufflevector(a, a, 0, 1) | __builtin_shufflevector(a, a, 2, 3);
    return (b[0] | b[1]) != 0;
}
inline unsigned lane_bits(I mask) {
    unsigned bits = 0;
    for (int l = 0; l < kLanes; ++l) bits |= (mask[l] != 0 ? 1u : 0u) << l;
    return bits;
}

/// kLanes xoshiro256++ states, one per lane (rng.h), stepped together.
struct LaneRandom {
    U s0, s1, s2, s3;
};
THESIS_VECTOR_INLINE U rotl(U v, int k) { return (v << k) | (v >> (64 - k)); }
THESIS_VECTOR_INLINE U next(LaneRandom& g) {
    const U result = rotl(g.s0 + g.s3, 23) + g.s0;
    const U t = g.s1 << 17;
    g.s2 ^= g.s0;
    g.s3 ^= g.s1;
    g.s1 ^= g.s2;
    g.s0 ^= g.s3;
    g.s2 ^= t;
    g.s3 = rotl(g.s3, 45);
    return result;
}
inline LaneRandom lane_random(std::uint64_t seed, std::uint64_t first_path, RandomStream stream) {
    LaneRandom g{};
    for (int l = 0; l < kLanes; ++l) {
        const auto s = stream_state(seed, first_path + static_cast<std::uint64_t>(l), stream);
        g.s0[l] = s[0];
        g.s1[l] = s[1];
        g.s2[l] = s[2];
        g.s3[l] = s[3];
    }
    return g;
}
inline PathRandom lane(const LaneRandom& g, int l) { return PathRandom({g.s0[l], g.s1[l], g.s2[l], g.s3[l]}); }
inline void set_lane(LaneRandom& g, int l, const PathRandom& r) {
    g.s0[l] = r.state()[0];
    g.s1[l] = r.state()[1];
    g.s2[l] = r.state()[2];
    g.s3[l] = r.state()[3];
}

/// uniform_from_word in every lane.
THESIS_VECTOR_INLINE F uniforms(LaneRandom& g) {
    const F m = as_double(kTwo52Bits | (next(g) >> 12)) - kTwo52;
    return (m + 0.5) * 0x1.0p-52;
}

// The lanes whose fast ziggurat test failed finish their draw on the scalar slow path, from
// their own stream (PathRandom::normal_slow); arrays, not vectors, cross this call.
[[gnu::noinline]] void finish_normals(std::uint64_t (&state)[4][kLanes], const std::int64_t* rejected,
                                      const std::uint64_t* layer, const double* u, double* z) {
    for (int l = 0; l < kLanes; ++l) {
        if (!rejected[l]) continue;
        PathRandom r({state[0][l], state[1][l], state[2][l], state[3][l]});
        z[l] = r.normal_slow({static_cast<int>(layer[l]), u[l], z[l], false});
        for (int j = 0; j < 4; ++j) state[j][l] = r.state()[j];
    }
}

/// A standard normal in every lane: ziggurat_try (rng.h) lane by lane, then the slow path for
/// the lanes it rejected.
THESIS_VECTOR_INLINE F normals(LaneRandom& g, const ZigguratTables& t) {
    const U w = next(g);
    const U layer = w & 0xFF;
    const F d = as_double((w >> 12) | 0x3FF0000000000000u);
    const F u = (2.0 * d - 3.0) + 0x1.0p-52;
    F edge, inner;
    for (int l = 0; l < kLanes; ++l) {
        edge[l] = t.x[layer[l]];
        inner[l] = t.x[layer[l] + 1];
    }
    F z = u * edge;
    const F magnitude = as_double(as_bits(z) & 0x7FFFFFFFFFFFFFFFu);
    const I rejected = ~(magnitude < inner);
    if (any(rejected)) [[unlikely]] {
        alignas(64) std::uint64_t state[4][kLanes];
        alignas(64) std::int64_t rejected_lanes[kLanes];
        alignas(64) std::uint64_t layers[kLanes];
        alignas(64) double us[kLanes], zs[kLanes];
        std::memcpy(state[0], &g.s0, sizeof g.s0);
        std::memcpy(state[1], &g.s1, sizeof g.s1);
        std::memcpy(state[2], &g.s2, sizeof g.s2);
        std::memcpy(state[3], &g.s3, sizeof g.s3);
        std::memcpy(rejected_lanes, &rejected, sizeof rejected);
        std::memcpy(layers, &layer, sizeof layer);
        store(us, u);
        store(zs, z);
        finish_normals(state, rejected_lanes, layers, us, zs);
        std::memcpy(&g.s0, state[0], sizeof g.s0);
        std::memcpy(&g.s1, state[1], sizeof g.s1);
        std::memcpy(&g.s2, state[2], sizeof g.s2);
        std::memcpy(&g.s3, state[3], sizeof g.s3);
        z = load(zs);
    }
    return z;
}

// Poisson(rate) by inversion on one uniform; rate = λ dt is small, so this takes a step or two.
int poisson(double u, double probability_zero, double rate) {
    int k = 0;
    double p = probability_zero, cumulative = p;
    while (u > cumulative && k < 1000) {
        ++k;
        p *= rate / k;
        cumulative += p;
    }
    return k;
}

/// An upper bound on −ln u from u's binary exponent: u ≥ 2^(e − 1023) so −ln u ≤ (1023 − e) ln 2.
THESIS_VECTOR_INLINE F minus_log_bound(F u) {
    const F biased_exponent = as_double(kTwo52Bits | (as_bits(u) >> 52)) - kTwo52;
    return (1023.0 - biased_exponent) * std::numbers::ln2;
}

constexpr int kNoEvent = std::numeric_limits<int>::max();

/// The catalyst events of every lane: fire with probability p, at a uniform time in the window,
/// with a normal log jump. Each event draws its three numbers whether it fires or not, so events
/// never shift one another's draws. An event lands at the first step ending at or after its time.
struct LaneEvents {
    std::vector<int> step;       // [lane * events + i]
    std::vector<double> jump;    // [lane * events + i]
    int next = kNoEvent;         // the next step any lane has an event at

    void draw(const PathGenerator::Constants& c, std::uint64_t first_path) {
        const std::vector<CatalystEvent>& events = *c.events;
        const std::size_t n = events.size();
        step.assign(n * kLanes, -1);
        jump.assign(n * kLanes, 0.0);
        for (int l = 0; l < kLanes; ++l) {
            PathRandom draws(c.seed, first_path + static_cast<std::uint64_t>(l), RandomStream::Events);
            for (std::size_t i = 0; i < n; ++i) {
                const CatalystEvent& e = events[i];
                const double fire = draws.uniform();
                const double when = draws.uniform();
                jump[l * n + i] = e.jump_mean + e.jump_sd * draws.normal();
                if (fire >= e.probability) continue;
                const double time = e.window_start + when * (e.window_end - e.window_start);
                const int at = std::max(1, static_cast<int>(std::ceil(time / c.dt - 1e-9)));
                if (at <= c.steps) step[l * n + i] = at;
            }
        }
        advance(0);
    }
    void advance(int k) {
        next = kNoEvent;
        for (int s : step)
            if (s > k) next = std::min(next, s);
    }
};

/// One batch: the model's step, the plans' watches, the observer for what needs a closer look.
THESIS_VECTOR_INLINE void simulate_lanes(const PathGenerator::Constants& c, std::uint64_t first_path,
                                         LaneObserver& observer, PathBatch* record) {
    const ZigguratTables& tables = ziggurat_tables();
    const bool fundamentals = c.kind == ModelKind::Fundamentals;
    const bool merton = c.kind == ModelKind::Merton;
    const std::size_t event_count = c.events->size();
    const int n = c.steps;

    LaneRandom diffusion = lane_random(c.seed, first_path, RandomStream::Diffusion);
    LaneRandom rerating{}, jumps{}, bridge{};
    if (fundamentals) rerating = lane_random(c.seed, first_path, RandomStream::Rerating);
    if (merton) jumps = lane_random(c.seed, first_path, RandomStream::Jumps);
    if (c.continuous) bridge = lane_random(c.seed, first_path, RandomStream::Bridge);
    LaneEvents events;
    if (event_count > 0) events.draw(c, first_path);

    F e = splat(c.eps0), m = splat(c.multiple0);   // fundamentals: log EPS and log multiple
    F x = fundamentals ? e + m : splat(c.x0);
    alignas(64) double x0[kLanes];
    store(x0, x);
    observer.start(x0, events.step.data(), event_count);
    const std::span<LaneWatch> watches = observer.watches();

    if (record) {
        for (int l = 0; l < kLanes; ++l) {
            PricePath& out = record->paths[l];
            out.index = first_path + static_cast<std::uint64_t>(l);
            out.log_price.assign(n + 1, 0.0);
            out.diffusive_end.assign(n + 1, 0.0);
            out.bridge_low.assign(n + 1, 0.0);
            out.bridge_high.assign(n + 1, 0.0);
            out.log_price[0] = x0[l];
            out.event_step.assign(events.step.begin() + static_cast<std::ptrdiff_t>(l * event_count),
                                  events.step.begin() + static_cast<std::ptrdiff_t>((l + 1) * event_count));
            out.event_jump.assign(events.jump.begin() + static_cast<std::ptrdiff_t>(l * event_count),
                                  events.jump.begin() + static_cast<std::ptrdiff_t>((l + 1) * event_count));
        }
    }

    LaneStep view;
    view.bridge_variance = c.bridge_variance;
    const double bridge_bound = 0.5 * c.bridge_variance * (1 + 1e-6);
    for (int k = 1; k <= n; ++k) {
        const F before = x;
        F diffusive_end;
        if (fundamentals) {
            // log EPS: a random walk; log multiple: Ornstein–Uhlenbeck, stepped exactly, with
            // shocks correlated through the Cholesky factor (path.cpp).
            const F z1 = normals(diffusion, tables);
            const F z2 = normals(rerating, tables);
            e = e + (c.eps_drift_step + c.eps_vol_step * z1);
            m = c.multiple_target + (m - c.multiple_target) * c.reversion +
                c.multiple_vol_step * (c.chol_21 * z1 + c.chol_22 * z2);
            diffusive_end = e + m;
        } else {
            // GBM in log space (Merton's diffusion part too): mean (μ − σ²/2 − λκ) dt, sd σ√dt.
            diffusive_end = x + (c.drift_step + c.vol_step * normals(diffusion, tables));
        }
        x = diffusive_end;
        if (merton) {
            // N ~ Poisson(λ dt) jumps this step: none unless u > P(N = 0).
            const F u = uniforms(jumps);
            const I jumped = u > c.jump_probability_zero;
            if (any(jumped)) [[unlikely]] {
                for (int l = 0; l < kLanes; ++l) {
                    if (!jumped[l]) continue;
                    const int count = poisson(u[l], c.jump_probability_zero, c.jump_rate_step);
                    PathRandom r = lane(jumps, l);
                    x[l] += count * c.jump_mean + c.jump_sd * std::sqrt(static_cast<double>(count)) * r.normal();
                    set_lane(jumps, l, r);
                }
            }
        }
        if (k == events.next) [[unlikely]] {
            for (int l = 0; l < kLanes; ++l)
                for (std::size_t i = 0; i < event_count; ++i) {
                    if (events.step[l * event_count + i] != k) continue;
                    if (fundamentals) {
                        m[l] += events.jump[l * event_count + i];                        // re-rating
                        if ((*c.events)[i].unlocks_revenue) e[l] += c.unlock_log_step;   // EPS step
                    } else {
                        x[l] += events.jump[l * event_count + i];
                    }
                }
            if (fundamentals) x = e + m;
            events.advance(k);
        }
        F u_low = splat(0.5), u_high = splat(0.5);
        F low_reach = x, high_reach = x, low_band = splat(0), high_band = splat(0);
        if (c.continuous) {
            u_low = uniforms(bridge);
            u_high = uniforms(bridge);
            // The bridge's minimum is ≥ min(a, b) − √(v·(−ln u)/2) (trade.h's formula, with
            // |a − b| ≤ a + b − 2 min(a, b)); with −ln u bounded from u's exponent, a level further
            // than that cannot have been reached. The margins absorb rounding: a false alarm
            // costs only an exact look.
            low_reach = min(min(before, diffusive_end), x) - 1e-9;
            high_reach = max(max(before, diffusive_end), x) + 1e-9;
            low_band = bridge_bound * minus_log_bound(u_low);
            high_band = bridge_bound * minus_log_bound(u_high);
        }
        bool stored = false;
        for (std::size_t p = 0; p < watches.size(); ++p) {
            LaneWatch& w = watches[p];
            const F low = load(w.low), high = load(w.high);
            I reached = (low_reach <= low) | (high_reach >= high);
            if (c.continuous) {
                const F below = low_reach - low, above = high - high_reach;
                reached |= (below * below <= low_band) | (above * above <= high_band);
            }
            const bool forced = k == w.forced;
            if (forced || any(reached)) [[unlikely]] {
                if (!stored) {
                    store(view.before, before);
                    store(view.diffusive_end, diffusive_end);
                    store(view.observed, x);
                    store(view.u_low, u_low);
                    store(view.u_high, u_high);
                    stored = true;
                }
                observer.step(p, k, forced ? (1u << kLanes) - 1 : lane_bits(reached), view);
            }
        }
        if (record) {
            for (int l = 0; l < kLanes; ++l) {
                PricePath& out = record->paths[l];
                out.log_price[k] = x[l];
                out.diffusive_end[k] = diffusive_end[l];
                if (c.continuous) {
                    out.bridge_low[k] = bridge_low(before[l], diffusive_end[l], c.bridge_variance, u_low[l]);
                    out.bridge_high[k] = bridge_high(before[l], diffusive_end[l], c.bridge_variance, u_high[l]);
                }
            }
        }
    }
    alignas(64) double terminal[kLanes];
    store(terminal, x);
    observer.finish(terminal);
}

/// The normals of kLanes paths of one stream, `count` per lane: out[i * kLanes + l].
THESIS_VECTOR_INLINE void lane_normals_body(std::uint64_t seed, std::uint64_t first_path,
                                            RandomStream stream, int count, double* out) {
    const ZigguratTables& tables = ziggurat_tables();
    LaneRandom g = lane_random(seed, first_path, stream);
    for (int i = 0; i < count; ++i) store(out + static_cast<std::ptrdiff_t>(i) * kLanes, normals(g, tables));
}

/// The roofline's work: `count` normals in each of kLanes lanes, summed (so nothing is stored).
THESIS_VECTOR_INLINE double lane_normals_sum_body(std::uint64_t seed, std::uint64_t first_path,
                                                  int count) {
    const ZigguratTables& tables = ziggurat_tables();
    LaneRandom g = lane_random(seed, first_path, RandomStream::Diffusion);
    F sum = splat(0);
    for (int i = 0; i < count; ++i) sum += normals(g, tables);
    double total = 0;
    for (int l = 0; l < kLanes; ++l) total += sum[l];
    return total;
}

using Kernel = void (*)(const PathGenerator::Constants&, std::uint64_t, LaneObserver&, PathBatch*);
using NormalsKernel = void (*)(std::uint64_t, std::uint64_t, RandomStream, int, double*);
using SumKernel = double (*)(std::uint64_t, std::uint64_t, int);

// The three compilations of each kernel. The bodies are inlined into each, so each is compiled
// for its own instruction set.
#define THESIS_KERNELS(SUFFIX, ATTRIBUTE)                                                        \
    ATTRIBUTE void kernel_##SUFFIX(const PathGenerator::Constants& c, std::uint64_t first,      \
                                   LaneObserver& o, PathBatch* r) {                              \
        simulate_lanes(c, first, o, r);                                                          \
    }                                                                                            \
    ATTRIBUTE void normals_##SUFFIX(std::uint64_t seed, std::uint64_t first, RandomStream s,     \
                                    int count, double* out) {                                    \
        lane_normals_body(seed, first, s, count, out);                                           \
    }                                                                                            \
    ATTRIBUTE double sum_##SUFFIX(std::uint64_t seed, std::uint64_t first, int count) {          \
        return lane_normals_sum_body(seed, first, count);                                        \
    }

THESIS_KERNELS(portable, )
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define THESIS_SIMD_DISPATCH 1
THESIS_KERNELS(avx2, [[gnu::target("avx2")]])
THESIS_KERNELS(avx512, [[gnu::target("avx512f,avx512dq,avx512vl")]])
#endif

struct Level {
    std::string_view name;
    Kernel kernel;
    NormalsKernel normals;
    SumKernel sum;
};

bool cpu_has(std::string_view level) {
    if (level == "portable") return true;
#if defined(THESIS_SIMD_DISPATCH)
    __builtin_cpu_init();
    if (level == "avx2") return __builtin_cpu_supports("avx2");
    if (level == "avx512")
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512vl");
#endif
    return false;
}

Level level_named(std::string_view name) {
#if defined(THESIS_SIMD_DISPATCH)
    if (name == "avx512") return {"avx512", kernel_avx512, normals_avx512, sum_avx512};
    if (name == "avx2") return {"avx2", kernel_avx2, normals_avx2, sum_avx2};
#endif
    return {"portable", kernel_portable, normals_portable, sum_portable};
}

Level best_level() {
    if (const char* forced = std::getenv("THESIS_SIMD"); forced && cpu_has(forced))
        return level_named(forced);
    for (std::string_view name : {"avx512", "avx2"})
        if (cpu_has(name)) return level_named(name);
    return level_named("portable");
}

std::atomic<int> g_level{-1};   // index into the table below, −1 until chosen
constexpr std::string_view kLevelNames[] = {"portable", "avx2", "avx512"};

Level current_level() {
    int index = g_level.load(std::memory_order_relaxed);
    if (index < 0) {
        const Level best = best_level();
        index = static_cast<int>(std::find(std::begin(kLevelNames), std::end(kLevelNames), best.name) -
                                 std::begin(kLevelNames));
        g_level.store(index, std::memory_order_relaxed);
    }
    return level_named(kLevelNames[index]);
}

}  // namespace

std::string_view simd_level() { return current_level().name; }

bool simd_level_available(std::string_view name) { return cpu_has(name); }

void set_simd_level(std::string_view name) {
    if (!cpu_has(name)) throw std::invalid_argument("this CPU cannot run SIMD level " + std::string(name));
    const auto* it = std::find(std::begin(kLevelNames), std::end(kLevelNames), name);
    g_level.store(static_cast<int>(it - std::begin(kLevelNames)), std::memory_order_relaxed);
}

void lane_normals(std::uint64_t seed, std::uint64_t first_path, RandomStream stream, int count,
                  double* out) {
    current_level().normals(seed, first_path, stream, count, out);
}

double lane_normals_sum(std::uint64_t seed, std::uint64_t first_path, int count) {
    return current_level().sum(seed, first_path, count);
}

void PathGenerator::simulate(std::uint64_t first_path, LaneObserver& observer, PathBatch* record) const {
    current_level().kernel(c_, first_path, observer, record);
}

}  // namespace thesis
