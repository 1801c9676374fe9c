// net::configure() applies iputils' socket options for the flags whose effect is not visible in
// ping's output: the kernel's view read back with getsockopt(). -S SO_SNDBUF (the kernel doubles
// the value, socket(7)), -d SO_DEBUG, -r SO_DONTROUTE, -L IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP,
// -U no SO_TIMESTAMPING, -F a leased flow label; and the raw-socket echo filter. Needs root (raw sockets; SO_DEBUG needs
// CAP_NET_ADMIN). Loopback only; nothing is sent.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <linux/net_tstamp.h>

#include "icmpkit/net/ping_socket.hpp"
#include "icmpkit/wire/checksum.hpp"
#include "support/netns.hpp"

using namespace icmpkit;

namespace {

int get_int(int fd, int level, int name) {
    int v = -1;
    socklen_t len = sizeof v;
    EXPECT_EQ(::getsockopt(fd, level, name, &v, &len), 0);
    return v;
}

TEST(PingSocketOptions, FlagsReachTheKernelV4) {
    if (!test_support::is_root()) GTEST_SKIP() << "needs root";
    auto s = net::IcmpSocket::open(core::Family::v4);
    ASSERT_TRUE(s.has_value());
    net::SocketOptions o;
    o.sndbuf = 4096;
    o.so_debug = true;
    o.dont_route = true;
    o.no_loop = true;
    auto src = net::configure(*s, o, core::Ipv4Address(127, 0, 0, 1), 0);
    ASSERT_TRUE(src.has_value());
    EXPECT_EQ(get_int(s->fd(), SOL_SOCKET, SO_SNDBUF), 8192);
    EXPECT_EQ(get_int(s->fd(), SOL_SOCKET, SO_DEBUG), 1);
    EXPECT_EQ(get_int(s->fd(), SOL_SOCKET, SO_DONTROUTE), 1);
    EXPECT_EQ(get_int(s->fd(), IPPROTO_IP, IP_MULTICAST_LOOP), 0);
    EXPECT_NE(get_int(s->fd(), SOL_SOCKET, SO_TIMESTAMPING), 0);  // kernel receive times

    // Without the flags: iputils' defaults (loop on, routing, no debug).
    auto d = net::IcmpSocket::open(core::Family::v4);
    ASSERT_TRUE(d.has_value());
    ASSERT_TRUE(net::configure(*d, {}, core::Ipv4Address(127, 0, 0, 1), 0).has_value());
    EXPECT_EQ(get_int(d->fd(), SOL_SOCKET, SO_DEBUG), 0);
    EXPECT_EQ(get_int(d->fd(), SOL_SOCKET, SO_DONTROUTE), 0);
    EXPECT_EQ(get_int(d->fd(), IPPROTO_IP, IP_MULTICAST_LOOP), 1);
}

TEST(PingSocketOptions, UserLatencyLeavesKernelTimestampsOff) {
    if (!test_support::is_root()) GTEST_SKIP() << "needs root";
    auto s = net::IcmpSocket::open(core::Family::v4);
    ASSERT_TRUE(s.has_value());
    net::SocketOptions o;
    o.user_latency = true;
    ASSERT_TRUE(net::configure(*s, o, core::Ipv4Address(127, 0, 0, 1), 0).has_value());
    EXPECT_EQ(get_int(s->fd(), SOL_SOCKET, SO_TIMESTAMPING), 0);
    EXPECT_EQ(get_int(s->fd(), SOL_SOCKET, SO_TIMESTAMPNS), 0);
    EXPECT_EQ(s->rx_clock(), net::RxClock::user_clock);
}

TEST(PingSocketOptions, FlagsReachTheKernelV6AndFlowLabel) {
    if (!test_support::is_root()) GTEST_SKIP() << "needs root";
    auto s = net::IcmpSocket::open(core::Family::v6);
    ASSERT_TRUE(s.has_value());
    net::SocketOptions o;
    o.no_loop = true;
    o.flowlabel = 0xbeef;
    auto src = net::configure(*s, o, *core::IpAddress::parse("::1"), 0);
    ASSERT_TRUE(src.has_value()) << src.error().operation;
    EXPECT_EQ(get_int(s->fd(), IPPROTO_IPV6, IPV6_MULTICAST_LOOP), 0);
    EXPECT_EQ(ntohl(s->flowinfo()), 0xbeefu);  // the label the kernel leased, sent in sin6_flowinfo
}

// The raw-socket filter drops other identifiers' echo replies in the kernel, keeps ours.
TEST(PingSocketOptions, EchoFilterKeepsOnlyOurIdentifier) {
    if (!test_support::is_root()) GTEST_SKIP() << "needs root";
    auto s = net::IcmpSocket::open(core::Family::v4);
    ASSERT_TRUE(s.has_value());
    ASSERT_EQ(s->kind(), net::SocketKind::raw);
    ASSERT_TRUE(net::install_echo_filter(*s, 0x1111).has_value());
    sockaddr_in lo{};
    lo.sin_family = AF_INET;
    lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    auto echo = [&](std::uint16_t id) {
        std::uint8_t req[16] = {8, 0, 0, 0};
        core::store_be16(&req[4], id);
        core::store_be16(&req[6], 1);
        core::store_be16(&req[2], wire::internet_checksum(core::Bytes(req, sizeof req)));
        ASSERT_EQ(::sendto(s->fd(), req, sizeof req, 0, reinterpret_cast<sockaddr*>(&lo), sizeof lo), 16);
    };
    auto reply_id = [&]() -> int {  // the identifier of the next echo reply, -1 when none in 300 ms
        for (int i = 0; i < 10; ++i) {
            pollfd p{s->fd(), POLLIN, 0};
            if (::poll(&p, 1, 300) <= 0) return -1;
            std::uint8_t buf[256];
            ssize_t n = ::recv(s->fd(), buf, sizeof buf, 0);
            std::size_t hl = std::size_t{buf[0] & 0x0Fu} * 4;
            if (n >= static_cast<ssize_t>(hl + 8) && buf[hl] == 0) return core::load_be16(&buf[hl + 4]);
        }
        return -1;
    };
    echo(0x2222);
    EXPECT_EQ(reply_id(), -1);
    echo(0x1111);
    EXPECT_EQ(reply_id(), 0x1111);
}

}  // namespace
