// The `icmpv6` object for one ICMPv6 message (docs/wireshark-fields.md section 4).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <variant>

#include "icmpkit/report/decode_json.hpp"
#include "json_detail.hpp"

namespace icmpkit::report {

using namespace detail;
namespace v6 = wire::icmpv6;

namespace {

void reserved32(JsonWriter& w, std::uint32_t v) {
    std::uint8_t b[4];
    core::store_be32(b, v);
    field_bytes(w, "icmpv6.reserved", b);
}
void reserved16(JsonWriter& w, std::uint16_t v) {
    const std::uint8_t b[2] = {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
    field_bytes(w, "icmpv6.reserved", b);
}

// RFC 1035 3.1 labels to dotted text without the root's trailing dot, into a fixed buffer
// (RFC 4620 4: names in the Node Name reply). Stops at the root label, a compression pointer or
// the end of the data. Returns the bytes consumed (0 when no name could be read).
std::size_t read_dns_name(core::Bytes d, char (&out)[256], std::size_t& out_len) {
    std::size_t i = 0;
    out_len = 0;
    while (i < d.size()) {
        const std::size_t len = d[i];
        if (len == 0) return i + 1;
        if (len > 63 || i + 1 + len > d.size()) return 0;
        if (out_len + len + 1 > sizeof out) return 0;
        if (out_len) out[out_len++] = '.';
        for (std::size_t k = 0; k < len; ++k) out[out_len++] = static_cast<char>(d[i + 1 + k]);
        i += 1 + len;
    }
    return i;
}

template <std::uint8_t Type>
void write_node_information(const v6::NodeInformation<Type>& m, JsonWriter& w) {
    w.field_dec("icmpv6.ni.qtype", m.qtype);
    w.field_hex("icmpv6.ni.flag", m.flags, 4);
    w.field_bool("icmpv6.ni.flag.g", (m.flags & 0x20) != 0);
    w.field_bool("icmpv6.ni.flag.s", (m.flags & 0x10) != 0);
    w.field_bool("icmpv6.ni.flag.l", (m.flags & 0x08) != 0);
    w.field_bool("icmpv6.ni.flag.c", (m.flags & 0x04) != 0);
    w.field_bool("icmpv6.ni.flag.a", (m.flags & 0x02) != 0);
    w.field_bool("icmpv6.ni.flag.t", (m.flags & 0x01) != 0);
    w.field_hex("icmpv6.ni.flag.rsv", (m.flags & 0xFFC0u) >> 6, 4);
    std::uint64_t nonce = 0;
    for (auto b : m.nonce) nonce = (nonce << 8) | b;
    w.field_hex("icmpv6.ni.nonce", nonce, 16);
    const core::Bytes d = m.data;
    if constexpr (Type == v6::type::node_information_query) {
        // RFC 4620 4: the code says what the subject is (0 IPv6, 1 name, 2 IPv4).
        if (m.code == 0 && d.size() == 16) field_ipv6(w, "icmpv6.ni.query.subject_ipv6", core::Ipv6Address::from_bytes(d.data()));
        else if (m.code == 2 && d.size() == 4) field_ipv4(w, "icmpv6.ni.query.subject_ipv4", core::Ipv4Address::from_bytes(d.data()));
    } else {
        if (m.code != 0) return;
        if (m.qtype == 2 && d.size() >= 4) {  // Node Name (RFC 4620 6.3): TTL, then names
            w.field_dec("icmpv6.ni.reply.node_ttl", core::load_be32(d.data()));
            char name[256];
            std::size_t len = 0;
            if (read_dns_name(d.subspan(4), name, len) > 0) w.field("icmpv6.ni.reply.node_name", std::string_view(name, len));
        } else if (m.qtype == 3 || m.qtype == 4) {  // addresses (6.3/6.4): TTL + address pairs
            const std::size_t step = m.qtype == 3 ? 20 : 8;
            for (std::size_t i = 0; i + step <= d.size(); i += step) {
                w.field_dec("icmpv6.ni.reply.node_ttl", core::load_be32(d.data() + i));
                if (m.qtype == 3) field_ipv6(w, "icmpv6.ni.reply.node_address", core::Ipv6Address::from_bytes(d.data() + i + 4));
                else field_ipv4(w, "icmpv6.ni.reply.ipv4_address", core::Ipv4Address::from_bytes(d.data() + i + 4));
            }
        }
    }
}

template <std::uint8_t Type>
void write_mld_v1(const v6::MulticastListenerV1<Type>& m, JsonWriter& w) {
    w.field_dec("icmpv6.mld.maximum_response_delay", m.maximum_response_delay);
    reserved16(w, m.reserved);
    field_ipv6(w, "icmpv6.mld.multicast_address", m.multicast_address);
}

struct BodyWriter {
    JsonWriter& w;

    // RFC 4443 3.1 / 3.3 with RFC 4884 4.2: octet 4 is the length in 64-bit words.
    template <std::uint8_t Type>
    void operator()(const v6::ErrorWithExtensions<Type>& m) const {
        if (m.length_attribute != 0) {
            w.field_dec("icmpv6.length", m.length_attribute);
            field_bytes(w, "icmpv6.reserved", m.unused);
        } else {
            const std::uint8_t all[4] = {m.length_attribute, m.unused[0], m.unused[1], m.unused[2]};
            field_bytes(w, "icmpv6.reserved", all);
        }
        write_quote_json(m.original, w);
        if (m.extensions) write_extensions_json(*m.extensions, w);
    }
    void operator()(const v6::PacketTooBig& m) const {
        w.field_dec("icmpv6.mtu", m.mtu);
        write_quote_json(m.original, w);
    }
    void operator()(const v6::ParameterProblem& m) const {
        w.field_dec("icmpv6.pointer", m.pointer);
        write_quote_json(m.original, w);
    }
    template <std::uint8_t Type>
    void operator()(const v6::Echo<Type>& m) const {
        w.field_hex("icmpv6.echo.identifier", m.identifier, 4);
        w.field_dec("icmpv6.echo.sequence_number", m.sequence);
        write_data_json(m.data, w);
    }
    template <std::uint8_t Type>
    void operator()(const v6::MulticastListenerV1<Type>& m) const { write_mld_v1(m, w); }
    void operator()(const v6::Mldv2Query& m) const {  // RFC 3810 5.1
        w.field_dec("icmpv6.mld.maximum_response_code", m.maximum_response_code);
        reserved16(w, m.reserved);
        field_ipv6(w, "icmpv6.mld.multicast_address", m.multicast_address);
        const unsigned flag = ((m.resv & 0x0Fu) << 4) | (m.suppress_router_side_processing ? 0x08u : 0u) | (m.qrv & 7u);
        w.field_hex("icmpv6.mld.flag", flag, 2);
        w.field_bool("icmpv6.mld.flag.s", m.suppress_router_side_processing);
        w.field_dec("icmpv6.mld.flag.qrv", m.qrv & 7u);
        w.field_dec("icmpv6.mld.flag.reserved", m.resv & 0x0Fu);
        w.field_dec("icmpv6.mld.qqi", m.qqic);
        w.field_dec("icmpv6.mld.nb_sources", m.sources.size());
        if (m.sources.empty()) return;
        w.name("icmpv6.mld.source_address");
        w.begin_array();
        for (const auto& a : m.sources) w.ipv6_string(a);
        w.end_array();
    }
    void operator()(const v6::Mldv2Report& m) const {  // RFC 3810 5.2
        reserved16(w, m.reserved);
        w.field_dec("icmpv6.mldr.nb_mcast_records", m.records.size());
        if (m.records.empty()) return;
        w.name("icmpv6.mldr.mar");
        w.begin_array();
        for (const auto& r : m.records) {
            w.begin_object();
            w.field_dec("icmpv6.mldr.mar.record_type", r.record_type);
            w.field_dec("icmpv6.mldr.mar.aux_data_len", r.auxiliary_data.size() / 4);
            w.field_dec("icmpv6.mldr.mar.nb_sources", r.sources.size());
            field_ipv6(w, "icmpv6.mldr.mar.multicast_address", r.multicast_address);
            if (!r.sources.empty()) {
                w.name("icmpv6.mldr.mar.source_address");
                w.begin_array();
                for (const auto& a : r.sources) w.ipv6_string(a);
                w.end_array();
            }
            if (!r.auxiliary_data.empty()) field_bytes(w, "icmpv6.mldr.mar.auxiliary_data", r.auxiliary_data);
            w.end_object();
        }
        w.end_array();
    }
    void operator()(const v6::RouterSolicitation& m) const {
        reserved32(w, m.reserved);
        write_nd_options_json(m.options, w);
    }
    void operator()(const v6::RouterAdvertisement& m) const {  // RFC 4861 4.2, RFC 4191 2.2
        w.field_dec("icmpv6.nd.ra.cur_hop_limit", m.cur_hop_limit);
        const unsigned flag = (m.managed ? 0x80u : 0u) | (m.other ? 0x40u : 0u) | (m.home_agent ? 0x20u : 0u) |
                              ((m.preference & 3u) << 3) | (m.proxy ? 0x04u : 0u) | (m.reserved & 3u);
        w.field_hex("icmpv6.nd.ra.flag", flag, 2);
        w.field_bool("icmpv6.nd.ra.flag.m", m.managed);
        w.field_bool("icmpv6.nd.ra.flag.o", m.other);
        w.field_bool("icmpv6.nd.ra.flag.h", m.home_agent);
        w.field_dec("icmpv6.nd.ra.flag.prf", m.preference & 3u);
        w.field_bool("icmpv6.nd.ra.flag.p", m.proxy);
        w.field_dec("icmpv6.nd.ra.flag.rsv", m.reserved & 3u);
        w.field_dec("icmpv6.nd.ra.router_lifetime", m.router_lifetime);
        w.field_dec("icmpv6.nd.ra.reachable_time", m.reachable_time);
        w.field_dec("icmpv6.nd.ra.retrans_timer", m.retrans_timer);
        write_nd_options_json(m.options, w);
    }
    void operator()(const v6::NeighborSolicitation& m) const {
        reserved32(w, m.reserved);
        field_ipv6(w, "icmpv6.nd.ns.target_address", m.target);
        write_nd_options_json(m.options, w);
    }
    void operator()(const v6::NeighborAdvertisement& m) const {  // RFC 4861 4.4
        const std::uint32_t flag = (m.router ? 0x80000000u : 0u) | (m.solicited ? 0x40000000u : 0u) |
                                   (m.override_flag ? 0x20000000u : 0u) | (m.reserved & 0x1FFFFFFFu);
        w.field_hex("icmpv6.nd.na.flag", flag, 8);
        w.field_bool("icmpv6.nd.na.flag.r", m.router);
        w.field_bool("icmpv6.nd.na.flag.s", m.solicited);
        w.field_bool("icmpv6.nd.na.flag.o", m.override_flag);
        w.field_dec("icmpv6.nd.na.flag.rsv", m.reserved & 0x1FFFFFFFu);
        field_ipv6(w, "icmpv6.nd.na.target_address", m.target);
        write_nd_options_json(m.options, w);
    }
    void operator()(const v6::Redirect& m) const {
        reserved32(w, m.reserved);
        field_ipv6(w, "icmpv6.nd.rd.target_address", m.target);
        field_ipv6(w, "icmpv6.rd.na.destination_address", m.destination);  // sic
        write_nd_options_json(m.options, w);
    }
    template <std::uint8_t Type>
    void operator()(const v6::NodeInformation<Type>& m) const { write_node_information(m, w); }
    void operator()(const v6::ExtendedEchoRequest& m) const {  // RFC 8335 2
        w.field_hex("icmpv6.echo.identifier", m.identifier, 4);
        w.field_dec("icmpv6.ext.echo.seq", m.sequence);
        w.field_hex("icmpv6.ext.echo.req.res", m.reserved, 2);
        w.field_bool("icmpv6.ext.echo.req.local", m.local);
        if (m.extensions) write_extensions_json(*m.extensions, w);
    }
    void operator()(const v6::ExtendedEchoReply& m) const {  // RFC 8335 3
        w.field_hex("icmpv6.echo.identifier", m.identifier, 4);
        w.field_dec("icmpv6.ext.echo.seq", m.sequence);
        w.field_dec("icmpv6.ext.echo.rsp.state", m.state);
        w.field_hex("icmpv6.ext.echo.rsp.res", m.reserved, 2);
        w.field_bool("icmpv6.ext.echo.rsp.active", m.active);
        w.field_bool("icmpv6.ext.echo.rsp.ipv4", m.ipv4);
        w.field_bool("icmpv6.ext.echo.rsp.ipv6", m.ipv6);
    }
    void operator()(const v6::Unknown&) const {}
};

}  // namespace

void write_icmpv6_json(const v6::Message& m, ChecksumStatus status, JsonWriter& w) {
    w.field_dec("icmpv6.type", v6::type_of(m));
    w.field_dec("icmpv6.code", v6::code_of(m));
    w.field_hex("icmpv6.checksum", v6::checksum_of(m), 4);
    w.field_dec("icmpv6.checksum.status", static_cast<unsigned>(status));
    std::visit(BodyWriter{w}, m);
}

}  // namespace icmpkit::report
