// Reading a daily price history from CSV (price_history.h).
#include "thesis/io/price_history.h"

#include "thesis/core/errors.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace thesis {

namespace {

std::string lower(std::string_view s) {
    std::string out;
    for (char c : s)
        if (!std::isspace(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '*')
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string trimmed(std::string_view s) {
    while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.front())) || s.front() == '"'))
        s.remove_prefix(1);
    while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.back())) || s.back() == '"'))
        s.remove_suffix(1);
    return std::string(s);
}

// A line's fields and the column (1-based) each starts at.
std::vector<std::pair<std::string, int>> fields_of(std::string_view line) {
    std::vector<std::pair<std::string, int>> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = line.find(',', start);
        const std::string_view field =
            line.substr(start, comma == std::string_view::npos ? comma : comma - start);
        out.emplace_back(trimmed(field), static_cast<int>(start) + 1);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return out;
}

}  // namespace

PriceSeries read_price_history(std::string_view text, const std::string& source,
                               const PriceHistoryRequest& request) {
    const auto fail = [&](int line, int column, const std::string& key, const std::string& message) {
        throw InputError({source, line, column}, key, message);
    };
    // Lines, without \r.
    std::vector<std::string_view> lines;
    for (std::size_t start = 0; start < text.size();) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        start = end + 1;
    }
    std::size_t header_line = 0;
    while (header_line < lines.size() &&
           (trimmed(lines[header_line]).empty() || lines[header_line].front() == '#'))
        ++header_line;
    if (header_line == lines.size())
        fail(1, 1, "", "expected a CSV with a header row (Date, Close, ...), got nothing");
    const auto header = fields_of(lines[header_line]);
    const int header_row = static_cast<int>(header_line) + 1;
    std::vector<std::string> names;
    for (const auto& [name, col] : header) names.push_back(name);
    const std::string known = fmt::format("{}", fmt::join(names, ", "));
    const auto find = [&](std::initializer_list<std::string_view> wanted) -> int {
        for (std::string_view w : wanted)
            for (std::size_t i = 0; i < header.size(); ++i)
                if (lower(header[i].first) == lower(w)) return static_cast<int>(i);
        return -1;
    };
    const int date = find({"date", "timestamp", "day"});
    if (date < 0)
        fail(header_row, 1, "Date", fmt::format("expected a date column (Date); the columns are: {}", known));
    int price = -1;
    if (!request.column.empty()) {
        price = find({request.column});
        if (price < 0)
            fail(header_row, 1, request.column,
                 fmt::format("no column named '{}'; the columns are: {}", request.column, known));
    } else {
        price = find({"adj close", "adjclose", "adjusted close", "adjusted", "close", "price"});
        if (price < 0)
            fail(header_row, 1, "Close",
                 fmt::format("expected a price column (Adj Close or Close, or name one with --column); the "
                             "columns are: {}",
                             known));
    }
    const int open = find({"open"});
    const int close = find({"close"});
    const bool with_opens = open >= 0 && close >= 0;

    PriceSeries s;
    s.source = source;
    s.column = header[static_cast<std::size_t>(price)].first;
    std::vector<int> line_of;
    const auto number_at = [&](const std::vector<std::pair<std::string, int>>& f, int index, int row,
                               const std::string& what) {
        const std::size_t i = static_cast<std::size_t>(index);
        if (i >= f.size() || f[i].first.empty() || f[i].first == "null")
            fail(row, i < f.size() ? f[i].second : 1, what, fmt::format("missing {} on this row", what));
        double v = 0;
        const std::string& t = f[i].first;
        const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v))
            fail(row, f[i].second, what, fmt::format("expected a number, got '{}'", t));
        if (!(v > 0)) fail(row, f[i].second, what, fmt::format("expected a positive price, got {}", t));
        return v;
    };
    for (std::size_t l = header_line + 1; l < lines.size(); ++l) {
        if (trimmed(lines[l]).empty()) continue;
        const int row = static_cast<int>(l) + 1;
        const auto f = fields_of(lines[l]);
        const std::string& d =
            static_cast<std::size_t>(date) < f.size() ? f[static_cast<std::size_t>(date)].first : "";
        const auto parsed = parse_date(d.size() > 10 && (d[10] == ' ' || d[10] == 'T') ? d.substr(0, 10) : d);
        if (!parsed)
            fail(row,
                 static_cast<std::size_t>(date) < f.size() ? f[static_cast<std::size_t>(date)].second : 1,
                 "Date", fmt::format("expected a date like 2004-08-19, got '{}'", d));
        s.dates.push_back(*parsed);
        s.close.push_back(number_at(f, price, row, s.column));
        if (with_opens) {
            s.open.push_back(number_at(f, open, row, header[static_cast<std::size_t>(open)].first));
            s.raw_close.push_back(number_at(f, close, row, header[static_cast<std::size_t>(close)].first));
        }
        line_of.push_back(row);
    }
    if (s.dates.size() < 2) fail(header_row, 1, "", "expected at least two rows of prices");
    // A file in descending order (some downloads) is read backwards.
    if (days_since_epoch(s.dates.front()) > days_since_epoch(s.dates.back())) {
        std::reverse(s.dates.begin(), s.dates.end());
        std::reverse(s.close.begin(), s.close.end());
        std::reverse(s.open.begin(), s.open.end());
        std::reverse(s.raw_close.begin(), s.raw_close.end());
        std::reverse(line_of.begin(), line_of.end());
    }
    for (std::size_t i = 1; i < s.dates.size(); ++i) {
        const long gap = days_since_epoch(s.dates[i]) - days_since_epoch(s.dates[i - 1]);
        if (gap == 0)
            fail(line_of[i], 1, "Date",
                 fmt::format("{} appears twice (also on line {})", to_string(s.dates[i]), line_of[i - 1]));
        if (gap < 0)
            fail(line_of[i], 1, "Date",
                 fmt::format("dates out of order: {} comes after {} (line {})", to_string(s.dates[i]),
                             to_string(s.dates[i - 1]), line_of[i - 1]));
        if (gap > 10)
            fail(line_of[i], 1, "Date",
                 fmt::format("a gap of {} days from {} to {}: the returns across it are not daily; choose a "
                             "window without it (--from, --to)",
                             gap, to_string(s.dates[i - 1]), to_string(s.dates[i])));
    }
    // The window: [from, to], then the last `window` years of it.
    long first = request.from ? days_since_epoch(*request.from) : std::numeric_limits<long>::min();
    const long last = request.to ? days_since_epoch(*request.to) : std::numeric_limits<long>::max();
    if (request.window) {
        const long end = std::min(last, days_since_epoch(s.dates.back()));
        first = std::max(first, end - static_cast<long>(std::lround(*request.window * 365)));
    }
    PriceSeries kept = s;
    kept.dates.clear(), kept.close.clear(), kept.open.clear(), kept.raw_close.clear();
    for (std::size_t i = 0; i < s.dates.size(); ++i) {
        const long day = days_since_epoch(s.dates[i]);
        if (day < first || day > last) continue;
        kept.dates.push_back(s.dates[i]);
        kept.close.push_back(s.close[i]);
        if (with_opens) kept.open.push_back(s.open[i]), kept.raw_close.push_back(s.raw_close[i]);
    }
    s = std::move(kept);
    if (s.dates.size() < 31)
        throw InputError({source}, "window",
                         fmt::format("expected at least 31 daily prices (30 returns) in the window, got {}",
                                     s.dates.size()));
    return s;
}

}  // namespace thesis
