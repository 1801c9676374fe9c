// The tracepath lines, against text printed by iputils tracepath 20221126 (`tracepath -n` and
// `tracepath -n -b` over a namespace chain, captured in this repository's development session:
// docs/pmtu.md shows the whole session), and the search summary.
#include <gtest/gtest.h>

#include <cerrno>

#include "icmpkit/report/pmtu_json.hpp"
#include "icmpkit/report/pmtu_text.hpp"

using namespace icmpkit;
using namespace std::chrono_literals;

namespace {

probe::PmtuHopEvent hop(int sent, const char* addr, core::Duration rtt) {
    probe::PmtuHopEvent e;
    e.ttl = sent;
    e.sent_hops = sent;
    e.address = *core::IpAddress::parse(addr);
    e.rtt = rtt;
    return e;
}

TEST(PmtuText, MatchesTracepathByteForByte) {
    report::PmtuTextOptions n{.numeric = true};
    probe::PmtuHopEvent local;
    local.ttl = 1;
    local.localhost = true;
    local.tail = probe::PmtuHopEvent::Tail::pmtu;
    local.pmtu = 1500;
    EXPECT_EQ(report::format_pmtu_event(local, n), " 1?: [LOCALHOST]                      pmtu 1500\n");
    local.rtt = 22us;  // IPv6: ipv6_local_error() keeps the port, so tracepath finds the slot
    EXPECT_EQ(report::format_pmtu_event(local, n), " 1?: [LOCALHOST]                        0.022ms pmtu 1500\n");
    EXPECT_EQ(report::format_pmtu_event(hop(1, "192.0.2.1", 63us), n),
              " 1:  192.0.2.1                                             0.063ms \n");
    auto p = hop(2, "192.0.2.1", 15us);
    p.tail = probe::PmtuHopEvent::Tail::pmtu;
    p.pmtu = 1400;
    EXPECT_EQ(report::format_pmtu_event(p, n), " 2:  192.0.2.1                                             0.015ms pmtu 1400\n");
    auto r = hop(4, "198.51.100.2", 26us);
    r.tail = probe::PmtuHopEvent::Tail::reached;
    EXPECT_EQ(report::format_pmtu_event(r, n), " 4:  198.51.100.2                                          0.026ms reached\n");
    EXPECT_EQ(report::format_pmtu_event(hop(1, "2001:db8:1::1", 1012246us), n),
              " 1:  2001:db8:1::1                                       1012.246ms \n");
    EXPECT_EQ(report::format_pmtu_event(probe::PmtuFinish{false, 1300, 4, 4}, n), "     Resume: pmtu 1300 hops 4 back 4 \n");
    EXPECT_EQ(report::format_pmtu_event(probe::PmtuFinish{true, 1000, -1, -1}, n),
              "     Too many hops: pmtu 1000\n     Resume: pmtu 1000 \n");
    EXPECT_EQ(report::format_pmtu_event(probe::PmtuNoReply{3}, n), " 3:  no reply\n");
    // -n -b: tracepath prints "(???)" when getnameinfo() has no name; ours prints the name given.
    report::PmtuTextOptions b{.numeric = true, .both = true, .name = [](const core::IpAddress&) { return std::string("???"); }};
    EXPECT_EQ(report::format_pmtu_event(hop(1, "192.0.2.1", 48us), b),
              " 1:  192.0.2.1 (?\?\?)                                       0.048ms \n");
}

TEST(PmtuText, AsymmAndBangs) {
    report::PmtuTextOptions n{.numeric = true};
    auto a = hop(2, "203.0.113.2", 1500us);
    a.asymm = 3;
    // recverr(): "%3lld.%03ldms " then "asymm %2d " then the newline.
    EXPECT_EQ(report::format_pmtu_event(a, n), " 2:  203.0.113.2                                           1.500ms asymm  3 \n");
    auto h = hop(2, "203.0.113.2", 1ms);
    h.tail = probe::PmtuHopEvent::Tail::host_unreachable;
    EXPECT_EQ(report::format_pmtu_event(h, n).substr(57), "  1.000ms !H\n");
    auto q = hop(2, "203.0.113.2", 1ms);
    q.sent_hops = -1;
    q.ttl = 5;
    EXPECT_EQ(report::format_pmtu_event(q, n).substr(0, 5), " 5?: ");
}

TEST(PmtuText, SearchSummarySaysBlackHole) {
    probe::SearchResult r;
    r.base_confirmed = true;
    r.plpmtu = 1300;
    r.max_mtu = 1500;
    r.icmp_pmtu = 1400;
    r.icmp_reporter = *core::IpAddress::parse("192.0.2.1");
    r.black_hole = true;
    r.smallest_silent_failure = 1301;
    r.probes = 10;
    r.replies = 3;
    auto s = report::format_search_summary(r, *core::IpAddress::parse("198.51.100.2"));
    EXPECT_NE(s.find("ICMP says: pmtu 1400 (from 192.0.2.1)"), std::string::npos) << s;
    EXPECT_NE(s.find("Probing found: pmtu 1300"), std::string::npos) << s;
    EXPECT_NE(s.find("PMTU black hole: 1301-byte"), std::string::npos) << s;
    auto j = report::search_json_event(probe::SearchFinish{r});
    EXPECT_NE(j.find("\"black_hole\":true"), std::string::npos) << j;
    EXPECT_NE(j.find("\"pmtu\":1300"), std::string::npos) << j;
    EXPECT_NE(j.find("\"icmp_pmtu\":1400"), std::string::npos) << j;
    EXPECT_EQ(j.back(), '\n');
}

}  // namespace
