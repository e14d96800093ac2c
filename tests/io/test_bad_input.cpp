// Every kind of bad input gets one line naming file:line:column, the key path and what was
// expected. Each file in tests/data/bad/ is a case; its first line `# expect: ...` is the message.
#include "thesis/io/yaml_loader.h"

#include "thesis/core/errors.h"

#include <doctest/doctest.h>

#include <fstream>
#include <string>

using namespace thesis;

namespace {
const std::string kBad = std::string(THESIS_SOURCE_DIR) + "/tests/data/bad/";

// Loads tests/data/bad/NAME.yaml and returns the InputError text; fails the test if none.
std::string error_of(const std::string& name) {
    try {
        load_thesis_file(kBad + name + ".yaml");
    } catch (const InputError& e) {
        return e.what();
    }
    FAIL("no InputError for ", name);
    return {};
}

std::string expected_of(const std::string& name) {
    std::ifstream in(kBad + name + ".yaml");
    std::string first;
    std::getline(in, first);
    REQUIRE(first.rfind("# expect: ", 0) == 0);
    return first.substr(10);
}

// The message names the file with a line and column, and contains the expected text.
void check_case(const std::string& name, const std::string& location) {
    const std::string message = error_of(name);
    CHECK_MESSAGE(message.find(expected_of(name)) != std::string::npos, message);
    CHECK_MESSAGE(message.rfind(kBad + name + ".yaml:" + location + ": ", 0) == 0, message);
    CHECK(message.find('\n') == std::string::npos);
}
}  // namespace

TEST_CASE("bad input: an unknown key gets a did-you-mean hint") { check_case("unknown_key", "5:3"); }
TEST_CASE("bad input: a wrong type names what was expected") { check_case("wrong_type", "6:7"); }
TEST_CASE("bad input: a missing required field") { check_case("missing_required", "4:3"); }
TEST_CASE("bad input: a long stop above entry") { check_case("stop_above_entry", "13:11"); }
TEST_CASE("bad input: a short stop below entry") { check_case("short_stop_below_entry", "14:11"); }
TEST_CASE("bad input: probabilities that don't sum to 1") { check_case("probabilities_not_one", "16:3"); }
TEST_CASE("bad input: a file that isn't YAML") { check_case("not_yaml", "3:8"); }
TEST_CASE("bad input: a duplicate scenario name") { check_case("duplicate_scenario", "18:3"); }
TEST_CASE("bad input: a YAML list instead of a thesis") { check_case("not_a_map", "1:1"); }
TEST_CASE("bad input: an empty file") { check_case("empty_file", "1:1"); }
TEST_CASE("bad input: a probability above 100%") { check_case("probability_out_of_range", "18:18"); }
TEST_CASE("bad input: volatility of zero") { check_case("volatility_not_positive", "9:15"); }
TEST_CASE("bad input: an entry after an event that doesn't exist") { check_case("unknown_event", "12:20"); }
TEST_CASE("bad input: a duration nobody can read") { check_case("bad_duration", "16:12"); }
TEST_CASE("bad input: a misspelt model kind") { check_case("bad_choice", "9:9"); }

TEST_CASE("bad input: a missing file names the file and the reason") {
    CHECK_THROWS_WITH_AS(load_thesis_file(kBad + "no_such_file.yaml"),
                         doctest::Contains("no_such_file.yaml: cannot read the file: No such file"),
                         InputError);
}
TEST_CASE("bad input: scenario levers that make EPS negative") {
    check_case("scenario_negative_eps", "18:5");
}
TEST_CASE("bad input: three scenario levers over-determine the price") {
    check_case("scenario_overdetermined", "17:5");
}
TEST_CASE("bad input: a scenario cannot move today's price") {
    check_case("scenario_changes_price", "19:14");
}
TEST_CASE("bad input: bytes that are not UTF-8 (found by the fuzzer)") { check_case("not_utf8", "18:5"); }
