// Which local socket, and which process, a flow belongs to (for `icmpkit watch-errors`):
// a NETLINK_SOCK_DIAG inet_diag dump (linux/inet_diag.h) of the flow's protocol, matched against
// the 5-tuple, then /proc/<pid>/fd searched for the socket's inode.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "icmpkit/core/error.hpp"
#include "icmpkit/wire/quote.hpp"

namespace icmpkit::net {

struct SocketOwner {
    std::uint32_t inode = 0;
    std::uint32_t uid = 0;
    std::uint8_t state = 0;   // inet_diag idiag_state (TCP states; 7 = CLOSE for unconnected UDP)
    bool connected = false;   // the socket's remote address and port matched too
    std::optional<int> pid;   // a process holding the socket (the first found), when visible
    std::string command;      // /proc/<pid>/comm
};

// `flow` is our datagram's direction (src = this host). A connected socket (remote address and
// port equal) is preferred to one with a wildcard remote; a wildcard local address matches any.
// For an IPv4 flow, AF_INET6 sockets with v4-mapped addresses are searched too. nullopt: no
// socket (e.g. a TCP connection the error already aborted). TCP and UDP only.
core::SysResult<std::optional<SocketOwner>> find_socket_owner(const wire::FlowKey& flow);

}  // namespace icmpkit::net
