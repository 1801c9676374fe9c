// The namespace chain fixture itself (tests/support/netns.hpp): the kernel forwards along it, the
// hop addresses are the ones traceroute sees, link MTUs apply, and the namespaces go away.
#include <gtest/gtest.h>

#include <string>

#include "support/netns.hpp"

namespace icmpkit::test_support {
namespace {

TEST(NetnsChain, ForwardsAndTracesV4V6) {
    std::string why;
    auto chain = NetnsChain::create({.routers = 3, .link_mtu = {{2, 1400}}, .tag = "f"}, &why);
    if (!chain) {
        if (!is_root()) GTEST_SKIP() << why;
        FAIL() << why;
    }
    // Rn has no default route: other networks are unreachable there (first: see netns.hpp).
    auto u = run_cmd(chain->in_a("ping -c 1 -W 2 203.0.113.250"), 10);
    EXPECT_NE(u.out.find("From " + chain->hop_v4(3) + " icmp_seq=1 Destination Net Unreachable"), std::string::npos)
        << u.out;
    EXPECT_TRUE(sh(chain->in_a("ping -c 1 -W 2 " + chain->dest_v4())));
    EXPECT_TRUE(sh(chain->in_a("ping -c 1 -W 1 " + chain->dest_v6())));  // no DAD delay
    EXPECT_TRUE(sh(chain->in_b("ping -c 1 -W 2 " + chain->source_v4())));
    auto t = run_cmd(chain->in_a("traceroute -n -q 1 -w 1 " + chain->dest_v4()), 30);
    ASSERT_EQ(t.rc, 0) << t.out;
    for (int k = 1; k <= 3; ++k) EXPECT_NE(t.out.find(" " + chain->hop_v4(k) + " "), std::string::npos) << t.out;
    auto t6 = run_cmd(chain->in_a("traceroute -6 -n -q 1 -w 1 " + chain->dest_v6()), 30);
    ASSERT_EQ(t6.rc, 0) << t6.out;
    for (int k = 1; k <= 3; ++k) EXPECT_NE(t6.out.find(" " + chain->hop_v6(k) + " "), std::string::npos) << t6.out;
    // Link 2 (R2–R3) has MTU 1400: a DF datagram of 1401 bytes cannot pass.
    EXPECT_FALSE(sh(chain->in_a("ping -c 1 -W 2 -M do -s 1373 " + chain->dest_v4())));
    EXPECT_TRUE(sh(chain->in_a("ping -c 1 -W 2 -M do -s 1372 " + chain->dest_v4())));
    std::string a = chain->a();
    chain.reset();
    EXPECT_EQ(run_cmd("ip netns list").out.find(a), std::string::npos);
}

#ifdef ICMPKIT_NETNS_CHAIN_BINARY
// The command-line wrapper benchmark scripts use: the environment names the chain, the
// command's exit status comes back, a silent router answers nothing, and nothing is left behind.
TEST(NetnsChain, Tool) {
    if (!is_root()) GTEST_SKIP() << "needs root (network namespaces)";
    auto r = run_cmd(std::string(ICMPKIT_NETNS_CHAIN_BINARY) + " --routers 2 --silent 1 -- sh -c "
                     "'echo $CHAIN_A $CHAIN_HOPS_V4; ip netns exec $CHAIN_A traceroute -n -q 1 -w 1 -m 3 $CHAIN_DEST_V4; exit 7'",
                     60, true);
    EXPECT_EQ(r.rc, 7) << r.out;
    auto first = r.out.substr(0, r.out.find(' '));
    ASSERT_FALSE(first.empty());
    EXPECT_NE(r.out.find(" 192.0.2.1 203.0.113.2\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" 1  *"), std::string::npos) << r.out;               // router 1 is silent
    EXPECT_NE(r.out.find(" 2  203.0.113.2 "), std::string::npos) << r.out;   // router 2 answers
    EXPECT_EQ(run_cmd("ip netns list").out.find(first), std::string::npos);
}
#endif

}  // namespace
}  // namespace icmpkit::test_support
