// net: drivers for probe::Trace (issue 5) -- over the virtual network in virtual time, and over
// real sockets: UDP (unprivileged, IP_RECVERR / IPV6_RECVERR error queue), ICMP echo (an ICMP
// datagram socket with IP_RECVERR when net.ipv4.ping_group_range allows, else raw) and TCP SYN
// (raw sockets: root or CAP_NET_RAW). The loop is DESIGN.md 5's: receive, expire timers, transmit.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <memory>
#include <string>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/result.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/net/signals.hpp"
#include "icmpkit/net/sim_driver.hpp"
#include "icmpkit/probe/trace.hpp"

namespace icmpkit::net {

using TraceEventFn = std::function<void(const probe::TraceAction&)>;

struct SimTraceOptions {
    // Virtual time after which the trace is interrupted (as by SIGINT).
    core::Duration ceiling = std::chrono::hours(1);
};

struct TraceRunResult {
    bool finished = false;  // false: interrupted
    int signal = 0;         // the signal (SIGINT, SIGTERM) that interrupted it; 0: none
    core::MonoTime end{};
    core::Duration elapsed{0};
};

// The space's source must be the transport's entry address (ProbeSpace::source): the driver
// sends whole datagrams as a raw socket would (identification = serial).
TraceRunResult run_trace_sim(probe::Trace& trace, SimTransport& transport, const SimTraceOptions& options,
                             const TraceEventFn& on_event);

// ---- real sockets ----
struct SocketTraceOptions {
    std::string interface;             // -i: SO_BINDTODEVICE
    core::Duration ceiling = std::chrono::minutes(10);
    bool allow_raw_fallback = true;    // ICMP: raw socket when ping sockets are not allowed
    // Watched with the sockets: a signal read from it interrupts the trace (Trace::interrupt
    // prints the hop being probed), and TraceRunResult::signal says which. Not owned.
    SignalBlock* signals = nullptr;
    // -F (traceroute 2.1): DF on every probe whatever path MTU was learned (IP_PMTUDISC_PROBE),
    // so each too-big probe gets its own Fragmentation Needed / Packet Too Big (!F-MTU). Without
    // it IPv4 probes go without DF (IP_PMTUDISC_DONT) as traceroute's; IPv6 keeps the default.
    bool dont_fragment = false;
};

struct SocketTraceSetup {
    // Filled by open: the bound source port / ICMP identifier the engine's ProbeSpace must use,
    // and the local address when known.
    std::uint16_t source_port = 0;
    std::optional<core::IpAddress> source;
    bool raw = false;
    // Errors are read from the socket's error queue (no raw ICMP socket), and the kernel says
    // where their RFC 4884 extensions start (IP(V6)_RECVERR_RFC4884, Linux >= 5.9): without it an
    // unprivileged trace shows no MPLS labels or RFC 5837 interfaces.
    bool error_queue = false;
    bool error_queue_extensions = false;
};

struct TraceSocketError {
    int error_number = 0;
    std::string message;     // one line, e.g. "tcp traceroute needs raw sockets (root or CAP_NET_RAW)"
    bool privilege = false;  // the method needs privileges we do not have
};

class TraceSockets;  // opaque; owns the descriptors
struct TraceSocketsDeleter {
    void operator()(TraceSockets* s) const noexcept;
};
using TraceSocketsPtr = std::unique_ptr<TraceSockets, TraceSocketsDeleter>;

// Opens the sockets the method needs, then drops capabilities (net::drop_capabilities).
core::Result<TraceSocketsPtr, TraceSocketError> open_trace_sockets(
    const probe::ProbeSpace& space, const SocketTraceOptions& options, SocketTraceSetup& setup);
// Runs until the trace finishes, the ceiling passes, a signal arrives on options.signals or `stop`
// returns true (checked each wake).
core::Result<TraceRunResult, TraceSocketError> run_trace(probe::Trace& trace, TraceSockets& sockets,
                                                         const SocketTraceOptions& options,
                                                         const TraceEventFn& on_event,
                                                         const std::function<bool()>& stop = {});
void close_trace_sockets(TraceSocketsPtr& s);

// The reverse DNS name of `a` (getnameinfo, NI_NAMEREQD), or "" when there is none or the lookup
// takes longer than `timeout` (it then finishes on a detached thread).
std::string reverse_name(const core::IpAddress& a, core::Duration timeout);

}  // namespace icmpkit::net
