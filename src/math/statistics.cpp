// Streaming, mergeable statistics: see thesis/statistics.h for the formulas and error bounds.

#include "thesis/math/statistics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace thesis {

namespace {

void require_finite(double x, const char* who) {
    if (!std::isfinite(x))
        throw std::invalid_argument(std::string(who) + ": non-finite sample " + std::to_string(x) +
                                    " (the engine must never produce NaN or infinity)");
}

void require_probability(double p, const char* who) {
    if (!(p >= 0.0 && p <= 1.0))  // also rejects NaN
        throw std::invalid_argument(std::string(who) + ": p must be in [0, 1], got " + std::to_string(p));
}

double to_double(std::uint64_t n) { return static_cast<double>(n); }

// ⌈t⌉ as an integer, for |t| < 2⁶³: truncation, then up by one where that lost a positive
// fraction. Exactly std::ceil's value, without its call (x86-64's baseline has no roundsd).
std::int64_t bucket_of(double t) {
    const auto i = static_cast<std::int64_t>(t);
    return i + (t > static_cast<double>(i) ? 1 : 0);
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// RunningStats

void RunningStats::add(double x) {
    require_finite(x, "RunningStats::add");
    if (x == 0.0) x = 0.0;  // −0 → +0, so min/max do not depend on which zero came first
    ++n_;
    const double delta = x - mean_;
    mean_ += delta / to_double(n_);
    m2_ += delta * (x - mean_);
    sum_ += x;
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
}

RunningStats RunningStats::of(std::span<const double> samples) {
    RunningStats r;
    if (samples.empty()) return r;
    // Four partial sums break the chain of dependent additions; their order is fixed.
    double sum[4] = {0, 0, 0, 0};
    double low = std::numeric_limits<double>::infinity(), high = -low;
    const std::size_t n = samples.size();
    for (std::size_t i = 0; i < n; ++i) {
        const double x = samples[i];
        sum[i % 4] += x;
        low = std::min(low, x);
        high = std::max(high, x);
    }
    const double total = (sum[0] + sum[1]) + (sum[2] + sum[3]);
    require_finite(total, "RunningStats::of");
    const double mean = total / to_double(n);
    double m2[4] = {0, 0, 0, 0};
    for (std::size_t i = 0; i < n; ++i) {
        const double d = samples[i] - mean;
        m2[i % 4] += d * d;
    }
    r.n_ = n;
    r.mean_ = mean;
    r.m2_ = (m2[0] + m2[1]) + (m2[2] + m2[3]);
    r.sum_ = total;
    // −0 counts as +0 (as in add), so min and max never depend on which zero came first.
    r.min_ = low == 0.0 ? 0.0 : low;
    r.max_ = high == 0.0 ? 0.0 : high;
    return r;
}

void RunningStats::merge(const RunningStats& other) {
    if (other.n_ == 0) return;
    if (n_ == 0) {
        *this = other;
        return;
    }
    const double na = to_double(n_);
    const double nb = to_double(other.n_);
    const std::uint64_t n = n_ + other.n_;
    const double nt = to_double(n);
    const double delta = other.mean_ - mean_;
    const double m2 = m2_ + other.m2_ + delta * delta * (na * nb / nt);
    mean_ += delta * (nb / nt);
    m2_ = m2;
    n_ = n;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

double RunningStats::mean() const {
    if (n_ == 0) throw std::logic_error("RunningStats::mean: no samples");
    return mean_;
}

double RunningStats::variance() const {
    if (n_ < 2) throw std::logic_error("RunningStats::variance: needs at least 2 samples");
    return m2_ / to_double(n_ - 1);
}

double RunningStats::std_dev() const { return std::sqrt(variance()); }

double RunningStats::min() const {
    if (n_ == 0) throw std::logic_error("RunningStats::min: no samples");
    return min_;
}

double RunningStats::max() const {
    if (n_ == 0) throw std::logic_error("RunningStats::max: no samples");
    return max_;
}

Estimate RunningStats::mean_estimate() const {
    if (n_ < 2) throw std::logic_error("RunningStats::mean_estimate: needs at least 2 samples");
    const double se = std_dev() / std::sqrt(to_double(n_));
    return {mean_, se, mean_ - kZ95 * se, mean_ + kZ95 * se};
}

// ------------------------------------------------------------------------------------------------
// Proportions

Estimate normal_estimate(double value, double std_error) {
    return {value, std_error, value - kZ95 * std_error, value + kZ95 * std_error};
}

Estimate proportion_estimate(std::uint64_t hits, std::uint64_t n) {
    if (n == 0) throw std::invalid_argument("proportion_estimate: n must be positive");
    if (hits > n)
        throw std::invalid_argument("proportion_estimate: hits (" + std::to_string(hits) +
                                    ") exceed trials (" + std::to_string(n) + ")");
    const double nd = to_double(n);
    const double p = to_double(hits) / nd;
    const double z2 = kZ95 * kZ95;
    const double denom = 1.0 + z2 / nd;
    const double centre = (p + z2 / (2.0 * nd)) / denom;
    const double half = kZ95 / denom * std::sqrt(p * (1.0 - p) / nd + z2 / (4.0 * nd * nd));
    // At 0 or n hits the bound on that side is exactly 0 or 1 (centre = half there); set it so
    // rounding cannot leave 0.9999999999999999.
    return {p, std::sqrt(p * (1.0 - p) / nd), hits == 0 ? 0.0 : std::max(0.0, centre - half),
            hits == n ? 1.0 : std::min(1.0, centre + half)};
}

// ------------------------------------------------------------------------------------------------
// QuantileSketch::Store

namespace {
constexpr std::int64_t kMinSlack = 64;  // extra slots on a regrow, at least
}

void QuantileSketch::Store::add(std::int64_t index, std::int64_t max_buckets) {
    if (total != 0 && index >= lo && index <= hi) {  // common case: an increment, no allocation
        ++counts[static_cast<std::size_t>(index - offset)];
        ++total;
        return;
    }
    add_slow(index, max_buckets);
}

void QuantileSketch::Store::add_slow(std::int64_t index, std::int64_t max_buckets) {
    std::int64_t new_lo = total != 0 ? std::min(lo, index) : index;
    const std::int64_t new_hi = total != 0 ? std::max(hi, index) : index;
    if (new_hi - new_lo + 1 > max_buckets) new_lo = new_hi - max_buckets + 1;  // collapse lowest
    cover(new_lo, new_hi, max_buckets);
    ++counts[static_cast<std::size_t>(std::max(index, new_lo) - offset)];
    ++total;
}

void QuantileSketch::Store::merge(const Store& other, std::int64_t max_buckets) {
    if (other.total == 0) return;
    // Read everything needed from `other` before cover() may touch `*this` (self-merge).
    const std::int64_t olo = other.lo;
    const std::int64_t ohi = other.hi;
    const std::int64_t ooff = other.offset;
    const std::uint64_t ototal = other.total;
    std::vector<std::uint64_t> self_copy;
    const std::vector<std::uint64_t>* src = &other.counts;
    if (&other == this) {
        self_copy = counts;
        src = &self_copy;
    }
    std::int64_t new_lo = total != 0 ? std::min(lo, olo) : olo;
    const std::int64_t new_hi = total != 0 ? std::max(hi, ohi) : ohi;
    if (new_hi - new_lo + 1 > max_buckets) new_lo = new_hi - max_buckets + 1;
    cover(new_lo, new_hi, max_buckets);
    for (std::int64_t i = olo; i <= ohi; ++i)
        counts[static_cast<std::size_t>(std::max(i, new_lo) - offset)] +=
            (*src)[static_cast<std::size_t>(i - ooff)];
    total += ototal;
}

// Makes [new_lo, new_hi] the used range: allocates it if needed and moves every count below
// new_lo into bucket new_lo. Preconditions: new_hi >= hi (when nonempty), new_hi − new_lo + 1 <=
// max_buckets. The final state depends only on (counts, new_lo, new_hi), not on the allocation.
void QuantileSketch::Store::cover(std::int64_t new_lo, std::int64_t new_hi, std::int64_t max_buckets) {
    const auto size = static_cast<std::int64_t>(counts.size());
    if (new_lo >= offset && new_hi < offset + size) {
        if (total != 0 && lo < new_lo) {  // collapse in place
            std::uint64_t moved = 0;
            for (std::int64_t i = lo; i < new_lo && i <= hi; ++i) {
                auto& c = counts[static_cast<std::size_t>(i - offset)];
                moved += c;
                c = 0;
            }
            counts[static_cast<std::size_t>(new_lo - offset)] += moved;
        }
    } else {
        const std::int64_t needed = new_hi - new_lo + 1;
        const std::int64_t cap = max_buckets + max_buckets / 2;
        const std::int64_t new_size = std::min(cap, needed + std::max(kMinSlack, needed / 2));
        const std::int64_t new_offset = new_lo - (new_size - needed) / 2;  // slack on both sides
        std::vector<std::uint64_t> fresh(static_cast<std::size_t>(new_size), 0);
        if (total != 0)
            for (std::int64_t i = lo; i <= hi; ++i)
                fresh[static_cast<std::size_t>(std::max(i, new_lo) - new_offset)] +=
                    counts[static_cast<std::size_t>(i - offset)];
        counts.swap(fresh);
        offset = new_offset;
    }
    lo = new_lo;
    hi = new_hi;
}

bool QuantileSketch::Store::same_counts(const Store& other) const {
    if (total != other.total) return false;
    if (total == 0) return true;
    if (lo != other.lo || hi != other.hi) return false;
    for (std::int64_t i = lo; i <= hi; ++i)
        if (at(i) != other.at(i)) return false;
    return true;
}

// ------------------------------------------------------------------------------------------------
// QuantileSketch

QuantileSketch::QuantileSketch(double relative_accuracy, std::size_t max_buckets)
    : alpha_(relative_accuracy) {
    if (!(relative_accuracy >= 1e-9 && relative_accuracy <= 0.5))
        throw std::invalid_argument("QuantileSketch: relative accuracy must be in [1e-9, 0.5], got " +
                                    std::to_string(relative_accuracy));
    if (max_buckets < 1 || max_buckets > (std::size_t{1} << 31))
        throw std::invalid_argument("QuantileSketch: max_buckets must be in [1, 2^31], got " +
                                    std::to_string(max_buckets));
    const double gamma = (1.0 + relative_accuracy) / (1.0 - relative_accuracy);
    // ln γ = ln(1 + 2α/(1−α)), via log1p for full accuracy at small α.
    log_gamma_ = std::log1p(2.0 * relative_accuracy / (1.0 - relative_accuracy));
    inv_log_gamma_ = 1.0 / log_gamma_;
    log_rep_ = std::log(2.0 / (gamma + 1.0));
    max_buckets_ = static_cast<std::int64_t>(max_buckets);
}

void QuantileSketch::add(double x) {
    require_finite(x, "QuantileSketch::add");
    if (x == 0.0) {
        ++zero_count_;
        x = 0.0;  // −0 → +0
    } else {
        const auto index = bucket_of(std::log(std::fabs(x)) * inv_log_gamma_);
        (x > 0 ? positive_ : negative_).add(index, max_buckets_);
    }
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
}

void QuantileSketch::add_with_log(double x, double log_abs_x) {
    require_finite(x, "QuantileSketch::add_with_log");
    if (x == 0.0) return add(x);  // exp(y) underflowed: a zero, whatever y says
    const auto index = bucket_of(log_abs_x * inv_log_gamma_);
    (x > 0 ? positive_ : negative_).add(index, max_buckets_);
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
}

void QuantileSketch::merge(const QuantileSketch& other) {
    if (other.alpha_ != alpha_ || other.max_buckets_ != max_buckets_)
        throw std::invalid_argument(
            "QuantileSketch::merge: sketches differ in relative accuracy "
            "or max_buckets");
    positive_.merge(other.positive_, max_buckets_);
    negative_.merge(other.negative_, max_buckets_);
    zero_count_ += other.zero_count_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

std::uint64_t QuantileSketch::count() const noexcept {
    return positive_.total + negative_.total + zero_count_;
}

void QuantileSketch::check_nonempty(const char* what) const {
    if (count() == 0) throw std::logic_error(std::string("QuantileSketch::") + what + ": empty sketch");
}

double QuantileSketch::min() const {
    check_nonempty("min");
    return min_;
}

double QuantileSketch::max() const {
    check_nonempty("max");
    return max_;
}

std::size_t QuantileSketch::bucket_count() const noexcept {
    return positive_.counts.size() + negative_.counts.size();
}

double QuantileSketch::representative(std::int64_t index) const {
    return std::exp(static_cast<double>(index) * log_gamma_ + log_rep_);
}

std::vector<QuantileSketch::Run> QuantileSketch::ascending_runs() const {
    std::vector<Run> runs;
    const auto span = [](const Store& s) { return s.total != 0 ? s.hi - s.lo + 1 : 0; };
    runs.reserve(static_cast<std::size_t>(span(negative_) + span(positive_) + 3));
    auto clip = [&](double v) { return std::clamp(v, min_, max_); };
    if (negative_.total != 0)
        for (std::int64_t i = negative_.hi; i >= negative_.lo; --i)
            if (const std::uint64_t c = negative_.at(i)) runs.push_back({clip(-representative(i)), c});
    if (zero_count_ != 0) runs.push_back({0.0, zero_count_});
    if (positive_.total != 0)
        for (std::int64_t i = positive_.lo; i <= positive_.hi; ++i)
            if (const std::uint64_t c = positive_.at(i)) runs.push_back({clip(representative(i)), c});
    if (runs.empty()) return runs;
    // Split off the exact extremes: rank 0 is min_, rank n−1 is max_.
    if (count() == 1) return {Run{min_, 1}};
    --runs.front().count;
    --runs.back().count;
    runs.insert(runs.begin(), Run{min_, 1});
    runs.push_back(Run{max_, 1});
    return runs;
}

std::vector<std::uint64_t> QuantileSketch::histogram(const std::vector<double>& edges) const {
    if (edges.size() < 2 || !std::is_sorted(edges.begin(), edges.end()) ||
        std::adjacent_find(edges.begin(), edges.end()) != edges.end())
        throw std::invalid_argument("QuantileSketch::histogram: expected at least 2 ascending edges");
    std::vector<std::uint64_t> counts(edges.size() - 1, 0);
    if (count() == 0) return counts;
    std::size_t bin = 0;
    for (const Run& run : ascending_runs()) {
        if (run.value < edges.front()) continue;
        if (run.value > edges.back()) break;
        while (bin + 1 < counts.size() && run.value >= edges[bin + 1]) ++bin;
        counts[bin] += run.count;
    }
    return counts;
}

double QuantileSketch::quantile(double p) const {
    require_probability(p, "QuantileSketch::quantile");
    check_nonempty("quantile");
    const std::uint64_t n = count();
    const auto rank = static_cast<std::uint64_t>(std::floor(p * to_double(n - 1)));
    std::uint64_t seen = 0;
    for (const Run& run : ascending_runs()) {
        seen += run.count;
        if (seen > rank) return run.value;
    }
    return max_;  // unreachable: the runs hold n samples and rank < n
}

Estimate QuantileSketch::quantile_ci(double p) const {
    require_probability(p, "QuantileSketch::quantile_ci");
    check_nonempty("quantile_ci");
    const std::uint64_t n = count();
    const double last = to_double(n - 1);
    const double delta = kZ95 * std::sqrt(p * (1.0 - p) / to_double(n));
    const auto rank_of = [&](double r) { return static_cast<std::uint64_t>(std::clamp(r, 0.0, last)); };
    const std::uint64_t ranks[3] = {rank_of(std::floor((p - delta) * last)), rank_of(std::floor(p * last)),
                                    rank_of(std::ceil((p + delta) * last))};
    double values[3] = {max_, max_, max_};
    std::uint64_t seen = 0;
    int next = 0;
    for (const Run& run : ascending_runs()) {
        seen += run.count;
        while (next < 3 && seen > ranks[next]) values[next++] = run.value;
        if (next == 3) break;
    }
    const double widen = alpha_ / (1.0 - alpha_);
    const double lo = std::clamp(values[0] - widen * std::fabs(values[0]), min_, max_);
    const double hi = std::clamp(values[2] + widen * std::fabs(values[2]), min_, max_);
    return {values[1], (hi - lo) / (2.0 * kZ95), lo, hi};
}

double QuantileSketch::tail_mean(double p, bool lowest) const { return tail_moment(p, lowest, 1); }

double QuantileSketch::tail_square_mean_below(double p) const { return tail_moment(p, true, 2); }

double QuantileSketch::tail_moment(double p, bool lowest, int power) const {
    require_probability(p, lowest ? "QuantileSketch::tail_mean_below" : "QuantileSketch::tail_mean_above");
    check_nonempty(lowest ? "tail_mean_below" : "tail_mean_above");
    if (p == 0.0) {
        const double edge = lowest ? min_ : max_;
        return power == 1 ? edge : edge * edge;
    }
    const double k = p * to_double(count());
    double remaining = k;
    double total = 0;
    const auto take = [&](const Run& run) {
        const double w = std::min(to_double(run.count), remaining);
        total += w * (power == 1 ? run.value : run.value * run.value);
        remaining -= w;
        return remaining > 0;
    };
    const std::vector<Run> runs = ascending_runs();
    if (lowest) {
        for (auto it = runs.begin(); it != runs.end() && take(*it); ++it) {}
    } else {
        for (auto it = runs.rbegin(); it != runs.rend() && take(*it); ++it) {}
    }
    return total / k;
}

double QuantileSketch::tail_mean_below(double p) const { return tail_mean(p, true); }

double QuantileSketch::tail_mean_above(double p) const { return tail_mean(p, false); }

bool operator==(const QuantileSketch& a, const QuantileSketch& b) {
    return a.alpha_ == b.alpha_ && a.max_buckets_ == b.max_buckets_ && a.zero_count_ == b.zero_count_ &&
           a.min_ == b.min_ && a.max_ == b.max_ && a.positive_.same_counts(b.positive_) &&
           a.negative_.same_counts(b.negative_);
}

// ------------------------------------------------------------------------------------------------
// Risk measures

namespace {
void require_level(double level, const char* who) {
    if (!(level > 0.0 && level < 1.0))
        throw std::invalid_argument(std::string(who) + ": level must be in (0, 1), got " +
                                    std::to_string(level));
}
}  // namespace

double value_at_risk(const QuantileSketch& pnl, double level) {
    require_level(level, "value_at_risk");
    return -pnl.quantile(1.0 - level);
}

double expected_shortfall(const QuantileSketch& pnl, double level) {
    require_level(level, "expected_shortfall");
    return -pnl.tail_mean_below(1.0 - level);
}

}  // namespace thesis
