// `icmpkit fping` / `icmpkit ping A B ...` beside fping 5.1 (/usr/bin/fping) on the same scenarios:
// loopback 127.0.0.1-127.0.0.5, and two namespaces A - B where some targets are unreachable
// (192.0.2.0/24 and 2001:db8::/64 on the link; B drops 203.0.113.0/24 and 2001:db8:1::/64
// silently and answers 198.51.100.0/24 with Host Unreachable). Lines are compared with measured
// numbers masked. Needs root (namespaces; both tools then use raw sockets).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace {

struct Run {
    int rc = -1;
    std::string out, err;
};

// Measured numbers ("0.043", "[1795373998.57629]", "0.241 sec") become N; addresses stay.
std::string mask(const std::string& text) {
    std::string out;
    std::string line;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text[i] != '\n') { line += text[i]; continue; }
        if (i == text.size() && line.empty()) break;
        // Walk the line: a decimal not part of a dotted address is replaced.
        std::string m;
        for (std::size_t p = 0; p < line.size();) {
            if (std::isdigit(static_cast<unsigned char>(line[p])) && (p == 0 || (line[p - 1] != '.' && !std::isdigit(static_cast<unsigned char>(line[p - 1]))))) {
                std::size_t q = p, dots = 0;
                while (q < line.size() && (std::isdigit(static_cast<unsigned char>(line[q])) || line[q] == '.')) dots += line[q++] == '.';
                if (dots == 1 && line[q - 1] != '.') {
                    while (!m.empty() && m.back() == ' ') m.pop_back();  // right-aligned widths
                    m += " N";
                } else {
                    m += line.substr(p, q - p);
                }
                p = q;
            } else {
                m += line[p++];
            }
        }
        out += m + "\n";
        line.clear();
    }
    return out;
}

std::string slurp(const std::string& path) {
    std::ifstream f(path);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

Run run(const std::string& cmd) {
    static int n = 0;
    const std::string base = "/tmp/icmpkit-fping-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
    const std::string full = "timeout 30 " + cmd + " >" + base + ".out 2>" + base + ".err";
    Run r;
    int st = std::system(full.c_str());
    r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = mask(slurp(base + ".out"));
    r.err = mask(slurp(base + ".err"));
    std::remove((base + ".out").c_str());
    std::remove((base + ".err").c_str());
    return r;
}

void compare(const std::string& ns, const std::string& args, int expected_rc, const char* sub = "fping") {
    const std::string pre = ns.empty() ? "" : "ip netns exec " + ns + " ";
    Run theirs = run(pre + "/usr/bin/fping " + args);
    Run ours = run(pre + ICMPKIT_BINARY " " + sub + " " + args);
    EXPECT_EQ(theirs.rc, expected_rc) << "fping " << args << "\n" << theirs.out << theirs.err;
    EXPECT_EQ(ours.rc, theirs.rc) << args;
    EXPECT_EQ(ours.out, theirs.out) << args;
    EXPECT_EQ(ours.err, theirs.err) << args;
}

bool sh(const std::string& c) { return std::system((c + " >/dev/null 2>&1").c_str()) == 0; }

bool have_fping() { return ::access("/usr/bin/fping", X_OK) == 0; }

class FpingLoopback : public ::testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (raw ICMP sockets for both tools)";
        if (!have_fping()) GTEST_SKIP() << "no /usr/bin/fping";
    }
};

const std::string five = "127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5";

TEST_F(FpingLoopback, DefaultAliveList) { compare("", five, 0); }
TEST_F(FpingLoopback, PingSubcommandSwitchesToMultiTarget) { compare("", five, 0, "ping"); }
TEST_F(FpingLoopback, CountMode) { compare("", "-c 3 -p 50 " + five, 0); }
TEST_F(FpingLoopback, CountModeViaPing) { compare("", "-c 2 -p 50 " + five, 0, "ping"); }
TEST_F(FpingLoopback, Vectors) { compare("", "-C 3 -p 50 " + five, 0); }
TEST_F(FpingLoopback, QuietCount) { compare("", "-q -c 2 -p 50 " + five, 0); }
TEST_F(FpingLoopback, StatsBlock) { compare("", "-s -c 1 " + five, 0); }
TEST_F(FpingLoopback, ElapsedAndAlive) { compare("", "-a -e " + five, 0); }
TEST_F(FpingLoopback, GenerateCidr) { compare("", "-g 127.0.0.0/29", 0); }
TEST_F(FpingLoopback, GenerateRange) { compare("", "-a -g 127.0.0.1 127.0.0.5", 0); }
TEST_F(FpingLoopback, Timestamps) { compare("", "-D -c 2 -p 50 " + five, 0); }
TEST_F(FpingLoopback, Quorum) { compare("", "-x 3 " + five, 0); }
TEST_F(FpingLoopback, MixedFamilies) { compare("", "-c 2 -p 50 127.0.0.1 ::1 127.0.0.2", 0); }
TEST_F(FpingLoopback, TargetFile) {
    const std::string path = "/tmp/icmpkit-fping-targets-" + std::to_string(::getpid());
    std::ofstream(path) << "# loopback\n127.0.0.1\n\n  127.0.0.2 trailing\n127.0.0.3\n";
    compare("", "-f " + path, 0);
    compare("", "-c 1 -f " + path, 0, "ping");
    std::remove(path.c_str());
}

class FpingNamespaces : public ::testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
        if (!have_fping()) GTEST_SKIP() << "no /usr/bin/fping";
        const std::string id = std::to_string(::getpid());
        a_ = "ikfpa" + id;
        b_ = "ikfpb" + id;
        ASSERT_TRUE(sh("ip netns add " + a_));
        ASSERT_TRUE(sh("ip netns add " + b_));
        const char* cmds[] = {
            "ip -n A link set lo up", "ip -n B link set lo up",
            "ip -n A link add a0 type veth peer name b0 netns B",
            "ip -n A addr add 192.0.2.1/24 dev a0", "ip -n A addr add 2001:db8::1/64 dev a0 nodad",
            "ip -n B addr add 192.0.2.2/24 dev b0", "ip -n B addr add 2001:db8::2/64 dev b0 nodad",
            "ip -n A link set a0 up", "ip -n B link set b0 up",
            "ip -n A route add 203.0.113.0/24 via 192.0.2.2", "ip -n A route add 198.51.100.0/24 via 192.0.2.2",
            "ip -n A -6 route add 2001:db8:1::/64 via 2001:db8::2",
            "ip netns exec B sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1",
            "ip netns exec B sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0",
            "ip -n B route add blackhole 203.0.113.0/24", "ip -n B route add unreachable 198.51.100.0/24",
            "ip -n B -6 route add blackhole 2001:db8:1::/64",
        };
        for (std::string c : cmds) {
            c = std::regex_replace(c, std::regex(" A "), " " + a_ + " ");
            c = std::regex_replace(c, std::regex(" B( |$)"), " " + b_ + "$1");
            c = std::regex_replace(c, std::regex("netns B$"), "netns " + b_);
            ASSERT_TRUE(sh(c)) << c;
        }
        // Neighbour discovery done before the first comparison.
        sh("ip netns exec " + a_ + " ping -c 1 -W 2 192.0.2.2");
        sh("ip netns exec " + a_ + " ping -c 1 -W 2 2001:db8::2");
    }
    void TearDown() override {
        if (!a_.empty()) sh("ip netns del " + a_);
        if (!b_.empty()) sh("ip netns del " + b_);
    }
    std::string a_, b_;
};

const std::string mixed = "192.0.2.2 203.0.113.5 198.51.100.7 2001:db8::2 2001:db8:1::5";

TEST_F(FpingNamespaces, DefaultListsAliveAndUnreachable) { compare(a_, "-t 100 -r 1 " + mixed, 1); }
TEST_F(FpingNamespaces, UnreachableOnly) { compare(a_, "-u -t 100 -r 0 " + mixed, 1); }
TEST_F(FpingNamespaces, AliveOnly) { compare(a_, "-a -t 100 -r 0 " + mixed, 1); }
TEST_F(FpingNamespaces, CountModeWithTimeouts) { compare(a_, "-c 2 -p 100 " + mixed, 1); }
TEST_F(FpingNamespaces, VectorsWithTimeouts) { compare(a_, "-C 2 -p 100 " + mixed, 1); }
TEST_F(FpingNamespaces, StatsWithTimeouts) { compare(a_, "-s -t 100 -r 1 " + mixed, 1); }
TEST_F(FpingNamespaces, QuorumMet) { compare(a_, "-x 2 -t 100 -r 0 " + mixed, 0); }
TEST_F(FpingNamespaces, QuorumMissed) { compare(a_, "-x 3 -t 100 -r 0 " + mixed, 1); }
TEST_F(FpingNamespaces, ViaPingSubcommand) { compare(a_, "-c 1 -p 100 " + mixed, 1, "ping"); }

}  // namespace
