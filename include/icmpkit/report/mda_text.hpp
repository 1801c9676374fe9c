// `icmpkit trace --mda`: the multipath graph probe::Mda found, as text (per hop its interfaces,
// then the links), one JSON object (schema icmpkit.trace.mda/1) or a Graphviz digraph. Pure:
// returns strings.
#pragma once

#include <functional>
#include <string>

#include "icmpkit/core/address.hpp"
#include "icmpkit/probe/mda.hpp"

namespace icmpkit::report {

inline constexpr const char* mda_json_schema = "icmpkit.trace.mda/1";

struct MdaReportInfo {
    core::IpAddress destination;
    std::string destination_name;  // as the user wrote it ("h1", "203.0.113.10")
    std::string method;            // "udp-paris", ...
    // Optional names for addresses (reverse lookups, sim node names): empty string = none.
    std::function<std::string(const core::IpAddress&)> name;
};

std::string mda_text(const probe::MdaResult& r, const MdaReportInfo& info);
std::string mda_json(const probe::MdaResult& r, const MdaReportInfo& info);
std::string mda_dot(const probe::MdaResult& r, const MdaReportInfo& info);

}  // namespace icmpkit::report
