// Link-layer unwrapping (pure). Each link type is one small function over a ByteReader whose
// offsets are frame offsets; the EtherType chain handles VLAN tags, MPLS and PPPoE for every link
// that carries an EtherType.
#include "icmpkit/capture/link.hpp"

namespace icmpkit::capture {

namespace {

using core::ByteReader;
using core::Fault;
using core::WireResult;
using core::wire_error;

using Ok = WireResult<bool>;

// The value of a network-layer EtherType, or `other`.
void set_network(LinkLayer& l, std::uint16_t type, std::size_t offset) {
    l.ethertype = type;
    l.network_offset = offset;
    switch (type) {
        case ethertype::ipv4: l.network = NetworkProtocol::ipv4; break;
        case ethertype::ipv6: l.network = NetworkProtocol::ipv6; break;
        case ethertype::arp: l.network = NetworkProtocol::arp; break;
        case ethertype::teb: l.network = NetworkProtocol::ethernet; break;
        default: l.network = NetworkProtocol::other; break;
    }
}

// For links without an EtherType: guess by the IP version nibble (RFC 791 / RFC 8200 section 3).
Ok set_by_version(const ByteReader& r, LinkLayer& l) {
    ByteReader peek = r;
    auto first = peek.u8();
    if (!first) return core::Unexpected(first.error());
    switch (*first >> 4) {
        case 4: set_network(l, ethertype::ipv4, r.offset()); break;
        case 6: set_network(l, ethertype::ipv6, r.offset()); break;
        default: set_network(l, 0, r.offset()); break;
    }
    return true;
}

MacAddress read_mac(core::Bytes b) {
    MacAddress m;
    for (std::size_t i = 0; i < 6; ++i) m.bytes[i] = b[i];
    return m;
}

constexpr bool is_vlan_tag(std::uint16_t t) noexcept {
    return t == ethertype::vlan || t == ethertype::qinq || t == ethertype::qinq_old1 ||
           t == ethertype::qinq_old2;
}

// RFC 3032 section 2.1: entries until the one with the S bit; the payload has no type field, so
// IPv4 and IPv6 are told apart by the version nibble (RFC 4182 / common practice).
Ok mpls_stack(ByteReader& r, LinkLayer& l) {
    l.layers.push_back(LinkProtocol::mpls);
    for (;;) {
        if (l.mpls_labels.size() == max_mpls_entries) return wire_error(Fault::unsupported, r.offset());
        auto e = r.u32();
        if (!e) return core::Unexpected(e.error());
        l.mpls_labels.push_back(*e);
        if (mpls_bottom_of_stack(*e)) break;
    }
    // RFC 4385 section 3: a first nibble of 0 is a pseudowire control word; an Ethernet
    // pseudowire (RFC 4448 section 4.4) then carries a whole frame.
    ByteReader peek = r;
    if (auto first = peek.u8(); first && (*first >> 4) == 0) {
        if (auto cw = r.skip(4); !cw) return core::Unexpected(cw.error());
        l.layers.push_back(LinkProtocol::pwethcw);
        set_network(l, ethertype::teb, r.offset());
        return true;
    }
    return set_by_version(r, l);
}

// IEEE 802.1AE section 9.3: SecTAG (TCI/AN, SL, PN, SCI when SC), then the user data, which is
// an EtherType and payload only when neither encrypted (E) nor changed (C); the ICV trails it.
Ok macsec(ByteReader& r, LinkLayer& l) {
    l.layers.push_back(LinkProtocol::macsec);
    auto tci = r.u8();
    if (!tci) return core::Unexpected(tci.error());
    if (auto sl_pn = r.skip(5); !sl_pn) return core::Unexpected(sl_pn.error());
    if (*tci & 0x20) {
        if (auto sci = r.skip(8); !sci) return core::Unexpected(sci.error());
    }
    if (*tci & 0x0C) {  // E or C: confidentiality, the payload is not readable
        set_network(l, 0, r.offset());
        return true;
    }
    auto type = r.u16();
    if (!type) return core::Unexpected(type.error());
    set_network(l, *type, r.offset());
    return true;
}

// RFC 1661 section 2: the Protocol field, one byte when compressed (RFC 1661 section 6.5: an odd
// first byte ends the field).
Ok ppp_protocol(ByteReader& r, LinkLayer& l) {
    auto hi = r.u8();
    if (!hi) return core::Unexpected(hi.error());
    std::uint16_t proto = *hi;
    if ((*hi & 1) == 0) {
        auto lo = r.u8();
        if (!lo) return core::Unexpected(lo.error());
        proto = static_cast<std::uint16_t>((*hi << 8) | *lo);
    }
    if (proto == 0x0021) set_network(l, ethertype::ipv4, r.offset());       // RFC 1332
    else if (proto == 0x0057) set_network(l, ethertype::ipv6, r.offset());  // RFC 5072
    else set_network(l, 0, r.offset());
    return true;
}

// RFC 2516 section 4: VER/TYPE, CODE, SESSION_ID, LENGTH, then a PPP Protocol field.
Ok pppoe_session(ByteReader& r, LinkLayer& l) {
    l.layers.push_back(LinkProtocol::pppoes);
    if (auto h = r.skip(6); !h) return core::Unexpected(h.error());
    l.layers.push_back(LinkProtocol::ppp);
    return ppp_protocol(r, l);
}

// Dispatches on `type`, just read; the reader stands after it.
Ok ethertype_chain(ByteReader& r, std::uint16_t type, LinkLayer& l, bool mark = true) {
    if (mark) l.layers.push_back(LinkProtocol::ethertype);
    while (is_vlan_tag(type)) {  // IEEE 802.1Q section 9.6: TCI then the next EtherType
        if (l.vlan_ids.size() == max_vlan_tags) return wire_error(Fault::unsupported, r.offset());
        auto tci = r.u16();
        if (!tci) return core::Unexpected(tci.error());
        auto next = r.u16();
        if (!next) return core::Unexpected(next.error());
        l.vlan_ids.push_back(static_cast<std::uint16_t>(*tci & 0x0FFF));
        l.layers.push_back(type == ethertype::qinq ? LinkProtocol::ieee8021ad : LinkProtocol::vlan);
        l.layers.push_back(LinkProtocol::ethertype);
        type = *next;
    }
    if (type == ethertype::mpls_unicast || type == ethertype::mpls_multicast) return mpls_stack(r, l);
    if (type == ethertype::pppoe_session) return pppoe_session(r, l);
    if (type == ethertype::macsec) return macsec(r, l);
    set_network(l, type, r.offset());
    return true;
}

// IEEE 802.3 with a length field: an 802.2 LLC header, and SNAP with OUI 0 carrying an EtherType
// (RFC 1042).
Ok llc(ByteReader& r, LinkLayer& l) {
    l.layers.push_back(LinkProtocol::llc);
    auto dsap = r.u8();
    if (!dsap) return core::Unexpected(dsap.error());
    auto ssap = r.u8();
    if (!ssap) return core::Unexpected(ssap.error());
    auto control = r.u8();
    if (!control) return core::Unexpected(control.error());
    if (*dsap != 0xAA || *ssap != 0xAA || *control != 0x03) {
        set_network(l, 0, r.offset());
        return true;
    }
    auto oui = r.bytes(3);
    if (!oui) return core::Unexpected(oui.error());
    auto type = r.u16();
    if (!type) return core::Unexpected(type.error());
    if ((*oui)[0] == 0 && (*oui)[1] == 0 && (*oui)[2] == 0) return ethertype_chain(r, *type, l);
    set_network(l, 0, r.offset());
    return true;
}

Ok ethernet(ByteReader& r, LinkLayer& l) {
    l.layers.push_back(LinkProtocol::eth);
    auto dst = r.bytes(6);
    if (!dst) return core::Unexpected(dst.error());
    auto src = r.bytes(6);
    if (!src) return core::Unexpected(src.error());
    l.destination = read_mac(*dst);
    l.source = read_mac(*src);
    auto type = r.u16();
    if (!type) return core::Unexpected(type.error());
    l.ethernet_type = *type;
    if (*type <= 1500) return llc(r, l);  // IEEE 802.3 section 3.2.6: a length, not a type
    if (*type < 0x0600) {                 // neither a length nor a type
        set_network(l, *type, r.offset());
        return true;
    }
    return ethertype_chain(r, *type, l);
}

// Linux cooked v1: packet type, ARPHRD type, address length, 8 address bytes, protocol.
Ok linux_sll(ByteReader& r, LinkLayer& l) {
    l.layers.push_back(LinkProtocol::sll);
    auto head = r.bytes(14);
    if (!head) return core::Unexpected(head.error());
    std::uint16_t hatype = core::load_be16(head->data() + 2);
    std::uint16_t halen = core::load_be16(head->data() + 4);
    if (hatype == 1 && halen == 6) l.source = read_mac(head->subspan(6, 6));  // ARPHRD_ETHER
    auto proto = r.u16();
    if (!proto) return core::Unexpected(proto.error());
    if (*proto < 0x0600 || hatype == 824) {  // 802.2/802.3 markers, or ARPHRD_NETLINK families
        set_network(l, 0, r.offset());
        return true;
    }
    return ethertype_chain(r, *proto, l);
}

// Linux cooked v2: protocol, reserved, interface index, ARPHRD type, packet type, address
// length, 8 address bytes.
Ok linux_sll2(ByteReader& r, LinkLayer& l) {
    l.layers.push_back(LinkProtocol::sll);
    auto head = r.bytes(20);
    if (!head) return core::Unexpected(head.error());
    std::uint16_t proto = core::load_be16(head->data());
    std::uint16_t hatype = core::load_be16(head->data() + 8);
    std::uint8_t halen = (*head)[11];
    if (hatype == 1 && halen == 6) l.source = read_mac(head->subspan(12, 6));
    if (proto < 0x0600 || hatype == 824) {
        set_network(l, 0, r.offset());
        return true;
    }
    // ethertype_chain expects to stand after the type: the type is in the header here.
    return ethertype_chain(r, proto, l);
}

// BSD loopback: a 4-byte address family. Values are BSD's AF_INET 2 and the AF_INET6 values of
// NetBSD/OpenBSD (24), FreeBSD (28) and Darwin (30).
Ok bsd_loopback(ByteReader& r, LinkLayer& l, bool network_order) {
    l.layers.push_back(LinkProtocol::null);
    auto raw = r.bytes(4);
    if (!raw) return core::Unexpected(raw.error());
    std::uint32_t af = core::load_be32(raw->data());
    if (!network_order) {
        // DLT_NULL is in the writer's byte order, unknown to us: a family fits in 16 bits, so a
        // value that does not is the other byte order.
        std::uint32_t le = std::uint32_t{(*raw)[0]} | (std::uint32_t{(*raw)[1]} << 8) |
                           (std::uint32_t{(*raw)[2]} << 16) | (std::uint32_t{(*raw)[3]} << 24);
        af = (le > 0xFFFF) ? af : le;
    }
    if (af == 2) set_network(l, ethertype::ipv4, r.offset());
    else if (af == 24 || af == 28 || af == 30) set_network(l, ethertype::ipv6, r.offset());
    else set_network(l, 0, r.offset());
    return true;
}

Ok ppp_link(ByteReader& r, LinkLayer& l) {
    l.layers.push_back(LinkProtocol::ppp);
    // RFC 1662 section 3.1: an All-Stations address 0xFF (never a Protocol's first byte) is
    // followed by the control byte 0x03.
    ByteReader peek = r;
    auto a = peek.u8();
    if (a && *a == 0xFF) {
        if (auto ac = r.skip(2); !ac) return core::Unexpected(ac.error());
    }
    return ppp_protocol(r, l);
}

Ok cisco_hdlc(ByteReader& r, LinkLayer& l) {
    l.layers.push_back(LinkProtocol::chdlc);
    if (auto h = r.skip(2); !h) return core::Unexpected(h.error());  // address, control
    auto type = r.u16();
    if (!type) return core::Unexpected(type.error());
    return ethertype_chain(r, *type, l, false);
}

// Linux ARCNET: source, destination, 2 offset bytes, then the soft header: a protocol ID alone
// (RFC 1051: 240 IP, 241 ARP) or with a split flag and sequence number (RFC 1201: 212 IP,
// 213 ARP, 196 IPv6 per RFC 2497).
Ok arcnet_linux(ByteReader& r, LinkLayer& l) {
    l.layers.push_back(LinkProtocol::arcnet);
    if (auto h = r.skip(4); !h) return core::Unexpected(h.error());
    auto id = r.u8();
    if (!id) return core::Unexpected(id.error());
    if (*id == 240 || *id == 241) {
        set_network(l, *id == 240 ? ethertype::ipv4 : ethertype::arp, r.offset());
        return true;
    }
    if (auto split = r.skip(3); !split) return core::Unexpected(split.error());
    switch (*id) {
        case 212: set_network(l, ethertype::ipv4, r.offset()); break;
        case 213: set_network(l, ethertype::arp, r.offset()); break;
        case 196: set_network(l, ethertype::ipv6, r.offset()); break;
        default: set_network(l, 0, r.offset()); break;
    }
    return true;
}

// Frame Relay: a Q.922 address (2 to 4 bytes, EA bit ends it), the UI control byte 0x03, then
// the RFC 2427 NLPID (0xCC IPv4, 0x8E IPv6, 0x80 SNAP), after one optional 0x00 pad.
Ok frame_relay(ByteReader& r, LinkLayer& l) {
    l.layers.push_back(LinkProtocol::fr);
    for (int i = 0;; ++i) {
        auto a = r.u8();
        if (!a) return core::Unexpected(a.error());
        if (*a & 1) break;
        if (i == 3) return wire_error(Fault::bad_value, r.offset() - 1);
    }
    ByteReader peek = r;
    auto control = peek.u8();
    if (!control) return core::Unexpected(control.error());
    if (*control != 0x03) {  // Cisco's encapsulation: an EtherType right after the address
        auto type = r.u16();
        if (!type) return core::Unexpected(type.error());
        return ethertype_chain(r, *type, l, false);
    }
    r = peek;
    auto nlpid = r.u8();
    if (!nlpid) return core::Unexpected(nlpid.error());
    if (*nlpid == 0) {
        nlpid = r.u8();
        if (!nlpid) return core::Unexpected(nlpid.error());
    }
    if (*nlpid == 0x80) {  // SNAP: OUI then an EtherType
        if (auto oui = r.skip(3); !oui) return core::Unexpected(oui.error());
        auto type = r.u16();
        if (!type) return core::Unexpected(type.error());
        return ethertype_chain(r, *type, l, false);
    }
    set_network(l, *nlpid == 0xCC ? ethertype::ipv4 : *nlpid == 0x8E ? ethertype::ipv6 : 0, r.offset());
    return true;
}

// Solaris ipnet: version, family (AF_INET 2, Solaris AF_INET6 26), hardware type, packet length,
// interface index, group interface index, source and destination zones: 24 bytes.
Ok ipnet(ByteReader& r, LinkLayer& l) {
    l.layers.push_back(LinkProtocol::ipnet);
    auto head = r.bytes(24);
    if (!head) return core::Unexpected(head.error());
    const std::uint8_t family = (*head)[1];
    set_network(l, family == 2 ? ethertype::ipv4 : family == 26 ? ethertype::ipv6 : 0, r.offset());
    return true;
}

// IP over InfiniBand as libpcap writes it: 20-byte destination and source hardware addresses,
// then the RFC 4391 section 6 encapsulation header (EtherType, 2 reserved bytes).
Ok ipoib(ByteReader& r, LinkLayer& l) {
    l.layers.push_back(LinkProtocol::ipoib);
    if (auto a = r.skip(40); !a) return core::Unexpected(a.error());
    auto type = r.u16();
    if (!type) return core::Unexpected(type.error());
    if (auto reserved = r.skip(2); !reserved) return core::Unexpected(reserved.error());
    return ethertype_chain(r, *type, l, false);
}

}  // namespace

std::string_view link_protocol_name(LinkProtocol p) noexcept {
    switch (p) {
        case LinkProtocol::eth: return "eth";
        case LinkProtocol::ethertype: return "ethertype";
        case LinkProtocol::llc: return "llc";
        case LinkProtocol::vlan: return "vlan";
        case LinkProtocol::ieee8021ad: return "ieee8021ad";
        case LinkProtocol::mpls: return "mpls";
        case LinkProtocol::pppoes: return "pppoes";
        case LinkProtocol::ppp: return "ppp";
        case LinkProtocol::sll: return "sll";
        case LinkProtocol::null: return "null";
        case LinkProtocol::raw: return "raw";
        case LinkProtocol::chdlc: return "chdlc";
        case LinkProtocol::arcnet: return "arcnet";
        case LinkProtocol::fr: return "fr";
        case LinkProtocol::ipnet: return "ipnet";
        case LinkProtocol::ipoib: return "ipoib";
        case LinkProtocol::macsec: return "macsec";
        case LinkProtocol::pwethcw: return "pwethcw";
        case LinkProtocol::slip: return "slip";
    }
    return "?";
}

std::string_view network_protocol_name(NetworkProtocol p) noexcept {
    switch (p) {
        case NetworkProtocol::ipv4: return "ip";
        case NetworkProtocol::ipv6: return "ipv6";
        case NetworkProtocol::arp: return "arp";
        case NetworkProtocol::other: return "other";
        case NetworkProtocol::ethernet: return "eth";
    }
    return "?";
}

std::string MacAddress::to_string() const {
    static constexpr char hex[] = "0123456789abcdef";
    std::string s;
    s.reserve(17);
    for (std::size_t i = 0; i < 6; ++i) {
        if (i) s.push_back(':');
        s.push_back(hex[bytes[i] >> 4]);
        s.push_back(hex[bytes[i] & 0xF]);
    }
    return s;
}

std::string LinkLayer::protocols() const {
    std::string s;
    for (auto p : layers) {
        if (!s.empty()) s.push_back(':');
        s += link_protocol_name(p);
    }
    if (network != NetworkProtocol::other) {
        if (!s.empty()) s.push_back(':');
        s += network_protocol_name(network);
    }
    return s;
}

bool is_supported_linktype(int t) noexcept {
    switch (t) {
        case linktype::null: case linktype::ethernet: case linktype::ppp: case linktype::dlt_raw:
        case linktype::raw: case linktype::c_hdlc: case linktype::loop: case linktype::linux_sll:
        case linktype::ipv4: case linktype::ipv6: case linktype::linux_sll2:
        case linktype::slip: case linktype::arcnet_linux: case linktype::frelay: case linktype::ipnet: case linktype::ipoib:
            return true;
        default:
            return false;
    }
}

core::WireResult<LinkLayer> unwrap_link(int t, core::Bytes frame) {
    LinkLayer l;
    ByteReader r(frame);
    Ok ok = true;
    switch (t) {
        case linktype::ethernet: ok = ethernet(r, l); break;
        case linktype::linux_sll: ok = linux_sll(r, l); break;
        case linktype::linux_sll2: ok = linux_sll2(r, l); break;
        case linktype::null: ok = bsd_loopback(r, l, false); break;
        case linktype::loop: ok = bsd_loopback(r, l, true); break;
        case linktype::ppp: ok = ppp_link(r, l); break;
        case linktype::c_hdlc: ok = cisco_hdlc(r, l); break;
        case linktype::arcnet_linux: ok = arcnet_linux(r, l); break;
        case linktype::slip:  // direction byte, then 15 bytes of (C)SLIP header history
            l.layers.push_back(LinkProtocol::slip);
            if (auto h = r.skip(16); !h) { ok = core::Unexpected(h.error()); break; }
            ok = set_by_version(r, l);
            break;
        case linktype::frelay: ok = frame_relay(r, l); break;
        case linktype::ipnet: ok = ipnet(r, l); break;
        case linktype::ipoib: ok = ipoib(r, l); break;
        case linktype::dlt_raw:
        case linktype::raw:
            l.layers.push_back(LinkProtocol::raw);
            ok = set_by_version(r, l);
            break;
        case linktype::ipv4:
            l.layers.push_back(LinkProtocol::raw);
            set_network(l, ethertype::ipv4, 0);
            break;
        case linktype::ipv6:
            l.layers.push_back(LinkProtocol::raw);
            set_network(l, ethertype::ipv6, 0);
            break;
        default:
            return wire_error(Fault::unsupported, 0);
    }
    if (!ok) return core::Unexpected(ok.error());
    return l;
}

core::WireResult<LinkLayer> unwrap_ethertype(std::uint16_t type, core::Bytes payload) {
    LinkLayer l;
    ByteReader r(payload);
    if (auto ok = ethertype_chain(r, type, l, false); !ok) return core::Unexpected(ok.error());
    return l;
}

}  // namespace icmpkit::capture
