#include "thesis/report.h"

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
    for (const auto& v : r.verdict) out += "**" + md_escape(v) + "**\n\n";
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
    return {{"estimate", nullptr}, {"std_error", nullptr}, {"ci_low", nullptr}, {"ci_high", nullptr},
            {"reason", reason}};
}

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string render_csv(const Report& r) {
    std::string out;
    bool first = true;
    for (const Table& t : r.tables) {
        if (t.audience == Table::Audience::People) continue;
        if (!first) out += "\n";
        first = false;
        out += "# " + t.id + "\n";
        for (std::size_t c = 0; c < t.columns.size(); ++c)
            out += (c ? "," : "") + csv_field(t.columns[c].key);
        out += "\n";
        for (const auto& row : t.rows) {
            for (std::size_t c = 0; c < t.columns.size(); ++c) {
                if (c) out += ",";
                if (c >= row.size()) continue;
                // Raw numbers at full precision so a spreadsheet recomputes what we printed.
                // A value that is not a number (none should reach here) is a missing field.
                out += row[c].raw                ? (std::isfinite(*row[c].raw)
                                                        ? fmt::format("{}", *row[c].raw)
                                                        : std::string())
                       : !row[c].machine.empty() ? csv_field(row[c].machine)
                                                 : csv_field(row[c].text);
            }
            out += "\n";
        }
    }
    return out;
}

std::string render(const Report& r, Format format) {
    switch (format) {
        case Format::Table: return render_text(r);
        case Format::Markdown: return render_markdown(r);
        case Format::Csv: return render_csv(r);
        // Replace, never throw on, a byte that is not UTF-8 (the loader rejects such files; this
        // keeps any other source of text from aborting the output).
        case Format::Json:
            return r.json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    return {};
}

}  // namespace thesis
