#pragma once
// Streaming, mergeable statistics for Monte Carlo results.
//
// Every accumulator here uses memory that does not grow with the number of samples, and can be
// merged with another of its kind, so the engine can give each fixed-size chunk of paths its own
// accumulator (on whichever thread) and merge the chunks afterwards.
//
// Determinism contract:
//  * RunningStats is floating point: the result depends on the order of add() and merge() calls.
//    Feeding the same chunks and merging them in the same (chunk) order is bit-identical, whatever
//    thread computed each chunk; a different chunking or merge order agrees only to rounding
//    (about √n·ε relative: ~3e-14 for the mean and variance at n = 10⁵).
//  * QuantileSketch holds integer bucket counts plus an exact min and max, so add() and merge()
//    commute: any chunking and any merge order give the same sketch, and bit-identical quantiles.
//  * Both hold only if the build does not reorder floating point (no -ffast-math); contraction to
//    FMA (-ffp-contract) can make different builds differ in the last bit, never one build.
//
// Non-finite samples (NaN, ±inf) are rejected with std::invalid_argument: the engine must never
// produce them, and one would silently poison every statistic.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace thesis {

/// Two-sided 95% standard-normal critical value, z = Φ⁻¹(0.975).
inline constexpr double kZ95 = 1.959963984540054;

/// A point estimate with its standard error and a 95% confidence interval [ci_low, ci_high].
struct Estimate {
    double value = 0;      ///< point estimate
    double std_error = 0;  ///< standard error of `value`
    double ci_low = 0;     ///< lower end of the 95% confidence interval
    double ci_high = 0;    ///< upper end of the 95% confidence interval
};

/// Running count, sum, mean, unbiased variance, min and max of a stream of samples in O(1) memory.
/// Updates use Welford's recurrence (B. P. Welford, "Note on a method for calculating corrected
/// sums of squares and products", Technometrics 4(3), 1962); merges use the pairwise formula of
/// T. F. Chan, G. H. Golub, R. J. LeVeque, "Updating formulae and a pairwise algorithm for
/// computing sample variances", Stanford STAN-CS-79-773, 1979. Both avoid the catastrophic
/// cancellation of Σx² − (Σx)²/n.
class RunningStats {
  public:
    /// Adds one sample: n ← n+1, δ = x − mean, mean ← mean + δ/n, M2 ← M2 + δ·(x − mean).
    /// Throws std::invalid_argument for NaN or ±inf (the accumulator is left unchanged).
    /// Example: RunningStats s; s.add(2); s.add(4);  // s.mean() == 3, s.variance() == 2
    void add(double x);

    /// The statistics of a batch of samples, in two passes: x̄ = Σx / n, then M2 = Σ(x − x̄)²
    /// (each sum kept in four interleaved partial sums, added in a fixed order). As accurate as
    /// add() one by one and without its division per sample; merge batches in a fixed order for
    /// reproducible totals. Throws std::invalid_argument for NaN or ±inf.
    /// Example: RunningStats::of({{2, 4}}) has mean 3 and variance 2, as s.add(2); s.add(4).
    static RunningStats of(std::span<const double> samples);

    /// Merges another accumulator (Chan et al. 1979): n = na + nb, δ = mean_b − mean_a,
    /// mean = mean_a + δ·nb/n, M2 = M2a + M2b + δ²·na·nb/n; sums add, min/max combine.
    /// Merging an empty accumulator is a no-op; merging into an empty one copies `other`.
    /// Example: a = {1, 2}, b = {3, 4}; a.merge(b);  // a.mean() == 2.5, a.variance() == 5/3
    void merge(const RunningStats& other);

    /// Number of samples n. Example: after add(1), add(5): count() == 2.
    std::uint64_t count() const noexcept { return n_; }

    /// Arithmetic mean x̄ = Σx / n. Throws std::logic_error when empty.
    /// Example: {2, 4, 4, 4, 5, 5, 7, 9} → 5.
    double mean() const;

    /// Unbiased sample variance s² = M2 / (n − 1), M2 = Σ(x − x̄)². Throws std::logic_error if
    /// n < 2. Example: {2, 4, 4, 4, 5, 5, 7, 9} → 32/7.
    double variance() const;

    /// Sample standard deviation s = √(s²). Throws std::logic_error if n < 2.
    /// Example: {2, 4, 4, 4, 5, 5, 7, 9} → √(32/7) ≈ 2.138.
    double std_dev() const;

    /// Smallest sample (−0 is stored as 0). Throws std::logic_error when empty.
    /// Example: {3, −1, 2} → −1.
    double min() const;

    /// Largest sample. Throws std::logic_error when empty. Example: {3, −1, 2} → 3.
    double max() const;

    /// Σx, summed in add/merge order (0 when empty; `of` sums a batch its own way).
    /// Example: {3, −1, 2} → 4.
    double sum() const noexcept { return sum_; }

    /// The mean with its standard error s/√n and the normal 95% interval x̄ ± z·s/√n, z = 1.95996.
    /// Throws std::logic_error if n < 2.
    /// Example: {2, 4, 4, 4, 5, 5, 7, 9} → value 5, std_error √(4/7) ≈ 0.756, CI ≈ [3.518, 6.482].
    Estimate mean_estimate() const;

    /// Field-by-field equality (== on doubles). Example: two accumulators fed the same samples in
    /// the same order compare equal.
    friend bool operator==(const RunningStats&, const RunningStats&) = default;

  private:
    std::uint64_t n_ = 0;
    double mean_ = 0;
    double m2_ = 0;  ///< Σ(x − x̄)²
    double sum_ = 0;
    double min_ = std::numeric_limits<double>::infinity();
    double max_ = -std::numeric_limits<double>::infinity();
};

/// A binomial proportion p̂ = hits/n with std_error √(p̂(1−p̂)/n) and the Wilson score 95%
/// interval (E. B. Wilson, "Probable inference, the law of succession, and statistical
/// inference", JASA 22(158), 1927):
///   centre = (p̂ + z²/2n) / (1 + z²/n),  half = z/(1 + z²/n) · √(p̂(1−p̂)/n + z²/4n²),
/// clipped to [0, 1] (exactly 0 below at 0 hits, exactly 1 above at n hits). Unlike p̂ ± z·se it
/// stays inside [0, 1] and does not collapse to a point at 0 or n hits. `value` is p̂ itself, not
/// the Wilson centre.
/// Throws std::invalid_argument if n == 0 or hits > n.
/// Example: proportion_estimate(10, 100) → value 0.1, std_error 0.03, CI ≈ [0.0552, 0.1744].
Estimate proportion_estimate(std::uint64_t hits, std::uint64_t n);

/// A value known exactly, or a statistic reported without an interval: no error, both ends equal.
inline Estimate exact_estimate(double value) { return {value, 0, value, value}; }
/// The normal 95% interval value ± z·std_error (kZ95).
Estimate normal_estimate(double value, double std_error);

/// Mergeable quantile sketch with a relative-error guarantee: the DDSketch of C. Masson, J. E. Rim,
/// H. K. Lee, "DDSketch: a fast and fully-mergeable quantile sketch with relative-error
/// guarantees", PVLDB 12(12), 2019.
///
/// A sample x ≠ 0 goes to bucket i = ⌈log_γ |x|⌉, γ = (1+α)/(1−α), of the store for its sign;
/// bucket i holds (γ^(i−1), γ^i] and stands for 2γ^i/(γ+1), which is within a relative α of every
/// value in it. Exact zeros (and −0) are counted separately, exactly. Counts are uint64, so
/// merging is exact, commutative and associative. The exact min and max are kept too; they are
/// returned for ranks 0 and n−1, and every representative is clipped to [min, max].
///
/// Stated error (α = relative_accuracy()): let x_(r) be the exact order statistic of rank r
/// (0-based, ascending). quantile() returns q with |q − x_(r)| ≤ α·|x_(r)|, and q = 0 exactly when
/// x_(r) = 0 — up to floating-point rounding in log/exp (< 1e-12 relative), and unless x_(r) was
/// collapsed (below).
///
/// Memory: each sign store keeps a dense array of counts from its lowest to its highest bucket
/// index, grown on demand with slack, so it holds at most 1.5·S + 64 slots, S being the bucket
/// span of that sign's magnitudes: S ≤ ln(max|x| / min|x|) / ln γ + 2 (ln γ ≈ 2α; for α = 1e-3,
/// about 1,151 slots per decade). The span is capped at max_buckets per sign: a sample more than
/// max_buckets buckets below the largest magnitude of its sign is counted in the lowest kept
/// bucket (the DDSketch "collapsing lowest" store). This keeps ranks exact but loses the relative
/// guarantee for those tiny magnitudes only: a collapsed x_(r) is reported within an absolute
/// error of max|x|·γ^(2−max_buckets) (about 3.5e−29·max|x| with the defaults), which is negligible
/// next to the tail quantiles that VaR/ES use. Hard cap: bucket_count() ≤ 2·⌊1.5·max_buckets⌋.
/// Collapsing depends only on the largest magnitude ever seen, so it too is order-independent.
///
/// add() costs one log and one increment; it allocates only when a sample lands outside the
/// allocated bucket range (amortised O(1): the range grows geometrically).
class QuantileSketch {
  public:
    static constexpr double kDefaultRelativeAccuracy = 1e-3;
    static constexpr std::size_t kDefaultMaxBuckets = std::size_t{1} << 15;

    /// A sketch with relative accuracy α ∈ [1e-9, 0.5] and at most `max_buckets` ∈ [1, 2³¹]
    /// distinct buckets per sign; throws std::invalid_argument otherwise.
    /// Example: QuantileSketch s;  // α = 0.001 (0.1%), 32,768 buckets per sign
    explicit QuantileSketch(double relative_accuracy = kDefaultRelativeAccuracy,
                            std::size_t max_buckets = kDefaultMaxBuckets);

    /// Counts one sample: zero count if x == 0, else bucket ⌈ln|x| / ln γ⌉ of the store for its
    /// sign; updates min and max. Throws std::invalid_argument for NaN or ±inf (sketch unchanged).
    /// Example: s.add(-12.5); s.add(0.0); s.add(3.0);  // s.count() == 3, s.zero_count() == 1
    void add(double x);
    /// The same for x whose ln|x| the caller already has (a price simulated in log space):
    /// bucket ⌈log_abs_x / ln γ⌉, no logarithm taken; x == 0 (an underflow) counts as a zero.
    void add_with_log(double x, double log_abs_x);

    /// Adds another sketch's counts: count(bucket) = count_a + count_b, min = min(a, b), ...
    /// Exact and order-independent: any merge order of the same chunks gives an equal sketch.
    /// Throws std::invalid_argument if the two sketches differ in α or max_buckets.
    /// Example: a = {1, 2}, b = {3}; a.merge(b);  // a.count() == 3, a.quantile(1) == 3
    void merge(const QuantileSketch& other);

    /// Number of samples n. Example: after add(1), add(-1): count() == 2.
    std::uint64_t count() const noexcept;

    /// Number of samples exactly equal to 0 (or −0). Example: {0, −0, 1} → 2.
    std::uint64_t zero_count() const noexcept { return zero_count_; }

    /// Exact smallest sample (−0 is stored as 0). Throws std::logic_error when empty.
    /// Example: {3, −1, 2} → −1.
    double min() const;

    /// Exact largest sample. Throws std::logic_error when empty. Example: {3, −1, 2} → 3.
    double max() const;

    /// Counts per bin [edges[i], edges[i+1]) (the last bin closed), each sample counted at its
    /// bucket's representative value (within α of it); samples outside the edges are left out.
    /// For a histogram drawn without storing samples. Throws std::invalid_argument unless the
    /// edges (at least 2) ascend. Example: samples {1, 2, 2, 9}, edges {0, 5, 10} → {3, 1}.
    std::vector<std::uint64_t> histogram(const std::vector<double>& edges) const;

    /// The p-quantile: an approximation of the order statistic x_(r) of rank r = ⌊p·(n−1)⌋
    /// (0-based, ascending; the "lower" quantile, no interpolation). p = 0 gives the exact min and
    /// p = 1 the exact max; otherwise |result − x_(r)| ≤ α·|x_(r)|.
    /// Throws std::invalid_argument unless 0 ≤ p ≤ 1, std::logic_error when empty.
    /// Example: samples 1..10000, quantile(0.5) → x_(4999) = 5000 within ±5 (α = 0.001).
    double quantile(double p) const;

    /// The p-quantile with a distribution-free 95% confidence interval for the population
    /// quantile, from order statistics (e.g. Conover, Practical Nonparametric Statistics, §3.2):
    /// the count of samples below the true quantile is Binomial(n, p), so with
    /// δ = z·√(p(1−p)/n), z = 1.95996, the interval is [x_(⌊(p−δ)(n−1)⌋), x_(⌈(p+δ)(n−1)⌉)]
    /// (ranks clipped to [0, n−1]), each end widened outward by the sketch's α/(1−α)·|q| so it
    /// contains the exact order-statistic interval, then clipped to [min, max]. std_error is the
    /// implied (ci_high − ci_low) / (2z). Uses the normal approximation to the binomial: it
    /// under-covers when n·p·(1−p) ≲ 10 (at p = 0 or 1 the interval is the single min or max).
    /// Throws like quantile().
    /// Example: 10⁶ N(0,1) samples, p = 0.5 → value ≈ 0, CI ≈ [−0.0025, 0.0025].
    Estimate quantile_ci(double p) const;

    /// Mean of the lowest fraction p of the samples, counting the boundary sample fractionally
    /// (C. Acerbi, D. Tasche, "On the coherence of expected shortfall", J. Banking & Finance
    /// 26(7), 2002): with k = p·n, (Σ_{i<⌊k⌋} x_(i) + (k − ⌊k⌋)·x_(⌊k⌋)) / k.
    /// Computed from the bucket representatives (exact min, max and zeros), so
    /// |result − exact| ≤ α · (the same weighted mean of |x|) — for a one-signed tail, α·|result|
    /// to first order. p = 0 gives min(). Throws std::invalid_argument unless 0 ≤ p ≤ 1,
    /// std::logic_error when empty.
    /// Example: samples {−4, −2, 0, 2, 4}: tail_mean_below(0.4) → (−4 − 2)/2 = −3 (within 0.1%).
    double tail_mean_below(double p) const;

    /// Mean of the highest fraction p of the samples, defined and bounded as tail_mean_below
    /// mirrored. p = 0 gives max(). Example: {−4, −2, 0, 2, 4}: tail_mean_above(0.5) →
    /// (4 + 2 + 0.5·0)/2.5 = 2.4 (within 0.1%).
    double tail_mean_above(double p) const;

    /// Mean of x² over the lowest fraction p, weighted as tail_mean_below; with it the tail's
    /// variance, for the standard error of expected shortfall. Relative error ≤ 2α + α².
    double tail_square_mean_below(double p) const;

    /// The relative accuracy α this sketch was built with. Example: QuantileSketch(0.01) → 0.01.
    double relative_accuracy() const noexcept { return alpha_; }

    /// The most distinct buckets kept per sign before the lowest ones collapse.
    /// Example: QuantileSketch(0.01, 512).max_buckets() == 512.
    std::size_t max_buckets() const noexcept { return static_cast<std::size_t>(max_buckets_); }

    /// Bucket slots allocated over both sign stores (8 bytes each): the sketch's memory, apart
    /// from a fixed ~100 bytes. Bounded as stated in the class comment, never by n.
    /// Example: after adding 10⁶ values in [1e-6, 1e9] with α = 1e-3: ≤ 1.5·17,271 + 64 ≈ 25,970.
    std::size_t bucket_count() const noexcept;

    /// Logical equality: same α, max_buckets, zero count, min, max and counts per bucket (slack in
    /// the allocation is ignored). Example: one-pass and chunk-merged sketches of the same samples
    /// compare equal.
    friend bool operator==(const QuantileSketch& a, const QuantileSketch& b);

  private:
    /// Dense counts for bucket indices [lo, hi] of one sign, inside an allocation starting at
    /// `offset`; every slot outside [lo, hi] is zero.
    struct Store {
        std::vector<std::uint64_t> counts;
        std::int64_t offset = 0;  ///< bucket index of counts[0]
        std::int64_t lo = 0;      ///< lowest bucket index with a nonzero count (if total > 0)
        std::int64_t hi = -1;     ///< highest bucket index with a nonzero count (if total > 0)
        std::uint64_t total = 0;

        void add(std::int64_t index, std::int64_t max_buckets);
        void add_slow(std::int64_t index, std::int64_t max_buckets);
        void merge(const Store& other, std::int64_t max_buckets);
        void cover(std::int64_t new_lo, std::int64_t new_hi, std::int64_t max_buckets);
        std::uint64_t at(std::int64_t index) const {
            return counts[static_cast<std::size_t>(index - offset)];
        }
        bool same_counts(const Store& other) const;  ///< logical equality, slack ignored
    };

    /// One run of equal representative values in ascending order.
    struct Run {
        double value;
        std::uint64_t count;
    };

    /// Every sample as (representative, count) runs in ascending order, with the exact min and
    /// max split off as runs of one. Allocates; used by queries only.
    std::vector<Run> ascending_runs() const;
    double representative(std::int64_t index) const;
    double tail_mean(double p, bool lowest) const;
    double tail_moment(double p, bool lowest, int power) const;
    void check_nonempty(const char* what) const;

    double alpha_;
    double log_gamma_;      ///< ln γ
    double inv_log_gamma_;  ///< 1 / ln γ
    double log_rep_;        ///< ln(2/(γ+1)): bucket i stands for exp(i·ln γ + log_rep_)
    std::int64_t max_buckets_;
    Store positive_;
    Store negative_;  ///< indexed by |x|
    std::uint64_t zero_count_ = 0;
    double min_ = std::numeric_limits<double>::infinity();
    double max_ = -std::numeric_limits<double>::infinity();
};

/// Value at risk of a P&L distribution (profit positive, loss negative) at confidence `level`
/// ∈ (0, 1), reported as a loss, i.e. a positive number when the tail loses money:
///   VaR_level = −quantile(1 − level).
/// A negative VaR means even the (1 − level) quantile is a profit. Inherits quantile()'s rank
/// convention and relative error α. Throws std::invalid_argument unless 0 < level < 1, and
/// std::logic_error for an empty sketch.
/// Example: P&L ~ N(0, 1): value_at_risk(pnl, 0.95) ≈ Φ⁻¹(0.95) ≈ 1.645.
double value_at_risk(const QuantileSketch& pnl, double level);

/// Expected shortfall (CVaR) at `level` ∈ (0, 1), reported as a positive loss: minus the mean of
/// the worst (1 − level) fraction of P&L outcomes,
///   ES_level = −tail_mean_below(1 − level),
/// so ES ≥ VaR up to the sketch error and one rank of the quantile convention. Error as
/// tail_mean_below: ≤ α·(mean |P&L| in the tail).
/// Throws as value_at_risk().
/// Example: P&L ~ N(0, 1): expected_shortfall(pnl, 0.95) ≈ φ(1.645)/0.05 ≈ 2.0627.
double expected_shortfall(const QuantileSketch& pnl, double level);

}  // namespace thesis
