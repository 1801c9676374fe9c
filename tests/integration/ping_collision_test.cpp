// Identifier-collision safety (issue 4): raw ICMP sockets see every echo reply on the host, so
// concurrent pings must each keep only their own. 100 concurrent `icmpkit ping -c 3 -i 0.2
// 127.0.0.1` (random identifiers: with 100 of them a shared one happens in ~7% of runs), then 20
// that all use the same identifier (-e), which only the echoed payload timestamp tells apart.
// Every process runs under timeout(1); the whole test is bounded. Needs root (raw sockets).
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "support/netns.hpp"

using namespace icmpkit;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void run_concurrently(int n, const std::string& extra) {
    const std::string dir = "/tmp/icmpkit-collide-" + std::to_string(::getpid());
    struct Cleanup {  // also when an assertion returns early
        std::string dir;
        ~Cleanup() { test_support::sh("rm -rf " + dir); }
    } cleanup{dir};
    ASSERT_TRUE(test_support::sh("rm -rf " + dir + " && mkdir -p " + dir));
    const std::string script = "cd " + dir + " && for i in $(seq 1 " + std::to_string(n) + "); do timeout 20 " +
                               ICMPKIT_BINARY " ping " + extra + " -c 3 -i 0.2 127.0.0.1 >$i.out 2>&1 & done; wait";
    auto r = test_support::run_cmd(script, 60);
    ASSERT_EQ(r.rc, 0) << r.out;
    static const std::regex reply(R"(^64 bytes from 127\.0\.0\.1: icmp_seq=(\d+) ttl=64 time=[0-9.]+ ms$)");
    for (int i = 1; i <= n; ++i) {
        SCOPED_TRACE("process " + std::to_string(i));
        const std::string out = slurp(dir + "/" + std::to_string(i) + ".out");
        std::istringstream lines(out);
        int seen[4] = {0, 0, 0, 0}, replies = 0;
        for (std::string l; std::getline(lines, l);) {
            std::smatch m;
            if (std::regex_match(l, m, reply)) {
                ++replies;
                int seq = std::stoi(m[1]);
                if (seq >= 1 && seq <= 3) ++seen[seq];
            }
        }
        EXPECT_EQ(replies, 3) << out;
        EXPECT_EQ(seen[1], 1) << out;
        EXPECT_EQ(seen[2], 1) << out;
        EXPECT_EQ(seen[3], 1) << out;
        EXPECT_EQ(out.find("DUP"), std::string::npos) << out;
        EXPECT_NE(out.find("3 packets transmitted, 3 received, 0% packet loss"), std::string::npos) << out;
    }
}

TEST(PingCollision, HundredConcurrentPingsKeepTheirOwnReplies) {
    if (!test_support::is_root()) GTEST_SKIP() << "needs root (raw ICMP sockets)";
    run_concurrently(100, "");
}

TEST(PingCollision, SameIdentifierToldApartByPayload) {
    if (!test_support::is_root()) GTEST_SKIP() << "needs root (raw ICMP sockets)";
    run_concurrently(20, "-e 4242");
}

}  // namespace
