#include "thesis/report/report.h"

#include "thesis/core/errors.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace thesis {

namespace {

// Display width in code points, so "–" and "×" count as one column.
std::size_t width(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

std::string pad(const std::string& s, std::size_t w, bool right) {
    const std::size_t n = width(s);
    if (n >= w) return s;
    return right ? std::string(w - n, ' ') + s : s + std::string(w - n, ' ');
}

// The table without its machine-only columns, for people.
Table for_people(const Table& t) {
    Table out = t;
    out.columns.clear();
    for (auto& row : out.rows) row.clear();
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
        if (t.columns[c].machine_only) continue;
        out.columns.push_back(t.columns[c]);
        for (std::size_t r = 0; r < t.rows.size(); ++r)
            out.rows[r].push_back(c < t.rows[r].size() ? t.rows[r][c] : Cell(""));
    }
    return out;
}

std::string render_table_text(const Table& full) {
    const Table t = for_people(full);
    std::vector<std::size_t> w(t.columns.size(), 0);
    if (t.show_header)
        for (std::size_t c = 0; c < t.columns.size(); ++c) w[c] = width(t.columns[c].label);
    for (const auto& row : t.rows)
        for (std::size_t c = 0; c < row.size() && c < w.size(); ++c)
            w[c] = std::max(w[c], width(row[c].text));
    std::string out = t.title + "\n";
    const auto line = [&](auto cell_text) {
        std::string l = " ";
        for (std::size_t c = 0; c < t.columns.size(); ++c)
            l += " " + pad(cell_text(c), w[c], t.columns[c].right) + " ";
        while (!l.empty() && l.back() == ' ') l.pop_back();
        return l + "\n";
    };
    if (t.show_header) {
        out += line([&](std::size_t c) { return t.columns[c].label; });
        std::string rule = " ";
        for (std::size_t c = 0; c < t.columns.size(); ++c) rule += " " + std::string(w[c], '-') + " ";
        while (rule.back() == ' ') rule.pop_back();
        out += rule + "\n";
    }
    for (const auto& row : t.rows)
        out += line([&](std::size_t c) { return c < row.size() ? row[c].text : std::string(); });
    for (const auto& f : t.footnotes) out += "  " + f + "\n";
    return out;
}

std::string md_escape(const std::string& s) {
    std::string out;
    for (char c : s) out += (c == '|' || c == '*') ? std::string("\\") + c : std::string(1, c);
    return out;
}

}  // namespace

std::string render_text(const Report& r) {
    std::string out = r.heading.empty() ? "" : r.heading + "\n";
    for (const auto& v : r.verdict) out += v + "\n";
    for (const auto& t : r.tables)
        if (t.audience != Table::Audience::Machines) out += "\n" + render_table_text(t);
    if (!r.notes.empty()) {
        out += "\n";
        for (const auto& n : r.notes) out += n + "\n";
    }
    return out;
}

std::string render_markdown(const Report& r) {
    std::string out;
    if (!r.heading.empty()) out += "## " + md_escape(r.heading) + "\n\n";
    // An indented verdict line details the one above it (a plan by scenario): plain, not bold.
    for (const auto& v : r.verdict)
        out += v.starts_with("  ") ? md_escape(v.substr(2)) + "\n\n" : "**" + md_escape(v) + "**\n\n";
    for (const auto& full : r.tables) {
        if (full.audience == Table::Audience::Machines) continue;
        const Table t = for_people(full);
        out += "### " + md_escape(t.title) + "\n\n|";
        for (const auto& c : t.columns) out += " " + md_escape(t.show_header ? c.label : "") + " |";
        out += "\n|";
        for (const auto& c : t.columns) out += c.right ? " ---: |" : " :--- |";
        out += "\n";
        for (const auto& row : t.rows) {
            out += "|";
            for (std::size_t c = 0; c < t.columns.size(); ++c)
                out += " " + md_escape(c < row.size() ? row[c].text : "") + " |";
            out += "\n";
        }
        for (const auto& f : t.footnotes) out += "\n" + md_escape(f) + "\n";
        out += "\n";
    }
    for (const auto& n : r.notes) out += "- " + md_escape(n) + "\n";
    return out;
}

nlohmann::json estimate_json(const Estimate& e) {
    return {{"estimate", e.value}, {"std_error", e.std_error}, {"ci_low", e.ci_low}, {"ci_high", e.ci_high}};
}

nlohmann::json estimate_json(const std::optional<Estimate>& e, const std::string& reason) {
    if (e) return estimate_json(*e);
    return {{"estimate", nullptr},
            {"std_error", nullptr},
            {"ci_low", nullptr},
            {"ci_high", nullptr},
            {"reason", reason}};
}

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::vector<std::string> parts(const Report& r) {
    std::vector<std::string> ids;
    for (const Table& t : r.tables)
        if (t.audience != Table::Audience::People) ids.push_back(t.id);
    return ids;
}

const Table& part(const Report& r, const std::string& id) {
    const std::vector<std::string> ids = parts(r);
    THESIS_REQUIRE(!ids.empty(), "the report has no machine tables");
    const bool has_primary = std::find(ids.begin(), ids.end(), r.primary) != ids.end();
    const std::string wanted = !id.empty() ? id : has_primary ? r.primary : ids.front();
    for (const Table& t : r.tables)
        if (t.audience != Table::Audience::People && t.id == wanted) return t;
    std::string known;
    for (const auto& i : ids) known += (known.empty() ? "" : ", ") + i;
    const std::string hint = did_you_mean(wanted, ids);
    throw InputError({"command line"}, "part",
                     fmt::format("no part '{}'{}; this output's parts: {}", wanted,
                                 hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint), known));
}

namespace {

// A cell for machines: its raw number, its machine key or its text; nullopt when missing.
struct MachineValue {
    std::optional<double> number;
    std::optional<std::string> text;
};
MachineValue machine_value(const std::vector<Cell>& row, std::size_t c) {
    if (c >= row.size()) return {};
    const Cell& cell = row[c];
    // A value that is not a finite number (none should reach here) is missing.
    if (cell.raw) return std::isfinite(*cell.raw) ? MachineValue{*cell.raw, {}} : MachineValue{};
    const std::string& text = !cell.machine.empty() ? cell.machine : cell.text;
    // An empty field in CSV, null in records: pandas reads both as missing. "–" is what people
    // see for a value that does not apply (no position without a size, say): missing too.
    if (text.empty() || text == "–") return {};
    return {{}, text};
}

}  // namespace

std::string render_csv(const Table& t) {
    std::string out;
    for (std::size_t c = 0; c < t.columns.size(); ++c) out += (c ? "," : "") + csv_field(t.columns[c].key);
    out += "\n";
    for (const auto& row : t.rows) {
        for (std::size_t c = 0; c < t.columns.size(); ++c) {
            if (c) out += ",";
            const MachineValue v = machine_value(row, c);
            // Raw numbers at full precision so a spreadsheet recomputes what we printed.
            if (v.number) out += fmt::format("{}", *v.number);
            else if (v.text) out += csv_field(*v.text);
        }
        out += "\n";
    }
    return out;
}

std::string render_records(const Table& t) {
    // Ordered: a record's keys in the table's column order, as in the CSV.
    nlohmann::ordered_json records = nlohmann::ordered_json::array();
    for (const auto& row : t.rows) {
        nlohmann::ordered_json record = nlohmann::ordered_json::object();
        for (std::size_t c = 0; c < t.columns.size(); ++c) {
            const MachineValue v = machine_value(row, c);
            record[t.columns[c].key] = v.number ? nlohmann::ordered_json(*v.number)
                                       : v.text ? nlohmann::ordered_json(*v.text)
                                                : nlohmann::ordered_json(nullptr);
        }
        records.push_back(std::move(record));
    }
    return records.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string render(const Report& r, Format format, const std::string& id) {
    switch (format) {
        case Format::Table: return render_text(r);
        case Format::Markdown: return render_markdown(r);
        case Format::Csv: return render_csv(part(r, id));
        case Format::Records: return render_records(part(r, id));
        // Replace, never throw on, a byte that is not UTF-8 (the loader rejects such files; this
        // keeps any other source of text from aborting the output).
        case Format::Json: return r.json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    return {};
}

}  // namespace thesis
