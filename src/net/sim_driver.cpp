// The virtual-time transport and ping driver (sim_driver.hpp). Pure: no syscalls.
#include "icmpkit/net/sim_driver.hpp"

#include <cerrno>

#include "icmpkit/wire/checksum.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/ipv4.hpp"
#include "icmpkit/wire/ipv6.hpp"
#include "icmpkit/wire/quote.hpp"

namespace icmpkit::net {
namespace {

constexpr std::uint8_t v4_echo_request = 8, v6_echo_request = 128;

bool is_v4_error(std::uint8_t t) { return t == 3 || t == 4 || t == 5 || t == 11 || t == 12; }
bool is_v6_error(std::uint8_t t) { return t >= 1 && t <= 4; }

}  // namespace

SimTransport::SimTransport(const sim::Topology& topology, sim::NetworkOptions options)
    : topology_(topology), network_(topology, options) {}

std::optional<core::IpAddress> SimTransport::source(core::Family family) const {
    for (const auto& i : topology_.nodes[topology_.entry].config.interfaces)
        for (const auto& p : i.addresses)
            if (p.address.family() == family) return p.address;
    return std::nullopt;
}

std::uint32_t SimTransport::path_mtu(const core::IpAddress& destination) const {
    const auto& node = network_.node(network_.entry());
    std::uint32_t mtu = 1500;
    wire::FlowKey flow;
    if (auto s = source(destination.family())) flow.src = *s;
    flow.dst = destination;
    flow.protocol = destination.is_v4() ? wire::ip_protocol::icmp : wire::ip_protocol::icmpv6;
    if (auto r = node.routes().lookup(destination, flow))
        for (const auto& i : topology_.nodes[topology_.entry].config.interfaces)
            if (i.ifindex == r->ifindex) mtu = i.mtu;
    if (auto it = pmtu_.find(destination); it != pmtu_.end() && it->second < mtu) mtu = it->second;
    return mtu;
}

SendStatus SimTransport::transmit(const core::IpAddress& destination, std::uint8_t protocol, core::Bytes payload,
                                  const IpSendOptions& options) {
    auto src = source(destination.family());
    if (!src) return SendStatus::no_source;
    core::Buffer out;
    core::ByteWriter w(out);
    if (destination.is_v4()) {
        const std::size_t size = 20 + payload.size();
        if (size > 0xFFFF) return SendStatus::too_big;
        const std::uint32_t mtu = path_mtu(destination);
        // RFC 1191 / ip(7) IP_MTU_DISCOVER: "do" and "probe" set DF and refuse what does not fit
        // (probe ignores the learned PMTU); "want" sets DF while the datagram fits; "dont" never.
        bool df = options.pmtu != PmtuDiscovery::dont;
        if (options.pmtu == PmtuDiscovery::do_ && size > mtu) return SendStatus::too_big;
        if (options.pmtu == PmtuDiscovery::want && size > mtu) df = false;
        wire::Ipv4Header h;
        h.dscp = static_cast<std::uint8_t>(options.tos >> 2);
        h.ecn = static_cast<std::uint8_t>(options.tos & 3);
        h.total_length = static_cast<std::uint16_t>(size);
        h.identification = df ? 0 : ++identification_;  // Linux: ID 0 on DF datagrams of unconnected sockets
        h.dont_fragment = df;
        h.ttl = options.ttl;
        h.protocol = protocol;
        h.source = src->v4();
        h.destination = destination.v4();
        h.emit(w);
        w.bytes(payload);
    } else {
        if (payload.size() > 0xFFFF) return SendStatus::too_big;
        // RFC 8200 5: only the source fragments; "do" refuses above the path MTU, others send
        // anyway (we do not fragment: the first router answers Packet Too Big).
        if (options.pmtu == PmtuDiscovery::do_ && 40 + payload.size() > path_mtu(destination))
            return SendStatus::too_big;
        wire::Ipv6Header h;
        h.traffic_class = options.tos;
        h.payload_length = static_cast<std::uint16_t>(payload.size());
        h.next_header = protocol;
        h.hop_limit = options.ttl;
        h.source = src->v6();
        h.destination = destination.v6();
        h.emit(w);
        const std::size_t at = out.size();
        w.bytes(payload);
        if (protocol == wire::ip_protocol::icmpv6 && payload.size() >= 4) {
            // RFC 4443 2.3: the checksum covers the pseudo-header (RFC 8200 8.1); the kernel's job.
            out[at + 2] = out[at + 3] = 0;
            wire::InternetChecksum c;
            wire::add_pseudo_header(c, h.source, h.destination, static_cast<std::uint32_t>(payload.size()),
                                    protocol);
            c.add(core::Bytes(out).subspan(at));
            w.patch16(at + 2, c.finish());
        }
    }
    return network_.send(out, now()) ? SendStatus::sent : SendStatus::no_route;
}

bool SimTransport::transmit_datagram(core::Bytes datagram) { return network_.send(datagram, now()); }

std::vector<SimReceived> SimTransport::take_received() {
    std::vector<SimReceived> out;
    for (auto& d : network_.take_delivered()) {
        SimReceived r;
        r.at = d.time;
        const core::Bytes b(d.bytes);
        if (!b.empty() && (b[0] >> 4) == 4) {
            auto v = wire::Ipv4HeaderView::parse(b);
            if (!v) { ++malformed_; continue; }
            r.source = v->source();
            r.destination = v->destination();
            r.protocol = v->protocol();
            r.ttl = v->ttl();
            r.fragment = v->more_fragments() || v->fragment_offset() != 0;
            r.payload.assign(v->payload().begin(), v->payload().end());
        } else {
            auto v = wire::Ipv6HeaderView::parse(b);
            if (!v) { ++malformed_; continue; }
            r.source = v->source();
            r.destination = v->destination();
            r.protocol = v->next_header();
            r.ttl = v->hop_limit();
            r.fragment = v->next_header() == wire::ip_protocol::ipv6_fragment;
            r.payload.assign(v->payload().begin(), v->payload().end());
        }
        learn_pmtu(r);
        out.push_back(std::move(r));
    }
    return out;
}

void SimTransport::learn_pmtu(const SimReceived& r) {
    if (r.fragment || r.payload.size() < 8) return;
    const bool v4 = r.source.is_v4();
    std::uint32_t mtu = 0;
    if (v4 && r.protocol == wire::ip_protocol::icmp && r.payload[0] == 3 && r.payload[1] == 4)
        mtu = core::load_be16(&r.payload[6]);  // RFC 1191 4: next-hop MTU
    else if (!v4 && r.protocol == wire::ip_protocol::icmpv6 && r.payload[0] == 2)
        mtu = core::load_be32(&r.payload[4]);  // RFC 4443 3.2
    if (mtu == 0) return;
    auto q = wire::parse_quote(core::Bytes(r.payload).subspan(8));
    if (!q) return;
    // RFC 8201 5: never below the IPv6 minimum; RFC 1191 says 68 for IPv4.
    const std::uint32_t floor = v4 ? 68 : 1280;
    if (mtu < floor) mtu = floor;
    auto [it, fresh] = pmtu_.emplace(q->destination, mtu);
    if (!fresh && mtu < it->second) it->second = mtu;
}

std::string SimTransport::node_name(const core::IpAddress& a) const {
    for (const auto& n : topology_.nodes)
        for (const auto& i : n.config.interfaces)
            for (const auto& p : i.addresses)
                if (p.address == a) return n.config.name;
    return {};
}

std::optional<core::IpAddress> SimTransport::lookup(const std::string& name,
                                                    std::optional<core::Family> family) const {
    if (auto a = core::IpAddress::parse(name)) {
        if (family && a->family() != *family) return std::nullopt;
        return node_name(*a).empty() ? std::nullopt : a;
    }
    auto idx = topology_.node_index(name);
    if (!idx) return std::nullopt;
    for (const auto& i : topology_.nodes[*idx].config.interfaces)
        for (const auto& p : i.addresses)
            if (!family || p.address.family() == *family) return p.address;
    return std::nullopt;
}

std::optional<probe::QueuedIcmpError> queued_error_of(const SimReceived& r) {
    if (r.fragment || r.payload.size() < 8) return std::nullopt;
    const bool v4 = r.source.is_v4();
    const std::uint8_t type = r.payload[0], code = r.payload[1];
    if (v4 ? (r.protocol != wire::ip_protocol::icmp || !is_v4_error(type))
           : (r.protocol != wire::ip_protocol::icmpv6 || !is_v6_error(type)))
        return std::nullopt;
    auto q = wire::parse_quote(core::Bytes(r.payload).subspan(8));
    if (!q || !q->icmp || !q->icmp->type || !q->icmp->identifier || !q->icmp->sequence) return std::nullopt;
    if (*q->icmp->type != (v4 ? v4_echo_request : v6_echo_request)) return std::nullopt;
    probe::QueuedIcmpError e;
    e.offender = r.source;
    e.original_destination = q->destination;
    e.type = type;
    e.code = code;
    // sock_extended_err.ee_info as Linux fills it: the next-hop MTU of Fragmentation Needed
    // (RFC 1191), the pointer of Parameter Problem (RFC 792: first byte of the word), the MTU of
    // Packet Too Big and the pointer of ICMPv6 Parameter Problem (32 bits, RFC 4443 3.2 / 3.4).
    if (v4 && type == 3 && code == 4) e.info = core::load_be16(&r.payload[6]);
    else if (v4 && type == 12) e.info = r.payload[4];
    else if (!v4 && (type == 2 || type == 4)) e.info = core::load_be32(&r.payload[4]);
    e.original_type = *q->icmp->type;
    e.original_identifier = *q->icmp->identifier;
    e.sequence = *q->icmp->sequence;
    return e;
}

namespace {

class SimPingDriver {
public:
    SimPingDriver(probe::Ping& p, SimTransport& t, const SimPingOptions& o,
                  const std::function<void(const probe::Action&)>& e)
        : ping_(p), t_(t), o_(o), on_event_(e) {}

    SimPingResult run() {
        const core::MonoTime stop = t_.now() + o_.ceiling;
        ping_.start(t_.now());
        dispatch();
        while (!ping_.finished()) {
            // The next thing to happen: a packet event in the network or the engine's deadline.
            std::optional<core::MonoTime> next = t_.next_event_time();
            if (auto d = ping_.next_deadline(); d && (!next || *d < *next)) next = *d;
            if (!next || *next > stop) {  // the ceiling (or nothing left to wait for): as SIGINT
                t_.advance_to(stop > t_.now() ? stop : t_.now());
                ping_.interrupt(t_.now());
                dispatch();
                return {false, t_.now()};
            }
            if (*next < t_.now()) next = t_.now();
            t_.advance_to(*next);
            receive();
            const core::MonoTime now = t_.now();
            if (auto d = ping_.next_deadline(); d && now >= *d) ping_.on_timer(now);
            dispatch();
        }
        return {true, t_.now()};
    }

private:
    void receive() {
        const bool v4 = ping_.config().destination.is_v4();
        const std::uint16_t id = ping_.config().identifier;
        for (auto& r : t_.take_received()) {
            if (r.fragment || r.payload.size() < 8) continue;
            if (r.protocol != (v4 ? wire::ip_protocol::icmp : wire::ip_protocol::icmpv6)) continue;
            if (auto e = queued_error_of(r)) {
                ping_.on_queued_error(*e, r.at);
            } else if (r.payload[0] == (v4 ? 0 : 129) && core::load_be16(&r.payload[4]) == id) {
                // A datagram socket sees only the echo replies with its identifier.
                probe::Received in{r.source, core::Bytes(r.payload), r.ttl};
                ping_.on_reply(in, r.at);
            }
            dispatch();
        }
    }

    void send(const probe::Transmit& tx) {
        const auto& dest = ping_.config().destination;
        const auto proto = dest.is_v4() ? wire::ip_protocol::icmp : wire::ip_protocol::icmpv6;
        const core::MonoTime now = t_.now();
        switch (t_.transmit(dest, proto, core::Bytes(tx.icmp), o_.ip)) {
            case SendStatus::sent: ping_.on_sent(tx.sequence, now); break;
            case SendStatus::too_big:  // the kernel queues a local EMSGSIZE with the MTU
                ping_.on_local_error(EMSGSIZE, t_.path_mtu(dest), now);
                break;
            case SendStatus::no_route: ping_.on_send_error(tx.sequence, ENETUNREACH, now); break;
            case SendStatus::no_source: ping_.on_send_error(tx.sequence, EADDRNOTAVAIL, now); break;
        }
    }

    void dispatch() {
        for (int guard = 0; guard < 1 << 16; ++guard) {
            auto actions = ping_.take_actions();
            if (actions.empty()) return;
            for (auto& a : actions) {
                if (auto* tx = std::get_if<probe::Transmit>(&a)) send(*tx);
                if (on_event_) on_event_(a);
            }
        }
    }

    probe::Ping& ping_;
    SimTransport& t_;
    const SimPingOptions& o_;
    const std::function<void(const probe::Action&)>& on_event_;
};

}  // namespace

SimPingResult run_ping_sim(probe::Ping& ping, SimTransport& transport, const SimPingOptions& options,
                           const std::function<void(const probe::Action&)>& on_event) {
    SimPingDriver d(ping, transport, options, on_event);
    return d.run();
}

}  // namespace icmpkit::net
