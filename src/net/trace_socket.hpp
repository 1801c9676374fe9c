// The sockets behind net::run_trace (private to net).
#pragma once

#include <cstdint>

#include "icmpkit/net/trace_driver.hpp"
#include "sockaddr_util.hpp"

namespace icmpkit::net {

class TraceSockets {
public:
    ~TraceSockets();
    probe::ProbeSpace space;  // as opened: bound source port, chosen source address
    int send_fd = -1;   // UDP / ICMP datagram / raw ICMP / raw TCP
    int icmp_fd = -1;   // raw ICMP receive socket (errors with whole quotes), when we have one
    int tcp_fd = -1;    // raw TCP (SYN-ACK / RST), tcp_syn only
    bool raw_send = false;
    // IP_RECVERR_RFC4884 / IPV6_RECVERR_RFC4884 is set on send_fd: error-queue entries say where
    // their RFC 4884 extensions start (Linux >= 5.9; older kernels refuse it with ENOPROTOOPT).
    bool recverr_rfc4884 = false;
};

}  // namespace icmpkit::net
