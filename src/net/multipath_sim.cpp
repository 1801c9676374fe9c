// net: the multipath engines over the virtual network; see include/icmpkit/net/multipath_driver.hpp.
#include "icmpkit/net/multipath_driver.hpp"

namespace icmpkit::net {

MultipathEngine engine_of(probe::Mda& mda) {
    MultipathEngine e;
    e.take_probes = [&mda] {
        std::vector<MultipathProbe> out;
        for (const auto& p : mda.take_probes()) out.push_back({p.flow, p.serial, p.ttl});
        return out;
    };
    e.on_sent = [&mda](std::uint16_t s, core::MonoTime t) { mda.on_sent(s, t); };
    e.on_response = [&mda](const probe::TraceResponse& r, core::MonoTime t) { mda.on_reply(mda_reply_of(r), t); };
    e.on_timer = [&mda](core::MonoTime t) { mda.on_timer(t); };
    e.next_deadline = [&mda] { return mda.next_deadline(); };
    e.finished = [&mda] { return mda.finished(); };
    e.interrupt = [&mda] { mda.interrupt(); };
    return e;
}

MultipathEngine engine_of(probe::Cycles& c) {
    MultipathEngine e;
    e.take_probes = [&c] {
        std::vector<MultipathProbe> out;
        for (const auto& p : c.take_probes()) out.push_back({p.flow, p.serial, p.ttl});
        return out;
    };
    e.on_sent = [&c](std::uint16_t s, core::MonoTime t) { c.on_sent(s, t); };
    e.on_response = [&c](const probe::TraceResponse& r, core::MonoTime t) { c.on_reply(cycles_reply_of(r), t); };
    e.on_timer = [&c](core::MonoTime t) { c.on_timer(t); };
    e.next_deadline = [&c] { return c.next_deadline(); };
    e.finished = [&c] { return c.finished(); };
    e.interrupt = [&c] { c.interrupt(); };
    return e;
}

probe::MdaReply mda_reply_of(const probe::TraceResponse& r) {
    probe::MdaReply m;
    m.serial = r.serial;
    m.flow = r.flow;
    m.probe_ttl = r.probe_ttl;
    m.from = r.from;
    m.kind = r.kind == probe::ResponseKind::destination   ? probe::MdaReplyKind::destination
             : r.kind == probe::ResponseKind::unreachable ? probe::MdaReplyKind::unreachable
                                                          : probe::MdaReplyKind::hop;
    m.type = r.type;
    m.code = r.code;
    return m;
}

probe::CyclesReply cycles_reply_of(const probe::TraceResponse& r) {
    probe::CyclesReply c;
    c.serial = r.serial;
    c.flow = r.flow;
    c.probe_ttl = r.probe_ttl;
    c.from = r.from;
    c.destination = r.kind == probe::ResponseKind::destination;
    c.unreachable = r.kind == probe::ResponseKind::unreachable;
    return c;
}

std::optional<probe::ProbeSpace> sim_probe_space(const SimTransport& t, probe::TraceMethod method,
                                                 const core::IpAddress& destination, std::uint16_t flows) {
    const auto source = t.source(destination.family());
    if (!source) return std::nullopt;
    probe::ProbeSpace s;
    s.method = method;
    s.source = *source;
    s.destination = destination;
    s.port = method == probe::TraceMethod::tcp_syn ? probe::default_tcp_port : probe::default_udp_port;
    s.source_port = 33000;  // flows 33000 + f: below the classic destination range at 33434
    if (method == probe::TraceMethod::icmp_paris) s.source_port = 0x4000;
    s.flows = flows;
    s.packet_length = probe::default_packet_length(method, destination.family());
    s.identification_is_serial = true;
    return s;
}

namespace {

void transmit(const MultipathEngine& e, const probe::ProbeSpace& space, SimTransport& t, MultipathRunStats& st) {
    for (const auto& p : e.take_probes()) {
        const auto datagram = probe::build_datagram(space, {p.flow, p.serial, p.ttl});
        if (t.transmit_datagram(datagram)) ++st.sent;
        e.on_sent(p.serial, t.now());
    }
}

void receive(const MultipathEngine& e, const probe::ProbeSpace& space, SimTransport& t, MultipathRunStats& st) {
    for (auto& r : t.take_received()) {
        if (r.fragment) continue;
        auto resp = probe::match_response(space, r.protocol, r.payload, r.source, r.ttl, &r.destination);
        // An error from the destination itself (protocol unreachable to TCP, ...) still ends the path there.
        if (resp.kind == probe::ResponseKind::unreachable && resp.from == space.destination)
            resp.kind = probe::ResponseKind::destination;
        if (resp.kind == probe::ResponseKind::rejected) {
            ++st.rejected;
            continue;
        }
        ++st.received;
        e.on_response(resp, r.at);
    }
}

}  // namespace

MultipathRunStats run_multipath_sim(const MultipathEngine& e, const probe::ProbeSpace& space,
                                    SimTransport& t, const SimMultipathOptions& options) {
    MultipathRunStats st;
    const core::MonoTime stop = t.now() + options.ceiling;
    transmit(e, space, t, st);
    while (!e.finished()) {
        std::optional<core::MonoTime> next = t.next_event_time();
        if (auto d = e.next_deadline(); d && (!next || *d < *next)) next = *d;
        if (!next || *next > stop) {
            t.advance_to(stop > t.now() ? stop : t.now());
            e.interrupt();
            st.end = t.now();
            return st;
        }
        if (*next < t.now()) next = t.now();
        t.advance_to(*next);
        receive(e, space, t, st);  // receive first, then timers, then transmit (DESIGN.md 5)
        const core::MonoTime now = t.now();
        if (auto d = e.next_deadline(); d && now >= *d) e.on_timer(now);
        transmit(e, space, t, st);
    }
    st.finished = true;
    st.end = t.now();
    return st;
}

}  // namespace icmpkit::net
