// The unprivileged sockets of net::run_multipath (private to net): one kernel datagram socket per
// flow in use, bound to the flow's port -- UDP (udp_paris: source port = source_port + flow) or ICMP
// datagram ("ping") sockets (icmp_paris: the kernel sets the echo identifier to the bound port,
// which is source_port + flow; sequence and payload are ours, so the Paris checksum balance holds).
// TTL / hop limit per probe; ICMP errors from each socket's error queue (IP_RECVERR /
// IPV6_RECVERR), echo replies from the ping sockets themselves.
#pragma once

#include <poll.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "icmpkit/core/result.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/net/multipath_driver.hpp"

namespace icmpkit::net {

class FlowSockets {
public:
    using Sink = std::function<void(probe::TraceResponse, core::MonoTime)>;

    FlowSockets(const probe::ProbeSpace& space, std::string interface);
    ~FlowSockets();
    FlowSockets(const FlowSockets&) = delete;
    FlowSockets& operator=(const FlowSockets&) = delete;

    // Whether this kind of datagram socket may be opened here (errno of the failure otherwise).
    static int allowed(const probe::ProbeSpace& space);
    // Moves space.source_port so that every flow's port [base, base + flows) can be bound now
    // (sockets are opened lazily, one per flow, so the whole range is checked before starting).
    static bool choose_base(probe::ProbeSpace& space, const std::string& interface);

    // Opens the flow's socket on first use; false when it could not be opened or the send failed.
    bool send(const MultipathProbe& p);
    // pollfds of every open socket (POLLERR is always reported; POLLIN for echo replies).
    void poll_set(std::vector<pollfd>& out) const;
    // Reads what the sockets polled ready hold; every entry that parses goes to `sink`.
    // `ready`: the poll_set() just polled (no flow opened in between).
    void receive(const std::vector<pollfd>& ready, const Sink& sink);

private:
    int open_flow(std::uint16_t flow);
    void read_socket(int fd, std::uint16_t port, const Sink& sink);

    const probe::ProbeSpace& s_;
    std::string interface_;
    bool v4_, icmp_;
    std::vector<int> fds_;                   // by flow, -1 until used
    std::vector<std::uint16_t> open_flows_;  // in opening order (poll_set's order)
};

}  // namespace icmpkit::net
