#include "icmpkit/wire/icmpv4.hpp"

#include "icmpkit/wire/checksum.hpp"

namespace icmpkit::wire::icmpv4 {
namespace {

core::Buffer copy(core::Bytes b) { return core::Buffer(b.begin(), b.end()); }

template <class... F>
struct Overloaded : F... {
    using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// RFC 4884 sections 4.1 and 5: original datagram field, then an optional extension structure.
template <class M>
void split_error_payload(M& m, core::Bytes body) {
    auto split = ext::split_original(body, m.length_attribute, core::Family::v4);
    m.original = copy(split.original);
    if (split.extensions.empty()) return;
    auto parsed = ext::parse(split.extensions);
    if (parsed) m.extensions = std::move(*parsed);
    else m.extension_bytes = copy(split.extensions);
}

// RFC 8335 sections 2 and 3: the extension structure follows the 8-octet header directly.
template <class M>
void parse_trailing_extensions(M& m, core::Bytes body) {
    if (body.empty()) return;
    auto parsed = ext::parse(body);
    if (parsed) m.extensions = std::move(*parsed);
    else m.extension_bytes = copy(body);
}

template <class M>
M echo_like(const MessageView& v) {
    M m;
    m.code = v.code();
    m.checksum = v.checksum();
    m.identifier = v.identifier();
    m.sequence = v.sequence();
    return m;
}

template <class M>
M timestamp_like(const MessageView& v) {
    auto m = echo_like<M>(v);
    auto b = v.body();  // MessageView::parse guaranteed the 12 octets (min_size 20)
    m.originate = core::load_be32(b.data());
    m.receive = core::load_be32(b.data() + 4);
    m.transmit = core::load_be32(b.data() + 8);
    m.trailing = copy(b.subspan(12));
    return m;
}

template <class M>
M mask_like(const MessageView& v) {
    auto m = echo_like<M>(v);
    m.mask = core::Ipv4Address::from_bytes(v.body().data());  // min_size 12
    m.trailing = copy(v.body().subspan(4));
    return m;
}

RouterAdvertisement router_advertisement(const MessageView& v) {
    RouterAdvertisement m;
    m.code = v.code();
    m.checksum = v.checksum();
    m.num_addrs = v.bytes()[4];
    m.addr_entry_size = v.bytes()[5];
    m.lifetime = core::load_be16(v.bytes().data() + 6);
    auto body = v.body();
    std::size_t n = 0;
    if (m.addr_entry_size == 2) {  // RFC 1256: the only entry size it defines
        n = std::min<std::size_t>(m.num_addrs, body.size() / 8);
        m.entries.reserve(n);
        for (std::size_t i = 0; i < n; ++i)
            m.entries.push_back({core::Ipv4Address::from_bytes(body.data() + 8 * i),
                                 static_cast<std::int32_t>(core::load_be32(body.data() + 8 * i + 4))});
    }
    m.trailing = copy(body.subspan(8 * n));
    return m;
}

Message decode(const MessageView& v) {
    const auto* h = v.bytes().data();
    auto body = v.body();
    switch (v.type()) {
        case type::echo_request: { auto m = echo_like<EchoRequest>(v); m.data = copy(body); return m; }
        case type::echo_reply: { auto m = echo_like<EchoReply>(v); m.data = copy(body); return m; }
        case type::destination_unreachable: {
            DestinationUnreachable m{v.code(), v.checksum(), h[4], h[5], v.next_hop_mtu()};
            split_error_payload(m, body);
            return m;
        }
        case type::source_quench:
            return SourceQuench{v.code(), v.checksum(), v.rest_of_header(), copy(body)};
        case type::redirect: return Redirect{v.code(), v.checksum(), v.gateway(), copy(body)};
        case type::router_advertisement: return router_advertisement(v);
        case type::router_solicitation:
            return RouterSolicitation{v.code(), v.checksum(), v.rest_of_header(), copy(body)};
        case type::time_exceeded: {
            TimeExceeded m{v.code(), v.checksum(), h[4], h[5], core::load_be16(h + 6)};
            split_error_payload(m, body);
            return m;
        }
        case type::parameter_problem: {
            ParameterProblem m{v.code(), v.checksum(), h[4], h[5], core::load_be16(h + 6)};
            split_error_payload(m, body);
            return m;
        }
        case type::timestamp: return timestamp_like<Timestamp>(v);
        case type::timestamp_reply: return timestamp_like<TimestampReply>(v);
        case type::information_request: { auto m = echo_like<InformationRequest>(v); m.trailing = copy(body); return m; }
        case type::information_reply: { auto m = echo_like<InformationReply>(v); m.trailing = copy(body); return m; }
        case type::address_mask_request: return mask_like<AddressMaskRequest>(v);
        case type::address_mask_reply: return mask_like<AddressMaskReply>(v);
        case type::traceroute:  // RFC 1393 section 3; min_size 20
            return Traceroute{v.code(), v.checksum(), v.identifier(), v.sequence(),
                              core::load_be16(body.data()), core::load_be16(body.data() + 2),
                              core::load_be32(body.data() + 4), core::load_be32(body.data() + 8),
                              copy(body.subspan(12))};
        case type::photuris:
            return Photuris{v.code(), v.checksum(), v.identifier(), v.sequence(), copy(body)};
        case type::extended_echo_request: {
            ExtendedEchoRequest m{v.code(), v.checksum(), v.identifier(), h[6],
                                  static_cast<std::uint8_t>(h[7] >> 1), (h[7] & 1) != 0};
            parse_trailing_extensions(m, body);
            return m;
        }
        case type::extended_echo_reply: {
            ExtendedEchoReply m{v.code(), v.checksum(), v.identifier(), h[6],
                                static_cast<std::uint8_t>(h[7] >> 5),
                                static_cast<std::uint8_t>((h[7] >> 3) & 3), (h[7] & 4) != 0,
                                (h[7] & 2) != 0, (h[7] & 1) != 0};
            parse_trailing_extensions(m, body);
            return m;
        }
        default:
            return Unknown{v.type(), v.code(), v.checksum(), {h[4], h[5], h[6], h[7]}, copy(body)};
    }
}

template <class M>
std::size_t extension_area_size(const M& m) {
    return m.extensions ? ext::encoded_size(*m.extensions) : m.extension_bytes.size();
}

template <class M>
void emit_extension_area(const M& m, core::ByteWriter& w, ChecksumMode mode) {
    if (m.extensions) ext::emit(*m.extensions, w, mode == ChecksumMode::compute);
    else w.bytes(m.extension_bytes);
}

std::size_t body_size(const Message& m) {
    return std::visit(
        Overloaded{
            [](const EchoRequest& x) { return x.data.size(); },
            [](const EchoReply& x) { return x.data.size(); },
            [](const DestinationUnreachable& x) { return x.original.size() + extension_area_size(x); },
            [](const SourceQuench& x) { return x.original.size(); },
            [](const Redirect& x) { return x.original.size(); },
            [](const RouterAdvertisement& x) { return 8 * x.entries.size() + x.trailing.size(); },
            [](const RouterSolicitation& x) { return x.trailing.size(); },
            [](const TimeExceeded& x) { return x.original.size() + extension_area_size(x); },
            [](const ParameterProblem& x) { return x.original.size() + extension_area_size(x); },
            [](const Timestamp& x) { return 12 + x.trailing.size(); },
            [](const TimestampReply& x) { return 12 + x.trailing.size(); },
            [](const InformationRequest& x) { return x.trailing.size(); },
            [](const InformationReply& x) { return x.trailing.size(); },
            [](const AddressMaskRequest& x) { return 4 + x.trailing.size(); },
            [](const AddressMaskReply& x) { return 4 + x.trailing.size(); },
            [](const Traceroute& x) { return 12 + x.trailing.size(); },
            [](const Photuris& x) { return x.original.size(); },
            [](const ExtendedEchoRequest& x) { return extension_area_size(x); },
            [](const ExtendedEchoReply& x) { return extension_area_size(x); },
            [](const Unknown& x) { return x.data.size(); },
        },
        m);
}

// Octets 4 onwards.
void emit_rest(const Message& m, core::ByteWriter& w, ChecksumMode mode) {
    auto id_seq = [&](const auto& x) { w.u16(x.identifier); w.u16(x.sequence); };
    std::visit(
        Overloaded{
            [&](const EchoRequest& x) { id_seq(x); w.bytes(x.data); },
            [&](const EchoReply& x) { id_seq(x); w.bytes(x.data); },
            [&](const DestinationUnreachable& x) {
                w.u8(x.unused); w.u8(x.length_attribute); w.u16(x.next_hop_mtu);
                w.bytes(x.original); emit_extension_area(x, w, mode);
            },
            [&](const SourceQuench& x) { w.u32(x.unused); w.bytes(x.original); },
            [&](const Redirect& x) { w.u32(x.gateway.to_uint()); w.bytes(x.original); },
            [&](const RouterAdvertisement& x) {
                w.u8(x.num_addrs); w.u8(x.addr_entry_size); w.u16(x.lifetime);
                for (const auto& e : x.entries) { w.u32(e.address.to_uint()); w.u32(static_cast<std::uint32_t>(e.preference)); }
                w.bytes(x.trailing);
            },
            [&](const RouterSolicitation& x) { w.u32(x.reserved); w.bytes(x.trailing); },
            [&](const TimeExceeded& x) {
                w.u8(x.unused); w.u8(x.length_attribute); w.u16(x.unused2);
                w.bytes(x.original); emit_extension_area(x, w, mode);
            },
            [&](const ParameterProblem& x) {
                w.u8(x.pointer); w.u8(x.length_attribute); w.u16(x.unused);
                w.bytes(x.original); emit_extension_area(x, w, mode);
            },
            [&](const Timestamp& x) { id_seq(x); w.u32(x.originate); w.u32(x.receive); w.u32(x.transmit); w.bytes(x.trailing); },
            [&](const TimestampReply& x) { id_seq(x); w.u32(x.originate); w.u32(x.receive); w.u32(x.transmit); w.bytes(x.trailing); },
            [&](const InformationRequest& x) { id_seq(x); w.bytes(x.trailing); },
            [&](const InformationReply& x) { id_seq(x); w.bytes(x.trailing); },
            [&](const AddressMaskRequest& x) { id_seq(x); w.u32(x.mask.to_uint()); w.bytes(x.trailing); },
            [&](const AddressMaskReply& x) { id_seq(x); w.u32(x.mask.to_uint()); w.bytes(x.trailing); },
            [&](const Traceroute& x) {
                w.u16(x.identifier); w.u16(x.unused); w.u16(x.outbound_hop_count); w.u16(x.return_hop_count);
                w.u32(x.output_link_speed); w.u32(x.output_link_mtu); w.bytes(x.trailing);
            },
            [&](const Photuris& x) { w.u16(x.reserved); w.u16(x.pointer); w.bytes(x.original); },
            [&](const ExtendedEchoRequest& x) {
                w.u16(x.identifier); w.u8(x.sequence);
                w.u8(static_cast<std::uint8_t>((x.reserved << 1) | (x.local ? 1 : 0)));
                emit_extension_area(x, w, mode);
            },
            [&](const ExtendedEchoReply& x) {
                w.u16(x.identifier); w.u8(x.sequence);
                w.u8(static_cast<std::uint8_t>((x.state & 7) << 5 | (x.reserved & 3) << 3 | (x.active ? 4 : 0) |
                                               (x.ipv4 ? 2 : 0) | (x.ipv6 ? 1 : 0)));
                emit_extension_area(x, w, mode);
            },
            [&](const Unknown& x) { w.bytes(x.rest_of_header); w.bytes(x.data); },
        },
        m);
}

}  // namespace

core::WireResult<MessageView> MessageView::parse(core::Bytes data, ParseOptions options) noexcept {
    // RFC 792: an 8-octet header; some types have a larger fixed part (type_info().min_size).
    if (data.size() < header_size) return core::wire_error(core::Fault::truncated, data.size());
    if (data.size() < type_table[data[0]].min_size)
        return core::wire_error(core::Fault::truncated, data.size());
    // RFC 792: the checksum covers the whole ICMP message.
    if (options.verify_checksum && !checksum_ok(data))
        return core::wire_error(core::Fault::bad_checksum, 2);
    return MessageView(data);
}

std::uint8_t type_of(const Message& m) noexcept {
    return std::visit(Overloaded{[](const Unknown& u) { return u.type; },
                                 [](const auto& x) { return std::remove_cvref_t<decltype(x)>::type_number; }},
                      m);
}
std::uint8_t code_of(const Message& m) noexcept {
    return std::visit([](const auto& x) { return x.code; }, m);
}
std::uint16_t checksum_of(const Message& m) noexcept {
    return std::visit([](const auto& x) { return x.checksum; }, m);
}

core::WireResult<Message> parse(core::Bytes data, ParseOptions options) {
    auto view = MessageView::parse(data, options);
    if (!view) return core::Unexpected(view.error());
    return decode(*view);
}

std::size_t encoded_size(const Message& m) {
    // Unknown, echo etc. all have the 8-octet header; timestamp-like fixed parts are in body_size.
    return header_size + body_size(m);
}

void emit(const Message& m, core::ByteWriter& w, ChecksumMode mode) {
    std::size_t start = w.size();
    w.u8(type_of(m));
    w.u8(code_of(m));
    w.u16(mode == ChecksumMode::keep ? checksum_of(m) : 0);
    emit_rest(m, w, mode);
    if (mode == ChecksumMode::compute)
        w.patch16(start + 2, internet_checksum(core::Bytes(w.buffer()).subspan(start)));
}

}  // namespace icmpkit::wire::icmpv4
