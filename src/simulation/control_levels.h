#pragma once
// The control variate's vector loops (control_variate.cpp's): the backward pass's convolutions and
// each path's sum over a table, compiled once per SIMD level (control_levels.cpp) and run at the
// level simd.h chose; every level gives the same bits. Private to src/simulation.

#include "thesis/simulation/control_variate.h"

#include <cstddef>

namespace thesis::detail {

/// Σ_d w_d f_{i+d} and, where `slope` is given (a step a row is taken at), Σ_d v_d f_{i+d} for the
/// n points i whose values past the step are after[pad + i + d] (each point's own taps, in order:
/// the same sums whatever the slice).
void convolve_values(const ConvolutionWeights& w, const double* after, int pad, std::size_t n, double* value,
                     double* slope);

/// Where and how a path's closes read one table of a plan's coefficients: step k's row at
/// table + ((k − origin) >> row_shift)·stride, on points 0 … size − 1; a close x at point
/// x·slope + at_zero (linearly between two points). The first-order term's coefficient is
/// scaled by `factor`, the second's by `bend` (b = (s/2)·∂a/∂x: s/2 times the read's points per
/// unit of x, times factor).
struct TableRead {
    const float* table = nullptr;
    std::size_t stride = 0;
    int size = 0;
    double slope = 0, at_zero = 0, factor = 1, bend = 0;
    int origin = 0, row_shift = 0;
};

/// Σ_{k = from}^{to − 1} a(k, x_k)·ξ_k·factor + Δa(k, x_k)·xi2_k·bend for each metric, added to
/// sum: a read from `read` at x[k], Δa the difference between the two points it reads between.
/// The table holds a float past its last point's metrics.
void sweep_terms(const TableRead& read, const double* x, const double* xi, const double* xi2, int from,
                 int to, ControlValues& sum);

}  // namespace thesis::detail
