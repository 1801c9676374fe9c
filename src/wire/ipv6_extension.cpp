// IPv6 extension headers as values (RFC 8200 4, RFC 4302 2).
#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/ipv6.hpp"

namespace icmpkit::wire {

using core::Bytes;
using core::Fault;
using core::wire_error;
using core::WireResult;

namespace {
std::size_t padded8(std::size_t n) noexcept { return (n + 7) & ~std::size_t{7}; }
std::size_t options_size(const Ipv6OptionsHeader& h) noexcept {
    std::size_t n = 2;
    for (const auto& o : h.options) n += encoded_size(o);
    return n;
}
}  // namespace

// g++ 12 reports a false -Wmaybe-uninitialized when a variant of vector-holding structs is moved
// into a Result; the members are all initialised by the aggregate initialisers below.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
WireResult<Ipv6Extension> parse_ipv6_extension(std::uint8_t type, Bytes d) noexcept {
    namespace p = ip_protocol;
    if (d.size() < 2) return wire_error(Fault::truncated, d.size());
    std::size_t len = type == p::ipv6_fragment ? 8
                      : type == p::ah          ? (std::size_t{d[1]} + 2) * 4
                                               : (std::size_t{d[1]} + 1) * 8;
    if (d.size() < len) return wire_error(Fault::truncated, d.size());
    std::uint8_t nh = d[0];
    if (type == p::hop_by_hop || type == p::ipv6_destination_options) {
        auto opts = parse_ipv6_options(d.subspan(2, len - 2));
        if (!opts) return core::Unexpected(core::shifted(opts.error(), 2));
        return Ipv6Extension{Ipv6OptionsHeader{type, nh, std::move(*opts)}};
    }
    if (type == p::ipv6_routing)
        return Ipv6Extension{Ipv6RoutingHeader{nh, d[2], d[3], {d.begin() + 4, d.begin() + static_cast<std::ptrdiff_t>(len)}}};
    if (type == p::ipv6_fragment) {
        std::uint16_t off = core::load_be16(&d[2]);
        return Ipv6Extension{Ipv6FragmentHeader{nh, d[1], std::uint32_t{static_cast<std::uint16_t>(off & 0xFFF8)},
                                                static_cast<std::uint8_t>((off >> 1) & 3), (off & 1) != 0,
                                                core::load_be32(&d[4])}};
    }
    if (type == p::ah) {
        if (len < 12) return wire_error(Fault::bad_length, 1);  // RFC 4302 2: SPI and sequence
        return Ipv6Extension{Ipv6AuthHeader{nh, core::load_be16(&d[2]), core::load_be32(&d[4]), core::load_be32(&d[8]),
                                            {d.begin() + 12, d.begin() + static_cast<std::ptrdiff_t>(len)}}};
    }
    if (!is_ipv6_extension_header(type)) return wire_error(Fault::unsupported, 0);
    return Ipv6Extension{Ipv6GenericExtension{type, nh, {d.begin() + 2, d.begin() + static_cast<std::ptrdiff_t>(len)}}};
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

std::uint8_t extension_type(const Ipv6Extension& e) noexcept {
    struct {
        std::uint8_t operator()(const Ipv6OptionsHeader& x) const { return x.type; }
        std::uint8_t operator()(const Ipv6RoutingHeader&) const { return ip_protocol::ipv6_routing; }
        std::uint8_t operator()(const Ipv6FragmentHeader&) const { return ip_protocol::ipv6_fragment; }
        std::uint8_t operator()(const Ipv6AuthHeader&) const { return ip_protocol::ah; }
        std::uint8_t operator()(const Ipv6GenericExtension& x) const { return x.type; }
    } t;
    return std::visit(t, e);
}

std::size_t encoded_size(const Ipv6Extension& e) noexcept {
    struct {
        std::size_t operator()(const Ipv6OptionsHeader& x) const { return padded8(options_size(x)); }
        std::size_t operator()(const Ipv6RoutingHeader& x) const { return padded8(4 + x.data.size()); }
        std::size_t operator()(const Ipv6FragmentHeader&) const { return 8; }
        std::size_t operator()(const Ipv6AuthHeader& x) const { return 12 + ((x.icv.size() + 3) & ~std::size_t{3}); }
        std::size_t operator()(const Ipv6GenericExtension& x) const { return padded8(2 + x.data.size()); }
    } size;
    return std::visit(size, e);
}

void emit(core::ByteWriter& w, const Ipv6Extension& e) {
    std::size_t len = encoded_size(e);
    std::size_t start = w.size();
    auto len_octet = [&](std::size_t unit, std::size_t minus) {
        std::size_t v = len / unit - minus;
        ICMPKIT_ASSERT(v <= 255);
        return static_cast<std::uint8_t>(v);
    };
    if (auto* o = std::get_if<Ipv6OptionsHeader>(&e)) {
        w.u8(o->next_header);
        w.u8(len_octet(8, 1));
        for (const auto& opt : o->options) emit(w, opt);
        std::size_t pad = len - options_size(*o);  // RFC 8200 4.2: Pad1 or PadN to the 8 boundary
        if (pad == 1) emit(w, Ipv6Option{Pad1{}});
        if (pad >= 2) emit(w, Ipv6Option{PadN{std::vector<std::uint8_t>(pad - 2, 0)}});
    } else if (auto* r = std::get_if<Ipv6RoutingHeader>(&e)) {
        w.u8(r->next_header);
        w.u8(len_octet(8, 1));
        w.u8(r->routing_type);
        w.u8(r->segments_left);
        w.bytes(r->data);
    } else if (auto* f = std::get_if<Ipv6FragmentHeader>(&e)) {
        w.u8(f->next_header);
        w.u8(f->reserved);
        w.u16(static_cast<std::uint16_t>((f->fragment_offset & 0xFFF8) | ((f->res & 3) << 1) | (f->more_fragments ? 1 : 0)));
        w.u32(f->identification);
    } else if (auto* a = std::get_if<Ipv6AuthHeader>(&e)) {
        w.u8(a->next_header);
        w.u8(len_octet(4, 2));
        w.u16(a->reserved);
        w.u32(a->spi);
        w.u32(a->sequence);
        w.bytes(a->icv);
    } else if (auto* g = std::get_if<Ipv6GenericExtension>(&e)) {
        w.u8(g->next_header);
        w.u8(len_octet(8, 1));
        w.bytes(g->data);
    }
    while (w.size() - start < len) w.u8(0);
}

}  // namespace icmpkit::wire
