// The scenarios price model (path.h, path.cpp setup_scenarios): each path draws a valuation
// scenario by its probability and travels to the scenario's price.
#include "engine_fixtures.h"

#include "thesis/io/yaml_loader.h"
#include "thesis/simulation/monte_carlo.h"

#include <doctest/doctest.h>
