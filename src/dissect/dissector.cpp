// link -> IP -> tunnels -> reassembly -> ICMP -> quote (dissector.hpp).
#include "icmpkit/dissect/dissector.hpp"

#include <algorithm>

#include "icmpkit/wire/checksum.hpp"
#include "icmpkit/wire/extensions.hpp"
#include "frame_decoder.hpp"

namespace icmpkit::dissect {

namespace {

namespace proto = wire::ip_protocol;

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

namespace detail {


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
        layer.header = wire::Ipv4Header::fixed_fields(v);
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

}  // namespace detail

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
    detail::FrameDecoder(options_, stats_, *reassembler_, frame, out).run();

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
