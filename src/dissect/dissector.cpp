// link -> IP -> tunnels -> reassembly -> ICMP -> quote (dissector.hpp).
#include "icmpkit/dissect/dissector.hpp"

#include <algorithm>

#include "icmpkit/wire/checksum.hpp"
#include "icmpkit/wire/extensions.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "reassembly.hpp"
#include "tunnels.hpp"

namespace icmpkit::dissect {

namespace {

namespace proto = wire::ip_protocol;
constexpr std::uint8_t proto_ipip = 4;   // RFC 2003
constexpr std::uint8_t proto_ipv6 = 41;  // RFC 4213 / RFC 2473
constexpr std::uint8_t proto_gre = 47;   // RFC 2784
constexpr std::uint8_t proto_udp = 17;   // RFC 768
constexpr std::uint8_t proto_pim = 103;  // RFC 7761
constexpr std::uint8_t proto_ethernet = 143;  // RFC 8986 section 10.1 (after an SRH)
constexpr int max_ah_headers = 4;

// Where the next layer starts: its bytes and how offsets are counted.
struct Cursor {
    core::Bytes data;
    std::uint32_t base = 0;
    bool in_reassembled = false;
    bool cut = false;  // the bytes are fewer than the enclosing headers claim
};

void note_fault(Dissection& d, core::WireError e, std::size_t base, LayerKind layer) {
    if (d.fault) return;
    d.fault = core::shifted(e, base);
    d.fault_layer = layer;
}

wire::Ipv4Header fixed_fields(const wire::Ipv4HeaderView& v) {
    wire::Ipv4Header h;
    h.dscp = v.dscp();
    h.ecn = v.ecn();
    h.total_length = v.total_length();
    h.identification = v.identification();
    h.reserved_flag = v.reserved_flag();
    h.dont_fragment = v.dont_fragment();
    h.more_fragments = v.more_fragments();
    h.fragment_offset = v.fragment_offset();
    h.ttl = v.ttl();
    h.protocol = v.protocol();
    h.header_checksum = v.header_checksum();
    h.source = v.source();
    h.destination = v.destination();
    return h;
}

// RFC 8200 8.1: with a Routing header, the pseudo-header destination is the final one.
core::Ipv6Address final_destination(const Ipv6Layer& l, core::Bytes datagram) noexcept {
    for (const auto& h : l.chain.headers) {
        if (h.type != proto::ipv6_routing || h.offset + 8 > datagram.size()) continue;
        const std::uint8_t* p = datagram.data() + h.offset;
        const std::uint32_t len = (std::uint32_t{p[1]} + 1) * 8;
        if (p[3] == 0 || h.offset + len > datagram.size() || len < 24) continue;
        if (p[2] == 0 || p[2] == 2)  // RFC 2460 type 0, RFC 6275 type 2: the last address
            return core::Ipv6Address::from_bytes(p + 8 + ((len - 8) / 16 - 1) * 16);
        if (p[2] == 4)  // RFC 8754 2: Segment List[0] is the final segment
            return core::Ipv6Address::from_bytes(p + 8);
    }
    return l.header.destination;
}

}  // namespace

// The per-frame work, with access to the dissector's state.
class FrameDecoder {
public:
    FrameDecoder(const DissectorOptions& o, Stats& s, Reassembler& r, const capture::Frame& f, Dissection& d)
        : opt_(o), stats_(s), reasm_(r), frame_(f), d_(d) {}
    void run();

private:
    enum class Next : std::uint8_t { ipv4, ipv6, done };
    Next ipv4(IpLayer& layer);
    Next ipv6(IpLayer& layer);
    Next dispatch(std::uint8_t protocol, bool outer_v6);
    Next gre();
    Next udp();
    Next ah(bool outer_v6);
    Next enter_link(core::WireResult<capture::LinkLayer> link);
    Next enter_payload(const tunnel::Payload& p);
    void icmp(bool v6);
    void take_reassembled(IpLayer& layer, const ReassemblyResult& r);

    const DissectorOptions& opt_;
    Stats& stats_;
    Reassembler& reasm_;
    const capture::Frame& frame_;
    Dissection& d_;
    Cursor cur_;  // the bytes of the layer being decoded
    Encapsulation enc_ = Encapsulation::link;
    std::optional<GreHeader> gre_;
    std::optional<UdpTunnel> udp_;
    std::optional<capture::LinkLayer> inner_link_;
    std::uint32_t inner_link_offset_ = 0;
    int ah_count_ = 0;
    const IpLayer* last_v6_ = nullptr;  // innermost IPv6 layer (pseudo-header)
    core::Bytes last_v6_bytes_;
};

void FrameDecoder::run() {
    auto link = capture::unwrap_link(frame_.linktype, frame_.data);
    if (!link) {
        note_fault(d_, link.error(), 0, LayerKind::link);
        d_.skip = Skip::malformed;
        return;
    }
    d_.link = std::move(*link);
    const auto net = d_.link->network;
    const auto off = std::min(d_.link->network_offset, frame_.data.size());
    cur_ = Cursor{frame_.data.subspan(off), static_cast<std::uint32_t>(off), false, false};
    Next next = Next::done;
    if (net == capture::NetworkProtocol::ethernet) {  // a pseudowire: the frame inside
        next = enter_link(capture::unwrap_link(capture::linktype::ethernet, cur_.data));
    } else if (net == capture::NetworkProtocol::ipv4 || net == capture::NetworkProtocol::ipv6) {
        next = net == capture::NetworkProtocol::ipv6 ? Next::ipv6 : Next::ipv4;
    } else {
        d_.skip = Skip::not_ip;
        return;
    }
    d_.ip.reserve(2);
    while (next != Next::done) {
        if (d_.ip.size() >= opt_.max_ip_layers) {
            note_fault(d_, {core::Fault::unsupported, 0}, cur_.base, LayerKind::tunnel);
            d_.skip = Skip::malformed;
            return;
        }
        IpLayer& layer = d_.ip.emplace_back();
        layer.family = next == Next::ipv6 ? core::Family::v6 : core::Family::v4;
        layer.offset = cur_.base;
        layer.in_reassembled = cur_.in_reassembled;
        layer.encapsulation = enc_;
        layer.gre = std::move(gre_);
        gre_.reset();
        layer.udp_tunnel = std::move(udp_);
        udp_.reset();
        if (inner_link_) {
            layer.inner_link = std::move(inner_link_);
            layer.inner_link_offset = inner_link_offset_;
            inner_link_.reset();
        }
        last_v6_ = nullptr;  // re-pointed below (emplace_back may move the layers)
        next = next == Next::ipv6 ? ipv6(layer) : ipv4(layer);
    }
}

void FrameDecoder::take_reassembled(IpLayer& layer, const ReassemblyResult& r) {
    d_.reassembled = r.datagram;
    layer.reassembled = true;
    layer.fragment_count = r.fragment_count;
    core::Bytes all(*r.datagram);
    cur_ = Cursor{all.subspan(r.prefix_length), r.prefix_length, true, false};
    layer.payload = cur_.data;
}

FrameDecoder::Next FrameDecoder::ipv4(IpLayer& layer) {
    auto view = wire::Ipv4HeaderView::parse(cur_.data);
    if (!view) {
        // Cut short (snaplen, or a total_length past the bytes): decode what is there.
        note_fault(d_, view.error(), cur_.base, LayerKind::ip);
        if (view.error().fault == core::Fault::truncated)
            view = wire::Ipv4HeaderView::parse_header_only(cur_.data);
        if (!view) {
            d_.ip.pop_back();
            d_.skip = Skip::malformed;
            return Next::done;
        }
        cur_.cut = true;
    }
    const auto& v = *view;
    if (auto value = wire::Ipv4Header::from_view(v)) {
        layer.header = std::move(*value);
    } else {  // malformed options: keep the fixed fields, record the fault, go on
        note_fault(d_, value.error(), cur_.base, LayerKind::ip);
        layer.header = fixed_fields(v);
    }
    layer.header_checksum = v.checksum_valid() ? ChecksumStatus::good : ChecksumStatus::bad;  // RFC 791 3.1
    if (layer.header_checksum == ChecksumStatus::bad) ++stats_.ip_bad_checksum;
    layer.header_length = static_cast<std::uint32_t>(v.header_length());
    layer.protocol = v.protocol();
    layer.payload = v.payload();
    cur_ = Cursor{v.payload(), cur_.base + layer.header_length, cur_.in_reassembled, cur_.cut};
    // RFC 791 3.2: a fragment has MF set or a non-zero fragment offset.
    if (v.more_fragments() || v.fragment_offset() != 0) {
        layer.is_fragment = true;
        ++stats_.fragments;
        if (cur_.cut || !opt_.reassemble) {
            if (v.fragment_offset() != 0) {
                d_.skip = Skip::non_initial_fragment;
                return Next::done;
            }
            cur_.cut = true;  // a first fragment alone: the ICMP header is there, not the rest
        } else {
            FragmentKey key{v.source(), v.destination(), v.identification(), v.protocol()};
            Fragment f{v.fragment_offset(), v.more_fragments(), v.payload(), v.header(), 0};
            auto r = reasm_.add(key, frame_.timestamp, f, stats_);
            if (r.outcome != FragmentOutcome::completed) {
                d_.skip = r.outcome == FragmentOutcome::held ? Skip::fragment_held
                                                             : Skip::non_initial_fragment;
                return Next::done;
            }
            take_reassembled(layer, r);
        }
    }
    return dispatch(layer.protocol, false);
}

FrameDecoder::Next FrameDecoder::ipv6(IpLayer& layer) {
    auto view = wire::Ipv6HeaderView::parse(cur_.data);
    if (!view) {
        note_fault(d_, view.error(), cur_.base, LayerKind::ip);
        if (view.error().fault == core::Fault::truncated)
            view = wire::Ipv6HeaderView::parse_header_only(cur_.data);
        if (!view) {
            d_.ip.pop_back();
            d_.skip = Skip::malformed;
            return Next::done;
        }
        cur_.cut = true;
    }
    const auto& v = *view;
    layer.header = Ipv6Layer{wire::Ipv6Header::from_view(v), wire::walk_ipv6_chain(v.next_header(), v.payload(), 40)};
    const core::Bytes datagram = cur_.data.first(std::min(cur_.data.size(), 40 + v.payload().size()));
    const auto& chain = std::get<Ipv6Layer>(layer.header).chain;
    layer.header_checksum = ChecksumStatus::absent;
    layer.protocol = chain.upper_layer_protocol;
    layer.header_length = chain.upper_layer_offset;
    if (chain.error) note_fault(d_, *chain.error, cur_.base, LayerKind::ip);
    if (chain.truncated) note_fault(d_, {core::Fault::truncated, static_cast<std::uint32_t>(datagram.size())}, cur_.base, LayerKind::ip);
    const auto upper = std::min<std::size_t>(chain.upper_layer_offset, datagram.size());
    layer.payload = datagram.subspan(upper);
    last_v6_ = &layer;
    last_v6_bytes_ = datagram;
    if (chain.error || chain.truncated) {
        d_.skip = Skip::malformed;
        return Next::done;
    }
    const std::uint32_t base = cur_.base;
    const bool cut = cur_.cut;
    cur_ = Cursor{layer.payload, base + static_cast<std::uint32_t>(upper), cur_.in_reassembled, cut};
    // RFC 6946 4: an atomic fragment (offset 0, M clear) is processed in isolation, never
    // matched with fragments of the same identification.
    const bool atomic = chain.fragment && chain.fragment->offset == 0 && !chain.fragment->more;
    if (chain.fragment && !atomic) {  // RFC 8200 4.5
        layer.is_fragment = true;
        ++stats_.fragments;
        const auto& fr = *chain.fragment;
        const wire::Ipv6ExtensionInfo* fh = nullptr;
        for (const auto& h : chain.headers)
            if (h.type == proto::ipv6_fragment) fh = &h;
        if (cut || !opt_.reassemble || fh == nullptr) {
            if (fr.offset != 0 || fh == nullptr) {
                d_.skip = Skip::non_initial_fragment;
                return Next::done;
            }
            cur_.cut = true;
        } else {
            const std::size_t after = fh->offset + 8;
            FragmentKey key{v.source(), v.destination(), fr.identification, 0};
            Fragment f{fr.offset, fr.more, datagram.subspan(std::min(after, datagram.size())),
                       datagram.first(fh->offset), datagram[fh->offset]};
            auto r = reasm_.add(key, frame_.timestamp, f, stats_);
            if (r.outcome != FragmentOutcome::completed) {
                d_.skip = r.outcome == FragmentOutcome::held ? Skip::fragment_held
                                                             : Skip::non_initial_fragment;
                return Next::done;
            }
            take_reassembled(layer, r);
            // Walk what follows the fragment header in the rebuilt datagram.
            auto inner = wire::walk_ipv6_chain(r.next_header, cur_.data, r.prefix_length);
            if (inner.error || inner.truncated) {
                note_fault(d_, inner.error.value_or(core::WireError{core::Fault::truncated,
                               static_cast<std::uint32_t>(r.datagram->size())}), 0, LayerKind::ip);
                d_.skip = Skip::malformed;
                return Next::done;
            }
            layer.protocol = inner.upper_layer_protocol;
            const auto u = std::min<std::size_t>(inner.upper_layer_offset, r.datagram->size());
            cur_ = Cursor{core::Bytes(*r.datagram).subspan(u), static_cast<std::uint32_t>(u), true, false};
            layer.payload = cur_.data;
            last_v6_bytes_ = core::Bytes(*r.datagram);
        }
    }
    return dispatch(layer.protocol, true);
}

FrameDecoder::Next FrameDecoder::dispatch(std::uint8_t protocol, bool outer_v6) {
    switch (protocol) {
        case proto::icmp: icmp(false); return Next::done;
        case proto::icmpv6: icmp(true); return Next::done;
        case proto_ipip: enc_ = Encapsulation::ip_in_ip; return Next::ipv4;
        case proto_ipv6: enc_ = Encapsulation::ipv6_in_ip; return Next::ipv6;
        case proto_gre: return gre();
        case proto_udp: return udp();
        case proto_pim:  // RFC 7761 4.9.3: a Register (type 1) carries a whole datagram after 8 bytes
            if (cur_.data.size() < 8 || cur_.data[0] != 0x21) break;
            enc_ = Encapsulation::pim_register;
            return enter_payload({tunnel::Payload::Kind::ip, 0, 8});
        case proto::ah: return ah(outer_v6);
        case proto_ethernet:
            enc_ = Encapsulation::ip_in_ip;
            return enter_link(capture::unwrap_link(capture::linktype::ethernet, cur_.data));
        default:
            break;
    }
    d_.skip = Skip::not_icmp;
    return Next::done;
}

// RFC 2784 2 (C, Reserved0, Ver, Protocol Type, optional Checksum + Reserved1) with the RFC 2890
// Key (K) and Sequence Number (S) fields. RFC 1701 routing (R) and version 1 are not decoded.
FrameDecoder::Next FrameDecoder::gre() {
    const auto& d = cur_.data;
    if (d.size() < 4) {
        note_fault(d_, {core::Fault::truncated, static_cast<std::uint32_t>(d.size())}, cur_.base, LayerKind::tunnel);
        d_.skip = Skip::malformed;
        return Next::done;
    }
    GreHeader g;
    g.offset = cur_.base;
    const std::uint16_t flags = core::load_be16(d.data());
    g.checksum_present = flags & 0x8000;
    g.routing_present = flags & 0x4000;
    g.key_present = flags & 0x2000;
    g.sequence_present = flags & 0x1000;
    g.reserved0 = static_cast<std::uint16_t>((flags >> 3) & 0x1FF);
    g.version = static_cast<std::uint8_t>(flags & 7);
    g.protocol_type = core::load_be16(d.data() + 2);
    std::size_t n = 4;
    if (g.checksum_present || g.routing_present) n += 4;
    if (g.key_present) n += 4;
    if (g.sequence_present) n += 4;
    if (d.size() < n) {
        note_fault(d_, {core::Fault::truncated, static_cast<std::uint32_t>(d.size())}, cur_.base, LayerKind::tunnel);
        d_.skip = Skip::malformed;
        return Next::done;
    }
    std::size_t at = 4;
    if (g.checksum_present || g.routing_present) {
        if (g.checksum_present) {
            g.checksum = core::load_be16(d.data() + 4);
            // RFC 2784 2.5: over the GRE header and the payload.
            g.checksum_status = cur_.cut ? ChecksumStatus::unverified
                                : wire::checksum_ok(d) ? ChecksumStatus::good : ChecksumStatus::bad;
        }
        at += 4;
    }
    if (g.key_present) { g.key = core::load_be32(d.data() + at); at += 4; }
    if (g.sequence_present) { g.sequence = core::load_be32(d.data() + at); at += 4; }
    g.header_length = static_cast<std::uint32_t>(n);
    // RFC 2637 4.1 (PPTP, version 1): the Key field is always there, then an Acknowledgment
    // Number when A (flag bit 8) is set; the payload is a PPP frame.
    const bool pptp = g.version == 1 && g.protocol_type == 0x880B && g.key_present;
    if (pptp && (flags & 0x0080)) n += 4;
    if ((g.version != 0 && !pptp) || g.routing_present || d.size() < n) {
        d_.skip = Skip::not_icmp;  // RFC 1701 routing, unknown versions: not decoded
        return Next::done;
    }
    g.header_length = static_cast<std::uint32_t>(n);
    gre_ = g;
    enc_ = Encapsulation::gre;
    cur_.data = d.subspan(n);
    cur_.base += static_cast<std::uint32_t>(n);
    if (g.protocol_type == 0x0800) return Next::ipv4;
    if (g.protocol_type == 0x86DD) return Next::ipv6;
    if (pptp) return enter_payload({tunnel::Payload::Kind::ppp, 0, 0});
    if (g.protocol_type == 0x8909) {  // Cisco MetaData as GRE carries it: EtherType first, 8 bytes
        if (cur_.data.size() < 8) {
            d_.skip = Skip::not_icmp;
            return Next::done;
        }
        return enter_payload({tunnel::Payload::Kind::ethertype, core::load_be16(cur_.data.data()), 8});
    }
    if (g.protocol_type == 0x88BE || g.protocol_type == 0x22EB) {
        auto p = tunnel::erspan_payload(g.protocol_type, g.sequence_present, cur_.data);
        if (!p) {
            note_fault(d_, p.error(), cur_.base, LayerKind::tunnel);
            d_.skip = Skip::malformed;
            return Next::done;
        }
        return enter_payload(*p);
    }
    return enter_payload({tunnel::Payload::Kind::ethertype, g.protocol_type, 0});
}

// RFC 768: the tunnels of tunnel::udp_kind, by port. The payload is bounded by the UDP Length.
FrameDecoder::Next FrameDecoder::udp() {
    const auto& d = cur_.data;
    if (d.size() < 8) {
        d_.skip = Skip::not_icmp;
        return Next::done;
    }
    UdpTunnel t;
    t.offset = cur_.base;
    t.source_port = core::load_be16(d.data());
    t.destination_port = core::load_be16(d.data() + 2);
    const auto kind = tunnel::udp_kind(t.source_port, t.destination_port);
    if (!kind) {
        d_.skip = Skip::not_icmp;
        return Next::done;
    }
    t.kind = *kind;
    const std::size_t length = core::load_be16(d.data() + 4);
    const core::Bytes payload = d.subspan(8, length >= 8 && length <= d.size() ? length - 8 : d.size() - 8);
    auto p = tunnel::udp_payload(t.kind, payload, t);
    if (!p) {
        if (p.error().fault != core::Fault::unsupported) {
            note_fault(d_, p.error(), cur_.base + 8, LayerKind::tunnel);
            d_.skip = Skip::malformed;
        } else {
            d_.skip = Skip::not_icmp;
        }
        return Next::done;
    }
    t.header_length += 8;
    udp_ = t;
    enc_ = Encapsulation::udp;
    cur_.data = payload;
    cur_.base += 8;
    return enter_payload(*p);
}

// RFC 4302 section 2 in IPv4 (IPv6 walks it in its extension chain): Next Header, Payload Len
// (in 4-octet units, minus 2), then the rest of the header; the payload follows unchanged.
FrameDecoder::Next FrameDecoder::ah(bool outer_v6) {
    const auto& d = cur_.data;
    const std::size_t len = d.size() >= 2 ? (std::size_t{d[1]} + 2) * 4 : 0;
    if (d.size() < 2 || d.size() < len || ++ah_count_ > max_ah_headers) {
        note_fault(d_, {d.size() < len || d.size() < 2 ? core::Fault::truncated : core::Fault::unsupported,
                        static_cast<std::uint32_t>(d.size())}, cur_.base, LayerKind::ip);
        d_.skip = Skip::malformed;
        return Next::done;
    }
    const std::uint8_t next = d[0];
    cur_.data = d.subspan(len);
    cur_.base += static_cast<std::uint32_t>(len);
    return dispatch(next, outer_v6);
}

// A tunnel payload: IP by its version nibble, or a link-level frame unwrapped by capture.
FrameDecoder::Next FrameDecoder::enter_payload(const tunnel::Payload& p) {
    const auto off = std::min(p.offset, cur_.data.size());
    cur_.data = cur_.data.subspan(off);
    cur_.base += static_cast<std::uint32_t>(off);
    switch (p.kind) {
        case tunnel::Payload::Kind::ip:
            if (cur_.data.empty()) break;
            if ((cur_.data[0] >> 4) == 4) return Next::ipv4;
            if ((cur_.data[0] >> 4) == 6) return Next::ipv6;
            break;
        case tunnel::Payload::Kind::ethernet:
            return enter_link(capture::unwrap_link(capture::linktype::ethernet, cur_.data));
        case tunnel::Payload::Kind::ethertype:
            return enter_link(capture::unwrap_ethertype(p.ethertype, cur_.data));
        case tunnel::Payload::Kind::ppp:
            return enter_link(capture::unwrap_link(capture::linktype::ppp, cur_.data));
    }
    d_.skip = Skip::not_icmp;
    return Next::done;
}

// A link layer inside a tunnel (cur_ stands at its first byte), down to its IP header; an
// Ethernet pseudowire inside is unwrapped in turn. The last link layer met is kept for the next
// IP layer.
FrameDecoder::Next FrameDecoder::enter_link(core::WireResult<capture::LinkLayer> link) {
    for (int depth = 0;; ++depth) {
        if (!link) {
            note_fault(d_, link.error(), cur_.base, LayerKind::tunnel);
            d_.skip = Skip::malformed;
            return Next::done;
        }
        const auto net = link->network;
        const auto off = std::min(link->network_offset, cur_.data.size());
        inner_link_offset_ = cur_.base;
        inner_link_ = std::move(*link);
        cur_.data = cur_.data.subspan(off);
        cur_.base += static_cast<std::uint32_t>(off);
        if (net == capture::NetworkProtocol::ipv4) return Next::ipv4;
        if (net == capture::NetworkProtocol::ipv6) return Next::ipv6;
        if (net != capture::NetworkProtocol::ethernet || depth == 3) {
            d_.skip = Skip::not_icmp;
            return Next::done;
        }
        link = capture::unwrap_link(capture::linktype::ethernet, cur_.data);
    }
}

void FrameDecoder::icmp(bool v6) {
    d_.skip = Skip::none;
    IcmpLayer& L = d_.icmp.emplace();
    L.family = v6 ? core::Family::v6 : core::Family::v4;
    L.offset = cur_.base;
    L.in_reassembled = cur_.in_reassembled;
    L.bytes = cur_.data;
    const auto& b = L.bytes;
    if (!b.empty()) L.type = b[0];
    if (b.size() > 1) L.code = b[1];
    // Checksum: RFC 792 over the message; RFC 4443 2.3 with the RFC 8200 8.1 pseudo-header.
    if (cur_.cut || b.size() < 4) {
        L.checksum = ChecksumStatus::unverified;
    } else if (!v6) {
        L.checksum = wire::checksum_ok(b) ? ChecksumStatus::good : ChecksumStatus::bad;
    } else if (last_v6_ != nullptr) {
        const auto* l6 = last_v6_->v6();
        wire::InternetChecksum sum;
        wire::add_pseudo_header(sum, l6->header.source, final_destination(*l6, last_v6_bytes_),
                                static_cast<std::uint32_t>(b.size()), proto::icmpv6);
        sum.add(b);
        L.checksum = sum.sum() == 0xFFFF ? ChecksumStatus::good : ChecksumStatus::bad;
    } else {
        L.checksum = ChecksumStatus::unverified;  // ICMPv6 over IPv4: no pseudo-header to use
    }
    if (L.checksum == ChecksumStatus::bad) ++stats_.icmp_bad_checksum;
    // The value, decoded whatever the checksum says.
    core::Bytes original;
    bool is_error = false;
    if (!v6) {
        auto m = wire::icmpv4::parse(b, {.verify_checksum = false});
        if (!m) {
            note_fault(d_, m.error(), L.offset, LayerKind::icmp);
        } else {
            L.classification = wire::classify(*m);
            L.message.emplace(std::in_place_index<0>, std::move(*m));
        }
        is_error = wire::icmpv4::type_info(L.type).is_error;
        if (is_error && b.size() >= 8) {
            auto body = b.subspan(8);
            if (L.type == 3 || L.type == 11 || L.type == 12)  // RFC 4884 4.1
                original = wire::ext::split_original(body, b[5], core::Family::v4).original;
            else
                original = body;
        }
    } else {
        auto m = wire::icmpv6::parse(b, {.verify_checksum = false});
        if (!m) {
            note_fault(d_, m.error(), L.offset, LayerKind::icmp);
        } else {
            L.classification = wire::classify(*m);
            L.message.emplace(std::in_place_index<1>, std::move(*m));
        }
        is_error = L.type < 128 && !b.empty();  // RFC 4443 2.1
        if (is_error && b.size() >= 8) {
            auto body = b.subspan(8);
            if (L.type == 1 || L.type == 3)  // RFC 4884 4.2
                original = wire::ext::split_original(body, b[4], core::Family::v6).original;
            else
                original = body;
        }
    }
    if (!L.message) {
        auto& c = L.classification;
        c.family = L.family;
        c.type = L.type;
        c.code = L.code;
        c.is_error = is_error;
    }
    if (is_error && b.size() >= 8) {
        auto q = wire::parse_quote(original);
        if (q) L.quote = std::move(*q);
        else note_fault(d_, q.error(), L.offset + 8, LayerKind::quote);
    }
}

// ---- Dissector ----

Dissector::Dissector(DissectorOptions options)
    : options_(options), reassembler_(std::make_unique<Reassembler>(options.limits)) {}
Dissector::~Dissector() = default;
Dissector::Dissector(Dissector&&) noexcept = default;
Dissector& Dissector::operator=(Dissector&&) noexcept = default;

Dissection Dissector::dissect(const capture::Frame& frame) {
    Dissection d;
    dissect(frame, d);
    return d;
}

void Dissector::dissect(const capture::Frame& frame, Dissection& out) {
    out.frame = {frame.number, frame.timestamp, frame.captured_length, frame.original_length, frame.linktype};
    out.link.reset();
    out.ip.clear();
    out.icmp.reset();
    out.skip = Skip::none;
    out.fault.reset();
    out.fault_layer = LayerKind::none;
    out.reassembled.reset();
    reassembler_->expire(frame.timestamp, stats_);
    FrameDecoder(options_, stats_, *reassembler_, frame, out).run();

    ++stats_.frames;
    if (out.icmp) {
        out.skip = Skip::none;
        const auto& L = *out.icmp;
        auto& t = L.family == core::Family::v4 ? stats_.v4_type_code : stats_.v6_type_code;
        ++t[std::size_t{L.type} * 256 + L.code];
        ++(L.family == core::Family::v4 ? stats_.icmp_v4 : stats_.icmp_v6);
    } else {
        if (out.skip == Skip::none) out.skip = out.fault ? Skip::malformed : Skip::not_icmp;
        ++stats_.skipped;
        ++stats_.skipped_by_reason[static_cast<std::size_t>(out.skip)];
    }
    if (out.fault) {
        ++stats_.malformed;
        ++stats_.malformed_by_fault[static_cast<std::size_t>(out.fault->fault)];
        ++stats_.malformed_by_layer[static_cast<std::size_t>(out.fault_layer)];
    }
}

std::size_t Dissector::reassembly_in_progress() const noexcept { return reassembler_->in_progress(); }

std::uint64_t Stats::count(core::Family f, std::uint8_t type) const noexcept {
    std::uint64_t n = 0;
    for (int c = 0; c < 256; ++c) n += count(f, type, static_cast<std::uint8_t>(c));
    return n;
}

}  // namespace icmpkit::dissect
