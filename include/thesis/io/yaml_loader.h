#pragma once
// Reads a scenario file into a Thesis. Every error names file:line:column, the key path and what
// was expected (InputError); keys nobody reads are errors with a "did you mean" hint.

#include "thesis/core/thesis.h"

#include <string>
#include <string_view>
#include <vector>

namespace thesis {

/// A value set on the command line by key path: `--set plans.aggressive.stop=550`.
struct Override {
    std::string key_path;
    std::string value;
};

/// Parses `KEY=VALUE`. Example: parse_override("model.volatility=40%") == {"model.volatility", "40%"}.
/// Throws InputError when there is no `=` or the key is empty.
Override parse_override(std::string_view text);

/// Loads a thesis from YAML text; `source` names it in messages. Overrides apply before reading.
Thesis load_thesis(std::string_view yaml, const std::string& source,
                   const std::vector<Override>& overrides = {});

/// Loads a thesis from a file (InputError if it cannot be read).
Thesis load_thesis_file(const std::string& path, const std::vector<Override>& overrides = {});

/// The seed's thesis (scenarios/nvda-china.yaml), built into the binary.
Thesis load_seed_thesis(const std::vector<Override>& overrides = {});

// ---- Key paths: what sweeps and sensitivity read of a file, without its YAML ----

/// A scalar of a scenario file: its key path and its text as the file writes it.
struct ScalarLeaf {
    std::string key_path;
    std::string text;
};

/// The text of the scalar at `key_path` ("plans.aggressive.stop" → "600"). Throws InputError
/// naming `flag` when the text is not YAML, a key is unknown (with a did-you-mean from its
/// siblings), or the path names a section or a list.
std::string scalar_at(std::string_view yaml, const std::string& key_path, const std::string& flag);

/// Every scalar under the file's nested maps, in file order (lists are not entered). Throws
/// InputError naming `flag` when the text is not YAML.
std::vector<ScalarLeaf> scalar_leaves(std::string_view yaml, const std::string& flag);

}  // namespace thesis
