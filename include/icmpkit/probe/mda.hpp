// probe::Mda — multipath enumeration with the Multipath Detection Algorithm (Augustin, Friedman,
// Teixeira, "Multipath tracing with Paris traceroute", E2EMON 2007; "Measuring load-balanced paths
// in the Internet", IMC 2007; Veitch et al., "Failure control in multipath route tracing",
// INFOCOM 2009) as a pure state machine (DESIGN.md 5).
//
// A flow (a fixed 5-tuple and first transport octets, probe/trace_probe.hpp) follows one path
// through per-flow load balancers. Hop by hop, for every interface v found at hop h-1, the engine
// sends probes of flows known to pass through v at TTL h until the stopping rule says every
// successor of v has been seen: having seen k successors, n_k flows through v must have been
// probed at h, where n_k is the smallest n for which k+1 equally likely successors would all
// have shown up with probability at least the confidence (mda_stopping_point). Flows through v
// come from node control: fresh flows are probed at hop h-1 first and used once they are seen to
// reach v (skipped when hop h-1 has a single interface: every flow reaches it).
//
// Events in: start(now), on_sent(serial, now), on_send_error(serial, now), on_reply(r, now),
// on_timer(now). Actions out: take_probes() (flow, TTL, serial to send). next_deadline() says when
// on_timer() wants to run. Never reads a clock, opens a socket or prints. At most one probe per
// flow is in flight, so a reply that names only its flow still identifies its probe. Memory is
// bounded by max_flows x (max_ttl + 1) hop slots, max_interfaces per hop and probe_budget serials.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/time.hpp"

namespace icmpkit::probe {

using namespace std::chrono_literals;

// P(fewer than k+1 distinct successors seen after n probes | there are k+1, equally likely):
// by inclusion-exclusion, sum_{i=1..k} (-1)^(i+1) C(k+1, i) ((k+1-i)/(k+1))^n.
double mda_miss_probability(unsigned k, unsigned n) noexcept;
// n_k: the smallest n with mda_miss_probability(k, n) <= alpha (the MDA's per-hypothesis failure
// bound; alpha = 1 - confidence). k = 0 (nothing seen yet) needs one answer. For alpha = 0.05 this
// gives the published table 6, 11, 16, 21, 27, 33, ... (IMC 2007, Table 1).
unsigned mda_stopping_point(unsigned k, double alpha) noexcept;

struct MdaConfig {
    double confidence = 95.0;        // percent, 0 < c < 100
    std::uint8_t first_ttl = 1;
    std::uint8_t max_ttl = 30;
    std::uint16_t max_flows = 4096;  // flow ids 0 .. max_flows-1 (ProbeSpace::flows)
    std::uint32_t probe_budget = 20000;  // at most 65535 (serials are 16 bits)
    unsigned window = 32;            // probes in flight at once
    core::Duration wait = 1s;        // a probe unanswered this long is resent or declared silent
    unsigned retries = 3;            // resends before a probe counts as silent ('*')
    unsigned gap_limit = 3;          // stop after this many consecutive hops where all is silent
    unsigned max_interfaces = 64;    // per hop, and successors per interface
    // Pacing for routers' ICMP rate limits (Linux: a burst of 6, then one per second per peer,
    // net.ipv4.icmp_ratelimit): probes to one TTL draw from a token bucket holding
    // router_burst x (interfaces known at that TTL) tokens, refilled at that many per
    // router_interval. Once a probe to a TTL goes unanswered while others there were answered
    // (a limit hit), that TTL slows to 0.8 probes per router_interval: one router's share of the
    // bucket may have been more than its own limit. router_interval 0: no pacing.
    unsigned router_burst = 6;
    core::Duration router_interval = 1s;
};

// A probe to send: the driver builds it with build_probe({flow, serial, ttl}).
struct MdaProbe {
    std::uint16_t flow = 0;
    std::uint16_t serial = 0;
    std::uint8_t ttl = 1;
};

enum class MdaReplyKind : std::uint8_t { hop, destination, unreachable };

// A matched response (probe::match_response() accepted it).
struct MdaReply {
    std::optional<std::uint16_t> serial;  // empty when the quote is too short to say
    std::uint16_t flow = 0;
    std::optional<std::uint8_t> probe_ttl;
    core::IpAddress from;
    MdaReplyKind kind = MdaReplyKind::hop;
    std::uint8_t type = 0, code = 0;
};

enum class MdaNodeKind : std::uint8_t { router, destination, unreachable, silent };

struct MdaInterface {
    std::optional<core::IpAddress> address;  // empty: silent ('*')
    MdaNodeKind kind = MdaNodeKind::router;
    std::uint8_t type = 0, code = 0;         // of the first answer (unreachable: the reason)
    std::uint32_t flows = 0;                 // flows seen at it
    std::optional<std::int64_t> min_rtt_us;
    // Its successors were enumerated to the stopping rule (false: budget, flows or the
    // per-hop bound ran out first; true for terminal and last-hop interfaces).
    bool complete = true;
};

struct MdaHop {
    std::uint8_t ttl = 0;
    std::vector<MdaInterface> interfaces;
};

// A link from interface `from` at TTL ttl-1 to interface `to` at TTL ttl. At the first TTL
// `from` is 0 and stands for the source.
struct MdaLink {
    std::uint8_t ttl = 0;
    std::uint32_t from = 0, to = 0;
};

struct MdaResult {
    double confidence = 95.0;
    std::uint8_t first_ttl = 1;
    std::vector<MdaHop> hops;    // first_ttl, first_ttl+1, ... (no trailing all-silent hops)
    std::vector<MdaLink> links;
    std::uint64_t probes_sent = 0, replies = 0, timeouts = 0, ignored = 0, flows_used = 0;
    std::uint64_t paths = 0;     // source-to-terminal paths in the graph (saturating)
    bool reached = false;        // some path ends at the destination
    bool budget_exhausted = false;
    bool complete = false;       // every interface's successors enumerated to the stopping rule
    bool interrupted = false;    // interrupt() stopped it (SIGINT): never complete
};

class Mda {
public:
    explicit Mda(MdaConfig config);

    void start(core::MonoTime now);
    void on_sent(std::uint16_t serial, core::MonoTime now);
    void on_send_error(std::uint16_t serial, core::MonoTime now);  // counts as unanswered
    void on_reply(const MdaReply& reply, core::MonoTime now);
    void on_timer(core::MonoTime now);
    void interrupt();  // stop now; result() holds what was found, marked interrupted, incomplete

    std::vector<MdaProbe> take_probes();
    std::optional<core::MonoTime> next_deadline() const noexcept;
    bool finished() const noexcept { return finished_; }
    MdaResult result() const;
    const MdaConfig& config() const noexcept { return config_; }
    // n_k for this engine's confidence, k = 0 .. max_interfaces.
    unsigned stopping_point(unsigned k) const noexcept;

private:
    static constexpr std::int32_t unprobed = -1, pending = -2, unusable = -3;
    struct Node {
        std::optional<core::IpAddress> address;
        MdaNodeKind kind = MdaNodeKind::router;
        std::uint8_t type = 0, code = 0;
        std::uint32_t flows = 0;
        std::optional<std::int64_t> min_rtt_us;
        std::vector<std::uint32_t> successors;
        bool finished = false, incomplete = false;
    };
    struct Outstanding {
        std::uint16_t serial = 0, flow = 0;
        std::uint8_t ttl = 0;
        unsigned attempt = 0;
        std::optional<core::MonoTime> sent_at;
    };
    struct Bucket {
        double tokens = 0;
        core::MonoTime updated{};
        bool used = false;  // false: full
        bool slowed = false;  // a probe went unanswered where others were answered
    };
    struct Retry {
        std::uint16_t flow = 0;
        std::uint8_t ttl = 0;
        unsigned attempt = 0;
    };
    struct Need {
        std::uint32_t answered = 0, in_flight = 0;
        std::vector<std::uint16_t> candidates;  // flows through the node not yet probed at h
    };

    std::int32_t& slot(std::uint32_t flow, unsigned ttl) noexcept;
    std::int32_t slot_value(std::uint32_t flow, unsigned ttl) const noexcept;
    std::optional<std::uint16_t> new_flow(std::int32_t prev_value);
    void plan(core::MonoTime now);
    bool plan_stage();
    void finish_stage();
    bool send(std::uint16_t flow, std::uint8_t ttl, unsigned attempt);
    bool has_token(unsigned ttl);
    std::optional<std::uint32_t> record(std::uint8_t ttl, const std::optional<core::IpAddress>& address,
                                        MdaNodeKind kind, std::uint8_t type, std::uint8_t code);
    void resolve(std::size_t index, std::optional<std::uint32_t> node, std::optional<std::int64_t> rtt_us,
                 bool answered);
    bool single_interface(unsigned ttl) const noexcept;

    MdaConfig config_;
    double alpha_ = 0.05;
    std::vector<unsigned> stopping_;       // n_k, k = 0 .. max_interfaces
    std::vector<std::int32_t> slots_;      // flows_ x (max_ttl + 1)
    std::uint32_t flows_ = 0;              // flows created
    std::vector<std::vector<Node>> hops_;  // by TTL; hops_[first_ttl - 1]: the source
    std::vector<Outstanding> in_flight_;
    std::vector<MdaProbe> queue_;
    std::vector<Retry> retries_;           // resends waiting for a token
    std::vector<Bucket> buckets_;          // by TTL
    core::MonoTime now_{};
    std::optional<core::MonoTime> token_wake_;
    std::vector<std::uint32_t> serial_record_;  // serial -> flow << 8 | ttl
    std::uint8_t ttl_ = 1;                 // the hop being discovered
    unsigned silent_run_ = 0;
    bool started_ = false, finished_ = false, reached_ = false, budget_exhausted_ = false;
    bool interrupted_ = false;
    std::uint64_t replies_ = 0, timeouts_ = 0, ignored_ = 0;
};

}  // namespace icmpkit::probe
