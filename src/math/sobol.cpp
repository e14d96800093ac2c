// Sobol' points and their Owen scramble (sobol.h).
#include "thesis/math/sobol.h"

#include "thesis/math/rng.h"

#include "rqmc_levels.h"

#include <boost/random/detail/sobol_table.hpp>

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>
#include <vector>

namespace thesis {

namespace {
using JoeKuo = boost::random::detail::qrng_tables::sobol;
static_assert(JoeKuo::max_dimension >= SobolPoints::kMaxDimensions);

#include "rqmc_arithmetic.inc"
}  // namespace

SobolPoints::SobolPoints(int dimensions) : dimensions_(dimensions) {
    if (dimensions < 1 || dimensions > kMaxDimensions)
        throw std::invalid_argument("Sobol points need 1 to " + std::to_string(kMaxDimensions) +
                                    " dimensions, got " + std::to_string(dimensions));
    by_bit_.assign(static_cast<std::size_t>(dimensions) * 32, 0);
    const auto v = [&](int j, int k) -> std::uint32_t& {
        return by_bit_[static_cast<std::size_t>(k) * static_cast<std::size_t>(dimensions) +
                       static_cast<std::size_t>(j)];
    };
    // Dimension 0: v_k = 2^−(k+1), van der Corput's sequence.
    for (int k = 0; k < 32; ++k) v(0, k) = 1u << (31 - k);
    // Dimension j ≥ 1 from the primitive polynomial x^s + a_1 x^{s−1} + … + a_{s−1} x + 1 (its
    // middle coefficients are the bits of the table's polynomial below the leading one) and the
    // initial odd integers m_1 … m_s (Bratley & Fox, ACM TOMS 14(1), 1988, algorithm 659; Joe &
    // Kuo's notes): m_k = 2a_1 m_{k−1} ⊕ 2²a_2 m_{k−2} ⊕ … ⊕ 2^s m_{k−s} ⊕ m_{k−s}, and
    // v_k = m_k / 2^k.
    for (int j = 1; j < dimensions; ++j) {
        const auto poly = static_cast<std::uint32_t>(JoeKuo::polynomial(static_cast<std::size_t>(j - 1)));
        const int degree = std::bit_width(poly) - 1;
        std::uint32_t m[32];
        for (int k = 0; k < 32; ++k) {
            if (k < degree) {
                m[k] = static_cast<std::uint32_t>(
                    JoeKuo::minit(static_cast<std::size_t>(j - 1), static_cast<std::size_t>(k)));
            } else {
                std::uint32_t next = m[k - degree] ^ (m[k - degree] << degree);
                for (int i = 1; i < degree; ++i)
                    if ((poly >> (degree - i)) & 1u) next ^= m[k - i] << i;
                m[k] = next;
            }
        }
        for (int k = 0; k < 32; ++k) v(j, k) = m[k] << (31 - k);
    }
}

void SobolPoints::point(std::uint32_t index, std::span<std::uint32_t> out) const {
    if (out.size() != static_cast<std::size_t>(dimensions_))
        throw std::invalid_argument("SobolPoints::point: out must hold one value per dimension");
    for (int j = 0; j < dimensions_; ++j) out[static_cast<std::size_t>(j)] = coordinate(index, j);
}

void SobolPoints::advance(std::uint32_t from, std::uint32_t to, std::span<std::uint32_t> coordinates) const {
    if (coordinates.size() > static_cast<std::size_t>(dimensions_))
        throw std::invalid_argument("SobolPoints::advance: more coordinates than dimensions");
    // Point i is the XOR of the direction numbers of i's bits, so point `to` is point `from`
    // XOR those of the bits where the two differ: about two rows for the next point in order.
    const std::size_t count = coordinates.size();
    for (std::uint32_t flips = from ^ to; flips != 0; flips &= flips - 1) {
        const std::uint32_t* row = directions_of_bit(std::countr_zero(flips));
        for (std::size_t d = 0; d < count; ++d) coordinates[d] ^= row[d];
    }
}

std::uint32_t owen_scramble(std::uint32_t x, std::uint32_t addend, std::uint32_t multiplier) {
    return scramble_word(x, addend, multiplier);
}

ScrambledSobol::ScrambledSobol(int dimensions, std::uint64_t seed) : points_(dimensions) {
    addend_.resize(static_cast<std::size_t>(dimensions));
    multiplier_.resize(static_cast<std::size_t>(dimensions));
    trail_key_.resize(static_cast<std::size_t>(dimensions));
    for (int j = 0; j < dimensions; ++j) {
        const std::uint64_t key = mix64(mix64(seed + 0x9E3779B97F4A7C15u) + static_cast<std::uint64_t>(j));
        addend_[static_cast<std::size_t>(j)] = static_cast<std::uint32_t>(key);
        multiplier_[static_cast<std::size_t>(j)] = static_cast<std::uint32_t>(key >> 32) | 1u;
        trail_key_[static_cast<std::size_t>(j)] = static_cast<std::uint32_t>(mix64(key));
    }
}

double ScrambledSobol::uniform(std::uint32_t index, int dimension) const {
    const std::size_t j = static_cast<std::size_t>(dimension);
    return scrambled_uniform(points_.coordinate(index, dimension), index, addend_[j], multiplier_[j],
                             trail_key_[j]);
}

void ScrambledSobol::point(std::uint32_t index, std::span<double> out) const {
    if (out.size() != static_cast<std::size_t>(dimensions()))
        throw std::invalid_argument("ScrambledSobol::point: out must hold one value per dimension");
    std::vector<std::uint32_t> raw(out.size(), 0);
    points_.advance(0, index, raw);
    scramble(index, raw, out);
}

void ScrambledSobol::scramble(std::uint32_t index, std::span<const std::uint32_t> raw,
                              std::span<double> out) const {
    if (raw.size() > static_cast<std::size_t>(dimensions()) || out.size() != raw.size())
        throw std::invalid_argument("ScrambledSobol::scramble: one value out per coordinate in");
    detail::scrambled_uniforms(index, raw.data(), addend_.data(), multiplier_.data(), trail_key_.data(),
                               static_cast<int>(raw.size()), out.data());
}

}  // namespace thesis
