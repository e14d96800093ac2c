#pragma once
// Randomised quasi-Monte Carlo points: Sobol' points in base 2, scrambled.
//
// Sobol' points (I. M. Sobol', "On the distribution of points in a cube and the approximate
// evaluation of integrals", USSR Comput. Math. Math. Phys. 7(4), 1967) with the direction numbers
// of S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better two-dimensional
// projections", SIAM J. Sci. Comput. 30(5), 2008 (the file new-joe-kuo-6.21201, as Boost.Random
// ships it: 3,667 dimensions). Point i, coordinate j, is the XOR of the direction numbers v_{j,k}
// over the bits k set in i (the natural order; the Gray-code order visits the same 2^m points).
//
// The scramble is Owen's nested uniform scrambling (A. B. Owen, "Randomly permuted (t,m,s)-nets
// and (t,s)-sequences", 1995), done by hashing as in B. Burley, "Practical Hash-based Owen
// Scrambling", JCGT 9(4), 2020: reverse the bits, apply a Laine–Karras permutation (each output
// bit depends on that bit and the ones below it, so after the reversal each digit is permuted as
// a function of the digits before it, which is what a nested scramble is), reverse back. It keeps
// the net property: each 2^m points of a scrambled set still put one point in every elementary
// box of volume 2^−m. Each coordinate is then exactly uniform: the permutation is keyed by a
// uniform 32-bit addend (uniform in, bijection after), and the 21 digits past the first 32 are
// uniform bits from a hash of (key, point, coordinate). So an average over a scrambled set is
// unbiased, and independent scrambles give independent estimates whose spread is an honest error
// bar (randomised QMC; Owen, "Monte Carlo theory, methods and examples", ch. 17, 2013).

#include <bit>
#include <cstdint>
#include <span>
#include <vector>

namespace thesis {

/// The first 2^32 Sobol' points in up to kMaxSobolDimensions dimensions, each coordinate a 32-bit
/// fraction (x = value · 2^−32).
class SobolPoints {
  public:
    static constexpr int kMaxDimensions = 3667;

    /// Throws std::invalid_argument unless 1 ≤ dimensions ≤ kMaxDimensions.
    explicit SobolPoints(int dimensions);

    int dimensions() const { return dimensions_; }

    /// Coordinate `dimension` (0-based) of point `index` (natural order; index < 2^32).
    /// Example: dimension 0 is van der Corput's sequence: points 1, 2, 3 → 2^31, 2^30, 3·2^30.
    std::uint32_t coordinate(std::uint32_t index, int dimension) const {
        std::uint32_t x = 0;
        for (; index != 0; index &= index - 1) x ^= direction(dimension, std::countr_zero(index));
        return x;
    }

    /// Every coordinate of point `index`, into out (out.size() == dimensions()).
    void point(std::uint32_t index, std::span<std::uint32_t> out) const;

    /// Turns the first coordinates.size() coordinates of point `from` into those of point `to`:
    /// a few XORs a coordinate when `to` follows `from` (bits of from ^ to, two on average).
    void advance(std::uint32_t from, std::uint32_t to, std::span<std::uint32_t> coordinates) const;

    /// Direction number v_{dimension, bit}: point i ⊕ v_{j,c} is point i ⊕ 2^c, so visiting the
    /// points in Gray-code order (i ^ (i >> 1)) costs one XOR a coordinate, with c the count of
    /// trailing zeros of the step's index.
    std::uint32_t direction(int dimension, int bit) const {
        return by_bit_[static_cast<std::size_t>(bit) * static_cast<std::size_t>(dimensions_) +
                       static_cast<std::size_t>(dimension)];
    }

    /// v_{j, bit} for j = 0 … dimensions() − 1, contiguous: XORed into a point's coordinates
    /// for each bit of its index, a row at a time.
    const std::uint32_t* directions_of_bit(int bit) const {
        return &by_bit_[static_cast<std::size_t>(bit) * static_cast<std::size_t>(dimensions_)];
    }

  private:
    int dimensions_;
    std::vector<std::uint32_t> by_bit_;  ///< [bit × dimensions + dimension]: v_{j,k} as 32-bit fractions
};

/// One Owen scramble of a Sobol' point set: a key per dimension, from (seed, dimension).
class ScrambledSobol {
  public:
    /// `seed` keys the scramble; different seeds give independent scrambles.
    ScrambledSobol(int dimensions, std::uint64_t seed);

    int dimensions() const { return points_.dimensions(); }

    /// Coordinate `dimension` of scrambled point `index` as a double, uniform on (0, 1): the
    /// scrambled 32 leading bits, 21 uniform trailing bits, and half a unit of the 53rd bit (so
    /// never 0 or 1).
    double uniform(std::uint32_t index, int dimension) const;

    /// Every coordinate of scrambled point `index`, into out (out.size() == dimensions()): the
    /// bits of uniform(index, j) for each j.
    void point(std::uint32_t index, std::span<double> out) const;

    /// The first raw.size() coordinates of scrambled point `index` from its coordinates before the
    /// scramble (SobolPoints), into out: the bits of uniform(index, j), in vectors (simd.h).
    void scramble(std::uint32_t index, std::span<const std::uint32_t> raw, std::span<double> out) const;

    const SobolPoints& points() const { return points_; }

  private:
    SobolPoints points_;
    std::vector<std::uint32_t> addend_, multiplier_;  ///< per dimension: the permutation's keys
    std::vector<std::uint32_t> trail_key_;            ///< per dimension: the trailing digits' hash key
};

/// The nested scramble of the 32-bit fraction x under keys (addend, odd multiplier): Burley's
/// reverse, Laine–Karras permutation, reverse. A bijection of 32-bit words that maps every
/// dyadic interval [k·2^−m, (k+1)·2^−m) onto another one.
std::uint32_t owen_scramble(std::uint32_t x, std::uint32_t addend, std::uint32_t multiplier);

}  // namespace thesis
