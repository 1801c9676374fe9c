// icmpkit fping / icmpkit ping A B, run as processes against the virtual network (--sim): fping
// 5.1's text, exit codes and usage errors. RTTs are those of the built-in "line" topology
// (h0 - r1 - r2 - r3 - h1, 1 ms per link): 8 ms to h1, 2 ms to r1.
#include <gtest/gtest.h>

#include "support/cli_run.hpp"

#include <cstdio>
#include <string>

namespace {

using Run = icmpkit::test_support::CliRun;

Run run(const std::string& sub, const std::string& args, bool with_stderr = true) {
    return icmpkit::test_support::run_icmpkit(sub + " " + args, with_stderr);
}

bool has(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

}  // namespace

TEST(FpingCli, DefaultModeAliveAndUnreachable) {
    auto r = run("fping", "--sim=line -r 0 203.0.113.10 r1 203.0.113.99", false);
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.out, "203.0.113.10 is alive\nr1 is alive\n203.0.113.99 is unreachable\n");
}

TEST(FpingCli, CountModeLinesAndSummary) {
    auto r = run("fping", "--sim=line -c 2 -p 100 203.0.113.10 r1");
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out,
              "203.0.113.10 : [0], 64 bytes, 8.00 ms (8.00 avg, 0% loss)\n"
              "r1           : [0], 64 bytes, 2.00 ms (2.00 avg, 0% loss)\n"
              "203.0.113.10 : [1], 64 bytes, 8.00 ms (8.00 avg, 0% loss)\n"
              "r1           : [1], 64 bytes, 2.00 ms (2.00 avg, 0% loss)\n"
              "\n"
              "203.0.113.10 : xmt/rcv/%loss = 2/2/0%, min/avg/max = 8.00/8.00/8.00\n"
              "r1           : xmt/rcv/%loss = 2/2/0%, min/avg/max = 2.00/2.00/2.00\n");
}

TEST(FpingCli, PingWithTwoTargetsIsMultiTarget) {
    auto r = run("ping", "--sim=line -C 2 -p 100 -q 203.0.113.10 r1");
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out, "203.0.113.10 : 8.00 8.00\nr1           : 2.00 2.00\n");
}

// Option values of iputils options are not targets: these stay single-target iputils pings.
TEST(FpingCli, PingOptionValuesAreNotTargets) {
    auto r = run("ping", "--sim=line -S 4096 -c 1 203.0.113.10");
    EXPECT_TRUE(has(r.out, "PING 203.0.113.10 (203.0.113.10) 56(84) bytes of data.\n")) << r.out;
    // The single-target parser's own refusal (the multi-target one would take the hop as a target).
    auto t = run("ping", "--sim=line -T tsprespec 198.51.100.1 -c 1 203.0.113.10");
    EXPECT_EQ(t.out, "icmpkit ping: usage error: -T is not supported with --sim\n");
}

TEST(FpingCli, QuorumExit) {
    EXPECT_EQ(run("fping", "--sim=line -r 0 -x 1 203.0.113.10 203.0.113.99", false).out,
              "Enough hosts reachable (required: 1, reachable: 1)\n");
    auto r = run("fping", "--sim=line -r 0 -x 2 203.0.113.10 203.0.113.99", false);
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.out, "Not enough hosts reachable (required: 2, reachable: 1)\n");
}

TEST(FpingCli, StatsBlock) {
    auto r = run("fping", "--sim=line -s -r 0 203.0.113.10 203.0.113.99");
    EXPECT_TRUE(has(r.out, "\n       2 targets\n       1 alive\n       1 unreachable\n       0 unknown addresses\n\n"
                           "       1 timeouts (waiting for response)\n       2 ICMP Echos sent\n"
                           "       1 ICMP Echo Replies received\n       0 other ICMP received\n\n"
                           " 8.00 ms (min round trip time)\n 8.00 ms (avg round trip time)\n"
                           " 8.00 ms (max round trip time)\n")) << r.out;
}

TEST(FpingCli, Json) {
    auto r = run("fping", "--sim=line --json -c 1 203.0.113.10", false);
    EXPECT_EQ(r.status, 0);
    EXPECT_TRUE(has(r.out, "{\"schema\":\"icmpkit.fping/1\",\"event\":\"start\",\"targets\":1,")) << r.out;
    EXPECT_TRUE(has(r.out, "\"event\":\"reply\",")) << r.out;
    EXPECT_TRUE(has(r.out, "\"rtt_ms\":8.000,")) << r.out;
    EXPECT_TRUE(has(r.out, "\"event\":\"target\",\"target\":\"203.0.113.10\",\"address\":\"203.0.113.10\",\"alive\":true,\"xmt\":1,\"rcv\":1,")) << r.out;
    EXPECT_TRUE(has(r.out, "\"event\":\"summary\",\"targets\":1,\"alive\":1,")) << r.out;
}

TEST(FpingCli, GenerateInSim) {
    auto r = run("fping", "--sim=line -a -r 0 -g 198.51.100.0/29", false);
    EXPECT_EQ(r.out, "198.51.100.1\n198.51.100.2\n198.51.100.5\n198.51.100.6\n");
}

TEST(FpingCli, UsageErrorsAsFping) {
    auto b = run("fping", "-B 9 127.0.0.1");
    EXPECT_EQ(b.status, 1);
    EXPECT_EQ(b.out, "icmpkit fping: backoff factor 9.0 not valid, must be between 1.0 and 5.0\n");
    // Refused while parsing; --sim as well, so that not even a regression could send a packet.
    auto g = run("fping", "--sim=line -g 10.0.0.0/8");
    EXPECT_EQ(g.status, 1);
    EXPECT_EQ(g.out, "icmpkit fping: -g parameter generates too many addresses\n");
    EXPECT_EQ(run("fping", "-c 0 127.0.0.1").status, 1);
    auto e = run("fping", "--sim=line -g 198.51.100.9 198.51.100.1");  // fping: an empty range
    EXPECT_EQ(e.status, 1);
    EXPECT_EQ(e.out, "");
    EXPECT_EQ(run("fping", "--sim=line -q nosuch").status, 2);
    auto u = run("fping", "--sim=line nosuch 203.0.113.10");
    EXPECT_EQ(u.status, 2);
    EXPECT_TRUE(has(u.out, "nosuch: not an address or host of topology line\n")) << u.out;
}
