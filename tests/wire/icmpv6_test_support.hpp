// Helpers shared by icmpv6_test.cpp and ndp_test.cpp.
#pragma once

#include <string_view>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"

namespace v6test {
inline icmpkit::core::Ipv6Address A(std::string_view text) { return *icmpkit::core::Ipv6Address::parse(text); }
inline std::vector<std::uint8_t> B(std::string_view s) { return std::vector<std::uint8_t>(s.begin(), s.end()); }
// The scapy fixtures' pseudo-header addresses (tests/wire/icmpv6_fixtures.py SRC, DST).
inline const icmpkit::core::Ipv6Address src = A("2001:db8::1");
inline const icmpkit::core::Ipv6Address dst = A("2001:db8::2");
}  // namespace v6test
