// Quantities as people write them: amounts, ratios, multiples, counts, dates and durations.
#include "thesis/core/units.h"

#include <doctest/doctest.h>

using namespace thesis;

TEST_CASE("amounts accept $ - thousands commas and K/M/B/T suffixes") {
    CHECK(parse_quantity("700", Unit::Money) == 700.0);
    CHECK(parse_quantity("$1,000", Unit::Money) == 1000.0);
    CHECK(parse_quantity("8B", Unit::Money) == 8e9);   // "unlock $8 billion"
    CHECK(parse_quantity("4T", Unit::Money) == 4e12);  // "surpassing $4 trillion"
    CHECK(parse_quantity("4.5b", Unit::Money) == 4.5e9);
    CHECK(parse_quantity("-$50", Unit::Money) == -50.0);
    CHECK(parse_quantity("400M", Unit::Money) == 400e6);
    CHECK_FALSE(parse_quantity("8 billion", Unit::Money));
    CHECK_FALSE(parse_quantity("40%", Unit::Money));
    CHECK_FALSE(parse_quantity("", Unit::Money));
}

TEST_CASE("ratios accept percent or decimals -- multiples accept an x") {
    CHECK(parse_quantity("40%", Unit::Ratio) == doctest::Approx(0.40).epsilon(1e-15));
    CHECK(parse_quantity("-40%", Unit::Ratio) == doctest::Approx(-0.40).epsilon(1e-15));
    CHECK(parse_quantity("0.4", Unit::Ratio) == 0.4);
    CHECK(parse_quantity("52x", Unit::Times) == 52.0);
    CHECK(parse_quantity("25X", Unit::Times) == 25.0);
    CHECK(parse_quantity("52", Unit::Times) == 52.0);
    CHECK_FALSE(parse_quantity("52x", Unit::Ratio));
    CHECK_FALSE(parse_quantity("$5", Unit::Ratio));
}

TEST_CASE("counts are whole - non-negative and take K/M/B and separators") {
    CHECK(parse_quantity("10_000", Unit::Count) == 10000.0);
    CHECK(parse_quantity("1M", Unit::Count) == 1e6);
    CHECK_FALSE(parse_quantity("1.5", Unit::Count));
    CHECK_FALSE(parse_quantity("-3", Unit::Count));
}

TEST_CASE("no NaN or infinity gets through") {
    for (Unit u : {Unit::Number, Unit::Money, Unit::Ratio, Unit::Times, Unit::Count}) {
        CHECK_FALSE(parse_quantity("nan", u));
        CHECK_FALSE(parse_quantity("inf", u));
        CHECK_FALSE(parse_quantity("1e999", u));
    }
}

TEST_CASE("ISO dates parse and are validated") {
    CHECK(parse_date("2025-07-14") == Date{2025, 7, 14});
    CHECK(parse_date("2024-02-29") == Date{2024, 2, 29});
    CHECK_FALSE(parse_date("2025-02-29"));
    CHECK_FALSE(parse_date("2025-13-01"));
    CHECK_FALSE(parse_date("14/07/2025"));
    // 1970-01-01 is day 0; 2000-03-01 is day 11,017 (30 years × 365 + 7 leap days + 59).
    CHECK(days_since_epoch({1970, 1, 1}) == 0);
    CHECK(days_since_epoch({2000, 3, 1}) == 11017);
}

TEST_CASE("durations: days - weeks - months - years and dates from the valuation date") {
    const Date origin{2025, 7, 14};
    CHECK(parse_duration("1y", origin) == 1.0);
    CHECK(parse_duration("0.75y", origin) == 0.75);
    CHECK(parse_duration("6m", origin) == 0.5);
    CHECK(parse_duration("90d", origin) == doctest::Approx(90.0 / 365).epsilon(1e-15));
    CHECK(parse_duration("2w", origin) == doctest::Approx(14.0 / 365).epsilon(1e-15));
    // 2025-07-14 → 2025-11-19: 17 + 31 + 30 + 31 + 19 = 128 days on ACT/365.
    CHECK(parse_duration("2025-11-19", origin) == doctest::Approx(128.0 / 365).epsilon(1e-15));
    CHECK_FALSE(parse_duration("1 year", origin));
    CHECK_FALSE(parse_duration("-1y", origin));
    CHECK_FALSE(parse_duration("y", origin));
}

TEST_CASE("money - percent and multiples format with separators and signs") {
    CHECK(format_money(1234.5) == "$1,234.50");
    CHECK(format_money(-1234.5) == "-$1,234.50");
    CHECK(format_money(1000, -1) == "$1,000");
    CHECK(format_money(769.2307, -1) == "$769.23");
    CHECK(format_money(-0.001) == "$0.00");  // no "-$0.00"
    CHECK(format_signed_money(300) == "+$300.00");
    CHECK(format_signed_money(-100.66) == "-$100.66");
    CHECK(format_signed_money(0) == "$0.00");
    CHECK(format_amount(4e12) == "$4.00T");
    CHECK(format_amount(76.923e9) == "$76.92B");
    CHECK(format_percent(0.3, 1, true) == "+30.0%");
    CHECK(format_percent(-0.4) == "-40.0%");
    CHECK(format_multiple(31.2) == "31.2x");
    CHECK(format_count(1234567) == "1,234,567");
    CHECK(format_number(1e9 / 3, 2) == "333,333,333.33");
}
