// `icmpkit decode` default output: one line per ICMP packet, in the spirit of `tcpdump -n`
// (time of day UTC, IP/IP6, src > dst, tcpdump's own wording for the type/code where tcpdump has
// one, id/seq, MTU, ", length N"), plus what tcpdump leaves out: the quoted flow of an error,
// RFC 4884 extensions (MPLS labels, interface names) and a [malformed: ...] / [bad cksum] mark.
// Pure: appends to a string.
#pragma once

#include <string>

#include "icmpkit/dissect/dissection.hpp"

namespace icmpkit::report {

// Appends one line (with '\n') for a Dissection that has an ICMP layer; nothing otherwise.
void append_decode_line(const dissect::Dissection& d, std::string& out);

// "12:34:56.789012": UTC time of day, microseconds (truncated), as tcpdump prints it.
void append_time_of_day(core::WallTime t, std::string& out);

// The type/code wording alone ("echo request", "udp port 33434 unreachable", ...): tcpdump's where
// tcpdump has it, ours otherwise.
std::string describe_icmp(const dissect::IcmpLayer& icmp);

}  // namespace icmpkit::report
