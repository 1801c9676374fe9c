// The path MTU engines over the virtual network (pmtu_driver.hpp). Pure: no syscalls.
#include <cerrno>

#include "icmpkit/net/pmtu_driver.hpp"
#include "icmpkit/wire/checksum.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/quote.hpp"

namespace icmpkit::net {
namespace {

// Linux icmp_err_convert[] (net/ipv4/icmp.c) for Destination Unreachable codes 0..15.
int v4_unreachable_errno(std::uint8_t code) {
    static constexpr int table[16] = {ENETUNREACH, EHOSTUNREACH, ENOPROTOOPT, ECONNREFUSED, EMSGSIZE, EOPNOTSUPP,
                                      ENETUNREACH, EHOSTDOWN,    ENONET,      ENETUNREACH,  ENETUNREACH, ENETUNREACH,
                                      EHOSTUNREACH, EHOSTUNREACH, EHOSTUNREACH, EHOSTUNREACH};
    return code < 16 ? table[code] : EHOSTUNREACH;
}

// Linux icmpv6_err_convert() (net/ipv6/icmp.c).
int v6_errno(std::uint8_t type, std::uint8_t code) {
    switch (type) {
        case 1: {  // RFC 4443 3.1
            static constexpr int table[7] = {ENETUNREACH, EACCES, EHOSTUNREACH, EHOSTUNREACH,
                                             ECONNREFUSED, EACCES, EACCES};
            return code < 7 ? table[code] : EPROTO;
        }
        case 2: return EMSGSIZE;      // Packet Too Big
        case 3: return EHOSTUNREACH;  // Time Exceeded
        case 4: return EPROTO;        // Parameter Problem
        default: return EPROTO;
    }
}

core::Buffer udp_datagram(const core::IpAddress& src, const core::IpAddress& dst, std::uint16_t sport,
                          std::uint16_t dport, core::Bytes payload) {
    core::Buffer b(8 + payload.size());
    core::store_be16(&b[0], sport);
    core::store_be16(&b[2], dport);
    core::store_be16(&b[4], static_cast<std::uint16_t>(b.size()));
    std::copy(payload.begin(), payload.end(), b.begin() + 8);
    // RFC 768 / RFC 8200 8.1: the checksum over the pseudo-header (mandatory for IPv6).
    wire::InternetChecksum c;
    if (src.is_v4()) wire::add_pseudo_header(c, src.v4(), dst.v4(), static_cast<std::uint16_t>(b.size()), wire::ip_protocol::udp);
    else wire::add_pseudo_header(c, src.v6(), dst.v6(), static_cast<std::uint32_t>(b.size()), wire::ip_protocol::udp);
    c.add(core::Bytes(b));
    std::uint16_t sum = c.finish();
    core::store_be16(&b[6], sum == 0 ? 0xFFFF : sum);
    return b;
}

template <class Engine>
core::MonoTime next_wake(const Engine& e, const SimTransport& t, bool* any) {
    std::optional<core::MonoTime> next = t.next_event_time();
    if (auto d = e.next_deadline(); d && (!next || *d < *next)) next = *d;
    *any = next.has_value();
    return next.value_or(t.now());
}

}  // namespace

std::optional<probe::PmtuQueuedError> udp_queued_error_of(const SimReceived& r, const core::IpAddress& destination,
                                                          std::uint16_t source_port) {
    if (r.fragment || r.payload.size() < 8) return std::nullopt;
    const bool v4 = r.source.is_v4();
    const std::uint8_t type = r.payload[0], code = r.payload[1];
    probe::PmtuQueuedError e;
    if (v4) {
        if (r.protocol != wire::ip_protocol::icmp) return std::nullopt;
        if (type == 3) e.error_number = v4_unreachable_errno(code);
        else if (type == 11) e.error_number = EHOSTUNREACH;
        else if (type == 12) e.error_number = EPROTO;
        else return std::nullopt;
        e.origin = probe::ErrorOrigin::icmp;
        if (type == 3 && code == 4) e.info = core::load_be16(&r.payload[6]);  // RFC 1191 4
        if (type == 12) e.info = r.payload[4];
    } else {
        if (r.protocol != wire::ip_protocol::icmpv6 || type < 1 || type > 4) return std::nullopt;
        e.error_number = v6_errno(type, code);
        e.origin = probe::ErrorOrigin::icmp6;
        if (type == 2 || type == 4) e.info = core::load_be32(&r.payload[4]);  // RFC 4443 3.2 / 3.4
    }
    auto q = wire::parse_quote(core::Bytes(r.payload).subspan(8));
    if (!q || !q->udp || !q->udp->source_port || !q->udp->destination_port) return std::nullopt;
    if (q->destination != destination || *q->udp->source_port != source_port) return std::nullopt;
    e.type = type;
    e.code = code;
    e.offender = r.source;
    e.port = *q->udp->destination_port;
    e.hop_limit = r.ttl;
    if (q->transport.size() > 8) e.quoted.assign(q->transport.begin() + 8, q->transport.end());
    e.at = r.at;
    return e;
}

namespace {

// The loop both drivers share (DESIGN.md 5), in virtual time: deliveries, then timers, then
// transmits. False when the ceiling or an idle network stopped it before the engine finished.
template <class Engine, class Driver>
bool run_virtual(Engine& e, SimTransport& t, core::Duration ceiling, Driver& driver) {
    const core::MonoTime stop = t.now() + ceiling;
    e.start(t.now());
    driver.dispatch();
    while (!e.finished()) {
        bool any = false;
        core::MonoTime next = next_wake(e, t, &any);
        if (!any || next > stop) return false;
        if (next > t.now()) t.advance_to(next);
        driver.receive();
        if (auto d = e.next_deadline(); d && t.now() >= *d) e.on_timer(t.now());
        driver.dispatch();
    }
    return true;
}

class SimPmtuDriver {
public:
    SimPmtuDriver(probe::Pmtu& e, SimTransport& t, const SimPmtuOptions& o, const PmtuEventSink& s)
        : e_(e), t_(t), o_(o), sink_(s) {}

    bool run() { return run_virtual(e_, t_, o_.ceiling, *this); }

    // For run_virtual():
    void receive() {
        const auto& dest = e_.config().destination;
        std::vector<probe::PmtuQueuedError> queued;
        for (auto& r : t_.take_received()) {
            if (auto q = udp_queued_error_of(r, dest, o_.source_port)) {
                queued.push_back(std::move(*q));
            } else if (r.protocol == wire::ip_protocol::udp && r.source == dest && r.payload.size() >= 8 &&
                       core::load_be16(&r.payload[2]) == o_.source_port) {
                e_.on_reply(r.at);
                dispatch();
            }
        }
        if (!queued.empty()) {
            e_.on_errors(queued, t_.now());
            dispatch();
        }
    }

    void send(const probe::PmtuTransmit& tx) {
        const auto& dest = e_.config().destination;
        const core::MonoTime now = t_.now();
        const std::size_t size = tx.payload.size() + 8 + (dest.is_v4() ? 20 : 40);
        const std::uint32_t mtu = t_.path_mtu(dest);
        auto src = t_.source(dest.family());
        if (size > mtu || size > 0xFFFF || !src) {
            std::vector<probe::PmtuQueuedError> q;
            if (src) {  // ip_local_error() / ipv6_local_error(): IPv4 reports the socket's (unset) dport
                probe::PmtuQueuedError e;
                e.origin = probe::ErrorOrigin::local;
                e.error_number = EMSGSIZE;
                e.info = mtu;
                e.port = dest.is_v4() ? 0 : tx.port;
                e.at = now;
                q.push_back(e);
            }
            return e_.on_send_failed(q, now);
        }
        auto dgram = udp_datagram(*src, dest, o_.source_port, tx.port, core::Bytes(tx.payload));
        IpSendOptions ip;
        ip.ttl = static_cast<std::uint8_t>(tx.ttl);
        ip.pmtu = PmtuDiscovery::do_;  // tracepath 20221126's IP_PMTUDISC_DO; the size was checked above
        if (t_.transmit(dest, wire::ip_protocol::udp, core::Bytes(dgram), ip) == SendStatus::sent) e_.on_sent(now);
        else e_.on_send_failed({}, now);
    }

    void dispatch() {
        for (int guard = 0; guard < 1 << 16; ++guard) {
            auto actions = e_.take_actions();
            if (actions.empty()) return;
            for (auto& a : actions) {
                if (auto* tx = std::get_if<probe::PmtuTransmit>(&a)) send(*tx);
                else if (sink_) sink_(a);
            }
        }
    }

private:
    probe::Pmtu& e_;
    SimTransport& t_;
    const SimPmtuOptions& o_;
    const PmtuEventSink& sink_;
};

class SimSearchDriver {
public:
    SimSearchDriver(probe::PmtuSearch& e, SimTransport& t, const SimPmtuOptions& o, const SearchEventSink& s)
        : e_(e), t_(t), o_(o), sink_(s) {}

    bool run() { return run_virtual(e_, t_, o_.ceiling, *this); }

    // For run_virtual():
    void receive() {
        const bool v4 = e_.config().destination.is_v4();
        for (auto& r : t_.take_received()) {
            if (r.fragment || r.payload.size() < 8) continue;
            if (r.protocol != (v4 ? wire::ip_protocol::icmp : wire::ip_protocol::icmpv6)) continue;
            if (auto q = queued_error_of(r)) {
                e_.on_queued_error(*q, r.at);
            } else if (r.payload[0] == (v4 ? 0 : 129)) {
                e_.on_reply(probe::Received{r.source, core::Bytes(r.payload), r.ttl}, r.at);
            }
            dispatch();
        }
    }

    void send(const probe::SearchTransmit& tx) {
        const auto& dest = e_.config().destination;
        const core::MonoTime now = t_.now();
        // IP_PMTUDISC_PROBE: DF set, the learned path MTU ignored (the engine never goes above the
        // interface MTU it was given), so every size is really tried on the path.
        const std::uint32_t mtu = t_.path_mtu(dest);
        IpSendOptions ip;
        ip.pmtu = PmtuDiscovery::probe;
        const auto proto = dest.is_v4() ? wire::ip_protocol::icmp : wire::ip_protocol::icmpv6;
        switch (t_.transmit(dest, proto, core::Bytes(tx.icmp), ip)) {
            case SendStatus::sent: e_.on_sent(tx.sequence, now); break;
            case SendStatus::too_big: e_.on_local_too_big(tx.sequence, mtu, now); break;
            case SendStatus::no_route: e_.on_send_error(tx.sequence, ENETUNREACH, now); break;
            case SendStatus::no_source: e_.on_send_error(tx.sequence, EADDRNOTAVAIL, now); break;
        }
    }

    void dispatch() {
        for (int guard = 0; guard < 1 << 16; ++guard) {
            auto actions = e_.take_actions();
            if (actions.empty()) return;
            for (auto& a : actions) {
                if (auto* tx = std::get_if<probe::SearchTransmit>(&a)) send(*tx);
                else if (sink_) sink_(a);
            }
        }
    }

private:
    probe::PmtuSearch& e_;
    SimTransport& t_;
    const SimPmtuOptions& o_;
    const SearchEventSink& sink_;
};

}  // namespace

bool run_pmtu_sim(probe::Pmtu& engine, SimTransport& transport, const SimPmtuOptions& options,
                  const PmtuEventSink& on_event) {
    return SimPmtuDriver(engine, transport, options, on_event).run();
}

bool run_search_sim(probe::PmtuSearch& engine, SimTransport& transport, const SimPmtuOptions& options,
                    const SearchEventSink& on_event) {
    return SimSearchDriver(engine, transport, options, on_event).run();
}

}  // namespace icmpkit::net
