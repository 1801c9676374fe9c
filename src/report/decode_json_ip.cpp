// IPv4 / IPv6 header fields in tshark's names and forms (docs/wireshark-fields.md section 2).
// Field-by-field over raw bytes so that a truncated header (a short quote) yields exactly the
// fields whose bytes are present.
#include <cstddef>
#include <cstdint>

#include "icmpkit/core/address.hpp"
#include "icmpkit/report/decode_json.hpp"
#include "json_detail.hpp"

namespace icmpkit::report {

using namespace detail;

void write_ipv4_fields(core::Bytes h, JsonWriter& w) {
    const std::size_t n = h.size();
    if (n < 1) return;
    w.field_dec("ip.version", h[0] >> 4);
    w.field_dec("ip.hdr_len", (h[0] & 0x0Fu) * 4u);
    if (n < 2) return;
    w.field_hex("ip.dsfield", h[1], 2);
    w.field_dec("ip.dsfield.dscp", h[1] >> 2);
    w.field_dec("ip.dsfield.ecn", h[1] & 3u);
    if (n < 4) return;
    w.field_dec("ip.len", core::load_be16(&h[2]));
    if (n < 6) return;
    w.field_hex("ip.id", core::load_be16(&h[4]), 4);
    if (n < 8) return;
    // tshark 4.0 prints bit-field values shifted down: DF alone is "0x02".
    w.field_hex("ip.flags", h[6] >> 5, 2);
    w.field_bool("ip.flags.rb", (h[6] & 0x80) != 0);
    w.field_bool("ip.flags.df", (h[6] & 0x40) != 0);
    w.field_bool("ip.flags.mf", (h[6] & 0x20) != 0);
    w.field_dec("ip.frag_offset", core::load_be16(&h[6]) & 0x1FFFu);  // 8-octet units, as on the wire
    if (n < 9) return;
    w.field_dec("ip.ttl", h[8]);
    if (n < 10) return;
    w.field_dec("ip.proto", h[9]);
    if (n < 12) return;
    w.field_hex("ip.checksum", core::load_be16(&h[10]), 4);
    w.field_dec("ip.checksum.status", static_cast<unsigned>(ChecksumStatus::unverified));
    if (n < 16) return;
    field_ipv4(w, "ip.src", core::Ipv4Address::from_bytes(&h[12]));
    if (n < 20) return;
    field_ipv4(w, "ip.dst", core::Ipv4Address::from_bytes(&h[16]));
}

namespace {

constexpr std::uint8_t nh_hop_by_hop = 0, nh_routing = 43, nh_fragment = 44, nh_dstopts = 60;

// RFC 8200 4.2: the TLV options of a hop-by-hop or destination options header.
void write_ipv6_options(core::Bytes area, JsonWriter& w) {
    std::size_t i = 0;
    bool open = false;
    while (i < area.size()) {
        const std::uint8_t type = area[i];
        if (!open) {
            w.name("ipv6.opt");
            w.begin_array();
            open = true;
        }
        w.begin_object();
        if (type == 0) {  // Pad1: type and the pad1 marker only
            w.field_hex("ipv6.opt.type", type, 2);
            field_none(w, "ipv6.opt.pad1");
            w.end_object();
            ++i;
            continue;
        }
        w.field_hex("ipv6.opt.type", type, 2);
        w.field_dec("ipv6.opt.type.action", type >> 6);
        w.field_dec("ipv6.opt.type.change", (type >> 5) & 1u);
        w.field_hex("ipv6.opt.type.rest", type & 0x1Fu, 2);
        if (i + 2 > area.size()) {
            w.end_object();
            break;
        }
        const std::size_t len = area[i + 1];
        w.field_dec("ipv6.opt.length", len);
        if (i + 2 + len > area.size()) {
            w.end_object();
            break;
        }
        const core::Bytes value = area.subspan(i + 2, len);
        if (type == 1) field_bytes(w, "ipv6.opt.padn", value);
        else if (type == 5 && len == 2) w.field_dec("ipv6.opt.router_alert", core::load_be16(value.data()));
        else if (type == 0xC2 && len == 4) w.field_dec("ipv6.opt.jumbo", core::load_be32(value.data()));
        w.end_object();
        i += 2 + len;
    }
    if (open) w.end_array();
}

}  // namespace

Ipv6ChainEnd write_ipv6_fields(core::Bytes d, JsonWriter& w) {
    Ipv6ChainEnd end;
    const std::size_t n = d.size();
    if (n < 1) return end;
    w.field_dec("ipv6.version", d[0] >> 4);
    w.field_dec("ip.version", d[0] >> 4);  // sic: tshark adds ip.version to IPv6 too
    if (n < 2) return end;
    const unsigned tclass = ((d[0] & 0x0Fu) << 4) | (d[1] >> 4);
    w.field_hex("ipv6.tclass", tclass, 8);
    w.field_dec("ipv6.tclass.dscp", tclass >> 2);
    w.field_dec("ipv6.tclass.ecn", tclass & 3u);
    if (n < 4) return end;
    w.field_hex("ipv6.flow", ((d[1] & 0x0Fu) << 16) | (unsigned{d[2]} << 8) | d[3], 6);
    if (n < 6) return end;
    w.field_dec("ipv6.plen", core::load_be16(&d[4]));
    if (n < 7) return end;
    w.field_dec("ipv6.nxt", d[6]);
    if (n < 8) return end;
    w.field_dec("ipv6.hlim", d[7]);
    if (n < 24) return end;
    field_ipv6(w, "ipv6.src", core::Ipv6Address::from_bytes(&d[8]));
    if (n < 40) return end;
    field_ipv6(w, "ipv6.dst", core::Ipv6Address::from_bytes(&d[24]));

    // Extension headers (RFC 8200 4). Each is at least 8 octets, so the walk ends with the bytes.
    std::uint8_t next = d[6];
    std::size_t off = 40;
    for (;;) {
        if (next != nh_hop_by_hop && next != nh_routing && next != nh_fragment && next != nh_dstopts) break;
        if (off + 8 > n) return end;  // not all there: no upper layer
        const std::uint8_t nh = d[off];
        if (next == nh_fragment) {
            w.name("ipv6.fraghdr");
            w.begin_object();
            w.field_dec("ipv6.fraghdr.nxt", nh);
            w.field_hex("ipv6.fraghdr.reserved_octet", d[off + 1], 2);
            const std::uint16_t fo = core::load_be16(&d[off + 2]);
            w.field_dec("ipv6.fraghdr.offset", fo >> 3);
            w.field_dec("ipv6.fraghdr.reserved_bits", (fo >> 1) & 3u);
            w.field_bool("ipv6.fraghdr.more", (fo & 1) != 0);
            w.field_hex("ipv6.fraghdr.ident", core::load_be32(&d[off + 4]), 8);
            w.end_object();
            if ((fo >> 3) != 0) end.fragment_not_first = true;
            if ((fo >> 3) != 0 || (fo & 1) != 0) end.fragment = true;
            next = nh;
            off += 8;
            continue;
        }
        const std::size_t len = (std::size_t{d[off + 1]} + 1) * 8;
        if (off + len > n) return end;
        const char* obj = next == nh_hop_by_hop ? "ipv6.hopopts" : next == nh_routing ? "ipv6.routing" : "ipv6.dstopts";
        const std::string_view base(obj);
        char key[40];
        auto sub = [&](std::string_view suffix) {
            std::size_t k = 0;
            for (char c : base) key[k++] = c;
            for (char c : suffix) key[k++] = c;
            return std::string_view(key, k);
        };
        w.name(base);
        w.begin_object();
        w.field_dec(sub(".nxt"), nh);
        w.field_dec(sub(".len"), d[off + 1]);
        w.field_dec(sub(".len_oct"), len);
        if (next == nh_routing) {
            w.field_dec("ipv6.routing.type", d[off + 2]);
            w.field_dec("ipv6.routing.segleft", d[off + 3]);
        } else {
            write_ipv6_options(d.subspan(off + 2, len - 2), w);
        }
        w.end_object();
        next = nh;
        off += len;
    }
    end.protocol = next;
    end.offset = off;
    return end;
}

}  // namespace icmpkit::report
