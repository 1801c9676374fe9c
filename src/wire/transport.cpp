#include "icmpkit/wire/transport.hpp"

#include "icmpkit/wire/checksum.hpp"
#include "icmpkit/wire/ip_protocol.hpp"

namespace icmpkit::wire {

using core::Bytes;
using core::Fault;
using core::wire_error;
using core::WireResult;

namespace {
void add_pseudo(InternetChecksum& c, const core::IpAddress& src, const core::IpAddress& dst, std::uint8_t protocol,
                std::size_t length) noexcept {
    if (src.is_v4())
        add_pseudo_header(c, src.v4(), dst.v4(), protocol, static_cast<std::uint16_t>(length));
    else
        add_pseudo_header(c, src.v6(), dst.v6(), static_cast<std::uint32_t>(length), protocol);
}
}  // namespace

std::uint16_t transport_checksum(const core::IpAddress& src, const core::IpAddress& dst, std::uint8_t protocol,
                                 Bytes segment, std::size_t checksum_offset) noexcept {
    InternetChecksum c;
    add_pseudo(c, src, dst, protocol, segment.size());
    if (checksum_offset + 2 <= segment.size()) {
        c.add(segment.first(checksum_offset));
        c.add_u16(0);
        c.add(segment.subspan(checksum_offset + 2));
    } else {
        c.add(segment);
    }
    return c.finish();
}

bool transport_checksum_ok(const core::IpAddress& src, const core::IpAddress& dst, std::uint8_t protocol,
                           Bytes segment) noexcept {
    InternetChecksum c;
    add_pseudo(c, src, dst, protocol, segment.size());
    c.add(segment);
    return c.sum() == 0xFFFF;
}

// ---- UDP ----

WireResult<UdpHeaderView> UdpHeaderView::parse(Bytes d) noexcept {
    if (d.size() < 8) return wire_error(Fault::truncated, d.size());
    std::size_t len = core::load_be16(&d[4]);
    if (len == 0) return UdpHeaderView(d, d);  // RFC 2675 4: jumbogram
    if (len < 8) return wire_error(Fault::bad_length, 4);
    if (len > d.size()) return wire_error(Fault::truncated, d.size());
    return UdpHeaderView(d, d.first(len));
}

bool UdpHeaderView::checksum_valid(const core::IpAddress& src, const core::IpAddress& dst) const noexcept {
    if (checksum() == 0) return src.is_v4();  // RFC 768 / RFC 8200 8.1
    return transport_checksum_ok(src, dst, ip_protocol::udp, seg_);
}

UdpHeader UdpHeader::from_view(const UdpHeaderView& v) noexcept {
    return UdpHeader{v.source_port(), v.destination_port(), v.length(), v.checksum()};
}

WireResult<UdpHeader> UdpHeader::parse(Bytes d) noexcept {
    auto v = UdpHeaderView::parse(d);
    if (!v) return core::Unexpected(v.error());
    return from_view(*v);
}

void UdpHeader::emit(core::ByteWriter& w) const {
    w.u16(source_port);
    w.u16(destination_port);
    w.u16(length);
    w.u16(checksum);
}

void UdpHeader::emit(core::ByteWriter& w, Bytes payload, const core::IpAddress& src, const core::IpAddress& dst) const {
    std::size_t start = w.size();
    std::size_t total = 8 + payload.size();
    UdpHeader h = *this;
    h.length = total > 0xFFFF ? 0 : static_cast<std::uint16_t>(total);
    h.checksum = 0;
    h.emit(w);
    w.bytes(payload);
    Bytes seg(w.buffer().data() + start, total);
    std::uint16_t c = transport_checksum(src, dst, ip_protocol::udp, seg, 6);
    w.patch16(start + 6, c == 0 ? 0xFFFF : c);  // RFC 768: a computed zero is sent as all ones
}

// ---- TCP ----

WireResult<TcpHeaderView> TcpHeaderView::parse(Bytes d) noexcept {
    if (d.size() < 20) return wire_error(Fault::truncated, d.size());
    std::size_t hl = static_cast<std::size_t>(d[12] >> 4) * 4;
    if (hl < 20) return wire_error(Fault::bad_header_length, 12);  // RFC 9293 3.1
    if (hl > d.size()) return wire_error(Fault::truncated, d.size());
    return TcpHeaderView(d);
}

bool TcpHeaderView::checksum_valid(const core::IpAddress& src, const core::IpAddress& dst) const noexcept {
    return transport_checksum_ok(src, dst, ip_protocol::tcp, d_);
}

TcpHeader TcpHeader::from_view(const TcpHeaderView& v) {
    auto o = v.options();
    return TcpHeader{v.source_port(), v.destination_port(), v.sequence_number(), v.acknowledgment_number(),
                     v.reserved(),    v.flags(),            v.window(),          v.checksum(),
                     v.urgent_pointer(), {o.begin(), o.end()}};
}

WireResult<TcpHeader> TcpHeader::parse(Bytes d) noexcept {
    auto v = TcpHeaderView::parse(d);
    if (!v) return core::Unexpected(v.error());
    return from_view(*v);
}

void TcpHeader::emit(core::ByteWriter& w) const {
    std::size_t hl = encoded_size();
    ICMPKIT_ASSERT(hl <= 60);
    w.u16(source_port);
    w.u16(destination_port);
    w.u32(sequence_number);
    w.u32(acknowledgment_number);
    w.u8(static_cast<std::uint8_t>(((hl / 4) << 4) | (reserved & 0x0F)));
    w.u8(flags);
    w.u16(window);
    w.u16(checksum);
    w.u16(urgent_pointer);
    w.bytes(options);
    w.zeros(hl - 20 - options.size());
}

void TcpHeader::emit(core::ByteWriter& w, Bytes payload, const core::IpAddress& src, const core::IpAddress& dst) const {
    std::size_t start = w.size();
    emit(w);
    w.bytes(payload);
    Bytes seg(w.buffer().data() + start, w.size() - start);
    w.patch16(start + 16, transport_checksum(src, dst, ip_protocol::tcp, seg, 16));
}

}  // namespace icmpkit::wire
