// probe::Cycles — mtr-like repeated tracing (`icmpkit trace --cycles N`) as a pure state machine
// (DESIGN.md 5): every cycle sends one probe per TTL up to the destination, and per-hop statistics
// accumulate (Loss%, Snt, Last, Avg, Best, Wrst, StDev, as mtr 0.95's report) with every address
// that answered at each hop (cycle c uses flow c mod `flows`, so per-flow load balancers show
// their branches, as mtr shows its "loadbalances").
//
// The improvement over mtr: loss at an intermediate hop that does not carry on to later hops is
// not forwarding loss. A probe lost on a link or in a router's forwarding path would be lost for
// every larger TTL too; loss seen only at hop i means router i did not answer (ICMP rate limiting,
// RFC 1812 4.3.2.8, or a busy control plane). HopReport::forwarding_loss is the loss that carries
// on (min over hops j >= i), reply_loss the rest, and rate_limited marks the hops where that rest
// is clearly more than chance.
//
// Events in: start(now), on_sent(serial, now), on_reply(r, now), on_timer(now), interrupt().
// Actions out: take_probes(). next_deadline() says when on_timer() wants to run. Never reads a
// clock. Memory: max_ttl hops x max_addresses addresses; in-flight probes bounded by max_ttl x
// (wait / interval + 1).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/probe/rtt_stats.hpp"

namespace icmpkit::probe {

using namespace std::chrono_literals;

struct CyclesConfig {
    std::uint8_t first_ttl = 1;
    std::uint8_t max_ttl = 30;
    std::uint32_t cycles = 10;        // mtr -c; 0: continuous until interrupt()
    core::Duration interval = 1s;     // between cycles (mtr -i)
    core::Duration wait = 2s;         // a probe unanswered this long is lost
    std::uint16_t flows = 8;          // cycle c probes with flow c % flows
    unsigned max_unknown = 5;         // TTLs probed past the last that answered (mtr --max-unknown)
    unsigned max_addresses = 8;       // addresses kept per hop (mtr's MAXPATH)
};

struct CyclesProbe {
    std::uint16_t flow = 0;
    std::uint16_t serial = 0;
    std::uint8_t ttl = 1;
};

struct CyclesReply {
    std::optional<std::uint16_t> serial;
    std::uint16_t flow = 0;
    std::optional<std::uint8_t> probe_ttl;
    core::IpAddress from;
    bool destination = false;   // the destination answered (echo reply, port unreachable from it, ...)
    bool unreachable = false;   // another error ends the path here (!H !N !P ...)
};

struct HopReport {
    std::uint8_t ttl = 0;
    std::vector<core::IpAddress> addresses;  // in the order they first answered
    std::uint64_t sent = 0, received = 0, lost = 0;  // lost: unanswered after `wait`
    std::optional<std::int64_t> last_us, best_us, worst_us;
    double average_us = 0, stdev_us = 0;     // sample standard deviation, as mtr's StDev
    double loss = 0;                         // lost / (received + lost), 0..1
    double forwarding_loss = 0;              // min loss over this and every later hop
    double reply_loss = 0;                   // loss - forwarding_loss
    // Answered sometimes, and its loss does not carry on: at least 2 probes and 10 points more
    // loss than the hops after it (one random loss on a lossy link is not a rate limit).
    bool rate_limited = false;
    bool destination = false;
};

struct CyclesReport {
    std::vector<HopReport> hops;  // first_ttl .. the destination (or the last hop that answered)
    std::uint64_t cycles = 0;     // cycles started
    std::uint64_t ignored = 0;    // replies that matched no probe in flight
    bool reached = false;
};

class Cycles {
public:
    explicit Cycles(CyclesConfig config);

    void start(core::MonoTime now);
    void on_sent(std::uint16_t serial, core::MonoTime now);
    void on_reply(const CyclesReply& reply, core::MonoTime now);
    void on_timer(core::MonoTime now);
    void interrupt();  // continuous mode's end (SIGINT); in-flight probes are not counted

    std::vector<CyclesProbe> take_probes();
    std::optional<core::MonoTime> next_deadline() const noexcept;
    bool finished() const noexcept { return finished_; }
    CyclesReport report() const;
    const CyclesConfig& config() const noexcept { return config_; }

private:
    struct Hop {
        std::vector<core::IpAddress> addresses;
        std::uint64_t sent = 0, received = 0, lost = 0;
        RttStats rtt;
        bool destination = false;
    };
    struct Outstanding {
        std::uint16_t serial = 0, flow = 0;
        std::uint8_t ttl = 0;
        std::uint64_t cycle = 0;
        std::optional<core::MonoTime> sent_at;
    };
    void begin_cycle();
    void extend(unsigned up_to);
    void send(std::uint8_t ttl);
    unsigned limit() const noexcept;
    void check_finished();

    CyclesConfig config_;
    std::vector<Hop> hops_;  // by TTL
    std::vector<Outstanding> in_flight_;
    std::vector<CyclesProbe> queue_;
    std::uint64_t cycle_ = 0;         // cycles begun
    unsigned sent_up_to_ = 0;         // highest TTL sent in the current cycle
    unsigned highest_answer_ = 0;
    std::optional<unsigned> destination_ttl_;
    std::uint16_t next_serial_ = 0;
    core::MonoTime next_cycle_{};
    bool started_ = false, finished_ = false, stopped_ = false;
    std::uint64_t ignored_ = 0;
};

}  // namespace icmpkit::probe
