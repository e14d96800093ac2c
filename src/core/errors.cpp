#include "thesis/core/errors.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace thesis {

namespace {
std::string render(const SourceLocation& where, const std::string& key_path, const std::string& message) {
    std::string out;
    if (!where.file.empty()) {
        out += where.file;
        if (where.line > 0) out += fmt::format(":{}:{}", where.line, where.column);
        out += ": ";
    }
    if (!key_path.empty()) out += key_path + ": ";
    out += message;
    return out;
}

// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), case-insensitive:
// typos in keys are usually one or two edits, and swapped letters ("pirce") are the commonest.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    const auto same = [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    };
    const std::size_t w = b.size() + 1;
    std::vector<std::size_t> d((a.size() + 1) * w);
    for (std::size_t i = 0; i <= a.size(); ++i) d[i * w] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = same(a[i - 1], b[j - 1]) ? 0 : 1;
            std::size_t v =
                std::min({d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1, d[(i - 1) * w + j - 1] + cost});
            if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]))
                v = std::min(v, d[(i - 2) * w + j - 2] + 1);
            d[i * w + j] = v;
        }
    }
    return d[a.size() * w + b.size()];
}

template <class Range>
std::string closest(std::string_view word, const Range& candidates) {
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (std::string_view candidate : candidates) {
        const std::size_t d = edit_distance(word, candidate);
        // A candidate that contains the word (or vice versa) is a good hint too: "vol" → "volatility".
        const bool contains = word.size() >= 3 && (candidate.find(word) != std::string_view::npos ||
                                                   word.find(candidate) != std::string_view::npos);
        const std::size_t score = contains ? std::min<std::size_t>(d, 1) : d;
        if (score < best_distance) {
            best_distance = score;
            best = std::string(candidate);
        }
    }
    return best;
}
}  // namespace

InputError::InputError(SourceLocation where, std::string key_path, std::string message)
    : std::runtime_error(render(where, key_path, message)),
      where_(std::move(where)),
      key_path_(std::move(key_path)),
      message_(std::move(message)) {}

std::string did_you_mean(std::string_view word, std::initializer_list<std::string_view> candidates) {
    return closest(word, candidates);
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
    return closest(word, candidates);
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    return closest(word, candidates);
}

namespace detail {
void fail_requirement(const char* condition, const char* file, int line, const std::string& message) {
    throw InternalError(fmt::format("internal error at {}:{}: {} ({})", file, line, message, condition));
}
}  // namespace detail

}  // namespace thesis
