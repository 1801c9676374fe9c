// An ICMP error delivered to the application whose datagram caused it (issue 6): the value that
// net::ErrorListener (IP_RECVERR / MSG_ERRQUEUE) and net::RawErrorWatcher (raw socket + quote
// matching) both yield, and report::describe_error() turns into text. Pure.
#pragma once

#include <cstdint>
#include <optional>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/wire/classify.hpp"
#include "icmpkit/wire/quote.hpp"

namespace icmpkit::probe {

// Where the error came from (struct sock_extended_err ee_origin, or the raw watcher).
enum class ErrorOrigin : std::uint8_t {
    icmp,    // an ICMPv4 message (SO_EE_ORIGIN_ICMP)
    icmp6,   // an ICMPv6 message (SO_EE_ORIGIN_ICMP6)
    local,   // the local stack (SO_EE_ORIGIN_LOCAL: e.g. EMSGSIZE over a known path MTU)
    socket,  // only an errno on the socket (SO_ERROR: a RST, or TCP outside SYN-SENT)
};

struct IcmpError {
    ErrorOrigin origin = ErrorOrigin::icmp;
    std::uint8_t type = 0;
    std::uint8_t code = 0;
    // Family-agnostic meaning (kind, unreachable / time-exceeded reason, mtu).
    wire::Classification classification;
    // The node that sent the ICMP message (SO_EE_OFFENDER, or the IP source for the raw watcher).
    std::optional<core::IpAddress> reporter;
    // The offending flow: our datagram (source = this host).
    std::optional<wire::FlowKey> flow;
    std::optional<std::uint32_t> mtu;  // next-hop MTU / packet-too-big MTU (ee_info)
    int error_number = 0;              // the errno the kernel maps it to (ee_errno); 0 if none
    std::optional<core::WallTime> timestamp;  // kernel receive time when the cmsg was present
};

// The classification of an error known only by family, type and code (and ee_info), as the error
// queue gives it: the same table as wire::classify() for the error types.
wire::Classification classify_error(core::Family family, std::uint8_t type, std::uint8_t code,
                                    std::uint32_t info) noexcept;

// The errno Linux maps an ICMP error to (icmp_err_convert / icmpv6_err_convert); 0 for none.
int kernel_errno(core::Family family, std::uint8_t type, std::uint8_t code) noexcept;

// Whether (family, type) is an ICMP error message type (RFC 792, RFC 4443 2.1).
bool is_error_type(core::Family family, std::uint8_t type) noexcept;

}  // namespace icmpkit::probe
