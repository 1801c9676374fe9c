// A deterministic discrete-event virtual network: stack::Node hosts and routers joined by links
// with latency, jitter, loss, duplication, reordering, corruption, MTU and a rate-limited queue,
// on a virtual clock. Same topology + same seed + same inputs = the same run, byte for byte.
//
//   auto topo = sim::parse_topology(text, "lab.topo");
//   sim::Network net(*topo, {.seed = 1});
//   net.send(probe_bytes, now);            // from the entry host, routed by its table
//   net.run_until(now + 2s);               // or step() / next_event_time()
//   for (auto& d : net.take_delivered())   // what reached the entry host's software
//       ...;
//
// Pure: no clock reads, no syscalls. Time only moves in run_until() / step().
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/sim/random.hpp"
#include "icmpkit/sim/topology.hpp"
#include "icmpkit/stack/node.hpp"

namespace icmpkit::sim {

struct NetworkOptions {
    std::uint64_t seed = 1;
    // The wall clock the nodes see (timestamp replies) is wall_origin + virtual time.
    core::WallTime wall_origin{};
};

// What happened to one packet copy; handed to the trace hook.
enum class TraceKind : std::uint8_t {
    transmit,      // a node put it on a link (bytes as sent)
    arrive,        // it arrived at a node's interface (bytes as received: maybe corrupted)
    deliver,       // the entry host's software got it (collected by take_delivered())
    lost,          // the link lost it
    queue_drop,    // the link's queue was full (tail drop)
    no_neighbor,   // the next hop is on no link of the interface (or nobody owns it)
    node_drop,     // the node discarded it (reason in `drop`)
    blackholed,    // a PMTU black hole swallowed the error the node made
};
std::string_view trace_kind_name(TraceKind k) noexcept;

struct TraceEvent {
    core::MonoTime time;
    TraceKind kind = TraceKind::transmit;
    std::uint32_t node = 0;
    std::uint32_t ifindex = 0;
    std::optional<std::uint32_t> link;  // index into Topology::links
    stack::DropReason drop = stack::DropReason::malformed_header;
    core::Bytes bytes;  // valid during the call only
};
using TraceHook = std::function<void(const TraceEvent&)>;

// Counters of one link direction (packets sent by ends[from]).
struct LinkCounters {
    std::uint64_t sent = 0;
    std::uint64_t bytes = 0;
    std::uint64_t delivered = 0;  // copies that arrived at a node
    std::uint64_t lost = 0;
    std::uint64_t duplicated = 0;
    std::uint64_t reordered = 0;
    std::uint64_t corrupted = 0;
    std::uint64_t queue_dropped = 0;
    std::uint64_t no_neighbor = 0;
    std::uint64_t oversize = 0;  // larger than the link MTU (a sender ignored its MTU)
};

// The sim's own counters of one node (the stack's are in stack::Counters).
struct NodeSimCounters {
    std::uint64_t nat_outbound = 0;   // sources rewritten
    std::uint64_t nat_inbound = 0;    // replies / errors translated back
    std::uint64_t nat_unmatched = 0;  // arrived for the NAT address with no mapping
    std::uint64_t blackholed = 0;     // PMTU errors swallowed
};

// A datagram that reached the entry host's software.
struct Delivered {
    core::MonoTime time;
    std::uint32_t ifindex = 0;
    core::Buffer bytes;
};

class Network {
public:
    explicit Network(const Topology& topology, NetworkOptions options = {});
    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;

    // Sends `packet` (a whole IP datagram) from node `node`'s software at `now`: routed by the
    // node's table and put on the link. False when there is no route (nothing happens).
    bool inject(std::uint32_t node, core::Bytes packet, core::MonoTime now);
    bool send(core::Bytes packet, core::MonoTime now) { return inject(entry_, packet, now); }
    // Hands `packet` to `node` as if it had arrived on `ifindex` at `now`.
    void inject_arrival(std::uint32_t node, std::uint32_t ifindex, core::Bytes packet, core::MonoTime now);

    // Runs every event due at or before `until`; the clock ends at `until`.
    void run_until(core::MonoTime until);
    // Runs the earliest event; false when none is left.
    bool step();
    std::optional<core::MonoTime> next_event_time() const;
    core::MonoTime now() const noexcept { return now_; }

    // Datagrams for the entry host's software (echo replies, ICMP errors...), oldest first.
    std::vector<Delivered> take_delivered();
    void set_trace_hook(TraceHook hook) { trace_ = std::move(hook); }

    std::uint32_t entry() const noexcept { return entry_; }
    std::size_t node_count() const noexcept { return nodes_.size(); }
    const stack::Node& node(std::uint32_t i) const { return nodes_[i].node; }
    const NodeSimCounters& node_sim_counters(std::uint32_t i) const { return nodes_[i].counters; }
    // Counters of link `link` for packets sent by its end `from` (0 or 1 for a point-to-point link).
    const LinkCounters& link_counters(std::size_t link, std::size_t from) const;
    std::size_t link_count() const noexcept { return links_.size(); }

private:
    struct SimNode {
        stack::Node node;
        NodeSimCounters counters;
        bool blackhole = false;
        std::optional<NatConfig> nat;
        std::optional<core::Ipv4Address> nat_address;
        std::map<std::uint32_t, core::Ipv4Address> nat_map;  // NAT key -> inside host
    };
    struct LinkState {
        struct Direction {  // what the end of the same index sends
            core::MonoTime busy_until{};
            core::MonoTime last_arrival{};
            LinkCounters counters;
        };
        std::vector<Endpoint> ends;
        LinkProperties properties;
        std::vector<Direction> directions;
    };
    struct Event {
        core::MonoTime time;
        std::uint64_t sequence;
        std::uint32_t node;
        std::uint32_t ifindex;
        std::uint32_t link;  // UINT32_MAX: injected, not from a link
        bool broadcast;
        core::Buffer bytes;
    };
    struct Later {
        bool operator()(const Event& a, const Event& b) const noexcept {
            return a.time != b.time ? a.time > b.time : a.sequence > b.sequence;
        }
    };

    void deliver_event(Event& e);
    void handle_outputs(std::uint32_t node, std::span<const stack::Output> outputs);
    void transmit(std::uint32_t node, const stack::Transmit& t);
    void put_on_link(std::uint32_t link, std::size_t from, std::uint32_t to, const core::Buffer& packet,
                     bool broadcast);
    void nat_outbound(SimNode& n, core::Buffer& bytes);
    void nat_inbound(SimNode& n, core::Buffer& bytes);
    void trace(TraceKind k, std::uint32_t node, std::uint32_t ifindex, std::optional<std::uint32_t> link,
               core::Bytes bytes, stack::DropReason drop = stack::DropReason::malformed_header);
    core::WallTime wall() const noexcept { return wall_origin_ + now_.since_origin; }

    std::vector<SimNode> nodes_;
    std::vector<LinkState> links_;
    // (node, ifindex) -> link index, sorted, for the few lookups per packet.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> attachment_;
    std::vector<Event> events_;  // a binary heap ordered by Later
    std::vector<Delivered> delivered_;
    TraceHook trace_;
    SplitMix64 random_;
    core::MonoTime now_{};
    core::WallTime wall_origin_{};
    std::uint64_t sequence_ = 0;
    std::uint32_t entry_ = 0;

public:
    ~Network();
};

}  // namespace icmpkit::sim
