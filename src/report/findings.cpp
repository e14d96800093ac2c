#include "thesis/report/findings.h"

#include "thesis/core/units.h"
#include "thesis/valuation/payoff.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace thesis {

namespace {

const ScenarioValue* highest(const std::vector<ScenarioValue>& values) {
    auto it = std::max_element(values.begin(), values.end(),
                               [](const auto& a, const auto& b) { return a.price < b.price; });
    return it == values.end() ? nullptr : &*it;
}
const ScenarioValue* lowest(const std::vector<ScenarioValue>& values) {
    auto it = std::min_element(values.begin(), values.end(),
                               [](const auto& a, const auto& b) { return a.price < b.price; });
    return it == values.end() ? nullptr : &*it;
}
bool is_price_lever_only(const Scenario& s) {
    return (s.levers.price || s.levers.price_change) && !s.levers.eps_change && !s.levers.revenue_change &&
           !s.levers.multiple;
}

// The highest scenario with its own Scenario.
std::size_t index_of(const std::vector<ScenarioValue>& values, const ScenarioValue* v) {
    return static_cast<std::size_t>(v - values.data());
}

// The EPS growth a scenario's price rests on, and whether the scenario says it itself: its own
// EPS when a lever sets it (an EPS or revenue lever, or a multiple with its price), else the
// growth its price needs at today's multiple. nullopt when neither means anything (a loss today).
struct GrowthBehind {
    Fraction growth = 0;
    bool own = false;
};
std::optional<GrowthBehind> eps_growth_behind(const Scenario& s, const ScenarioValue& v,
                                              const Bridge& today) {
    if (!v.has_eps_change) return std::nullopt;
    if (is_price_lever_only(s)) {
        if (!(today.pe > 0)) return std::nullopt;
        return GrowthBehind{required_eps_growth(v.price, today.pe, today.eps), false};
    }
    return GrowthBehind{v.eps_change, true};
}

}  // namespace

std::vector<ImpliedNumber> implied_numbers(const Thesis& t, const std::vector<ScenarioValue>& values) {
    std::vector<ImpliedNumber> out;
    const Bridge today = bridge(t.stock);
    const auto add = [&](std::string label, double raw, std::string unit, std::vector<std::string> rests_on) {
        std::string shown = unit == "usd"        ? format_money(raw)
                            : unit == "multiple" ? format_multiple(raw)
                            : unit == "fraction" ? format_percent(raw, 1, true)
                            : unit == "share"    ? format_percent(raw, 1)
                                                 : format_number(raw, 2);
        out.push_back({std::move(label), std::move(shown), raw, std::move(unit), assumed(t, rests_on)});
    };
    for (std::size_t i = 0; i < values.size(); ++i) {
        const Scenario& s = t.scenarios[i];
        const ScenarioValue& v = values[i];
        std::vector<std::string> keys = lever_keys(s);
        if (s.claimed_return)
            add(fmt::format("spot implied by \"{} is {}\" ({})", format_money(v.price, -1),
                            format_percent(*s.claimed_return, 0, true), s.name),
                implied_spot(v.price, *s.claimed_return), "usd", keys);
        keys.push_back("stock.pe");
        if (is_price_lever_only(s) && v.multiple > 0)
            add(fmt::format("multiple at {} ({}) at constant EPS", format_money(v.price, -1), s.name),
                v.multiple, "multiple", keys);
        if (v.price > today.price && is_price_lever_only(s) && today.pe > 0)
            add(fmt::format("EPS growth {} needs at {}", format_money(v.price, -1),
                            format_multiple(today.pe, 0)),
                required_eps_growth(v.price, today.pe, today.eps), "fraction", keys);
    }
    if (t.stock.sector_pe > 0 && today.eps > 0) {
        const Price at_sector = t.stock.sector_pe * today.eps;
        add(fmt::format("price at the sector's {} (constant EPS)", format_multiple(t.stock.sector_pe, 0)),
            at_sector, "usd", {"stock.sector_pe"});
        add(fmt::format("return at the sector's {}", format_multiple(t.stock.sector_pe, 0)),
            at_sector / today.price - 1, "fraction", {"stock.sector_pe"});
    }
    const Opportunity& o = t.opportunity;
    if (o.revenue_unlock > 0 && !(today.earnings > 0)) {
        // A loss today: no growth rate, but the EPS the unlock adds at the margin.
        add(fmt::format("EPS the {} unlock adds at a {} net margin", format_amount(o.revenue_unlock),
                        format_percent(t.stock.net_margin, 0)),
            o.revenue_unlock * t.stock.net_margin / today.shares, "usd",
            {"opportunity.revenue_unlock", "stock.net_margin"});
    }
    if (o.revenue_unlock > 0 && today.earnings > 0) {
        const Fraction g = eps_change_from_revenue(o.revenue_unlock, t.stock.net_margin, today.earnings);
        const std::vector<std::string> keys{"opportunity.revenue_unlock", "stock.net_margin"};
        add(fmt::format("EPS growth from the {} unlock at a {} net margin", format_amount(o.revenue_unlock),
                        format_percent(t.stock.net_margin, 0)),
            g, "fraction", keys);
        add(fmt::format("price at {} with the unlock", format_multiple(today.pe, 0)), today.price * (1 + g),
            "usd", keys);
        if (const ScenarioValue* top = highest(values); top && top->price > today.price) {
            const Scenario& s = t.scenarios[index_of(values, top)];
            const auto behind = eps_growth_behind(s, *top, today);
            if (behind && behind->growth > 0)
                add(behind->own
                        ? fmt::format("share of the EPS growth {} ({}) assumes that the unlock supplies",
                                      format_money(top->price, -1), s.name)
                        : fmt::format("share of the EPS growth {} needs that the unlock supplies",
                                      format_money(top->price, -1)),
                    g / behind->growth, "share", keys);
        }
    }
    if (o.revenue_unlock > 0 && o.addressable_market && *o.addressable_market > 0)
        add(fmt::format("the unlock's share of the {} addressable market",
                        format_amount(*o.addressable_market)),
            o.revenue_unlock / *o.addressable_market, "share",
            {"opportunity.revenue_unlock", "opportunity.addressable_market"});
    if (o.writeoff && *o.writeoff > 0)
        add(fmt::format("P/E with the {} write-off added back", format_amount(*o.writeoff)),
            today.market_cap / (today.earnings + *o.writeoff), "multiple",
            {"opportunity.writeoff", "stock.market_cap"});
    return out;
}

std::vector<AuditFinding> audit(const Thesis& t, const std::vector<ScenarioValue>& values) {
    std::vector<AuditFinding> out;
    const Bridge today = bridge(t.stock);
    const auto say = [&](std::string topic, std::string message) {
        out.push_back({std::move(topic), std::move(message)});
    };
    // 1. A quoted return that does not match today's price.
    for (std::size_t i = 0; i < values.size(); ++i) {
        const Scenario& s = t.scenarios[i];
        if (!s.claimed_return) continue;
        const Fraction actual = values[i].price_return;
        if (std::fabs(actual - *s.claimed_return) > 0.005)
            say("claimed-return",
                fmt::format("{}: the thesis calls {} a {} move, but from {} it is {}", s.name,
                            format_money(values[i].price), format_percent(*s.claimed_return, 1, true),
                            format_money(today.price), format_percent(actual, 1, true)));
    }
    // 2. Market cap, price and share count that do not multiply out.
    if (t.stock.shares && *t.stock.shares > 0) {
        const double ratio = today.shares / *t.stock.shares;
        if (std::fabs(ratio - 1) > 0.05)
            say("shares",
                fmt::format("a {} market cap at {} implies {:.2f}B shares, but the file "
                            "says {:.2f}B (cap at that count: {}); the price and the "
                            "cap cannot both be right",
                            format_amount(today.market_cap), format_money(today.price), today.shares / 1e9,
                            *t.stock.shares / 1e9, format_amount(*t.stock.shares * today.price)));
    }
    // 3. The unlock against the thesis's own sizing of the opportunity.
    const Opportunity& o = t.opportunity;
    if (o.revenue_unlock > 0) {
        if (t.stock.revenue && o.share_of_sales_low) {
            const double lo = *o.share_of_sales_low * *t.stock.revenue;
            const double hi = o.share_of_sales_high.value_or(*o.share_of_sales_low) * *t.stock.revenue;
            if (o.revenue_unlock < 0.8 * lo || o.revenue_unlock > 1.2 * hi)
                say("unlock-size",
                    fmt::format("the {} unlock is {} of annual sales ({}), but the thesis says the "
                                "market could absorb {}–{} of sales ({}–{})",
                                format_amount(o.revenue_unlock),
                                format_percent(o.revenue_unlock / *t.stock.revenue),
                                format_amount(*t.stock.revenue), format_percent(*o.share_of_sales_low, 0),
                                format_percent(o.share_of_sales_high.value_or(*o.share_of_sales_low), 0),
                                format_amount(lo), format_amount(hi)));
        }
        const Fraction g = today.earnings > 0
                               ? eps_change_from_revenue(o.revenue_unlock, t.stock.net_margin, today.earnings)
                               : 0;
        const ScenarioValue* top = highest(values);
        const auto behind = top && top->price > today.price && today.earnings > 0
                                ? eps_growth_behind(t.scenarios[index_of(values, top)], *top, today)
                                : std::nullopt;
        if (behind && behind->growth > 0 && g < 0.5 * behind->growth) {
            const Fraction need = behind->growth;
            say("unlock-vs-target",
                behind->own
                    ? fmt::format(
                          "{} ({}) assumes {} EPS growth; the {} unlock supplies {} ({} of it) at a {} "
                          "margin — the rest must come from elsewhere",
                          format_money(top->price, -1), top->name, format_percent(need, 1, true),
                          format_amount(o.revenue_unlock), format_percent(g, 1, true),
                          format_percent(g / need, 0), format_percent(t.stock.net_margin, 0))
                    : fmt::format("{} at {} needs {} EPS growth; the {} unlock supplies {} ({} of it) "
                                  "at a {} margin — the rest must come from elsewhere or from a "
                                  "higher multiple",
                                  format_money(top->price, -1), format_multiple(today.pe, 0),
                                  format_percent(need, 1, true), format_amount(o.revenue_unlock),
                                  format_percent(g, 1, true), format_percent(g / need, 0),
                                  format_percent(t.stock.net_margin, 0)));
        }
    }
    if (o.writeoff && *o.writeoff > 0 && today.earnings + *o.writeoff > 0 && today.pe > 0) {
        const Multiple clean = today.market_cap / (today.earnings + *o.writeoff);
        say("writeoff",
            fmt::format("the {} write-off depressed trailing earnings: added back, "
                        "the P/E is {} rather than {}",
                        format_amount(*o.writeoff), format_multiple(clean), format_multiple(today.pe)));
    }
    // 4. Sector re-rating against the worst case.
    const ScenarioValue* low = lowest(values);
    if (t.stock.sector_pe > 0 && low && today.eps > 0) {
        const Price at_sector = t.stock.sector_pe * today.eps;
        if (at_sector < low->price * 0.98)
            say("sector-multiple",
                fmt::format("a re-rating to the sector's {} ({}) lies below the lowest scenario, "
                            "{} ({}): the stated worst case is milder than a plain re-rating",
                            format_multiple(t.stock.sector_pe, 0), format_money(at_sector), low->name,
                            format_money(low->price)));
    }
    // 5. Plans against scenarios.
    for (const Plan& plan : t.plans) {
        const TradeEconomics e = trade_economics(plan, t.stock.price);
        const bool is_long = plan.side == Side::Long;
        if (plan.entry.kind == Entry::Kind::Limit) {
            const double gap = plan.entry.limit / today.price - 1;
            if (is_long ? gap < 0 : gap > 0)
                say("entry", fmt::format("{}: the limit {} is {} from today's {}; the plan does "
                                         "nothing unless the price gets there",
                                         plan.name, format_money(plan.entry.limit, -1),
                                         format_percent(gap, 1, true), format_money(today.price)));
        }
        if (e.stop) {
            for (const ScenarioValue& v : values) {
                const bool beyond = is_long ? v.price < *e.stop * 0.95 : v.price > *e.stop * 1.05;
                if (!beyond) continue;
                const double planned = e.risk_per_share;
                const double gapped = -pnl_at(plan, e, v.price).per_share;
                say("stop-gap",
                    fmt::format("{}: scenario {} ({}) lies {} beyond the {} stop; a gap there "
                                "would fill well past it: loss {} a share instead of the planned {}",
                                plan.name, v.name, format_money(v.price),
                                format_percent(std::fabs(v.price / *e.stop - 1)), format_money(*e.stop, -1),
                                format_money(gapped), format_money(planned)));
            }
        }
        if (e.target && !values.empty()) {
            const ScenarioValue* top = is_long ? highest(values) : lowest(values);
            const bool unreachable =
                is_long ? *e.target > top->price * 1.0001 : *e.target < top->price * 0.9999;
            if (unreachable)
                say("target",
                    fmt::format("{}: the {} target lies beyond every scenario's price "
                                "(best: {} at {})",
                                plan.name, format_money(*e.target), top->name, format_money(top->price)));
        }
    }
    return out;
}

void add_findings(Report& r, const std::vector<AuditFinding>& findings) {
    if (!r.json.contains("audit")) r.json["audit"] = nlohmann::json::array();
    if (findings.empty()) return;
    auto it = std::find_if(r.tables.begin(), r.tables.end(), [](const Table& t) { return t.id == "audit"; });
    if (it == r.tables.end()) {
        Table at;
        at.id = "audit";
        at.title = "Thesis audit: where its numbers disagree";
        at.columns = {{"", "topic", false}, {"", "finding", false}};
        at.show_header = false;
        it = r.tables.insert(r.tables.end(), std::move(at));
    }
    for (const AuditFinding& f : findings) {
        it->rows.push_back({Cell::keyed("- " + f.topic + ":", f.topic), f.message});
        r.json["audit"].push_back({{"topic", f.topic}, {"message", f.message}});
    }
}

}  // namespace thesis
