// Target lists for multi-target ping (fping 5.1 `-g` and `-f`): pure parsing, no name service.
//
//   generate_cidr("192.0.2.0/28")          -> 192.0.2.1 .. 192.0.2.14 (fping: a prefix shorter
//                                             than /31 excludes the network and broadcast address)
//   generate_cidr("2001:db8::/124")        -> all 16 addresses (IPv6 has no broadcast address)
//   generate_range("192.0.2.1", "192.0.2.9") -> both ends included
//   parse_target_lines("a\n# c\n  b x\n")  -> {"a", "b"}: the first word of each line, `#` comments
//
// Every generator refuses more than `limit` addresses with a message instead of allocating.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/result.hpp"

namespace icmpkit::probe {

// fping 5.1 MAX_GENERATE.
inline constexpr std::size_t max_generate = 131072;

using TargetListResult = core::Result<std::vector<core::IpAddress>, std::string>;

TargetListResult generate_cidr(std::string_view cidr, std::size_t limit = max_generate);
TargetListResult generate_range(std::string_view first, std::string_view last,
                                std::size_t limit = max_generate);

// One target per line: leading blanks skipped, the first word taken, blank lines and lines whose
// first non-blank character is `#` skipped. At most `limit` targets are returned (the caller
// checks `truncated`).
struct TargetLines {
    std::vector<std::string> targets;
    bool truncated = false;
};
TargetLines parse_target_lines(std::string_view text, std::size_t limit = max_generate);

}  // namespace icmpkit::probe
