// The pmtu engines fed untrusted bytes: the first byte picks a stream of events; echo replies
// (PmtuSearch::on_reply) and error-queue entries with arbitrary quoted payloads, ports, TTLs and
// MTUs (Pmtu::on_errors) are cut from the rest. Neither may crash, loop or send without bound.
#include <cstddef>
#include <cstdint>
#include <cerrno>

#include "icmpkit/probe/pmtu.hpp"

using namespace icmpkit;

namespace {

struct Reader {
    const std::uint8_t* p;
    std::size_t n;
    std::uint8_t byte() { return n ? (--n, *p++) : 0; }
    std::uint16_t u16() { return static_cast<std::uint16_t>(byte() << 8 | byte()); }
    core::Buffer bytes(std::size_t k) {
        k = k < n ? k : n;
        core::Buffer b(p, p + k);
        p += k;
        n -= k;
        return b;
    }
};

void fuzz_tracepath(Reader& r) {
    const auto dest = r.byte() & 1 ? core::IpAddress(core::Ipv4Address(198, 51, 100, 2))
                                   : *core::IpAddress::parse("2001:db8::2");
    probe::Pmtu p({.destination = dest, .max_hops = 1 + r.byte() % 8, .initial_mtu = 1500});
    core::MonoTime t{};
    p.start(t);
    static constexpr int errnos[] = {EMSGSIZE, EHOSTUNREACH, ECONNREFUSED, ENETUNREACH, EACCES, EPROTO, ETIMEDOUT, 0};
    for (int steps = 0; steps < 200 && r.n && !p.finished(); ++steps) {
        for (auto& a : p.take_actions())
            if (std::holds_alternative<probe::PmtuTransmit>(a)) {
                if (r.byte() & 1) p.on_sent(t);
            }
        const std::uint8_t what = r.byte();
        std::vector<probe::PmtuQueuedError> q(what % 4);
        for (auto& e : q) {
            e.origin = static_cast<probe::ErrorOrigin>(1 + r.byte() % 3);
            e.error_number = errnos[r.byte() % 8];
            e.type = r.byte();
            e.code = r.byte();
            e.info = 68 + r.u16() % 2000;
            e.port = r.u16();
            if (r.byte() & 1) e.hop_limit = r.byte();
            e.quoted = r.bytes(r.byte() % 24);
            e.offender = dest;
            e.at = t;
        }
        if (what & 0x10) p.on_send_failed(q, t);
        else p.on_errors(q, t);
        if (what & 0x20) p.on_reply(t);
        t = t + std::chrono::milliseconds(r.byte() * 8);
        p.on_timer(t);
    }
}

void fuzz_search(Reader& r) {
    const auto dest = core::IpAddress(core::Ipv4Address(198, 51, 100, 2));
    probe::PmtuSearch s({.destination = dest, .max_mtu = 600u + r.u16() % 9000u, .identifier = 7});
    core::MonoTime t{};
    s.start(t);
    std::uint16_t last = 0;
    for (int steps = 0; steps < 400 && r.n && !s.finished(); ++steps) {
        for (auto& a : s.take_actions())
            if (auto* tx = std::get_if<probe::SearchTransmit>(&a)) {
                last = tx->sequence;
                s.on_sent(last, t);
            }
        const std::uint8_t what = r.byte();
        if (what & 1) {
            core::Buffer b = r.bytes(r.u16() % 1600);
            s.on_reply(probe::Received{dest, core::Bytes(b), 60}, t);
        }
        if (what & 2) {
            probe::QueuedIcmpError e;
            e.original_destination = dest;
            e.type = r.byte() & 1 ? 3 : 11;
            e.code = r.byte() & 1 ? 4 : 0;
            e.info = r.u16();
            e.original_identifier = 7;
            e.sequence = static_cast<std::uint16_t>(last - r.byte() % 3);
            s.on_queued_error(e, t);
        }
        if (what & 4) s.on_local_too_big(last, r.u16(), t);
        t = t + std::chrono::milliseconds(r.byte() * 8);
        s.on_timer(t);
    }
    if (s.result().probes > s.config().max_total_probes) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Reader r{data, size};
    if (r.byte() & 1) fuzz_tracepath(r);
    else fuzz_search(r);
    return 0;
}
