// probe::Trace — traceroute as a pure state machine (DESIGN.md 5, issue 5).
//
// Events in: start(now), on_sent(serial, now), on_send_error(serial, errno, now),
// on_packet(protocol, bytes, from, ...) or on_response(TraceResponse, now), on_timer(now).
// Actions out (take_actions): TraceTransmit (a probe to send with its TTL), TraceHopEvent (a hop
// is complete; hops come out in TTL order, as traceroute prints them), TraceFinish.
// next_deadline() says when on_timer() wants to run. Never reads a clock, opens a socket or prints.
//
// Scheduling:
//  - probes are sent in (TTL, probe) order, at most `window` in flight (traceroute -N) and at
//    most `per_hop_window` per TTL, at least `send_wait` apart (-z);
//  - once a final answer (destination reached, or an error such as !H) arrives at TTL d, nothing
//    is sent beyond d and answers from beyond d are ignored;
//  - pacing per responder: each address that answered is modelled as Linux's ICMP rate limiter
//    (a bucket of `responder_burst` tokens refilled one per `responder_interval`: the defaults of
//    net.ipv4.icmp_ratelimit and XRLIM_BURST_FACTOR), and a probe expected to reach it waits for a
//    token instead of being answered by silence;
//  - waits adapt as traceroute 2.1's -w MAX,HERE,NEAR: HERE times the RTT of an answered probe of
//    the same hop, else NEAR times the RTT of an answered later hop, else MAX;
//  - retries (at most `retries` extra attempts of a probe) follow from why a probe went unanswered:
//      * its hop answered other probes: the responder is rate limiting (its modelled bucket is
//        emptied); the probe is retried only if the next token is due within `token_wait`
//        (default 0: printed `*` at once, as traceroute would, instead of waiting a second);
//      * no probe of its hop answered but a later hop did: asked again at once (a lost probe or
//        reply), then taken to be silent by policy -- unless this trace has seen rate limiting (a
//        hop answering only some probes): then it is asked a `responder_interval` after its
//        first send, when an emptied bucket holds a token again;
//      * the first hop past the last answer (or the first TTL), destination unknown: often the
//        destination, or a router, whose bucket a previous trace emptied; its first wait is at
//        most `responder_interval` and it is asked once more then, waiting NEAR x the RTT of the
//        hop before it;
//      * beyond that the path is dark, and asking again only costs time;
//    a late answer to an earlier attempt still counts while its hop is not printed.
// Memory is bounded: (max_ttl - first_ttl + 1) * queries slots, in-flight and late records capped.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <variant>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/probe/trace_probe.hpp"

namespace icmpkit::probe {

using namespace std::chrono_literals;

struct TraceConfig {
    ProbeSpace space;
    std::uint16_t flow = 0;          // the flow every probe uses (Paris: one path)
    std::uint8_t first_ttl = 1;      // -f
    std::uint8_t max_ttl = 30;       // -m
    unsigned queries = 3;            // -q (1..10)
    unsigned window = 16;            // -N
    unsigned per_hop_window = 3;     // probes of one TTL in flight at once
    core::Duration max_wait = 5s;    // -w MAX
    double here = 3.0;               // -w ,HERE (0: off)
    double near = 10.0;              // -w ,,NEAR (0: off)
    core::Duration min_wait = 5ms;   // floor of the adaptive waits
    core::Duration send_wait{0};     // -z
    unsigned retries = 2;            // at most this many extra attempts of an unanswered probe
    core::Duration retry_backoff = 200ms;  // before a retry at an answered hop, doubling
    core::Duration token_wait{0};    // longest wait for a limiting responder's next token
    unsigned responder_burst = 6;    // Linux XRLIM_BURST_FACTOR
    core::Duration responder_interval = 1s;  // net.ipv4.icmp_ratelimit (ms)
};

// One of the `queries` probes of a hop, as printed.
struct TraceProbeResult {
    enum class Status : std::uint8_t { answered, timeout, not_sent };
    Status status = Status::not_sent;
    unsigned attempts = 0;
    core::Duration rtt{0};
    TraceResponse response;  // when answered
};

struct TraceHop {
    std::uint8_t ttl = 0;
    std::vector<TraceProbeResult> probes;
    bool final = false;  // the trace ends here (destination or an error such as !H)
};

struct TraceTransmit {
    ProbeId id;
    BuiltProbe probe;
};
struct TraceHopEvent {
    core::MonoTime at;
    TraceHop hop;
};
struct TraceFinish {
    core::MonoTime at;
};
using TraceAction = std::variant<TraceTransmit, TraceHopEvent, TraceFinish>;

struct TraceCounters {
    std::uint64_t sent = 0, answered = 0, retried = 0, late = 0, duplicates = 0, send_errors = 0;
    std::uint64_t beyond_destination = 0;  // answers to probes past the final hop, ignored
    std::uint64_t unattributed = 0;        // ours, but the quote did not say which probe
    std::map<RejectReason, std::uint64_t> rejected;  // foreign or malformed, never taken for hops
};

class Trace {
public:
    static constexpr std::size_t late_capacity = 256;

    explicit Trace(TraceConfig config);

    void start(core::MonoTime now);
    void on_sent(std::uint16_t serial, core::MonoTime now);
    void on_send_error(std::uint16_t serial, int error_number, core::MonoTime now);
    // A received ICMP/ICMPv6 message or TCP segment: matched with match_response().
    void on_packet(std::uint8_t protocol, core::Bytes message, const core::IpAddress& from,
                   std::optional<std::uint8_t> reply_ttl, const core::IpAddress* to, core::MonoTime now);
    // An already matched response (error queues give these).
    void on_response(const TraceResponse& r, core::MonoTime now);
    void on_timer(core::MonoTime now);
    // SIGINT: emits the hop being probed as it stands (unanswered probes timed out), then
    // TraceFinish.
    void interrupt(core::MonoTime now);

    std::vector<TraceAction> take_actions();
    std::optional<core::MonoTime> next_deadline() const noexcept;
    bool finished() const noexcept { return finished_; }
    const TraceConfig& config() const noexcept { return config_; }
    const TraceCounters& counters() const noexcept { return counters_; }
    std::size_t in_flight() const noexcept { return flight_.size(); }
    // The hops emitted so far, in TTL order.
    const std::vector<TraceHop>& hops() const noexcept { return done_; }

private:
    struct Slot {
        TraceProbeResult result;
        bool in_flight = false;
        std::optional<core::MonoTime> ready;  // retry not before
        core::MonoTime first_sent{};          // of attempt 1
        bool waited_token = false;            // asked again a responder_interval after first_sent
    };
    struct Flight {
        std::uint16_t serial;
        std::size_t slot;
        core::MonoTime sent;
        bool failed = false;  // the send failed: expires at once
    };
    struct Late {
        std::uint16_t serial;
        std::size_t slot;
        core::MonoTime sent;
    };
    struct Bucket {
        double tokens = 0;
        core::MonoTime at{};
    };

    std::size_t slot_index(std::uint8_t ttl, unsigned q) const noexcept;
    std::uint8_t slot_ttl(std::size_t slot) const noexcept;
    std::uint8_t last_ttl() const noexcept;
    void pump(core::MonoTime now);
    void expire(core::MonoTime now);
    void transmit(core::MonoTime now);
    bool try_send(std::size_t slot, core::MonoTime now);
    core::Duration wait_for(std::size_t slot) const;
    void record(std::size_t slot, core::MonoTime sent, const TraceResponse& r, core::MonoTime now);
    void emit_hops(core::MonoTime now);
    bool hop_complete(std::uint8_t ttl) const noexcept;
    bool hop_answered(std::uint8_t ttl) const noexcept;
    bool answered_after(std::uint8_t ttl) const noexcept;  // a later hop answered
    bool frontier(std::uint8_t ttl) const noexcept;
    void retry_unanswered(std::size_t slot, core::MonoTime now);
    void reopen_silent_hops(core::MonoTime now);
    std::optional<core::IpAddress> responder_of(std::uint8_t ttl) const;
    bool take_token(const core::IpAddress& a, core::MonoTime now, bool commit);
    std::optional<core::MonoTime> token_time(const core::IpAddress& a) const;
    std::optional<core::MonoTime> slot_wake(std::size_t slot) const;
    unsigned in_flight_at(std::uint8_t ttl) const noexcept;
    void finish(core::MonoTime now);

    TraceConfig config_;
    std::vector<Slot> slots_;
    std::vector<Flight> flight_;
    std::vector<Late> late_;  // ring, late_capacity
    std::size_t late_next_ = 0;
    std::map<core::IpAddress, Bucket> buckets_;  // at most slots_.size() responders
    std::vector<TraceAction> actions_;
    std::vector<TraceHop> done_;
    std::optional<std::uint8_t> final_ttl_;
    unsigned next_emit_ = 0;
    std::uint16_t next_serial_ = 0;
    std::optional<core::MonoTime> last_send_;
    bool started_ = false, finished_ = false;
    bool limited_ = false;  // a hop answered some probes but not all: rate limiting on this path
    TraceCounters counters_;
};

}  // namespace icmpkit::probe
