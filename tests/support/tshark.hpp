// Test helper: run tshark (the oracle) and flatten its `-T json` output, and icmpkit's NDJSON,
// into the same list of (path, key, value) triples so that fields can be compared one by one.
//
// Flattening rules (docs/wireshark-fields.md, "Flattening"):
// - Only the packet's layers are walked (tshark: `_source.layers`; NDJSON: the whole line).
// - Every string (or number/bool) member yields one FlatField; members whose key ends in `_raw`
//   (tshark -x) are skipped.
// - An array is the same key repeated: each element is walked as if it were `key: element`.
//   This makes tshark's duplicate keys, `--no-duplicate-keys` arrays and our arrays equal.
// - `path` is the chain of enclosing *protocol* objects: top-level layer keys, and nested object
//   keys that look like protocol names (lower case letters, digits, '_' or '-', no '.'), e.g.
//   "icmp/ip" for the datagram quoted in an ICMP error. Other objects (`*_tree`, field subtrees
//   such as "icmp.ext" or "icmpv6.opt", text labels such as "MPLS Stack Entry", `_ws.expert`)
//   are transparent.
// - qualified() drops the innermost protocol of the path: "ip.src" for the outer header (path
//   "ip"), "icmp/ip.src" for the quoted one (path "icmp/ip"); a top-level field of an NDJSON line
//   (path "") is also just "ip.src". So `{"ip":{"ip.src":..}}` and `{"ip.src":..}` agree.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace icmpkit::test_support {

struct FlatField {
    std::string path;   // protocol chain, '/'-separated, e.g. "icmp/ip"
    std::string key;    // field name, e.g. "ip.src"
    std::string value;  // as printed (tshark: always a string)

    std::string qualified() const;  // e.g. "icmp/ip.src"
};

struct FlatPacket {
    std::vector<FlatField> fields;  // document order

    // All values of a qualified name ("icmp.type", "icmp/ip.src"), in document order.
    std::vector<std::string> values(std::string_view qualified) const;
    // The first value, if any.
    std::optional<std::string> first(std::string_view qualified) const;
    bool has(std::string_view qualified) const { return first(qualified).has_value(); }
    // qualified name -> values (multimap keeps document order among equal keys).
    std::multimap<std::string, std::string> to_multimap() const;
};

struct FlattenResult {
    bool ok = false;
    std::string error;               // parse or run error when !ok
    std::vector<FlatPacket> packets;
};

// Whether a usable `tshark` is on PATH.
bool tshark_available();

// Runs `tshark -T json -r pcap [-Y display_filter] [extra_args]` (stderr discarded) and flattens
// every packet. `extra_args` is appended verbatim (already shell-quoted), e.g. "-d udp.port==8472,vxlan".
FlattenResult run_tshark_json(const std::string& pcap, const std::string& display_filter = {},
                              const std::string& extra_args = {});

// Flattens tshark `-T json` text (an array of {"_source":{"layers":{...}}}); duplicate keys kept.
FlattenResult flatten_tshark_json(std::string_view json);

// Flattens icmpkit NDJSON: one JSON object per non-empty line, each the packet's layers.
FlattenResult flatten_ndjson(std::string_view text);

// Quotes `s` for /bin/sh with single quotes.
std::string shell_quote(std::string_view s);

// Runs a shell command, returns its stdout and exit status (-1 if it could not be started).
struct CommandResult {
    int status = -1;
    std::string out;
};
CommandResult run_command(const std::string& command);

}  // namespace icmpkit::test_support
