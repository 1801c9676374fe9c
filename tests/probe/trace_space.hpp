// The probe space the trace matcher tests share: documentation addresses for our source, the
// destination and a router, both families.
#pragma once

#include "icmpkit/probe/trace_probe.hpp"

namespace icmpkit::test_support {

inline const core::IpAddress src4{core::Ipv4Address(192, 0, 2, 10)};
inline const core::IpAddress dst4{core::Ipv4Address(203, 0, 113, 5)};
inline const core::IpAddress hop4{core::Ipv4Address(198, 51, 100, 1)};
inline const core::IpAddress src6{*core::Ipv6Address::parse("2001:db8:1::2")};
inline const core::IpAddress dst6{*core::Ipv6Address::parse("2001:db8:2::5")};
inline const core::IpAddress hop6{*core::Ipv6Address::parse("2001:db8:3::1")};

// Ports 33434 (TCP: 80) from 40000, four flows, sequence base 0x10000000, identification = serial.
inline probe::ProbeSpace trace_space(probe::TraceMethod m, bool v6 = false) {
    probe::ProbeSpace s;
    s.method = m;
    s.source = v6 ? src6 : src4;
    s.destination = v6 ? dst6 : dst4;
    s.port = m == probe::TraceMethod::tcp_syn ? 80 : 33434;
    s.source_port = 40000;
    s.sequence_base = 0x10000000;
    s.flows = 4;
    s.packet_length = probe::default_packet_length(m, s.destination.family());
    s.identification_is_serial = true;
    return s;
}

}  // namespace icmpkit::test_support
