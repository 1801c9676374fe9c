// ICMP errors delivered to the application (issue 6) in a namespace chain A - R - B
// (192.0.2.0/24, 198.51.100.0/24, 2001:db8:1::/64, 2001:db8:2::/64): a kernel router and
// iptables/ip6tables REJECT produce the errors; ErrorListener, RawErrorWatcher and `icmpkit why`
// must report them. Needs root; the namespaces (tests/support/netns.hpp) are removed in
// TearDownTestSuite even on failure.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "icmpkit/net/error_listener.hpp"
#include "support/netns.hpp"

using namespace icmpkit;

namespace {

bool sh(const std::string& c) { return std::system((c + " >/dev/null 2>&1").c_str()) == 0; }

std::string out_of(const std::string& cmd, int* rc) {
    std::string path = "/tmp/icmpkit-why-" + std::to_string(::getpid());
    int st = std::system(("timeout 20 " + cmd + " >" + path + " 2>&1").c_str());
    *rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    std::remove(path.c_str());
    return ss.str();
}

// Runs `f` with this thread inside namespace `ns` (sockets made there stay there).
template <class F>
auto in_ns(const std::string& ns, F f) {
    int self = ::open("/proc/self/ns/net", O_RDONLY);
    int target = ::open(("/var/run/netns/" + ns).c_str(), O_RDONLY);
    EXPECT_EQ(::setns(target, CLONE_NEWNET), 0);
    auto r = f();
    EXPECT_EQ(::setns(self, CLONE_NEWNET), 0);
    ::close(self), ::close(target);
    return r;
}

sockaddr_storage addr(const char* a, std::uint16_t port, socklen_t& len) {
    sockaddr_storage ss{};
    auto ip = core::IpAddress::parse(a);
    if (ip->is_v4()) {
        auto* in = reinterpret_cast<sockaddr_in*>(&ss);
        in->sin_family = AF_INET, in->sin_port = htons(port), in->sin_addr.s_addr = htonl(ip->v4().to_uint());
        len = sizeof *in;
    } else {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
        in6->sin6_family = AF_INET6, in6->sin6_port = htons(port);
        std::memcpy(&in6->sin6_addr, ip->v6().bytes().data(), 16);
        len = sizeof *in6;
    }
    return ss;
}

class Errors : public ::testing::Test {
protected:
    // A - R - B from the shared fixture (tests/support/netns.hpp, one router, R–B MTU 1400, ICMP
    // rate limits off); the namespaces go with the fixture's destructor.
    static inline std::unique_ptr<test_support::NetnsChain> chain;
    static inline std::string a, r, b, why;
    static inline bool ok = false;

    static void SetUpTestSuite() {
        chain = test_support::NetnsChain::create({.routers = 1, .link_mtu = {{1, 1400}}, .tag = "e"}, &why);
        if (!chain) return;
        a = chain->a(), r = chain->router(1), b = chain->b();
        // iptables REJECT codes on R, one UDP port per code (5000 + code); TCP 6013 admin-prohibited.
        const char* v4[][2] = {{"5000", "icmp-net-unreachable"}, {"5001", "icmp-host-unreachable"},
                               {"5002", "icmp-proto-unreachable"}, {"5003", "icmp-port-unreachable"},
                               {"5009", "icmp-net-prohibited"}, {"5010", "icmp-host-prohibited"},
                               {"5013", "icmp-admin-prohibited"}};
        bool fw = true;
        for (auto& x : v4)
            fw = sh("ip netns exec " + r + " iptables -A FORWARD -p udp --dport " + x[0] + " -j REJECT --reject-with " + x[1]) && fw;
        const char* v6[][2] = {{"5000", "icmp6-no-route"}, {"5001", "icmp6-adm-prohibited"},
                               {"5003", "icmp6-addr-unreachable"}, {"5004", "icmp6-port-unreachable"}};
        for (auto& x : v6)
            fw = sh("ip netns exec " + r + " ip6tables -A FORWARD -p udp --dport " + std::string(x[0]) + " -j REJECT --reject-with " + x[1]) && fw;
        fw = sh("ip netns exec " + r + " iptables -A FORWARD -p tcp --dport 6013 -j REJECT --reject-with icmp-admin-prohibited") && fw;
        fw = sh("ip netns exec " + r + " ip6tables -A FORWARD -p tcp --dport 6013 -j REJECT --reject-with icmp6-adm-prohibited") && fw;
        ok = fw;
        if (!fw) why = "iptables rules on R failed";
        sh("ip netns exec " + a + " /usr/bin/ping -c 1 -w 2 198.51.100.2");
        sh("ip netns exec " + a + " /usr/bin/ping -c 1 -w 2 2001:db8:2::2");
    }
    static void TearDownTestSuite() {
        chain.reset();
        ok = false;
    }
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
        ASSERT_TRUE(ok) << why;
    }

    // One UDP datagram from A; the first IcmpError its ErrorListener yields.
    std::optional<probe::IcmpError> udp_error(const char* dst, std::uint16_t port, int ttl = 64, std::size_t size = 8) {
        bool v6 = std::string(dst).find(':') != std::string::npos;
        int fd = in_ns(a, [&] { return ::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0); });
        auto l = net::ErrorListener::attach(fd);
        EXPECT_TRUE(l.has_value());
        if (!l) return std::nullopt;
        ::setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_UNICAST_HOPS : IP_TTL, &ttl, sizeof ttl);
        int pmtu = IP_PMTUDISC_DO;
        ::setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
        socklen_t len;
        auto ss = addr(dst, port, len);
        std::vector<char> data(size, 'x');
        ::sendto(fd, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&ss), len);
        auto e = l->wait(std::chrono::milliseconds(2000));
        ::close(fd);
        EXPECT_TRUE(e.has_value());
        return e ? *e : std::nullopt;
    }
};

TEST_F(Errors, UdpPortUnreachableFromHost) {
    auto e = udp_error("198.51.100.2", 9);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->origin, probe::ErrorOrigin::icmp);
    EXPECT_EQ(e->type, 3);
    EXPECT_EQ(e->code, 3);
    EXPECT_EQ(e->reporter->to_string(), "198.51.100.2");
    EXPECT_EQ(e->flow->dst.to_string(), "198.51.100.2");
    EXPECT_EQ(e->flow->dst_port, 9);
    EXPECT_EQ(e->flow->protocol, 17);
    EXPECT_EQ(e->error_number, ECONNREFUSED);
    EXPECT_TRUE(e->timestamp.has_value());
}

TEST_F(Errors, UdpIptablesRejectCodesV4) {
    for (int code : {0, 1, 2, 3, 9, 10, 13}) {
        auto e = udp_error("198.51.100.2", static_cast<std::uint16_t>(5000 + code));
        ASSERT_TRUE(e) << code;
        EXPECT_EQ(e->type, 3) << code;
        EXPECT_EQ(e->code, code);
        EXPECT_EQ(e->classification.unreachable, wire::unreachable_reason(core::Family::v4, code));
        EXPECT_EQ(e->reporter->to_string(), "192.0.2.1") << code;
        EXPECT_EQ(e->error_number, probe::kernel_errno(core::Family::v4, 3, code)) << code;
    }
}

TEST_F(Errors, UdpIp6tablesRejectCodesV6) {
    for (int code : {0, 1, 3, 4}) {
        auto e = udp_error("2001:db8:2::2", static_cast<std::uint16_t>(5000 + code));
        ASSERT_TRUE(e) << code;
        EXPECT_EQ(e->origin, probe::ErrorOrigin::icmp6);
        EXPECT_EQ(e->type, 1) << code;
        EXPECT_EQ(e->code, code);
        EXPECT_EQ(e->reporter->to_string(), "2001:db8:1::1") << code;
        EXPECT_EQ(e->flow->dst_port, 5000 + code);
    }
}

TEST_F(Errors, UdpTimeExceeded) {
    auto e = udp_error("198.51.100.2", 33434, 1);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->type, 11);
    EXPECT_EQ(e->classification.time_exceeded, wire::TimeExceededReason::in_transit);
    EXPECT_EQ(e->reporter->to_string(), "192.0.2.1");
    auto e6 = udp_error("2001:db8:2::2", 33434, 1);
    ASSERT_TRUE(e6);
    EXPECT_EQ(e6->type, 3);
    EXPECT_EQ(e6->reporter->to_string(), "2001:db8:1::1");
}

TEST_F(Errors, UdpFragmentationNeeded) {
    sh("ip -n " + a + " route flush cache");
    auto e = udp_error("198.51.100.2", 9, 64, 1450);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->origin, probe::ErrorOrigin::icmp);
    EXPECT_EQ(e->type, 3);
    EXPECT_EQ(e->code, 4);
    EXPECT_EQ(e->mtu, 1400u);
    EXPECT_EQ(e->error_number, EMSGSIZE);
    // The next datagram is refused locally: the path MTU is known now.
    auto local = udp_error("198.51.100.2", 9, 64, 1450);
    ASSERT_TRUE(local);
    EXPECT_EQ(local->origin, probe::ErrorOrigin::local);
    EXPECT_EQ(local->mtu, 1400u);
    sh("ip -n " + a + " route flush cache");
}

// Linux >= 5.10 (tcp_v4_err/tcp_v6_err: ip_icmp_error in SYN-SENT) queues the ICMP error that
// aborts a connection attempt on the TCP socket's error queue, with type, code and offender.
std::optional<probe::IcmpError> tcp_error(const std::string& ns, const char* dst, std::uint16_t port, int ttl) {
    bool v6 = std::string(dst).find(':') != std::string::npos;
    int fd = in_ns(ns, [&] { return ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0); });
    auto l = net::ErrorListener::attach(fd);
    EXPECT_TRUE(l);
    if (!l) return std::nullopt;
    ::setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_UNICAST_HOPS : IP_TTL, &ttl, sizeof ttl);
    socklen_t len;
    auto ss = addr(dst, port, len);
    ::connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
    auto e = l->wait(std::chrono::milliseconds(3000));
    ::close(fd);
    EXPECT_TRUE(e.has_value());
    return e ? *e : std::nullopt;
}

TEST_F(Errors, TcpSynSentErrorsAreQueuedWithDetails) {
    auto e = tcp_error(a, "198.51.100.2", 6013, 64);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->origin, probe::ErrorOrigin::icmp);
    EXPECT_EQ(e->type, 3);
    EXPECT_EQ(e->code, 13);
    EXPECT_EQ(e->reporter->to_string(), "192.0.2.1");
    EXPECT_EQ(e->error_number, EHOSTUNREACH);  // icmp_err_convert[13]
    EXPECT_EQ(e->flow->dst_port, 6013);
    EXPECT_EQ(e->flow->protocol, 6);
    auto t = tcp_error(a, "198.51.100.2", 80, 1);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->type, 11);
    EXPECT_EQ(t->code, 0);
    EXPECT_EQ(t->reporter->to_string(), "192.0.2.1");
    auto e6 = tcp_error(a, "2001:db8:2::2", 6013, 64);
    ASSERT_TRUE(e6);
    EXPECT_EQ(e6->origin, probe::ErrorOrigin::icmp6);
    EXPECT_EQ(e6->type, 1);
    EXPECT_EQ(e6->code, 1);
    EXPECT_EQ(e6->reporter->to_string(), "2001:db8:1::1");
    // A RST queues nothing: the errno is all there is.
    auto rst = tcp_error(a, "198.51.100.2", 7, 64);
    ASSERT_TRUE(rst);
    EXPECT_EQ(rst->origin, probe::ErrorOrigin::socket);
    EXPECT_EQ(rst->error_number, ECONNREFUSED);
}

TEST_F(Errors, WhyFilteredPortAndTtlExpiry) {
    int rc;
    auto f = out_of("ip netns exec " + a + " " ICMPKIT_BINARY " why udp 198.51.100.2:5013", &rc);
    EXPECT_EQ(rc, 0) << f;
    EXPECT_EQ(f.rfind("filtered: 192.0.2.1 answered administratively prohibited (type 3 code 13) for 192.0.2.2:", 0), 0u) << f;
    EXPECT_NE(f.find(" \u2192 198.51.100.2:5013/udp"), std::string::npos) << f;
    auto t = out_of("ip netns exec " + a + " " ICMPKIT_BINARY " why udp --ttl 1 198.51.100.2:53", &rc);
    EXPECT_EQ(rc, 0) << t;
    EXPECT_EQ(t.rfind("ttl expired: 192.0.2.1 answered time to live exceeded in transit (type 11 code 0)", 0), 0u) << t;
    auto c = out_of("ip netns exec " + a + " " ICMPKIT_BINARY " why udp 198.51.100.2:9", &rc);
    EXPECT_EQ(c.rfind("closed: 198.51.100.2 answered port unreachable (type 3 code 3)", 0), 0u) << c;
    auto tcp = out_of("ip netns exec " + a + " " ICMPKIT_BINARY " why tcp -W 3 198.51.100.2:6013", &rc);
    EXPECT_EQ(rc, 0) << tcp;
    EXPECT_EQ(tcp.rfind("filtered: 192.0.2.1 answered administratively prohibited (type 3 code 13)", 0), 0u) << tcp;
    auto tttl = out_of("ip netns exec " + a + " " ICMPKIT_BINARY " why tcp --ttl 1 198.51.100.2:80", &rc);
    EXPECT_EQ(rc, 0) << tttl;
    EXPECT_EQ(tttl.rfind("ttl expired: 192.0.2.1 answered time to live exceeded in transit (type 11 code 0) for 192.0.2.2:", 0), 0u) << tttl;
    // As root the raw watcher sees it first, with the SYN's sequence number chosen via TCP_REPAIR:
    // delivery proves the quoted sequence number is the one we chose (window [isn, isn + 1)).
    auto j = out_of("ip netns exec " + a + " " ICMPKIT_BINARY " why tcp --json 198.51.100.2:6013", &rc);
    EXPECT_NE(j.find("\"evidence\":\"raw_watcher\""), std::string::npos) << j;
    EXPECT_NE(j.find("\"window_checked\":true"), std::string::npos) << j;
    // Without CAP_NET_RAW/CAP_NET_ADMIN: no raw watcher, the TCP error queue still has the details.
    auto u = out_of("ip netns exec " + a + " setpriv --bounding-set=-net_raw,-net_admin -- " ICMPKIT_BINARY
                    " why tcp --json 198.51.100.2:6013", &rc);
    EXPECT_EQ(rc, 0) << u;
    EXPECT_NE(u.find("\"evidence\":\"errqueue\""), std::string::npos) << u;
    EXPECT_NE(u.find("\"raw_watcher\":false"), std::string::npos) << u;
    EXPECT_NE(u.find("\"verdict\":\"filtered\""), std::string::npos) << u;
    auto rst = out_of("ip netns exec " + a + " " ICMPKIT_BINARY " why tcp -W 2 198.51.100.2:7", &rc);
    EXPECT_EQ(rst.rfind("refused: RST", 0), 0u) << rst;
    auto bad = out_of(ICMPKIT_BINARY " why sctp 192.0.2.1:1", &rc);
    EXPECT_EQ(rc, 2) << bad;
}

// watch-errors attributes an arriving error to this process's socket by the quoted 5-tuple.
TEST_F(Errors, WatchErrorsAttributesToTheSocket) {
    std::string path = "/tmp/icmpkit-watch-" + std::to_string(::getpid());
    std::remove(path.c_str());
    ASSERT_EQ(std::system(("timeout 15 ip netns exec " + a + " " ICMPKIT_BINARY
                           " watch-errors -4 -c 1 --duration 10 --json >" + path + " 2>&1 &").c_str()), 0);
    int fd = in_ns(a, [] { return ::socket(AF_INET, SOCK_DGRAM, 0); });
    ASSERT_GE(fd, 0);
    socklen_t len;
    auto ss = addr("198.51.100.2", 5013, len);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&ss), len), 0);
    sockaddr_in local{};
    socklen_t llen = sizeof local;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen);
    struct stat st {};
    ::fstat(fd, &st);
    std::string got;
    for (int i = 0; i < 40 && got.find('\n') == std::string::npos; ++i) {  // at most 40 datagrams, 8 s
        ::send(fd, "x", 1, 0);
        ::usleep(200 * 1000);
        std::ifstream f(path);
        std::stringstream s;
        s << f.rdbuf();
        got = s.str();
    }
    ::close(fd);
    std::remove(path.c_str());
    EXPECT_NE(got.find("\"code\":13"), std::string::npos) << got;
    EXPECT_NE(got.find("\"inode\":" + std::to_string(st.st_ino) + ","), std::string::npos) << got;
    EXPECT_NE(got.find("\"pid\":" + std::to_string(::getpid()) + ","), std::string::npos) << got;
    EXPECT_NE(got.find("\"connected\":true"), std::string::npos) << got;
    EXPECT_NE(got.find(std::to_string(ntohs(local.sin_port))), std::string::npos) << got;
}

// Forged errors sent from R with a raw socket reach A's RawErrorWatcher and are rejected.
TEST_F(Errors, RawWatcherRejectsForgedErrors) {
    auto w = in_ns(a, [] { return net::RawErrorWatcher::open(core::Family::v4); });
    ASSERT_TRUE(w) << core::describe(w.error());
    core::IpAddress me{core::Ipv4Address(192, 0, 2, 2)}, peer{core::Ipv4Address(198, 51, 100, 2)};
    w->matcher().add_flow({me, peer, 6, 40001, 80}, probe::TcpSendWindow{1000, 2000});
    // ICMP 3/1 quoting 192.0.2.2:sport -> 198.51.100.2:80 TCP with `seq` (hand-built bytes).
    auto forge = [](std::uint16_t sport, std::uint32_t seq) {
        std::vector<std::uint8_t> m = {3, 1, 0, 0, 0, 0, 0, 0,
                                       0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 192, 0, 2, 2, 198, 51, 100, 2,
                                       static_cast<std::uint8_t>(sport >> 8), static_cast<std::uint8_t>(sport), 0, 80,
                                       static_cast<std::uint8_t>(seq >> 24), static_cast<std::uint8_t>(seq >> 16),
                                       static_cast<std::uint8_t>(seq >> 8), static_cast<std::uint8_t>(seq)};
        std::uint32_t sum = 0;
        for (std::size_t i = 0; i < m.size(); i += 2) sum += (m[i] << 8) | m[i + 1];
        while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
        m[2] = static_cast<std::uint8_t>(~sum >> 8), m[3] = static_cast<std::uint8_t>(~sum);
        return m;
    };
    int tx = in_ns(r, [] { return ::socket(AF_INET, SOCK_RAW, IPPROTO_ICMP); });
    ASSERT_GE(tx, 0);
    socklen_t len;
    auto to = addr("192.0.2.2", 0, len);
    for (auto& m : {forge(40001, 5), forge(40999, 1500), forge(40001, 1500)})
        ASSERT_GT(::sendto(tx, m.data(), m.size(), 0, reinterpret_cast<sockaddr*>(&to), len), 0);
    ::close(tx);
    auto e = w->wait(std::chrono::milliseconds(2000));  // skips the two forged ones, delivers the third
    ASSERT_TRUE(e && *e);
    EXPECT_EQ((*e)->code, 1);
    EXPECT_EQ((*e)->reporter->to_string(), "192.0.2.1");
    EXPECT_EQ(w->counters().out_of_window, 1u);
    EXPECT_EQ(w->counters().suspicious, 1u);
    EXPECT_EQ(w->counters().delivered, 1u);
}

}  // namespace
