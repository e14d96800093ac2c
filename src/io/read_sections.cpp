// Reading each section of a scenario file (stock, opportunity, events, model, simulation, plans,
// scenario levers) into the thesis's value types, with every check a field needs.
#include "yaml_section.h"

#include "thesis/simulation/trade.h"
#include "thesis/valuation/valuation.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace thesis::loader {

// ---- Sections of a scenario file ----

namespace {
// An EPS: money a share, which a loss makes negative (-$4.38 or -4.38).
double eps_at(Section& s, std::string_view key) {
    const YAML::Node n = s.find(key);
    const double v = s.to_number(n, join(s.path(), key), Unit::Money, false);
    if (!(std::fabs(v) <= limits::kMaxPrice))
        s.fail_at(
            n, join(s.path(), key),
            fmt::format("expected an EPS from -$1,000,000,000,000 to $1,000,000,000,000 a share, got {}",
                        shown(n)));
    return v;
}
}  // namespace

Stock read_stock(Section s) {
    Stock st;
    st.name = s.text("name");
    st.ticker = s.text("ticker");
    {
        const YAML::Node n = s.find("valuation_date");
        if (!n.IsDefined() || n.IsNull()) s.fail_missing("valuation_date", "a date like 2025-07-14");
        auto d = n.IsScalar() ? parse_date(n.Scalar()) : std::nullopt;
        if (!d)
            s.fail_at(n, join(s.path(), "valuation_date"),
                      fmt::format("expected a date like 2025-07-14, got {}", shown(n)));
        st.valuation_date = *d;
        s.context().valuation_date = *d;
    }
    st.price = s.price("price");
    // A P/E, or the trailing EPS itself (which may be a loss: then the P/E means nothing).
    if (s.has("eps")) {
        if (s.has("pe"))
            s.fail_at(s.find("eps"), join(s.path(), "eps"),
                      "give either pe or eps (trailing EPS), not both: one follows from the other");
        st.eps = eps_at(s, "eps");
        st.pe = *st.eps > 0 ? st.price / *st.eps : 0;
    } else {
        if (!s.has("pe")) s.fail_missing("pe", "a multiple like 52x (or eps: the trailing EPS, for a loss)");
        st.pe = s.multiple("pe");
    }
    if (s.has("forward_eps") && s.has("forward_pe"))
        s.fail_at(s.find("forward_pe"), join(s.path(), "forward_pe"),
                  "give either forward_pe or forward_eps, not both");
    if (s.has("forward_eps")) st.forward_eps = eps_at(s, "forward_eps");
    if (s.has("forward_pe")) st.forward_eps = st.price / s.multiple("forward_pe");
    st.sector_pe = s.optional_multiple("sector_pe").value_or(0);
    st.market_cap = s.positive("market_cap", Unit::Money);
    st.revenue = s.optional_positive("revenue", Unit::Money);
    st.net_margin = s.optional_fraction("net_margin", -1, 1).value_or(0);
    st.shares = s.optional_positive("shares", Unit::Money);
    st.dividend_yield = s.optional_fraction("dividend_yield", 0, 1).value_or(0);
    s.finish();
    return st;
}

Opportunity read_opportunity(Section s) {
    Opportunity o;
    o.description = s.text("description");
    o.revenue_unlock = s.number("revenue_unlock", Unit::Money, 0);
    o.addressable_market = s.optional_positive("addressable_market", Unit::Money);
    const YAML::Node share = s.find("share_of_sales");
    const std::string share_path = join(s.path(), "share_of_sales");
    if (share.IsSequence()) {
        if (share.size() != 2) s.fail_at(share, share_path, "expected a range [low, high] like [20%, 30%]");
        o.share_of_sales_low = s.to_number(share[0], share_path, Unit::Ratio);
        o.share_of_sales_high = s.to_number(share[1], share_path, Unit::Ratio);
        if (*o.share_of_sales_low > *o.share_of_sales_high || *o.share_of_sales_low < 0 ||
            *o.share_of_sales_high > 1)
            s.fail_at(share, share_path, "expected 0 <= low <= high <= 100%");
    } else if (share.IsDefined() && !share.IsNull()) {
        o.share_of_sales_low = o.share_of_sales_high = s.to_number(share, share_path, Unit::Ratio);
        if (*o.share_of_sales_low < 0 || *o.share_of_sales_low > 1)
            s.fail_at(share, share_path, "expected a share of sales from 0% to 100%");
    }
    o.writeoff = s.optional_positive("writeoff", Unit::Money);
    s.finish();
    return o;
}

CatalystEvent read_event(const std::string& name, Section s) {
    CatalystEvent e;
    e.name = name;
    e.description = s.text("description");
    e.probability = s.optional_fraction("probability", 0, 1).value_or(0);
    if (!s.has("probability")) s.fail_missing("probability", "a probability like 0.5 or 50%");
    const auto date = s.optional_duration("date");
    const YAML::Node window = s.find("window");
    if (date && window.IsDefined() && !window.IsNull())
        s.fail_at(window, join(s.path(), "window"), "give either date or window, not both");
    if (date) {
        e.window_start = e.window_end = *date;
    } else if (window.IsSequence() && window.size() == 2) {
        e.window_start = s.to_duration(window[0], join(s.path(), "window"));
        e.window_end = s.to_duration(window[1], join(s.path(), "window"));
        if (e.window_end < e.window_start)
            s.fail_at(window, join(s.path(), "window"), "expected the window's end after its start");
    } else if (window.IsDefined() && !window.IsNull()) {
        s.fail_at(window, join(s.path(), "window"),
                  "expected a window [start, end] like [2025-08-01, 2025-12-31]");
    } else {
        s.fail_missing("date", "a date or a window [start, end]");
    }
    if (e.window_start < 0)
        s.fail_at(s.node(), s.path(), "expected the event on or after the valuation date");
    e.jump_mean = s.bounded("jump_mean", 0, -limits::kMaxLogJump, limits::kMaxLogJump,
                            "a log jump from -10 to 10 (-1000% to 1000%)");
    e.jump_sd = s.number("jump_sd", Unit::Number, 0);
    if (e.jump_sd < 0)
        s.fail_at(s.find("jump_sd"), join(s.path(), "jump_sd"), "expected a non-negative standard deviation");
    e.jump_sd =
        s.bounded("jump_sd", 0, 0, limits::kMaxLogJumpSd, "a standard deviation from 0 to 5 (0% to 500%)");
    e.unlocks_revenue = s.flag("unlocks_revenue", false);
    {
        // One scenario's name or a list of them; checked against the scenarios once they are read
        // (yaml_loader.cpp).
        const YAML::Node tied = s.find("scenarios");
        const std::string key = join(s.path(), "scenarios");
        const auto add = [&](const YAML::Node& n) {
            if (!n.IsScalar() || n.Scalar().empty())
                s.fail_at(n, key, fmt::format("expected a scenario's name, got {}", shown(n)));
            e.scenarios.push_back(n.Scalar());
        };
        if (tied.IsSequence()) {
            if (tied.size() == 0) s.fail_at(tied, key, "expected at least one scenario's name, like [bull]");
            for (const auto& n : tied) add(n);
        } else if (tied.IsDefined() && !tied.IsNull()) {
            add(tied);
        }
    }
    s.finish();
    return e;
}

PriceModel read_model(Section s) {
    PriceModel m;
    const std::string kind = s.choice("kind", kModelNames, "gbm");
    m.kind =
        static_cast<ModelKind>(std::find(kModelNames.begin(), kModelNames.end(), kind) - kModelNames.begin());
    m.drift = s.bounded("drift", 0, -limits::kMaxRate, limits::kMaxRate,
                        "a drift from -1000% to 1000% a year (-10 to 10)");
    m.volatility = s.positive("volatility", Unit::Number);
    m.volatility = s.bounded("volatility", m.volatility, 0, limits::kMaxRate,
                             "a volatility of at most 1000% a year (10)");
    {
        Section j = s.section("jumps");
        m.jump_intensity = j.number("intensity", Unit::Number, 0);
        m.jump_mean = j.number("mean", Unit::Number, 0);
        m.jump_sd = j.number("sd", Unit::Number, 0);
        if (m.jump_intensity < 0 || m.jump_sd < 0)
            j.fail_at(j.node(), j.path(), "expected a non-negative intensity and sd");
        j.bounded("intensity", 0, 0, limits::kMaxJumpIntensity, "at most 365 jumps a year", false);
        j.bounded("mean", 0, -limits::kMaxLogJump, limits::kMaxLogJump,
                  "a log jump from -10 to 10 (-1000% to 1000%)");
        j.bounded("sd", 0, 0, limits::kMaxLogJumpSd, "a standard deviation from 0 to 5 (0% to 500%)");
        j.finish();
        if (m.kind == ModelKind::Merton && !(m.jump_intensity > 0))
            s.fail_at(s.node(), join(s.path(), "jumps.intensity"),
                      "a merton model needs jumps.intensity > 0 (jumps per year)");
    }
    {
        Section f = s.section("fundamentals");
        m.multiple_half_life = f.optional_duration("multiple_half_life").value_or(1.0);
        if (!(m.multiple_half_life > 0))
            f.fail_at(f.find("multiple_half_life"), join(f.path(), "multiple_half_life"),
                      "expected a positive half-life");
        m.multiple_volatility = f.number("multiple_volatility", Unit::Number, 0);
        m.eps_growth = f.bounded("eps_growth", 0, -limits::kMaxRate, limits::kMaxRate,
                                 "a growth from -1000% to 1000% a year (-10 to 10)");
        m.eps_volatility = f.number("eps_volatility", Unit::Number, 0);
        m.eps_multiple_correlation = f.number("correlation", Unit::Number, 0);
        if (m.eps_multiple_correlation < -1 || m.eps_multiple_correlation > 1)
            f.fail_at(f.find("correlation"), join(f.path(), "correlation"),
                      "expected a correlation in [-1, 1]");
        if (m.multiple_volatility < 0 || m.eps_volatility < 0)
            f.fail_at(f.node(), f.path(), "expected non-negative volatilities");
        for (const char* key : {"multiple_volatility", "eps_volatility"})
            f.bounded(key, 0, 0, limits::kMaxRate, "a volatility of at most 1000% a year (10)");
        f.finish();
    }
    {
        Section ev = s.section("events");
        for (const auto& kv : ev.node()) {
            const std::string name = kv.first.Scalar();
            ev.find(name);
            m.events.push_back(
                read_event(name, Section(kv.second, join(ev.path(), name), ev.context(), kv.first.Mark())));
        }
    }
    s.finish();
    return m;
}

void check_model_stock(const Thesis& t, Section m) {
    if (t.model.kind == ModelKind::Fundamentals && !(t.stock.sector_pe > 0))
        m.fail_at(m.find("kind"), "model.kind",
                  "the fundamentals model needs stock.sector_pe, the multiple it reverts to");
    if (t.model.kind == ModelKind::Fundamentals && !(t.stock.pe > 0))
        m.fail_at(m.find("kind"), "model.kind",
                  fmt::format("the fundamentals model moves price = EPS × P/E, and today's EPS is {}: "
                              "a loss has no P/E to move; use scenarios, gbm or merton",
                              format_money(*t.stock.eps)));
}

void check_model_scenarios(const Thesis& t, Section m, Section& scenarios, bool any_probability) {
    if (t.model.kind == ModelKind::Scenarios && (t.scenarios.empty() || !any_probability))
        m.fail_at(m.find("kind"), "model.kind",
                  "the scenarios model draws each path's scenario by its probability: it needs "
                  "scenarios with probabilities summing to 1");
    if (t.model.kind == ModelKind::Scenarios && t.scenarios.size() > 64)
        scenarios.fail_at(scenarios.node(), "scenarios",
                          "the scenarios model draws from at most 64 scenarios");
}

SimulationSettings read_simulation(Section s) {
    SimulationSettings sim;
    // Counts are capped at 10^18 when parsed (to_number), so both casts below are defined; the
    // fuzzer found paths: 1e73 converted before any check. The path count's own range is
    // checked as a double, before its cast.
    const double paths = s.number("paths", Unit::Count, 200'000);
    if (paths == 0) s.fail_at(s.find("paths"), join(s.path(), "paths"), "expected at least 1 path");
    if (paths > limits::kMaxPaths)
        s.fail_at(s.find("paths"), join(s.path(), "paths"),
                  fmt::format("expected at most 10^11 paths, got {}; use --tolerance to stop when "
                              "the answer is precise enough",
                              static_cast<std::uint64_t>(paths)));
    sim.paths = static_cast<std::uint64_t>(paths);
    sim.seed = static_cast<std::uint64_t>(s.number("seed", Unit::Count, 1));  // ≤ 10^18 < 2⁶⁴
    sim.horizon = s.optional_duration("horizon").value_or(1.0);
    if (!(sim.horizon > 0))
        s.fail_at(s.find("horizon"), join(s.path(), "horizon"), "expected a positive horizon");
    if (sim.horizon < limits::kMinHorizon || sim.horizon > limits::kMaxHorizon)
        s.fail_at(s.find("horizon"), join(s.path(), "horizon"),
                  fmt::format("expected a horizon from 1d to 100y, got {}", shown(s.find("horizon"))));
    const double steps = s.number("steps_per_year", Unit::Count, 252);
    if (steps < 1 || steps > 100000)
        s.fail_at(s.find("steps_per_year"), join(s.path(), "steps_per_year"),
                  "expected between 1 and 100,000 steps a year");
    sim.steps_per_year = static_cast<int>(steps);
    sim.monitoring = *monitoring_from_string(
        s.choice("monitoring", {"discrete", "continuous", "sessions"}, to_string(sim.monitoring)));
    sim.overnight_variance_share =
        s.optional_fraction("overnight_variance_share", 0, 1).value_or(sim.overnight_variance_share);
    sim.gap_threshold = s.optional_fraction("gap_threshold", 0, 0.5).value_or(0.01);
    // Off, P(touch target) / P(touch stop) are not measured and paths end with their plans.
    sim.touch_odds = s.flag("touch_odds", true);
    sim.risk_free_rate = s.bounded("risk_free_rate", 0, -0.2, 1, "a rate from -20% to 100% a year");
    const std::string method = s.choice("method", {"mc", "rqmc", "antithetic"}, "mc");
    for (SimulationMethod m : {SimulationMethod::Mc, SimulationMethod::Rqmc, SimulationMethod::Antithetic})
        if (to_string(m) == method) sim.method = m;
    const double replicates = s.number("replicates", Unit::Count, 16);
    // Over 100 replicates would only shrink the error bar's own error; each scramble holds its
    // direction numbers (up to 470 KB).
    if (replicates < 2 || replicates > 100)
        s.fail_at(s.find("replicates"), join(s.path(), "replicates"), "expected from 2 to 100 replicates");
    sim.replicates = static_cast<int>(replicates);
    if (replicated(sim.method) && sim.paths < static_cast<std::uint64_t>(sim.replicates))
        s.fail_at(s.find("paths"), join(s.path(), "paths"),
                  fmt::format("method {} splits the paths among {} replicates: expected at least {} paths",
                              method, sim.replicates, sim.replicates));
    const std::string control = s.choice("control_variate", {"none", "martingale"}, "none");
    for (ControlVariate v : {ControlVariate::None, ControlVariate::Martingale})
        if (to_string(v) == control) sim.control_variate = v;
    s.finish();
    return sim;
}

namespace {

// strike, expiry, and a premium or the implied volatility that prices it.
OptionLeg read_option_leg(Section s) {
    if (!s.node().IsMap())
        s.fail_at(
            s.node().IsDefined() ? s.node() : YAML::Node(), s.path(),
            "expected {strike: PRICE, expiry: DURATION or DATE, premium: PRICE or implied_vol: PERCENT}");
    OptionLeg leg;
    leg.strike = s.price("strike");
    const YAML::Node expiry = s.find("expiry");
    if (!expiry.IsDefined() || expiry.IsNull()) s.fail_missing("expiry", "a duration like 1y or a date");
    leg.expiry = s.to_duration(expiry, join(s.path(), "expiry"));
    if (!(leg.expiry > 0))
        s.fail_at(expiry, join(s.path(), "expiry"), "expected an expiry after the valuation date");
    leg.premium = s.optional_positive("premium", Unit::Money);
    if (s.has("implied_vol"))
        leg.implied_volatility =
            s.bounded("implied_vol", 0, 1e-4, 10, "a volatility from 0.01% to 1000% a year");
    if (leg.premium.has_value() == leg.implied_volatility.has_value())
        s.fail_at(s.node(), s.path(), "expected exactly one of premium (quoted today) or implied_vol");
    s.finish();
    return leg;
}

// hedge: {put: LEG} | {call: LEG} | {collar: {put: LEG, call: LEG}}, contracts, contract_size.
Hedge read_hedge(Section s, Side side) {
    Hedge h;
    const bool is_long = side == Side::Long;
    const int kinds = int(s.has("put")) + int(s.has("call")) + int(s.has("collar"));
    if (kinds != 1)
        s.fail_at(s.node(), s.path(),
                  is_long ? "expected one of put: {...} or collar: {put: {...}, call: {...}}"
                          : "expected one of call: {...} or collar: {put: {...}, call: {...}}");
    if (s.has("collar")) {
        h.kind = Hedge::Kind::Collar;
        Section c = s.section("collar");
        h.protection = read_option_leg(c.section(is_long ? "put" : "call"));
        h.financing = read_option_leg(c.section(is_long ? "call" : "put"));
        c.finish();
        const double put = is_long ? h.protection.strike : h.financing.strike;
        const double call = is_long ? h.financing.strike : h.protection.strike;
        if (!(put < call))
            c.fail_at(c.node(), c.path(),
                      fmt::format("expected the put's strike below the call's, got put {} and call {}",
                                  format_money(put), format_money(call)));
    } else if (s.has(is_long ? "put" : "call")) {
        h.kind = is_long ? Hedge::Kind::Put : Hedge::Kind::Call;
        h.protection = read_option_leg(s.section(is_long ? "put" : "call"));
    } else {
        const char* wrong = is_long ? "call" : "put";
        s.fail_at(s.find(wrong), join(s.path(), wrong),
                  is_long
                      ? "a call does not protect a long: use put, or a collar (a put bought, a call sold)"
                      : "a put does not protect a short: use call, or a collar (a call bought, a put sold)");
    }
    h.contract_size = s.optional_positive("contract_size", Unit::Count).value_or(100);
    h.contracts = s.optional_positive("contracts", Unit::Count);
    s.finish();
    return h;
}

}  // namespace

Plan read_plan(const std::string& name, Section s, const Stock& stock, const PriceModel& model) {
    Plan p;
    p.name = name;
    p.description = s.text("description");
    p.side = s.choice("side", {"long", "short"}, "long") == "short" ? Side::Short : Side::Long;
    const std::string path = s.path();
    // entry: market | PRICE | {limit: PRICE} | {date: DATE} | {after: EVENT}
    {
        const YAML::Node n = s.find("entry");
        const std::string key = join(path, "entry");
        if (!n.IsDefined() || n.IsNull() || (n.IsScalar() && n.Scalar() == "market")) {
            p.entry.kind = Entry::Kind::Market;
        } else if (n.IsScalar()) {
            p.entry.kind = Entry::Kind::Limit;
            auto v = parse_quantity(n.Scalar(), Unit::Money);
            if (!v)
                s.fail_at(n, key,
                          "expected market, a limit price like 700, {date: 2025-11-19} "
                          "or {after: EVENT}, got " +
                              shown(n));
            p.entry.limit = *v;
        } else {
            Section e(n, key, s.context(), s.mark());
            if (e.has("limit")) {
                p.entry.kind = Entry::Kind::Limit;
                p.entry.limit = e.positive("limit", Unit::Money);
            }
            if (auto at = e.optional_duration("date")) {
                p.entry.kind = Entry::Kind::OnDate;
                p.entry.at = *at;
                if (*at < 0)
                    e.fail_at(e.find("date"), join(key, "date"),
                              "expected a date on or after the valuation date");
            }
            if (e.has("after")) {
                p.entry.kind = Entry::Kind::AfterEvent;
                p.entry.event = e.text("after");
                std::vector<std::string> names;
                for (const auto& ev : model.events) names.push_back(ev.name);
                if (std::find(names.begin(), names.end(), p.entry.event) == names.end()) {
                    const std::string hint = did_you_mean(p.entry.event, names);
                    e.fail_at(e.find("after"), join(key, "after"),
                              fmt::format("no event named '{}' in model.events{}", p.entry.event,
                                          hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
                }
            }
            if (e.node().size() != 1) e.fail_at(n, key, "expected exactly one of limit, date or after");
            e.finish();
        }
    }
    // stop: PRICE | PERCENT% | {trailing: PERCENT%} | none
    {
        const YAML::Node n = s.find("stop");
        const std::string key = join(path, "stop");
        if (!n.IsDefined() || n.IsNull() || (n.IsScalar() && n.Scalar() == "none")) {
            p.stop.kind = Stop::Kind::None;
        } else if (n.IsScalar() && !n.Scalar().empty() && n.Scalar().back() == '%') {
            p.stop.kind = Stop::Kind::Percent;
            p.stop.distance = s.to_number(n, key, Unit::Ratio);
        } else if (n.IsScalar()) {
            p.stop.kind = Stop::Kind::Fixed;
            auto v = parse_quantity(n.Scalar(), Unit::Money);
            if (!v)
                s.fail_at(n, key,
                          "expected a stop price like 600, a distance like 15% or "
                          "{trailing: 20%}, got " +
                              shown(n));
            p.stop.level = *v;
        } else {
            Section st(n, key, s.context(), s.mark());
            if (!st.has("trailing"))
                st.fail_at(n, key,
                           "expected a stop price like 600, a distance like 15% or "
                           "{trailing: 20%}");
            p.stop.kind = Stop::Kind::Trailing;
            p.stop.distance = st.number("trailing", Unit::Ratio);
            st.finish();
        }
    }
    // target: PRICE | PERCENT% | none
    {
        const YAML::Node n = s.find("target");
        const std::string key = join(path, "target");
        if (!n.IsDefined() || n.IsNull() || (n.IsScalar() && n.Scalar() == "none")) {
            p.target.kind = Target::Kind::None;
        } else if (n.IsScalar() && !n.Scalar().empty() && n.Scalar().back() == '%') {
            p.target.kind = Target::Kind::Percent;
            p.target.distance = s.to_number(n, key, Unit::Ratio);
        } else {
            p.target.kind = Target::Kind::Fixed;
            p.target.level = s.to_number(n, key, Unit::Money, false);  // check_plan: its range
        }
    }
    p.sizing.capital = s.number("capital", Unit::Money, 0);
    p.sizing.risk_per_trade = s.number("risk_per_trade", Unit::Ratio, 0);
    p.sizing.shares = s.optional_number("shares", Unit::Count);
    p.costs.commission_per_share = s.number("commission", Unit::Money, 0);
    p.costs.slippage_bps = s.number("slippage_bps", Unit::Number, 0);
    if (s.has("borrow_rate")) {
        p.costs.borrow_rate =
            s.bounded("borrow_rate", 0, 0, limits::kMaxRate, "a rate from 0% to 1000% a year");
        if (p.side != Side::Short && p.costs.borrow_rate > 0)
            s.fail_at(s.find("borrow_rate"), join(path, "borrow_rate"),
                      "a borrow rate applies to a short (side: short); a long borrows no shares");
    }
    p.horizon = s.optional_duration("horizon");
    if (s.has("hedge")) p.hedge = read_hedge(s.section("hedge"), p.side);
    if (auto problem = check_plan(p, stock.price)) {
        const YAML::Node at = s.find(problem->field);
        s.fail_at(at.IsDefined() ? at : s.node(), join(path, problem->field), problem->message);
    }
    s.finish();
    return p;
}

ScenarioLevers read_levers(Section& s) {
    ScenarioLevers l;
    l.price = s.optional_price("price");
    l.price_change = s.optional_number("price_change", Unit::Ratio);
    if (l.price_change && *l.price_change <= -1)
        s.fail_at(s.find("price_change"), join(s.path(), "price_change"), "expected a change above -100%");
    l.multiple = s.optional_multiple("multiple");
    if (s.has("eps")) l.eps = eps_at(s, "eps");
    if (s.has("revenue")) l.revenue = s.positive("revenue", Unit::Money);
    l.eps_change = s.optional_number("eps_change", Unit::Ratio);
    if (l.eps_change && *l.eps_change <= -1)
        s.fail_at(s.find("eps_change"), join(s.path(), "eps_change"),
                  "expected a change above -100% (EPS must stay positive for a P/E)");
    l.revenue_change = s.optional_number("revenue_change", Unit::Money);
    return l;
}

// Checks what no single field shows: how many steps one path takes, and how far the model may
// move a price. Beyond kMaxLogGrowth, simulated prices (and the squares the statistics sum)
// overflow to infinity; the engine refuses those, so the loader says which input to lower.
void check_model_reach(const Thesis& t, const YAML::Node& root, LoadContext& ctx) {
    Section top(root, "", ctx, root.Mark());
    const auto fail = [&](const std::string& key, const std::string& message) {
        top.fail_at(node_at(root, key), key, message);
    };
    // The horizon the engine simulates: the simulation's, or a longer plan's (MonteCarlo::horizon_of).
    Years horizon = t.simulation.horizon;
    std::string horizon_key = "simulation.horizon";
    for (const Plan& p : t.plans)
        if (p.horizon && *p.horizon > horizon) {
            horizon = *p.horizon;
            horizon_key = "plans." + p.name + ".horizon";
        }
    const double steps = std::round(horizon * t.simulation.steps_per_year);
    if (steps > limits::kMaxStepsPerPath)
        fail(horizon_key,
             fmt::format("{:g}y at {} steps a year is {} steps a path; expected at "
                         "most 100,000: shorten the horizon or lower "
                         "simulation.steps_per_year",
                         horizon, format_count(t.simulation.steps_per_year), format_count(steps)));

    const PriceModel& m = t.model;
    const Bridge today = bridge(t.stock);
    double unlock_step = 0;
    if (m.kind == ModelKind::Fundamentals && t.opportunity.revenue_unlock != 0) {
        const double g =
            eps_change_from_revenue(t.opportunity.revenue_unlock, t.stock.net_margin, today.earnings);
        if (!(1 + g > 0))
            fail("opportunity.revenue_unlock",
                 fmt::format("the unlock would change EPS by {}; the fundamentals model needs EPS "
                             "to stay positive",
                             format_percent(g, 1, true)));
        unlock_step = std::log1p(g);
    }

    // The log growth each input allows beyond noise: the drift (or EPS growth) over the horizon,
    // each event's mean jump factor ln E[e^J] = m + s²/2, and in fundamentals mode the re-rating
    // toward the sector P/E with the log multiple's variance. Merton jumps are compensated.
    struct Part {
        double growth;
        std::string key, what;
    };
    std::vector<Part> parts;
    if (m.kind == ModelKind::Fundamentals) {
        parts.push_back(
            {std::max(0.0, m.eps_growth) * horizon, "model.fundamentals.eps_growth", "EPS growth × horizon"});
        const double kappa = std::numbers::ln2 / m.multiple_half_life;
        const double variance =
            m.multiple_volatility * m.multiple_volatility * std::min(horizon, 1 / (2 * kappa));
        parts.push_back(
            {std::max(0.0, std::log(t.stock.sector_pe / t.stock.pe)) + variance / 2 +
                 std::fabs(m.eps_multiple_correlation) * m.eps_volatility * std::sqrt(horizon * variance),
             "model.fundamentals.multiple_volatility", "re-rating"});
        const bool unlocks = std::any_of(m.events.begin(), m.events.end(), [](const auto& e) {
            return e.unlocks_revenue && e.probability > 0;
        });
        if (unlocks)
            parts.push_back({std::max(0.0, unlock_step), "opportunity.revenue_unlock", "the unlock"});
    } else {
        parts.push_back({std::max(0.0, m.drift) * horizon, "model.drift", "drift × horizon"});
    }
    for (const CatalystEvent& e : m.events)
        if (e.probability > 0)
            parts.push_back({std::max(0.0, e.jump_mean + 0.5 * e.jump_sd * e.jump_sd),
                             "model.events." + e.name + "." +
                                 (e.jump_mean >= 0.5 * e.jump_sd * e.jump_sd ? "jump_mean" : "jump_sd"),
                             "event " + e.name});
    double total = 0, rest = 0;
    const Part* largest = nullptr;
    std::string list;
    for (const Part& p : parts) {
        total += p.growth;
        if (p.growth <= 0) continue;
        if (!largest || p.growth > largest->growth) largest = &p;
        if (p.growth >= 1) list += fmt::format("{}{} {:.0f}", list.empty() ? "" : ", ", p.what, p.growth);
        else rest += p.growth;
    }
    if (rest > 0) list += fmt::format("{}the rest {:.2g}", list.empty() ? "" : ", ", rest);
    if (largest && total > limits::kMaxLogGrowth)
        fail(largest->key,
             fmt::format("the model lets prices grow e^{:.0f}-fold over {:g}y ({}); expected at "
                         "most e^100, past which prices overflow: lower {} or the horizon",
                         total, horizon, list, largest->key));
}

void check_hedges(const Thesis& t, const YAML::Node& root, LoadContext& ctx) {
    Section top(root, "", ctx, root.Mark());
    for (const Plan& p : t.plans) {
        if (p.hedge.kind == Hedge::Kind::None) continue;
        const std::string key = "plans." + p.name + ".hedge";
        const bool collar = p.hedge.kind == Hedge::Kind::Collar;
        const bool is_long = p.side == Side::Long;
        const std::string protective = key + (collar ? ".collar." : ".") + (is_long ? "put" : "call");
        const std::string financing = key + ".collar." + (is_long ? "call" : "put");
        // The paths do not carry the price at an earlier expiry: the options must outlast the
        // trade, which ends at its horizon at the latest.
        const Years horizon = p.horizon.value_or(t.simulation.horizon);
        const auto check_expiry = [&](const OptionLeg& leg, const std::string& leg_key) {
            if (leg.expiry + 1e-9 < horizon)
                top.fail_at(node_at(root, leg_key + ".expiry"), leg_key + ".expiry",
                            fmt::format("expected an expiry at or after the plan's horizon ({:g}y), got "
                                        "{:.4g}y: an option that expires during the trade is not simulated",
                                        horizon, leg.expiry));
        };
        check_expiry(p.hedge.protection, protective);
        if (collar) check_expiry(p.hedge.financing, financing);
        // Compiling the plan prices its options: a premium no volatility gives, or a contract
        // count without a size, fails here with its key.
        try {
            TimeGrid grid;
            grid.dt = 1.0 / t.simulation.steps_per_year;
            (void)compile_plan(p, t, grid);
        } catch (const InputError& e) {
            top.fail_at(node_at(root, e.key_path()), e.key_path(), e.message());
        }
    }
}

}  // namespace thesis::loader
