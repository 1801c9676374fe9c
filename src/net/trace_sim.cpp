// probe::Trace over the virtual network (trace_driver.hpp). Pure: no syscalls.
#include <cerrno>

#include "icmpkit/net/trace_driver.hpp"
#include "icmpkit/wire/ip_protocol.hpp"

namespace icmpkit::net {
namespace {

class SimTraceDriver {
public:
    SimTraceDriver(probe::Trace& tr, SimTransport& t, const SimTraceOptions& o, const TraceEventFn& e)
        : trace_(tr), t_(t), o_(o), on_event_(e) {}

    TraceRunResult run() {
        const core::MonoTime begin = t_.now(), stop = begin + o_.ceiling;
        trace_.start(t_.now());
        dispatch();
        while (!trace_.finished()) {
            std::optional<core::MonoTime> next = t_.next_event_time();
            if (auto d = trace_.next_deadline(); d && (!next || *d < *next)) next = *d;
            if (!next || *next > stop) {
                t_.advance_to(stop > t_.now() ? stop : t_.now());
                trace_.interrupt(t_.now());
                dispatch();
                return {false, 0, t_.now(), t_.now() - begin};
            }
            if (*next < t_.now()) next = t_.now();
            t_.advance_to(*next);
            receive();
            const core::MonoTime now = t_.now();
            if (auto d = trace_.next_deadline(); d && now >= *d) trace_.on_timer(now);
            dispatch();
        }
        return {true, 0, t_.now(), t_.now() - begin};
    }

private:
    void receive() {
        const auto& space = trace_.config().space;
        for (auto& r : t_.take_received()) {
            if (r.fragment) continue;
            const bool icmp = r.protocol == wire::ip_protocol::icmp || r.protocol == wire::ip_protocol::icmpv6;
            if (!icmp && r.protocol != wire::ip_protocol::tcp) continue;  // a raw socket sees neither
            trace_.on_packet(r.protocol, core::Bytes(r.payload), r.source, r.ttl, &space.source, r.at);
            dispatch();
        }
    }

    void send(const probe::TraceTransmit& tx) {
        const core::MonoTime now = t_.now();
        const auto datagram = probe::build_datagram(trace_.config().space, tx.id);
        if (t_.transmit_datagram(core::Bytes(datagram))) trace_.on_sent(tx.id.serial, now);
        else trace_.on_send_error(tx.id.serial, ENETUNREACH, now);
    }

    void dispatch() {
        for (int guard = 0; guard < 1 << 16; ++guard) {
            auto actions = trace_.take_actions();
            if (actions.empty()) return;
            for (auto& a : actions) {
                if (auto* tx = std::get_if<probe::TraceTransmit>(&a)) send(*tx);
                if (on_event_) on_event_(a);
            }
        }
    }

    probe::Trace& trace_;
    SimTransport& t_;
    const SimTraceOptions& o_;
    const TraceEventFn& on_event_;
};

}  // namespace

TraceRunResult run_trace_sim(probe::Trace& trace, SimTransport& transport, const SimTraceOptions& options,
                             const TraceEventFn& on_event) {
    SimTraceDriver d(trace, transport, options, on_event);
    return d.run();
}

}  // namespace icmpkit::net
