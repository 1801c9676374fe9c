// net: the drivers of the path MTU engines (probe/pmtu.hpp) — over real sockets and over the
// virtual network. The loop is DESIGN.md 5's: deliveries first, then timers, then transmits.
//
//  * tracepath mode: an unprivileged UDP socket with IP_RECVERR / IPV6_RECVERR, IP_RECVTTL /
//    IPV6_RECVHOPLIMIT and IP_PMTUDISC_DO as tracepath 20221126 sets it (DF set, nothing
//    fragmented, a datagram above the learned path MTU refused locally with that MTU); the TTL
//    is set per probe; every error-queue entry (sock_extended_err,
//    SO_EE_OFFENDER, ee_info = the MTU of Fragmentation Needed / Packet Too Big) is handed to the
//    engine as a probe::PmtuQueuedError.
//  * search mode: an ICMP echo socket (datagram when net.ipv4.ping_group_range allows, raw
//    otherwise) with IP_PMTUDISC_PROBE; echo replies and errors quoting our probes go to the engine.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/error.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/net/ping_socket.hpp"
#include "icmpkit/net/sim_driver.hpp"
#include "icmpkit/probe/pmtu.hpp"

namespace icmpkit::net {

using PmtuEventSink = std::function<void(const probe::PmtuAction&)>;
using SearchEventSink = std::function<void(const probe::SearchAction&)>;

// ---- virtual network (pure) ------------------------------------------------------------------

struct SimPmtuOptions {
    core::Duration ceiling = std::chrono::hours(1);  // virtual time; there the run is abandoned
    std::uint16_t source_port = 40000;                // our UDP socket's port (tracepath mode)
};

// Both return false when the ceiling (or nothing left to happen) stopped the engine unfinished.
bool run_pmtu_sim(probe::Pmtu& engine, SimTransport& transport, const SimPmtuOptions& options,
                  const PmtuEventSink& on_event);
bool run_search_sim(probe::PmtuSearch& engine, SimTransport& transport, const SimPmtuOptions& options,
                    const SearchEventSink& on_event);

// One delivered ICMP/ICMPv6 error about a UDP datagram from `source_port` to `destination`, as
// Linux queues it on the socket (icmp_err_convert / icmpv6_err_convert errno, ee_info, the
// quoted payload after the UDP header). nullopt: not an error about such a datagram.
std::optional<probe::PmtuQueuedError> udp_queued_error_of(const SimReceived& r, const core::IpAddress& destination,
                                                          std::uint16_t source_port);

// ---- real sockets ----------------------------------------------------------------------------

// What the kernel knows of the way to `destination`, from a connected UDP socket (connect()
// sends nothing): the path MTU of the route (IP_MTU / IPV6_MTU: lowered by the ICMP it has
// seen) and the MTU of the outgoing interface (SIOCGIFMTU of the interface owning the source).
struct RouteMtu {
    std::uint32_t path_mtu = 0;
    std::uint32_t interface_mtu = 0;
};
core::SysResult<RouteMtu> route_mtu(const core::IpAddress& destination, std::uint32_t scope_id);

core::SysResult<void> run_pmtu(probe::Pmtu& engine, std::uint32_t scope_id, const PmtuEventSink& on_event);
// tracepath's getnameinfo() use: the name (or the numeric text when the address has none), and
// "???" when the lookup itself fails (no resolver reachable, ...).
std::string tracepath_name(const core::IpAddress& address);

// `socket` is opened by IcmpSocket::open() and set up by configure() with pmtudisc = 3
// (IP_PMTUDISC_PROBE); a datagram socket's kernel sets the identifier (check_identifier off).
core::SysResult<void> run_search(probe::PmtuSearch& engine, IcmpSocket& socket, std::uint32_t scope_id,
                                 const SearchEventSink& on_event);

}  // namespace icmpkit::net
