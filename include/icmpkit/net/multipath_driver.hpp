// net: drivers for the multipath engines of `icmpkit trace --mda` and `--cycles` (probe::Mda,
// probe::Cycles). Both speak the same language: probes named (flow, serial, TTL) out, responses
// matched by probe::match_response() in. Built and matched with probe/trace_probe.hpp, so they
// use exactly the probes of probe::Trace (Paris UDP by default).
//
// Over the virtual network (pure, virtual time): whole datagrams from the topology's entry host,
// IP identification = serial, as a raw socket would send them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "icmpkit/core/result.hpp"

#include "icmpkit/core/time.hpp"
#include "icmpkit/net/signals.hpp"
#include "icmpkit/net/sim_driver.hpp"
#include "icmpkit/probe/cycles.hpp"
#include "icmpkit/probe/mda.hpp"
#include "icmpkit/probe/trace_probe.hpp"

namespace icmpkit::net {

struct MultipathProbe {
    std::uint16_t flow = 0, serial = 0;
    std::uint8_t ttl = 1;
};

// The engine side of the loop, so one driver serves both engines (and tests' fakes).
struct MultipathEngine {
    std::function<std::vector<MultipathProbe>()> take_probes;
    std::function<void(std::uint16_t serial, core::MonoTime)> on_sent;
    std::function<void(const probe::TraceResponse&, core::MonoTime)> on_response;  // accepted ones only
    std::function<void(core::MonoTime)> on_timer;
    std::function<std::optional<core::MonoTime>()> next_deadline;
    std::function<bool()> finished;
    std::function<void()> interrupt;
};

MultipathEngine engine_of(probe::Mda& mda);
MultipathEngine engine_of(probe::Cycles& cycles);

// TraceResponse -> the engines' reply types.
probe::MdaReply mda_reply_of(const probe::TraceResponse& r);
probe::CyclesReply cycles_reply_of(const probe::TraceResponse& r);

struct SimMultipathOptions {
    core::Duration ceiling = std::chrono::hours(1);  // virtual time, then interrupted
};

struct MultipathRunStats {
    bool finished = false;       // false: interrupted (the ceiling or a signal)
    int signal = 0;              // the signal (SIGINT, SIGTERM) that interrupted it; 0: none
    core::MonoTime end{};
    std::uint64_t sent = 0, received = 0;
    std::uint64_t rejected = 0;  // responses match_response() refused (not ours, malformed, ...)
};

// A ProbeSpace for the simulator: the entry's source address, identification = serial.
std::optional<probe::ProbeSpace> sim_probe_space(const SimTransport& t, probe::TraceMethod method,
                                                 const core::IpAddress& destination, std::uint16_t flows);

// The loop of DESIGN.md 5 in virtual time. The engine must have been start()ed at transport.now().
MultipathRunStats run_multipath_sim(const MultipathEngine& engine, const probe::ProbeSpace& space,
                                    SimTransport& transport, const SimMultipathOptions& options = {});

// ---- real sockets ----
// Raw sockets when allowed (root or CAP_NET_RAW): IPv4 probes are whole datagrams (IP_HDRINCL,
// identification = serial, any flow's source port), IPv6 probes the transport segment with the hop
// limit set per probe; answers come from a raw ICMP / ICMPv6 socket. When raw sockets are refused
// (EPERM/EACCES), no privilege: one kernel datagram socket per flow in use, opened lazily and bound
// to source_port + flow -- UDP for udp_paris, ICMP datagram sockets for icmp_paris (the kernel's echo
// identifier is the bound port; needs net.ipv4.ping_group_range) -- TTL per probe, ICMP errors
// from each socket's error queue (IP_RECVERR; quoted TTL/TOS and extensions are then unknown).
// space.source_port is moved before starting when a port of [source_port, source_port + flows)
// is in use. Methods udp_paris and icmp_paris.
struct SocketMultipathOptions {
    std::string interface;  // SO_BINDTODEVICE when set
    core::Duration ceiling = std::chrono::minutes(5);  // wall time, then interrupted
    // Watched with the sockets: a signal read from it interrupts the engine (what was found so
    // far stays in its result / report) and MultipathRunStats::signal says which. Not owned.
    SignalBlock* signals = nullptr;
    // Called after every wake of the loop (at least every 200 ms): continuous --cycles re-prints
    // its report from here.
    std::function<void(core::MonoTime)> on_wake;
};

struct MultipathSocketError {
    int error_number = 0;
    std::string message;  // one line
    bool privilege = false;
};

// Fills space.source with the routing table's source for the destination when unspecified, then
// runs the loop until the engine finishes or the ceiling passes. The engine must have been
// start()ed; run_multipath restarts nothing. Stops early on a signal from options.signals.
core::Result<MultipathRunStats, MultipathSocketError> run_multipath(const MultipathEngine& engine,
                                                                    probe::ProbeSpace& space,
                                                                    const SocketMultipathOptions& options);

}  // namespace icmpkit::net
