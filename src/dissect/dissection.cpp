#include "icmpkit/dissect/dissection.hpp"

namespace icmpkit::dissect {

std::string_view checksum_status_name(ChecksumStatus s) noexcept {
    switch (s) {
        case ChecksumStatus::good: return "good";
        case ChecksumStatus::bad: return "bad";
        case ChecksumStatus::unverified: return "unverified";
        case ChecksumStatus::absent: return "absent";
    }
    return "?";
}

std::string_view layer_kind_name(LayerKind k) noexcept {
    constexpr std::string_view names[] = {"none", "link", "ip", "tunnel", "fragment", "icmp", "quote"};
    auto i = static_cast<std::size_t>(k);
    return i < std::size(names) ? names[i] : "?";
}

std::string_view encapsulation_name(Encapsulation e) noexcept {
    switch (e) {
        case Encapsulation::link: return "link";
        case Encapsulation::ip_in_ip: return "ipip";
        case Encapsulation::ipv6_in_ip: return "ipv6";
        case Encapsulation::gre: return "gre";
        case Encapsulation::udp: return "udp";
        case Encapsulation::pim_register: return "pim";
    }
    return "?";
}

std::string_view udp_tunnel_name(UdpTunnelKind k) noexcept {
    switch (k) {
        case UdpTunnelKind::vxlan: return "vxlan";
        case UdpTunnelKind::geneve: return "geneve";
        case UdpTunnelKind::teredo: return "teredo";
        case UdpTunnelKind::gtp_u: return "gtp";
        case UdpTunnelKind::mpls_udp: return "mplsoudp";
        case UdpTunnelKind::lisp: return "lisp-data";
    }
    return "?";
}

std::string_view skip_name(Skip s) noexcept {
    constexpr std::string_view names[] = {"none", "not-ip", "not-icmp", "fragment-held",
                                          "non-initial-fragment", "malformed"};
    auto i = static_cast<std::size_t>(s);
    return i < std::size(names) ? names[i] : "?";
}

core::IpAddress IpLayer::source() const noexcept {
    if (auto* h = v4()) return h->source;
    return std::get<Ipv6Layer>(header).header.source;
}
core::IpAddress IpLayer::destination() const noexcept {
    if (auto* h = v4()) return h->destination;
    return std::get<Ipv6Layer>(header).header.destination;
}

}  // namespace icmpkit::dissect
