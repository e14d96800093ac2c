#pragma once
// What a command prints: a verdict line, notes and tables for people, the same tables as CSV or
// markdown, and a JSON document with a documented shape. Rendering is pure (string out); files
// are written at the edge (output.h).

#include "thesis/statistics.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace thesis {

enum class Format { Table, Csv, Json, Markdown };

/// A cell: the text people see and, for numbers, the raw value that CSV carries.
struct Cell {
    std::string text;
    std::optional<double> raw;
    std::string machine;   ///< what CSV shows instead of `text` when set (a key, not a label)

    /// A label for people that is a plain key for machines: Cell::keyed("revenue *", "revenue").
    static Cell keyed(std::string text, std::string machine) {
        Cell c(std::move(text));
        c.machine = std::move(machine);
        return c;
    }

    Cell(std::string t) : text(std::move(t)) {}                         // NOLINT: implicit
    Cell(const char* t) : text(t) {}                                    // NOLINT: implicit
    Cell(std::string t, double value) : text(std::move(t)), raw(value) {}
};

struct Column {
    std::string label;   ///< header for people: "P&L/share"
    std::string key;     ///< header for CSV: "pnl_per_share_usd"
    bool right = true;   ///< numbers align right
    bool machine_only = false;   ///< in CSV only (text and markdown leave it out)
};

struct Table {
    enum class Audience { All, People, Machines };
    Audience audience = Audience::All;   ///< a wide table for people may have a tidy twin
    std::string id;      ///< stable machine name: "payoff"
    std::string title;   ///< for people: "Payoff at exit prices"
    std::vector<Column> columns;
    std::vector<std::vector<Cell>> rows;
    bool show_header = true;
    std::vector<std::string> footnotes;
};

struct Report {
    std::string heading;                ///< first line: what was computed, from which file
    std::vector<std::string> verdict;   ///< read-first lines
    std::vector<Table> tables;
    std::vector<std::string> notes;     ///< after the tables (assumptions, audit)
    nlohmann::json json;                ///< the machine document for --format json
};

/// Renders for people: aligned columns, titles underlined, verdict first.
std::string render_text(const Report& report);
/// GitHub-flavoured markdown: `##` heading, pipe tables.
std::string render_markdown(const Report& report);
/// CSV: each table as `# id` then a header row of keys and rows of raw values, tables separated
/// by a blank line (pandas: `read_csv(..., comment='#')` on one table's block).
std::string render_csv(const Report& report);
std::string render(const Report& report, Format format);

/// An estimate in every JSON document: {"estimate", "std_error", "ci_low", "ci_high"}. Without
/// one, the same keys hold null and "reason" says why.
nlohmann::json estimate_json(const Estimate& e);
nlohmann::json estimate_json(const std::optional<Estimate>& e, const std::string& reason);

/// RFC 4180 quoting when a field holds a comma, quote or newline.
std::string csv_field(const std::string& text);

}  // namespace thesis
