#include "icmpkit/wire/extensions.hpp"

#include <algorithm>

#include "icmpkit/wire/checksum.hpp"

namespace icmpkit::wire::ext {
namespace {

constexpr std::size_t round_up4(std::size_t n) noexcept { return (n + 3) & ~std::size_t{3}; }

// Strips trailing NULs from a padded text field only as far as emit() restores them: the result
// re-padded to a multiple of 4 (plus `prefix` octets before it) has the original length.
std::string unpad_name(core::Bytes field, std::size_t prefix) {
    std::size_t n = field.size();
    while (n > 0 && field[n - 1] == 0 && round_up4(prefix + n - 1) == prefix + field.size()) --n;
    return std::string(field.begin(), field.begin() + static_cast<std::ptrdiff_t>(n));
}

RawObject raw(std::uint8_t class_num, std::uint8_t c_type, core::Bytes payload) {
    return RawObject{class_num, c_type, core::Buffer(payload.begin(), payload.end())};
}

// RFC 4950 section 3: 4 octets per entry; anything else is kept raw.
std::optional<MplsLabelStack> decode_mpls(std::uint8_t c_type, core::Bytes p) {
    if (c_type != 1 || p.size() % 4 != 0) return std::nullopt;
    MplsLabelStack s;
    s.entries.reserve(p.size() / 4);
    for (std::size_t i = 0; i < p.size(); i += 4) {
        std::uint32_t v = core::load_be32(p.data() + i);
        s.entries.push_back({v >> 12, static_cast<std::uint8_t>((v >> 9) & 7), ((v >> 8) & 1) != 0,
                             static_cast<std::uint8_t>(v)});
    }
    return s;
}

// RFC 5837 section 4.2 address sub-object: AFI, reserved, then 4 or 16 octets.
bool decode_address_subobject(core::ByteReader& r, InterfaceInformation& info) {
    auto afi = r.u16();
    auto res = r.u16();
    if (!afi || !res) return false;
    info.afi = *afi;
    info.address_reserved = *res;
    if (*afi == afi_ipv4) {
        auto a = r.bytes(4);
        if (!a) return false;
        info.address = core::Ipv4Address::from_bytes(a->data());
        return true;
    }
    if (*afi == afi_ipv6) {
        auto a = r.bytes(16);
        if (!a) return false;
        info.address = core::Ipv6Address::from_bytes(a->data());
        return true;
    }
    return false;  // unknown AFI: the sub-object length is unknowable
}

std::optional<InterfaceInformation> decode_interface_information(std::uint8_t c_type, core::Bytes p) {
    InterfaceInformation info;
    info.role = static_cast<InterfaceRole>(c_type >> 6);
    info.reserved = (c_type >> 4) & 3;
    info.has_ifindex = (c_type & 0x08) != 0;
    info.has_address = (c_type & 0x04) != 0;
    info.has_name = (c_type & 0x02) != 0;
    info.has_mtu = (c_type & 0x01) != 0;
    core::ByteReader r(p);
    if (info.has_ifindex) {
        auto v = r.u32();
        if (!v) return std::nullopt;
        info.ifindex = *v;
    }
    if (info.has_address && !decode_address_subobject(r, info)) return std::nullopt;
    if (info.has_name) {
        // Section 4.3: the length octet counts itself, is a multiple of 4 and at most 64.
        auto len = r.u8();
        if (!len || *len == 0 || *len % 4 != 0 || *len > 64) return std::nullopt;
        auto text = r.bytes(*len - 1u);
        if (!text) return std::nullopt;
        info.name = unpad_name(*text, 1);
    }
    if (info.has_mtu) {
        auto v = r.u32();
        if (!v) return std::nullopt;
        info.mtu = *v;
    }
    if (!r.empty()) return std::nullopt;
    return info;
}

// RFC 8335 section 2.1.
std::optional<InterfaceIdentification> decode_interface_identification(std::uint8_t c_type,
                                                                       core::Bytes p) {
    InterfaceIdentification id;
    switch (c_type) {
        case 1:  // by name, NUL-padded to a 4-octet boundary
            if (p.size() % 4 != 0) return std::nullopt;
            id.kind = IdentificationKind::by_name;
            id.name = unpad_name(p, 0);
            return id;
        case 2:
            if (p.size() != 4) return std::nullopt;
            id.kind = IdentificationKind::by_index;
            id.ifindex = core::load_be32(p.data());
            return id;
        case 3: {
            if (p.size() < 4) return std::nullopt;
            id.kind = IdentificationKind::by_address;
            id.afi = core::load_be16(p.data());
            id.address_length = p[2];
            id.reserved = p[3];
            auto field = p.subspan(4);
            // The address is zero-padded to 4 octets; anything else is not canonical.
            if (round_up4(id.address_length) != field.size()) return std::nullopt;
            for (std::size_t i = id.address_length; i < field.size(); ++i)
                if (field[i] != 0) return std::nullopt;
            id.address.assign(field.begin(), field.begin() + id.address_length);
            return id;
        }
        default:
            return std::nullopt;
    }
}

std::size_t payload_size(const Object& o) {
    struct {
        std::size_t operator()(const MplsLabelStack& s) const { return 4 * s.entries.size(); }
        std::size_t operator()(const InterfaceInformation& i) const {
            std::size_t n = 0;
            if (i.has_ifindex) n += 4;
            if (i.has_address) n += 4 + (i.address.is_v6() ? 16 : 4);
            if (i.has_name) n += round_up4(1 + std::min<std::size_t>(i.name.size(), 63));
            if (i.has_mtu) n += 4;
            return n;
        }
        std::size_t operator()(const InterfaceIdentification& i) const {
            switch (i.kind) {
                case IdentificationKind::by_name: return round_up4(i.name.size());
                case IdentificationKind::by_index: return 4;
                case IdentificationKind::by_address: return 4 + round_up4(i.address.size());
            }
            return 0;
        }
        std::size_t operator()(const RawObject& r) const { return r.payload.size(); }
    } visitor;
    return std::visit(visitor, o);
}

std::pair<std::uint8_t, std::uint8_t> class_and_type(const Object& o) {
    struct {
        std::pair<std::uint8_t, std::uint8_t> operator()(const MplsLabelStack&) const { return {class_mpls, 1}; }
        std::pair<std::uint8_t, std::uint8_t> operator()(const InterfaceInformation& i) const {
            return {class_interface_information, i.c_type()};
        }
        std::pair<std::uint8_t, std::uint8_t> operator()(const InterfaceIdentification& i) const {
            return {class_interface_identification, static_cast<std::uint8_t>(i.kind)};
        }
        std::pair<std::uint8_t, std::uint8_t> operator()(const RawObject& r) const { return {r.class_num, r.c_type}; }
    } visitor;
    return std::visit(visitor, o);
}

void emit_padded_text(const std::string& s, std::size_t max, std::size_t prefix, core::ByteWriter& w) {
    std::size_t n = std::min(s.size(), max);
    w.bytes(core::Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), n));
    w.zeros(round_up4(prefix + n) - prefix - n);
}

void emit_payload(const Object& o, core::ByteWriter& w) {
    if (auto* s = std::get_if<MplsLabelStack>(&o)) {
        for (const auto& e : s->entries)
            w.u32(((e.label & 0xFFFFFu) << 12) | (std::uint32_t{e.traffic_class & 7u} << 9) |
                  (e.bottom_of_stack ? 0x100u : 0u) | e.ttl);
    } else if (auto* i = std::get_if<InterfaceInformation>(&o)) {
        if (i->has_ifindex) w.u32(i->ifindex);
        if (i->has_address) {
            w.u16(i->afi);
            w.u16(i->address_reserved);
            if (i->address.is_v6()) w.bytes(i->address.v6().bytes());
            else w.u32(i->address.v4().to_uint());
        }
        if (i->has_name) {
            std::size_t n = std::min<std::size_t>(i->name.size(), 63);
            w.u8(static_cast<std::uint8_t>(round_up4(1 + n)));
            emit_padded_text(i->name, 63, 1, w);
        }
        if (i->has_mtu) w.u32(i->mtu);
    } else if (auto* d = std::get_if<InterfaceIdentification>(&o)) {
        switch (d->kind) {
            case IdentificationKind::by_name: emit_padded_text(d->name, d->name.size(), 0, w); break;
            case IdentificationKind::by_index: w.u32(d->ifindex); break;
            case IdentificationKind::by_address:
                w.u16(d->afi);
                w.u8(d->address_length);
                w.u8(d->reserved);
                w.bytes(d->address);
                w.zeros(round_up4(d->address.size()) - d->address.size());
                break;
        }
    } else {
        w.bytes(std::get<RawObject>(o).payload);
    }
}

}  // namespace

std::uint8_t InterfaceInformation::c_type() const noexcept {
    return static_cast<std::uint8_t>((static_cast<unsigned>(role) & 3u) << 6 | (reserved & 3u) << 4 |
                                     (has_ifindex ? 0x08u : 0u) | (has_address ? 0x04u : 0u) |
                                     (has_name ? 0x02u : 0u) | (has_mtu ? 0x01u : 0u));
}

std::optional<core::IpAddress> InterfaceIdentification::ip_address() const noexcept {
    if (kind != IdentificationKind::by_address) return std::nullopt;
    if (afi == afi_ipv4 && address.size() == 4) return core::IpAddress(core::Ipv4Address::from_bytes(address.data()));
    if (afi == afi_ipv6 && address.size() == 16) return core::IpAddress(core::Ipv6Address::from_bytes(address.data()));
    return std::nullopt;
}

Object decode_object(std::uint8_t class_num, std::uint8_t c_type, core::Bytes payload) {
    switch (class_num) {
        case class_mpls:
            if (auto v = decode_mpls(c_type, payload)) return *std::move(v);
            break;
        case class_interface_information:
            if (auto v = decode_interface_information(c_type, payload)) return *std::move(v);
            break;
        case class_interface_identification:
            if (auto v = decode_interface_identification(c_type, payload)) return *std::move(v);
            break;
        default:
            break;
    }
    return raw(class_num, c_type, payload);
}

core::WireResult<ExtensionStructure> parse(core::Bytes data) noexcept {
    // RFC 4884 section 7: a 4-octet header, then objects to the end of the structure.
    if (data.size() < 4) return core::wire_error(core::Fault::truncated, 0);
    ExtensionStructure s;
    s.version = data[0] >> 4;
    s.reserved = static_cast<std::uint16_t>(core::load_be16(data.data()) & 0x0FFF);
    s.checksum = core::load_be16(data.data() + 2);
    s.checksum_valid = s.checksum == 0 || checksum_ok(data);
    std::size_t at = 4;
    while (at < data.size()) {
        if (data.size() - at < 4) return core::wire_error(core::Fault::truncated, at);
        // Section 7.1: the length counts the 4-octet object header and the payload.
        std::size_t len = core::load_be16(data.data() + at);
        if (len < 4 || len > data.size() - at) return core::wire_error(core::Fault::bad_length, at);
        s.objects.push_back(decode_object(data[at + 2], data[at + 3], data.subspan(at + 4, len - 4)));
        at += len;
    }
    return s;
}

std::size_t encoded_size(const Object& object) { return 4 + payload_size(object); }

std::size_t encoded_size(const ExtensionStructure& s) {
    std::size_t n = 4;
    for (const auto& o : s.objects) n += encoded_size(o);
    return n;
}

void emit(const Object& object, core::ByteWriter& w) {
    auto [cls, type] = class_and_type(object);
    w.u16(static_cast<std::uint16_t>(encoded_size(object)));
    w.u8(cls);
    w.u8(type);
    emit_payload(object, w);
}

void emit(const ExtensionStructure& s, core::ByteWriter& w, bool compute_checksum) {
    std::size_t start = w.size();
    w.u16(static_cast<std::uint16_t>(((s.version & 0xFu) << 12) | (s.reserved & 0x0FFFu)));
    w.u16(compute_checksum ? 0 : s.checksum);
    for (const auto& o : s.objects) emit(o, w);
    if (compute_checksum) {
        auto written = core::Bytes(w.buffer()).subspan(start);
        w.patch16(start + 2, internet_checksum(written));
    }
}

bool looks_like_extension_header(core::Bytes data) noexcept {
    return data.size() >= 4 && (data[0] >> 4) == extension_version && checksum_ok(data);
}

Rfc4884Split split_original(core::Bytes payload, std::uint8_t length_attribute,
                            core::Family family) noexcept {
    Rfc4884Split out;
    out.original = payload;
    constexpr std::size_t min_original = 128;  // RFC 4884 sections 4.1 (v4) and 4.2 (v6)
    if (length_attribute != 0) {
        // Sections 4.1/4.2: the attribute counts 32-bit (v4) or 64-bit (v6) words of the
        // original datagram field, padding included.
        std::size_t n = std::size_t{length_attribute} * (family == core::Family::v4 ? 4 : 8);
        if (n > payload.size()) return out;  // longer than the message: ignore it (section 5.1)
        if (n == payload.size()) {
            out.by_length_attribute = true;  // compliant, without extensions
            return out;
        }
        if (n < min_original) return out;  // extensions need >= 128 octets before them
        out.original = payload.first(n);
        out.extensions = payload.subspan(n);
        out.by_length_attribute = true;
        return out;
    }
    // Section 5.3: a non-compliant sender put the structure after exactly 128 octets.
    if (payload.size() > min_original && looks_like_extension_header(payload.subspan(min_original))) {
        out.original = payload.first(min_original);
        out.extensions = payload.subspan(min_original);
        out.by_compat_128 = true;
    }
    return out;
}

core::WireResult<Rfc4884Split> split_delivered(core::Bytes delivered, std::size_t offset) noexcept {
    Rfc4884Split out;
    out.original = delivered;
    if (offset == 0) return out;  // no extension structure (or the option is not set)
    if (offset > delivered.size()) return core::wire_error(core::Fault::bad_length, 0);
    // RFC 4884 section 7: the structure starts with a 4-octet header.
    if (delivered.size() - offset < 4) return core::wire_error(core::Fault::truncated, offset);
    out.original = delivered.first(offset);
    out.extensions = delivered.subspan(offset);
    out.by_length_attribute = true;
    return out;
}

}  // namespace icmpkit::wire::ext
