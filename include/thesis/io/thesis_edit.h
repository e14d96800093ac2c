#pragma once
// Editing a scenario file's text in place: values set by key path, the rest of the file (its
// comments, order and layout) kept line for line. What `thesis calibrate --write` uses.

#include <string>
#include <string_view>
#include <vector>

namespace thesis {

/// One value to write: its key path and its text as the file should write it ("24.76%").
struct KeyEdit {
    std::string key_path;
    std::string text;
    bool assumption = true;  ///< tag it `!assumption`
};

/// The file's text with each edit applied, in order: a key that exists in block style has its
/// line rewritten (its indentation kept, `# note` as its comment); a missing key is added after
/// its section's last line, at the section's indentation, and missing sections likewise (at the
/// end of the file for a top-level one). Every other line is kept as it was. Throws InputError
/// (naming `source`) for text that is not YAML, a section written in flow style (`{...}`), or a
/// key path that runs through a value.
std::string edit_scalars(std::string_view yaml, const std::string& source, const std::vector<KeyEdit>& edits,
                         const std::string& note);

}  // namespace thesis
