// ICMPv6 MessageView and parse() to values. emit() and encoded_size() are in icmpv6_emit.cpp.
#include "icmpkit/wire/icmpv6.hpp"

#include <type_traits>

#include "icmpkit/wire/checksum.hpp"

namespace icmpkit::wire::icmpv6 {
namespace {

using core::Buffer;
using core::Bytes;
using core::Fault;
using core::Ipv6Address;

Buffer to_buffer(Bytes b) { return Buffer(b.begin(), b.end()); }
Ipv6Address address_at(Bytes d, std::size_t at) noexcept { return Ipv6Address::from_bytes(d.data() + at); }

// Offset of the ND options in each ND message (RFC 4861 4.1-4.5); 0 for other types.
constexpr std::size_t nd_options_offset(std::uint8_t t) noexcept {
    switch (t) {
        case type::router_solicitation: return 8;
        case type::router_advertisement: return 16;
        case type::neighbor_solicitation:
        case type::neighbor_advertisement: return 24;
        case type::redirect: return 40;
        default: return 0;
    }
}

}  // namespace

std::uint16_t compute_checksum(Bytes message, const Ipv6Address& source,
                               const Ipv6Address& destination) noexcept {
    // RFC 4443 2.3: the checksum covers the RFC 8200 8.1 pseudo-header and the message with the
    // checksum field taken as zero.
    InternetChecksum c;
    add_pseudo_header(c, source, destination, static_cast<std::uint32_t>(message.size()), next_header);
    if (message.size() >= 4) {
        c.add(message.first(2));
        c.add(message.subspan(4));
    } else {
        c.add(message);
    }
    return c.finish();
}

core::WireResult<MessageView> MessageView::parse(Bytes data, ParseOptions options) noexcept {
    if (data.size() < header_size) return core::wire_error(Fault::truncated, data.size());
    if (data.size() < type_info(data[0]).min_size) return core::wire_error(Fault::truncated, data.size());
    if (options.verify_checksum && options.source && options.destination) {
        // RFC 4443 2.3 / RFC 8200 8.1: the sum over pseudo-header and message must be all ones.
        InternetChecksum c;
        add_pseudo_header(c, *options.source, *options.destination,
                          static_cast<std::uint32_t>(data.size()), next_header);
        c.add(data);
        if (c.sum() != 0xFFFF) return core::wire_error(Fault::bad_checksum, 2);
    }
    return MessageView(data);
}

std::optional<Ipv6Address> MessageView::multicast_address() const noexcept {
    if (type() < type::multicast_listener_query || type() > type::multicast_listener_done) return std::nullopt;
    return address_at(data_, 8);
}

std::optional<Ipv6Address> MessageView::target() const noexcept {
    if (type() < type::neighbor_solicitation || type() > type::redirect) return std::nullopt;
    return address_at(data_, 8);
}

std::optional<Ipv6Address> MessageView::destination() const noexcept {
    if (type() != type::redirect) return std::nullopt;
    return address_at(data_, 24);
}

core::Bytes MessageView::options() const noexcept {
    std::size_t at = nd_options_offset(type());
    return at == 0 ? Bytes{} : data_.subspan(at);
}

namespace {

template <class M>
M header_of(const MessageView& v) {
    M m;
    m.code = v.code();
    m.checksum = v.checksum();
    return m;
}

template <class M>
Message decode_error_with_extensions(const MessageView& v) {
    auto m = header_of<M>(v);
    m.length_attribute = v.bytes()[4];
    for (std::size_t i = 0; i < 3; ++i) m.unused[i] = v.bytes()[5 + i];
    // RFC 4884 4.2 / 5: the length attribute (64-bit words) or the 128-octet compatibility rule.
    auto split = ext::split_original(v.body(), m.length_attribute, core::Family::v6);
    m.original = to_buffer(split.original);
    if (!split.extensions.empty()) {
        auto e = ext::parse(split.extensions);
        if (e) m.extensions = std::move(*e);
        else m.extension_bytes = to_buffer(split.extensions);
    }
    return m;
}

template <class M>
Message decode_echo(const MessageView& v) {
    auto m = header_of<M>(v);
    m.identifier = v.identifier();
    m.sequence = v.sequence();
    m.data = to_buffer(v.body());
    return m;
}

template <class M>
Message decode_mld_v1(const MessageView& v) {
    auto m = header_of<M>(v);
    Bytes d = v.bytes();
    m.maximum_response_delay = core::load_be16(&d[4]);
    m.reserved = core::load_be16(&d[6]);
    m.multicast_address = address_at(d, 8);
    m.trailing = to_buffer(d.subspan(24));
    return m;
}

core::WireResult<std::vector<Ipv6Address>> read_addresses(core::ByteReader& r, std::size_t n) {
    std::vector<Ipv6Address> out;
    for (std::size_t i = 0; i < n; ++i) {
        auto b = r.bytes(16);
        if (!b) return core::Unexpected(b.error());
        out.push_back(Ipv6Address::from_bytes(b->data()));
    }
    return out;
}

core::WireResult<Message> decode_mld_query(const MessageView& v) {
    Bytes d = v.bytes();
    if (d.size() < 28) return decode_mld_v1<MldQuery>(v);  // RFC 3810 8.1: 24 octets -> MLDv1
    auto m = header_of<Mldv2Query>(v);
    m.maximum_response_code = core::load_be16(&d[4]);
    m.reserved = core::load_be16(&d[6]);
    m.multicast_address = address_at(d, 8);
    m.resv = static_cast<std::uint8_t>(d[24] >> 4);
    m.suppress_router_side_processing = d[24] & 0x08;
    m.qrv = d[24] & 0x07;
    m.qqic = d[25];
    core::ByteReader r(d.subspan(28), 28);
    auto sources = read_addresses(r, core::load_be16(&d[26]));  // RFC 3810 5.1.9
    if (!sources) return core::Unexpected(sources.error());
    m.sources = std::move(*sources);
    m.additional_data = to_buffer(r.rest());
    return Message(std::move(m));
}

core::WireResult<MulticastAddressRecord> read_record(core::ByteReader& r) {
    // RFC 3810 5.2.4-5.2.11: type, aux data len (32-bit words), number of sources, address.
    auto fixed = r.bytes(20);
    if (!fixed) return core::Unexpected(fixed.error());
    const std::uint8_t* p = fixed->data();
    MulticastAddressRecord rec;
    rec.record_type = p[0];
    rec.multicast_address = Ipv6Address::from_bytes(p + 4);
    auto sources = read_addresses(r, core::load_be16(p + 2));
    if (!sources) return core::Unexpected(sources.error());
    rec.sources = std::move(*sources);
    auto aux = r.bytes(std::size_t{p[1]} * 4);
    if (!aux) return core::Unexpected(aux.error());
    rec.auxiliary_data = to_buffer(*aux);
    return rec;
}

core::WireResult<Message> decode_mld_v2_report(const MessageView& v) {
    Bytes d = v.bytes();
    auto m = header_of<Mldv2Report>(v);
    m.reserved = core::load_be16(&d[4]);
    std::size_t count = core::load_be16(&d[6]);  // RFC 3810 5.2.3
    core::ByteReader r(d.subspan(8), 8);
    for (std::size_t i = 0; i < count; ++i) {
        auto rec = read_record(r);
        if (!rec) return core::Unexpected(rec.error());
        m.records.push_back(std::move(*rec));
    }
    m.additional_data = to_buffer(r.rest());
    return Message(std::move(m));
}

template <class M>
core::WireResult<Message> with_options(M m, const MessageView& v) {
    std::size_t at = nd_options_offset(v.type());
    auto options = ndp::parse_options(v.bytes().subspan(at), at);
    if (!options) return core::Unexpected(options.error());
    m.options = std::move(*options);
    return Message(std::move(m));
}

core::WireResult<Message> decode_router_advertisement(const MessageView& v) {
    Bytes d = v.bytes();
    auto m = header_of<RouterAdvertisement>(v);
    m.cur_hop_limit = d[4];
    m.managed = d[5] & 0x80;
    m.other = d[5] & 0x40;
    m.home_agent = d[5] & 0x20;
    m.preference = static_cast<std::uint8_t>((d[5] >> 3) & 0x03);
    m.proxy = d[5] & 0x04;
    m.reserved = d[5] & 0x03;
    m.router_lifetime = core::load_be16(&d[6]);
    m.reachable_time = core::load_be32(&d[8]);
    m.retrans_timer = core::load_be32(&d[12]);
    return with_options(std::move(m), v);
}

core::WireResult<Message> decode_neighbor_advertisement(const MessageView& v) {
    auto m = header_of<NeighborAdvertisement>(v);
    std::uint32_t flags = v.rest_of_header();
    m.router = flags & 0x80000000u;
    m.solicited = flags & 0x40000000u;
    m.override_flag = flags & 0x20000000u;
    m.reserved = flags & 0x1FFFFFFFu;
    m.target = *v.target();
    return with_options(std::move(m), v);
}

core::WireResult<Message> decode_redirect(const MessageView& v) {
    auto m = header_of<Redirect>(v);
    m.reserved = v.rest_of_header();
    m.target = *v.target();
    m.destination = *v.destination();
    return with_options(std::move(m), v);
}

template <class M>
Message decode_node_information(const MessageView& v) {
    Bytes d = v.bytes();
    auto m = header_of<M>(v);
    m.qtype = core::load_be16(&d[4]);
    m.flags = core::load_be16(&d[6]);
    for (std::size_t i = 0; i < 8; ++i) m.nonce[i] = d[8 + i];
    m.data = to_buffer(d.subspan(16));
    return m;
}

Message decode_extended_echo_request(const MessageView& v) {
    Bytes d = v.bytes();
    auto m = header_of<ExtendedEchoRequest>(v);
    m.identifier = v.identifier();
    m.sequence = d[6];
    m.reserved = static_cast<std::uint8_t>(d[7] >> 1);
    m.local = d[7] & 0x01;
    if (!v.body().empty()) {
        auto e = ext::parse(v.body());  // RFC 8335 2: the Interface Identification Object
        if (e) m.extensions = std::move(*e);
        else m.extension_bytes = to_buffer(v.body());
    }
    return m;
}

Message decode_extended_echo_reply(const MessageView& v) {
    Bytes d = v.bytes();
    auto m = header_of<ExtendedEchoReply>(v);
    m.identifier = v.identifier();
    m.sequence = d[6];
    m.state = static_cast<std::uint8_t>(d[7] >> 5);  // RFC 8335 3
    m.reserved = (d[7] >> 3) & 0x03;
    m.active = d[7] & 0x04;
    m.ipv4 = d[7] & 0x02;
    m.ipv6 = d[7] & 0x01;
    m.data = to_buffer(v.body());
    return m;
}

Message decode_unknown(const MessageView& v) {
    Unknown m;
    m.type = v.type();
    m.code = v.code();
    m.checksum = v.checksum();
    for (std::size_t i = 0; i < 4; ++i) m.rest_of_header[i] = v.bytes()[4 + i];
    m.data = to_buffer(v.body());
    return m;
}

template <class M>
Message decode_original(const MessageView& v) {  // Packet Too Big, Parameter Problem
    auto m = header_of<M>(v);
    if constexpr (std::is_same_v<M, PacketTooBig>) m.mtu = v.mtu();
    else m.pointer = v.pointer();
    m.original = to_buffer(v.body());
    return m;
}

}  // namespace

core::WireResult<Message> parse(Bytes data, ParseOptions options) {
    auto view = MessageView::parse(data, options);
    if (!view) return core::Unexpected(view.error());
    const MessageView& v = *view;
    switch (v.type()) {
        case type::destination_unreachable: return decode_error_with_extensions<DestinationUnreachable>(v);
        case type::packet_too_big: return decode_original<PacketTooBig>(v);
        case type::time_exceeded: return decode_error_with_extensions<TimeExceeded>(v);
        case type::parameter_problem: return decode_original<ParameterProblem>(v);
        case type::echo_request: return decode_echo<EchoRequest>(v);
        case type::echo_reply: return decode_echo<EchoReply>(v);
        case type::multicast_listener_query: return decode_mld_query(v);
        case type::multicast_listener_report: return decode_mld_v1<MldReport>(v);
        case type::multicast_listener_done: return decode_mld_v1<MldDone>(v);
        case type::version2_multicast_listener_report: return decode_mld_v2_report(v);
        case type::router_solicitation: {
            auto m = header_of<RouterSolicitation>(v);
            m.reserved = v.rest_of_header();
            return with_options(std::move(m), v);
        }
        case type::router_advertisement: return decode_router_advertisement(v);
        case type::neighbor_solicitation: {
            auto m = header_of<NeighborSolicitation>(v);
            m.reserved = v.rest_of_header();
            m.target = *v.target();
            return with_options(std::move(m), v);
        }
        case type::neighbor_advertisement: return decode_neighbor_advertisement(v);
        case type::redirect: return decode_redirect(v);
        case type::node_information_query: return decode_node_information<NodeInformationQuery>(v);
        case type::node_information_response: return decode_node_information<NodeInformationResponse>(v);
        case type::extended_echo_request: return decode_extended_echo_request(v);
        case type::extended_echo_reply: return decode_extended_echo_reply(v);
        default: return decode_unknown(v);
    }
}

}  // namespace icmpkit::wire::icmpv6
