// Helpers shared by the --json and -v renderers (private to src/report).
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "icmpkit/core/time.hpp"
#include "icmpkit/dissect/dissection.hpp"
#include "icmpkit/report/decode_json.hpp"

namespace icmpkit::report::detail {

// tshark's frame.time_epoch form: seconds, '.', 9 digits ("1700000000.123456000").
inline std::string_view format_epoch(core::WallTime t, char (&buf)[40]) {
    const auto ns = t.time_since_epoch().count();
    const bool negative = ns < 0;
    std::uint64_t mag = negative ? static_cast<std::uint64_t>(-(ns + 1)) + 1 : static_cast<std::uint64_t>(ns);
    std::uint64_t sec = mag / 1000000000u, frac = mag % 1000000000u;
    char* end = buf + sizeof buf;
    char* p = end;
    for (int i = 0; i < 9; ++i) {
        *--p = static_cast<char>('0' + frac % 10);
        frac /= 10;
    }
    *--p = '.';
    do {
        *--p = static_cast<char>('0' + sec % 10);
        sec /= 10;
    } while (sec != 0);
    if (negative) *--p = '-';
    return std::string_view(p, static_cast<std::size_t>(end - p));
}

// The dissector's status as tshark reports it: absent checksums count as unverified.
constexpr ChecksumStatus tshark_checksum_status(dissect::ChecksumStatus s) noexcept {
    switch (s) {
        case dissect::ChecksumStatus::good: return ChecksumStatus::good;
        case dissect::ChecksumStatus::bad: return ChecksumStatus::bad;
        default: return ChecksumStatus::unverified;
    }
}

}  // namespace icmpkit::report::detail
