// `thesis calibrate`'s report (calibration_report.h).
#include "thesis/report/calibration_report.h"

#include "thesis/report/reports.h"

#include <fmt/format.h>

#include <cmath>

namespace thesis {

namespace {

// A parameter for people: rates and sizes as percentages, the intensity as jumps a year.
std::string shown(const std::string& name, double v, bool signed_ = true) {
    if (!std::isfinite(v)) return "–";
    if (name == "model.jumps.intensity") return fmt::format("{:.2f}/y", v);
    return format_percent(v, 2, signed_ && (name == "model.drift" || name == "model.jumps.mean"));
}

// The value as a scenario file writes it.
std::string yaml_value(const std::string& name, double v) {
    if (name == "model.jumps.intensity") return fmt::format("{:.2f}", v);
    return fmt::format("{:.2f}%", v * 100);
}

}  // namespace

Report calibration_report(const PriceSeries& s, const Calibration& c) {
    using nlohmann::json;
    Report r;
    r.primary = "calibration";
    r.heading = fmt::format("Calibration from {} ({}, {} to {}, {} daily returns)", s.source, s.column,
                            to_string(c.from), to_string(c.to), format_count(static_cast<double>(c.returns)));
    const bool merton_better = c.merton.converged && c.merton.aic < c.gbm.aic;
    r.verdict.push_back(fmt::format(
        "Verdict: {} (AIC {:.1f} for merton against {:.1f} for gbm: lower is better, each parameter costs 2)",
        merton_better ? "jumps are worth their three parameters: merton fits better"
                      : "merton's jumps do not earn their three parameters: gbm is enough",
        c.merton.aic, c.gbm.aic));
    if (!c.merton.converged)
        r.verdict.push_back(
            "merton: the fit did not settle (a flat likelihood, or an information matrix that is "
            "not positive definite): its errors are not reliable");

    Table t;
    t.id = "calibration";
    t.title = "Maximum-likelihood estimates (standard errors from the observed information; 95% intervals)";
    t.columns = {{"model", "model", false},      {"parameter", "parameter", false},
                 {"estimate", "estimate", true}, {"std error", "std_error", true},
                 {"95% CI low", "ci_low", true}, {"95% CI high", "ci_high", true}};
    json models = json::array();
    for (const ModelFit* fit : {&c.gbm, &c.merton}) {
        json parameters = json::object();
        for (const FittedParameter& p : fit->parameters) {
            const Estimate& e = p.value;
            const bool has_se = std::isfinite(e.std_error);
            t.rows.push_back({fit->model, p.name, Cell(shown(p.name, e.value), e.value),
                              has_se ? Cell(shown(p.name, e.std_error, false), e.std_error) : Cell("–"),
                              has_se ? Cell(shown(p.name, e.ci_low), e.ci_low) : Cell("–"),
                              has_se ? Cell(shown(p.name, e.ci_high), e.ci_high) : Cell("–")});
            parameters[p.name] = has_se ? estimate_json(e)
                                        : json{{"estimate", e.value},
                                               {"std_error", nullptr},
                                               {"ci_low", nullptr},
                                               {"ci_high", nullptr}};
        }
        models.push_back({{"model", fit->model},
                          {"parameters", std::move(parameters)},
                          {"log_likelihood", fit->log_likelihood},
                          {"aic", fit->aic},
                          {"converged", fit->converged}});
    }
    t.footnotes.push_back(
        "drift: of dS/S a year (the file's model.drift); volatility a year; jumps: intensity a year, and the "
        "mean and sd of each jump's log return");
    r.tables.push_back(std::move(t));

    Table fit;
    fit.id = "fit";
    fit.title = "Goodness of fit";
    fit.columns = {{"model", "model", false},
                   {"parameters", "parameters", true},
                   {"log-likelihood", "log_likelihood", true},
                   {"AIC", "aic", true}};
    for (const ModelFit* f : {&c.gbm, &c.merton})
        fit.rows.push_back(
            {f->model,
             Cell(fmt::format("{}", f->parameters.size()), static_cast<double>(f->parameters.size())),
             Cell(fmt::format("{:.2f}", f->log_likelihood), f->log_likelihood),
             Cell(fmt::format("{:.2f}", f->aic), f->aic)});
    r.tables.push_back(std::move(fit));

    // What to paste into the scenario file: the better model, tagged as assumptions with their source.
    const ModelFit& chosen = merton_better ? c.merton : c.gbm;
    const std::string note = fmt::format("{} {} to {}", s.source, to_string(c.from), to_string(c.to));
    std::string snippet = fmt::format("model:\n  kind: {}\n", chosen.model);
    for (const FittedParameter& p : chosen.parameters) {
        if (p.name == "model.jumps.intensity") snippet += "  jumps:\n";
        const std::string key = p.name.substr(p.name.rfind('.') + 1);
        const std::string indent = p.name.rfind("model.jumps.", 0) == 0 ? "    " : "  ";
        snippet += fmt::format("{}{}: !assumption {}   # MLE, {}\n", indent, key,
                               yaml_value(p.name, p.value.value), note);
    }
    if (c.overnight_variance_share)
        snippet += fmt::format(
            "simulation:\n  overnight_variance_share: !assumption {:.1f}%   # opens and closes, {}\n",
            *c.overnight_variance_share * 100, note);
    r.notes.push_back(
        "For the scenario file (the model a scenarios thesis keeps is its own; take the volatility and "
        "jumps):\n" +
        snippet);

    json j{{"program", "thesis"},
           {"command", "calibrate"},
           {"source", s.source},
           {"column", s.column},
           {"from", to_string(c.from)},
           {"to", to_string(c.to)},
           {"returns", c.returns},
           {"years_per_step", c.years_per_step},
           {"models", std::move(models)},
           {"preferred", chosen.model},
           {"overnight_variance_share",
            c.overnight_variance_share ? json(*c.overnight_variance_share) : json(nullptr)}};
    r.json = std::move(j);
    return r;
}

}  // namespace thesis
