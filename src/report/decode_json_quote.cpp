// The datagram quoted in an ICMP error, nested as tshark nests it (docs/wireshark-fields.md
// section 3, "Quoted datagram"): "ip"/"ipv6" then the transport object, fields present only
// when their bytes are (a quote is truncated by nature, RFC 792 / RFC 4443 2.4(c)).
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "icmpkit/report/decode_json.hpp"
#include "json_detail.hpp"

namespace icmpkit::report {

using namespace detail;

namespace {

constexpr std::uint8_t proto_icmp = 1, proto_tcp = 6, proto_udp = 17, proto_icmpv6 = 58;

void write_quoted_udp(core::Bytes t, JsonWriter& w) {
    w.name("udp");
    w.begin_object();
    const std::size_t n = t.size();
    if (n >= 2) w.field_dec("udp.srcport", core::load_be16(&t[0]));
    if (n >= 4) w.field_dec("udp.dstport", core::load_be16(&t[2]));
    if (n >= 6) w.field_dec("udp.length", core::load_be16(&t[4]));
    if (n >= 8) {
        const std::uint16_t checksum = core::load_be16(&t[6]);
        w.field_hex("udp.checksum", checksum, 4);
        // RFC 768: zero means the sender computed no checksum.
        w.field_dec("udp.checksum.status",
                    static_cast<unsigned>(checksum == 0 ? ChecksumStatus::not_present : ChecksumStatus::unverified));
        const std::size_t length = core::load_be16(&t[4]);
        if (length > 8) {
            const std::size_t payload = std::min(length - 8, n - 8);
            if (payload > 0) field_bytes(w, "udp.payload", t.subspan(8, payload));
        }
    }
    w.end_object();
}

void write_quoted_tcp(core::Bytes t, JsonWriter& w) {
    w.name("tcp");
    w.begin_object();
    const std::size_t n = t.size();
    if (n >= 2) w.field_dec("tcp.srcport", core::load_be16(&t[0]));
    if (n >= 4) w.field_dec("tcp.dstport", core::load_be16(&t[2]));
    if (n >= 8) w.field_dec("tcp.seq_raw", core::load_be32(&t[4]));
    w.end_object();
}

bool v4_has_ident(std::uint8_t type) noexcept {
    return type == 0 || type == 8 || (type >= 13 && type <= 18);
}

void write_quoted_icmp(core::Bytes t, bool v6, std::optional<std::int64_t> frame_seconds, JsonWriter& w) {
    w.name(v6 ? "icmpv6" : "icmp");
    w.begin_object();
    const std::size_t n = t.size();
    if (n >= 1) w.field_dec(v6 ? "icmpv6.type" : "icmp.type", t[0]);
    if (n >= 2) w.field_dec(v6 ? "icmpv6.code" : "icmp.code", t[1]);
    if (n >= 4) {
        w.field_hex(v6 ? "icmpv6.checksum" : "icmp.checksum", core::load_be16(&t[2]), 4);
        w.field_dec(v6 ? "icmpv6.checksum.status" : "icmp.checksum.status",
                    static_cast<unsigned>(ChecksumStatus::unverified));
    }
    if (n >= 8) {
        const std::uint16_t id = core::load_be16(&t[4]), seq = core::load_be16(&t[6]);
        if (v6 && (t[0] == 128 || t[0] == 129)) {
            w.field_hex("icmpv6.echo.identifier", id, 4);
            w.field_dec("icmpv6.echo.sequence_number", seq);
            write_data_json(t.subspan(8), w);
        } else if (!v6 && v4_has_ident(t[0])) {
            ident_seq_v4(w, id, seq);
            if (t[0] == 0 || t[0] == 8) write_echo_data(t.subspan(8), frame_seconds, w);
        }
    }
    w.end_object();
}

void write_transport(std::uint8_t protocol, core::Bytes t, std::optional<std::int64_t> frame_seconds, JsonWriter& w) {
    if (t.empty()) return;
    switch (protocol) {
        case proto_udp: write_quoted_udp(t, w); break;
        case proto_tcp: write_quoted_tcp(t, w); break;
        case proto_icmp: write_quoted_icmp(t, false, frame_seconds, w); break;
        case proto_icmpv6: write_quoted_icmp(t, true, frame_seconds, w); break;
        default: break;
    }
}

}  // namespace

void write_data_json(core::Bytes payload, JsonWriter& w) {
    if (payload.empty()) return;
    w.name("data");
    w.begin_object();
    field_bytes(w, "data.data", payload);
    w.field_dec("data.len", payload.size());
    w.end_object();
}

void write_quote_json(core::Bytes q, JsonWriter& w, std::optional<std::int64_t> frame_seconds) {
    if (q.empty()) return;
    const unsigned version = q[0] >> 4;
    if (version == 4) {
        w.name("ip");
        w.begin_object();
        write_ipv4_fields(q.first(std::min<std::size_t>(q.size(), 20)), w);
        w.end_object();
        const std::size_t ihl = std::size_t{q[0] & 0x0Fu} * 4;
        if (ihl < 20 || q.size() <= ihl) return;
        const std::uint16_t frag = core::load_be16(&q[6]);
        if ((frag & 0x1FFF) != 0) return;  // a non-initial fragment carries no transport header
        std::size_t end = q.size();
        const std::size_t total = core::load_be16(&q[2]);
        if (total >= ihl) end = std::min(end, total);
        if (end > ihl) write_transport(q[9], q.subspan(ihl, end - ihl), frame_seconds, w);
    } else if (version == 6) {
        w.name("ipv6");
        w.begin_object();
        const Ipv6ChainEnd chain = write_ipv6_fields(q, w);
        w.end_object();
        if (chain.offset == 0 || chain.fragment || q.size() <= chain.offset) return;
        const std::size_t end = std::min(q.size(), 40 + std::size_t{core::load_be16(&q[4])});
        if (end > chain.offset) write_transport(chain.protocol, q.subspan(chain.offset, end - chain.offset), frame_seconds, w);
    }
}

}  // namespace icmpkit::report
