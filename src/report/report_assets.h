#pragma once
// The chart libraries a report inlines (generated: cmake/report_assets.cpp.in). Internal to the
// report layer.
#include <string_view>

namespace thesis::report_assets {
/// Whether the libraries were fetched at build time (THESIS_BUILD_REPORT with npm).
bool available();
/// "vega 6.4.0, vega-lite 6.4.3, vega-embed 7.3.0" (empty when not available).
std::string_view versions();
std::string_view vega();
std::string_view vega_lite();
std::string_view vega_embed();
}  // namespace thesis::report_assets
