#include "icmpkit/wire/ipv6.hpp"

#include "icmpkit/wire/ip_protocol.hpp"

namespace icmpkit::wire {

using core::Bytes;
using core::Fault;
using core::wire_error;
using core::WireResult;

namespace {
WireResult<bool> check_fixed(Bytes d) noexcept {
    if (d.empty()) return wire_error(Fault::truncated, 0);
    if ((d[0] >> 4) != 6) return wire_error(Fault::bad_version, 0);
    if (d.size() < 40) return wire_error(Fault::truncated, d.size());
    return true;
}
}  // namespace

WireResult<Ipv6HeaderView> Ipv6HeaderView::parse(Bytes d) noexcept {
    auto ok = check_fixed(d);
    if (!ok) return core::Unexpected(ok.error());
    std::size_t plen = core::load_be16(&d[4]);
    if (plen == 0 && d[6] == ip_protocol::hop_by_hop)  // RFC 2675 jumbogram: the length is elsewhere
        return Ipv6HeaderView(d, d.subspan(40));
    if (40 + plen > d.size()) return wire_error(Fault::truncated, d.size());
    return Ipv6HeaderView(d, d.subspan(40, plen));
}

WireResult<Ipv6HeaderView> Ipv6HeaderView::parse_header_only(Bytes d) noexcept {
    auto ok = check_fixed(d);
    if (!ok) return core::Unexpected(ok.error());
    std::size_t plen = core::load_be16(&d[4]);
    Bytes p = d.subspan(40);
    if (plen != 0 && plen < p.size()) p = p.first(plen);
    return Ipv6HeaderView(d, p);
}

bool is_ipv6_extension_header(std::uint8_t nh) noexcept {
    namespace p = ip_protocol;
    switch (nh) {
        case p::hop_by_hop: case p::ipv6_routing: case p::ipv6_fragment: case p::ah:
        case p::ipv6_destination_options: case p::mobility: case p::hip: case p::shim6:
        case p::experimental_253: case p::experimental_254: return true;
        default: return false;
    }
}

Ipv6Chain walk_ipv6_chain(std::uint8_t nh, Bytes d, std::size_t base) noexcept {
    Ipv6Chain c;
    std::size_t pos = 0;
    std::size_t nh_at = base - 34;  // the fixed header's next-header byte when base == 40
    while (is_ipv6_extension_header(nh)) {
        if (nh == ip_protocol::hop_by_hop && !c.headers.empty()) {  // RFC 8200 4.1: only first
            c.error = core::WireError{Fault::bad_value, static_cast<std::uint32_t>(nh_at)};
            break;
        }
        if (c.headers.size() == Ipv6Chain::max_headers) {
            c.error = core::WireError{Fault::bad_option, static_cast<std::uint32_t>(base + pos)};
            break;
        }
        if (d.size() - pos < 2) {
            c.truncated = true;
            break;
        }
        std::size_t len = nh == ip_protocol::ipv6_fragment ? 8
                          : nh == ip_protocol::ah          ? (std::size_t{d[pos + 1]} + 2) * 4  // RFC 4302 2.2
                                                           : (std::size_t{d[pos + 1]} + 1) * 8;  // RFC 8200 4
        c.headers.push_back({nh, static_cast<std::uint32_t>(base + pos), static_cast<std::uint32_t>(len)});
        if (d.size() - pos < len) {
            c.truncated = true;
            c.upper_layer_protocol = nh;
            c.upper_layer_offset = static_cast<std::uint32_t>(base + pos);
            // The fragment header's next header is still useful when its first bytes are here.
            return c;
        }
        std::uint8_t next = d[pos];
        if (nh == ip_protocol::ipv6_fragment) {
            std::uint16_t off = core::load_be16(&d[pos + 2]);
            c.fragment = Ipv6FragmentInfo{std::uint32_t{static_cast<std::uint16_t>(off & 0xFFF8)},
                                          (off & 1) != 0, core::load_be32(&d[pos + 4])};
        }
        nh_at = base + pos;
        pos += len;
        nh = next;
        // RFC 8200 4.5: after a non-initial fragment's header come data, not headers.
        if (c.fragment && c.fragment->offset != 0) break;
    }
    c.upper_layer_protocol = nh;
    c.upper_layer_offset = static_cast<std::uint32_t>(base + pos);
    return c;
}

WireResult<Ipv6Chain> walk_ipv6_chain(Bytes datagram) noexcept {
    auto v = Ipv6HeaderView::parse_header_only(datagram);
    if (!v) return core::Unexpected(v.error());
    return walk_ipv6_chain(v->next_header(), v->payload(), 40);
}

// ---- options (RFC 8200 4.2) ----

WireResult<std::vector<Ipv6Option>> parse_ipv6_options(Bytes d) noexcept {
    std::vector<Ipv6Option> out;
    std::size_t i = 0;
    while (i < d.size()) {
        std::uint8_t type = d[i];
        if (type == ipv6_option::pad1) {
            out.emplace_back(Pad1{});
            ++i;
            continue;
        }
        if (i + 1 >= d.size()) return wire_error(Fault::bad_option, i + 1);
        std::size_t len = d[i + 1];
        if (i + 2 + len > d.size()) return wire_error(Fault::bad_option, i + 1);
        Bytes body = d.subspan(i + 2, len);
        if (type == ipv6_option::padn) {
            out.emplace_back(PadN{{body.begin(), body.end()}});
        } else if (type == ipv6_option::router_alert) {  // RFC 2711 2.1: length 2
            if (len != 2) return wire_error(Fault::bad_option, i + 1);
            out.emplace_back(RouterAlert{core::load_be16(body.data())});
        } else if (type == ipv6_option::jumbo_payload) {  // RFC 2675 2: length 4
            if (len != 4) return wire_error(Fault::bad_option, i + 1);
            out.emplace_back(JumboPayload{core::load_be32(body.data())});
        } else {
            out.emplace_back(Ipv6RawOption{type, {body.begin(), body.end()}});
        }
        i += 2 + len;
    }
    return out;
}

std::size_t encoded_size(const Ipv6Option& o) noexcept {
    struct {
        std::size_t operator()(const Pad1&) const { return 1; }
        std::size_t operator()(const PadN& x) const { return 2 + x.data.size(); }
        std::size_t operator()(const RouterAlert&) const { return 4; }
        std::size_t operator()(const JumboPayload&) const { return 6; }
        std::size_t operator()(const Ipv6RawOption& x) const { return 2 + x.data.size(); }
    } size;
    return std::visit(size, o);
}

void emit(core::ByteWriter& w, const Ipv6Option& o) {
    struct {
        core::ByteWriter& w;
        void tl(std::uint8_t t, std::size_t l) const {
            ICMPKIT_ASSERT(l <= 255);
            w.u8(t);
            w.u8(static_cast<std::uint8_t>(l));
        }
        void operator()(const Pad1&) const { w.u8(ipv6_option::pad1); }
        void operator()(const PadN& x) const { tl(ipv6_option::padn, x.data.size()); w.bytes(x.data); }
        void operator()(const RouterAlert& x) const { tl(ipv6_option::router_alert, 2); w.u16(x.value); }
        void operator()(const JumboPayload& x) const { tl(ipv6_option::jumbo_payload, 4); w.u32(x.length); }
        void operator()(const Ipv6RawOption& x) const { tl(x.type, x.data.size()); w.bytes(x.data); }
    } emitter{w};
    std::visit(emitter, o);
}

// ---- values ----

Ipv6Header Ipv6Header::from_view(const Ipv6HeaderView& v) noexcept {
    return Ipv6Header{v.traffic_class(), v.flow_label(), v.payload_length(), v.next_header(),
                      v.hop_limit(),     v.source(),     v.destination()};
}

WireResult<Ipv6Header> Ipv6Header::parse(Bytes data) noexcept {
    auto v = Ipv6HeaderView::parse(data);
    if (!v) return core::Unexpected(v.error());
    return from_view(*v);
}

void Ipv6Header::emit(core::ByteWriter& w) const {
    w.u32((std::uint32_t{6} << 28) | (std::uint32_t{traffic_class} << 20) | (flow_label & 0xFFFFF));
    w.u16(payload_length);
    w.u8(next_header);
    w.u8(hop_limit);
    w.bytes(source.bytes());
    w.bytes(destination.bytes());
}

}  // namespace icmpkit::wire
