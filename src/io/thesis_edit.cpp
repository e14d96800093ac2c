// Editing a scenario file's text in place (thesis_edit.h): yaml-cpp finds each key's line, the
// text is edited line by line, so comments and layout survive.
#include "thesis/io/thesis_edit.h"

#include "thesis/core/errors.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace thesis {

namespace {

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            if (start < text.size()) lines.emplace_back(text.substr(start));
            break;
        }
        lines.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    return out;
}

std::vector<std::string> parts_of(const std::string& key_path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = key_path.find('.', start);
        parts.push_back(key_path.substr(start, dot == std::string::npos ? dot : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return parts;
}

// The last line (0-based) any node under `node` starts on.
int last_line(const YAML::Node& node) {
    int line = node.Mark().line;
    if (node.IsMap())
        for (const auto& kv : node) line = std::max({line, kv.first.Mark().line, last_line(kv.second)});
    if (node.IsSequence())
        for (const auto& item : node) line = std::max(line, last_line(item));
    return line;
}

// Applies one edit to `lines` (re-read from the text each time, so the marks stay true).
void apply(std::vector<std::string>& lines, const std::string& source, const KeyEdit& edit,
           const std::string& note) {
    YAML::Node root;
    try {
        root = YAML::Load(joined(lines));
    } catch (const YAML::Exception& e) {
        throw InputError({source, e.mark.line + 1, e.mark.column + 1}, "", "not valid YAML: " + e.msg);
    }
    const std::vector<std::string> parts = parts_of(edit.key_path);
    const std::string value =
        (edit.assumption ? "!assumption " : "") + edit.text + (note.empty() ? "" : "   # " + note);
    YAML::Node map = root;
    int indent = 0;  // the indentation of `map`'s keys
    for (std::size_t depth = 0; depth < parts.size(); ++depth) {
        const std::string& key = parts[depth];
        const std::string walked =
            fmt::format("{}", fmt::join(parts.begin(), parts.begin() + depth + 1, "."));
        if (map.IsMap() && map.Style() == YAML::EmitterStyle::Flow)
            throw InputError({source, map.Mark().line + 1, map.Mark().column + 1}, walked,
                             "written in flow style ({...}); rewrite it as indented lines to edit it");
        // Find the key and its indentation.
        YAML::Node found, key_node;
        bool exists = false;
        if (map.IsMap())
            for (const auto& kv : map)
                if (kv.first.Scalar() == key) {
                    key_node.reset(kv.first);
                    found.reset(kv.second);
                    exists = true;
                    break;
                }
        if (exists) {
            indent = key_node.Mark().column;
            if (depth + 1 == parts.size()) {
                if (found.IsMap() || found.IsSequence())
                    throw InputError({source, key_node.Mark().line + 1, key_node.Mark().column + 1}, walked,
                                     "is a section, not a value");
                lines[static_cast<std::size_t>(key_node.Mark().line)] =
                    std::string(static_cast<std::size_t>(indent), ' ') + key + ": " + value;
                return;
            }
            if (!found.IsMap() && !(found.IsNull())) {
                throw InputError({source, key_node.Mark().line + 1, key_node.Mark().column + 1}, walked,
                                 "is a value, not a section");
            }
            if (found.IsNull()) {
                // `key:` with nothing under it: the rest goes on the lines after it.
                std::vector<std::string> added;
                std::string pad(static_cast<std::size_t>(indent + 2), ' ');
                for (std::size_t d = depth + 1; d < parts.size(); ++d, pad += "  ")
                    added.push_back(pad + parts[d] + ":" + (d + 1 == parts.size() ? " " + value : ""));
                lines.insert(lines.begin() + key_node.Mark().line + 1, added.begin(), added.end());
                return;
            }
            map.reset(found);
            continue;
        }
        // Missing: insert after the section's last line (or at the end of the file at the top).
        int child_indent = 0;
        int after = static_cast<int>(lines.size()) - 1;
        if (depth > 0) {
            child_indent = indent + 2;
            for (const auto& kv : map) {
                child_indent = kv.first.Mark().column;
                break;
            }
            after = last_line(map);
        }
        std::vector<std::string> added;
        std::string pad(static_cast<std::size_t>(child_indent), ' ');
        for (std::size_t d = depth; d < parts.size(); ++d, pad += "  ")
            added.push_back(pad + parts[d] + ":" + (d + 1 == parts.size() ? " " + value : ""));
        lines.insert(lines.begin() + after + 1, added.begin(), added.end());
        return;
    }
}

}  // namespace

std::string edit_scalars(std::string_view yaml, const std::string& source, const std::vector<KeyEdit>& edits,
                         const std::string& note) {
    std::vector<std::string> lines = split_lines(yaml);
    for (const KeyEdit& e : edits) apply(lines, source, e, note);
    return joined(lines);
}

}  // namespace thesis
