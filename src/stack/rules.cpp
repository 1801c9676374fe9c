#include "icmpkit/stack/rules.hpp"

#include "icmpkit/wire/icmpv4_types.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/ipv6.hpp"

namespace icmpkit::stack {

std::string_view suppress_reason_name(SuppressReason r) noexcept {
    switch (r) {
        case SuppressReason::silent_node: return "silent-node";
        case SuppressReason::about_icmp_error: return "about-icmp-error";
        case SuppressReason::non_initial_fragment: return "non-initial-fragment";
        case SuppressReason::group_destination: return "group-destination";
        case SuppressReason::link_layer_broadcast: return "link-layer-broadcast";
        case SuppressReason::source_not_one_host: return "source-not-one-host";
        case SuppressReason::rate_limited_peer: return "rate-limited-peer";
        case SuppressReason::rate_limited_global: return "rate-limited-global";
        case SuppressReason::no_route_back: return "no-route-back";
        case SuppressReason::no_source_address: return "no-source-address";
        case SuppressReason::count_: break;
    }
    return "unknown";
}

bool is_icmpv4_error_datagram(core::Bytes d) noexcept {
    if (d.size() < 20 || (d[0] >> 4) != 4 || d[9] != wire::ip_protocol::icmp) return false;
    std::size_t ihl = std::size_t{d[0] & 0x0Fu} * 4;
    if (ihl < 20) return false;
    if ((core::load_be16(&d[6]) & 0x1FFF) != 0) return true;  // cannot see the type: assume error
    if (d.size() <= ihl) return true;  // the ICMP type is missing: cannot prove otherwise
    return wire::icmpv4::type_info(d[ihl]).is_error;
}

bool is_icmpv6_error_datagram(core::Bytes d) noexcept {
    auto chain = wire::walk_ipv6_chain(d);
    if (!chain) return false;
    // A chain cut short hides the upper layer: it may be an ICMPv6 error, so assume it is.
    if (chain->truncated && !chain->error) return true;
    if (chain->upper_layer_protocol != wire::ip_protocol::icmpv6) return false;
    if (chain->fragment && chain->fragment->offset != 0) return true;  // type unknowable
    if (chain->truncated || chain->upper_layer_offset >= d.size()) return true;
    std::uint8_t type = d[chain->upper_layer_offset];
    return type < 128 || type == 137;  // RFC 4443 2.1 errors; (e.2) Redirect
}

bool is_non_initial_fragment_v4(core::Bytes d) noexcept {
    return d.size() >= 8 && (core::load_be16(&d[6]) & 0x1FFF) != 0;
}

bool source_names_one_host_v4(core::Ipv4Address s, bool is_directed_broadcast) noexcept {
    if ((s.to_uint() >> 24) == 0) return false;  // "this network" 0/8 (RFC 1122 3.2.1.3)
    return !(s.is_loopback() || s.is_limited_broadcast() || s.is_multicast() || s.is_reserved() ||
             is_directed_broadcast);
}

bool source_names_one_host_v6(const core::Ipv6Address& s) noexcept {
    return !(s.is_unspecified() || s.is_multicast() || s.is_loopback());
}

bool destination_is_group_v4(core::Ipv4Address d, bool is_directed_broadcast) noexcept {
    return d.is_limited_broadcast() || d.is_multicast() || is_directed_broadcast;
}

bool group_exception_v6(std::uint8_t type, std::uint8_t code) noexcept {
    return type == 2 || (type == 4 && code == 2);
}

std::optional<SuppressReason> error_suppressed(const OffendingFacts& f, std::uint8_t type,
                                               std::uint8_t code) noexcept {
    bool v6 = f.family == core::Family::v6;
    if (!v6 && f.non_initial_fragment) return SuppressReason::non_initial_fragment;
    if (f.is_icmp_error) return SuppressReason::about_icmp_error;
    bool excepted = v6 && group_exception_v6(type, code);
    if (f.link_layer_broadcast && !excepted) return SuppressReason::link_layer_broadcast;
    if (f.group_destination && !excepted) return SuppressReason::group_destination;
    if (!f.source_names_one_host) return SuppressReason::source_not_one_host;
    return std::nullopt;
}

QuotePlan plan_quote(core::Family family, std::size_t available, std::size_t extension_size) noexcept {
    bool v6 = family == core::Family::v6;
    std::size_t limit = v6 ? max_error_size_v6 : max_error_size_v4;
    std::size_t fixed = (v6 ? 40 : 20) + 8;
    std::size_t word = v6 ? 8 : 4;
    QuotePlan p;
    if (extension_size == 0) {
        p.copy = available < limit - fixed ? available : limit - fixed;
        p.field = p.copy;
        return p;
    }
    if (fixed + extension_size + 128 > limit) {
        p.fits = false;
        return plan_quote(family, available, 0);
    }
    std::size_t room = (limit - fixed - extension_size) / word * word;
    // RFC 4884: the length attribute counts words in one octet (v4 <= 1020, v6 <= 2040 bytes).
    std::size_t attr_max = 255 * word;
    if (room > attr_max) room = attr_max;
    p.copy = available < room ? available : room;
    std::size_t padded = (p.copy + word - 1) / word * word;
    p.field = padded < 128 ? 128 : padded;
    return p;
}

}  // namespace icmpkit::stack
