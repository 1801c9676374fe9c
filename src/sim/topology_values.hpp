// Value parsers of the topology format (durations, percentages, rates, ports, codes); private
// to src/sim. Each returns nullopt on anything malformed.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "icmpkit/core/time.hpp"

namespace icmpkit::sim::detail {

std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max) noexcept;
// "5ms", "250us", "1.5s", "100ns", "0".
std::optional<core::Duration> parse_duration(std::string_view s) noexcept;
// "0.5%" -> 5000 ppm; at most 4 decimals, at most 100%.
std::optional<std::uint32_t> parse_percent_ppm(std::string_view s) noexcept;
// "100mbit", "1gbit", "64kbit", "9600bit".
std::optional<std::uint64_t> parse_rate(std::string_view s) noexcept;
// "1500", "64kB", "1MB" (k = 1000).
std::optional<std::uint64_t> parse_bytes(std::string_view s) noexcept;
// Reject codes by name: v4 / v6 pair of Destination Unreachable codes ("admin-prohibited",
// "13" = 13/1, "5/8" = v4 5 and v6 8), or "reassembly-timeout": Time Exceeded code 1.
struct RejectCode {
    std::uint8_t v4;
    std::uint8_t v6;
    std::uint8_t type_v4 = 3;  // Destination Unreachable
    std::uint8_t type_v6 = 1;
};
std::optional<RejectCode> parse_reject_code(std::string_view s) noexcept;

}  // namespace icmpkit::sim::detail
