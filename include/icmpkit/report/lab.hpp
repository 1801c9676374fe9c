// `icmpkit lab --describe`: a topology (nodes, addresses, links) and the hop lists a trace from
// its entry host must show, as text or as one JSON object.
#pragma once

#include <string>
#include <vector>

#include "icmpkit/sim/path.hpp"
#include "icmpkit/sim/topology.hpp"

namespace icmpkit::report {

void describe_topology_text(const sim::Topology& t, const std::vector<sim::TracePath>& paths, std::string& out);
void describe_topology_json(const sim::Topology& t, const std::vector<sim::TracePath>& paths, std::string& out);
// "5ms", "1.5ms", "250us".
std::string format_duration(core::Duration d);
// "loss=1% mtu=1400 ..." (only what differs from a perfect 1500-byte link, latency always).
std::string format_link_properties(const sim::LinkProperties& p);
// traceroute's annotation of an unreachable code: !N !H !P !F !S !X !V !C, else !<code>.
std::string unreachable_flag(core::Family f, std::uint8_t code);

}  // namespace icmpkit::report
