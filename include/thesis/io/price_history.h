#pragma once
// Reading a daily price history from CSV: the common download layout (Date, Open, High, Low,
// Close, Adj Close, Volume) or any CSV with a date column and a price column. Every problem is
// an InputError located at its line and column, like the scenario file's.

#include "thesis/analysis/calibration.h"

#include <optional>
#include <string>
#include <string_view>

namespace thesis {

struct PriceHistoryRequest {
    std::string column;            ///< the price column; empty: "Adj Close" if there is one, else "Close"
    std::optional<Date> from, to;  ///< keep the rows in [from, to]
    std::optional<Years> window;   ///< keep the last `window` years up to `to` (or the last row)
};

/// Parses `text` (the file `source`). Dates are ISO (2004-08-19, a time after it is ignored); a
/// file in descending date order is reversed. Refused, with the line: no date or price column, a
/// date that does not parse, dates out of order or repeated, a missing or non-positive price, a
/// gap of more than 10 calendar days between rows (the returns across it are not daily), fewer
/// than 31 rows in the window. Opens are kept when there is an Open column (and a Close).
PriceSeries read_price_history(std::string_view text, const std::string& source,
                               const PriceHistoryRequest& request = {});

}  // namespace thesis
