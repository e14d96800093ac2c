#pragma once
// Quantities as people write them in a thesis: `$700`, `8B`, `4T`, `52x`, `40%`, `90d`, `2025-11-19`.
// Pure parsing and formatting; the loader adds file positions to any failure.

#include <optional>
#include <string>
#include <string_view>

namespace thesis {

using Price = double;     ///< dollars per share
using Amount = double;    ///< dollars (revenue, earnings, market cap)
using Fraction = double;  ///< 0.40 means 40%
using Multiple = double;  ///< P/E, 52 means 52x
using Years = double;     ///< time in years (ACT/365 for calendar days)

/// The ranges a thesis's numbers must lie in, beyond their type. They keep every computation
/// finite (no NaN or infinity in any output) and catch typos such as `volatility: 50` for 50%.
/// The loader, `check_plan` and the flags of `odds` and `table` enforce them; the README's
/// "Numeric edges" lists them.
namespace limits {
inline constexpr double kMinPrice = 0.01;         ///< a price per share: one cent ...
inline constexpr double kMaxPrice = 1e12;         ///< ... to $1 trillion
inline constexpr double kMaxAmount = 1e18;        ///< any amount (market cap, capital) or count
inline constexpr double kMinMultiple = 0.01;      ///< a P/E: 0.01x ...
inline constexpr double kMaxMultiple = 1e6;       ///< ... to 1,000,000x
inline constexpr double kMaxNumber = 1e6;         ///< any other plain number or fraction
inline constexpr double kMaxRate = 10;            ///< |drift|, volatility, EPS growth: 1,000% a year
inline constexpr double kMaxLogJump = 10;         ///< |mean| of a log jump (×22,026 either way)
inline constexpr double kMaxLogJumpSd = 5;        ///< sd of a log jump
inline constexpr double kMaxJumpIntensity = 365;  ///< Merton jumps a year
/// The most the model's drift, event jumps and re-rating may grow a price over the horizon, as a
/// log: e^100 ≈ 2.7 × 10^43. Past that, simulated prices and their squares overflow.
inline constexpr double kMaxLogGrowth = 100;
inline constexpr Years kMinHorizon = 1.0 / 365;      ///< a horizon: one day ...
inline constexpr Years kMaxHorizon = 100;            ///< ... to 100 years
inline constexpr Years kMaxDuration = 1000;          ///< any date or duration from the valuation date
inline constexpr double kMaxStepsPerPath = 100'000;  ///< horizon × steps_per_year
inline constexpr double kMaxPaths = 1e11;            ///< simulated paths
/// A stop or target at least this fraction of the entry away from it (so R is finite).
inline constexpr double kMinLevelGap = 1e-6;
inline constexpr double kMaxDistance = 100;  ///< a percent stop or target: 10,000%
}  // namespace limits

/// What kind of number a field holds; it decides which suffixes are accepted.
enum class Unit {
    Number,  ///< a plain real number, `%` allowed (10% == 0.10)
    Money,   ///< `$` prefix, thousands commas and K/M/B/T suffixes allowed: `$1,000`, `8B`
    Ratio,   ///< a fraction: `40%` or `0.40`
    Times,   ///< a multiple: `52x` or `52`
    Count,   ///< a whole number, K/M/B suffixes and `_`/`,` separators allowed: `1M`, `10_000`
};

/// `text` without leading and trailing white space. Example: trim("  8B ") == "8B".
std::string_view trim(std::string_view text);

/// Parses `text` as a quantity of `unit`; nullopt if it is not one. Never returns NaN or inf.
/// Example: parse_quantity("$1,000", Unit::Money) == 1000.0; parse_quantity("8B", Unit::Money) == 8e9.
std::optional<double> parse_quantity(std::string_view text, Unit unit);

/// A human description of what `unit` accepts, for error messages ("an amount like 8B or $700").
std::string_view describe(Unit unit);

/// A calendar date (proleptic Gregorian).
struct Date {
    int year = 1970, month = 1, day = 1;
    friend bool operator==(const Date&, const Date&) = default;
};

/// Parses an ISO date `YYYY-MM-DD`. Example: parse_date("2025-07-14") == Date{2025, 7, 14}.
std::optional<Date> parse_date(std::string_view text);

/// Days from the civil epoch 1970-01-01 (Howard Hinnant's `days_from_civil`).
long days_since_epoch(Date date);

/// Calendar days from `from` to `to`, as years on ACT/365 Fixed.
Years year_fraction(Date from, Date to);

/// Parses a duration: `90d`, `12w`, `6m`, `1y`, `0.75y`, or an ISO date measured from `origin`.
/// Example: parse_duration("6m", origin) == 0.5; parse_duration("2025-10-13", {2025,7,14}) == 91/365.
std::optional<Years> parse_duration(std::string_view text, Date origin);

std::string to_string(Date date);

// ---- Formatting for people: thousands separators, signs, units. ----

/// `$1,234.56`; negative as `-$1,234.56`. decimals < 0: no cents for whole dollars (`$1,000`).
std::string format_money(double value, int decimals = 2);
/// `+$1,234.56` / `-$1,234.56` / `$0.00`.
std::string format_signed_money(double value, int decimals = 2);
/// Large amounts compactly: `$4.00T`, `$8.00B`, `$76.9B`.
std::string format_amount(double value);
/// `+30.0%` when signed, `30.0%` otherwise; value is a fraction (0.3).
std::string format_percent(double fraction, int decimals = 1, bool signed_ = false);
/// `52.0x`.
std::string format_multiple(double multiple, int decimals = 1);
/// `1,234,567`.
std::string format_count(double count);
/// A plain number with fixed decimals and no separators: `2.97`, `+0.216` when signed. Like every
/// formatter here, "n/a" for NaN or infinity, so no output ever prints `nan` or `inf`.
std::string format_fixed(double value, int decimals, bool signed_ = false);
/// A number with thousands separators and fixed decimals: `12,345.68`.
std::string format_number(double value, int decimals);

}  // namespace thesis
