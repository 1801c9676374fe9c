// probe::MultiPing — fping 5.1-class multi-target echo engine as a pure state machine (DESIGN.md 5).
//
// Events in: start(now), on_sent(sequence, now), on_send_error(sequence, errno, now),
// on_reply(received, now), on_queued_error(error, now), on_timer(now), interrupt(now).
// Actions out: take_actions(out) moves Transmit (echo requests, any family mixed) and progress
// events into `out`; next_deadline() says when on_timer() wants to run. Never reads a clock,
// opens a socket or prints.
//
// Scheduling follows fping 5.1 main_loop(): a ping queue of (due time, target) in FIFO order for
// equal times; at most one packet per `interval` (-i) over all targets; in count/loop mode the next
// probe of a target is due `period` (-p) after the previous one was due; in default mode a target
// is probed until its first reply, with `retries` (-r) more attempts after timeouts that grow by
// `backoff` (-B). fping counts a probe as sent when it is answered or has timed out (xmt in the
// summary); replies slower than the target's current timeout are discarded (fping github #32).
//
// Sequence numbers are one 16-bit counter over all targets (fping's seqmap). Memory: O(targets)
// for the per-target state, plus a fixed window of outstanding probes (`window`, at most 65,536
// slots) and a timeout heap kept under 2 x window entries. When every slot is still outstanding,
// sending waits for the oldest timeout. -C vectors cost count entries per target (inherent).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/probe/ping.hpp"
#include "icmpkit/probe/rtt_stats.hpp"

namespace icmpkit::probe {

struct MultiPingConfig {
    std::vector<core::IpAddress> targets;  // in the order fping probes them
    std::uint32_t count = 0;           // -c / -C: probes per target; 0 with !loop: default (alive) mode
    bool loop = false;                 // -l: probe every target forever (until interrupt)
    bool keep_vectors = false;         // -C: every RTT per target
    core::Duration interval = 10ms;    // -i: minimum gap between any two packets
    core::Duration period = 1000ms;    // -p: gap between the probes of one target (count/loop)
    core::Duration timeout = 500ms;    // -t: initial per-probe timeout
    std::uint32_t retries = 3;         // -r: default mode only
    double backoff = 1.5;              // -B
    std::size_t payload_size = 56;     // -b
    std::uint16_t identifier = 0;      // raw sockets; the kernel sets it on datagram sockets
    bool check_identifier = true;      // raw sockets see every echo reply on the host
    bool check_source = true;          // raw: a reply must come from the target itself
    bool verify_checksum = false;      // raw IPv4: the kernel passes bad checksums up
    std::uint32_t window = 65536;      // outstanding-probe slots, a power of two <= 65,536
    std::size_t per_target_sketch_limit = 1024;  // per-target RttSketch up to this many targets
};

// ---- actions -------------------------------------------------------------------------------
struct MultiTransmit {
    std::uint32_t target = 0;
    std::uint16_t sequence = 0;
    core::Bytes icmp;  // echo request (IPv4 checksum set; IPv6: the kernel's job), valid until the
                       // next take_actions()
};
struct MultiReplyEvent {
    core::MonoTime at;
    std::uint32_t target = 0, probe = 0;  // probe: fping's [index]
    std::uint16_t sequence = 0;
    core::Duration rtt{0};
    std::size_t bytes = 0;                // ICMP length (fping prints it)
    core::IpAddress from;
    bool first = false;                   // the target's first reply: "is alive"
    bool duplicate = false;
    bool different_address = false;       // datagram sockets: fping's " [<- addr]"
};
struct MultiTimeoutEvent {
    core::MonoTime at;
    std::uint32_t target = 0, probe = 0;
};
struct MultiIcmpErrorEvent {
    core::MonoTime at;
    std::uint32_t target = 0, probe = 0;
    core::IpAddress from;
    std::uint8_t type = 0, code = 0;
};
struct MultiSendErrorEvent {
    core::MonoTime at;
    std::uint32_t target = 0, probe = 0;
    int error_number = 0;
};
struct MultiFinishEvent {
    core::MonoTime at;
    bool interrupted = false;
};
using MultiAction = std::variant<MultiTransmit, MultiReplyEvent, MultiTimeoutEvent, MultiIcmpErrorEvent,
                                 MultiSendErrorEvent, MultiFinishEvent>;

// Per-target counters (fping's HOST_ENTRY numbers).
struct TargetStats {
    std::uint32_t sent = 0;        // fping num_sent: answered, timed out or failed to send
    std::uint32_t transmitted = 0; // handed to the socket
    std::uint32_t received = 0;
    std::uint32_t duplicates = 0;
    std::uint32_t icmp_errors = 0;
    std::int64_t min_ns = 0, max_ns = 0, sum_ns = 0;
    double sum2_ms = 0;            // for the standard deviation in JSON
    bool alive() const noexcept { return received > 0; }
    std::int64_t avg_ns() const noexcept { return received ? sum_ns / received : 0; }
    int loss_percent() const noexcept { return sent ? static_cast<int>((sent - received) * 100ull / sent) : 0; }
};

// Global counters (fping -s), and what was ignored.
struct MultiPingCounters {
    std::uint64_t echos_sent = 0, replies = 0, timeouts = 0, other_icmp = 0;
    std::uint64_t duplicates = 0, late = 0, foreign = 0, malformed = 0, bad_checksum = 0;
    std::uint64_t send_errors = 0, window_stalls = 0;
};

// -C: one entry per probe.
inline constexpr std::int64_t rtt_unused = -2, rtt_timeout = -1;

class MultiPing {
public:
    explicit MultiPing(MultiPingConfig config);
    ~MultiPing();
    MultiPing(MultiPing&&) noexcept;

    void start(core::MonoTime now);
    void on_sent(std::uint16_t sequence, core::MonoTime now);  // kernel TX timestamp (optional)
    void on_send_error(std::uint16_t sequence, int error_number, core::MonoTime now);
    void on_reply(const Received& r, core::MonoTime now);
    void on_queued_error(const QueuedIcmpError& e, core::MonoTime now);
    void on_timer(core::MonoTime now);
    void interrupt(core::MonoTime now);

    // Moves the pending actions into `out` (cleared first); buffers are reused, no allocation in
    // steady state. MultiTransmit::icmp stays valid until the next call.
    void take_actions(std::vector<MultiAction>& out);
    std::optional<core::MonoTime> next_deadline() const noexcept;
    bool finished() const noexcept { return finished_; }

    const MultiPingConfig& config() const noexcept { return config_; }
    std::size_t target_count() const noexcept { return config_.targets.size(); }
    const TargetStats& stats(std::uint32_t target) const noexcept;
    std::span<const std::int64_t> rtt_vector(std::uint32_t target) const noexcept;  // -C, ns
    const RttSketch* sketch(std::uint32_t target) const noexcept;  // nullptr above the limit
    const RttStats& overall() const noexcept;  // every accepted RTT (microseconds)
    const MultiPingCounters& counters() const noexcept;
    std::uint32_t alive_count() const noexcept;
    std::uint64_t outstanding() const noexcept;
    core::MonoTime start_time() const noexcept;
    core::MonoTime end_time() const noexcept;  // the finish time (or start time before it)
    // Bytes of engine state, for the memory-bound test.
    std::size_t memory_bytes() const noexcept;

    struct State;  // implementation detail (src/probe/multi_ping.cpp)

private:
    void pump(core::MonoTime now);
    static void wake(State& s, core::MonoTime now);
    MultiPingConfig config_;
    std::unique_ptr<State> s_;
    bool finished_ = false;
};

}  // namespace icmpkit::probe
