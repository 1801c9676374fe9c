// icmpkit trace --sim, run as a process: traceroute 2.1's text for a path whose RTTs are derived by
// hand, -e MPLS labels, the JSON document, and one-line usage errors with exit status 2.
#include <gtest/gtest.h>

#include "support/cli_run.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using Run = icmpkit::test_support::CliRun;

Run run(const std::string& args, bool with_stderr = false) {
    return icmpkit::test_support::run_icmpkit("trace " + args, with_stderr);
}

}  // namespace

// "line": h0 - r1 - r2 - r3 - h1, 1 ms per link, no jitter or loss: hop k answers after 2k ms,
// from its interface towards h0 (r1 192.0.2.1, r2 198.51.100.2, r3 198.51.100.6). Format strings
// are traceroute 2.1's ("%2u ", " %s", "  %.3f ms").
TEST(TraceSimCli, TracerouteTextForTheLine) {
    auto r = run("--sim=line -n 203.0.113.10");
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out,
              "traceroute to 203.0.113.10 (203.0.113.10), 30 hops max, 60 byte packets\n"
              " 1  192.0.2.1  2.000 ms  2.000 ms  2.000 ms\n"
              " 2  198.51.100.2  4.000 ms  4.000 ms  4.000 ms\n"
              " 3  198.51.100.6  6.000 ms  6.000 ms  6.000 ms\n"
              " 4  203.0.113.10  8.000 ms  8.000 ms  8.000 ms\n");
    // Without -n the simulator's node names stand in for reverse DNS: "name (address)".
    auto named = run("--sim=line -q 1 h1");
    EXPECT_NE(named.out.find(" 1  r1 (192.0.2.1)  2.000 ms\n"), std::string::npos) << named.out;
    EXPECT_EQ(named.out.rfind("traceroute to h1 (203.0.113.10), 30 hops max, 60 byte packets\n", 0), 0u);
}

TEST(TraceSimCli, MplsLabelsWithE) {
    auto r = run("--sim -n -e h1");
    EXPECT_EQ(r.status, 0);
    // The topology: "mpls r5 r6 r7 labels 24001" (one label per router, counting up).
    EXPECT_NE(r.out.find(" 5  198.51.100.22 <MPLS:L=24001,E=0,S=1,T=1>  "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" 7  198.51.100.30 <MPLS:L=24003,E=0,S=1,T=1>  "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" 9  * * *\n"), std::string::npos) << r.out;  // silent r9
    EXPECT_EQ(run("--sim -n h1").out.find("MPLS"), std::string::npos);  // only with -e
}

TEST(TraceSimCli, JsonDocument) {
    auto r = run("--sim -n --json -q 2 h1");
    ASSERT_EQ(r.status, 0);
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["schema"], "icmpkit.trace/1");
    EXPECT_EQ(j["type"], "traceroute");
    EXPECT_EQ(j["af"], 4);
    EXPECT_EQ(j["dst_addr"], "203.0.113.10");
    EXPECT_EQ(j["proto"], "UDP");
    EXPECT_EQ(j["destination_reached"], true);
    ASSERT_EQ(j["result"].size(), 12u);
    EXPECT_EQ(j["result"][8]["result"][0]["x"], "*");
    auto mpls = j["result"][4]["result"][0]["icmpext"]["obj"][0];
    EXPECT_EQ(mpls["class"], 1);
    EXPECT_EQ(mpls["mpls"][0]["label"], 24001);
    EXPECT_EQ(j["result"][11]["result"][0]["dst"], true);
}

TEST(TraceSimCli, BadInputOneLineExit2) {
    for (const char* args : {"", "-f 5 -m 3 h1", "-p 0 h1", "-p 70000 h1", "-q 11 h1", "-m 256 h1",
                             "--method=foo h1", "--sim nosuch", "no-such-host.invalid", "--bogus h1",
                             "--sim h1 60 extra"}) {
        auto r = run(args, true);
        EXPECT_EQ(r.status, 2) << args << ": " << r.out;
        EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << args << ": " << r.out;
        EXPECT_EQ(r.out.rfind("icmpkit trace: ", 0), 0u) << args << ": " << r.out;
    }
}

// r8 answers one probe a second ("ratelimit r8 interval=1s burst=1"): by default its two eaten
// probes are stars and the trace does not wait; --ratelimit-wait=3 waits for its tokens.
TEST(TraceSimCli, RatelimitWaitFillsTheRateLimitedHop) {
    auto quick = run("--sim -n h1");
    EXPECT_EQ(quick.status, 0);
    EXPECT_NE(quick.out.find(" 8  198.51.100.34  "), std::string::npos) << quick.out;
    EXPECT_NE(quick.out.find(" ms * *\n 9  * * *\n"), std::string::npos) << quick.out;
    auto patient = run("--sim -n --ratelimit-wait=3 h1");
    EXPECT_EQ(patient.status, 0);
    const auto at = patient.out.find(" 8  198.51.100.34  ");
    ASSERT_NE(at, std::string::npos) << patient.out;
    const std::string line = patient.out.substr(at, patient.out.find('\n', at) - at);
    EXPECT_EQ(line.find('*'), std::string::npos) << line;
    auto bad = run("--sim -n --ratelimit-wait=-1 h1", true);
    EXPECT_EQ(bad.status, 2);
}
