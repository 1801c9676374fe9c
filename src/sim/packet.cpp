#include "packet.hpp"

#include "icmpkit/wire/checksum.hpp"
#include "icmpkit/wire/ip_protocol.hpp"

namespace icmpkit::sim::detail {

namespace {

std::size_t ihl_of(core::Bytes b) { return std::size_t{b[0] & 0x0Fu} * 4; }
bool first_fragment(core::Bytes b) { return (core::load_be16(&b[6]) & 0x1FFF) == 0; }
bool has_ports(std::uint8_t p) { return p == wire::ip_protocol::udp || p == wire::ip_protocol::tcp; }

}  // namespace

std::optional<PacketFacts> packet_facts(core::Bytes b) noexcept {
    if (b.empty()) return std::nullopt;
    PacketFacts f;
    if ((b[0] >> 4) == 4) {
        if (b.size() < 20 || ihl_of(b) < 20) return std::nullopt;
        std::size_t ihl = ihl_of(b);
        f.flow = {core::Ipv4Address::from_bytes(&b[12]), core::Ipv4Address::from_bytes(&b[16]), b[9], 0, 0};
        if (first_fragment(b) && has_ports(b[9]) && b.size() >= ihl + 4) {
            f.flow.src_port = core::load_be16(&b[ihl]);
            f.flow.dst_port = core::load_be16(&b[ihl + 2]);
        }
        return f;
    }
    if ((b[0] >> 4) == 6) {
        if (b.size() < 40) return std::nullopt;
        f.family = core::Family::v6;
        f.flow = {core::Ipv6Address::from_bytes(&b[8]), core::Ipv6Address::from_bytes(&b[24]), b[6], 0, 0};
        if (has_ports(b[6]) && b.size() >= 44) {
            f.flow.src_port = core::load_be16(&b[40]);
            f.flow.dst_port = core::load_be16(&b[42]);
        }
        return f;
    }
    return std::nullopt;
}

std::optional<std::uint32_t> nat_key(core::Bytes b, bool outbound) noexcept {
    if (b.size() < 20 || (b[0] >> 4) != 4 || ihl_of(b) < 20 || !first_fragment(b)) return std::nullopt;
    std::size_t ihl = ihl_of(b);
    std::uint8_t proto = b[9];
    if (has_ports(proto) && b.size() >= ihl + 4)
        return (std::uint32_t{proto} << 16) | core::load_be16(&b[ihl + (outbound ? 0 : 2)]);
    if (proto == wire::ip_protocol::icmp && b.size() >= ihl + 6) {
        std::uint8_t type = b[ihl];
        if (type == 8 || type == 0) return (std::uint32_t{proto} << 16) | core::load_be16(&b[ihl + 4]);
    }
    return std::nullopt;
}

void rewrite_v4_address(core::Buffer& b, std::size_t ip, std::size_t field, core::Ipv4Address a,
                        bool transport) noexcept {
    if (b.size() < ip + 20) return;
    std::size_t ihl = std::size_t{b[ip] & 0x0Fu} * 4;
    auto octets = a.to_bytes();
    std::uint16_t old_hi = core::load_be16(&b[ip + field]), old_lo = core::load_be16(&b[ip + field + 2]);
    std::uint16_t new_hi = static_cast<std::uint16_t>(octets[0] << 8 | octets[1]);
    std::uint16_t new_lo = static_cast<std::uint16_t>(octets[2] << 8 | octets[3]);
    auto update = [&](std::size_t at) {
        std::uint16_t c = core::load_be16(&b[at]);
        c = wire::checksum_update(c, old_hi, new_hi);
        c = wire::checksum_update(c, old_lo, new_lo);
        core::store_be16(&b[at], c);
    };
    if (b.size() >= ip + 12) update(ip + 10);  // RFC 1624 on the header checksum
    if (transport && ihl >= 20 && (core::load_be16(&b[ip + 6]) & 0x1FFF) == 0) {
        std::uint8_t proto = b[ip + 9];
        // RFC 768 / 793: the pseudo-header holds both addresses. UDP checksum 0 means none.
        if (proto == wire::ip_protocol::udp && b.size() >= ip + ihl + 8 && core::load_be16(&b[ip + ihl + 6]) != 0)
            update(ip + ihl + 6);
        else if (proto == wire::ip_protocol::tcp && b.size() >= ip + ihl + 18)
            update(ip + ihl + 16);
    }
    for (int i = 0; i < 4; ++i) b[ip + field + static_cast<std::size_t>(i)] = octets[static_cast<std::size_t>(i)];
}

bool is_icmpv4_error_type(std::uint8_t t) noexcept { return t == 3 || t == 4 || t == 5 || t == 11 || t == 12; }

bool is_pmtu_error(core::Bytes b) noexcept {
    if (b.size() >= 20 && (b[0] >> 4) == 4) {
        std::size_t ihl = ihl_of(b);
        return b[9] == wire::ip_protocol::icmp && first_fragment(b) && b.size() >= ihl + 2 && b[ihl] == 3 &&
               b[ihl + 1] == 4;
    }
    return b.size() >= 41 && (b[0] >> 4) == 6 && b[6] == wire::ip_protocol::icmpv6 && b[40] == 2;
}

void fix_icmpv4_checksum(core::Buffer& b, std::size_t offset) noexcept {
    if (b.size() < offset + 4) return;
    b[offset + 2] = b[offset + 3] = 0;
    core::store_be16(&b[offset + 2], wire::internet_checksum(core::Bytes(b).subspan(offset)));
}

}  // namespace icmpkit::sim::detail
