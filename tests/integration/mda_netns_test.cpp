// `icmpkit trace --mda` and `--cycles` through a diamond of Linux routers in namespaces we create:
//
//   a ─ r1 ─┬─ r2a ─┬─ r3 ─ b        r1: two next hops (ip route ... nexthop via ... nexthop via),
//           └─ r2b ─┘                    net.ipv4.fib_multipath_hash_policy=1 (ports in the hash)
//
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
        ok = ok && s.address("a", "e0", "192.0.2.2/24") && s.address("r1", "e0", "192.0.2.1/24") &&
             s.address("r1", "e1", "198.51.100.1/30") && s.address("r2a", "e0", "198.51.100.2/30") &&
             s.address("r1", "e2", "198.51.100.5/30") && s.address("r2b", "e0", "198.51.100.6/30") &&
             s.address("r2a", "e1", "198.51.100.9/30") && s.address("r3", "e0", "198.51.100.10/30") &&
             s.address("r2b", "e1", "198.51.100.13/30") && s.address("r3", "e1", "198.51.100.14/30") &&
             s.address("r3", "e2", "203.0.113.1/24") && s.address("b", "e0", "203.0.113.2/24");
        for (const char* r : {"r1", "r2a", "r2b", "r3"}) {
            ok = ok && s.sysctl(r, "net.ipv4.ip_forward=1") && s.sysctl(r, "net.ipv4.conf.all.rp_filter=0") &&
                 s.sysctl(r, "net.ipv4.conf.default.rp_filter=0");
            for (const char* i : {"e0", "e1", "e2"}) s.run(r, std::string("sysctl -qw net.ipv4.conf.") + i + ".rp_filter=0 || true");
        }
        ok = ok && s.sysctl("r1", "net.ipv4.fib_multipath_hash_policy=1") &&
             s.run("a", "ip route add 198.51.100.0/24 via 192.0.2.1") &&
             s.run("a", "ip route add 203.0.113.0/24 via 192.0.2.1") &&
             s.run("r1", "ip route add 203.0.113.0/24 nexthop via 198.51.100.2 nexthop via 198.51.100.6") &&
             s.run("r2a", "ip route add 203.0.113.0/24 via 198.51.100.10") &&
             s.run("r2a", "ip route add 192.0.2.0/24 via 198.51.100.1") &&
             s.run("r2b", "ip route add 203.0.113.0/24 via 198.51.100.14") &&
             s.run("r2b", "ip route add 192.0.2.0/24 via 198.51.100.5") &&
             s.run("r3", "ip route add 192.0.2.0/24 via 198.51.100.9") &&
             s.run("b", "ip route add 192.0.2.0/24 via 203.0.113.1");
        if (!ok) FAIL() << "namespace setup failed: " << s.failure();
    }
    std::string in_a(const std::string& args) const {
        return set_->exec("a") + std::string(ICMPKIT_BINARY) + " trace " + args;
    }
    std::unique_ptr<NetnsSet> set_;
};

}  // namespace

TEST_F(MdaNetns, FindsBothBranchesOfTheDiamond) {
    const auto r = run_cmd(in_a("--mda --json -n -m 8 203.0.113.2"), 90);
    ASSERT_EQ(r.rc, 0) << r.out;
    const auto j = nlohmann::json::parse(r.out);
    std::set<std::string> hops;
    for (const auto& h : j["hops"])
        for (const auto& i : h["interfaces"])
            hops.insert(std::to_string(h["ttl"].get<int>()) + " " +
                        (i["address"].is_null() ? std::string("*") : i["address"].get<std::string>()));
    // r2b answers from its interface towards a (the route back), r3 from its route back by r2a.
    const std::set<std::string> expected = {"1 192.0.2.1", "2 198.51.100.2", "2 198.51.100.6", "3 198.51.100.10",
                                            "4 203.0.113.2"};
    EXPECT_EQ(hops, expected) << r.out;
    EXPECT_EQ(j["paths"], 2);
    EXPECT_EQ(j["reached"], true);
}

TEST_F(MdaNetns, CyclesShowBothBranchesWithoutLoss) {
    const auto r = run_cmd(in_a("--cycles=8 --interval=0.25 -n --json -m 8 203.0.113.2"), 60);
    ASSERT_EQ(r.rc, 0) << r.out;
    const auto j = nlohmann::json::parse(r.out);
    const auto& hubs = j["report"]["hubs"];
    ASSERT_EQ(hubs.size(), 4u) << r.out;
    std::set<std::string> second;
    for (const auto& a : hubs[1]["addresses"]) second.insert(a.get<std::string>());
    EXPECT_EQ(second, (std::set<std::string>{"198.51.100.2", "198.51.100.6"})) << r.out;
    EXPECT_EQ(hubs[3]["host"], "203.0.113.2");
    EXPECT_EQ(hubs[3]["Snt"], 8);
}
