// Small helpers shared by the decode_json_*.cpp files (private to src/report).
#pragma once

#include <cstdint>
#include <string_view>

#include "icmpkit/core/bytes.hpp"
#include "icmpkit/report/json_writer.hpp"

namespace icmpkit::report::detail {

inline void field_bytes(JsonWriter& w, std::string_view k, core::Bytes b) {
    w.key(k);
    w.bytes_string(b);
}
inline void field_ipv4(JsonWriter& w, std::string_view k, core::Ipv4Address a) {
    w.key(k);
    w.ipv4_string(a);
}
inline void field_ipv6(JsonWriter& w, std::string_view k, const core::Ipv6Address& a) {
    w.key(k);
    w.ipv6_string(a);
}
inline void field_ip(JsonWriter& w, std::string_view k, const core::IpAddress& a) {
    if (a.is_v4()) field_ipv4(w, k, a.v4());
    else field_ipv6(w, k, a.v6());
}
// FT_NONE fields (tshark prints them with an empty value).
inline void field_none(JsonWriter& w, std::string_view k) { w.field(k, ""); }

inline std::uint16_t swap16(std::uint16_t v) noexcept {
    return static_cast<std::uint16_t>((v >> 8) | (v << 8));
}

// ICMPv4 identifier/sequence in both byte orders (tshark's icmp.ident / icmp.ident_le ...).
inline void ident_seq_v4(JsonWriter& w, std::uint16_t identifier, std::uint16_t sequence) {
    w.field_dec("icmp.ident", identifier);
    w.field_dec("icmp.ident_le", swap16(identifier));
    w.field_dec("icmp.seq", sequence);
    w.field_dec("icmp.seq_le", swap16(sequence));
}

}  // namespace icmpkit::report::detail
