// Real kernel tools against `icmpkit lab`: iputils ping (v4/v6, latency), traceroute (hop list
// as sim::compute_path computes it, !X at the firewall, MPLS labels with -e), tracepath (the
// tunnel's PMTU), mtr (a lossy link), malformed datagrams, pcap output and teardown.
#include <optional>
#include <regex>
#include <set>

#include "icmpkit/capture/reader.hpp"
#include "icmpkit/sim/path.hpp"
#include "icmpkit/sim/topology.hpp"
#include "lab_support.hpp"

namespace {

using namespace icmpkit;
using LabTools = lab_test::LabFixture;

sim::Topology builtin(const char* name) {
    const auto* b = sim::find_builtin(name);
    EXPECT_NE(b, nullptr) << name;
    auto t = sim::parse_topology(b ? b->text : "", name);
    EXPECT_TRUE(t.has_value());
    return t ? std::move(*t) : sim::Topology{};
}

// One-way latency of every link on the path entry -> h1 in the internet topology (min, no jitter).
double min_rtt_ms_internet() {
    // h0-r1 2, r1-r2 5, r2-r3x 1, r3x-r4 1, r4-r5 1, r5-r6 1, r6-r7 20, r7-r8 1, r8-r9 1, r9-r10 1,
    // r10-r11 8, r11-h1 1 (src/sim/builtin.cpp): 43 ms each way.
    return 2 * 43.0;
}

double min_rtt(const std::string& ping_out) {
    std::smatch m;
    static const std::regex re(R"(rtt min/avg/max/mdev = ([0-9.]+)/)");
    if (!std::regex_search(ping_out, m, re)) return -1;
    return std::stod(m[1]);
}

TEST_F(LabTools, PingV4AndV6GetRepliesWithTheConfiguredLatency) {
    ASSERT_NO_FATAL_FAILURE(start("internet"));
    for (const char* dst : {"203.0.113.10", "2001:db8:2::10"}) {
        auto r = in_ns(std::string("ping -n -c 3 -i 0.2 -w 5 ") + dst, 10);
        EXPECT_EQ(r.rc, 0) << r.out;
        EXPECT_NE(r.out.find(std::string("bytes from ") + dst), std::string::npos) << r.out;
        EXPECT_GE(min_rtt(r.out), min_rtt_ms_internet()) << r.out;
        EXPECT_LT(min_rtt(r.out), min_rtt_ms_internet() + 60) << r.out;  // real time, not stalled
    }
    EXPECT_EQ(stop(), 0) << log();
    EXPECT_NE(log().find("icmp type 0 code 0"), std::string::npos) << log();    // echo replies
    EXPECT_NE(log().find("icmpv6 type 129 code 0"), std::string::npos) << log();
    EXPECT_EQ(lab_test::run("ip netns list").out.find(ns_), std::string::npos) << "namespace left behind";
}

struct TraceLine {
    int ttl = 0;
    std::string address;  // "*" when no answer
    std::string rest;
};

std::vector<TraceLine> trace_lines(const std::string& out) {
    std::vector<TraceLine> v;
    std::istringstream in(out);
    static const std::regex re(R"(^\s*([0-9]+)\s+(\S+)(.*)$)");
    for (std::string l; std::getline(in, l);) {
        std::smatch m;
        if (std::regex_match(l, m, re)) v.push_back({std::stoi(m[1]), m[2], m[3]});
    }
    return v;
}

// One hop of a trace as `icmpkit lab --describe` prints it.
struct DescribedHop {
    std::set<std::string> addresses;  // ECMP alternatives; "*" for a silent hop
    std::optional<std::pair<int, int>> reject_udp;  // "filter: reject udp dport A-B"
    bool destination = false;
};

// The hop list of "trace ... -> ... DST" in `icmpkit lab --describe TOPOLOGY`.
std::vector<DescribedHop> describe_trace(const std::string& topology, const std::string& dst) {
    auto r = lab_test::run(std::string(ICMPKIT_BINARY) + " lab --describe " + topology, 10);
    EXPECT_EQ(r.rc, 0) << r.out;
    std::vector<DescribedHop> hops;
    std::istringstream in(r.out);
    bool inside = false;
    static const std::regex hop_re(R"(^\s+[0-9]+\s+(\S+) .*$)"), alt_re(R"(^\s+\|\s+(\S+) .*$)"),
        reject_re(R"(reject udp dport ([0-9]+)-([0-9]+))");
    for (std::string l; std::getline(in, l);) {
        if (l.rfind("trace ", 0) == 0) {
            inside = l.find(" " + dst + " ") != std::string::npos;
            continue;
        }
        if (!inside) continue;
        if (l.empty()) break;
        std::smatch m;
        if (std::regex_match(l, m, hop_re)) {
            hops.emplace_back();
            hops.back().addresses.insert(m[1]);
        } else if (std::regex_match(l, m, alt_re) && !hops.empty()) {
            hops.back().addresses.insert(m[1]);
        }
        if (!hops.empty() && std::regex_search(l, m, reject_re))
            hops.back().reject_udp = std::pair{std::stoi(m[1]), std::stoi(m[2])};
        if (!hops.empty() && l.find(" destination") != std::string::npos) hops.back().destination = true;
    }
    return hops;
}

// What traceroute -q 1 must print for each TTL, from the described hops: the hop itself, or "!X"
// from a router on the way whose filter rejects the probe's port.
struct Expected {
    std::set<std::string> addresses;
    bool rejected = false;
};

std::vector<Expected> expected_trace(const std::vector<DescribedHop>& hops) {
    std::vector<Expected> out;
    for (std::size_t t = 1; t <= hops.size(); ++t) {
        int dport = static_cast<int>(33434 + t - 1);  // traceroute -q 1: one port per probe
        Expected e;
        for (std::size_t h = 0; h + 1 < t && !e.rejected; ++h)  // routers that forward the probe
            if (const auto& r = hops[h].reject_udp; r && dport >= r->first && dport <= r->second) {
                e.rejected = true;
                e.addresses = hops[h].addresses;
            }
        if (!e.rejected) e.addresses = hops[t - 1].addresses;
        out.push_back(e);
        if (e.rejected || hops[t - 1].destination) break;
    }
    return out;
}

// Returns how many hops showed "*" where an answer was due: only link loss may explain those.
int expect_trace_matches(const std::string& out, const std::vector<Expected>& want) {
    auto got = trace_lines(out);
    EXPECT_EQ(got.size(), want.size()) << out;
    int unexplained = 0;
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
        EXPECT_EQ(got[i].ttl, static_cast<int>(i + 1));
        if (got[i].address == "*" && !want[i].addresses.count("*")) {
            ++unexplained;
            continue;
        }
        EXPECT_TRUE(want[i].addresses.count(got[i].address)) << "hop " << i + 1 << ": " << got[i].address << "\n" << out;
        EXPECT_EQ(got[i].rest.find("!X") != std::string::npos, want[i].rejected) << "hop " << i + 1 << "\n" << out;
    }
    return unexplained;
}

std::uint64_t lost_on_links(const std::string& log) {
    std::smatch m;
    if (!std::regex_search(log, m, std::regex(R"(lost on links: ([0-9]+))"))) return 0;
    return std::stoull(m[1]);
}

TEST_F(LabTools, TracerouteShowsTheComputedHopsAndTheFirewall) {
    auto topo = builtin("internet");
    ASSERT_NO_FATAL_FAILURE(start("internet"));
    int stars = 0;
    for (const char* dst : {"203.0.113.10", "2001:db8:2::10"}) {
        auto described = describe_trace("internet", dst);
        ASSERT_EQ(described.size(), sim::compute_path(topo, *core::IpAddress::parse(dst)).hops.size());
        auto want = expected_trace(described);
        ASSERT_FALSE(want.empty());
        EXPECT_TRUE(want.back().rejected) << "the internet topology's firewall should stop a default trace";
        auto r = in_ns(std::string("traceroute -n -q 1 -w 1 -m 20 ") + dst, 30);
        stars += expect_trace_matches(r.out, want);
    }
    EXPECT_EQ(stop(), 0) << log();
    EXPECT_LE(stars, 1) << "the 1% lossy access link explains one lost probe, hardly more";
    EXPECT_LE(static_cast<std::uint64_t>(stars), lost_on_links(log())) << log();
}

TEST_F(LabTools, TracerouteMatchesDescribeOnTheLineAndDiamondTopologies) {
    for (const char* topology : {"line", "diamond"}) {
        SCOPED_TRACE(topology);
        ASSERT_NO_FATAL_FAILURE(start(topology));
        for (const char* dst : {"203.0.113.10", "2001:db8:2::10"}) {
            auto want = expected_trace(describe_trace(topology, dst));
            ASSERT_FALSE(want.empty());
            EXPECT_FALSE(want.back().rejected);
            // -m: no probes beyond the destination. traceroute sends up to 16 probes at once;
            // every one with a TTL past the destination reaches h1, whose port-unreachable rate
            // limit (Linux's: a burst of 6 per peer) may then drop the answer to the TTL that
            // matters when the other ECMP branch delivers later probes first.
            auto r = in_ns("traceroute -n -q 1 -w 1 -m " + std::to_string(want.size()) + " " + dst, 30);
            EXPECT_EQ(expect_trace_matches(r.out, want), 0);  // no lossy links here
        }
        EXPECT_EQ(stop(), 0) << log();
    }
}

TEST_F(LabTools, TracerouteDashEShowsMplsLabels) {
    auto topo = builtin("internet");
    ASSERT_NO_FATAL_FAILURE(start("internet"));
    auto path = sim::compute_path(topo, *core::IpAddress::parse("203.0.113.10"));
    auto r = in_ns("traceroute -n -e -q 1 -w 1 -m 20 203.0.113.10", 30);
    auto lines = trace_lines(r.out);
    int labelled = 0;
    for (const auto& hop : path.hops) {
        const auto& a = hop.alternatives.front();
        if (a.mpls_labels.empty() || hop.ttl > lines.size()) continue;
        const auto& l = lines[hop.ttl - 1];
        EXPECT_NE(l.rest.find("<MPLS:L=" + std::to_string(a.mpls_labels.front())), std::string::npos) << r.out;
        ++labelled;
    }
    EXPECT_EQ(labelled, 3) << r.out;  // r5, r6, r7
}

TEST_F(LabTools, TracepathReportsTheTunnelPmtu) {
    auto topo = builtin("internet");
    auto path = sim::compute_path(topo, *core::IpAddress::parse("203.0.113.10"));
    ASSERT_EQ(path.path_mtu, 1400u);
    ASSERT_NO_FATAL_FAILURE(start("internet"));
    auto r = in_ns("tracepath -n -m 20 203.0.113.10", 40);
    EXPECT_NE(r.out.find("pmtu 1400"), std::string::npos) << r.out;
}

constexpr const char* lossy_topology = R"(
description h0 - r1 - r2 - h1 with a 30% lossy link r1-r2.
node h0 host
node r1 router
node r2 router
node h1 host
entry h0
addr h0 eth0 192.0.2.10/24
addr r1 eth0 192.0.2.1/24
addr r1 eth1 198.51.100.1/30
addr r2 eth0 198.51.100.2/30
addr r2 eth1 203.0.113.1/24
addr h1 eth0 203.0.113.10/24
link h0:eth0 r1:eth0 latency=1ms
link r1:eth1 r2:eth0 latency=1ms loss=30%
link r2:eth1 h1:eth0 latency=1ms
route h0 default via 192.0.2.1
route r1 default via 198.51.100.2
route r2 192.0.2.0/24 via 198.51.100.1
route h1 default via 203.0.113.1
ratelimit r1 off
ratelimit r2 off
ratelimit h1 off
)";

double mtr_loss(const std::string& out, const std::string& host) {
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);)
        if (l.find(host) != std::string::npos) {
            std::smatch m;
            static const std::regex re(R"(([0-9.]+)%)");
            if (std::regex_search(l, m, re)) return std::stod(m[1]);
        }
    return -1;
}

TEST_F(LabTools, MtrShowsTheLossyLink) {
    if (lab_test::run("mtr --version").rc != 0) GTEST_SKIP() << "mtr is not installed";
    std::string file = write_topology(lossy_topology);
    ASSERT_NO_FATAL_FAILURE(start(file));
    auto r = in_ns("mtr -n --report -c 20 -i 0.1 203.0.113.10", 40);
    EXPECT_EQ(mtr_loss(r.out, "192.0.2.1"), 0.0) << r.out;   // before the lossy link
    for (const char* behind : {"198.51.100.2", "203.0.113.10"}) {  // behind it: lossy, yet answering
        EXPECT_GT(mtr_loss(r.out, behind), 0.0) << r.out;
        EXPECT_LT(mtr_loss(r.out, behind), 100.0) << r.out;
    }
}

TEST_F(LabTools, MalformedDatagramsAreCountedAndDropped) {
    ASSERT_NO_FATAL_FAILURE(start("line"));
    auto dev = in_ns("ip -o link show type tun").out;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(dev, m, std::regex(R"(^[0-9]+: ([^:@]+))"))) << dev;
    // A packet socket writes raw bytes into the TUN: a bad IPv4 checksum, a short IPv6 header, junk.
    std::string py = "python3 -c \"import socket; s=socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x800)); "
                     "[s.sendto(b, ('" + m[1].str() + "', 0x800)) for b in (bytes.fromhex('45000014000040004001ffffc000020acb00710a'), "
                     "bytes.fromhex('6000000000083a40'), bytes.fromhex('ff'))]\"";
    auto r = in_ns(py, 10);
    ASSERT_EQ(r.rc, 0) << r.out;
    auto p = in_ns("ping -n -c 1 -w 5 203.0.113.10", 10);  // still alive and answering
    EXPECT_EQ(p.rc, 0) << p.out;
    EXPECT_EQ(stop(), 0) << log();
    EXPECT_NE(log().find(", 3 malformed,"), std::string::npos) << log();
}

TEST_F(LabTools, PcapHoldsWhatWasReceivedAndSent) {
    std::string pcap = "/tmp/" + ns_ + ".pcap";
    ASSERT_NO_FATAL_FAILURE(start("line", 40, "-w " + pcap));
    auto p = in_ns("ping -n -c 2 -i 0.2 -w 5 203.0.113.10", 10);
    EXPECT_EQ(p.rc, 0) << p.out;
    EXPECT_EQ(stop(), 0) << log();
    // The pcap file header's link type (bytes 20-23, little-endian here): LINKTYPE_RAW = 101.
    std::string bytes = lab_test::slurp(pcap);
    ASSERT_GE(bytes.size(), 24u);
    EXPECT_EQ(static_cast<unsigned char>(bytes[20]), 101);
    auto reader = capture::CaptureReader::open_file(pcap);
    ASSERT_TRUE(reader.has_value());
    int requests = 0, replies = 0;
    while (true) {
        auto f = reader->next();
        ASSERT_TRUE(f.has_value());
        if (!*f) break;
        const auto& d = (*f)->data;
        // LINKTYPE_RAW (libpcap reports DLT_RAW 12 on Linux): IPv4 header, then ICMP type.
        if (d.size() < 28 || d[0] != 0x45 || d[9] != 1) continue;
        if (d[20] == 8) ++requests;
        if (d[20] == 0) ++replies;
    }
    std::remove(pcap.c_str());
    EXPECT_EQ(requests, 2);
    EXPECT_EQ(replies, 2);
}

TEST_F(LabTools, Sigusr1PrintsStatsAndSigintTearsDown) {
    ASSERT_NO_FATAL_FAILURE(start("internet"));
    // A default trace: time exceeded from the routers, silent r9, rate-limited r8 is not hit with -q 1.
    auto r = in_ns("traceroute -n -q 1 -w 1 -m 20 203.0.113.10", 30);
    pid_t lab = lab_pid();
    ASSERT_GT(lab, 0);
    ASSERT_EQ(::kill(lab, SIGUSR1), 0);  // our own child's child
    std::string before;
    for (int i = 0; i < 100 && before.find("malformed:") == std::string::npos; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        before = log();
    }
    // Hops 1-8, 10, 11 (one fewer when the 1% lossy access link took a probe).
    EXPECT_TRUE(std::regex_search(before, std::regex("icmp type 11 code 0: (9|10)\n"))) << before << r.out;
    EXPECT_TRUE(std::regex_search(before, std::regex("icmp type 3 code 13: [1-9]"))) << before;  // !X at r11
    EXPECT_NE(before.find("silent-node: 1"), std::string::npos) << before;          // r9
    EXPECT_EQ(::kill(lab, SIGINT), 0);
    int st = 0;
    for (int i = 0; i < 100 && ::waitpid(pid_, &st, WNOHANG) != pid_; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    pid_ = -1;
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << log();
    EXPECT_EQ(lab_test::run("ip netns list").out.find(ns_), std::string::npos) << "namespace left behind";
    EXPECT_EQ(lab_test::run("ip link show icmpkit0").rc != 0, true) << "no device may appear outside the namespace";
}

TEST_F(LabTools, AnExistingNamespaceIsRefusedAndLeftAlone) {
    ASSERT_EQ(lab_test::run("ip netns add " + ns_).rc, 0);  // ours; TearDown deletes it
    auto r = lab_test::run(std::string(ICMPKIT_BINARY) + " lab --netns " + ns_ + " --duration 1 line", 10);
    EXPECT_EQ(r.rc, 2) << r.out;
    EXPECT_NE(r.out.find("netns add"), std::string::npos) << r.out;
    EXPECT_NE(lab_test::run("ip netns list").out.find(ns_), std::string::npos) << "someone else's namespace was removed";
}

TEST_F(LabTools, ADurationEndsTheRunAndRemovesTheNamespace) {
    auto started = std::chrono::steady_clock::now();
    auto r = lab_test::run(std::string(ICMPKIT_BINARY) + " lab --netns " + ns_ + " --duration 0.5 line", 10);
    auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(r.rc, 0) << r.out;
    EXPECT_GE(took, std::chrono::milliseconds(500));
    EXPECT_LT(took, std::chrono::seconds(5));
    EXPECT_EQ(lab_test::run("ip netns list").out.find(ns_), std::string::npos) << "namespace left behind";
}

}  // namespace
