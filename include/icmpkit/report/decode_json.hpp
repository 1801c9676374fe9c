// `icmpkit decode --json`: one NDJSON object per ICMP packet in tshark's field names and value
// forms (docs/wireshark-fields.md section 7). Every value is a JSON string as tshark prints it.
//
// The per-part writers work on wire values and raw bytes, so they are usable (and tested)
// without the dissector. Each writes *members* into the object the caller has opened, except
// where noted. Nothing here allocates per field: all text is appended to the JsonWriter's buffer.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/report/json_writer.hpp"
#include "icmpkit/wire/extensions.hpp"
#include "icmpkit/wire/icmpv4.hpp"
#include "icmpkit/wire/icmpv6.hpp"
#include "icmpkit/wire/ndp.hpp"

namespace icmpkit::dissect {
struct Dissection;
}

namespace icmpkit::report {

// tshark's `*.checksum.status` values (proto.h PROTO_CHECKSUM_E_*).
enum class ChecksumStatus : std::uint8_t { bad = 0, good = 1, unverified = 2, not_present = 3 };

// ---- network layer (ip.hpp part) -----------------------------------------------------------

// The fields of an IPv4 header, from raw header bytes that may be cut short: each field is
// written only when all of its bytes are present (as tshark does for a truncated quote).
// `ip.checksum.status` is "2": tshark does not validate IPv4 header checksums by default.
void write_ipv4_fields(core::Bytes header, JsonWriter& w);
// IPv6 fixed header fields (as above, field by field), then the extension headers tshark
// dissects (hop-by-hop / destination options, routing, fragment) as nested `ipv6.*` objects,
// walking at most `chain` bytes after the fixed header. Returns the upper-layer protocol and its
// offset from the start of `datagram` (offset 0 when the chain could not be walked).
struct Ipv6ChainEnd {
    std::uint8_t protocol = 59;
    std::size_t offset = 0;
    bool fragment_not_first = false;
    bool fragment = false;  // a fragment header with a non-zero offset or M set
};
Ipv6ChainEnd write_ipv6_fields(core::Bytes datagram, JsonWriter& w);

// ---- the quoted datagram (quote part) ------------------------------------------------------

// The datagram quoted in an ICMP error as tshark nests it in the ICMP object: key "ip" or "ipv6"
// with the header fields, then "udp" / "tcp" / "icmp" / "icmpv6" with the transport fields that
// are present. Writes nothing for an empty quote. The quoted UDP payload is `udp.payload`; the
// data after it (tshark's top-level `data` layer) is not written. `frame_seconds`: as for
// write_icmpv4_json, for a quoted ICMP echo's payload.
void write_quote_json(core::Bytes original, JsonWriter& w,
                      std::optional<std::int64_t> frame_seconds = std::nullopt);

// ---- RFC 4884 extensions (ext part) --------------------------------------------------------

// Key "icmp.ext" and the object: version, reserved, checksum and its status, then
// "icmp.ext.object": [ one object per extension object ] (MPLS, interface information and
// identification, raw). Used by ICMPv4 and ICMPv6 alike (tshark uses the icmp.* names for both).
void write_extensions_json(const wire::ext::ExtensionStructure& s, JsonWriter& w);
// The members of one extension object.
void write_extension_object_json(const wire::ext::Object& o, JsonWriter& w);

// ---- ICMP layers ---------------------------------------------------------------------------

// The members of the `icmp` object for one ICMPv4 message: type, code, checksum, status, the
// per-kind fields of docs/wireshark-fields.md section 3, the quote and the extensions.
// `frame_seconds` (the capture time, seconds since the epoch) enables tshark's heuristic for an
// echo payload that starts with a sender timestamp (a 32-bit seconds + 32-bit microseconds
// timeval within a day of the capture, big- or little-endian): the timestamp is then reported
// as `icmpkit.data_time` and `data` starts after it, as tshark's does.
void write_icmpv4_json(const wire::icmpv4::Message& m, ChecksumStatus status, JsonWriter& w,
                       std::optional<std::int64_t> frame_seconds = std::nullopt);
// The same for `icmpv6` (section 4), ND options, MLD, node information, extended echo.
void write_icmpv6_json(const wire::icmpv6::Message& m, ChecksumStatus status, JsonWriter& w);
// Key "icmpv6.opt" and an array of one object per ND option.
void write_nd_options_json(std::span<const wire::ndp::Option> options, JsonWriter& w);

// `data` object {data.data, data.len}, written only when `payload` is not empty.
void write_data_json(core::Bytes payload, JsonWriter& w);

// ---- the whole packet ----------------------------------------------------------------------

// One NDJSON record (the object and its '\n') for a dissected frame: frame.*, the link layer,
// the IP layer(s) (tunnels: an array under "ip" / "ipv6"), the ICMP layer, and our additions
// under `icmpkit.` keys (classification; `icmpkit.fault` and `icmpkit.fault_offset` when the
// frame is malformed, in which case everything decoded up to the fault is still written).
void write_json(const dissect::Dissection& d, JsonWriter& w);

}  // namespace icmpkit::report
