#pragma once
// What a reader is told about a thesis beyond its valuation: the numbers it implies (a spot, a
// multiple, the EPS growth a target needs, ...), each labelled and with the inputs it rests on,
// and the audit, the places where its own numbers disagree. Text for people, built from the
// valuation's numbers (valuation.h); the run report prints them.

#include "thesis/core/thesis.h"
#include "thesis/report/report.h"
#include "thesis/valuation/valuation.h"

#include <string>
#include <vector>

namespace thesis {

/// One number the thesis implies, with what it rests on.
struct ImpliedNumber {
    std::string label;
    std::string value;                  ///< formatted for people (units included)
    double raw = 0;                     ///< the number itself, for machine output
    std::string unit;                   ///< "usd", "fraction", "multiple"
    std::vector<std::string> rests_on;  ///< key paths of inputs it uses
};
std::vector<ImpliedNumber> implied_numbers(const Thesis& thesis, const std::vector<ScenarioValue>& values);

/// A place where the thesis's numbers disagree, or a plan contradicts a scenario.
struct AuditFinding {
    std::string topic;    ///< short tag: "spot", "unlock", "stop-gap", ...
    std::string message;  ///< one line a reader can act on
};
std::vector<AuditFinding> audit(const Thesis& thesis, const std::vector<ScenarioValue>& values);

/// Adds findings to the run report's audit: rows of its table (id "audit", made at the end of
/// the tables if there is none yet) and entries of its JSON's "audit" array. Used by the
/// valuation report and, after the simulation, by its own checks (model-vs-scenarios).
void add_findings(Report& report, const std::vector<AuditFinding>& findings);

}  // namespace thesis
