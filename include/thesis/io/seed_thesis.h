#pragma once
// The seed's thesis, scenarios/nvda-china.yaml, compiled into the binary (see CMakeLists.txt), so
// `thesis run` without a file and `thesis init` work from any folder.

#include <string_view>

namespace thesis {
std::string_view seed_thesis_yaml();
inline constexpr std::string_view kSeedThesisName = "nvda-china.yaml (built in)";
}  // namespace thesis
