#pragma once
// Errors: what went wrong with the user's input, and where.

#include <fmt/format.h>

#include <initializer_list>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace thesis {

/// Where in an input a value came from: file, 1-based line and column. A zero line means "no
/// position" (a value given on the command line, or a key missing from a map).
struct SourceLocation {
    std::string file;
    int line = 0;
    int column = 0;
};

/// Bad input from the user: a scenario file, a flag or a value. Formats as
/// `nvda-china.yaml:12:9: plans.aggressive.stop: expected a price below entry (700), got 750`.
/// The CLI prints it on one line and exits with status 2.
class InputError : public std::runtime_error {
  public:
    InputError(SourceLocation where, std::string key_path, std::string message);

    const SourceLocation& where() const { return where_; }
    const std::string& key_path() const { return key_path_; }
    /// The message without location or key path.
    const std::string& message() const { return message_; }

  private:
    SourceLocation where_;
    std::string key_path_;
    std::string message_;
};

/// A broken internal invariant: a bug, not bad input. Exit status 1.
class InternalError : public std::logic_error {
    using std::logic_error::logic_error;
};

namespace detail {
[[noreturn]] void fail_requirement(const char* condition, const char* file, int line,
                                   const std::string& message);
}  // namespace detail

/// Checks an internal invariant and states the values involved when it fails (as QL_REQUIRE does).
#define THESIS_REQUIRE(condition, ...)                                                                      \
    do {                                                                                                    \
        if (!(condition))                                                                                   \
            ::thesis::detail::fail_requirement(#condition, __FILE__, __LINE__, ::fmt::format(__VA_ARGS__)); \
    } while (false)

/// The closest of `candidates` to `word` by edit distance, or "" if none is close enough to be a
/// plausible typo. Example: did_you_mean("stpo", {"stop", "target"}) == "stop".
std::string did_you_mean(std::string_view word, std::initializer_list<std::string_view> candidates);
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace thesis
