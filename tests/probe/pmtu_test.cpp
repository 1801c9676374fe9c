// probe::Pmtu (tracepath's control flow) and probe::PmtuSearch (RFC 8899 search) on a fake clock,
// with error-queue entries written by hand as Linux fills them (linux/errqueue.h, icmp_err_convert).
#include <gtest/gtest.h>

#include <cerrno>

#include "icmpkit/probe/pmtu.hpp"
#include "icmpkit/wire/checksum.hpp"

using namespace icmpkit;
using namespace std::chrono_literals;

namespace {

const core::IpAddress dest4 = core::Ipv4Address(198, 51, 100, 2);
const core::IpAddress hop1 = core::Ipv4Address(192, 0, 2, 1);
const core::IpAddress hop2 = core::Ipv4Address(203, 0, 113, 2);

template <class T, class A>
std::vector<T> all(const std::vector<A>& v) {
    std::vector<T> out;
    for (const auto& a : v)
        if (auto* x = std::get_if<T>(&a)) out.push_back(*x);
    return out;
}

probe::PmtuQueuedError time_exceeded(const core::IpAddress& from, std::uint16_t port, int ttl_left, core::MonoTime at) {
    probe::PmtuQueuedError e;
    e.origin = probe::ErrorOrigin::icmp;
    e.error_number = EHOSTUNREACH;
    e.type = 11;
    e.offender = from;
    e.port = port;
    e.hop_limit = ttl_left;
    e.at = at;
    return e;
}

probe::PmtuQueuedError frag_needed(const core::IpAddress& from, std::uint16_t port, std::uint32_t mtu, core::MonoTime at) {
    auto e = time_exceeded(from, port, 64, at);
    e.error_number = EMSGSIZE;
    e.type = 3;
    e.code = 4;
    e.info = mtu;
    return e;
}

probe::PmtuQueuedError port_unreachable(std::uint16_t port, int ttl_left, core::MonoTime at) {
    auto e = time_exceeded(dest4, port, ttl_left, at);
    e.error_number = ECONNREFUSED;
    e.type = 3;
    e.code = 3;
    return e;
}

TEST(Pmtu, FirstProbeIsTracepathsDefaultSizeAndPort) {
    probe::Pmtu p({.destination = dest4});
    p.start({});
    auto tx = all<probe::PmtuTransmit>(p.take_actions());
    ASSERT_EQ(tx.size(), 1u);
    EXPECT_EQ(tx[0].ttl, 1);
    EXPECT_EQ(tx[0].port, 44444);
    EXPECT_EQ(tx[0].payload.size(), 65535u - 28u);  // DEFAULT_MTU_IPV4 - overhead
    EXPECT_EQ(core::load_be32(tx[0].payload.data()), 1u);
    probe::Pmtu p6({.destination = *core::IpAddress::parse("2001:db8::1")});
    p6.start({});
    EXPECT_EQ(all<probe::PmtuTransmit>(p6.take_actions())[0].payload.size(), 128000u - 48u);
}

// The walk tracepath makes on A-R1-R2-B with link MTUs 1500/1400/1500 (compare the real session in
// docs/pmtu.md): LOCALHOST pmtu 1500, hop 1 twice (the MTU changed during the first round), hop 2
// answers Frag Needed for R1 then Time Exceeded, the destination Port Unreachable.
TEST(Pmtu, TracepathWalkWithAnMtuStep) {
    probe::Pmtu p({.destination = dest4});
    core::MonoTime t{};
    p.start(t);
    p.take_actions();
    probe::PmtuQueuedError local;
    local.origin = probe::ErrorOrigin::local;
    local.error_number = EMSGSIZE;
    local.info = 1500;
    local.port = 0;  // ip_local_error(): an unconnected socket's dport
    p.on_send_failed({local}, t);
    auto a = p.take_actions();
    auto hops = all<probe::PmtuHopEvent>(a);
    ASSERT_EQ(hops.size(), 1u);
    EXPECT_TRUE(hops[0].localhost);
    EXPECT_EQ(hops[0].tail, probe::PmtuHopEvent::Tail::pmtu);
    EXPECT_FALSE(hops[0].rtt);  // no history slot for port 0
    auto tx = all<probe::PmtuTransmit>(a);
    ASSERT_EQ(tx.size(), 1u);
    EXPECT_EQ(tx[0].payload.size(), 1500u - 28u);
    EXPECT_EQ(tx[0].port, 44444);  // hisptr did not move: the send failed
    p.on_sent(t);
    t = t + 100us;
    p.on_errors({time_exceeded(hop1, 44444, 64, t)}, t);
    a = p.take_actions();
    hops = all<probe::PmtuHopEvent>(a);
    ASSERT_EQ(hops.size(), 1u);
    EXPECT_EQ(hops[0].sent_hops, 1);
    EXPECT_EQ(*hops[0].rtt, 100us);
    EXPECT_FALSE(hops[0].asymm);  // 65 - 64 = 1 = the probe's TTL
    tx = all<probe::PmtuTransmit>(a);
    ASSERT_EQ(tx.size(), 1u);
    EXPECT_EQ(tx[0].ttl, 1);  // again: the MTU changed during the round (main(): goto restart)
    EXPECT_EQ(tx[0].port, 44445);
    p.on_sent(t);
    p.on_errors({time_exceeded(hop1, 44445, 64, t)}, t);
    tx = all<probe::PmtuTransmit>(p.take_actions());
    ASSERT_EQ(tx.size(), 1u);
    EXPECT_EQ(tx[0].ttl, 2);
    p.on_sent(t);
    p.on_errors({frag_needed(hop1, 44446, 1400, t)}, t);
    a = p.take_actions();
    hops = all<probe::PmtuHopEvent>(a);
    ASSERT_EQ(hops.size(), 1u);
    EXPECT_EQ(hops[0].sent_hops, 2);
    EXPECT_EQ(hops[0].pmtu, 1400u);
    tx = all<probe::PmtuTransmit>(a);
    ASSERT_EQ(tx.size(), 1u);
    EXPECT_EQ(tx[0].ttl, 2);
    EXPECT_EQ(tx[0].payload.size(), 1400u - 28u);
    p.on_sent(t);
    p.on_errors({time_exceeded(hop2, 44447, 63, t)}, t);
    tx = all<probe::PmtuTransmit>(p.take_actions());
    ASSERT_EQ(tx.size(), 1u);
    EXPECT_EQ(tx[0].ttl, 3);
    p.on_sent(t);
    p.on_errors({port_unreachable(44448, 62, t)}, t);
    a = p.take_actions();
    auto fin = all<probe::PmtuFinish>(a);
    ASSERT_EQ(fin.size(), 1u);
    EXPECT_EQ(fin[0].mtu, 1400);
    EXPECT_EQ(fin[0].hops_to, 3);
    EXPECT_EQ(fin[0].hops_from, 3);  // 65 - 62
    EXPECT_FALSE(fin[0].too_many_hops);
    EXPECT_TRUE(p.finished());
}

TEST(Pmtu, SilentHopIsNoReplyAfterThreeOneSecondRounds) {
    probe::Pmtu p({.destination = dest4, .max_hops = 2, .initial_mtu = 1500});
    core::MonoTime t{};
    p.start(t);
    int sends = 0;
    std::vector<probe::PmtuAction> seen;
    for (int guard = 0; guard < 20 && !p.finished(); ++guard) {
        for (auto& a : p.take_actions()) {
            if (std::holds_alternative<probe::PmtuTransmit>(a)) {
                ++sends;
                p.on_sent(t);
            } else {
                seen.push_back(a);
            }
        }
        if (auto d = p.next_deadline()) {
            EXPECT_EQ(*d - t, 1s);  // data_wait(): one second
            t = *d;
            p.on_timer(t);
        }
    }
    for (auto& a : p.take_actions()) seen.push_back(a);
    EXPECT_EQ(sends, 6);
    auto nr = all<probe::PmtuNoReply>(seen);
    ASSERT_EQ(nr.size(), 2u);
    EXPECT_EQ(nr[0].ttl, 1);
    EXPECT_EQ(nr[1].ttl, 2);
    auto fin = all<probe::PmtuFinish>(seen);
    ASSERT_EQ(fin.size(), 1u);
    EXPECT_TRUE(fin[0].too_many_hops);
    EXPECT_EQ(fin[0].hops_to, -1);
}

TEST(Pmtu, AsymmetricReturnAndLateAnswerUseTheHistorySlot) {
    probe::Pmtu p({.destination = dest4, .initial_mtu = 1500});
    core::MonoTime t{};
    p.start(t);
    p.take_actions();
    p.on_sent(t);
    t = t + 1s;
    p.on_timer(t);  // round 1 lost
    p.take_actions();
    p.on_sent(t);
    // The first probe's answer arrives now, with a TTL that says the way back took 3 hops.
    p.on_errors({time_exceeded(hop1, 44444, 62, t + 5ms)}, t + 5ms);
    auto hops = all<probe::PmtuHopEvent>(p.take_actions());
    ASSERT_EQ(hops.size(), 1u);
    EXPECT_EQ(hops[0].sent_hops, 1);
    EXPECT_EQ(*hops[0].rtt, 1005ms);
    ASSERT_TRUE(hops[0].asymm);
    EXPECT_EQ(*hops[0].asymm, 3);
}

TEST(Pmtu, QuotedProbeHeaderGivesTheTtlAndZeroedOneIsABrokenRouter) {
    probe::Pmtu p({.destination = dest4, .initial_mtu = 1500});
    core::MonoTime t{};
    p.start(t);
    auto tx = all<probe::PmtuTransmit>(p.take_actions());
    p.on_sent(t);
    auto e = time_exceeded(hop1, 9, 64, t + 1ms);  // a port outside the history
    e.quoted.assign(tx[0].payload.begin(), tx[0].payload.begin() + probe::Pmtu::probe_header_size);
    p.on_errors({e}, t + 1ms);
    auto hops = all<probe::PmtuHopEvent>(p.take_actions());
    ASSERT_EQ(hops.size(), 1u);
    EXPECT_EQ(hops[0].sent_hops, 1);
    EXPECT_EQ(*hops[0].rtt, 1ms);
    EXPECT_FALSE(hops[0].broken_router);
    p.on_sent(t);
    auto z = time_exceeded(hop2, 9, 63, t);
    z.quoted.assign(probe::Pmtu::probe_header_size, 0);
    p.on_errors({z}, t);
    hops = all<probe::PmtuHopEvent>(p.take_actions());
    ASSERT_EQ(hops.size(), 1u);
    EXPECT_TRUE(hops[0].broken_router);
}

TEST(Pmtu, UnreachableCodesEndTheTrace) {
    struct Row { int err; probe::PmtuHopEvent::Tail tail; };
    for (Row r : {Row{EHOSTUNREACH, probe::PmtuHopEvent::Tail::host_unreachable},
                  Row{ENETUNREACH, probe::PmtuHopEvent::Tail::net_unreachable},
                  Row{EACCES, probe::PmtuHopEvent::Tail::prohibited}, Row{EPROTO, probe::PmtuHopEvent::Tail::protocol},
                  Row{ENOPROTOOPT, probe::PmtuHopEvent::Tail::net_error}}) {
        probe::Pmtu p({.destination = dest4, .initial_mtu = 1500});
        p.start({});
        p.take_actions();
        p.on_sent({});
        auto e = time_exceeded(hop1, 44444, 64, {});
        e.type = 3;
        e.code = 1;
        e.error_number = r.err;
        p.on_errors({e}, {});
        auto a = p.take_actions();
        auto hops = all<probe::PmtuHopEvent>(a);
        ASSERT_EQ(hops.size(), 1u);
        EXPECT_EQ(hops[0].tail, r.tail) << r.err;
        EXPECT_TRUE(p.finished());
        EXPECT_EQ(all<probe::PmtuFinish>(a).size(), 1u);
    }
}

TEST(Pmtu, TenFailedSendsAreSendFailed) {
    probe::Pmtu p({.destination = dest4, .initial_mtu = 1500});
    p.start({});
    int sends = 0;
    std::vector<probe::PmtuAction> seen;
    for (int guard = 0; guard < 50 && !p.finished(); ++guard)
        for (auto& a : p.take_actions()) {
            if (std::holds_alternative<probe::PmtuTransmit>(a)) {
                ++sends;
                p.on_send_failed({}, {});
            } else {
                seen.push_back(a);
            }
        }
    for (auto& a : p.take_actions()) seen.push_back(a);
    EXPECT_EQ(sends, probe::Pmtu::max_probes);
    EXPECT_EQ(all<probe::PmtuSendFailed>(seen).size(), 1u);
    EXPECT_TRUE(p.finished());
}

// ---- PmtuSearch --------------------------------------------------------------------------------

// A path: sizes up to `mtu` come back after 1 ms; above it, either a PTB (honest) or nothing.
struct FakePath {
    std::uint32_t mtu = 1400;
    std::uint32_t ptb_at = 0;  // a router with this next-hop MTU answers PTB above it (0: none)
    int lose_first = 0;        // the first N probes vanish (loss)
};

probe::SearchResult run_search(probe::PmtuSearch& s, const FakePath& path, std::vector<probe::SearchProbeEvent>* ev = nullptr) {
    core::MonoTime t{};
    s.start(t);
    int sent = 0;
    for (int guard = 0; guard < 2000 && !s.finished(); ++guard) {
        for (auto& a : s.take_actions()) {
            if (auto* p = std::get_if<probe::SearchProbeEvent>(&a); p && ev) ev->push_back(*p);
            auto* tx = std::get_if<probe::SearchTransmit>(&a);
            if (!tx) continue;
            EXPECT_EQ(tx->icmp.size() + 20, tx->size);
            EXPECT_EQ(wire::internet_checksum(tx->icmp), 0);  // RFC 792: the checksum verifies
            s.on_sent(tx->sequence, t);
            if (sent++ < path.lose_first) continue;
            if (path.ptb_at && tx->size > path.ptb_at) {
                probe::QueuedIcmpError e;
                e.offender = hop1;
                e.original_destination = dest4;
                e.type = 3;
                e.code = 4;
                e.info = path.ptb_at;
                e.original_type = 8;
                e.original_identifier = 7;
                e.sequence = tx->sequence;
                s.on_queued_error(e, t + 500us);
            } else if (tx->size <= path.mtu) {
                core::Buffer r = tx->icmp;
                r[0] = 0;
                s.on_reply(probe::Received{dest4, core::Bytes(r), 60}, t + 1ms);
            }
        }
        if (auto d = s.next_deadline()) {
            t = *d;
            s.on_timer(t);
        }
    }
    for (auto& a : s.take_actions())
        if (auto* p = std::get_if<probe::SearchProbeEvent>(&a); p && ev) ev->push_back(*p);
    return s.result();
}

probe::PmtuSearchConfig search_cfg(std::uint32_t max = 1500) {
    probe::PmtuSearchConfig c;
    c.destination = dest4;
    c.max_mtu = max;
    c.identifier = 7;
    return c;
}

TEST(PmtuSearch, HonestPathTakesThePtbHintAndConfirmsIt) {
    probe::PmtuSearch s(search_cfg());
    std::vector<probe::SearchProbeEvent> ev;
    auto r = run_search(s, {.mtu = 1400, .ptb_at = 1400}, &ev);
    EXPECT_TRUE(r.base_confirmed);
    EXPECT_EQ(r.plpmtu, 1400u);
    EXPECT_EQ(r.icmp_pmtu, 1400u);
    EXPECT_FALSE(r.black_hole);
    ASSERT_EQ(ev.size(), 3u);  // 576 ok, 1500 too big (PTB 1400), 1400 ok
    EXPECT_EQ(ev[1].outcome, probe::SearchProbeEvent::Outcome::too_big_icmp);
    EXPECT_EQ(ev[2].size, 1400u);
}

TEST(PmtuSearch, BlackHoleFoundExactlyAndFlagged) {
    for (std::uint32_t mtu : {1300u, 1400u, 1234u, 1499u, 577u}) {
        probe::PmtuSearch s(search_cfg());
        auto r = run_search(s, {.mtu = mtu});
        EXPECT_EQ(r.plpmtu, mtu);
        EXPECT_EQ(r.icmp_pmtu, 1500u);
        EXPECT_TRUE(r.black_hole) << mtu;
        EXPECT_EQ(r.smallest_silent_failure, mtu + 1);
        EXPECT_LE(r.probes, 40);
    }
}

TEST(PmtuSearch, FullPathIsTwoProbes) {
    probe::PmtuSearch s(search_cfg());
    auto r = run_search(s, {.mtu = 1500});
    EXPECT_EQ(r.plpmtu, 1500u);
    EXPECT_EQ(r.probes, 2);
    EXPECT_FALSE(r.black_hole);
}

TEST(PmtuSearch, LossIsRetriedNotTakenForTooBig) {
    probe::PmtuSearch s(search_cfg());
    auto r = run_search(s, {.mtu = 1500, .lose_first = 2});
    EXPECT_EQ(r.plpmtu, 1500u);
    EXPECT_FALSE(r.black_hole);
}

TEST(PmtuSearch, NoReplyAtTheBaseIsNoAnswer) {
    probe::PmtuSearch s(search_cfg());
    auto r = run_search(s, {.mtu = 100});
    EXPECT_FALSE(r.base_confirmed);
    EXPECT_EQ(r.probes, 3);  // RFC 8899 MAX_PROBES
    EXPECT_FALSE(r.black_hole);
}

TEST(PmtuSearch, WaitAdaptsToTheRttWithinBounds) {
    probe::PmtuSearch s(search_cfg());
    s.start({});
    auto tx = all<probe::SearchTransmit>(s.take_actions());
    s.on_sent(tx[0].sequence, {});
    EXPECT_EQ(*s.next_deadline(), core::MonoTime{} + 1s);  // no RTT yet: the configured wait
    core::Buffer r = tx[0].icmp;
    r[0] = 0;
    s.on_reply(probe::Received{dest4, core::Bytes(r), 60}, core::MonoTime{} + 20ms);
    tx = all<probe::SearchTransmit>(s.take_actions());
    ASSERT_EQ(tx.size(), 1u);
    const core::MonoTime at = core::MonoTime{} + 30ms;
    s.on_sent(tx[0].sequence, at);
    EXPECT_EQ(*s.next_deadline(), at + 80ms);  // 4 x the largest RTT
}

TEST(PmtuSearch, IgnoresRepliesThatAreNotOurs) {
    probe::PmtuSearch s(search_cfg());
    s.start({});
    auto tx = all<probe::SearchTransmit>(s.take_actions());
    s.on_sent(tx[0].sequence, {});
    core::Buffer r = tx[0].icmp;
    r[0] = 0;
    core::Buffer wrong_id = r;
    wrong_id[4] ^= 1;
    s.on_reply(probe::Received{dest4, core::Bytes(wrong_id), 60}, {});
    core::Buffer short_one(r.begin(), r.end() - 1);
    s.on_reply(probe::Received{dest4, core::Bytes(short_one), 60}, {});
    s.on_reply(probe::Received{hop1, core::Bytes(r), 60}, {});
    core::Buffer tiny(r.begin(), r.begin() + 4);
    s.on_reply(probe::Received{dest4, core::Bytes(tiny), 60}, {});
    EXPECT_EQ(s.result().replies, 0);
    s.on_reply(probe::Received{dest4, core::Bytes(r), 60}, {});
    EXPECT_EQ(s.result().replies, 1);
}

}  // namespace
