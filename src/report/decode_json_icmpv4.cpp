// The `icmp` object for one ICMPv4 message (docs/wireshark-fields.md section 3).
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string_view>
#include <utility>
#include <type_traits>
#include <variant>

#include "icmpkit/report/decode_json.hpp"
#include "json_detail.hpp"

namespace icmpkit::report {

using namespace detail;
namespace v4 = wire::icmpv4;

namespace {

// RFC 4884 section 4.1 (types 3, 11, 12): octet 5 is the length of the original datagram in
// 32-bit words. tshark shows the split form whenever it is non-zero.
void write_length_attribute(std::uint8_t length, JsonWriter& w) {
    w.field_dec("icmp.length", length);
    w.field_dec("icmp.length.original_datagram", std::uint32_t{length} * 4);
}

template <class Error>
void write_original_and_extensions(const Error& m, std::optional<std::int64_t> frame_seconds, JsonWriter& w) {
    write_quote_json(m.original, w, frame_seconds);
    if (m.extensions) write_extensions_json(*m.extensions, w);
}

// Types 3 and 11: unused(1) length(1) and two more octets (next-hop MTU for 3/4, RFC 1191).
// The unused octets are one `icmp.unused` value per run, repeated values as an array.
void write_unreachable_like(std::uint8_t unused, std::uint8_t length, std::uint16_t low, bool mtu,
                            JsonWriter& w) {
    const std::uint8_t low_bytes[2] = {static_cast<std::uint8_t>(low >> 8), static_cast<std::uint8_t>(low)};
    const std::uint8_t all[4] = {unused, length, low_bytes[0], low_bytes[1]};
    w.name("icmp.unused");
    if (length != 0) {
        if (mtu) {
            w.bytes_string(core::Bytes(all, 1));
        } else {
            w.begin_array();
            w.bytes_string(core::Bytes(all, 1));
            w.bytes_string(low_bytes);
            w.end_array();
        }
        write_length_attribute(length, w);
    } else {
        w.bytes_string(core::Bytes(all, mtu ? 2 : 4));
    }
    if (mtu) w.field_dec("icmp.mtu", low);
}

struct BodyWriter {
    JsonWriter& w;
    std::optional<std::int64_t> frame_seconds;

    void operator()(const v4::EchoRequest& m) const { echo(m); }
    void operator()(const v4::EchoReply& m) const { echo(m); }
    template <class Echo>
    void echo(const Echo& m) const {
        ident_seq_v4(w, m.identifier, m.sequence);
        write_echo_data(m.data, frame_seconds, w);
    }
    void operator()(const v4::DestinationUnreachable& m) const {
        write_unreachable_like(m.unused, m.length_attribute, m.next_hop_mtu, m.code == 4, w);
        write_original_and_extensions(m, frame_seconds, w);
    }
    void operator()(const v4::TimeExceeded& m) const {
        write_unreachable_like(m.unused, m.length_attribute, m.unused2, false, w);
        write_original_and_extensions(m, frame_seconds, w);
    }
    void operator()(const v4::ParameterProblem& m) const {
        w.field_dec("icmp.pointer", m.pointer);
        const std::uint8_t low[2] = {static_cast<std::uint8_t>(m.unused >> 8), static_cast<std::uint8_t>(m.unused)};
        if (m.length_attribute != 0) {
            write_length_attribute(m.length_attribute, w);
            field_bytes(w, "icmp.unused", low);
        } else {
            const std::uint8_t three[3] = {m.length_attribute, low[0], low[1]};
            field_bytes(w, "icmp.unused", three);
        }
        write_original_and_extensions(m, frame_seconds, w);
    }
    // tshark shows no field for the unused word of a source quench (a quirk we share: the
    // word is reported under icmpkit.unused only when it is not zero).
    void operator()(const v4::SourceQuench& m) const {
        if (m.unused != 0) w.field_hex("icmpkit.unused", m.unused, 8);
        write_quote_json(m.original, w, frame_seconds);
    }
    void operator()(const v4::Redirect& m) const {
        field_ipv4(w, "icmp.redir_gw", m.gateway);
        write_quote_json(m.original, w, frame_seconds);
    }
    // RFC 1256 section 3.
    void operator()(const v4::RouterAdvertisement& m) const {
        w.field_dec("icmp.num_addrs", m.num_addrs);
        w.field_dec("icmp.addr_entry_size", m.addr_entry_size);
        w.field_dec("icmp.lifetime", m.lifetime);
        if (m.entries.empty()) return;
        w.name("icmp.router_entry");
        w.begin_array();
        for (const auto& e : m.entries) {
            w.begin_object();
            field_ipv4(w, "icmp.router_address", e.address);
            w.name("icmp.pref_level");
            w.dec_string_signed(e.preference);
            w.end_object();
        }
        w.end_array();
    }
    void operator()(const v4::RouterSolicitation&) const {}
    void operator()(const v4::Timestamp& m) const { timestamps(m); }
    void operator()(const v4::TimestampReply& m) const { timestamps(m); }
    template <class T>
    void timestamps(const T& m) const {
        ident_seq_v4(w, m.identifier, m.sequence);
        w.field_dec("icmp.originate_timestamp", m.originate);
        w.field_dec("icmp.receive_timestamp", m.receive);
        w.field_dec("icmp.transmit_timestamp", m.transmit);
    }
    void operator()(const v4::InformationRequest& m) const { ident_seq_v4(w, m.identifier, m.sequence); }
    void operator()(const v4::InformationReply& m) const { ident_seq_v4(w, m.identifier, m.sequence); }
    void operator()(const v4::AddressMaskRequest& m) const { mask(m); }
    void operator()(const v4::AddressMaskReply& m) const { mask(m); }
    template <class T>
    void mask(const T& m) const {
        ident_seq_v4(w, m.identifier, m.sequence);
        field_ipv4(w, "icmp.address_mask", m.mask);
    }
    // tshark 4.0 decodes nothing after the checksum of types 30 and 40: ours go under icmpkit.
    void operator()(const v4::Traceroute& m) const {
        w.field_dec("icmpkit.traceroute.identifier", m.identifier);
        w.field_dec("icmpkit.traceroute.outbound_hop_count", m.outbound_hop_count);
        w.field_dec("icmpkit.traceroute.return_hop_count", m.return_hop_count);
        w.field_dec("icmpkit.traceroute.output_link_speed", m.output_link_speed);
        w.field_dec("icmpkit.traceroute.output_link_mtu", m.output_link_mtu);
    }
    void operator()(const v4::Photuris& m) const { w.field_dec("icmpkit.photuris.pointer", m.pointer); }
    // RFC 8335 section 2.
    void operator()(const v4::ExtendedEchoRequest& m) const {
        w.field_dec("icmp.ident", m.identifier);
        w.field_dec("icmp.ident_le", swap16(m.identifier));
        w.field_dec("icmp.ext.echo.seq", m.sequence);
        w.field_hex("icmp.ext.echo.req.res", m.reserved, 2);
        w.field_bool("icmp.ext.echo.req.local", m.local);
        if (m.extensions) write_extensions_json(*m.extensions, w);
    }
    // RFC 8335 section 3.
    void operator()(const v4::ExtendedEchoReply& m) const {
        w.field_dec("icmp.ident", m.identifier);
        w.field_dec("icmp.ident_le", swap16(m.identifier));
        w.field_dec("icmp.ext.echo.seq", m.sequence);
        w.field_dec("icmp.ext.echo.rsp.state", m.state);
        w.field_hex("icmp.ext.echo.rsp.res", m.reserved, 2);
        w.field_bool("icmp.ext.echo.rsp.active", m.active);
        w.field_bool("icmp.ext.echo.rsp.ipv4", m.ipv4);
        w.field_bool("icmp.ext.echo.rsp.ipv6", m.ipv6);
        if (m.extensions) write_extensions_json(*m.extensions, w);
    }
    void operator()(const v4::Unknown&) const {}
};

}  // namespace

void write_icmpv4_json(const v4::Message& m, ChecksumStatus status, JsonWriter& w,
                       std::optional<std::int64_t> frame_seconds) {
    w.field_dec("icmp.type", v4::type_of(m));
    w.field_dec("icmp.code", v4::code_of(m));
    w.field_hex("icmp.checksum", v4::checksum_of(m), 4);
    w.field_dec("icmp.checksum.status", static_cast<unsigned>(status));
    std::visit(BodyWriter{w, frame_seconds}, m);
}

}  // namespace icmpkit::report
