// probe::match_response: arbitrary bytes never crash it; every answer is either accepted (a flow
// of ours, no reject reason) or rejected with a reason; an accepted ICMP answer names a serial or
// says it cannot. Byte 0: bit 0 family (1 = IPv6), bits 1-2 the method, bit 3 a TCP segment
// instead of an ICMP message, bit 4 kernel-chosen IPv4 identification; the rest is the message.
#include <cstdint>
#include <cstdlib>

#include "icmpkit/probe/trace_probe.hpp"

using namespace icmpkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const bool v6 = data[0] & 1;
    probe::ProbeSpace s;
    s.method = static_cast<probe::TraceMethod>((data[0] >> 1) & 3);
    s.source = v6 ? core::IpAddress(*core::Ipv6Address::parse("2001:db8:1::2"))
                  : core::IpAddress(core::Ipv4Address(192, 0, 2, 10));
    s.destination = v6 ? core::IpAddress(*core::Ipv6Address::parse("2001:db8:2::5"))
                       : core::IpAddress(core::Ipv4Address(203, 0, 113, 5));
    s.port = s.method == probe::TraceMethod::tcp_syn ? 80 : 33434;
    s.source_port = 40000;
    s.sequence_base = 0x10000000;
    s.flows = 4;
    s.identification_is_serial = !(data[0] & 16);
    const bool tcp = data[0] & 8;
    const std::uint8_t protocol = tcp ? 6 : (v6 ? 58 : 1);
    const core::IpAddress hop = v6 ? core::IpAddress(*core::Ipv6Address::parse("2001:db8:3::1"))
                                   : core::IpAddress(core::Ipv4Address(198, 51, 100, 1));
    for (const auto& from : {hop, s.destination}) {
        auto r = probe::match_response(s, protocol, core::Bytes(data + 1, size - 1), from, 64, &s.source);
        const bool rejected = r.kind == probe::ResponseKind::rejected;
        if (rejected != (r.reject != probe::RejectReason::none)) std::abort();
        if (rejected) continue;
        if (r.flow >= s.flows) std::abort();
        if (r.from != from) std::abort();
        // Replies (echo reply, SYN-ACK/RST) come only from the destination and always carry the serial.
        if (r.classification.kind == wire::Kind::echo_reply || tcp) {
            if (from != s.destination || !r.serial || r.kind != probe::ResponseKind::destination) std::abort();
        }
        if (r.kind == probe::ResponseKind::hop && r.classification.kind != wire::Kind::time_exceeded) std::abort();
        if (r.source_rewritten != r.quoted_source.has_value()) std::abort();
    }
    return 0;
}
