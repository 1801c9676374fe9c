// net: the real-time driver of `icmpkit lab`: a sim::Network behind a TUN device. Wall time is
// mapped onto the network's virtual clock (virtual 0 = the start of run_lab), so configured
// latency is real latency.
//
//   datagrams read from the TUN   -> validated -> Network::send() at the entry host, at "now"
//   the network runs until now    -> what it delivers to the entry host is written to the TUN
//   ppoll() sleeps until the next network event, a TUN datagram or a signal (signalfd).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "icmpkit/capture/reader.hpp"
#include "icmpkit/core/error.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/net/tun.hpp"
#include "icmpkit/sim/network.hpp"

namespace icmpkit::net {

// What the driver itself saw (the nodes' counters are in the Network).
struct LabCounters {
    std::uint64_t from_tun = 0;      // datagrams read from the TUN
    std::uint64_t injected = 0;      // of those, sent into the network
    std::uint64_t malformed = 0;     // not an IPv4/IPv6 datagram with a sound header: dropped
    std::uint64_t unroutable = 0;    // the entry host has no route for it: dropped
    std::uint64_t to_tun = 0;        // datagrams the network delivered and we wrote
    std::uint64_t write_errors = 0;  // writes the kernel refused
    std::uint64_t pcap_errors = 0;
};

struct LabRunOptions {
    std::optional<core::Duration> duration;   // --duration: stop after this much wall time
    capture::CaptureWriter* pcap = nullptr;   // -w: every datagram read and written (LINKTYPE_RAW)
};

struct LabHooks {
    std::function<void()> on_stats;  // SIGUSR1
};

// Why run_lab returned.
enum class LabStop : std::uint8_t { duration, signal };

// The loop. SIGINT and SIGTERM end it (blocked and read through a signalfd, so teardown runs in
// the caller); SIGUSR1 calls hooks.on_stats. The network's clock must be at its origin.
core::SysResult<LabStop> run_lab(sim::Network& network, TunDevice& tun, const LabRunOptions& options,
                                 const LabHooks& hooks, LabCounters& counters);

// Whether `packet` is one IPv4 (header checksum verified) or IPv6 datagram whose header and
// length fields are consistent: what run_lab lets into the network.
bool is_sound_datagram(core::Bytes packet) noexcept;

}  // namespace icmpkit::net
