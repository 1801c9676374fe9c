// ICMPv6 emit() and encoded_size(): the exact inverses of parse() (icmpv6.cpp).
#include <type_traits>

#include "icmpkit/wire/icmpv6.hpp"

namespace icmpkit::wire::icmpv6 {
namespace {

using core::ByteWriter;

std::size_t addresses_size(const std::vector<core::Ipv6Address>& a) noexcept { return 16 * a.size(); }

// Everything after the 4-octet type/code/checksum header.
struct BodySize {
    template <std::uint8_t T>
    std::size_t operator()(const ErrorWithExtensions<T>& m) const noexcept {
        std::size_t n = 4 + m.original.size() + m.extension_bytes.size();
        if (m.extensions) n += ext::encoded_size(*m.extensions);
        return n;
    }
    std::size_t operator()(const PacketTooBig& m) const noexcept { return 4 + m.original.size(); }
    std::size_t operator()(const ParameterProblem& m) const noexcept { return 4 + m.original.size(); }
    template <std::uint8_t T>
    std::size_t operator()(const Echo<T>& m) const noexcept { return 4 + m.data.size(); }
    template <std::uint8_t T>
    std::size_t operator()(const MulticastListenerV1<T>& m) const noexcept { return 20 + m.trailing.size(); }
    std::size_t operator()(const Mldv2Query& m) const noexcept {
        return 24 + addresses_size(m.sources) + m.additional_data.size();
    }
    std::size_t operator()(const Mldv2Report& m) const noexcept {
        std::size_t n = 4 + m.additional_data.size();
        for (const auto& r : m.records) n += 20 + addresses_size(r.sources) + r.auxiliary_data.size();
        return n;
    }
    std::size_t operator()(const RouterSolicitation& m) const noexcept { return 4 + ndp::encoded_size(m.options); }
    std::size_t operator()(const RouterAdvertisement& m) const noexcept { return 12 + ndp::encoded_size(m.options); }
    std::size_t operator()(const NeighborSolicitation& m) const noexcept { return 20 + ndp::encoded_size(m.options); }
    std::size_t operator()(const NeighborAdvertisement& m) const noexcept { return 20 + ndp::encoded_size(m.options); }
    std::size_t operator()(const Redirect& m) const noexcept { return 36 + ndp::encoded_size(m.options); }
    template <std::uint8_t T>
    std::size_t operator()(const NodeInformation<T>& m) const noexcept { return 12 + m.data.size(); }
    std::size_t operator()(const ExtendedEchoRequest& m) const noexcept {
        std::size_t n = 4 + m.extension_bytes.size();
        if (m.extensions) n += ext::encoded_size(*m.extensions);
        return n;
    }
    std::size_t operator()(const ExtendedEchoReply& m) const noexcept { return 4 + m.data.size(); }
    std::size_t operator()(const Unknown& m) const noexcept { return 4 + m.data.size(); }
};

void put_addresses(ByteWriter& w, const std::vector<core::Ipv6Address>& a) {
    for (const auto& x : a) w.bytes(x.bytes());
}

struct BodyWriter {
    ByteWriter& w;
    bool compute;

    void put_extensions(const std::optional<ext::ExtensionStructure>& e, const core::Buffer& raw) const {
        if (e) ext::emit(*e, w, compute);
        w.bytes(raw);
    }
    template <std::uint8_t T>
    void operator()(const ErrorWithExtensions<T>& m) const {
        w.u8(m.length_attribute);
        w.bytes(m.unused);
        w.bytes(m.original);
        put_extensions(m.extensions, m.extension_bytes);
    }
    void operator()(const PacketTooBig& m) const { w.u32(m.mtu); w.bytes(m.original); }
    void operator()(const ParameterProblem& m) const { w.u32(m.pointer); w.bytes(m.original); }
    template <std::uint8_t T>
    void operator()(const Echo<T>& m) const {
        w.u16(m.identifier);
        w.u16(m.sequence);
        w.bytes(m.data);
    }
    template <std::uint8_t T>
    void operator()(const MulticastListenerV1<T>& m) const {
        w.u16(m.maximum_response_delay);
        w.u16(m.reserved);
        w.bytes(m.multicast_address.bytes());
        w.bytes(m.trailing);
    }
    void operator()(const Mldv2Query& m) const {
        w.u16(m.maximum_response_code);
        w.u16(m.reserved);
        w.bytes(m.multicast_address.bytes());
        w.u8(static_cast<std::uint8_t>((m.resv << 4) | (m.suppress_router_side_processing ? 0x08 : 0) |
                                       (m.qrv & 0x07)));
        w.u8(m.qqic);
        w.u16(static_cast<std::uint16_t>(m.sources.size()));
        put_addresses(w, m.sources);
        w.bytes(m.additional_data);
    }
    void operator()(const Mldv2Report& m) const {
        w.u16(m.reserved);
        w.u16(static_cast<std::uint16_t>(m.records.size()));
        for (const auto& r : m.records) {
            w.u8(r.record_type);
            w.u8(static_cast<std::uint8_t>(r.auxiliary_data.size() / 4));
            w.u16(static_cast<std::uint16_t>(r.sources.size()));
            w.bytes(r.multicast_address.bytes());
            put_addresses(w, r.sources);
            w.bytes(r.auxiliary_data);
        }
        w.bytes(m.additional_data);
    }
    void operator()(const RouterSolicitation& m) const { w.u32(m.reserved); ndp::emit(m.options, w); }
    void operator()(const RouterAdvertisement& m) const {
        w.u8(m.cur_hop_limit);
        w.u8(static_cast<std::uint8_t>((m.managed ? 0x80 : 0) | (m.other ? 0x40 : 0) |
                                       (m.home_agent ? 0x20 : 0) | ((m.preference & 0x03) << 3) |
                                       (m.proxy ? 0x04 : 0) | (m.reserved & 0x03)));
        w.u16(m.router_lifetime);
        w.u32(m.reachable_time);
        w.u32(m.retrans_timer);
        ndp::emit(m.options, w);
    }
    void operator()(const NeighborSolicitation& m) const {
        w.u32(m.reserved);
        w.bytes(m.target.bytes());
        ndp::emit(m.options, w);
    }
    void operator()(const NeighborAdvertisement& m) const {
        w.u32((m.router ? 0x80000000u : 0) | (m.solicited ? 0x40000000u : 0) |
              (m.override_flag ? 0x20000000u : 0) | (m.reserved & 0x1FFFFFFFu));
        w.bytes(m.target.bytes());
        ndp::emit(m.options, w);
    }
    void operator()(const Redirect& m) const {
        w.u32(m.reserved);
        w.bytes(m.target.bytes());
        w.bytes(m.destination.bytes());
        ndp::emit(m.options, w);
    }
    template <std::uint8_t T>
    void operator()(const NodeInformation<T>& m) const {
        w.u16(m.qtype);
        w.u16(m.flags);
        w.bytes(m.nonce);
        w.bytes(m.data);
    }
    void operator()(const ExtendedEchoRequest& m) const {
        w.u16(m.identifier);
        w.u8(m.sequence);
        w.u8(static_cast<std::uint8_t>((m.reserved << 1) | (m.local ? 1 : 0)));
        put_extensions(m.extensions, m.extension_bytes);
    }
    void operator()(const ExtendedEchoReply& m) const {
        w.u16(m.identifier);
        w.u8(m.sequence);
        w.u8(static_cast<std::uint8_t>((m.state << 5) | ((m.reserved & 0x03) << 3) | (m.active ? 0x04 : 0) |
                                       (m.ipv4 ? 0x02 : 0) | (m.ipv6 ? 0x01 : 0)));
        w.bytes(m.data);
    }
    void operator()(const Unknown& m) const { w.bytes(m.rest_of_header); w.bytes(m.data); }
};

struct TypeOf {
    template <class M>
    std::uint8_t operator()(const M&) const noexcept { return M::type_number; }
    std::uint8_t operator()(const Unknown& m) const noexcept { return m.type; }
};

}  // namespace

std::uint8_t type_of(const Message& m) noexcept { return std::visit(TypeOf{}, m); }
std::uint8_t code_of(const Message& m) noexcept {
    return std::visit([](const auto& x) { return x.code; }, m);
}
std::uint16_t checksum_of(const Message& m) noexcept {
    return std::visit([](const auto& x) { return x.checksum; }, m);
}

std::size_t encoded_size(const Message& m) noexcept { return 4 + std::visit(BodySize{}, m); }

void emit(const Message& m, ByteWriter& w, ChecksumMode mode, const core::Ipv6Address* source,
          const core::Ipv6Address* destination) {
    const bool compute = mode == ChecksumMode::compute;
    std::size_t start = w.size();
    w.u8(type_of(m));
    w.u8(code_of(m));
    w.u16(compute ? 0 : checksum_of(m));
    std::visit(BodyWriter{w, compute}, m);
    if (compute) {
        // RFC 4443 2.3: the pseudo-header needs both addresses; emitting without them is our bug.
        ICMPKIT_ASSERT(source != nullptr && destination != nullptr);
        core::Bytes written(w.buffer().data() + start, w.size() - start);
        w.patch16(start + 2, compute_checksum(written, *source, *destination));
    }
}

}  // namespace icmpkit::wire::icmpv6
