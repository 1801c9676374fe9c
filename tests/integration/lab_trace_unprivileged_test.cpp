// Unprivileged `icmpkit trace -e` (UDP and ICMP datagram sockets, errors from the error queue with
// IP_RECVERR_RFC4884 / IPV6_RECVERR_RFC4884) through `icmpkit lab internet`, whose routers r5-r7
// put RFC 4950 label stacks in their Time Exceeded: the labels of hops 5-7 must read exactly as
// Debian traceroute 2.1's `traceroute -n -e` prints them in the same namespace, with default and
// with 200-octet probes (a quote longer than 128 octets: the RFC 4884 length attribute, hence
// the kernel's ee_rfc4884.len, is the only way to the structure then). Needs root (the
// lab's namespace and TUN device); the traces themselves run as nobody without capabilities.
#include <map>
#include <regex>
#include <sstream>

#include "lab_support.hpp"

namespace {

using LabTraceUnprivileged = lab_test::LabFixture;

constexpr const char* nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups --bounding-set=-net_raw,-net_admin -- ";

// hop number -> the first "<MPLS:...>" on its line ("" when none).
std::map<int, std::string> mpls_by_hop(const std::string& out) {
    std::map<int, std::string> v;
    std::istringstream in(out);
    static const std::regex hop(R"(^\s*([0-9]+)\s)"), mpls(R"(<MPLS:[^>]*>)");
    for (std::string l; std::getline(in, l);) {
        std::smatch m, x;
        if (!std::regex_search(l, m, hop)) continue;
        v[std::stoi(m[1])] = std::regex_search(l, x, mpls) ? x.str() : "";
    }
    return v;
}

std::string skip_reason() {
    if (auto why = lab_test::skip_reason(); !why.empty()) return why;
    if (lab_test::run("setpriv --version").rc != 0) return "no setpriv(1)";
    if (lab_test::run("traceroute --version").out.find("2.1") == std::string::npos) return "no traceroute 2.1";
    return {};
}

}  // namespace

TEST_F(LabTraceUnprivileged, MplsLabelsAsTracerouteShowsThem) {
    if (auto why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
    ASSERT_NO_FATAL_FAILURE(start("internet", 120));
    // ICMP datagram sockets for nobody (the namespace's own ping_group_range).
    ASSERT_EQ(in_ns("sysctl -qw net.ipv4.ping_group_range='0 2147483647'").rc, 0);
    // Really unprivileged: a TCP trace needs raw sockets and is refused (exit 2).
    auto tcp = in_ns(std::string(nobody) + ICMPKIT_BINARY " trace -n -T -m 3 203.0.113.10", 20);
    ASSERT_EQ(tcp.rc, 2) << tcp.out;
    struct Case {
        const char* dst;
        const char* ours;    // icmpkit trace method flag
        const char* theirs;  // traceroute's
    };
    const Case cases[] = {{"203.0.113.10", "-U", ""}, {"203.0.113.10", "-I", "-I"},
                          {"2001:db8:2::10", "-U", ""}, {"2001:db8:2::10", "-I", "-I"}};
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.dst) + " " + c.ours);
        auto ref = in_ns(std::string("traceroute -n -e -q 1 -w 1 -m 8 ") + c.theirs + " " + c.dst, 30);
        const auto want = mpls_by_hop(ref.out);
        for (int hop = 5; hop <= 7; ++hop)
            ASSERT_FALSE(want.count(hop) == 0 || want.at(hop).empty()) << "traceroute: no label at " << hop << ":\n" << ref.out;
        // Default probes: the lab's routers quote 128 octets, then the structure. 200-octet probes:
        // they quote all 200, so only the kernel's offset finds it (traceroute 2.1 shows none then).
        for (const char* size : {"", " 200"}) {
            SCOPED_TRACE(std::string("packetlen") + size);
            auto got = in_ns(std::string(nobody) + ICMPKIT_BINARY " trace -n -e -q 1 -m 8 " + c.ours + " " + c.dst + size, 30);
            ASSERT_EQ(got.rc, 0) << got.out;
            EXPECT_EQ(got.out.find("warning"), std::string::npos) << got.out;  // the kernel took the option
            auto have = mpls_by_hop(got.out);
            for (int hop = 5; hop <= 7; ++hop)
                EXPECT_EQ(have[hop], want.at(hop)) << "hop " << hop << "\nicmpkit:\n" << got.out << "traceroute:\n" << ref.out;
            for (int hop : {1, 2, 3, 4, 8}) EXPECT_EQ(have[hop], "") << "hop " << hop << ":\n" << got.out;
        }
    }
}
