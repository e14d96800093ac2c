#include "thesis/core/thesis.h"

namespace thesis {

const Scenario* Thesis::find_scenario(std::string_view name) const {
    for (const auto& s : scenarios)
        if (s.name == name) return &s;
    return nullptr;
}
const Plan* Thesis::find_plan(std::string_view name) const {
    for (const auto& p : plans)
        if (p.name == name) return &p;
    return nullptr;
}
std::string_view to_string(ModelKind kind) {
    const auto i = static_cast<std::size_t>(kind);
    return i < kModelNames.size() ? kModelNames[i] : "?";
}
std::string_view to_string(Monitoring monitoring) {
    switch (monitoring) {
        case Monitoring::Discrete: return "discrete";
        case Monitoring::Continuous: return "continuous";
        case Monitoring::Sessions: return "sessions";
    }
    return "?";
}

std::string_view to_string(SimulationMethod method) {
    switch (method) {
        case SimulationMethod::Mc: return "mc";
        case SimulationMethod::Rqmc: return "rqmc";
        case SimulationMethod::Antithetic: return "antithetic";
    }
    return "?";
}

std::string_view to_string(ControlVariate control) {
    switch (control) {
        case ControlVariate::None: return "none";
        case ControlVariate::Martingale: return "martingale";
    }
    return "?";
}

std::optional<Monitoring> monitoring_from_string(std::string_view name) {
    for (Monitoring m : {Monitoring::Discrete, Monitoring::Continuous, Monitoring::Sessions})
        if (to_string(m) == name) return m;
    return std::nullopt;
}

}  // namespace thesis
