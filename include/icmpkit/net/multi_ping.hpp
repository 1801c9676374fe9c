// net: the multi-target ping driver (`icmpkit fping`, `icmpkit ping A B ...`). One ICMP socket per
// family for every target (datagram where net.ipv4.ping_group_range allows, raw otherwise),
// batch receive with recvmmsg and batch send with sendmmsg, kernel receive timestamps
// (SO_TIMESTAMPNS), no allocation per packet. And the same engine over the virtual network.
//
//   net::MultiSockets socks;                   // open_multi_sockets({v4, v6}), then drop caps
//   probe::MultiPing ping(cfg);
//   net::run_multi_ping(ping, socks, on_event);  // returns when the engine has finished
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "icmpkit/core/error.hpp"
#include "icmpkit/net/ping_socket.hpp"
#include "icmpkit/net/sim_driver.hpp"
#include "icmpkit/probe/multi_ping.hpp"

namespace icmpkit::net {

struct MultiSocketOptions {
    std::optional<int> ttl;                 // fping -H
    std::optional<int> tos;                 // fping -O
    bool dont_fragment = false;             // fping -M
    std::string device;                     // fping -I
    std::optional<core::IpAddress> source;  // fping -S (its family's socket only)
    int receive_buffer = 4 << 20;           // room for a sweep's burst of replies
};

struct MultiSockets {
    std::optional<IcmpSocket> v4, v6;
    IcmpSocket* of(core::Family f) noexcept { return f == core::Family::v4 ? (v4 ? &*v4 : nullptr) : (v6 ? &*v6 : nullptr); }
};

// Opens and configures the sockets of the families asked for. The error names the family.
core::SysResult<void> open_multi_sockets(MultiSockets& out, bool want_v4, bool want_v6,
                                         const MultiSocketOptions& options);

struct MultiDriverCounters {
    std::uint64_t receive_calls = 0, packets = 0, send_calls = 0, errqueue = 0;
};

// The loop (DESIGN.md 5): receive first (batches), then expire timers, then transmit (batches).
// SIGINT interrupts the engine (fping prints its summaries). Every action but MultiTransmit goes to
// `on_event`; the engine's counters say what was dropped.
core::SysResult<MultiDriverCounters> run_multi_ping(probe::MultiPing& ping, MultiSockets& sockets,
                                                    const std::function<void(const probe::MultiAction&)>& on_event);

// The same in virtual time over a SimTransport (pure; `--sim`).
SimPingResult run_multi_ping_sim(probe::MultiPing& ping, SimTransport& transport, const SimPingOptions& options,
                                 const std::function<void(const probe::MultiAction&)>& on_event);

}  // namespace icmpkit::net
