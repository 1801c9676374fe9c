// Neighbor Discovery options (RFC 4861 4.6, RFC 4191, RFC 8106, RFC 3971) as tshark's
// icmpv6.opt objects (docs/wireshark-fields.md section 4).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <variant>

#include "icmpkit/report/decode_json.hpp"
#include "json_detail.hpp"

namespace icmpkit::report {

using namespace detail;
namespace ndp = wire::ndp;

namespace {

struct OptionWriter {
    JsonWriter& w;

    template <std::uint8_t Type>
    void operator()(const ndp::LinkLayerAddressOption<Type>& o) const {
        field_bytes(w, "icmpv6.opt.linkaddr", o.address);
        field_bytes(w, Type == ndp::option_type::source_link_layer_address ? "icmpv6.opt.src_linkaddr"
                                                                            : "icmpv6.opt.target_linkaddr",
                    o.address);
    }
    void operator()(const ndp::PrefixInformation& o) const {
        w.field_dec("icmpv6.opt.prefix.length", o.prefix_length);
        const unsigned flags = (o.on_link ? 0x80u : 0u) | (o.autonomous ? 0x40u : 0u) |
                               (o.router_address ? 0x20u : 0u) | (o.reserved1 & 0x1Fu);
        w.field_hex("icmpv6.opt.prefix.flag", flags, 2);
        w.field_bool("icmpv6.opt.prefix.flag.l", o.on_link);
        w.field_bool("icmpv6.opt.prefix.flag.a", o.autonomous);
        w.field_bool("icmpv6.opt.prefix.flag.r", o.router_address);
        w.field_dec("icmpv6.opt.prefix.flag.reserved", o.reserved1 & 0x1Fu);
        w.field_dec("icmpv6.opt.prefix.valid_lifetime", o.valid_lifetime);
        w.field_dec("icmpv6.opt.prefix.preferred_lifetime", o.preferred_lifetime);
        field_none(w, "icmpv6.opt.reserved");
        field_ipv6(w, "icmpv6.opt.prefix", o.prefix);
    }
    // RFC 4861 4.6.3: the redirected packet is dissected as a quote, inside the option.
    void operator()(const ndp::RedirectedHeader& o) const {
        field_none(w, "icmpv6.opt.reserved");
        field_none(w, "icmpv6.opt.redirected_packet");
        write_quote_json(o.packet, w);
    }
    void operator()(const ndp::Mtu& o) const {
        field_none(w, "icmpv6.opt.reserved");
        w.field_dec("icmpv6.opt.mtu", o.mtu);
    }
    void operator()(const ndp::Nonce& o) const { field_bytes(w, "icmpv6.opt.nonce", o.nonce); }
    // RFC 4191 2.3: the prefix field is 0, 8 or 16 octets; tshark shows it as a full address.
    void operator()(const ndp::RouteInformation& o) const {
        w.field_dec("icmpv6.opt.prefix.length", o.prefix_length);
        w.field_hex("icmpv6.opt.route_info.flag", (o.reserved_bits & 0xE7u) | ((o.preference & 3u) << 3), 2);
        w.field_dec("icmpv6.opt.route_info.flag.route_preference", o.preference & 3u);
        w.field_dec("icmpv6.opt.route_info.flag.reserved", o.reserved_bits & 0xE7u);
        w.field_dec("icmpv6.opt.route_lifetime", o.route_lifetime);
        std::uint8_t full[16] = {};
        for (std::size_t i = 0; i < o.prefix.size() && i < 16; ++i) full[i] = o.prefix[i];
        field_ipv6(w, "icmpv6.opt.prefix", core::Ipv6Address::from_bytes(full));
    }
    void operator()(const ndp::RecursiveDnsServer& o) const {
        field_none(w, "icmpv6.opt.reserved");
        w.field_dec("icmpv6.opt.rdnss.lifetime", o.lifetime);
        if (o.addresses.empty()) return;
        w.name("icmpv6.opt.rdnss");
        w.begin_array();
        for (const auto& a : o.addresses) w.ipv6_string(a);
        w.end_array();
    }
    void operator()(const ndp::DnsSearchList& o) const {
        field_none(w, "icmpv6.opt.reserved");
        w.field_dec("icmpv6.opt.dnssl.lifetime", o.lifetime);
        if (!o.domains.empty()) {
            w.name("icmpv6.opt.dnssl");
            w.begin_array();
            for (const auto& d : o.domains) w.string(std::string_view(d.data(), d.size()));
            w.end_array();
        }
        if (!o.padding.empty()) field_none(w, "icmpv6.opt.padding");
    }
    // Options the wire module keeps raw but tshark names: RFC 6275 7.3 and 7.4.
    void operator()(const ndp::Raw& o) const {
        const core::Bytes d = o.data;
        if (o.type == 7 && d.size() == 6) {  // Advertisement Interval
            field_none(w, "icmpv6.opt.reserved");
            w.field_dec("icmpv6.opt.advertisement_interval", core::load_be32(d.data() + 2));
        } else if (o.type == 8 && d.size() == 6) {  // Home Agent Information
            field_none(w, "icmpv6.opt.reserved");
            w.field_dec("icmpv6.opt.home_agent_preference", core::load_be16(d.data() + 2));
            w.field_dec("icmpv6.opt.home_agent_lifetime", core::load_be16(d.data() + 4));
        }
    }
};

}  // namespace

void write_nd_options_json(std::span<const ndp::Option> options, JsonWriter& w) {
    if (options.empty()) return;
    w.name("icmpv6.opt");
    w.begin_array();
    for (const auto& o : options) {
        w.begin_object();
        w.field_dec("icmpv6.opt.type", ndp::option_type_of(o));
        w.field_dec("icmpv6.opt.length", ndp::encoded_size(o) / 8);
        std::visit(OptionWriter{w}, o);
        w.end_object();
    }
    w.end_array();
}

}  // namespace icmpkit::report
