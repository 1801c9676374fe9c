// Small helpers shared by the decode_json_*.cpp files (private to src/report).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <utility>
#include <string_view>

#include "icmpkit/core/bytes.hpp"
#include "icmpkit/report/decode_json.hpp"
#include "icmpkit/report/json_writer.hpp"

namespace icmpkit::report::detail {

inline void field_bytes(JsonWriter& w, std::string_view k, core::Bytes b) {
    w.field_bytes(k, b);
}
inline void field_ipv4(JsonWriter& w, std::string_view k, core::Ipv4Address a) {
    w.field_ipv4(k, a);
}
inline void field_ipv6(JsonWriter& w, std::string_view k, const core::Ipv6Address& a) {
    w.field_ipv6(k, a);
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

// tshark (packet-icmp.c) reads octets 8-15 as seconds and microseconds, big-endian first, then
// little-endian, and takes them as a timestamp when within a day of the capture time.
inline std::optional<std::pair<std::uint32_t, std::uint32_t>> echo_timestamp(core::Bytes data, std::int64_t now) {
    if (data.size() < 8) return std::nullopt;
    auto plausible = [now](std::uint32_t sec, std::uint32_t usec) {
        const std::int32_t diff = static_cast<std::int32_t>(sec - static_cast<std::uint32_t>(now));
        return usec < 1000000 && diff > -86400 && diff < 86400;
    };
    std::uint32_t sec = core::load_be32(data.data()), usec = core::load_be32(data.data() + 4);
    if (!plausible(sec, usec)) {
        sec = static_cast<std::uint32_t>(data[0] | data[1] << 8 | data[2] << 16 | std::uint32_t{data[3]} << 24);
        usec = static_cast<std::uint32_t>(data[4] | data[5] << 8 | data[6] << 16 | std::uint32_t{data[7]} << 24);
        if (!plausible(sec, usec)) return std::nullopt;
    }
    return std::pair{sec, usec};
}

// An echo payload: `icmpkit.data_time` and the data after it when it starts with a timestamp.
inline void write_echo_data(core::Bytes data, std::optional<std::int64_t> frame_seconds, JsonWriter& w) {
    if (frame_seconds) {
        if (auto ts = echo_timestamp(data, *frame_seconds)) {
            char buf[24];
            const int n = std::snprintf(buf, sizeof buf, "%u.%06u", ts->first, ts->second);
            w.field("icmpkit.data_time", std::string_view(buf, static_cast<std::size_t>(n)));
            data = data.subspan(8);
        }
    }
    write_data_json(data, w);
}

}  // namespace icmpkit::report::detail
