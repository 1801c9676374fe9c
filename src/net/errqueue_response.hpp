// IP_RECVERR / IPV6_RECVERR error-queue entries as matcher input (private to net): the plain
// trace's one socket and the multipath engines' per-flow sockets read errors through this.
#pragma once

#include <time.h>  // linux/errqueue.h needs struct timespec
#include <linux/errqueue.h>

#include <cstddef>
#include <cstdint>
#include <optional>

#include "icmpkit/core/bytes.hpp"
#include "icmpkit/probe/trace_probe.hpp"

namespace icmpkit::net {

// An error-queue entry rebuilt as the ICMP error it came from, so match_response() judges it like
// any other: the kernel keeps type, code, info, the offender, the original destination (and UDP
// port) and the quoted transport payload, not the quoted IP header (its TTL and TOS are unknown).
// `source_port`: the UDP source port of the socket the entry came from (unused for ICMP).
core::Buffer rebuild_error(const probe::ProbeSpace& space, std::uint16_t source_port, const sock_extended_err& e,
                           std::uint16_t dport, const std::uint8_t* data, std::size_t n);

struct ErrqueueRead {
    bool read = false;                             // false: the queue was empty
    std::optional<probe::TraceResponse> response;  // empty: not an ICMP error (local, no offender)
};

// Reads one entry of fd's error queue (MSG_DONTWAIT) and matches it against `space`.
ErrqueueRead read_error_response(int fd, const probe::ProbeSpace& space, std::uint16_t source_port);

}  // namespace icmpkit::net
