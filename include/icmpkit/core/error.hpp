// The three error kinds of DESIGN.md section 4.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "icmpkit/core/result.hpp"

namespace icmpkit::core {

// What is wrong with untrusted bytes. Keep describe() and fault_name() in step.
enum class Fault : std::uint8_t {
    truncated,          // fewer bytes than the structure needs
    bad_length,         // a length field disagrees with the bytes or with itself
    bad_checksum,       // checksum verification failed (only when verification was asked for)
    bad_version,        // IP version nibble is not the one expected
    bad_header_length,  // IPv4 IHL < 5, TCP data offset < 5, ...
    bad_option,         // a malformed option or extension header / object
    bad_value,          // a field holds a value the format forbids
    unsupported,        // well-formed but of a kind we do not decode (link type, protocol)
};

std::string_view fault_name(Fault f) noexcept;  // "truncated", "bad-length", ...

// Untrusted-input failure: the fault and the offset of the first bad byte, counted from the start
// of the span handed to the parser that failed.
struct WireError {
    Fault fault = Fault::truncated;
    std::uint32_t offset = 0;

    friend constexpr bool operator==(const WireError&, const WireError&) = default;
};

// A WireError moved by `base` bytes: for a parser that calls an inner parser on a sub-span.
constexpr WireError shifted(WireError e, std::size_t base) noexcept {
    e.offset += static_cast<std::uint32_t>(base);
    return e;
}

// "truncated at byte 28"
std::string describe(const WireError& e);

template <class T>
using WireResult = Result<T, WireError>;

inline constexpr Unexpected<WireError> wire_error(Fault f, std::size_t offset) noexcept {
    return Unexpected<WireError>(WireError{f, static_cast<std::uint32_t>(offset)});
}

// Operating-system failure; made only in `net` (and capture's libpcap sources).
struct SysError {
    int error_number = 0;
    std::string operation;  // "socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)"
};
std::string describe(const SysError& e);

template <class T>
using SysResult = Result<T, SysError>;

// Bad user input; only cli turns it into a message and exit code 2.
struct UsageError {
    std::string message;
};

}  // namespace icmpkit::core
