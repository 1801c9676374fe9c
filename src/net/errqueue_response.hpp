// IP_RECVERR / IPV6_RECVERR error-queue entries as matcher input (private to net): the plain
// trace's one socket and the multipath engines' per-flow sockets read errors through this.
#pragma once

#include <time.h>  // linux/errqueue.h needs struct timespec
#include <linux/errqueue.h>

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <optional>

#include "icmpkit/core/bytes.hpp"
#include "icmpkit/probe/trace_probe.hpp"

namespace icmpkit::net {

struct ErrqueueRead {
    bool read = false;                             // false: the queue was empty
    std::optional<probe::TraceResponse> response;  // empty: not an ICMP error (local, no offender)
};

// Reads one entry of fd's error queue (MSG_DONTWAIT) and matches it against `space`
// (probe::match_queued_error, RFC 4884 extensions included). `source_port`: the UDP source port
// of the socket the entry came from.
ErrqueueRead read_error_response(int fd, const probe::ProbeSpace& space, std::uint16_t source_port);

// An error-queue socket (IP_RECVERR) keeps the last ICMP error also as its pending socket error,
// and the next send fails with it (sock_alloc_send_pskb) without sending, while the entry stays
// queued: with several probes in flight every other one was lost. Clears it (SO_ERROR) before
// sending, and sends again while a new one arrived meanwhile (at most 3 tries). sendto's result.
ssize_t send_past_pending_error(int fd, core::Bytes data, const sockaddr* to, socklen_t to_len);

}  // namespace icmpkit::net
