// `thesis calibrate PRICES.csv`: GBM and Merton fitted to a daily price history.
#include "common.h"

#include "thesis/analysis/calibration.h"
#include "thesis/core/errors.h"
#include "thesis/io/price_history.h"
#include "thesis/io/thesis_edit.h"
#include "thesis/io/yaml_loader.h"
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
    std::string write;  ///< --write FILE: the thesis file to merge the preferred model into
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError({path}, "", fmt::format("cannot read the file: {}", std::strerror(errno)));
    std::ostringstream all;
    all << in.rdbuf();
    return all.str();
}

// The edits that put the preferred model into a thesis: its kind and drift unless the thesis
// simulates its scenarios (their own travel; the volatility and jumps still apply), its
// volatility, Merton's jumps (or none, for GBM under scenarios), and the overnight share.
std::vector<KeyEdit> calibration_edits(const Calibration& c, const Thesis& thesis) {
    const bool merton = c.merton.converged && c.merton.aic < c.gbm.aic;
    const ModelFit& fit = merton ? c.merton : c.gbm;
    const bool scenarios = thesis.model.kind == ModelKind::Scenarios;
    const auto value_of = [&](const std::string& name) {
        for (const FittedParameter& p : fit.parameters)
            if (p.name == name) return p.value.value;
        return 0.0;
    };
    const auto percent = [](double v) { return fmt::format("{:.2f}%", v * 100); };
    std::vector<KeyEdit> edits;
    if (!scenarios) {
        edits.push_back({"model.kind", fit.model, false});
        edits.push_back({"model.drift", percent(value_of("model.drift"))});
    }
    edits.push_back({"model.volatility", percent(value_of("model.volatility"))});
    if (merton) {
        edits.push_back({"model.jumps.intensity", fmt::format("{:.2f}", value_of("model.jumps.intensity"))});
        edits.push_back({"model.jumps.mean", percent(value_of("model.jumps.mean"))});
        edits.push_back({"model.jumps.sd", percent(value_of("model.jumps.sd"))});
    } else if (scenarios && thesis.model.jump_intensity > 0) {
        edits.push_back({"model.jumps.intensity", "0"});
    }
    if (c.overnight_variance_share)
        edits.push_back({"simulation.overnight_variance_share",
                         fmt::format("{:.1f}%", *c.overnight_variance_share * 100)});
    return edits;
}

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
    const Calibration calibration = calibrate(series);
    Report report = calibration_report(series, calibration);
    if (!o.write.empty()) {
        // Read, edit and check the whole file before a byte of it changes.
        const std::string before = read_file(o.write);
        const Thesis thesis = load_thesis(before, o.write);
        const std::vector<KeyEdit> edits = calibration_edits(calibration, thesis);
        const std::string note = fmt::format("thesis calibrate: {} {} to {}", series.source,
                                             to_string(calibration.from), to_string(calibration.to));
        const std::string after = edit_scalars(before, o.write, edits, note);
        (void)load_thesis(after, o.write);  // the edited file still reads
        write_output_file(o.write, after, o.prices);
        std::string keys;
        for (const KeyEdit& e : edits) keys += (keys.empty() ? "" : ", ") + e.key_path + "=" + e.text;
        report.verdict.push_back(fmt::format("wrote into {}: {}", o.write, keys));
    }
    emit(report, o.common);
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
    c->add_option("--write", o->write,
                  "Merge the preferred model into this thesis file, keeping its comments: each value tagged "
                  "!assumption with its source window")
        ->check(CLI::ExistingFile);
    add_output_options(*c, o->common);
    c->add_flag("--quiet,-q", o->common.quiet, "Print nothing but the result");
    c->callback([o] { exit_code() = calibrate_command(*o); });
}

}  // namespace thesis::cli
