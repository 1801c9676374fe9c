// `icmpkit trace --json`: one JSON document per trace, close to RIPE Atlas traceroute results
// (type, af, dst_name, dst_addr, src_addr, proto, paris_id, size, result[] of {hop, result[] of
// {from, rtt, ttl, err, ittl, itos, icmpext} or {"x": "*"}}) plus icmpkit fields (schema, method,
// annotations, quote changes, counters). docs/trace.md documents every field. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/probe/trace.hpp"

namespace icmpkit::report {

inline constexpr const char* trace_json_schema = "icmpkit.trace/1";

struct TraceJsonInfo {
    std::string dst_name;
    probe::TraceConfig config;
    std::optional<std::int64_t> timestamp;  // Unix seconds at start (absent in --sim)
    std::optional<std::int64_t> endtime;
    bool simulated = false;
    bool interrupted = false;  // stopped by SIGINT/SIGTERM: the last hop is the one being probed
};

std::string trace_json(const TraceJsonInfo& info, const std::vector<probe::TraceHop>& hops,
                       const probe::TraceCounters& counters);

}  // namespace icmpkit::report
