// `icmpkit trace` beside `traceroute -n` (2.1) in the same chain of Linux routers
// (tests/support/netns.hpp, three routers, ICMP rate limits off so no answer is lost): a router
// that drops its own Time Exceeded, ip(6)tables REJECT codes at the last router and at the
// destination, and an MTU step. Hop lists are compared hop by hop (addresses, '*' count,
// '!' annotations), never timings. Root only.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/netns.hpp"

namespace icmpkit::test_support {
namespace {

struct HopLine {
    std::set<std::string> addresses;
    int stars = 0;
    std::multiset<std::string> notes;  // "!X", "!F-1400", ...
    bool operator==(const HopLine& o) const {
        return addresses == o.addresses && stars == o.stars && notes == o.notes;
    }
};
using HopList = std::map<int, HopLine>;

// " 3  198.51.100.1  0.101 ms !X  0.090 ms !X *": tokens after the TTL are an address (has '.'
// or ':' and is not a number), a time ("0.101" followed by "ms"), "*", or an annotation "!...".
HopList parse(const std::string& out) {
    HopList h;
    std::istringstream in(out);
    static const std::regex hop(R"(^\s*(\d+)\s+(.*)$)");
    static const std::regex number(R"(^[0-9]+(\.[0-9]+)?$)");
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (!std::regex_match(line, m, hop)) continue;
        HopLine& l = h[std::stoi(m[1])];
        std::istringstream words(m[2].str());
        for (std::string w; words >> w;) {
            if (w == "*") ++l.stars;
            else if (w[0] == '!') l.notes.insert(w);
            else if (w == "ms" || std::regex_match(w, number)) continue;
            else if (w.find('.') != std::string::npos || w.find(':') != std::string::npos) l.addresses.insert(w);
        }
    }
    return h;
}

std::string show(const HopLine& l) {
    std::string s;
    for (auto& a : l.addresses) s += a + " ";
    for (auto& n : l.notes) s += n + " ";
    return s + std::to_string(l.stars) + "*";
}

// Same TTLs (the trace stops at the same hop), and at each the same addresses and the same
// annotations; a '*' of traceroute may be an answer of ours (now and then, under load, traceroute
// shows '*' for an answer the kernel sent -- no rate-limit counter moved; probably its wait of
// HERE/NEAR times microsecond RTTs), never the other way round.
void expect_same_hops(const std::string& ours, const std::string& theirs) {
    const HopList a = parse(ours), b = parse(theirs);
    ASSERT_FALSE(b.empty()) << theirs;
    EXPECT_EQ(a.size(), b.size()) << "ours:\n" << ours << "traceroute:\n" << theirs;
    for (const auto& [ttl, line] : b) {
        auto it = a.find(ttl);
        ASSERT_NE(it, a.end()) << "ttl " << ttl << "\nours:\n" << ours << "traceroute:\n" << theirs;
        const HopLine& mine = it->second;
        const std::set<std::string> my_notes(mine.notes.begin(), mine.notes.end()),
            their_notes(line.notes.begin(), line.notes.end());
        const bool lost = line.stars > mine.stars;  // traceroute missed answers we got
        const bool same = mine.stars <= line.stars &&
                          (lost ? std::includes(mine.addresses.begin(), mine.addresses.end(), line.addresses.begin(),
                                                line.addresses.end()) &&
                                      std::includes(my_notes.begin(), my_notes.end(), their_notes.begin(), their_notes.end())
                                : mine.addresses == line.addresses && mine.notes == line.notes);
        EXPECT_TRUE(same) << "ttl " << ttl << ": ours " << show(mine) << ", traceroute " << show(line)
                          << "\nours:\n" << ours << "traceroute:\n" << theirs;
    }
}

class TraceCompare : public ::testing::Test {
protected:
    void make(ChainOptions o) {
        o.tag = "x";
        std::string why;
        chain_ = NetnsChain::create(o, &why);
        if (!chain_) {
            if (!is_root()) GTEST_SKIP() << "needs root for network namespaces";
            FAIL() << why;
        }
    }
    void SetUp() override { make({.routers = 3}); }
    std::string ours(const std::string& args) {
        chain_->flush_route_cache();
        auto r = run_cmd(chain_->in_a(std::string(ICMPKIT_BINARY) + " trace " + args), 60, true);
        EXPECT_EQ(r.rc, 0) << args << "\n" << r.out;
        return r.out;
    }
    std::string traceroute(const std::string& args) {
        chain_->flush_route_cache();
        auto r = run_cmd(chain_->in_a("traceroute " + args), 60, true);
        return r.out;
    }
    // Runs both with the same arguments and compares; returns our output.
    std::string compare(const std::string& args) {
        const std::string mine = ours(args), theirs = traceroute(args);
        expect_same_hops(mine, theirs);
        return mine;
    }
    std::string dest(bool v6) const { return v6 ? chain_->dest_v6() : chain_->dest_v4(); }
    std::string hop(bool v6, int k) const { return v6 ? chain_->hop_v6(k) : chain_->hop_v4(k); }
    bool rule(int node, bool v6, const std::string& r) {  // node 0: B, else router k
        const std::string cmd = std::string(v6 ? "ip6tables " : "iptables ") + r;
        return sh(node == 0 ? chain_->in_b(cmd) : chain_->in_router(node, cmd));
    }
    std::unique_ptr<NetnsChain> chain_;
};

// R2 drops the Time Exceeded it would send: hop 2 is "* * *" for both tools, the rest unchanged.
TEST_F(TraceCompare, RouterDroppingItsTimeExceeded) {
    ASSERT_TRUE(rule(2, false, "-A OUTPUT -p icmp --icmp-type time-exceeded -j DROP"));
    ASSERT_TRUE(rule(2, true, "-A OUTPUT -p icmpv6 --icmpv6-type time-exceeded -j DROP"));
    for (bool v6 : {false, true})
        for (const char* method : {"", "-I "}) {
            SCOPED_TRACE(std::string(v6 ? "v6 " : "v4 ") + method);
            const std::string mine = compare(std::string(v6 ? "-6 " : "-4 ") + method + "-n " + dest(v6));
            const HopList h = parse(mine);
            ASSERT_EQ(h.size(), 4u) << mine;
            EXPECT_EQ(h.at(2).stars, 3) << mine;
            EXPECT_TRUE(h.at(2).addresses.empty()) << mine;
            EXPECT_EQ(h.at(1).addresses, std::set<std::string>{hop(v6, 1)}) << mine;
            EXPECT_EQ(h.at(3).addresses, std::set<std::string>{hop(v6, 3)}) << mine;
            EXPECT_EQ(h.at(4).addresses, std::set<std::string>{dest(v6)}) << mine;
        }
}

struct RejectCase {
    bool v6;
    const char* with;  // --reject-with
    const char* note;  // traceroute 2.1's annotation
};

// traceroute 2.1 (traceroute.c, parse_icmp_res): v4 codes 0 → !N, 1 → !H, 2 → !P, 13 → !X;
// v6 codes 0 (no route) → !N, 1 (administratively prohibited) → !X, 3 (address unreachable) → !H.
const RejectCase reject_cases[] = {
    {false, "icmp-net-unreachable", "!N"},   {false, "icmp-host-unreachable", "!H"},
    {false, "icmp-admin-prohibited", "!X"},  {false, "icmp-proto-unreachable", "!P"},
    {true, "icmp6-no-route", "!N"},          {true, "icmp6-adm-prohibited", "!X"},
    {true, "icmp6-addr-unreachable", "!H"},
};

// A REJECT rule on R3's FORWARD chain (node 3) or B's INPUT chain (node 0), for UDP and ICMP
// probes alike: the trace stops at TTL 4 with the annotation, from R3 or from B.
void check_reject(TraceCompare& t, int node, const RejectCase& c, const std::string& mine, bool v6,
                  const std::string& responder) {
    (void)t, (void)node, (void)v6;
    const HopList h = parse(mine);
    ASSERT_EQ(h.size(), 4u) << mine;
    EXPECT_EQ(h.at(4).addresses, std::set<std::string>{responder}) << mine;
    EXPECT_EQ(h.at(4).notes, (std::multiset<std::string>{c.note, c.note, c.note})) << mine;
}

class TraceReject : public TraceCompare {
protected:
    void run_case(int node) {
        for (const auto& c : reject_cases) {
            const std::string chain = node == 0 ? "INPUT" : "FORWARD";
            // Only A's probes: B's own neighbour discovery must pass (v6 INPUT).
            const std::string src = c.v6 ? chain_->source_v6() : chain_->source_v4();
            ASSERT_TRUE(rule(node, c.v6, "-A " + chain + " -s " + src + " -d " + dest(c.v6) +
                                             " -j REJECT --reject-with " + c.with));
            const std::string responder = node == 0 ? dest(c.v6) : hop(c.v6, 3);
            for (const char* method : {"", "-I "}) {
                SCOPED_TRACE(std::string(c.with) + " " + method + (node == 0 ? "at B" : "at R3"));
                const std::string mine = compare(std::string(c.v6 ? "-6 " : "-4 ") + method + "-n " + dest(c.v6));
                check_reject(*this, node, c, mine, c.v6, responder);
            }
            ASSERT_TRUE(rule(node, c.v6, "-F " + chain));
        }
    }
};

TEST_F(TraceReject, AtTheLastRouter) { run_case(3); }
TEST_F(TraceReject, AtTheDestination) { run_case(0); }

// Link 2 (R2–R3) has MTU 1400. With -F every 1500-byte probe keeps DF whatever the kernel learned
// (traceroute 2.1: IP_PMTUDISC_PROBE), so R2 answers all three probes at TTL 3 with
// Fragmentation Needed / Packet Too Big, next-hop MTU 1400: "R2 !F-1400" three times, and the
// trace ends there. Without -F traceroute sends IPv4 without DF (fragmented, B is reached) and
// IPv6 with the kernel's path MTU (the first probe gets !F-1400, the next go in fragments).
class TraceMtu : public TraceCompare {
protected:
    void SetUp() override { make({.routers = 3, .link_mtu = {{2, 1400}}}); }
};

TEST_F(TraceMtu, DontFragmentShowsTheNextHopMtu) {
    for (bool v6 : {false, true})
        for (const char* method : {"", "-I "}) {
            SCOPED_TRACE(std::string(v6 ? "v6 " : "v4 ") + method);
            const std::string mine = compare(std::string(v6 ? "-6 " : "-4 ") + method + "-F -n " + dest(v6) + " 1500");
            const HopList h = parse(mine);
            ASSERT_EQ(h.size(), 3u) << mine;
            EXPECT_EQ(h.at(3).addresses, std::set<std::string>{hop(v6, 2)}) << mine;
            EXPECT_EQ(h.at(3).notes, (std::multiset<std::string>{"!F-1400", "!F-1400", "!F-1400"})) << mine;
        }
}

TEST_F(TraceMtu, WithoutDontFragmentAsTraceroute) {
    const std::string v4 = compare("-4 -n " + dest(false) + " 1500");
    const HopList h = parse(v4);
    ASSERT_EQ(h.size(), 4u) << v4;  // fragments reach B
    EXPECT_TRUE(h.at(3).notes.empty()) << v4;
    EXPECT_EQ(h.at(4).addresses, std::set<std::string>{dest(false)}) << v4;
    const std::string v6 = compare("-6 -n " + dest(true) + " 1500");
    EXPECT_NE(v6.find(hop(true, 2) + "  "), std::string::npos) << v6;
    EXPECT_NE(v6.find("!F-1400"), std::string::npos) << v6;
}

// Without privileges: UDP through the error queue (IPV6_RECVERR) and ICMP echo through datagram
// sockets, which net.ipv4.ping_group_range (per namespace, both families) must allow.
class TraceUnprivileged : public TraceCompare {
protected:
    void SetUp() override {
        TraceCompare::SetUp();
        if (!chain_) return;
        if (!sh("command -v setpriv")) GTEST_SKIP() << "setpriv(1) not installed";
    }
    CmdResult as_nobody(const std::string& args) {
        return run_cmd(chain_->in_a("setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all " +
                                    std::string(ICMPKIT_BINARY) + " trace " + args),
                       60, true);
    }
    void expect_path(bool v6, const std::string& out) {
        const HopList h = parse(out);
        ASSERT_EQ(h.size(), 4u) << out;
        for (int k = 1; k <= 3; ++k) EXPECT_EQ(h.at(k).addresses, std::set<std::string>{hop(v6, k)}) << out;
        EXPECT_EQ(h.at(4).addresses, std::set<std::string>{dest(v6)}) << out;
        for (const auto& [ttl, l] : h) EXPECT_EQ(l.stars, 0) << "ttl " << ttl << "\n" << out;
    }
};

TEST_F(TraceUnprivileged, UdpV6UsesTheErrorQueue) {
    auto r = as_nobody("-6 -n " + dest(true));
    ASSERT_EQ(r.rc, 0) << r.out;
    expect_path(true, r.out);
    // R3 rejects: the !X comes through the error queue too.
    ASSERT_TRUE(rule(3, true, "-A FORWARD -d " + dest(true) + " -j REJECT --reject-with icmp6-adm-prohibited"));
    auto x = as_nobody("-6 -n " + dest(true));
    ASSERT_EQ(x.rc, 0) << x.out;
    const HopList h = parse(x.out);
    ASSERT_EQ(h.size(), 4u) << x.out;
    EXPECT_EQ(h.at(4).addresses, std::set<std::string>{hop(true, 3)}) << x.out;
    EXPECT_EQ(h.at(4).notes, (std::multiset<std::string>{"!X", "!X", "!X"})) << x.out;
}

TEST_F(TraceUnprivileged, IcmpDatagramSocketsBothFamilies) {
    // A fresh namespace allows no group ("1 0"): no datagram socket, no raw socket, exit 2.
    auto denied = as_nobody("-I -n " + dest(false));
    EXPECT_EQ(denied.rc, 2) << denied.out;
    ASSERT_TRUE(sh(chain_->in_a("sysctl -qw net.ipv4.ping_group_range='0 2147483647'")));
    for (bool v6 : {false, true}) {
        SCOPED_TRACE(v6 ? "v6" : "v4");
        auto r = as_nobody(std::string(v6 ? "-6" : "-4") + " -I -n " + dest(v6));
        ASSERT_EQ(r.rc, 0) << r.out;
        expect_path(v6, r.out);
    }
}

}  // namespace
}  // namespace icmpkit::test_support
