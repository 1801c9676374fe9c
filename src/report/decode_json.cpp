// write_json(Dissection): one NDJSON record per frame with an ICMP layer, in the layout of
// docs/wireshark-fields.md section 7 (frame.* flat, then link, IP and ICMP objects).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "icmpkit/core/static_vector.hpp"
#include "icmpkit/dissect/dissection.hpp"
#include "icmpkit/report/decode_json.hpp"
#include "decode_common.hpp"
#include "json_detail.hpp"

namespace icmpkit::report {

using namespace detail;

namespace {

void write_frame(const dissect::FrameInfo& f, JsonWriter& w) {
    w.field_dec("frame.number", f.number);
    char buf[40];
    w.field("frame.time_epoch", format_epoch(f.timestamp, buf));
    w.field_dec("frame.len", f.original_length);
    w.field_dec("frame.cap_len", f.captured_length);
}

// Link layers we can name as tshark does: Ethernet addresses and type, 802.1Q / 802.1ad tags.
// The outer link first, then those met inside tunnels (VXLAN, GRE, pseudowires): tshark makes
// an array of a layer met more than once (section 7 rule 1).
struct EthEntry {
    const capture::MacAddress* dst;
    const capture::MacAddress* src;
    std::optional<std::uint16_t> type;
};
struct TagEntry {
    bool ad;
    std::uint16_t id;
};

using EthList = core::StaticVector<EthEntry, 8>;
using TagList = core::StaticVector<TagEntry, 16>;

void collect_link(const capture::LinkLayer& link, EthList& eth, TagList& tags) {
    using capture::LinkProtocol;
    std::size_t tag = 0;
    for (std::size_t i = 0; i < link.layers.size(); ++i) {
        const LinkProtocol p = link.layers[i];
        if (p == LinkProtocol::eth && link.destination && link.source && eth.size() < eth.capacity()) {
            // The header's own type field (a tag's TPID when tagged); none for an 802.3 length.
            const bool typed = link.ethernet_type >= 0x0600;
            eth.push_back({&*link.destination, &*link.source,
                           typed ? std::optional<std::uint16_t>(link.ethernet_type) : std::nullopt});
        } else if ((p == LinkProtocol::vlan || p == LinkProtocol::ieee8021ad) && tag < link.vlan_ids.size() &&
                   tags.size() < tags.capacity()) {
            tags.push_back({p == LinkProtocol::ieee8021ad, link.vlan_ids[tag++]});
        }
    }
}

void write_link(const dissect::Dissection& d, JsonWriter& w) {
    EthList eth;
    TagList tags;
    if (d.link) collect_link(*d.link, eth, tags);
    for (const auto& l : d.ip)
        if (l.inner_link) collect_link(*l.inner_link, eth, tags);
    if (!eth.empty()) {
        w.name("eth");
        if (eth.size() > 1) w.begin_array();
        for (const auto& e : eth) {
            w.begin_object();
            w.name("eth.dst");
            w.mac_string(e.dst->bytes);
            w.name("eth.src");
            w.mac_string(e.src->bytes);
            if (e.type) w.field_hex("eth.type", *e.type, 4);
            w.end_object();
        }
        if (eth.size() > 1) w.end_array();
    }
    for (const bool ad : {false, true}) {
        std::size_t n = 0;
        for (const auto& t : tags) n += t.ad == ad;
        if (n == 0) continue;
        w.name(ad ? "ieee8021ad" : "vlan");
        if (n > 1) w.begin_array();
        for (const auto& t : tags) {
            if (t.ad != ad) continue;
            w.begin_object();
            w.field_dec(ad ? "ieee8021ad.id" : "vlan.id", t.id);
            w.end_object();
        }
        if (n > 1) w.end_array();
    }
}

// The IPv4 header as its 20 fixed octets, rebuilt from the value (the dissection keeps values).
void write_ipv4_layer(const dissect::IpLayer& l, const wire::Ipv4Header& h, JsonWriter& w) {
    std::uint8_t b[20];
    const std::size_t hl = l.header_length >= 20 && l.header_length <= 60 ? l.header_length : 20;
    b[0] = static_cast<std::uint8_t>(0x40 | (hl / 4));
    b[1] = static_cast<std::uint8_t>((h.dscp << 2) | (h.ecn & 3));
    core::store_be16(b + 2, h.total_length);
    core::store_be16(b + 4, h.identification);
    const std::uint16_t fo = static_cast<std::uint16_t>((h.reserved_flag ? 0x8000 : 0) | (h.dont_fragment ? 0x4000 : 0) |
                                                        (h.more_fragments ? 0x2000 : 0) | ((h.fragment_offset / 8) & 0x1FFF));
    core::store_be16(b + 6, fo);
    b[8] = h.ttl;
    b[9] = h.protocol;
    core::store_be16(b + 10, h.header_checksum.value_or(0));
    core::store_be32(b + 12, h.source.to_uint());
    core::store_be32(b + 16, h.destination.to_uint());
    write_ipv4_fields(b, w);
}

// The IPv6 header and its extension headers from the frame's bytes when the layer's payload
// span shows where they are; otherwise the fixed header rebuilt from the value.
void write_ipv6_layer(const dissect::IpLayer& l, const dissect::Ipv6Layer& v, JsonWriter& w) {
    const auto& h = v.header;
    if (!l.reassembled && l.payload.data() != nullptr && l.header_length >= 40) {
        const std::uint8_t* start = l.payload.data() - l.header_length;
        if ((start[0] >> 4) == 6 && std::memcmp(start + 8, h.source.bytes().data(), 16) == 0) {
            write_ipv6_fields(core::Bytes(start, l.header_length), w);
            return;
        }
    }
    std::uint8_t b[40];
    core::store_be32(b, (6u << 28) | (std::uint32_t{h.traffic_class} << 20) | (h.flow_label & 0xFFFFF));
    core::store_be16(b + 4, h.payload_length);
    b[6] = h.next_header;
    b[7] = h.hop_limit;
    std::memcpy(b + 8, h.source.bytes().data(), 16);
    std::memcpy(b + 24, h.destination.bytes().data(), 16);
    write_ipv6_fields(core::Bytes(b, 40), w);
}

void write_ip_layers(const std::vector<dissect::IpLayer>& layers, core::Family family, JsonWriter& w) {
    std::size_t n = 0;
    for (const auto& l : layers) n += l.family == family;
    if (n == 0) return;
    w.name(family == core::Family::v4 ? "ip" : "ipv6");
    if (n > 1) w.begin_array();  // tunnels: outer first (section 7 rule 1)
    for (const auto& l : layers) {
        if (l.family != family) continue;
        w.begin_object();
        if (const auto* h4 = l.v4()) write_ipv4_layer(l, *h4, w);
        else if (const auto* h6 = l.v6()) write_ipv6_layer(l, *h6, w);
        w.end_object();
    }
    if (n > 1) w.end_array();
}

// A message too short to decode: the header fields whose bytes are present.
void write_icmp_partial(const dissect::IcmpLayer& icmp, bool v6, JsonWriter& w) {
    const core::Bytes b = icmp.bytes;
    if (b.size() >= 1) w.field_dec(v6 ? "icmpv6.type" : "icmp.type", b[0]);
    if (b.size() >= 2) w.field_dec(v6 ? "icmpv6.code" : "icmp.code", b[1]);
    if (b.size() >= 4) {
        w.field_hex(v6 ? "icmpv6.checksum" : "icmp.checksum", core::load_be16(&b[2]), 4);
        w.field_dec(v6 ? "icmpv6.checksum.status" : "icmp.checksum.status",
                    static_cast<unsigned>(ChecksumStatus::unverified));
    }
}

void write_icmp_layer(const dissect::IcmpLayer& icmp, std::int64_t frame_seconds, JsonWriter& w) {
    const bool v6 = icmp.family == core::Family::v6;
    const ChecksumStatus status = tshark_checksum_status(icmp.checksum);
    w.name(v6 ? "icmpv6" : "icmp");
    w.begin_object();
    if (const auto* m4 = icmp.v4()) write_icmpv4_json(*m4, status, w, frame_seconds);
    else if (const auto* m6 = icmp.v6()) write_icmpv6_json(*m6, status, w);
    else write_icmp_partial(icmp, v6, w);
    w.end_object();
}

void write_additions(const dissect::Dissection& d, JsonWriter& w) {
    if (d.icmp) {
        const auto& c = d.icmp->classification;
        w.field("icmpkit.kind", wire::kind_name(c.kind));
        if (c.unreachable != wire::UnreachableReason::none) w.field("icmpkit.reason", wire::reason_name(c.unreachable));
        if (c.time_exceeded != wire::TimeExceededReason::none) w.field("icmpkit.reason", wire::reason_name(c.time_exceeded));
        if (c.quoted_flow) {
            const auto& f = *c.quoted_flow;
            field_ip(w, "icmpkit.quoted.src", f.src);
            field_ip(w, "icmpkit.quoted.dst", f.dst);
            w.field_dec("icmpkit.quoted.proto", f.protocol);
            w.field_dec("icmpkit.quoted.srcport", f.src_port);
            w.field_dec("icmpkit.quoted.dstport", f.dst_port);
        }
    }
    if (d.fault) {
        w.field("icmpkit.fault", core::fault_name(d.fault->fault));
        w.field_dec("icmpkit.fault_offset", d.fault->offset);
        w.field("icmpkit.fault_layer", dissect::layer_kind_name(d.fault_layer));
    }
}

}  // namespace

void write_json(const dissect::Dissection& d, JsonWriter& w) {
    w.begin_object();
    write_frame(d.frame, w);
    write_link(d, w);
    // Families in the order met, so that ip.version (which IPv6 layers carry too) keeps tshark's order.
    const bool v6_first = !d.ip.empty() && d.ip.front().family == core::Family::v6;
    write_ip_layers(d.ip, v6_first ? core::Family::v6 : core::Family::v4, w);
    write_ip_layers(d.ip, v6_first ? core::Family::v4 : core::Family::v6, w);
    if (d.icmp) {
        const auto seconds = std::chrono::floor<std::chrono::seconds>(d.frame.timestamp).time_since_epoch().count();
        write_icmp_layer(*d.icmp, seconds, w);
    }
    write_additions(d, w);
    w.end_object();
    w.end_line();
}

}  // namespace icmpkit::report
