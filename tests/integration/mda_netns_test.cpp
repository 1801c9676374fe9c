// `icmpkit trace --mda` and `--cycles` through a diamond of Linux routers in namespaces we create:
//
//   a ─ r1 ─┬─ r2a ─┬─ r3 ─ b        r1: two next hops (ip route ... nexthop via ... nexthop via),
//           └─ r2b ─┘                    net.ipv4.fib_multipath_hash_policy=1 (ports in the hash)
//
// The same in IPv6 (2001:db8::/32, net.ipv6.fib_multipath_hash_policy=1). Run as root and, with
// setpriv, as user nobody (no raw sockets: one datagram socket per flow).
// Kernel rate limits are left at their defaults (a burst of 6 Time Exceeded, then one a second):
// the engine's pacing must cope. Only documentation ranges; the namespaces go with the fixture.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "../support/netns.hpp"

using namespace icmpkit::test_support;

namespace {

class MdaNetns : public ::testing::Test {
protected:
    void SetUp() override {
        if (!is_root()) GTEST_SKIP() << "needs root (network namespaces, raw sockets)";
        set_ = std::make_unique<NetnsSet>("m");
        for (const char* n : {"a", "r1", "r2a", "r2b", "r3", "b"})
            if (set_->add(n).empty()) GTEST_SKIP() << "cannot create namespaces: " << set_->failure();
        auto& s = *set_;
        bool ok = s.link("a", "e0", "r1", "e0") && s.link("r1", "e1", "r2a", "e0") && s.link("r1", "e2", "r2b", "e0") &&
                  s.link("r2a", "e1", "r3", "e0") && s.link("r2b", "e1", "r3", "e1") && s.link("r3", "e2", "b", "e0");
        // IPv6: link a–r1 2001:db8:1::/64, r1–r2x 2001:db8:12x::/64, r2x–r3 2001:db8:23x::/64,
        // r3–b 2001:db8:2::/64 (::1 the end nearer a).
        struct Addr {
            const char *ns, *ifname, *v4, *v6;
        };
        static const Addr addrs[] = {
            {"a", "e0", "192.0.2.2/24", "2001:db8:1::2/64"},       {"r1", "e0", "192.0.2.1/24", "2001:db8:1::1/64"},
            {"r1", "e1", "198.51.100.1/30", "2001:db8:12a::1/64"}, {"r2a", "e0", "198.51.100.2/30", "2001:db8:12a::2/64"},
            {"r1", "e2", "198.51.100.5/30", "2001:db8:12b::1/64"}, {"r2b", "e0", "198.51.100.6/30", "2001:db8:12b::2/64"},
            {"r2a", "e1", "198.51.100.9/30", "2001:db8:23a::1/64"}, {"r3", "e0", "198.51.100.10/30", "2001:db8:23a::2/64"},
            {"r2b", "e1", "198.51.100.13/30", "2001:db8:23b::1/64"}, {"r3", "e1", "198.51.100.14/30", "2001:db8:23b::2/64"},
            {"r3", "e2", "203.0.113.1/24", "2001:db8:2::1/64"},    {"b", "e0", "203.0.113.2/24", "2001:db8:2::2/64"}};
        for (const auto& x : addrs) ok = ok && s.address(x.ns, x.ifname, x.v4) && s.address(x.ns, x.ifname, x.v6);
        for (const char* r : {"r1", "r2a", "r2b", "r3"}) {
            ok = ok && s.sysctl(r, "net.ipv4.ip_forward=1") && s.sysctl(r, "net.ipv4.conf.all.rp_filter=0") &&
                 s.sysctl(r, "net.ipv4.conf.default.rp_filter=0") && s.sysctl(r, "net.ipv6.conf.all.forwarding=1");
            for (const char* i : {"e0", "e1", "e2"}) s.run(r, std::string("sysctl -qw net.ipv4.conf.") + i + ".rp_filter=0 || true");
        }
        ok = ok && s.sysctl("r1", "net.ipv4.fib_multipath_hash_policy=1") &&
             s.sysctl("r1", "net.ipv6.fib_multipath_hash_policy=1");
        static const std::pair<const char*, const char*> routes[] = {
            {"a", "198.51.100.0/24 via 192.0.2.1"},
            {"a", "203.0.113.0/24 via 192.0.2.1"},
            {"r1", "203.0.113.0/24 nexthop via 198.51.100.2 nexthop via 198.51.100.6"},
            {"r2a", "203.0.113.0/24 via 198.51.100.10"},
            {"r2a", "192.0.2.0/24 via 198.51.100.1"},
            {"r2b", "203.0.113.0/24 via 198.51.100.14"},
            {"r2b", "192.0.2.0/24 via 198.51.100.5"},
            {"r3", "192.0.2.0/24 via 198.51.100.9"},
            {"b", "192.0.2.0/24 via 203.0.113.1"},
            {"a", "2001:db8::/32 via 2001:db8:1::1"},
            {"r1", "2001:db8:2::/64 nexthop via 2001:db8:12a::2 nexthop via 2001:db8:12b::2"},
            {"r2a", "2001:db8:2::/64 via 2001:db8:23a::2"},
            {"r2a", "2001:db8:1::/64 via 2001:db8:12a::1"},
            {"r2b", "2001:db8:2::/64 via 2001:db8:23b::2"},
            {"r2b", "2001:db8:1::/64 via 2001:db8:12b::1"},
            {"r3", "2001:db8:1::/64 via 2001:db8:23a::1"},
            {"b", "2001:db8:1::/64 via 2001:db8:2::1"}};
        for (const auto& [ns, route] : routes) ok = ok && s.run(ns, std::string("ip route add ") + route);
        if (!ok) FAIL() << "namespace setup failed: " << s.failure();
    }
    std::string in_a(const std::string& args) const {
        return set_->exec("a") + std::string(ICMPKIT_BINARY) + " trace " + args;
    }
    // The same, as user nobody (no capabilities: raw sockets are refused, datagram sockets used).
    std::string in_a_unprivileged(const std::string& args) const {
        return set_->exec("a") + "setpriv --reuid=nobody --regid=nogroup --clear-groups " + std::string(ICMPKIT_BINARY) +
               " trace " + args;
    }
    void expect_mda(const std::string& target, const std::set<std::string>& expected) const;
    std::unique_ptr<NetnsSet> set_;
};

std::set<std::string> mda_hops(const nlohmann::json& j) {
    std::set<std::string> hops;
    for (const auto& h : j["hops"])
        for (const auto& i : h["interfaces"])
            hops.insert(std::to_string(h["ttl"].get<int>()) + " " +
                        (i["address"].is_null() ? std::string("*") : i["address"].get<std::string>()));
    return hops;
}

// r2b answers from its interface towards a (the route back), r3 from its route back by r2a.
const std::set<std::string> diamond_v4 = {"1 192.0.2.1", "2 198.51.100.2", "2 198.51.100.6", "3 198.51.100.10",
                                          "4 203.0.113.2"};
// IPv6: r3 answers from the interface the probe arrived on (seen with Linux 6.x), so hop 3 shows
// both branches too.
const std::set<std::string> diamond_v6 = {"1 2001:db8:1::1",   "2 2001:db8:12a::2", "2 2001:db8:12b::2",
                                          "3 2001:db8:23a::2", "3 2001:db8:23b::2", "4 2001:db8:2::2"};

}  // namespace

// `--mda` as root, then as nobody: every interface per hop, two paths, the destination reached.
void MdaNetns::expect_mda(const std::string& target, const std::set<std::string>& expected) const {
    for (bool unprivileged : {false, true}) {
        const std::string args = "--mda --json -n -m 8 " + target;
        const auto r = run_cmd(unprivileged ? in_a_unprivileged(args) : in_a(args), 90);
        ASSERT_EQ(r.rc, 0) << (unprivileged ? "unprivileged: " : "raw: ") << r.out;
        const auto j = nlohmann::json::parse(r.out);
        EXPECT_EQ(mda_hops(j), expected) << r.out;
        EXPECT_EQ(j["paths"], 2) << r.out;
        EXPECT_EQ(j["reached"], true) << r.out;
    }
}

// As root (raw sockets) and as user nobody (issue 5 item 6: one UDP socket per flow, errors from
// their error queues).
TEST_F(MdaNetns, FindsBothBranchesOfTheDiamond) { expect_mda("203.0.113.2", diamond_v4); }

TEST_F(MdaNetns, CyclesShowBothBranchesWithoutLoss) {
    for (bool unprivileged : {false, true}) {
        const std::string args = "--cycles=8 --interval=0.25 -n --json -m 8 203.0.113.2";
        const auto r = run_cmd(unprivileged ? in_a_unprivileged(args) : in_a(args), 60);
        ASSERT_EQ(r.rc, 0) << (unprivileged ? "unprivileged: " : "raw: ") << r.out;
        const auto j = nlohmann::json::parse(r.out);
        const auto& hubs = j["report"]["hubs"];
        ASSERT_EQ(hubs.size(), 4u) << (unprivileged ? "unprivileged: " : "raw: ") << r.out;
        std::set<std::string> second;
        for (const auto& a : hubs[1]["addresses"]) second.insert(a.get<std::string>());
        EXPECT_EQ(second, (std::set<std::string>{"198.51.100.2", "198.51.100.6"})) << r.out;
        EXPECT_EQ(hubs[3]["host"], "203.0.113.2") << r.out;
        EXPECT_EQ(hubs[3]["Snt"], 8) << r.out;
    }
}

// ICMP datagram sockets: refused with advice while ping_group_range excludes nobody's group, then
// one ping socket per flow (the kernel's identifier = the flow's bound port) reaches b.
TEST_F(MdaNetns, UnprivilegedIcmpNeedsPingGroupRange) {
    ASSERT_TRUE(set_->run("a", "sysctl -qw net.ipv4.ping_group_range='1 0'")) << set_->failure();
    const auto refused = run_cmd(in_a_unprivileged("--mda -I -n -m 8 203.0.113.2"), 30, true);
    EXPECT_EQ(refused.rc, 2) << refused.out;
    EXPECT_NE(refused.out.find("ping_group_range"), std::string::npos) << refused.out;
    EXPECT_NE(refused.out.find("--method=udp-paris"), std::string::npos) << refused.out;

    ASSERT_TRUE(set_->run("a", "sysctl -qw net.ipv4.ping_group_range='0 2147483647'")) << set_->failure();
    const auto r6 = run_cmd(in_a_unprivileged("--mda -I --json -n -m 8 2001:db8:2::2"), 90);
    ASSERT_EQ(r6.rc, 0) << r6.out;
    EXPECT_EQ(nlohmann::json::parse(r6.out)["reached"], true) << r6.out;
    const auto r = run_cmd(in_a_unprivileged("--mda -I --json -n -m 8 203.0.113.2"), 90);
    ASSERT_EQ(r.rc, 0) << r.out;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["reached"], true) << r.out;
    // fib_multipath_hash_policy=1 hashes no ICMP identifier (the flow dissector gives ICMP no
    // ports), so r1 may send every flow one way: each hop is one of the diamond's, none missing.
    const auto hops = mda_hops(j);
    std::set<int> ttls;
    for (const auto& h : hops) {
        EXPECT_TRUE(diamond_v4.count(h)) << h << "\n" << r.out;
        ttls.insert(std::stoi(h));
    }
    EXPECT_EQ(ttls, (std::set<int>{1, 2, 3, 4})) << r.out;
}

TEST_F(MdaNetns, MdaFindsBothBranchesInIpv6) { expect_mda("2001:db8:2::2", diamond_v6); }
