// probe::Trace fed untrusted events: answers (any kind, flow and serial, from any of a few
// addresses, late, duplicated, for probes never sent), raw messages, send failures, time steps
// and interrupts, under a configuration cut from the input. Whatever arrives, the engine must:
//  - never have more than `window` probes in flight, nor send a probe more than 1 + retries times;
//  - emit hops in TTL order, one after the other, each with `queries` results, nothing after
//    its finish;
//  - once the input is spent, finish by its own deadlines (never stall without a deadline), in
//    bounded virtual time.
// Byte 0-5: configuration; then events, one selector byte each.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <vector>

#include "icmpkit/probe/trace.hpp"

using namespace icmpkit;
using namespace std::chrono_literals;

namespace {

struct Reader {
    const std::uint8_t* p;
    std::size_t n;
    std::uint8_t byte() { return n ? (--n, *p++) : 0; }
    std::uint16_t u16() { return static_cast<std::uint16_t>(byte() << 8 | byte()); }
};

probe::TraceConfig config_from(Reader& r) {
    probe::TraceConfig c;
    const bool v6 = r.byte() & 1;
    c.space.method = probe::TraceMethod::udp_paris;
    c.space.source = v6 ? core::IpAddress(*core::Ipv6Address::parse("2001:db8:1::2"))
                        : core::IpAddress(core::Ipv4Address(192, 0, 2, 10));
    c.space.destination = v6 ? core::IpAddress(*core::Ipv6Address::parse("2001:db8:2::5"))
                             : core::IpAddress(core::Ipv4Address(203, 0, 113, 5));
    c.space.source_port = 40000;
    c.space.identification_is_serial = true;
    std::uint8_t b = r.byte();
    c.max_ttl = static_cast<std::uint8_t>(1 + b % 32);
    c.first_ttl = static_cast<std::uint8_t>(1 + (b >> 5) % c.max_ttl);
    b = r.byte();
    c.queries = 1 + b % 5;
    c.per_hop_window = 1 + (b >> 3) % 4;
    c.retries = (b >> 5) % 4;
    b = r.byte();
    c.window = 1 + b % 20;
    c.here = b & 0x20 ? 3.0 : 0.0;
    c.near = b & 0x40 ? 10.0 : 0.0;
    c.send_wait = b & 0x80 ? 5ms : 0ms;
    b = r.byte();
    c.max_wait = std::chrono::milliseconds(10 + (b % 16) * 330);
    c.responder_interval = b & 0x10 ? 1000ms : (b & 0x20 ? 0ms : 100ms);
    c.token_wait = b & 0x40 ? 2s : 0s;
    c.responder_burst = 1 + (b >> 7) * 5;
    b = r.byte();
    c.retry_backoff = std::chrono::milliseconds(1 + b % 250);
    return c;
}

struct Checker {
    const probe::TraceConfig& c;
    probe::Trace& trace;
    std::vector<probe::ProbeId> sent;
    std::map<std::pair<std::uint8_t, unsigned>, unsigned> per_hop_sends;  // (ttl, send count)
    std::map<std::uint8_t, unsigned> sends_at_ttl;
    unsigned next_ttl;
    bool finished = false;

    Checker(const probe::TraceConfig& cfg, probe::Trace& t) : c(cfg), trace(t), next_ttl(cfg.first_ttl) {}

    void drain(Reader& r, core::MonoTime now) {
        for (auto& a : trace.take_actions()) {
            if (finished) std::abort();  // nothing after the finish
            if (auto* tx = std::get_if<probe::TraceTransmit>(&a)) {
                sent.push_back(tx->id);
                if (tx->id.ttl < c.first_ttl || tx->id.ttl > c.max_ttl) std::abort();
                // Every slot is sent at most 1 + retries times.
                if (++sends_at_ttl[tx->id.ttl] > c.queries * (1 + c.retries)) std::abort();
                const std::uint8_t how = r.byte();
                if (how % 8 == 7) trace.on_send_error(tx->id.serial, 101, now);
                else trace.on_sent(tx->id.serial, now);
            } else if (auto* h = std::get_if<probe::TraceHopEvent>(&a)) {
                if (h->hop.ttl != next_ttl++) std::abort();
                if (h->hop.probes.size() != c.queries) std::abort();
            } else {
                finished = true;
            }
        }
        if (trace.in_flight() > c.window) std::abort();
    }
};

core::IpAddress responder(const probe::TraceConfig& c, std::uint8_t pick) {
    if (pick % 4 == 0) return c.space.destination;
    if (c.space.destination.is_v4()) return core::IpAddress(core::Ipv4Address(198, 51, 100, static_cast<std::uint8_t>(pick % 4)));
    return *core::IpAddress::parse(pick % 2 ? "2001:db8:3::1" : "2001:db8:3::2");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Reader r{data, size};
    const probe::TraceConfig c = config_from(r);
    probe::Trace trace(c);
    Checker check(c, trace);
    core::MonoTime t{};
    trace.start(t);
    check.drain(r, t);
    for (int steps = 0; steps < 2000 && r.n && !trace.finished(); ++steps) {
        const std::uint8_t op = r.byte();
        switch (op % 8) {
        case 0: case 1: case 2: {  // an answer to something we sent (or a made-up serial)
            probe::TraceResponse resp;
            const std::uint8_t k = r.byte();
            resp.kind = static_cast<probe::ResponseKind>(k % 4);
            resp.reject = resp.kind == probe::ResponseKind::rejected ? probe::RejectReason::unrelated : probe::RejectReason::none;
            resp.flow = k & 0x10 ? 1 : 0;
            const std::uint16_t pick = r.u16();
            if (k & 0x20) resp.serial = pick;
            else if (!(k & 0x40) && !check.sent.empty()) resp.serial = check.sent[pick % check.sent.size()].serial;
            resp.from = responder(c, r.byte());
            trace.on_response(resp, t);
            break;
        }
        case 3: {  // raw bytes through the matcher
            std::vector<std::uint8_t> m;
            for (std::size_t i = 0, k = r.byte() % 64; i < k; ++i) m.push_back(r.byte());
            trace.on_packet(c.space.destination.is_v4() ? 1 : 58, core::Bytes(m), responder(c, r.byte()), r.byte(),
                            nullptr, t);
            break;
        }
        case 4: case 5:
            t = t + std::chrono::milliseconds(r.byte() * 4);
            trace.on_timer(t);
            break;
        case 6:
            if (auto d = trace.next_deadline()) t = std::max(t, *d);
            trace.on_timer(t);
            break;
        default:
            if (r.byte() == 0xFF) trace.interrupt(t);
            break;
        }
        check.drain(r, t);
    }
    // The input is spent: the engine finishes on its own deadlines, in bounded virtual time.
    const core::MonoTime limit = t + std::chrono::hours(1);
    for (int i = 0; i < 100000 && !trace.finished(); ++i) {
        auto d = trace.next_deadline();
        if (!d) std::abort();  // stalled: a real run would wait forever
        t = std::max(t, *d);
        if (t > limit) std::abort();
        trace.on_timer(t);
        check.drain(r, t);
    }
    if (!trace.finished()) std::abort();
    return 0;
}
