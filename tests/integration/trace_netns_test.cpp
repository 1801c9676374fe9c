// `icmpkit trace` through a chain of Linux routers (tests/support/netns.hpp) with the kernel's
// default ICMP rate limits and an ip(6)tables REJECT at the last router, against `traceroute -n`
// and `tracepath -n` on the same chain: icmpkit's hop list must be the same or more complete (every
// address another tool shows at a TTL, icmpkit shows at that TTL). Root only.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <unistd.h>
#include <string>

#include "support/netns.hpp"

namespace icmpkit::test_support {
namespace {

using Hops = std::map<int, std::set<std::string>>;

// traceroute / icmpkit: " 3  198.51.100.1  0.1 ms ..." (addresses are the tokens with '.' or ':'
// that are not "ms" values); tracepath: " 3:  198.51.100.1   0.1ms".
Hops parse_hops(const std::string& out) {
    Hops h;
    std::istringstream in(out);
    std::string line;
    static const std::regex hop(R"(^\s*(\d+)\??:?\s+(.*)$)");
    static const std::regex addr(R"((\d+\.\d+\.\d+\.\d+|[0-9a-f]*:[0-9a-f:]+))");
    while (std::getline(in, line)) {
        std::smatch m;
        if (!std::regex_match(line, m, hop)) continue;
        const int ttl = std::stoi(m[1]);
        std::string rest = m[2];
        for (std::sregex_iterator it(rest.begin(), rest.end(), addr), end; it != end; ++it) {
            const std::string a = (*it)[1];
            if (a.find(':') != std::string::npos && a.size() < 4) continue;
            h[ttl].insert(a);
        }
    }
    return h;
}

// Beyond our last hop (the trace ended there: destination or !X), another tool can only show the
// same final responder later -- traceroute does when rate limiting hid it at the right TTL.
void expect_superset(const Hops& ours, const Hops& theirs, const std::string& who, const std::string& out) {
    ASSERT_FALSE(ours.empty()) << out;
    const int last = ours.rbegin()->first;
    for (const auto& [ttl, addrs] : theirs)
        for (const auto& a : addrs) {
            auto it = ours.find(ttl > last ? last : ttl);
            EXPECT_TRUE(it != ours.end() && it->second.count(a)) << who << " shows " << a << " at " << ttl << "\n" << out;
        }
}

class TraceNetns : public ::testing::Test {
protected:
    void SetUp() override {
        std::string why;
        chain_ = NetnsChain::create({.routers = 4, .kernel_rate_limits = true, .tag = "t"}, &why);
        if (!chain_) {
            if (!is_root()) GTEST_SKIP() << "needs root for network namespaces: " << why;
            FAIL() << why;
        }
        // The last router rejects UDP to B (administratively prohibited); ICMP passes.
        ASSERT_TRUE(sh(chain_->in_router(4, "iptables -A FORWARD -p udp -d " + chain_->dest_v4() +
                                                " -j REJECT --reject-with icmp-admin-prohibited")));
        ASSERT_TRUE(sh(chain_->in_router(4, "ip6tables -A FORWARD -p udp -d " + chain_->dest_v6() +
                                                " -j REJECT --reject-with icmp6-adm-prohibited")));
    }
    std::string ours(const std::string& args) {
        auto r = run_cmd(chain_->in_a(std::string(ICMPKIT_BINARY) + " trace " + args), 60, true);
        EXPECT_EQ(r.rc, 0) << r.out;
        return r.out;
    }
    std::unique_ptr<NetnsChain> chain_;
};

TEST_F(TraceNetns, UdpV4AgainstTracerouteAndTracepath) {
    const std::string d = chain_->dest_v4();
    const std::string mine = ours("-n " + d);
    const Hops h = parse_hops(mine);
    for (int k = 1; k <= 4; ++k) EXPECT_TRUE(h.count(k) && h.at(k).count(chain_->hop_v4(k))) << mine;
    // TTL 5 reaches R4's filter: R4 answers !X and the trace ends there.
    EXPECT_NE(mine.find(chain_->hop_v4(4) + "  "), std::string::npos) << mine;
    EXPECT_NE(mine.find("!X"), std::string::npos) << mine;
    EXPECT_EQ(mine.find("*"), std::string::npos) << "default rate limits ate answers:\n" << mine;
    sleep(1);  // let R4's per-destination bucket refill before the next tool (netns.hpp note)
    auto t = run_cmd(chain_->in_a("traceroute -n " + d), 60);
    expect_superset(h, parse_hops(t.out), "traceroute", t.out + "\nours:\n" + mine);
    sleep(1);
    auto p = run_cmd(chain_->in_a("tracepath -n " + d), 60);
    expect_superset(h, parse_hops(p.out), "tracepath", p.out + "\nours:\n" + mine);
}

TEST_F(TraceNetns, UdpV6AgainstTracerouteAndTracepath) {
    const std::string d = chain_->dest_v6();
    const std::string mine = ours("-6 -n " + d);
    const Hops h = parse_hops(mine);
    for (int k = 1; k <= 4; ++k) EXPECT_TRUE(h.count(k) && h.at(k).count(chain_->hop_v6(k))) << mine;
    EXPECT_NE(mine.find("!X"), std::string::npos) << mine;
    EXPECT_EQ(mine.find("*"), std::string::npos) << mine;
    sleep(1);
    auto t = run_cmd(chain_->in_a("traceroute -6 -n " + d), 60);
    expect_superset(h, parse_hops(t.out), "traceroute -6", t.out + "\nours:\n" + mine);
    sleep(1);
    auto p = run_cmd(chain_->in_a("tracepath -6 -n " + d), 60);
    expect_superset(h, parse_hops(p.out), "tracepath -6", p.out + "\nours:\n" + mine);
}

TEST_F(TraceNetns, IcmpReachesTheDestinationBothFamilies) {
    for (bool v6 : {false, true}) {
        const std::string d = v6 ? chain_->dest_v6() : chain_->dest_v4();
        const std::string mine = ours(std::string(v6 ? "-6 " : "") + "-I -n " + d);
        const Hops h = parse_hops(mine);
        ASSERT_TRUE(h.count(5)) << mine;
        EXPECT_TRUE(h.at(5).count(d)) << mine;
        for (int k = 1; k <= 4; ++k)
            EXPECT_TRUE(h.count(k) && h.at(k).count(v6 ? chain_->hop_v6(k) : chain_->hop_v4(k))) << mine;
        sleep(1);
    }
}

TEST_F(TraceNetns, UnprivilegedUdpUsesTheErrorQueue) {
    if (!sh("command -v setpriv")) GTEST_SKIP() << "setpriv(1) not installed";
    const std::string cmd = chain_->in_a("setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all " +
                                         std::string(ICMPKIT_BINARY) + " trace -n " + chain_->dest_v4());
    auto r = run_cmd(cmd, 60, true);
    ASSERT_EQ(r.rc, 0) << r.out;
    const Hops h = parse_hops(r.out);
    for (int k = 1; k <= 4; ++k) EXPECT_TRUE(h.count(k) && h.at(k).count(chain_->hop_v4(k))) << r.out;
    EXPECT_NE(r.out.find("!X"), std::string::npos) << r.out;
}

TEST_F(TraceNetns, TcpNeedsRootAndWorksAsRoot) {
    auto r = run_cmd(chain_->in_a(std::string(ICMPKIT_BINARY) + " trace -T -p 9 -n " + chain_->dest_v4()), 60, true);
    ASSERT_EQ(r.rc, 0) << r.out;
    const Hops h = parse_hops(r.out);
    ASSERT_TRUE(h.count(5)) << r.out;  // B answers the SYN with a RST (port 9 closed)
    EXPECT_TRUE(h.at(5).count(chain_->dest_v4())) << r.out;
    if (!sh("command -v setpriv")) return;
    auto u = run_cmd(chain_->in_a("setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all " +
                                  std::string(ICMPKIT_BINARY) + " trace -T -n " + chain_->dest_v4()),
                     30, true);
    EXPECT_EQ(u.rc, 2) << u.out;
    EXPECT_NE(u.out.find("raw sockets"), std::string::npos) << u.out;
}

}  // namespace
}  // namespace icmpkit::test_support
