#include "thesis/core/units.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace thesis {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

namespace {

// Parses a plain decimal number (optional sign, digits, '.', exponent), nothing else.
std::optional<double> parse_decimal(std::string_view s) {
    if (s.empty()) return std::nullopt;
    if (s.front() == '+') s.remove_prefix(1);
    double value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
    return value;
}

// Removes digit-group separators (`1,000`, `10_000`); only between digits.
std::string without_separators(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const bool between_digits = i > 0 && i + 1 < s.size() &&
                                    std::isdigit(static_cast<unsigned char>(s[i - 1])) &&
                                    std::isdigit(static_cast<unsigned char>(s[i + 1]));
        if ((c == ',' || c == '_') && between_digits) continue;
        out += c;
    }
    return out;
}

double scale_suffix(char c) {
    switch (std::toupper(static_cast<unsigned char>(c))) {
        case 'K': return 1e3;
        case 'M': return 1e6;
        case 'B': return 1e9;
        case 'T': return 1e12;
        default: return 0;
    }
}

}  // namespace

std::optional<double> parse_quantity(std::string_view text, Unit unit) {
    std::string s = without_separators(trim(text));
    if (s.empty()) return std::nullopt;
    // A sign may stand before a currency symbol: `-$50`.
    std::string sign;
    if (s.front() == '-' || s.front() == '+') {
        sign = s.substr(0, 1);
        s.erase(0, 1);
    }
    if (!s.empty() && s.front() == '$') {
        if (unit != Unit::Money) return std::nullopt;
        s.erase(0, 1);
    }
    double factor = 1;
    if (!s.empty()) {
        const char last = s.back();
        if (last == '%' && (unit == Unit::Number || unit == Unit::Ratio)) {
            factor = 0.01;
            s.pop_back();
        } else if ((last == 'x' || last == 'X') && unit == Unit::Times) {
            s.pop_back();
        } else if (scale_suffix(last) != 0 && (unit == Unit::Money || unit == Unit::Count) &&
                   !(unit == Unit::Count && std::toupper(static_cast<unsigned char>(last)) == 'T')) {
            factor = scale_suffix(last);
            s.pop_back();
        }
    }
    // No exponents with suffixes or hex; from_chars handles "1e6" which is fine for plain numbers.
    auto value = parse_decimal(sign + s);
    if (!value) return std::nullopt;
    const double result = *value * factor;
    if (!std::isfinite(result)) return std::nullopt;
    if (unit == Unit::Count && (result < 0 || result != std::floor(result))) return std::nullopt;
    return result;
}

std::string_view describe(Unit unit) {
    switch (unit) {
        case Unit::Number: return "a number like 0.5 or 50%";
        case Unit::Money: return "an amount like 700, $1,000 or 8B";
        case Unit::Ratio: return "a fraction like 0.4 or 40%";
        case Unit::Times: return "a multiple like 52x";
        case Unit::Count: return "a whole number like 100000 or 1M";
    }
    return "a number";
}

std::optional<Date> parse_date(std::string_view text) {
    text = trim(text);
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    auto field = [&](std::size_t at, std::size_t n) -> std::optional<int> {
        int v = 0;
        const auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + n, v);
        if (ec != std::errc() || end != text.data() + at + n) return std::nullopt;
        return v;
    };
    const auto y = field(0, 4), m = field(5, 2), d = field(8, 2);
    if (!y || !m || !d || *m < 1 || *m > 12 || *d < 1) return std::nullopt;
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
    const int month_days = kDays[*m - 1] + (*m == 2 && leap ? 1 : 0);
    if (*d > month_days) return std::nullopt;
    return Date{*y, *m, *d};
}

long days_since_epoch(Date date) {
    // Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil.
    const long y = date.year - (date.month <= 2 ? 1 : 0);
    const long era = (y >= 0 ? y : y - 399) / 400;
    const long yoe = y - era * 400;
    const long mp = (date.month + 9) % 12;
    const long doy = (153 * mp + 2) / 5 + date.day - 1;
    const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

Years year_fraction(Date from, Date to) {
    return static_cast<double>(days_since_epoch(to) - days_since_epoch(from)) / 365.0;
}

std::optional<Years> parse_duration(std::string_view text, Date origin) {
    text = trim(text);
    if (auto date = parse_date(text)) return year_fraction(origin, *date);
    if (text.size() < 2) return std::nullopt;
    double per_unit = 0;
    switch (std::tolower(static_cast<unsigned char>(text.back()))) {
        case 'd': per_unit = 1.0 / 365.0; break;
        case 'w': per_unit = 7.0 / 365.0; break;
        case 'm': per_unit = 1.0 / 12.0; break;
        case 'y': per_unit = 1.0; break;
        default: return std::nullopt;
    }
    auto value = parse_decimal(text.substr(0, text.size() - 1));
    if (!value || *value < 0) return std::nullopt;
    return *value * per_unit;
}

std::string to_string(Date date) { return fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day); }

std::string format_number(double value, int decimals) {
    if (!std::isfinite(value)) return "n/a";
    std::string digits = fmt::format("{:.{}f}", std::fabs(value), decimals);
    const std::size_t point = digits.find('.');
    const std::size_t int_end = point == std::string::npos ? digits.size() : point;
    std::string out;
    for (std::size_t i = 0; i < int_end; ++i) {
        if (i > 0 && (int_end - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    out += digits.substr(int_end);
    // "-0.00" reads as a loss; print zero unsigned.
    const bool is_zero = out.find_first_not_of("0.,") == std::string::npos;
    return (value < 0 && !is_zero ? "-" : "") + out;
}

std::string format_money(double value, int decimals) {
    if (!std::isfinite(value)) return "n/a";
    // Auto: whole dollars print without cents ($1,000), anything else with them ($769.23).
    if (decimals < 0) decimals = std::fabs(value - std::round(value)) < 5e-7 ? 0 : 2;
    std::string n = format_number(value, decimals);
    if (!n.empty() && n.front() == '-') return "-$" + n.substr(1);
    return "$" + n;
}

std::string format_signed_money(double value, int decimals) {
    std::string m = format_money(value, decimals);
    if (m.front() == '$' && m.find_first_not_of("$0.,") != std::string::npos) return "+" + m;
    return m;
}

std::string format_amount(double value) {
    if (!std::isfinite(value)) return "n/a";
    const double a = std::fabs(value);
    const char* sign = value < 0 ? "-" : "";
    if (a >= 1e12) return fmt::format("{}${}T", sign, format_number(a / 1e12, 2));
    if (a >= 1e9) return fmt::format("{}${:.2f}B", sign, a / 1e9);
    if (a >= 1e6) return fmt::format("{}${:.2f}M", sign, a / 1e6);
    return format_money(value, 0);
}

std::string format_percent(double fraction, int decimals, bool signed_) {
    if (!std::isfinite(fraction)) return "n/a";
    std::string n = format_number(fraction * 100, decimals);
    if (signed_ && n.front() != '-' && n.find_first_not_of("0.,") != std::string::npos) n = "+" + n;
    return n + "%";
}

std::string format_multiple(double multiple, int decimals) {
    if (!std::isfinite(multiple)) return "n/a";
    return format_number(multiple, decimals) + "x";
}

std::string format_count(double count) { return format_number(count, 0); }

std::string format_fixed(double value, int decimals, bool signed_) {
    if (!std::isfinite(value)) return "n/a";
    return signed_ ? fmt::format("{:+.{}f}", value, decimals) : fmt::format("{:.{}f}", value, decimals);
}

}  // namespace thesis
