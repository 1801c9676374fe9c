// icmpkit decode, run as a process: exit codes, -c, -w round trip, --stats, filters.
#include <gtest/gtest.h>

#include "support/cli_run.hpp"

#include <cstdio>
#include <filesystem>
#include <string>

namespace {

using Run = icmpkit::test_support::CliRun;

Run run(const std::string& args) {
    return icmpkit::test_support::run_icmpkit("decode " + args, false);
}

std::size_t lines(const std::string& s) {
    std::size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

const std::string data = ICMPKIT_TEST_DATA_DIR;

}  // namespace

TEST(DecodeCli, ExitCodes) {
    auto ok = run(data + "/linux-v4.pcap");
    EXPECT_EQ(ok.status, 0);
    EXPECT_EQ(lines(ok.out), 31u);  // tests/data/README.md: 31 ICMP frames (tshark)
    EXPECT_EQ(run(std::string(ICMPKIT_SOURCE_DIR) + "/CMakeLists.txt").status, 2);  // not a capture
    EXPECT_EQ(run("/nonexistent/x.pcap").status, 2);
    EXPECT_EQ(run("--no-such-option " + data + "/demo.pcap").status, 2);
    EXPECT_EQ(run(data + "/demo.pcap 'icmp and and'").status, 2);  // bad BPF filter
    EXPECT_EQ(run("--help").status, 0);
}

TEST(DecodeCli, CountFilterAndFields) {
    auto r = run("-n -c 3 -r " + data + "/linux-v4.pcap");
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(lines(r.out), 3u);
    EXPECT_NE(r.out.find("IP 192.0.2.2 > 198.51.100.2: ICMP echo request, id "), std::string::npos);
    auto f = run(data + "/linux-v4.pcap icmp[icmptype] == 3");
    EXPECT_EQ(f.status, 0);
    // README: port unreachable, frag needed, net unreachable, 3 host unreachable, 7 REJECTs.
    EXPECT_EQ(lines(f.out), 13u);
    EXPECT_NE(f.out.find("unreachable - need to frag (mtu 1280)"), std::string::npos);
    EXPECT_NE(f.out.find("udp 192.0.2.2:"), std::string::npos);
    auto x = run(data + "/scapy-v4.pcap");
    EXPECT_NE(x.out.find("mpls 24001 16"), std::string::npos);
    EXPECT_NE(x.out.find("[malformed: truncated at byte 54]"), std::string::npos);
    EXPECT_NE(x.out.find("[bad cksum]"), std::string::npos);
}

TEST(DecodeCli, WriteRoundTrip) {
    auto out = std::filesystem::temp_directory_path() / ("icmpkit_decode_w_" + std::to_string(getpid()) + ".pcap");
    auto a = run("-w " + out.string() + " " + data + "/linux-v6.pcap");
    ASSERT_EQ(a.status, 0);
    auto b = run(out.string());
    EXPECT_EQ(b.status, 0);
    EXPECT_EQ(a.out, b.out);
    EXPECT_EQ(lines(b.out), 30u);
    std::filesystem::remove(out);
}

TEST(DecodeCli, Stats) {
    auto r = run("--stats " + data + "/demo.pcap");
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("frames                       20"), std::string::npos);
    EXPECT_NE(r.out.find("icmp6 type 128 code   0"), std::string::npos);
    auto j = run("--stats --json " + data + "/fragments.pcap");
    EXPECT_NE(j.out.find("\"reassembled\":4"), std::string::npos);
}
