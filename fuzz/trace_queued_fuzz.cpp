// probe::match_queued_error: arbitrary error-queue entries (type, code, info, port, the kernel's
// RFC 4884 offset, delivered bytes) never crash it; accepted answers are flows of ours without
// quoted TTL/TOS (the kernel strips the quoted IP header). Byte 0: bit 0 family (1 = IPv6), bits
// 1-2 the method (TCP is read as UDP: no error queue there); bytes 1-2 type, code; 3-4 the offset
// (big-endian); 5-6 the destination port; the rest is what the error queue delivered.
#include <cstdint>
#include <cstdlib>

#include "icmpkit/probe/trace_probe.hpp"

using namespace icmpkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 7) return 0;
    const bool v6 = data[0] & 1;
    probe::ProbeSpace s;
    s.method = static_cast<probe::TraceMethod>((data[0] >> 1) & 3);
    if (s.method == probe::TraceMethod::tcp_syn) s.method = probe::TraceMethod::udp_paris;
    s.source = v6 ? core::IpAddress(*core::Ipv6Address::parse("2001:db8:1::2"))
                  : core::IpAddress(core::Ipv4Address(192, 0, 2, 10));
    s.destination = v6 ? core::IpAddress(*core::Ipv6Address::parse("2001:db8:2::5"))
                       : core::IpAddress(core::Ipv4Address(203, 0, 113, 5));
    s.port = 33434;
    s.source_port = 40000;
    s.flows = 4;
    probe::QueuedError e;
    e.type = data[1], e.code = data[2];
    e.extension_offset = static_cast<std::uint16_t>(data[3] << 8 | data[4]);
    e.destination_port = static_cast<std::uint16_t>(data[5] << 8 | data[6]);
    e.info = 1400;
    const core::IpAddress hop = v6 ? core::IpAddress(*core::Ipv6Address::parse("2001:db8:3::1"))
                                   : core::IpAddress(core::Ipv4Address(198, 51, 100, 1));
    auto r = probe::match_queued_error(s, e, core::Bytes(data + 7, size - 7), hop);
    const bool rejected = r.kind == probe::ResponseKind::rejected;
    if (rejected != (r.reject != probe::RejectReason::none)) std::abort();
    if (r.quoted_ttl || r.quoted_tos) std::abort();
    if (!rejected && r.flow >= s.flows) std::abort();
    return 0;
}
