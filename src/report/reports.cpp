#include "thesis/report/reports.h"

#include "thesis/analysis/hedge.h"
#include "thesis/analysis/metrics.h"
#include "thesis/core/errors.h"
#include "thesis/report/findings.h"
#include "thesis/valuation/valuation.h"
#include "thesis/version.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace thesis {

using nlohmann::json;

namespace {

Cell money(double v, int decimals = 2) { return {format_money(v, decimals), v}; }
Cell signed_money(double v, int decimals = 2) { return {format_signed_money(v, decimals), v}; }
Cell percent(double f, bool signed_ = false) { return {format_percent(f, 1, signed_), f}; }
Cell multiple(double m) { return {format_multiple(m), m}; }
// A multiple that a loss makes meaningless (0): "n/m" for people, missing for machines.
Cell multiple_or_nm(double m) { return m > 0 ? multiple(m) : Cell("n/m"); }

Table key_values(std::string id, std::string title) {
    Table t;
    t.id = std::move(id);
    t.title = std::move(title);
    t.columns = {{"", "item", false}, {"", "value", true}};
    t.show_header = false;
    return t;
}

// A row label for people, starred when it rests on an assumption; plain for machines.
Cell marked(const Thesis& t, const std::string& label, const std::vector<std::string>& keys,
            const std::string& machine = "") {
    return Cell::keyed(assumed(t, keys).empty() ? label : label + " *", machine.empty() ? label : machine);
}

// The assumptions under any of `prefixes`, as `key=value, ...`.
std::string assumption_list(const Thesis& t, std::initializer_list<std::string_view> prefixes) {
    std::string list;
    for (const auto& [key, value] : t.assumptions)
        for (auto prefix : prefixes)
            if (key.rfind(prefix, 0) == 0) {
                list += (list.empty() ? "" : ", ") + key + "=" + value;
                break;
            }
    return list;
}

}  // namespace

json json_stamp(const Thesis& thesis, std::string_view command) {
    return json{
        {"program", "thesis"}, {"version", kVersion}, {"command", command}, {"source", thesis.source}};
}

Report valuation_report(const Thesis& t, const std::string& only_scenario) {
    Report r;
    r.primary = "scenarios";
    const Stock& s = t.stock;
    const Bridge b = bridge(s);
    const std::string who = s.name.empty()     ? s.ticker
                            : s.ticker.empty() ? s.name
                                               : s.name + " (" + s.ticker + ")";
    r.heading = fmt::format("{}{}thesis valued {} ({})", who, who.empty() ? "" : " — ",
                            to_string(s.valuation_date), t.source);

    std::vector<ScenarioValue> values;
    for (const auto& sc : t.scenarios) values.push_back(value_scenario(sc, s));
    std::vector<ScenarioValue> shown = values;
    if (!only_scenario.empty()) {
        const auto it = std::find_if(values.begin(), values.end(),
                                     [&](const auto& v) { return v.name == only_scenario; });
        if (it == values.end()) {
            std::vector<std::string> names;
            for (const auto& v : values) names.push_back(v.name);
            const std::string hint = did_you_mean(only_scenario, names);
            throw InputError({"command line"}, "scenario",
                             fmt::format("no scenario named '{}'{}", only_scenario,
                                         hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
        }
        shown = {*it};
    }
    const bool weighted =
        !t.scenarios.empty() &&
        std::any_of(values.begin(), values.end(), [](const auto& v) { return v.probability > 0; });
    const ScenarioExpectation e = expectation(values, s.price);

    // Verdict: the one line to read first.
    if (weighted) {
        r.verdict.push_back(
            fmt::format("Verdict: probability-weighted price {} ({} vs {}); upside/downside {}",
                        format_money(e.expected_price), format_percent(e.expected_return, 1, true),
                        format_money(s.price), format_fixed(e.upside_downside_ratio, 2)));
    } else {
        r.verdict.push_back("Verdict: no scenario probabilities given; no expectation computed");
    }

    Table bt = key_values("bridge", "Valuation bridge (price = EPS × P/E)");
    const std::string shares =
        b.shares >= 1e9 ? format_fixed(b.shares / 1e9, 3) + "B" : format_fixed(b.shares / 1e6, 1) + "M";
    if (s.eps)
        bt.rows = {
            {marked(t, "price", {"stock.price"}, "price"), money(s.price)},
            {marked(t, "trailing EPS", {"stock.eps"}, "eps"), money(b.eps)},
            {Cell::keyed(b.pe > 0 ? "P/E = price / EPS" : "P/E (not meaningful: a loss)", "pe"),
             multiple_or_nm(b.pe)},
            {marked(t, "market cap", {"stock.market_cap"}, "market_cap"),
             {format_amount(s.market_cap), s.market_cap}},
            {Cell::keyed("shares = cap / price", "shares"), {shares, b.shares}},
            {Cell::keyed("earnings = EPS × shares", "earnings"), {format_amount(b.earnings), b.earnings}},
        };
    else
        bt.rows = {
            {marked(t, "price", {"stock.price"}, "price"), money(s.price)},
            {marked(t, "trailing P/E", {"stock.pe"}, "pe"), multiple(s.pe)},
            {Cell::keyed("EPS = price / P/E", "eps"), money(b.eps)},
            {marked(t, "market cap", {"stock.market_cap"}, "market_cap"),
             {format_amount(s.market_cap), s.market_cap}},
            {Cell::keyed("shares = cap / price", "shares"), {shares, b.shares}},
            {Cell::keyed("earnings = cap / P/E", "earnings"), {format_amount(b.earnings), b.earnings}},
        };
    if (s.forward_eps) {
        bt.rows.push_back({marked(t, "forward EPS", {"stock.forward_eps", "stock.forward_pe"}, "forward_eps"),
                           money(*s.forward_eps)});
        bt.rows.push_back({Cell::keyed("forward P/E = price / forward EPS", "forward_pe"),
                           multiple_or_nm(*s.forward_eps > 0 ? s.price / *s.forward_eps : 0)});
    }
    if (s.sector_pe > 0)
        bt.rows.push_back({marked(t, "sector P/E", {"stock.sector_pe"}, "sector_pe"), multiple(s.sector_pe)});
    if (s.revenue)
        bt.rows.push_back(
            {marked(t, "revenue", {"stock.revenue"}, "revenue"), {format_amount(*s.revenue), *s.revenue}});
    bt.rows.push_back({marked(t, "net margin", {"stock.net_margin"}, "net_margin"), percent(s.net_margin)});
    r.tables.push_back(bt);

    if (!shown.empty()) {
        Table st;
        st.id = "scenarios";
        st.title = "Scenarios";
        st.columns = {{"scenario", "scenario", false}, {"prob", "probability", true},
                      {"price", "price_usd", true},    {"P/E", "multiple", true},
                      {"EPS", "eps_usd", true},        {"EPS chg", "eps_change", true},
                      {"return", "return", true},      {"what", "description", false}};
        for (const auto& v : shown) {
            const Scenario& sc = *t.find_scenario(v.name);
            Cell probability = weighted ? percent(v.probability) : Cell("–");
            if (!assumed(t, {"scenarios." + v.name + ".probability"}).empty()) probability.text += " *";
            st.rows.push_back({marked(t, v.name, lever_keys(sc)), probability, money(v.price),
                               multiple_or_nm(v.multiple), money(v.eps),
                               v.has_eps_change ? percent(v.eps_change, true) : Cell("n/m"),
                               percent(v.price_return, true), v.description});
        }
        if (weighted && only_scenario.empty()) {
            st.rows.push_back({"expected", percent(e.probability_sum), money(e.expected_price), "", "", "",
                               percent(e.expected_return, true), "probability-weighted"});
            st.footnotes.push_back(fmt::format(
                "expected upside {} vs downside {}: ratio {}", format_percent(e.expected_upside, 1, true),
                format_percent(-e.expected_downside, 1, true), format_fixed(e.upside_downside_ratio, 2)));
        }
        r.tables.push_back(st);
    }

    const auto implied = implied_numbers(t, values);
    Table it;
    it.id = "implied";
    it.title = "What the numbers imply";
    // The unit and the assumptions are columns for machines; people read them off the value
    // and the star.
    it.columns = {
        {"", "label", false}, {"", "value", true}, {"", "unit", false, true}, {"", "rests_on", false, true}};
    it.show_header = false;
    for (const auto& n : implied) {
        std::string rests;
        for (const auto& k : n.rests_on) rests += (rests.empty() ? "" : " ") + k;
        it.rows.push_back({Cell::keyed(n.rests_on.empty() ? n.label : n.label + " *", n.label),
                           {n.value, n.raw},
                           n.unit,
                           rests});
    }
    if (!it.rows.empty()) r.tables.push_back(it);

    if (std::string list = assumption_list(t, {"stock.", "opportunity.", "scenarios."}); !list.empty())
        r.notes.push_back("* rests on assumptions (not from the source): " + list);

    json j = json_stamp(t, "run");
    j["stock"] = {{"name", s.name},
                  {"ticker", s.ticker},
                  {"valuation_date", to_string(s.valuation_date)},
                  {"price", s.price},
                  {"pe", s.pe > 0 ? json(s.pe) : json(nullptr)},
                  {"eps", s.eps ? json(*s.eps) : json(nullptr)},
                  {"forward_eps", s.forward_eps ? json(*s.forward_eps) : json(nullptr)},
                  {"sector_pe", s.sector_pe},
                  {"market_cap", s.market_cap},
                  {"net_margin", s.net_margin}};
    j["bridge"] = {{"eps", b.eps}, {"shares", b.shares}, {"earnings", b.earnings}};
    j["scenarios"] = json::array();
    for (const auto& v : shown)
        j["scenarios"].push_back({{"name", v.name},
                                  {"description", v.description},
                                  {"probability", v.probability},
                                  {"price", v.price},
                                  {"multiple", v.multiple > 0 ? json(v.multiple) : json(nullptr)},
                                  {"eps", v.eps},
                                  {"eps_change", v.has_eps_change ? json(v.eps_change) : json(nullptr)},
                                  {"return", v.price_return}});
    j["expectation"] = weighted ? json{{"expected_price", e.expected_price},
                                       {"expected_return", e.expected_return},
                                       {"expected_upside", e.expected_upside},
                                       {"expected_downside", e.expected_downside},
                                       {"upside_downside_ratio", e.upside_downside_ratio}}
                                : json(nullptr);
    j["implied"] = json::array();
    for (const auto& n : implied)
        j["implied"].push_back(
            {{"label", n.label}, {"value", n.raw}, {"unit", n.unit}, {"rests_on", n.rests_on}});
    j["assumptions"] = t.assumptions;
    r.json = std::move(j);
    add_findings(r, audit(t, values));  // the last table, and JSON "audit"
    return r;
}

Report payoff_report(const Thesis& t, const Plan& plan, const GridRequest& request) {
    Report r;
    r.primary = "payoff";
    const TradeEconomics e = trade_economics(plan, t.stock.price);
    r.heading =
        fmt::format("Plan '{}' ({}): {} {}, stop {}, target {} — {}", plan.name,
                    plan.description.empty() ? to_string(plan.side) : plan.description, to_string(plan.side),
                    to_string(plan.entry), to_string(plan.stop), to_string(plan.target), t.source);
    if (e.stop && e.target)
        r.verdict.push_back(
            fmt::format("Verdict: risk {} to make {} a share ({}R); it pays if it wins more than {} "
                        "of the time",
                        format_money(e.risk_per_share), format_money(e.reward_per_share),
                        format_fixed(e.reward_risk, 2), format_percent(e.breakeven_win_rate)));
    else if (!e.stop)
        r.verdict.push_back(e.shares > 0
                                ? fmt::format("Verdict: no stop — the whole position ({}) is at risk",
                                              format_money(e.position_value))
                                : std::string("Verdict: no stop — the whole entry price is at risk, "
                                              "per share (the plan has no capital or shares)"));
    else
        r.verdict.push_back(
            fmt::format("Verdict: risk {} a share with no target", format_money(e.risk_per_share)));
    if (plan.entry.kind == Entry::Kind::Market || plan.entry.kind == Entry::Kind::OnDate ||
        plan.entry.kind == Entry::Kind::AfterEvent)
        r.verdict.push_back(
            fmt::format("(entry assumed at today's price {} for this table)", format_money(t.stock.price)));

    Table et = key_values("economics", "Trade economics (per share unless stated; costs included)");
    et.rows.push_back({"side", std::string(to_string(plan.side))});
    et.rows.push_back(
        {"entry (fill after slippage)",
         Cell(fmt::format("{} ({})", format_money(e.entry), format_money(e.entry_fill)), e.entry_fill)});
    if (e.stop) et.rows.push_back({"stop", money(*e.stop)});
    if (e.target) et.rows.push_back({"target", money(*e.target)});
    if (e.stop) et.rows.push_back({"risk per share", money(e.risk_per_share)});
    if (e.target) et.rows.push_back({"reward per share", money(e.reward_per_share)});
    if (e.stop && e.target) {
        et.rows.push_back({"reward:risk before costs",
                           Cell(format_fixed(e.gross_reward_risk, 2) + "R", e.gross_reward_risk)});
        et.rows.push_back({"breakeven win rate before costs", percent(e.gross_breakeven_win_rate)});
        et.rows.push_back({"reward:risk", Cell(format_fixed(e.reward_risk, 2) + "R", e.reward_risk)});
        et.rows.push_back({"breakeven win rate", percent(e.breakeven_win_rate)});
    }
    et.rows.push_back({"round-trip costs per share", money(e.round_trip_costs)});
    et.rows.push_back({"capital", money(plan.sizing.capital, 0)});
    if (plan.sizing.risk_per_trade > 0 && !plan.sizing.shares)
        et.rows.push_back({"risk per trade", percent(plan.sizing.risk_per_trade)});
    et.rows.push_back({"position size", Cell(fmt::format("{} shares", format_count(e.shares)), e.shares)});
    // Without a size (no capital, no share count) there is no position: "–", not $0.
    const auto sized = [&](double amount) { return e.shares > 0 ? money(amount) : Cell("–"); };
    et.rows.push_back({"position value", sized(e.position_value)});
    et.rows.push_back({"capital at risk", sized(e.capital_at_risk)});
    const bool hedged = plan.hedge.kind != Hedge::Kind::None;
    const double options_cost = hedged ? hedge_cost(t, plan, e.entry) : 0;
    // Carry a year per share at the entry: dividends (received long, paid short), a short's borrow fee.
    const double dir = direction(plan.side);
    const double borrow = plan.side == Side::Short ? plan.costs.borrow_rate : 0;
    const double carry_rate = dir * t.stock.dividend_yield - borrow;
    const bool carried = carry_rate != 0;
    const Years held = plan.horizon.value_or(t.simulation.horizon);
    if (carried) {
        if (t.stock.dividend_yield != 0)
            et.rows.push_back({dir > 0 ? "dividends received a year" : "dividends paid a year",
                               money(t.stock.dividend_yield * e.entry)});
        if (borrow != 0) et.rows.push_back({"borrow fee a year", money(borrow * e.entry)});
    }
    if (hedged) {
        et.rows.push_back({"hedge", to_string(plan.hedge)});
        et.rows.push_back({"options' cost at the entry", money(options_cost)});
    }
    r.tables.push_back(et);

    std::vector<ScenarioValue> values;
    std::vector<Price> scenario_prices;
    for (const auto& sc : t.scenarios) {
        values.push_back(value_scenario(sc, t.stock));
        scenario_prices.push_back(values.back().price);
    }
    std::vector<Price> grid = default_price_grid(e, scenario_prices);
    if (request.from || request.to || request.step) {
        const Price step = request.step.value_or(grid.size() > 1 ? grid[1] - grid[0] : 1);
        grid = price_grid(request.from.value_or(grid.front()), request.to.value_or(grid.back()), step);
    }
    std::vector<PayoffRow> rows = payoff_table(plan, e, grid);
    // The plan's own levels are rows whatever the grid's step: the entry, the stop, the target.
    for (const std::optional<Price>& level : {std::optional<Price>(e.entry), e.stop, e.target}) {
        if (!level ||
            std::any_of(grid.begin(), grid.end(), [&](Price p) { return std::fabs(p - *level) < 1e-9; }))
            continue;
        rows.push_back(payoff_table(plan, e, {*level}).front());
    }
    for (const auto& v : values) {
        PayoffRow row = payoff_table(plan, e, {v.price}).front();
        row.label = v.name;
        rows.push_back(row);
    }
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.exit < b.exit; });

    Table pt;
    pt.id = "payoff";
    pt.title = "Payoff if the price ends at…";
    pt.columns = {{"", "scenario", false},
                  {"exit", "exit_usd", true},
                  {"hold/sh", "hold_per_share", true},
                  {"hold %", "hold_return", true},
                  {"stop/sh", "stop_per_share", true},
                  {"stop %", "stop_return", true},
                  {"stop+tgt/sh", "stop_target_per_share", true},
                  {"stop+tgt %", "stop_target_return", true},
                  {"stop+tgt position", "stop_target_per_position", true}};
    // Held to the options' expiry: the stock at the exit price and the options' payoff there,
    // less their cost at the entry (the stock's costs included, the options' not).
    const auto hedged_pnl = [&](const PayoffRow& row) {
        return row.hold.per_share + hedge_payoff(t, plan, row.exit) - options_cost;
    };
    // Held to the plan's horizon: the carry on the average of the entry and exit prices.
    const auto carried_pnl = [&](const PayoffRow& row) {
        return row.hold.per_share + carry_rate * 0.5 * (e.entry + row.exit) * held;
    };
    if (carried) pt.columns.push_back({"hold+carry/sh", "hold_carry_per_share", true});
    if (hedged) {
        pt.columns.push_back({"hedged/sh", "hedged_per_share", true});
        pt.columns.push_back({"hedged %", "hedged_return", true});
    }
    for (const auto& row : rows) {
        std::string label = row.label;
        if (label.empty()) {
            if (e.stop && std::fabs(row.exit - *e.stop) < 1e-9) label = "(stop)";
            if (e.target && std::fabs(row.exit - *e.target) < 1e-9) label = "(target)";
            if (std::fabs(row.exit - e.entry) < 1e-9) label = "(entry)";
        }
        pt.rows.push_back({label, money(row.exit), signed_money(row.hold.per_share),
                           percent(row.hold.of_entry, true), signed_money(row.stop_only.per_share),
                           percent(row.stop_only.of_entry, true), signed_money(row.stop_and_target.per_share),
                           percent(row.stop_and_target.of_entry, true),
                           e.shares > 0 ? signed_money(row.stop_and_target.per_position, 0) : Cell("–")});
        if (carried) pt.rows.back().push_back(signed_money(carried_pnl(row)));
        if (hedged) {
            const double h = hedged_pnl(row);
            pt.rows.back().push_back(signed_money(h));
            pt.rows.back().push_back(percent(h / e.entry_fill, true));
        }
    }
    pt.footnotes.push_back(
        "hold: close at the exit price; stop: closed at the stop level if the price ends beyond "
        "it;");
    pt.footnotes.push_back(
        "stop+tgt: also takes profit at the target. Assumes no gap (the simulation prices gaps).");
    if (carried)
        pt.footnotes.push_back(
            fmt::format("hold+carry: held {:g}y (the plan's horizon), with {} on the average of the entry "
                        "and exit prices.",
                        held,
                        borrow != 0 && t.stock.dividend_yield != 0 ? "the dividends and the borrow fee"
                        : borrow != 0                              ? "the borrow fee"
                                                                   : "the dividends"));
    if (hedged)
        pt.footnotes.push_back(fmt::format(
            "hedged: held to the options' expiry ({}), the stock at the exit price plus the options' payoff "
            "there, less their cost at the entry ({} a share).",
            to_string(plan.hedge), format_money(options_cost)));
    r.tables.push_back(pt);

    json j = json_stamp(t, "table");
    j["plan"] = {{"name", plan.name},
                 {"side", to_string(plan.side)},
                 {"entry", to_string(plan.entry)},
                 {"stop", to_string(plan.stop)},
                 {"target", to_string(plan.target)}};
    j["economics"] = {{"entry", e.entry},
                      {"entry_fill", e.entry_fill},
                      {"stop", e.stop ? json(*e.stop) : json(nullptr)},
                      {"target", e.target ? json(*e.target) : json(nullptr)},
                      {"risk_per_share", e.risk_per_share},
                      {"reward_per_share", e.reward_per_share},
                      {"reward_risk", e.reward_risk},
                      {"gross_reward_risk", e.gross_reward_risk},
                      {"gross_breakeven_win_rate", e.gross_breakeven_win_rate},
                      {"breakeven_win_rate", e.breakeven_win_rate},
                      {"round_trip_costs", e.round_trip_costs},
                      {"shares", e.shares},
                      {"position_value", e.position_value},
                      {"capital_at_risk", e.capital_at_risk},
                      {"hedge", hedged ? json(to_string(plan.hedge)) : json(nullptr)},
                      {"hedge_cost", hedged ? json(options_cost) : json(nullptr)}};
    const auto pnl_json = [](const PnL& p) {
        return json{{"per_share", p.per_share}, {"per_position", p.per_position}, {"return", p.of_entry}};
    };
    j["rows"] = json::array();
    for (const auto& row : rows)
        j["rows"].push_back({{"scenario", row.label.empty() ? json(nullptr) : json(row.label)},
                             {"exit", row.exit},
                             {"hold", pnl_json(row.hold)},
                             {"stop", pnl_json(row.stop_only)},
                             {"stop_target", pnl_json(row.stop_and_target)},
                             {"hold_carry", carried ? pnl_json({carried_pnl(row), carried_pnl(row) * e.shares,
                                                                carried_pnl(row) / e.entry_fill})
                                                    : json(nullptr)},
                             {"hedged", hedged ? pnl_json({hedged_pnl(row), hedged_pnl(row) * e.shares,
                                                           hedged_pnl(row) / e.entry_fill})
                                               : json(nullptr)}});
    r.json = std::move(j);
    return r;
}

}  // namespace thesis
