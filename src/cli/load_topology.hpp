// A topology for the sim-backed commands (lab, ping --sim): a built-in name, or else a file.
#pragma once

#include <string>

#include "icmpkit/core/result.hpp"
#include "icmpkit/sim/topology.hpp"

namespace icmpkit::cli {

// The error is "file:line: message" or "NAME: no such built-in topology or readable file".
core::Result<sim::Topology, std::string> load_topology(const std::string& what);

}  // namespace icmpkit::cli
