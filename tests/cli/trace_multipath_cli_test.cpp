// icmpkit trace --mda / --cycles run as a process over --sim: output, determinism, usage errors.
#include <gtest/gtest.h>

#include "support/cli_run.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace {

using Run = icmpkit::test_support::CliRun;

Run run(const std::string& args) {
    return icmpkit::test_support::run_icmpkit("trace " + args, true);
}

}  // namespace

TEST(TraceMultipathCli, MdaOnTheDiamond) {
    const auto r = run("--mda --sim=diamond -n h1");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find(" 2  198.51.100.2"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("    198.51.100.6"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("2 paths"), std::string::npos) << r.out;
    EXPECT_EQ(run("--mda --sim=diamond -n h1").out, r.out);  // same seed, same run
}

TEST(TraceMultipathCli, DotAndJson) {
    const auto dot = run("--mda --dot --sim=ecmp h1");
    ASSERT_EQ(dot.status, 0);
    EXPECT_EQ(dot.out.rfind("digraph mda {", 0), 0u);
    const auto json = run("--cycles=3 --json --sim=diamond h1");
    ASSERT_EQ(json.status, 0);
    EXPECT_NE(json.out.find("\"schema\":\"icmpkit.trace.cycles/1\""), std::string::npos) << json.out;
}

TEST(TraceMultipathCli, CyclesMarksTheRateLimitedRouter) {
    const auto r = run("--cycles=10 --sim=internet h1");
    ASSERT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("HOST: h0                          Loss%   Snt   Last   Avg  Best  Wrst StDev\n"),
              std::string::npos) << r.out;
    EXPECT_NE(r.out.find("198.51.100.34"), std::string::npos);
    EXPECT_NE(r.out.find("(rl)\n"), std::string::npos) << r.out;
}

TEST(TraceMultipathCli, UsageErrorsExitTwo) {
    for (const char* args : {"--mda --cycles=3 --sim h1", "--mda -U --sim h1", "--dot --cycles=2 --sim h1",
                             "--mda --confidence=100 --sim h1", "--cycles=0 --sim h1", "--mda --sim=nosuch h1",
                             "--mda --sim h9", "--mda --sim", "--mda --dot --json --sim h1"}) {
        const auto r = run(args);
        EXPECT_EQ(r.status, 2) << args << ": " << r.out;
        EXPECT_EQ(r.out.rfind("icmpkit trace: ", 0), 0u) << args << ": " << r.out;
    }
}

// Continuous mode has no end in virtual time (it would spin without printing): refused with
// --sim, one line, exit 2; --report-every likewise, and without --cycles.
TEST(TraceMultipathCli, ContinuousModeNeedsRealTime) {
    const auto r = run("--cycles=0 --sim h1");
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.out, "icmpkit trace: --cycles=0 (continuous) needs real time: give a count with --sim\n");
    for (const char* args : {"--cycles=3 --report-every=1 --sim h1", "--mda --report-every=1 --sim h1",
                             "--cycles=0 --report-every=0 h1", "--cycles=-1 h1"}) {
        const auto e = run(args);
        EXPECT_EQ(e.status, 2) << args << ": " << e.out;
        EXPECT_EQ(e.out.rfind("icmpkit trace: ", 0), 0u) << args << ": " << e.out;
        EXPECT_EQ(std::count(e.out.begin(), e.out.end(), '\n'), 1) << args << ": " << e.out;
    }
}
