#include "icmpkit/wire/ndp.hpp"

#include <string_view>

namespace icmpkit::wire::ndp {
namespace {

using core::Buffer;
using core::Bytes;

Buffer to_buffer(Bytes b) { return Buffer(b.begin(), b.end()); }

// Each decoder takes the option body (after type and length) and returns the typed option, or
// Raw when the body does not fit the layout.
Option decode_prefix_information(Bytes b) {
    if (b.size() != 30) return Raw{option_type::prefix_information, to_buffer(b)};  // RFC 4861 4.6.2: length 4
    PrefixInformation p;
    p.prefix_length = b[0];
    p.on_link = b[1] & 0x80;
    p.autonomous = b[1] & 0x40;
    p.router_address = b[1] & 0x20;
    p.reserved1 = b[1] & 0x1F;
    p.valid_lifetime = core::load_be32(&b[2]);
    p.preferred_lifetime = core::load_be32(&b[6]);
    p.reserved2 = core::load_be32(&b[10]);
    p.prefix = core::Ipv6Address::from_bytes(&b[14]);
    return p;
}

Option decode_redirected_header(Bytes b) {
    RedirectedHeader r;  // RFC 4861 4.6.3: length >= 1 always holds here
    for (std::size_t i = 0; i < 6; ++i) r.reserved[i] = b[i];
    r.packet = to_buffer(b.subspan(6));
    return r;
}

Option decode_mtu(Bytes b) {
    if (b.size() != 6) return Raw{option_type::mtu, to_buffer(b)};  // RFC 4861 4.6.4: length 1
    return Mtu{core::load_be16(&b[0]), core::load_be32(&b[2])};
}

Option decode_route_information(Bytes b) {
    // RFC 4191 2.3: length 1, 2 or 3 (prefix of 0, 8 or 16 bytes).
    if (b.size() > 22) return Raw{option_type::route_information, to_buffer(b)};
    RouteInformation r;
    r.prefix_length = b[0];
    r.preference = static_cast<std::uint8_t>((b[1] >> 3) & 0x03);
    r.reserved_bits = b[1] & 0xE7;
    r.route_lifetime = core::load_be32(&b[2]);
    r.prefix = to_buffer(b.subspan(6));
    return r;
}

Option decode_rdnss(Bytes b) {
    // RFC 8106 5.1: length 3 + 2n, n >= 1.
    if (b.size() < 22 || (b.size() - 6) % 16 != 0) return Raw{option_type::recursive_dns_server, to_buffer(b)};
    RecursiveDnsServer r;
    r.reserved = core::load_be16(&b[0]);
    r.lifetime = core::load_be32(&b[2]);
    for (std::size_t at = 6; at < b.size(); at += 16) r.addresses.push_back(core::Ipv6Address::from_bytes(&b[at]));
    return r;
}

// One uncompressed domain name (RFC 1035 3.1) at b[at]; false when it cannot be written back.
bool decode_domain(Bytes b, std::size_t& at, std::string& name) {
    while (at < b.size()) {
        std::uint8_t n = b[at++];
        if (n == 0) return !name.empty();
        if (n > 63 || n > b.size() - at) return false;  // compression pointer or overrun
        if (!name.empty()) name.push_back('.');
        for (std::size_t i = 0; i < n; ++i) {
            char c = static_cast<char>(b[at + i]);
            if (c == '.') return false;  // text could not say where the label ends
            name.push_back(c);
        }
        at += n;
    }
    return false;  // no terminating root label inside the option
}

Option decode_dnssl(Bytes b) {
    Raw raw{option_type::dns_search_list, to_buffer(b)};
    if (b.size() < 14) return raw;  // RFC 8106 5.2: length >= 2
    DnsSearchList d;
    d.reserved = core::load_be16(&b[0]);
    d.lifetime = core::load_be32(&b[2]);
    std::size_t at = 6;
    while (at < b.size() && b[at] != 0) {
        std::string name;
        if (!decode_domain(b, at, name)) return raw;
        d.domains.push_back(std::move(name));
    }
    d.padding = to_buffer(b.subspan(at));  // RFC 8106 5.2: zeros after the last name
    return d;
}

Option decode(std::uint8_t type, Bytes body) {
    switch (type) {
        case option_type::source_link_layer_address: return SourceLinkLayerAddress{to_buffer(body)};
        case option_type::target_link_layer_address: return TargetLinkLayerAddress{to_buffer(body)};
        case option_type::prefix_information: return decode_prefix_information(body);
        case option_type::redirected_header: return decode_redirected_header(body);
        case option_type::mtu: return decode_mtu(body);
        case option_type::nonce: return Nonce{to_buffer(body)};
        case option_type::route_information: return decode_route_information(body);
        case option_type::recursive_dns_server: return decode_rdnss(body);
        case option_type::dns_search_list: return decode_dnssl(body);
        default: return Raw{type, to_buffer(body)};
    }
}

// Body size (after type and length) of each option value.
struct BodySize {
    template <std::uint8_t T>
    std::size_t operator()(const LinkLayerAddressOption<T>& o) const { return o.address.size(); }
    std::size_t operator()(const PrefixInformation&) const { return 30; }
    std::size_t operator()(const RedirectedHeader& o) const { return 6 + o.packet.size(); }
    std::size_t operator()(const Mtu&) const { return 6; }
    std::size_t operator()(const Nonce& o) const { return o.nonce.size(); }
    std::size_t operator()(const RouteInformation& o) const { return 6 + o.prefix.size(); }
    std::size_t operator()(const RecursiveDnsServer& o) const { return 6 + 16 * o.addresses.size(); }
    std::size_t operator()(const DnsSearchList& o) const {
        std::size_t n = 6 + o.padding.size();
        for (const auto& d : o.domains) n += d.size() + 2;  // first length byte + dots-as-lengths + root
        return n;
    }
    std::size_t operator()(const Raw& o) const { return o.data.size(); }
};

void put_domain(core::ByteWriter& out, std::string_view name) {
    while (!name.empty()) {
        auto dot = name.find('.');
        auto label = name.substr(0, dot);
        out.u8(static_cast<std::uint8_t>(label.size()));
        out.bytes(Bytes(reinterpret_cast<const std::uint8_t*>(label.data()), label.size()));
        if (dot == std::string_view::npos) break;
        name.remove_prefix(dot + 1);
    }
    out.u8(0);
}

struct BodyWriter {
    core::ByteWriter& out;
    template <std::uint8_t T>
    void operator()(const LinkLayerAddressOption<T>& o) const { out.bytes(o.address); }
    void operator()(const PrefixInformation& o) const {
        out.u8(o.prefix_length);
        out.u8(static_cast<std::uint8_t>((o.on_link ? 0x80 : 0) | (o.autonomous ? 0x40 : 0) |
                                         (o.router_address ? 0x20 : 0) | (o.reserved1 & 0x1F)));
        out.u32(o.valid_lifetime);
        out.u32(o.preferred_lifetime);
        out.u32(o.reserved2);
        out.bytes(o.prefix.bytes());
    }
    void operator()(const RedirectedHeader& o) const { out.bytes(o.reserved); out.bytes(o.packet); }
    void operator()(const Mtu& o) const { out.u16(o.reserved); out.u32(o.mtu); }
    void operator()(const Nonce& o) const { out.bytes(o.nonce); }
    void operator()(const RouteInformation& o) const {
        out.u8(o.prefix_length);
        out.u8(static_cast<std::uint8_t>((o.reserved_bits & 0xE7) | ((o.preference & 0x03) << 3)));
        out.u32(o.route_lifetime);
        out.bytes(o.prefix);
    }
    void operator()(const RecursiveDnsServer& o) const {
        out.u16(o.reserved);
        out.u32(o.lifetime);
        for (const auto& a : o.addresses) out.bytes(a.bytes());
    }
    void operator()(const DnsSearchList& o) const {
        out.u16(o.reserved);
        out.u32(o.lifetime);
        for (const auto& d : o.domains) put_domain(out, d);
        out.bytes(o.padding);
    }
    void operator()(const Raw& o) const { out.bytes(o.data); }
};

struct TypeOf {
    template <class T>
    std::uint8_t operator()(const T&) const { return T::type; }
    std::uint8_t operator()(const Raw& o) const { return o.type; }
};

}  // namespace

std::uint8_t option_type_of(const Option& o) noexcept { return std::visit(TypeOf{}, o); }

core::WireResult<std::vector<Option>> parse_options(core::Bytes data, std::size_t base) {
    std::vector<Option> options;
    std::size_t at = 0;
    while (at < data.size()) {
        if (data.size() - at < 2) return core::wire_error(core::Fault::truncated, base + at);
        std::size_t length = std::size_t{data[at + 1]} * 8;
        // RFC 4861 4.6: "Nodes MUST silently discard an ND packet that contains an option with
        // length zero."
        if (length == 0) return core::wire_error(core::Fault::bad_length, base + at);
        if (length > data.size() - at) return core::wire_error(core::Fault::truncated, base + at);
        options.push_back(decode(data[at], data.subspan(at + 2, length - 2)));
        at += length;
    }
    return options;
}

std::size_t encoded_size(const Option& option) noexcept {
    return (2 + std::visit(BodySize{}, option) + 7) / 8 * 8;
}

std::size_t encoded_size(const std::vector<Option>& options) noexcept {
    std::size_t n = 0;
    for (const auto& o : options) n += encoded_size(o);
    return n;
}

void emit(const Option& option, core::ByteWriter& out) {
    std::size_t total = encoded_size(option);
    ICMPKIT_ASSERT(total <= 255 * 8);  // our bug: a value too large for one option
    std::size_t start = out.size();
    out.u8(option_type_of(option));
    out.u8(static_cast<std::uint8_t>(total / 8));
    std::visit(BodyWriter{out}, option);
    out.zeros(total - (out.size() - start));
}

void emit(const std::vector<Option>& options, core::ByteWriter& out) {
    for (const auto& o : options) emit(o, out);
}

}  // namespace icmpkit::wire::ndp
