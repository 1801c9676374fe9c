#include "icmpkit/wire/ipv4.hpp"

#include "icmpkit/wire/checksum.hpp"

namespace icmpkit::wire {

using core::Bytes;
using core::Fault;
using core::wire_error;
using core::WireResult;

namespace {
// Checks shared by both parses: RFC 791 3.1 version, IHL >= 5, the IHL*4 bytes present.
WireResult<std::size_t> check_header(Bytes d) noexcept {
    if (d.empty()) return wire_error(Fault::truncated, 0);
    if ((d[0] >> 4) != 4) return wire_error(Fault::bad_version, 0);
    std::size_t hl = std::size_t{d[0] & 0x0Fu} * 4;
    if (hl < 20) return wire_error(Fault::bad_header_length, 0);
    if (d.size() < 20) return wire_error(Fault::truncated, d.size());
    if (d.size() < hl) return wire_error(Fault::truncated, d.size());
    return hl;
}
}  // namespace

WireResult<Ipv4HeaderView> Ipv4HeaderView::parse(Bytes d, bool verify_checksum) noexcept {
    auto hl = check_header(d);
    if (!hl) return core::Unexpected(hl.error());
    std::size_t total = core::load_be16(&d[2]);
    if (total < *hl) return wire_error(Fault::bad_length, 2);
    if (total > d.size()) return wire_error(Fault::truncated, d.size());
    Ipv4HeaderView v(d, d.subspan(*hl, total - *hl));
    if (verify_checksum && !v.checksum_valid()) return wire_error(Fault::bad_checksum, 10);
    return v;
}

WireResult<Ipv4HeaderView> Ipv4HeaderView::parse_header_only(Bytes d) noexcept {
    auto hl = check_header(d);
    if (!hl) return core::Unexpected(hl.error());
    std::size_t total = core::load_be16(&d[2]);
    std::size_t end = d.size();
    if (total >= *hl && total < end) end = total;
    return Ipv4HeaderView(d, d.subspan(*hl, end - *hl));
}

bool Ipv4HeaderView::checksum_valid() const noexcept { return checksum_ok(header()); }

// ---- options (RFC 791 3.1) ----

namespace {

// Each appends the option to `out` and returns false when its layout is impossible.
bool parse_route(std::uint8_t type, Bytes body, std::vector<Ipv4Option>& out) noexcept {
    // body = pointer + route data; route data is a whole number of addresses.
    if (body.empty() || (body.size() - 1) % 4 != 0) return false;
    auto& r = std::get<RecordRoute>(out.emplace_back(RecordRoute{}));
    r.type = type;
    r.pointer = body[0];
    for (std::size_t i = 1; i + 4 <= body.size(); i += 4)
        r.route.push_back(core::Ipv4Address::from_bytes(&body[i]));
    return true;
}

bool parse_timestamp(Bytes body, std::vector<Ipv4Option>& out) noexcept {
    if (body.size() < 2) return false;
    std::uint8_t flag = static_cast<std::uint8_t>(body[1] & 0x0F);
    std::size_t data_size = body.size() - 2;
    if (flag != 0 && flag != 1 && flag != 3) {  // unknown flag: keep it as it came
        out.emplace_back(RawOption{ipv4_option::timestamp, {body.begin(), body.end()}});
        return true;
    }
    if (data_size % (flag == 0 ? 4 : 8) != 0) return false;
    auto& t = std::get<Timestamp>(out.emplace_back(Timestamp{}));
    t.pointer = body[0];
    t.overflow = static_cast<std::uint8_t>(body[1] >> 4);
    t.flag = static_cast<std::uint8_t>(body[1] & 0x0F);
    Bytes data = body.subspan(2);
    if (t.flag == 0) {
        for (std::size_t i = 0; i < data.size(); i += 4) t.entries.push_back({std::nullopt, core::load_be32(&data[i])});
    } else {
        for (std::size_t i = 0; i < data.size(); i += 8)
            t.entries.push_back({core::Ipv4Address::from_bytes(&data[i]), core::load_be32(&data[i + 4])});
    }
    return true;
}

}  // namespace

WireResult<std::vector<Ipv4Option>> parse_ipv4_options(Bytes d) noexcept {
    std::vector<Ipv4Option> out;
    std::size_t i = 0;
    while (i < d.size()) {
        std::uint8_t type = d[i];
        if (type == ipv4_option::end_of_option_list) {
            out.emplace_back(EndOfOptionList{{d.begin() + static_cast<std::ptrdiff_t>(i) + 1, d.end()}});
            break;
        }
        if (type == ipv4_option::no_operation) {
            out.emplace_back(NoOperation{});
            ++i;
            continue;
        }
        if (i + 1 >= d.size()) return wire_error(Fault::bad_option, i + 1);
        std::size_t len = d[i + 1];
        if (len < 2 || i + len > d.size()) return wire_error(Fault::bad_option, i + 1);
        Bytes body = d.subspan(i + 2, len - 2);
        bool ok = true;
        switch (type) {
            case ipv4_option::record_route:
            case ipv4_option::loose_source_route:
            case ipv4_option::strict_source_route: ok = parse_route(type, body, out); break;
            case ipv4_option::timestamp: ok = parse_timestamp(body, out); break;
            default: out.emplace_back(RawOption{type, {body.begin(), body.end()}});
        }
        if (!ok) return wire_error(Fault::bad_option, i + 1);
        i += len;
    }
    return out;
}

std::size_t encoded_size(const Ipv4Option& o) noexcept {
    struct {
        std::size_t operator()(const EndOfOptionList& x) const { return 1 + x.padding.size(); }
        std::size_t operator()(const NoOperation&) const { return 1; }
        std::size_t operator()(const RecordRoute& x) const { return 3 + 4 * x.route.size(); }
        std::size_t operator()(const Timestamp& x) const {
            return 4 + x.entries.size() * (x.flag == 0 ? 4 : 8);
        }
        std::size_t operator()(const RawOption& x) const { return 2 + x.data.size(); }
    } size;
    return std::visit(size, o);
}

void emit(core::ByteWriter& w, const Ipv4Option& o) {
    std::size_t len = encoded_size(o);
    struct {
        core::ByteWriter& w;
        std::size_t len;
        void operator()(const EndOfOptionList& x) const {
            w.u8(ipv4_option::end_of_option_list);
            w.bytes(x.padding);
        }
        void operator()(const NoOperation&) const { w.u8(ipv4_option::no_operation); }
        void operator()(const RecordRoute& x) const {
            w.u8(x.type);
            w.u8(static_cast<std::uint8_t>(len));
            w.u8(x.pointer);
            for (auto a : x.route) w.u32(a.to_uint());
        }
        void operator()(const Timestamp& x) const {
            w.u8(ipv4_option::timestamp);
            w.u8(static_cast<std::uint8_t>(len));
            w.u8(x.pointer);
            w.u8(static_cast<std::uint8_t>((x.overflow << 4) | (x.flag & 0x0F)));
            for (const auto& e : x.entries) {
                if (x.flag != 0) w.u32(e.address.value_or(core::Ipv4Address{}).to_uint());
                w.u32(e.timestamp);
            }
        }
        void operator()(const RawOption& x) const {
            w.u8(x.type);
            w.u8(static_cast<std::uint8_t>(len));
            w.bytes(x.data);
        }
    } emitter{w, len};
    ICMPKIT_ASSERT(len <= 255 || std::holds_alternative<EndOfOptionList>(o));
    std::visit(emitter, o);
}

// ---- value ----

Ipv4Header Ipv4Header::fixed_fields(const Ipv4HeaderView& v) noexcept {
    Ipv4Header h;
    h.dscp = v.dscp();
    h.ecn = v.ecn();
    h.total_length = v.total_length();
    h.identification = v.identification();
    h.reserved_flag = v.reserved_flag();
    h.dont_fragment = v.dont_fragment();
    h.more_fragments = v.more_fragments();
    h.fragment_offset = v.fragment_offset();
    h.ttl = v.ttl();
    h.protocol = v.protocol();
    h.header_checksum = v.header_checksum();
    h.source = v.source();
    h.destination = v.destination();
    return h;
}

WireResult<Ipv4Header> Ipv4Header::from_view(const Ipv4HeaderView& v) noexcept {
    Ipv4Header h = fixed_fields(v);
    auto opts = parse_ipv4_options(v.options());
    if (!opts) return core::Unexpected(core::shifted(opts.error(), 20));
    h.options = std::move(*opts);
    return h;
}

WireResult<Ipv4Header> Ipv4Header::parse(Bytes data, bool verify_checksum) noexcept {
    auto v = Ipv4HeaderView::parse(data, verify_checksum);
    if (!v) return core::Unexpected(v.error());
    return from_view(*v);
}

std::size_t Ipv4Header::encoded_size() const noexcept {
    std::size_t n = 20;
    for (const auto& o : options) n += wire::encoded_size(o);
    return (n + 3) & ~std::size_t{3};
}

void Ipv4Header::emit(core::ByteWriter& w) const {
    std::size_t hl = encoded_size();
    ICMPKIT_ASSERT(hl <= 60);  // IHL is 4 bits: at most 40 bytes of options
    std::size_t start = w.size();
    w.u8(static_cast<std::uint8_t>(0x40 | (hl / 4)));
    w.u8(static_cast<std::uint8_t>((dscp << 2) | (ecn & 3)));
    w.u16(total_length);
    w.u16(identification);
    std::uint16_t ff = static_cast<std::uint16_t>((fragment_offset / 8) & 0x1FFF);
    if (reserved_flag) ff |= 0x8000;
    if (dont_fragment) ff |= 0x4000;
    if (more_fragments) ff |= 0x2000;
    w.u16(ff);
    w.u8(ttl);
    w.u8(protocol);
    w.u16(header_checksum.value_or(0));
    w.u32(source.to_uint());
    w.u32(destination.to_uint());
    for (const auto& o : options) wire::emit(w, o);
    while (w.size() - start < hl) w.u8(0);
    if (!header_checksum) {
        Bytes hdr(w.buffer().data() + start, hl);
        w.patch16(start + 10, internet_checksum(hdr));
    }
}

}  // namespace icmpkit::wire
