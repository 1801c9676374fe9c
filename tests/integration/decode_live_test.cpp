// icmpkit decode -i: live capture on the loopback of a network namespace the test creates, while
// iputils ping sends 127.0.0.1 echoes inside it. Needs root (namespaces, packet capture).
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace {

int sh(const std::string& cmd) {
    int st = std::system(cmd.c_str());
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::size_t count(const std::string& s, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
    return n;
}

class DecodeLive : public ::testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespace and live capture)";
        if (sh("command -v ping >/dev/null") != 0) GTEST_SKIP() << "iputils ping not installed";
        ns_ = "icmpkit-live-" + std::to_string(getpid());
        out_ = "/tmp/" + ns_ + ".out";
        ASSERT_EQ(sh("ip netns add " + ns_), 0);
        made_ = true;
        ASSERT_EQ(sh("ip -n " + ns_ + " link set lo up"), 0);
    }
    void TearDown() override {
        if (made_) sh("ip netns del " + ns_ + " 2>/dev/null");
        if (!out_.empty()) std::remove(out_.c_str());
    }
    std::string ns_, out_;
    bool made_ = false;
};

}  // namespace

TEST_F(DecodeLive, CapturesLoopbackEchoRepliesThroughABpfFilter) {
    // decode stops by itself after 2 packets (-c 2); `timeout` bounds it if they never come. The
    // BPF filter keeps echo replies only, so the requests must not appear.
    std::string decode = "timeout 15 ip netns exec " + ns_ + " " + ICMPKIT_BINARY +
                         " decode -i lo -c 2 'icmp[icmptype] == icmp-echoreply' > " + out_ + " 2>&1 &";
    ASSERT_EQ(sh(decode), 0);
    // Wait until the capture is open (libpcap has attached) before sending.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    ASSERT_EQ(sh("ip netns exec " + ns_ + " ping -c 2 -i 0.2 -W 1 127.0.0.1 >/dev/null"), 0);
    for (int i = 0; i < 100 && count(slurp(out_), "\n") < 2; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::string out = slurp(out_);
    EXPECT_EQ(count(out, "IP 127.0.0.1 > 127.0.0.1: ICMP echo reply"), 2u) << out;
    EXPECT_EQ(count(out, "echo request"), 0u) << out;
}
