// One probe for `icmpkit why`: a UDP datagram or a TCP connection attempt, and the evidence of
// what became of it (an ICMP error from ErrorListener or RawErrorWatcher, a reply, a connection,
// a reset, or nothing within the timeout).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/error.hpp"
#include "icmpkit/net/error_listener.hpp"

namespace icmpkit::net {

struct WhyRequest {
    std::uint8_t protocol = 17;  // 17 udp, 6 tcp
    core::IpAddress destination;
    std::uint16_t port = 0;
    std::optional<int> ttl;  // IP_TTL / IPV6_UNICAST_HOPS
    std::chrono::milliseconds timeout{2000};
    std::size_t size = 12;   // UDP payload bytes; sent with DF (IP_PMTUDISC_DO) when > 1200
};

enum class WhyOutcome : std::uint8_t {
    icmp_error,     // `error` holds the evidence
    udp_reply,      // the destination answered with a datagram
    tcp_connected,  // the three-way handshake completed
    tcp_reset,      // ECONNREFUSED without an ICMP error: a RST
    socket_error,   // another errno without ICMP details (`error` origin socket)
    timeout,        // nothing within the timeout
};

// Where the evidence came from.
enum class WhyEvidence : std::uint8_t {
    none,          // connected, reply or timeout: no error evidence
    errqueue,      // the probe socket's MSG_ERRQUEUE (IP_RECVERR; for TCP only while in SYN-SENT)
    raw_watcher,   // RawErrorWatcher: our own parse of the quote, RFC 5927 checks (TCP, privileged)
    socket_errno,  // SO_ERROR only (a RST, or an error without ICMP details)
};

struct WhyResult {
    WhyOutcome outcome = WhyOutcome::timeout;
    std::optional<IcmpError> error;
    wire::FlowKey flow;             // our datagram / SYN
    std::size_t reply_bytes = 0;
    WhyEvidence evidence = WhyEvidence::none;
    bool raw_watcher = false;       // TCP: ICMP errors were also watched on a raw socket (CAP_NET_RAW)
    bool window_checked = false;    // TCP: the SYN's sequence number was chosen via TCP_REPAIR
                                    // (CAP_NET_ADMIN), so the raw watcher applies RFC 5927 4.1
};

core::SysResult<WhyResult> why_probe(const WhyRequest& request);

}  // namespace icmpkit::net
