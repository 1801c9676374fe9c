// stack::Node: random bytes into a host and a router (first byte: which node, ifindex, link
// broadcast, clock step). Invariants: every emitted datagram parses with a valid header checksum;
// every ICMP message the node generates parses with a valid checksum; no error is generated for
// an input that is an ICMP error; an error fits 576 (v4) / 1280 (v6) bytes; counters account for
// every input (exactly one disposition each).
#include <cstdint>
#include <cstdlib>

#include "icmpkit/stack/node.hpp"
#include "icmpkit/wire/icmpv4.hpp"
#include "icmpkit/wire/icmpv6.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/ipv4.hpp"
#include "icmpkit/wire/ipv6.hpp"

using namespace icmpkit;

namespace {

stack::Prefix pfx(const char* s) { return *stack::parse_prefix(s); }

stack::NodeConfig make(bool router) {
    stack::NodeConfig c;
    c.role = router ? stack::Role::router : stack::Role::host;
    c.interfaces.push_back({"eth0", 1, {pfx("192.0.2.1/24"), pfx("2001:db8:1::1/64"), pfx("fe80::1/64")}, 1500,
                            true, {2, 0, 0, 0, 0, 1}, {{16001, 0, true, 1}}, true});
    c.interfaces.push_back({"eth1", 2, {pfx("198.51.100.1/24"), pfx("2001:db8:2::1/64"), pfx("fe80::2/64")}, 576});
    c.routes.push_back({pfx("0.0.0.0/0"), {{2, core::IpAddress(*core::Ipv4Address::parse("198.51.100.2"))},
                                           {2, core::IpAddress(*core::Ipv4Address::parse("198.51.100.3"))}}});
    c.routes.push_back({pfx("::/0"), {{2, core::IpAddress(*core::Ipv6Address::parse("2001:db8:2::2"))}}});
    c.open_udp_ports = {53};
    c.address_mask_reply = true;
    c.discard_bad_headers = !router;
    c.rate_limit.per_peer_burst = 1000;
    return c;
}

// Whether the input datagram is an ICMP error by the stack's own predicates (judged on the whole
// input: a quote is cut short and padded, so it cannot be judged the same way).
bool input_is_error = false;

void check_generated_v4(const wire::Ipv4HeaderView& ip) {
    if (ip.protocol() != wire::ip_protocol::icmp) std::abort();  // we originate only ICMP
    auto m = wire::icmpv4::MessageView::parse(ip.payload());
    if (!m) std::abort();
    if (m->is_error()) {
        if (ip.total_length() > stack::max_error_size_v4) std::abort();
        if (input_is_error) std::abort();
    }
}

void check_generated_v6(const wire::Ipv6HeaderView& ip) {
    if (ip.next_header() != wire::ip_protocol::icmpv6) std::abort();
    auto s = ip.source(), d = ip.destination();
    auto m = wire::icmpv6::MessageView::parse(ip.payload(), {true, &s, &d});
    if (!m) std::abort();
    if (m->is_error()) {
        if (40 + ip.payload().size() > stack::max_error_size_v6) std::abort();
        if (input_is_error) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static stack::Node host(make(false));
    static stack::Node router(make(true));
    static long long clock_ms = 0;
    if (size < 1) return 0;
    std::uint8_t ctl = data[0];
    stack::Node& node = (ctl & 1) ? router : host;
    stack::Arrival a{core::Bytes(data + 1, size - 1), (ctl & 2) ? 2u : 1u, (ctl & 4) != 0};
    clock_ms += ctl >> 4;
    core::Bytes packet(data + 1, size - 1);
    input_is_error = !packet.empty() && ((packet[0] >> 4) == 4 ? stack::is_icmpv4_error_datagram(packet)
                                                               : stack::is_icmpv6_error_datagram(packet));
    auto before = node.counters();
    auto out = node.receive(a, core::MonoTime{std::chrono::milliseconds(clock_ms)},
                            core::WallTime{std::chrono::milliseconds(clock_ms)});
    const auto& c = node.counters();
    std::uint64_t dispositions = (c.forwarded - before.forwarded) + (c.delivered - before.delivered) +
                                 (c.answered - before.answered) + (c.dropped_total() - before.dropped_total());
    if (c.received != before.received + 1 || dispositions != 1 || !c.balanced()) std::abort();
    for (const auto& o : out) {
        const auto* t = std::get_if<stack::Transmit>(&o);
        if (!t) continue;
        if (t->bytes.empty()) std::abort();
        if ((t->bytes[0] >> 4) == 4) {
            auto ip = wire::Ipv4HeaderView::parse(t->bytes, /*verify_checksum=*/true);
            if (!ip) std::abort();
            bool fragment = ip->more_fragments() || ip->fragment_offset() != 0;  // a fragmented reply
            if (!fragment && node.is_local_address(core::IpAddress(ip->source()))) check_generated_v4(*ip);
        } else {
            auto ip = wire::Ipv6HeaderView::parse(t->bytes);
            if (!ip) std::abort();
            if (node.is_local_address(core::IpAddress(ip->source()))) check_generated_v6(*ip);
        }
    }
    return 0;
}
