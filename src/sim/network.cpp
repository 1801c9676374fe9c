// The event loop of the virtual network: links (delay, jitter, loss, duplication, reordering,
// corruption, rate and queue), node dispatch, NAT and PMTU black holes.
#include "icmpkit/sim/network.hpp"

#include <algorithm>
#include <memory>

#include "icmpkit/core/assert.hpp"
#include "packet.hpp"

namespace icmpkit::sim {

std::string_view trace_kind_name(TraceKind k) noexcept {
    switch (k) {
        case TraceKind::transmit: return "transmit";
        case TraceKind::arrive: return "arrive";
        case TraceKind::deliver: return "deliver";
        case TraceKind::lost: return "lost";
        case TraceKind::queue_drop: return "queue-drop";
        case TraceKind::no_neighbor: return "no-neighbor";
        case TraceKind::node_drop: return "node-drop";
        case TraceKind::blackholed: return "blackholed";
    }
    return "unknown";
}

namespace {

stack::NodeConfig prepared_config(const NodeSpec& spec) {
    stack::NodeConfig cfg = spec.config;
    if (spec.ecmp == EcmpMode::per_packet) {
        // Per-packet load balancing: round robin, whatever the flow (deterministic, seedless).
        auto counter = std::make_shared<std::uint64_t>(0);
        cfg.ecmp_selector = [counter](const wire::FlowKey&, std::size_t count) {
            return static_cast<std::size_t>((*counter)++ % count);
        };
    }
    return cfg;
}

std::uint64_t attach_key(std::uint32_t node, std::uint32_t ifindex) {
    return (std::uint64_t{node} << 32) | ifindex;
}

bool is_group(const core::IpAddress& a) {
    return a.is_v4() ? (a.v4().is_multicast() || a.v4().is_limited_broadcast()) : a.v6().is_multicast();
}

}  // namespace

Network::Network(const Topology& topology, NetworkOptions options)
    : random_(options.seed), wall_origin_(options.wall_origin), entry_(topology.entry) {
    nodes_.reserve(topology.nodes.size());
    for (const auto& spec : topology.nodes) {
        SimNode n{stack::Node(prepared_config(spec)), {}, spec.blackhole, spec.nat, std::nullopt, {}};
        if (spec.nat)
            if (const auto* out = n.node.interface_by_index(spec.nat->outside_ifindex))
                for (const auto& p : out->addresses)
                    if (p.address.is_v4() && !n.nat_address) n.nat_address = p.address.v4();
        nodes_.push_back(std::move(n));
    }
    links_.reserve(topology.links.size());
    for (std::size_t l = 0; l < topology.links.size(); ++l) {
        const Link& link = topology.links[l];
        links_.push_back(LinkState{link.ends, link.properties, std::vector<LinkState::Direction>(link.ends.size())});
        for (const auto& e : link.ends) attachment_.emplace_back(attach_key(e.node, e.ifindex), static_cast<std::uint32_t>(l));
    }
    std::sort(attachment_.begin(), attachment_.end());
    ICMPKIT_ASSERT(topology.nodes.empty() || entry_ < topology.nodes.size());
}

Network::~Network() = default;

const LinkCounters& Network::link_counters(std::size_t link, std::size_t from) const {
    return links_.at(link).directions.at(from).counters;
}

std::vector<Delivered> Network::take_delivered() {
    std::vector<Delivered> out;
    out.swap(delivered_);
    return out;
}

void Network::trace(TraceKind k, std::uint32_t node, std::uint32_t ifindex, std::optional<std::uint32_t> link,
                    core::Bytes bytes, stack::DropReason drop) {
    if (trace_) trace_(TraceEvent{now_, k, node, ifindex, link, drop, bytes});
}

bool Network::inject(std::uint32_t node, core::Bytes packet, core::MonoTime now) {
    run_until(now);
    if (node >= nodes_.size()) return false;
    auto facts = detail::packet_facts(packet);
    if (!facts) return false;
    auto route = nodes_[node].node.routes().lookup(facts->flow.dst, facts->flow);
    if (!route) return false;
    transmit(node, stack::Transmit{route->ifindex, route->next_hop, core::Buffer(packet.begin(), packet.end())});
    return true;
}

void Network::inject_arrival(std::uint32_t node, std::uint32_t ifindex, core::Bytes packet, core::MonoTime now) {
    run_until(now);
    if (node >= nodes_.size()) return;
    events_.push_back(Event{now_, sequence_++, node, ifindex, UINT32_MAX, false, core::Buffer(packet.begin(), packet.end())});
    std::push_heap(events_.begin(), events_.end(), Later{});
}

std::optional<core::MonoTime> Network::next_event_time() const {
    if (events_.empty()) return std::nullopt;
    return events_.front().time;
}

bool Network::step() {
    if (events_.empty()) return false;
    std::pop_heap(events_.begin(), events_.end(), Later{});
    Event e = std::move(events_.back());
    events_.pop_back();
    now_ = std::max(now_, e.time);
    deliver_event(e);
    return true;
}

void Network::run_until(core::MonoTime until) {
    while (!events_.empty() && events_.front().time <= until) step();
    now_ = std::max(now_, until);
}

void Network::deliver_event(Event& e) {
    SimNode& n = nodes_[e.node];
    std::optional<std::uint32_t> link;
    if (e.link != UINT32_MAX) link = e.link;
    trace(TraceKind::arrive, e.node, e.ifindex, link, e.bytes);
    if (n.nat && e.ifindex == n.nat->outside_ifindex) nat_inbound(n, e.bytes);
    auto outputs = n.node.receive(stack::Arrival{e.bytes, e.ifindex, e.broadcast}, now_, wall());
    // The outputs stay valid until this node's next receive(); transmit() only queues events.
    for (const auto& out : outputs) {
        if (const auto* t = std::get_if<stack::Transmit>(&out)) {
            stack::Transmit copy = *t;
            if (n.blackhole && detail::is_pmtu_error(copy.bytes)) {
                // The PMTU black hole: the router knows the packet is too big and says nothing.
                ++n.counters.blackholed;
                trace(TraceKind::blackholed, e.node, copy.ifindex, std::nullopt, copy.bytes);
                continue;
            }
            if (n.nat && copy.ifindex == n.nat->outside_ifindex) nat_outbound(n, copy.bytes);
            transmit(e.node, copy);
        } else if (const auto* d = std::get_if<stack::DeliverLocal>(&out)) {
            if (e.node != entry_) continue;  // other hosts' software consumes it
            trace(TraceKind::deliver, e.node, d->ifindex, std::nullopt, d->bytes);
            delivered_.push_back(Delivered{now_, d->ifindex, d->bytes});
        } else if (const auto* dr = std::get_if<stack::Drop>(&out)) {
            trace(TraceKind::node_drop, e.node, e.ifindex, std::nullopt, e.bytes, dr->reason);
        }
    }
}

void Network::transmit(std::uint32_t node, const stack::Transmit& t) {
    auto it = std::lower_bound(attachment_.begin(), attachment_.end(),
                               std::make_pair(attach_key(node, t.ifindex), std::uint32_t{0}));
    if (it == attachment_.end() || it->first != attach_key(node, t.ifindex)) {
        trace(TraceKind::no_neighbor, node, t.ifindex, std::nullopt, t.bytes);
        return;
    }
    std::uint32_t link = it->second;
    LinkState& ls = links_[link];
    std::size_t from = 0;
    while (from < ls.ends.size() && !(ls.ends[from] == Endpoint{node, t.ifindex})) ++from;
    trace(TraceKind::transmit, node, t.ifindex, link, t.bytes);
    bool group = is_group(t.next_hop);
    bool any = false;
    for (std::size_t to = 0; to < ls.ends.size(); ++to) {
        if (to == from) continue;
        const Endpoint& peer = ls.ends[to];
        const auto* iface = nodes_[peer.node].node.interface_by_index(peer.ifindex);
        bool owns = iface && std::any_of(iface->addresses.begin(), iface->addresses.end(),
                                         [&](const stack::Prefix& p) { return p.address == t.next_hop; });
        if (!group && !owns) continue;
        put_on_link(link, from, static_cast<std::uint32_t>(to), t.bytes, group);
        any = true;
    }
    if (!any) {
        ++ls.directions[from].counters.no_neighbor;
        trace(TraceKind::no_neighbor, node, t.ifindex, link, t.bytes);
    }
}

void Network::put_on_link(std::uint32_t link, std::size_t from, std::uint32_t to, const core::Buffer& packet,
                          bool broadcast) {
    LinkState& ls = links_[link];
    const LinkProperties& p = ls.properties;
    auto& dir = ls.directions[from];
    auto& c = dir.counters;
    const Endpoint& src = ls.ends[from];
    ++c.sent;
    c.bytes += packet.size();
    if (packet.size() > p.mtu) {  // only a misbehaving sender gets here: nodes honour the MTU
        ++c.oversize;
        trace(TraceKind::lost, src.node, src.ifindex, link, packet);
        return;
    }
    core::MonoTime departure = now_;
    if (p.rate_bps) {
        // Serialisation at the link rate behind a byte-bounded FIFO with tail drop.
        core::MonoTime start = std::max(now_, dir.busy_until);
        auto backlog_ns = static_cast<unsigned __int128>((start - now_).count());
        auto backlog_bytes = static_cast<std::uint64_t>(backlog_ns * p.rate_bps / 8'000'000'000ull);
        if (backlog_bytes + packet.size() > p.queue_bytes) {
            ++c.queue_dropped;
            trace(TraceKind::queue_drop, src.node, src.ifindex, link, packet);
            return;
        }
        auto ser = static_cast<std::int64_t>(
            (static_cast<unsigned __int128>(packet.size()) * 8'000'000'000ull + p.rate_bps - 1) / p.rate_bps);
        dir.busy_until = start + core::Duration{ser};
        departure = dir.busy_until;
    }
    if (random_.chance_ppm(p.loss_ppm)) {
        ++c.lost;
        trace(TraceKind::lost, src.node, src.ifindex, link, packet);
        return;
    }
    core::Duration delay = p.latency;
    if (p.jitter.count() > 0)
        delay += core::Duration{static_cast<std::int64_t>(random_.below(static_cast<std::uint64_t>(p.jitter.count()) + 1))};
    core::MonoTime arrival = departure + delay;
    if (random_.chance_ppm(p.reorder_ppm)) {
        // Held back: later packets overtake it; the FIFO bound below is not applied.
        core::Duration hold = p.reorder_delay.count() ? p.reorder_delay : p.latency + p.jitter + std::chrono::milliseconds(1);
        arrival = arrival + hold;
        ++c.reordered;
    } else {
        arrival = std::max(arrival, dir.last_arrival);  // a link keeps order
        dir.last_arrival = arrival;
    }
    core::Buffer bytes = packet;
    if (!bytes.empty() && random_.chance_ppm(p.corrupt_ppm)) {
        bytes[random_.below(bytes.size())] ^= static_cast<std::uint8_t>(1 + random_.below(255));
        ++c.corrupted;
    }
    const Endpoint& dst = ls.ends[to];
    if (random_.chance_ppm(p.duplicate_ppm)) {
        ++c.duplicated;
        ++c.delivered;
        events_.push_back(Event{arrival, sequence_++, dst.node, dst.ifindex, link, broadcast, bytes});
        std::push_heap(events_.begin(), events_.end(), Later{});
    }
    ++c.delivered;
    events_.push_back(Event{arrival, sequence_++, dst.node, dst.ifindex, link, broadcast, std::move(bytes)});
    std::push_heap(events_.begin(), events_.end(), Later{});
}

}  // namespace icmpkit::sim
