#pragma once
// Writing results where the user asked: stdout, or a file written atomically (a temp file in the
// same folder, flushed, then renamed over the target), so a crash or Ctrl-C never leaves half a
// result and never destroys the old file.

#include <string>
#include <string_view>

namespace thesis {

/// Writes `content` to `path` atomically. Throws std::runtime_error (with the OS's reason) when
/// the folder is missing or read-only; the temp file is removed on every failure.
/// Refuses (InputError) to overwrite `protect`, the input file, when it names the same file.
void write_file_atomically(const std::string& path, std::string_view content,
                           const std::string& protect = "");

}  // namespace thesis
