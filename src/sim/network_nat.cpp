// Source NAT on a sim router (IPv4): outbound sources become the outside address; replies and
// ICMP errors that come back are sent on to the inside host.
#include "icmpkit/sim/network.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "packet.hpp"

namespace icmpkit::sim {

void Network::nat_outbound(SimNode& n, core::Buffer& b) {
    if (!n.nat_address || b.size() < 20 || (b[0] >> 4) != 4) return;
    auto source = core::Ipv4Address::from_bytes(&b[12]);
    if (n.node.is_local_address(source)) return;  // the router's own messages keep their source
    auto key = detail::nat_key(b, true);
    if (!key) return;  // nothing to map replies by (e.g. a non-initial fragment): left alone
    n.nat_map[*key] = source;
    detail::rewrite_v4_address(b, 0, 12, *n.nat_address, true);
    ++n.counters.nat_outbound;
}

void Network::nat_inbound(SimNode& n, core::Buffer& b) {
    if (!n.nat_address || b.size() < 20 || (b[0] >> 4) != 4) return;
    if (core::Ipv4Address::from_bytes(&b[16]) != *n.nat_address) return;
    std::size_t ihl = std::size_t{b[0] & 0x0Fu} * 4;
    bool error = b[9] == wire::ip_protocol::icmp && b.size() >= ihl + 8 + 20 && detail::is_icmpv4_error_type(b[ihl]);
    std::optional<std::uint32_t> key;
    std::size_t quote = ihl + 8;
    if (error) {
        // The quoted datagram left through us: its source is our address, its key the inside
        // host's port or identifier (RFC 5508 4.2).
        core::Bytes q = core::Bytes(b).subspan(quote);
        if ((q[0] >> 4) == 4 && core::Ipv4Address::from_bytes(&q[12]) == *n.nat_address) key = detail::nat_key(q, true);
    } else {
        key = detail::nat_key(b, false);
    }
    auto it = key ? n.nat_map.find(*key) : n.nat_map.end();
    if (it == n.nat_map.end()) {
        ++n.counters.nat_unmatched;
        return;
    }
    detail::rewrite_v4_address(b, 0, 16, it->second, !error);
    if (error && n.nat->translate_quote) {
        detail::rewrite_v4_address(b, quote, 12, it->second, true);
        detail::fix_icmpv4_checksum(b, ihl);
    }
    ++n.counters.nat_inbound;
}

}  // namespace icmpkit::sim
