// icmpkit ping --sim, run as a process: iputils' text, determinism for a seed, usage errors.
#include <gtest/gtest.h>

#include "support/cli_run.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace {

using Run = icmpkit::test_support::CliRun;

Run run(const std::string& args, bool with_stderr = false) {
    return icmpkit::test_support::run_icmpkit("ping " + args, with_stderr);
}

std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
}

std::size_t lines(const std::string& s) { return count(s, "\n"); }

}  // namespace

// The built-in "line": h0 - r1 - r2 - r3 - h1, 1 ms per link, no loss or jitter: RTT 8 ms.
TEST(PingSimCli, IputilsTextAndVirtualRtt) {
    auto r = run("--sim=line -c 3 203.0.113.10");
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out.rfind("PING 203.0.113.10 (203.0.113.10) 56(84) bytes of data.\n", 0), 0u) << r.out;
    EXPECT_EQ(count(r.out, "64 bytes from 203.0.113.10: icmp_seq="), 3u) << r.out;
    EXPECT_NE(r.out.find("icmp_seq=3 ttl=61 time=8.00 ms\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\n--- 203.0.113.10 ping statistics ---\n"
                         "3 packets transmitted, 3 received, 0% packet loss, time 2000ms\n"
                         "rtt min/avg/max/mdev = 8.000/8.000/8.000/0.000 ms\n"),
              std::string::npos) << r.out;
    EXPECT_EQ(lines(r.out), 1u + 3u + 1u + 3u);  // header, replies, blank, summary
}

TEST(PingSimCli, HostNamesOfTheTopology) {
    auto r = run("--sim=line -c 1 h1");
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out.rfind("PING h1 (203.0.113.10) 56(84) bytes of data.\n", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("64 bytes from h1 (203.0.113.10): icmp_seq=1 ttl=61 time=8.00 ms"), std::string::npos) << r.out;
}

TEST(PingSimCli, DefaultInternetIsDeterministicAndFast) {
    auto t0 = std::chrono::steady_clock::now();
    auto a = run("--sim -c 30 --seed 5 203.0.113.10");
    auto wall = std::chrono::steady_clock::now() - t0;
    auto b = run("--sim -c 30 --seed 5 203.0.113.10");
    EXPECT_EQ(a.out, b.out);
    EXPECT_EQ(a.status, b.status);
    EXPECT_NE(a.out.find("30 packets transmitted, "), std::string::npos) << a.out;
    EXPECT_NE(a.out.find("time 29"), std::string::npos) << a.out;  // 29 s of virtual time
    EXPECT_LT(wall, std::chrono::seconds(5));  // virtual time: no sleeping (generous for sanitizers)
}

TEST(PingSimCli, TimeExceededFromTheFourthHop) {
    auto r = run("--sim -c 3 -t 4 --seed 3 203.0.113.10");
    EXPECT_EQ(r.status, 1);
    // The 4th hop of internet is r4 (lab --describe), reached through r3a or r3b.
    EXPECT_EQ(count(r.out, " Time to live exceeded\n"), 3u) << r.out;
    EXPECT_TRUE(r.out.find("From 198.51.100.14 icmp_seq=1 ") != std::string::npos ||
                r.out.find("From 198.51.100.18 icmp_seq=1 ") != std::string::npos) << r.out;
    EXPECT_NE(r.out.find("+3 errors"), std::string::npos) << r.out;
}

TEST(PingSimCli, JsonAndQuiet) {
    auto q = run("--sim=line -q -c 2 203.0.113.10");
    EXPECT_EQ(q.status, 0);
    EXPECT_EQ(count(q.out, "bytes from"), 0u);
    EXPECT_NE(q.out.find("2 packets transmitted, 2 received"), std::string::npos) << q.out;
    auto j = run("--sim=line --json -c 2 203.0.113.10");
    EXPECT_EQ(j.status, 0);
    EXPECT_EQ(j.out.front(), '{') << j.out;
}

TEST(PingSimCli, UsageErrors) {
    for (const char* args : {"--sim 192.0.2.99", "--sim nosuchhost", "--sim=nosuchtopology 203.0.113.10",
                             "--sim -f 203.0.113.10", "--sim -A 203.0.113.10", "--sim -I eth0 203.0.113.10"}) {
        auto r = run(args, true);
        EXPECT_EQ(r.status, 2) << args;
        EXPECT_EQ(lines(r.out), 1u) << args << ": " << r.out;
    }
    EXPECT_EQ(run("--seed 1 203.0.113.10").status, 2);  // --seed needs --sim
}
