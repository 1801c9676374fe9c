// icmpkit pmtu --sim, run as a process. Expected values come from the built-in topologies'
// descriptions (`icmpkit lab --describe`): "internet" is 12 hops with a silent r9 and a 1400-byte
// tunnel; "blackhole" has MTU 1400 behind r2, which never says so.
#include <gtest/gtest.h>

#include "support/cli_run.hpp"

#include <cstdio>
#include <sstream>
#include <string>

namespace {

using Run = icmpkit::test_support::CliRun;

Run run(const std::string& args) {
    return icmpkit::test_support::run_icmpkit("pmtu " + args, true);
}

TEST(PmtuSimCli, TracepathTextThroughTheInternetTopology) {
    auto r = run("--sim=internet -n h1");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.out.rfind(" 1?: [LOCALHOST]                      pmtu 1500\n", 0), 0u) << r.out;
    EXPECT_NE(r.out.find(" 9:  no reply\n"), std::string::npos) << r.out;  // the silent hop
    EXPECT_NE(r.out.find("ms pmtu 1400\n"), std::string::npos) << r.out;  // the tunnel
    EXPECT_NE(r.out.find("ms reached\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("     Resume: pmtu 1400 hops 12 back 12 \n"), std::string::npos) << r.out;
    EXPECT_EQ(run("--sim=internet -n h1").out, r.out);  // deterministic for a seed
}

TEST(PmtuSimCli, SearchSeesTheBlackHoleTracepathCannot) {
    auto t = run("--sim -n -m 4 h1");
    EXPECT_NE(t.out.find("Resume: pmtu 1500 \n"), std::string::npos) << t.out;
    for (const char* fam : {"-4", "-6"}) {
        auto r = run(std::string("--sim --plpmtud ") + fam + " h1");
        ASSERT_EQ(r.status, 0) << r.out;
        EXPECT_NE(r.out.find("ICMP says: pmtu 1500"), std::string::npos) << r.out;
        EXPECT_NE(r.out.find("Probing found: pmtu 1400"), std::string::npos) << r.out;
        EXPECT_NE(r.out.find("PMTU black hole: 1401-byte"), std::string::npos) << r.out;
    }
}

TEST(PmtuSimCli, JsonIsOneObjectPerLine) {
    for (const char* args : {"--sim --plpmtud --json -6 h1", "--sim=line --json h1"}) {
        auto r = run(args);
        ASSERT_EQ(r.status, 0) << r.out;
        std::istringstream in(r.out);
        std::string line, last;
        int n = 0;
        while (std::getline(in, line)) {
            EXPECT_EQ(line.rfind("{\"schema\":\"icmpkit.pmtu/1\",\"event\":\"", 0), 0u) << line;
            EXPECT_EQ(line.back(), '}') << line;
            last = line;
            ++n;
        }
        EXPECT_GT(n, 2) << args;
        EXPECT_NE(last.find("\"event\":\"result\""), std::string::npos) << last;
    }
    EXPECT_NE(run("--sim --plpmtud --json h1").out.find("\"black_hole\":true"), std::string::npos);
    EXPECT_NE(run("--sim=line --json h1").out.find("\"pmtu\":1500,\"too_many_hops\":false,\"hops\":4,\"back\":4}"),
              std::string::npos);
}

TEST(PmtuSimCli, UsageErrorsExitTwo) {
    for (const char* args : {"--sim nosuchhost", "--sim=nosuchtopology h1", "--sim -l 20 h1", "--sim -m 0 h1",
                             "--sim -x h1", "--sim"}) {
        auto r = run(args);
        EXPECT_EQ(r.status, 2) << args << ": " << r.out;
        EXPECT_EQ(r.out.rfind("icmpkit pmtu: ", 0), 0u) << args << ": " << r.out;
    }
}

}  // namespace
