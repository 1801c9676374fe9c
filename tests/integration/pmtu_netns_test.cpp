// `icmpkit pmtu` against iputils tracepath on the same namespace chain of Linux routers
// (A - R1 - R2 - R3 - B, link MTUs 1500 / 1400 / 1300 / 1500), v4 and v6; a PMTU black hole made
// with iptables in R1; bad input. Needs root (namespaces): skipped with the reason otherwise.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "support/netns.hpp"

namespace icmpkit::test_support {
namespace {

const std::string bin = ICMPKIT_BINARY;

// tracepath's output with the RTT column blanked ("  0.063ms " -> "<rtt> "): the rest must match.
std::string without_rtts(const std::string& s) {
    return std::regex_replace(s, std::regex(R"( *[0-9]+\.[0-9]{3}ms )"), " <rtt> ");
}

std::unique_ptr<NetnsChain> make_chain(const std::string& tag, std::string* why) {
    return NetnsChain::create({.routers = 3, .link_mtu = {{1, 1400}, {2, 1300}}, .tag = tag}, why);
}

#define CHAIN_OR_SKIP(chain, tag)                        \
    std::string why;                                     \
    auto chain = make_chain(tag, &why);                  \
    if (!chain) {                                        \
        if (!is_root()) GTEST_SKIP() << why;             \
        FAIL() << why;                                   \
    }

TEST(PmtuNetns, SameLinesAsTracepathV4V6) {
    CHAIN_OR_SKIP(chain, "p")
    ASSERT_FALSE(bin.empty());
    for (const std::string& dest : {chain->dest_v4(), chain->dest_v6()}) {
        chain->flush_route_cache();
        auto theirs = run_cmd(chain->in_a("tracepath -n " + dest), 60);
        chain->flush_route_cache();
        auto ours = run_cmd(chain->in_a(bin + " pmtu -n " + dest), 60);
        ASSERT_EQ(theirs.rc, 0) << theirs.out;
        ASSERT_EQ(ours.rc, 0) << ours.out;
        EXPECT_EQ(without_rtts(ours.out), without_rtts(theirs.out)) << "ours:\n" << ours.out << "tracepath:\n" << theirs.out;
        EXPECT_NE(ours.out.find("Resume: pmtu 1300 hops 4 back 4 \n"), std::string::npos) << ours.out;
        for (int k = 1; k <= 3; ++k) {
            const std::string hop = dest == chain->dest_v4() ? chain->hop_v4(k) : chain->hop_v6(k);
            EXPECT_NE(ours.out.find(" " + hop + " "), std::string::npos) << hop << "\n" << ours.out;
        }
        // With the path MTU already learned, both start from it (the kernel's local error says so).
        auto theirs2 = run_cmd(chain->in_a("tracepath -n " + dest), 60);
        auto ours2 = run_cmd(chain->in_a(bin + " pmtu -n " + dest), 60);
        EXPECT_EQ(without_rtts(ours2.out), without_rtts(theirs2.out)) << ours2.out << theirs2.out;
    }
}

TEST(PmtuNetns, OptionsMatchTracepath) {
    CHAIN_OR_SKIP(chain, "o")
    for (const std::string& opts : {std::string("-n -l 1000 -m 2"), std::string("-n -b -p 3000"), std::string("-4 -n -m 1")}) {
        chain->flush_route_cache();
        auto theirs = run_cmd(chain->in_a("tracepath " + opts + " " + chain->dest_v4()), 60);
        chain->flush_route_cache();
        auto ours = run_cmd(chain->in_a(bin + " pmtu " + opts + " " + chain->dest_v4()), 60);
        EXPECT_EQ(without_rtts(ours.out), without_rtts(theirs.out)) << opts << "\nours:\n" << ours.out << "tracepath:\n" << theirs.out;
    }
}

TEST(PmtuNetns, SearchAgreesWithIcmpOnAnHonestChain) {
    CHAIN_OR_SKIP(chain, "s")
    for (const std::string& dest : {chain->dest_v4(), chain->dest_v6()}) {
        chain->flush_route_cache();
        auto ours = run_cmd(chain->in_a(bin + " pmtu --plpmtud --json " + dest), 60);
        ASSERT_EQ(ours.rc, 0) << ours.out;
        EXPECT_NE(ours.out.find("\"event\":\"result\",\"mode\":\"plpmtud\",\"base_confirmed\":true,\"pmtu\":1300,"
                                "\"icmp_pmtu\":1300"),
                  std::string::npos) << ours.out;
        EXPECT_NE(ours.out.find("\"black_hole\":false"), std::string::npos) << ours.out;
    }
}

TEST(PmtuNetns, BlackHoleFoundByTheSearchNotByTracepath) {
    CHAIN_OR_SKIP(chain, "b")
    // R1 drops forwarded datagrams over 1300 bytes silently. Its MTU check comes before the
    // FORWARD hook, so above its own 1400 it still sends Frag Needed / Packet Too Big: ICMP
    // says 1400 while 1301..1400 vanish.
    ASSERT_TRUE(sh(chain->in_router(1, "iptables -A FORWARD -o tob -m length --length 1301:65535 -j DROP")));
    ASSERT_TRUE(sh(chain->in_router(1, "ip6tables -A FORWARD -o tob -m length --length 1301:65535 -j DROP")));
    for (const std::string& dest : {chain->dest_v4(), chain->dest_v6()}) {
        chain->flush_route_cache();
        auto theirs = run_cmd(chain->in_a("tracepath -n -m 2 " + dest), 60);
        EXPECT_NE(theirs.out.find("Resume: pmtu 1400 \n"), std::string::npos) << theirs.out;
        chain->flush_route_cache();
        auto ours = run_cmd(chain->in_a(bin + " pmtu -n -m 2 " + dest), 60);
        EXPECT_EQ(without_rtts(ours.out), without_rtts(theirs.out)) << ours.out << theirs.out;
        chain->flush_route_cache();
        auto search = run_cmd(chain->in_a(bin + " pmtu --plpmtud " + dest), 60);
        ASSERT_EQ(search.rc, 0) << search.out;
        EXPECT_NE(search.out.find("Probing found: pmtu 1300"), std::string::npos) << search.out;
        EXPECT_NE(search.out.find("ICMP says: pmtu 1400"), std::string::npos) << search.out;
        EXPECT_NE(search.out.find("PMTU black hole: 1301-byte"), std::string::npos) << search.out;
        // The truth, independently: ping with DF at 1300 passes, 1301 does not.
        const bool v4 = dest == chain->dest_v4();
        const int hdr = v4 ? 28 : 48;
        EXPECT_TRUE(sh(chain->in_a("ping -c 1 -W 1 -M do -s " + std::to_string(1300 - hdr) + " " + dest)));
        EXPECT_FALSE(sh(chain->in_a("ping -c 1 -W 1 -M do -s " + std::to_string(1301 - hdr) + " " + dest)));
    }
}

TEST(PmtuNetns, BadInputIsOneLineAndExitTwo) {
    if (bin.empty()) GTEST_SKIP() << "no icmpkit binary";
    for (const std::string& args : {std::string("nonexistent.invalid"), std::string("-l 10 192.0.2.1"),
                                    std::string("-l x 192.0.2.1"), std::string("-m 0 192.0.2.1"),
                                    std::string("-m 300 192.0.2.1"), std::string("-p 70000 192.0.2.1"),
                                    std::string("-6 -l 40 ::1"), std::string("--sim=nosuch h1"),
                                    std::string("--sim h9"), std::string("")}) {
        auto r = run_cmd(bin + " pmtu " + args + " 2>&1", 20);
        EXPECT_EQ(r.rc, 2) << args << ": " << r.out;
        EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << args << ": " << r.out;  // one line
        EXPECT_EQ(r.out.rfind("icmpkit pmtu: ", 0), 0u) << args << ": " << r.out;
    }
}

}  // namespace
}  // namespace icmpkit::test_support
