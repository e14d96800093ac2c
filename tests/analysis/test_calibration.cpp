// Calibration from a price history: maximum likelihood recovers the parameters of synthetic GBM
// and Merton series within their standard errors, every bad CSV is refused at its line, and a
// real series (tests/data/prices/, matplotlib's GOOG sample) fits.

#include "thesis/analysis/calibration.h"
#include "thesis/core/errors.h"
#include "thesis/io/price_history.h"
#include "thesis/math/rng.h"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>

using namespace thesis;

namespace {

struct Truth {
    double mu, sigma, lambda = 0, m = 0, s = 0;
};

// A daily series of `days` returns from the model, its draws from the project's own streams.
PriceSeries synthetic(const Truth& t, int days, std::uint64_t seed) {
    const double dt = 1.0 / 252;
    PathRandom diffusion(seed, 0, RandomStream::Diffusion), jumps(seed, 0, RandomStream::Jumps);
    const double kappa = std::exp(t.m + 0.5 * t.s * t.s) - 1;
    PriceSeries s;
    s.source = "synthetic";
    double price = 100;
    Date d{2000, 1, 3};
    for (int i = 0; i <= days; ++i) {
        if (i > 0) {
            double x = (t.mu - 0.5 * t.sigma * t.sigma - t.lambda * kappa) * dt +
                       t.sigma * std::sqrt(dt) * diffusion.normal();
            const int n = poisson_by_inversion(jumps.uniform(), std::exp(-t.lambda * dt), t.lambda * dt);
            for (int k = 0; k < n; ++k) x += t.m + t.s * jumps.normal();
            price *= std::exp(x);
        }
        s.dates.push_back(d);
        s.close.push_back(price);
        d.day = d.day % 28 + 1;  // the dates are not read by the fit
    }
    return s;
}

double z(const FittedParameter& p, double truth) { return (p.value.value - truth) / p.value.std_error; }

}  // namespace

TEST_CASE("calibration: GBM's drift and volatility come back within their standard errors") {
    // Ten years of daily returns, five seeds: each estimate within 4 standard errors of the truth,
    // and the volatility's error is σ/√(2n) (the normal's information).
    const Truth truth{0.12, 0.35};
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        CAPTURE(seed);
        const Calibration c = calibrate(synthetic(truth, 2520, seed));
        CHECK(c.returns == 2520);
        CHECK(std::fabs(z(c.gbm.parameters[0], truth.mu)) < 4);
        CHECK(std::fabs(z(c.gbm.parameters[1], truth.sigma)) < 4);
        CHECK(c.gbm.parameters[1].value.std_error ==
              doctest::Approx(c.gbm.parameters[1].value.value / std::sqrt(2 * 2520.0)).epsilon(1e-3));
    }
}

TEST_CASE("calibration: GBM's 95% intervals cover the truth at their stated rate") {
    // 200 independent years of daily returns: each interval should cover the true value on
    // Binomial(200, 0.95) of them, 190 ± 3.08; |z| < 4 allows 178 to 200.
    const Truth truth{0.10, 0.40};
    int drift = 0, volatility = 0;
    for (std::uint64_t seed = 1000; seed < 1200; ++seed) {
        const PriceSeries s = synthetic(truth, 252, seed);
        std::vector<double> x;
        for (std::size_t i = 1; i < s.close.size(); ++i) x.push_back(std::log(s.close[i] / s.close[i - 1]));
        const ModelFit fit = fit_gbm(x, 1.0 / 252);
        const auto covers = [](const FittedParameter& p, double v) {
            return p.value.ci_low <= v && v <= p.value.ci_high;
        };
        drift += covers(fit.parameters[0], truth.mu);
        volatility += covers(fit.parameters[1], truth.sigma);
    }
    const double sd = std::sqrt(200 * 0.95 * 0.05);
    CAPTURE(drift);
    CAPTURE(volatility);
    CHECK(std::fabs(drift - 190) / sd < 4);
    CHECK(std::fabs(volatility - 190) / sd < 4);
}

TEST_CASE("calibration: Merton's jumps come back within their standard errors and win on AIC") {
    const Truth truth{0.08, 0.25, 20, -0.03, 0.05};
    for (std::uint64_t seed = 11; seed <= 13; ++seed) {
        CAPTURE(seed);
        const Calibration c = calibrate(synthetic(truth, 2520, seed));
        REQUIRE(c.merton.parameters.size() == 5);
        const double want[] = {truth.mu, truth.sigma, truth.lambda, truth.m, truth.s};
        for (std::size_t i = 0; i < 5; ++i) {
            CAPTURE(c.merton.parameters[i].name);
            CAPTURE(c.merton.parameters[i].value.value);
            CAPTURE(c.merton.parameters[i].value.std_error);
            CHECK(std::fabs(z(c.merton.parameters[i], want[i])) < 4);
        }
        CHECK(c.merton.converged);
        CHECK(c.merton.aic < c.gbm.aic - 10);
        CHECK(c.merton.log_likelihood >= c.gbm.log_likelihood);
    }
}

TEST_CASE("calibration: a CSV in the download layout and its opens for the overnight share") {
    const std::string csv =
        "Date,Open,High,Low,Close,Adj Close,Volume\n"
        "2024-01-02,100,101,99,100,50,1\n";
    std::string text = csv;
    // 40 days: opens gap overnight by ±1%, sessions move ±0.5%.
    double close = 100;
    Date d{2024, 1, 3};
    for (int i = 0; i < 40; ++i) {
        const double open = close * (i % 2 ? 1.01 : 0.99);
        const double next = open * (i % 3 ? 1.005 : 0.995);
        text += fmt::format("{},{},{},{},{},{},1\n", to_string(d), open, open, open, next, next / 2);
        close = next;
        d.day += 1;
        if (d.day > 28) d.day = 1, d.month += 1;
    }
    const PriceSeries s = read_price_history(text, "prices.csv");
    CHECK(s.column == "Adj Close");
    CHECK(s.close.front() == 50);
    REQUIRE(s.open.size() == s.close.size());
    const Calibration c = calibrate(s);
    REQUIRE(c.overnight_variance_share);
    // Overnight ln(1.01) or ln(0.99) swings against ±0.5% sessions: about 80% of the variance.
    CHECK(*c.overnight_variance_share > 0.7);
    CHECK(*c.overnight_variance_share < 0.9);
    // --column picks another one; a descending file is read backwards.
    CHECK(read_price_history(text, "prices.csv", {"Close", {}, {}, {}}).close.front() == 100);
}

namespace {
std::string error_of(const std::string& text, const PriceHistoryRequest& request = {}) {
    try {
        read_price_history(text, "p.csv", request);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}
std::string rows(int count, Date start = {2024, 1, 1}) {
    std::string out;
    for (int i = 0; i < count; ++i) {
        // 28-day months keep every date valid.
        Date d = start;
        d.day = 1 + (start.day - 1 + i) % 28;
        d.month = start.month + (start.day - 1 + i) / 28;
        out += fmt::format("{},{}\n", to_string(d), 100 + i);
    }
    return out;
}
}  // namespace

TEST_CASE("calibration: every bad CSV is refused at its line") {
    CHECK(error_of("Day,Close\n" + rows(40)).empty());
    CHECK(error_of("When,Close\n" + rows(40)).find("p.csv:1:1: Date: expected a date column") == 0);
    CHECK(error_of("Date,Volume\n" + rows(40)).find("expected a price column") != std::string::npos);
    CHECK(
        error_of("Date,Close\n" + rows(40), {"Adj Close", {}, {}, {}}).find("no column named 'Adj Close'") !=
        std::string::npos);
    CHECK(error_of("Date,Close\n2024-01-02,100\n2024-01-03,-1\n" + rows(40, {2024, 1, 4}))
              .find("p.csv:3:12: Close: expected a positive price, got -1") == 0);
    CHECK(error_of("Date,Close\n2024-01-02,100\n2024-01-03,\n").find("p.csv:3:12: Close: missing Close") ==
          0);
    CHECK(error_of("Date,Close\n2024-01-02,100\n2024-01-02,101\n" + rows(40, {2024, 1, 3}))
              .find("p.csv:3:1: Date: 2024-01-02 appears twice") == 0);
    CHECK(error_of("Date,Close\n2024-01-02,100\n2024-01-04,101\n2024-01-03,102\n" + rows(40, {2024, 1, 5}))
              .find("dates out of order") != std::string::npos);
    CHECK(error_of("Date,Close\n2024-01-02,100\n02/01/2024,101\n")
              .find("p.csv:3:1: Date: expected a date like") == 0);
    CHECK(error_of("Date,Close\n2024-01-02,100\n2024-03-02,101\n" + rows(40, {2024, 3, 3}))
              .find("a gap of 60 days from 2024-01-02 to 2024-03-02") != std::string::npos);
    CHECK(error_of("Date,Close\n" + rows(20)).find("expected at least 31 daily prices") != std::string::npos);
    CHECK(error_of("").find("expected a CSV with a header row") != std::string::npos);
}

TEST_CASE("calibration: matplotlib's GOOG sample (2004-2008) fits") {
    std::ifstream in(std::string(THESIS_SOURCE_DIR) + "/tests/data/prices/goog-2004-2008.csv");
    std::stringstream text;
    text << in.rdbuf();
    const PriceSeries s = read_price_history(text.str(), "goog-2004-2008.csv");
    CHECK(s.dates.size() == 1047);
    const Calibration c = calibrate(s);
    // A volatile growth stock: GBM's annual volatility between 25% and 60%; Merton finds jumps
    // worth their parameters (a lower AIC), and the opens date an overnight share.
    CHECK(c.gbm.parameters[1].value.value > 0.25);
    CHECK(c.gbm.parameters[1].value.value < 0.60);
    CHECK(c.merton.aic < c.gbm.aic);
    REQUIRE(c.overnight_variance_share);
    CHECK(*c.overnight_variance_share > 0.05);
    CHECK(*c.overnight_variance_share < 0.8);
    // The last two years only.
    PriceHistoryRequest last;
    last.window = 2.0;
    const PriceSeries recent = read_price_history(text.str(), "goog-2004-2008.csv", last);
    CHECK(recent.dates.front().year == 2006);
    CHECK(recent.dates.size() < 520);
}
