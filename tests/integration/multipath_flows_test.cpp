// The unprivileged sockets of trace --mda/--cycles (src/net/multipath_flows.hpp) over loopback:
// the base moves past a port in use, and the kernel's answer to a probe -- Port Unreachable from
// the error queue, an echo reply on a ping socket -- comes back naming the flow and serial sent.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <vector>

#include "../../src/net/multipath_flows.hpp"
#include "../../src/net/sockaddr_util.hpp"

namespace icmpkit::net {
namespace {

core::IpAddress loopback(bool v4) {
    return v4 ? core::IpAddress(*core::Ipv4Address::parse("127.0.0.1")) : core::IpAddress(*core::Ipv6Address::parse("::1"));
}

// A UDP port bound on loopback (fd kept open when `keep`), 0 when loopback is missing.
std::uint16_t udp_port(bool v4, bool keep, int& fd) {
    fd = ::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    auto sa = to_sockaddr(loopback(v4), 0);
    if (fd < 0 || ::bind(fd, sa.get(), sa.len) != 0) return 0;
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    const std::uint16_t p = ntohs(v4 ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                     : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    if (!keep) ::close(fd), fd = -1;
    return p;
}

probe::ProbeSpace space_of(probe::TraceMethod m, bool v4, std::uint16_t flows) {
    probe::ProbeSpace s;
    s.method = m;
    s.source = loopback(v4);
    s.destination = loopback(v4);
    s.flows = flows;
    s.packet_length = probe::default_packet_length(m, v4 ? core::Family::v4 : core::Family::v6);
    return s;
}

// Sends one probe and waits (at most 2 s) for the first response.
std::optional<probe::TraceResponse> round_trip(const probe::ProbeSpace& s, const MultipathProbe& p) {
    FlowSockets f(s, "");
    if (!f.send(p)) return std::nullopt;
    std::optional<probe::TraceResponse> got;
    std::vector<pollfd> set;
    for (int i = 0; i < 20 && !got; ++i) {
        f.poll_set(set);
        ::poll(set.data(), set.size(), 100);
        f.receive(set, [&](probe::TraceResponse r, core::MonoTime) { got = std::move(r); });
    }
    return got;
}

}  // namespace

TEST(FlowSockets, MovesTheWholeSpacePastAPortInUse) {
    int held = -1;
    const std::uint16_t taken = udp_port(true, true, held);
    ASSERT_GT(taken, 1030);
    auto s = space_of(probe::TraceMethod::udp_paris, true, 5);
    s.source_port = static_cast<std::uint16_t>(taken - 2);  // [taken-2, taken+3) holds it
    ASSERT_TRUE(FlowSockets::choose_base(s, ""));
    EXPECT_TRUE(s.source_port > taken || s.source_port + 5 <= taken) << s.source_port << " vs " << taken;
    ::close(held);
}

TEST(FlowSockets, PortUnreachableFromTheErrorQueueNamesFlowAndSerial) {
    for (bool v4 : {true, false}) {
        int unused = -1;
        const std::uint16_t closed = udp_port(v4, false, unused);  // nothing listens there now
        if (closed == 0) GTEST_SKIP() << "no " << (v4 ? "IPv4" : "IPv6") << " loopback";
        auto s = space_of(probe::TraceMethod::udp_paris, v4, 4);
        s.port = closed;
        s.source_port = 41000;
        ASSERT_TRUE(FlowSockets::choose_base(s, ""));
        const auto r = round_trip(s, MultipathProbe{2, 7, 64});
        ASSERT_TRUE(r.has_value()) << (v4 ? "v4" : "v6");
        EXPECT_NE(r->kind, probe::ResponseKind::rejected) << probe::reject_name(r->reject);
        EXPECT_EQ(r->from, loopback(v4));
        EXPECT_EQ(r->type, v4 ? 3 : 1);  // Port Unreachable: RFC 792 type 3 code 3, RFC 4443 type 1 code 4
        EXPECT_EQ(r->code, v4 ? 3 : 4);
        EXPECT_EQ(r->flow, 2);
        EXPECT_EQ(r->serial, std::optional<std::uint16_t>(7));
    }
}

// 0 when the echo round trip names flow 3 and serial 9 for both families; else which check failed.
int echo_round_trips() {
    for (bool v4 : {true, false}) {
        auto s = space_of(probe::TraceMethod::icmp_paris, v4, 4);
        if (FlowSockets::allowed(s) != 0) return 10;
        s.source_port = 42000;
        if (!FlowSockets::choose_base(s, "")) return 11;
        const auto r = round_trip(s, MultipathProbe{3, 9, 64});
        if (!r) return v4 ? 12 : 13;
        if (r->kind != probe::ResponseKind::destination || r->type != (v4 ? 0 : 129)) return 14;
        if (r->flow != 3 || r->serial != std::optional<std::uint16_t>(9)) return 15;
    }
    return 0;
}

// On a host whose net.ipv4.ping_group_range allows our group, directly; else, as root, in a
// child in a network namespace of its own (loopback up, the range opened there only).
TEST(FlowSockets, EchoReplyOnThePingSocketOfTheFlow) {
    if (FlowSockets::allowed(space_of(probe::TraceMethod::icmp_paris, true, 4)) == 0) {
        EXPECT_EQ(echo_round_trips(), 0);
        return;
    }
    if (::geteuid() != 0) GTEST_SKIP() << "ICMP datagram sockets not allowed (net.ipv4.ping_group_range) and not root";
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        if (::unshare(CLONE_NEWNET) != 0) ::_exit(20);
        if (std::system("ip link set lo up && sysctl -qw net.ipv4.ping_group_range='0 2147483647'") != 0) ::_exit(21);
        ::_exit(echo_round_trips());
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "10 not allowed, 11 no base, 12/13 no v4/v6 answer, 14 kind, 15 flow/serial, "
                                         "20 unshare, 21 namespace set-up";
}

}  // namespace icmpkit::net
