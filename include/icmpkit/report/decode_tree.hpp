// `icmpkit decode -v`: the detailed tree in `tshark -V` style (docs/wireshark-fields.md
// section 5): 4-space indentation, `Type: 8 (Echo (ping) request)`, `Checksum: 0x5435 [correct]`,
// `[Checksum Status: Good]`, bit-field lines, the quoted datagram subtree, `ICMP Multi-Part
// Extensions`, ND options. Frame, link and IP layers are one summary line each; the ICMP layer
// is shown in full. A malformed frame ends with `[Malformed packet: <fault> at byte N]`.
#pragma once

#include <string>

#include "icmpkit/core/bytes.hpp"
#include "icmpkit/wire/extensions.hpp"
#include "icmpkit/wire/icmpv4.hpp"
#include "icmpkit/wire/icmpv6.hpp"

namespace icmpkit::dissect {
struct Dissection;
}

namespace icmpkit::report {

enum class ChecksumStatus : std::uint8_t;

// Appends the tree of one frame (ending with a blank line).
void write_tree(const dissect::Dissection& d, std::string& out);

// The parts, usable without the dissector. `depth` is the indentation level of the lines.
void write_icmpv4_tree(const wire::icmpv4::Message& m, ChecksumStatus status, std::string& out);
void write_icmpv6_tree(const wire::icmpv6::Message& m, ChecksumStatus status, std::string& out);
void write_quote_tree(core::Bytes original, int depth, std::string& out);
void write_extensions_tree(const wire::ext::ExtensionStructure& s, int depth, std::string& out);

}  // namespace icmpkit::report
