// net: probe engines over the virtual network (DESIGN.md 2, "the two transports"), in virtual time.
// Pure code: no syscalls, no clock reads. The same engine that run_ping() drives over sockets runs
// here against a sim::Network, so `icmpkit ping --sim` needs no privileges and a 30-probe ping with
// a 1 s interval takes milliseconds.
//
//   net::SimTransport t(topology, {.seed = 1});
//   probe::Ping ping(cfg);                        // cfg.destination inside the topology
//   auto r = net::run_ping_sim(ping, t, {}, on_event);
//
// SimTransport is the small part another engine's driver (trace, pmtu) reuses: transmit an
// upper-layer payload from the entry host (the IP header is ours, as a socket's kernel would
// build it), advance the virtual clock, collect what came back, parsed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/probe/ping.hpp"
#include "icmpkit/sim/network.hpp"
#include "icmpkit/sim/topology.hpp"

namespace icmpkit::net {

// IP_MTU_DISCOVER / IPV6_MTU_DISCOVER values (linux/in.h), the -M argument.
enum class PmtuDiscovery : std::uint8_t { dont = 0, want = 1, do_ = 2, probe = 3 };

// The IP header fields a socket would set for us.
struct IpSendOptions {
    std::uint8_t ttl = 64;  // -t: TTL / hop limit (Linux default 64)
    std::uint8_t tos = 0;   // -Q: TOS / traffic class
    PmtuDiscovery pmtu = PmtuDiscovery::want;  // Linux default (ip_no_pmtu_disc = 0)
};

enum class SendStatus : std::uint8_t {
    sent,
    no_route,   // the entry host has no route (ENETUNREACH)
    too_big,    // DF datagram above the path MTU with -M do (EMSGSIZE; path_mtu() says how big)
    no_source,  // the entry host has no address of the destination's family
};

// One datagram that came back to the entry host, its IP layer parsed.
struct SimReceived {
    core::MonoTime at;
    core::IpAddress source, destination;
    std::uint8_t protocol = 0;  // IPv4 protocol or IPv6 upper layer (no extension headers walked)
    std::uint8_t ttl = 0;       // TTL / hop limit as received
    bool fragment = false;      // MF set or offset non-zero: the payload is a piece
    core::Buffer payload;       // the upper-layer bytes (ICMP message)
};

// A transport over a sim::Network: what every virtual-time driver needs.
class SimTransport {
public:
    explicit SimTransport(const sim::Topology& topology, sim::NetworkOptions options = {});

    core::MonoTime now() const noexcept { return network_.now(); }
    sim::Network& network() noexcept { return network_; }
    const sim::Topology& topology() const noexcept { return topology_; }

    // The entry host's first address of `family` (the source a kernel would choose).
    std::optional<core::IpAddress> source(core::Family family) const;
    // What the entry host knows of the path MTU to `destination`: the outgoing interface MTU,
    // lowered by Fragmentation Needed (RFC 1191) / Packet Too Big (RFC 8201) seen so far.
    std::uint32_t path_mtu(const core::IpAddress& destination) const;

    // Wraps `payload` (an upper-layer message; ICMPv6 gets its checksum, RFC 4443 2.3) in an
    // IPv4/IPv6 header from the entry host and injects it at now().
    SendStatus transmit(const core::IpAddress& destination, std::uint8_t protocol, core::Bytes payload,
                        const IpSendOptions& options);
    // A whole datagram, as given (a raw socket with IP_HDRINCL).
    bool transmit_datagram(core::Bytes datagram);

    // Runs the network up to `until`; the clock ends there.
    void advance_to(core::MonoTime until) { network_.run_until(until); }
    std::optional<core::MonoTime> next_event_time() const { return network_.next_event_time(); }
    // Datagrams delivered to the entry host since the last call, parsed; unparseable ones are
    // counted in malformed(). Also learns path MTUs from the errors among them.
    std::vector<SimReceived> take_received();
    std::uint64_t malformed() const noexcept { return malformed_; }

    // The name of the node owning `a` ("r4"), for reverse lookups; empty when none.
    std::string node_name(const core::IpAddress& a) const;
    // A node name or an address text -> an address of the topology (family: the first of the
    // node's addresses matching `family` when given).
    std::optional<core::IpAddress> lookup(const std::string& name, std::optional<core::Family> family) const;

private:
    void learn_pmtu(const SimReceived& r);

    const sim::Topology& topology_;
    sim::Network network_;
    std::map<core::IpAddress, std::uint32_t> pmtu_;
    std::uint16_t identification_ = 0;
    std::uint64_t malformed_ = 0;
};

struct SimPingOptions {
    IpSendOptions ip;
    // Virtual time; there (or when nothing is left to happen) the engine is interrupted as by SIGINT.
    core::Duration ceiling = std::chrono::hours(1);
};

struct SimPingResult {
    bool finished = false;   // false: interrupted at the ceiling
    core::MonoTime end{};
};

// The loop (DESIGN.md 5) in virtual time: deliveries first, then timers, then transmits. Echo
// replies go to on_reply(); ICMP errors quoting one of our echo requests go to on_queued_error()
// as a datagram socket with IP_RECVERR reports them; -M do above the path MTU is the local
// EMSGSIZE (on_local_error). Every action but Transmit goes to `on_event`.
SimPingResult run_ping_sim(probe::Ping& ping, SimTransport& transport, const SimPingOptions& options,
                           const std::function<void(const probe::Action&)>& on_event);

// Parses one delivered ICMP/ICMPv6 error: nullopt unless it quotes an echo request.
std::optional<probe::QueuedIcmpError> queued_error_of(const SimReceived& r);

}  // namespace icmpkit::net
