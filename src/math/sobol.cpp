// Sobol' points and their Owen scramble (sobol.h).
#include "thesis/math/sobol.h"

#include "thesis/math/rng.h"

#include <boost/random/detail/sobol_table.hpp>

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

namespace thesis {

namespace {
using JoeKuo = boost::random::detail::qrng_tables::sobol;
static_assert(JoeKuo::max_dimension >= SobolPoints::kMaxDimensions);

std::uint32_t reverse_bits(std::uint32_t x) {
    x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
    x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
    x = ((x >> 4) & 0x0F0F0F0Fu) | ((x & 0x0F0F0F0Fu) << 4);
    x = ((x >> 8) & 0x00FF00FFu) | ((x & 0x00FF00FFu) << 8);
    return (x >> 16) | (x << 16);
}
// The 32-bit MurmurHash3 finaliser (Appleby): a bijection whose every output bit depends on
// every input bit, in 32-bit operations a vector unit has.
inline std::uint32_t fmix32(std::uint32_t h) {
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    return h ^ (h >> 16);
}

// The 53-bit fraction (lead·2^21 + trail + ½)·2^−53, from the scrambled 32 leading digits and 21
// trailing ones, with exact conversions (both parts below 2^32) that a vector unit has too.
inline double fraction(std::uint32_t lead, std::uint32_t trail) {
    constexpr double kTwo52 = 4503599627370496.0;
    const double high = std::bit_cast<double>(0x4330000000000000u | lead) - kTwo52;
    const double low = std::bit_cast<double>(0x4330000000000000u | trail) - kTwo52;
    return ((high * 0x1.0p21 + low) + 0.5) * 0x1.0p-53;
}

inline std::uint32_t scramble_word(std::uint32_t x, std::uint32_t addend, std::uint32_t multiplier) {
    // Burley 2020, listing 2 (the Laine–Karras permutation with his improved constants), keyed by
    // a separate addend and odd multiplier instead of one seed.
    x = reverse_bits(x);
    x ^= x * 0x3d20adeau;
    x += addend;
    x *= multiplier | 1u;
    x ^= x * 0x05526c56u;
    x ^= x * 0x53a22864u;
    return reverse_bits(x);
}
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
    const std::uint32_t lead =
        scramble_word(points_.coordinate(index, dimension), addend_[j], multiplier_[j]);
    // The 21 digits past the scrambled 32, uniform and independent of them (a nested scramble
    // draws every digit below the net's resolution at random): a hash of the point's index and
    // the dimension's key.
    const std::uint32_t trail = fmix32(index ^ trail_key_[j]) >> 11;
    return fraction(lead, trail);
}

void ScrambledSobol::point(std::uint32_t index, std::span<double> out) const {
    if (out.size() != static_cast<std::size_t>(dimensions()))
        throw std::invalid_argument("ScrambledSobol::point: out must hold one value per dimension");
    // Dimension by dimension in loops without branches, which the compiler runs in vectors: a
    // block of coordinates as the XOR of the direction numbers of the index's bits
    // (SobolPoints' by-bit table), then their scramble: the bits of uniform(index, j).
    const int dims = dimensions();
    constexpr int kBlock = 64;
    std::uint32_t raw[kBlock];
    for (int d0 = 0; d0 < dims; d0 += kBlock) {
        const int count = std::min(kBlock, dims - d0);
        for (int d = 0; d < count; ++d) raw[d] = 0;
        for (std::uint32_t rest = index; rest != 0; rest &= rest - 1) {
            const std::uint32_t* row = points_.directions_of_bit(std::countr_zero(rest)) + d0;
            for (int d = 0; d < count; ++d) raw[d] ^= row[d];
        }
        for (int d = 0; d < count; ++d) {
            const std::size_t j = static_cast<std::size_t>(d0 + d);
            const std::uint32_t lead = scramble_word(raw[d], addend_[j], multiplier_[j]);
            const std::uint32_t trail = fmix32(index ^ trail_key_[j]) >> 11;
            out[j] = fraction(lead, trail);
        }
    }
}

}  // namespace thesis
