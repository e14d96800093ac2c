#pragma once
// What a command prints: a verdict line, notes and tables for people, the same tables as CSV or
// markdown, and a JSON document with a documented shape. Rendering is pure (string out); files
// are written at the edge (output.h).

#include "thesis/math/statistics.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace thesis {

/// Table and Markdown for people; Json the nested document; Csv and Records one machine table
/// (a "part") as CSV or as a JSON array of records — both load with pandas as they are.
enum class Format { Table, Csv, Json, Markdown, Records };

/// A cell: the text people see and, for numbers, the raw value that CSV carries.
struct Cell {
    std::string text;
    std::optional<double> raw;
    std::string machine;  ///< what CSV shows instead of `text` when set (a key, not a label)

    /// A label for people that is a plain key for machines: Cell::keyed("revenue *", "revenue").
    static Cell keyed(std::string text, std::string machine) {
        Cell c(std::move(text));
        c.machine = std::move(machine);
        return c;
    }

    Cell(std::string t) : text(std::move(t)) {}  // NOLINT: implicit
    Cell(const char* t) : text(t) {}             // NOLINT: implicit
    Cell(std::string t, double value) : text(std::move(t)), raw(value) {}
};

struct Column {
    std::string label;          ///< header for people: "P&L/share"
    std::string key;            ///< header for CSV: "pnl_per_share_usd"
    bool right = true;          ///< numbers align right
    bool machine_only = false;  ///< in CSV only (text and markdown leave it out)
};

struct Table {
    enum class Audience { All, People, Machines };
    Audience audience = Audience::All;  ///< a wide table for people may have a tidy twin
    std::string id;                     ///< stable machine name: "payoff"
    std::string title;                  ///< for people: "Payoff at exit prices"
    std::vector<Column> columns;
    std::vector<std::vector<Cell>> rows;
    bool show_header = true;
    std::vector<std::string> footnotes;
};

struct Report {
    std::string heading;               ///< first line: what was computed, from which file
    std::vector<std::string> verdict;  ///< read-first lines
    std::vector<Table> tables;
    std::vector<std::string> notes;  ///< after the tables (assumptions, audit)
    nlohmann::json json;             ///< the machine document for --format json
    std::string primary;             ///< the part CSV and records write unless told (a table id)
};

/// The ids of the report's machine tables (its parts), in order.
std::vector<std::string> parts(const Report& report);
/// The machine table `id`, or, with an empty id, the report's primary part (its only one, or
/// `primary`). Throws InputError (naming --part) for an id the report does not have.
const Table& part(const Report& report, const std::string& id);

/// Renders for people: aligned columns, titles underlined, verdict first.
std::string render_text(const Report& report);
/// GitHub-flavoured markdown: `##` heading, pipe tables.
std::string render_markdown(const Report& report);
/// One table as CSV: a header row of keys, then rows of raw values at full precision (a missing
/// value is an empty field); nothing else, so `pandas.read_csv` loads it as it is.
std::string render_csv(const Table& table);
/// One table as a JSON array of records, one object per row keyed by the header's keys (numbers
/// raw, a missing value null): what `pandas.read_json` loads as it is.
std::string render_records(const Table& table);
/// The whole report for people (Table, Markdown), as its JSON document (Json), or its `part`
/// (Csv, Records; empty: the primary part).
std::string render(const Report& report, Format format, const std::string& part = "");

/// An estimate in every JSON document: {"estimate", "std_error", "ci_low", "ci_high"}. Without
/// one, the same keys hold null and "reason" says why.
nlohmann::json estimate_json(const Estimate& e);
nlohmann::json estimate_json(const std::optional<Estimate>& e, const std::string& reason);

/// RFC 4180 quoting when a field holds a comma, quote or newline.
std::string csv_field(const std::string& text);

}  // namespace thesis
