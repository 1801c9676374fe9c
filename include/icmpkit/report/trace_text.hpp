// `icmpkit trace` text, byte-compatible with traceroute 2.1.x for what traceroute prints: the
// header line, hop lines (`%2u ` then per probe ` *` or ` addr` -- repeated only when it differs
// from the previous answered probe -- `  %.3f ms` and ` !X`), -e MPLS extensions as
// `<MPLS:L=..,E=..,S=..,T=..>`. Beyond traceroute (printed only when present): RFC 5837 interface
// information with -e, and per probe the changes seen in the quoted datagram: `[ttl=N]` (quoted
// TTL other than 1), `[tos 0xAA->0xBB]` (DSCP/ECN rewritten), `[nat SRC]` (quoted source rewritten).
// Pure.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "icmpkit/core/address.hpp"
#include "icmpkit/probe/trace.hpp"

namespace icmpkit::report {

struct TraceTextOptions {
    bool numeric = true;     // -n
    bool extensions = false; // -e
    std::uint8_t sent_tos = 0;  // -t: what the quoted TOS is compared with
    // Without -n: the name of an address (empty: print the address twice, as traceroute does
    // when resolution fails).
    std::function<std::string(const core::IpAddress&)> name_of;
};

// "traceroute to HOST (ADDR), N hops max, L byte packets\n"
std::string trace_header(std::string_view host, const core::IpAddress& address, unsigned max_ttl,
                         std::size_t packet_length);
// One hop line, newline included.
std::string trace_hop_line(const probe::TraceHop& hop, const TraceTextOptions& options, probe::TraceMethod method);
// traceroute 2.1's annotation for a response: "" (Time Exceeded, port unreachable, replies),
// "!H", "!N", "!P", "!S", "!F-<mtu>", "!X", "!V", "!C", "!<code>", "!<type-code>".
std::string trace_annotation(const probe::TraceResponse& r);
// traceroute -e text of the extensions: "MPLS:L=24001,E=0,S=1,T=1/L=..." ; "" when none.
std::string trace_extensions(const probe::TraceResponse& r, bool interfaces);

}  // namespace icmpkit::report
