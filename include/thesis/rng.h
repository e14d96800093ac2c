#pragma once
// Random numbers keyed by (seed, path, stream): path i sees the same draws on any thread, in any
// chunk, for any plan and at any sweep point. Philox4x32-10 (Salmon et al., "Parallel random
// numbers: as easy as 1, 2, 3", SC11) is counter-based: no state to advance or hash, the counter
// is the path index and the draw number. There is no clock seed: the seed is explicit.

#include <Random123/philox.h>

#include <cmath>
#include <cstdint>
#include <numbers>

namespace thesis {

/// Independent random sequences of one path. Adding a model feature (jumps, events) never
/// shifts the draws of another stream, so results stay comparable.
enum class RandomStream : std::uint32_t {
    Diffusion = 0,   ///< normals of the price (or EPS) diffusion
    Rerating = 1,    ///< the multiple's own shocks in fundamentals mode
    Jumps = 2,       ///< Merton jump counts and sizes
    Bridge = 3,      ///< Brownian-bridge extremes for continuous monitoring
    Events = 4,      ///< catalyst events: fire?, when, how big
};

/// Uniform on the open interval (0, 1) from 32 random bits: (w + ½) / 2³², never 0 or 1, so
/// log(u) is always finite. Example: uniform_from_bits(0) = 2⁻³³.
inline double uniform_from_bits(std::uint32_t w) {
    return (static_cast<double>(w) + 0.5) * (1.0 / 4294967296.0);
}

/// The draws of one stream of one path. A value type of 48 bytes; make one per path and stream.
class PathRandom {
  public:
    PathRandom(std::uint64_t seed, std::uint64_t path, RandomStream stream)
        : key_{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}},
          counter_{{static_cast<std::uint32_t>(path), static_cast<std::uint32_t>(path >> 32), 0,
                    static_cast<std::uint32_t>(stream)}} {}

    /// 32 random bits.
    std::uint32_t bits() {
        if (used_ == 4) refill();
        return block_[used_++];
    }
    /// Uniform on (0, 1).
    double uniform() { return uniform_from_bits(bits()); }

    /// A standard normal by Box–Muller (Box & Muller 1958) on two 32-bit uniforms; the pair's
    /// second value is kept for the next call. |z| < 6.8 (u ≥ 2⁻³³): a tail of ~1e-11, far below
    /// any Monte Carlo error we report.
    double normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const double u1 = uniform(), u2 = uniform();
        const double r = std::sqrt(-2.0 * std::log(u1));
        const double angle = 2.0 * std::numbers::pi * u2;
        spare_ = r * std::sin(angle);
        has_spare_ = true;
        return r * std::cos(angle);
    }

  private:
    void refill() {
        block_ = r123::Philox4x32{}(counter_, key_);
        ++counter_[2];   // the draw block; 2³² blocks × 4 words per path and stream
        used_ = 0;
    }

    r123::Philox4x32::key_type key_;
    r123::Philox4x32::ctr_type counter_;
    r123::Philox4x32::ctr_type block_{};
    int used_ = 4;
    bool has_spare_ = false;
    double spare_ = 0;
};

}  // namespace thesis
