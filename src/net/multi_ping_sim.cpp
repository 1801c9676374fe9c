// probe::MultiPing over the virtual network (multi_ping.hpp). Pure: no syscalls. As a datagram
// socket would: echo replies with our identifier go to on_reply(), ICMP errors quoting our echo
// requests to on_queued_error().
#include <cerrno>

#include "icmpkit/net/multi_ping.hpp"
#include "icmpkit/wire/ip_protocol.hpp"

namespace icmpkit::net {
namespace {

class SimMultiDriver {
public:
    SimMultiDriver(probe::MultiPing& p, SimTransport& t, const SimPingOptions& o,
                   const std::function<void(const probe::MultiAction&)>& e)
        : ping_(p), t_(t), o_(o), on_event_(e) {}

    SimPingResult run() {
        const core::MonoTime stop = t_.now() + o_.ceiling;
        ping_.start(t_.now());
        dispatch();
        for (std::uint64_t guard = 0; !ping_.finished() && guard < (1ull << 32); ++guard) {
            std::optional<core::MonoTime> next = t_.next_event_time();
            if (auto d = ping_.next_deadline(); d && (!next || *d < *next)) next = *d;
            if (!next || *next > stop) {
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
        return {ping_.finished(), t_.now()};
    }

private:
    void receive() {
        const std::uint16_t id = ping_.config().identifier;
        for (auto& r : t_.take_received()) {
            if (r.fragment || r.payload.size() < 8) continue;
            const bool v4 = r.source.is_v4();
            if (r.protocol != (v4 ? wire::ip_protocol::icmp : wire::ip_protocol::icmpv6)) continue;
            if (auto e = queued_error_of(r)) {
                ping_.on_queued_error(*e, r.at);
            } else if (r.payload[0] == (v4 ? 0 : 129) && core::load_be16(&r.payload[4]) == id) {
                ping_.on_reply(probe::Received{r.source, core::Bytes(r.payload), r.ttl}, r.at);
            }
            dispatch();
        }
    }

    void send(const probe::MultiTransmit& tx) {
        const auto& dest = ping_.config().targets[tx.target];
        const auto proto = dest.is_v4() ? wire::ip_protocol::icmp : wire::ip_protocol::icmpv6;
        const core::MonoTime now = t_.now();
        switch (t_.transmit(dest, proto, tx.icmp, o_.ip)) {
            case SendStatus::sent: ping_.on_sent(tx.sequence, now); break;
            case SendStatus::too_big: ping_.on_send_error(tx.sequence, EMSGSIZE, now); break;
            case SendStatus::no_route: ping_.on_send_error(tx.sequence, ENETUNREACH, now); break;
            case SendStatus::no_source: ping_.on_send_error(tx.sequence, EADDRNOTAVAIL, now); break;
        }
    }

    void dispatch() {
        for (int guard = 0; guard < 1 << 16; ++guard) {
            ping_.take_actions(actions_);
            if (actions_.empty()) return;
            for (auto& a : actions_) {
                if (auto* tx = std::get_if<probe::MultiTransmit>(&a)) send(*tx);
                else if (on_event_) on_event_(a);
            }
        }
    }

    probe::MultiPing& ping_;
    SimTransport& t_;
    const SimPingOptions& o_;
    const std::function<void(const probe::MultiAction&)>& on_event_;
    std::vector<probe::MultiAction> actions_;
};

}  // namespace

SimPingResult run_multi_ping_sim(probe::MultiPing& ping, SimTransport& transport, const SimPingOptions& options,
                                 const std::function<void(const probe::MultiAction&)>& on_event) {
    SimMultiDriver d(ping, transport, options, on_event);
    return d.run();
}

}  // namespace icmpkit::net
