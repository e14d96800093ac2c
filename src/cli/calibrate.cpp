// `thesis calibrate PRICES.csv`: GBM and Merton fitted to a daily price history.
#include "common.h"

#include "thesis/analysis/calibration.h"
#include "thesis/core/errors.h"
#include "thesis/io/price_history.h"
#include "thesis/report/calibration_report.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace thesis::cli {

namespace {

struct CalibrateOptions {
    CommonOptions common;
    std::string prices, column, from, to, window;
};

Date date_flag(const std::string& flag, const std::string& text) {
    const auto d = parse_date(text);
    if (!d)
        throw InputError({"command line"}, flag,
                         fmt::format("expected a date like 2024-06-30, got '{}'", text));
    return *d;
}

int calibrate_command(const CalibrateOptions& o) {
    check_output_folder(o.common.output);
    std::string text;
    if (o.prices == "-") {
        text = read_standard_input();
    } else {
        std::ifstream in(o.prices, std::ios::binary);
        if (!in)
            throw InputError({o.prices}, "", fmt::format("cannot read the file: {}", std::strerror(errno)));
        std::ostringstream all;
        all << in.rdbuf();
        text = all.str();
    }
    PriceHistoryRequest request;
    request.column = o.column;
    if (!o.from.empty()) request.from = date_flag("--from", o.from);
    if (!o.to.empty()) request.to = date_flag("--to", o.to);
    if (!o.window.empty()) {
        const auto w = parse_duration(o.window, Date{});
        if (!w || !(*w > 0) || *w > 100)
            throw InputError({"command line"}, "--window",
                             fmt::format("expected a duration like 2y or 18m, got '{}'", o.window));
        request.window = *w;
    }
    const PriceSeries series = read_price_history(text, o.prices == "-" ? "<stdin>" : o.prices, request);
    emit(calibration_report(series, calibrate(series)), o.common);
    return 0;
}

}  // namespace

void setup_calibrate(CLI::App& app) {
    auto o = std::make_shared<CalibrateOptions>();
    CLI::App* c = app.add_subcommand(
        "calibrate",
        "Fit GBM and Merton's jumps to a daily price history by maximum likelihood, with errors");
    c->add_option(
         "prices", o->prices,
         "A daily price CSV (Date,Open,High,Low,Close,Adj Close,Volume, or any with a date and a price "
         "column), or - for standard input")
        ->required();
    c->add_option("--column", o->column, "The price column (default: Adj Close, else Close)");
    c->add_option("--from", o->from, "First date to use (ISO)");
    c->add_option("--to", o->to, "Last date to use (ISO)");
    c->add_option("--window", o->window, "Only the last DURATION up to --to (or the last row), e.g. 2y");
    add_output_options(*c, o->common);
    c->add_flag("--quiet,-q", o->common.quiet, "Print nothing but the result");
    c->callback([o] { exit_code() = calibrate_command(*o); });
}

}  // namespace thesis::cli
