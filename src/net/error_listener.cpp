// IP_RECVERR / MSG_ERRQUEUE listener and the raw-socket error watcher.
#include "icmpkit/net/error_listener.hpp"

#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sockaddr_util.hpp"
#include "icmpkit/wire/ip_protocol.hpp"

namespace icmpkit::net {

namespace {

core::Unexpected<core::SysError> sys_fail(const char* op) { return core::Unexpected(core::SysError{errno, op}); }

bool wait_fd(int fd, short events, std::chrono::milliseconds timeout, short& got) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    got = n > 0 ? p.revents : 0;
    return n >= 0;
}

std::optional<core::WallTime> timestamp_of(cmsghdr* c) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts;
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        return core::WallTime(std::chrono::nanoseconds(std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec));
    }
    return std::nullopt;
}

probe::ErrorOrigin origin_of(std::uint8_t o) {
    if (o == SO_EE_ORIGIN_ICMP6) return probe::ErrorOrigin::icmp6;
    if (o == SO_EE_ORIGIN_ICMP) return probe::ErrorOrigin::icmp;
    return probe::ErrorOrigin::local;
}

// The errqueue entry -> IcmpError; `dst` is msg_name (the original destination), `local` ours.
IcmpError from_extended_err(const sock_extended_err& ee, const sockaddr* offender, const SockAddr& dst,
                            const SockAddr& local, std::uint8_t protocol) {
    IcmpError e;
    e.origin = origin_of(ee.ee_origin);
    e.error_number = static_cast<int>(ee.ee_errno);
    e.type = ee.ee_type;
    e.code = ee.ee_code;
    core::Family fam = e.origin == probe::ErrorOrigin::icmp6 ? core::Family::v6 : core::Family::v4;
    if (e.origin == probe::ErrorOrigin::local) {
        if (ee.ee_errno == EMSGSIZE) e.mtu = ee.ee_info;
        e.classification.family = dst.ss.ss_family == AF_INET6 ? core::Family::v6 : core::Family::v4;
    } else {
        e.classification = probe::classify_error(fam, ee.ee_type, ee.ee_code, ee.ee_info);
        e.mtu = e.classification.mtu;
        if (offender && offender->sa_family != AF_UNSPEC) e.reporter = from_sockaddr(offender);
    }
    auto d = from_sockaddr(dst.get());
    auto s = from_sockaddr(local.get());
    if (d && s) {
        auto port = [](const SockAddr& a) {
            return a.ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<const sockaddr_in6*>(&a.ss)->sin6_port)
                                              : ntohs(reinterpret_cast<const sockaddr_in*>(&a.ss)->sin_port);
        };
        e.flow = wire::FlowKey{*s, *d, protocol, port(local), port(dst)};
    }
    return e;
}

}  // namespace

core::SysResult<ErrorListener> ErrorListener::attach(int fd) {
    int domain = 0, proto = 0;
    socklen_t len = sizeof domain;
    if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0) return sys_fail("getsockopt(SO_DOMAIN)");
    len = sizeof proto;
    if (::getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) < 0) return sys_fail("getsockopt(SO_PROTOCOL)");
    if ((domain != AF_INET && domain != AF_INET6) || (proto != IPPROTO_UDP && proto != IPPROTO_TCP))
        return core::Unexpected(core::SysError{EPROTONOSUPPORT, "ErrorListener::attach (not a UDP/TCP socket)"});
    int one = 1;
    if (::setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof one) < 0 && domain == AF_INET)
        return sys_fail("setsockopt(IP_RECVERR)");
    if (domain == AF_INET6 && ::setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof one) < 0)
        return sys_fail("setsockopt(IPV6_RECVERR)");
    ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);  // best effort
    auto fam = domain == AF_INET6 ? core::Family::v6 : core::Family::v4;
    return ErrorListener(fd, fam, static_cast<std::uint8_t>(proto));
}

core::SysResult<std::optional<IcmpError>> ErrorListener::socket_error() {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return sys_fail("getsockopt(SO_ERROR)");
    if (!err) return std::optional<IcmpError>{};
    IcmpError e;
    e.origin = probe::ErrorOrigin::socket;
    e.error_number = err;
    e.classification.family = family_;
    SockAddr local, peer;
    local.len = peer.len = sizeof(sockaddr_storage);
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&local.ss), &local.len) == 0 &&
        ::getpeername(fd_, reinterpret_cast<sockaddr*>(&peer.ss), &peer.len) == 0) {
        auto s = from_sockaddr(local.get()), d = from_sockaddr(peer.get());
        auto port = [](const SockAddr& a) {
            return a.ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<const sockaddr_in6*>(&a.ss)->sin6_port)
                                              : ntohs(reinterpret_cast<const sockaddr_in*>(&a.ss)->sin_port);
        };
        if (s && d) e.flow = wire::FlowKey{*s, *d, protocol_, port(local), port(peer)};
    }
    return std::optional<IcmpError>(e);
}

core::SysResult<std::optional<IcmpError>> ErrorListener::next() {
    std::uint8_t payload[2048];
    alignas(cmsghdr) char control[512];
    SockAddr dst;
    iovec iov{payload, sizeof payload};
    msghdr msg{};
    msg.msg_name = &dst.ss;
    msg.msg_namelen = sizeof dst.ss;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(fd_, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            // TCP never queues ICMP details: the errno on the socket is all there is.
            if (protocol_ == IPPROTO_TCP) return socket_error();
            return std::optional<IcmpError>{};
        }
        return sys_fail("recvmsg(MSG_ERRQUEUE)");
    }
    dst.len = msg.msg_namelen;
    SockAddr local;
    local.len = sizeof local.ss;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&local.ss), &local.len);
    std::optional<IcmpError> out;
    std::optional<core::WallTime> ts;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (auto t = timestamp_of(c)) ts = t;
        bool v4 = c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR;
        bool v6 = c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR;
        if (!v4 && !v6) continue;
        sock_extended_err ee;
        std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
        // SO_EE_OFFENDER: the sockaddr right after the struct, inside the cmsg.
        const auto* off = reinterpret_cast<const sockaddr*>(CMSG_DATA(c) + sizeof ee);
        bool has_off = c->cmsg_len >= CMSG_LEN(sizeof ee + sizeof(sockaddr_in));
        out = from_extended_err(ee, has_off ? off : nullptr, dst, local, protocol_);
    }
    if (out) out->timestamp = ts;
    return out;
}

core::SysResult<std::optional<IcmpError>> ErrorListener::wait(std::chrono::milliseconds timeout) {
    short got = 0;
    if (!wait_fd(fd_, protocol_ == IPPROTO_TCP ? POLLOUT : 0, timeout, got)) return sys_fail("poll");
    return next();
}

RawErrorWatcher::RawErrorWatcher(RawErrorWatcher&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), family_(o.family_), matcher_(std::move(o.matcher_)), observe_all_(o.observe_all_) {}
RawErrorWatcher& RawErrorWatcher::operator=(RawErrorWatcher&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(o.fd_, -1);
        family_ = o.family_;
        matcher_ = std::move(o.matcher_);
        observe_all_ = o.observe_all_;
    }
    return *this;
}
RawErrorWatcher::~RawErrorWatcher() {
    if (fd_ >= 0) ::close(fd_);
}

core::SysResult<RawErrorWatcher> RawErrorWatcher::open(core::Family family) {
    bool v6 = family == core::Family::v6;
    int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
                      v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
    if (fd < 0) return sys_fail(v6 ? "socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)" : "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)");
    RawErrorWatcher w;
    w.fd_ = fd;
    w.family_ = family;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    // Pass only error types (fewer wakeups; the matcher would count the rest as not_error).
    if (v6) {
        icmp6_filter f;
        ICMP6_FILTER_SETBLOCKALL(&f);
        for (int t : {ICMP6_DST_UNREACH, ICMP6_PACKET_TOO_BIG, ICMP6_TIME_EXCEEDED, ICMP6_PARAM_PROB})
            ICMP6_FILTER_SETPASS(t, &f);
        ::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f);
    } else {
        icmp_filter f{};
        f.data = ~((1u << ICMP_DEST_UNREACH) | (1u << ICMP_SOURCE_QUENCH) | (1u << ICMP_TIME_EXCEEDED) |
                   (1u << ICMP_PARAMETERPROB));
        ::setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof f);
    }
    return w;
}

core::SysResult<std::optional<probe::MatchResult>> RawErrorWatcher::read_one() {
    std::uint8_t buf[4096];
    alignas(cmsghdr) char control[256];
    SockAddr from;
    iovec iov{buf, sizeof buf};
    msghdr msg{};
    msg.msg_name = &from.ss;
    msg.msg_namelen = sizeof from.ss;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(fd_, &msg, MSG_DONTWAIT);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return std::optional<probe::MatchResult>{};
        return sys_fail("recvmsg");
    }
    std::optional<core::WallTime> ts;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
        if (auto t = timestamp_of(c)) ts = t;
    auto reporter = from_sockaddr(from.get()).value_or(core::IpAddress{});
    core::Bytes data(buf, static_cast<std::size_t>(n));
    if (family_ == core::Family::v4) {
        // A raw IPv4 socket hands us the IP header too; the ICMP message follows IHL*4 bytes.
        std::size_t ihl = n > 0 ? (buf[0] & 0x0F) * 4u : 0;
        if (ihl < 20 || ihl > data.size()) ihl = data.size();
        data = data.subspan(ihl);
    }
    auto r = observe_all_ ? matcher_.inspect(family_, data, reporter) : matcher_.match(family_, data, reporter);
    if (r.error) r.error->timestamp = ts;
    return std::optional<probe::MatchResult>(std::move(r));
}

core::SysResult<std::optional<IcmpError>> RawErrorWatcher::wait(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto r = read_one();
        if (!r) return core::Unexpected(r.error());
        if (*r) {
            if ((*r)->verdict == probe::MatchVerdict::delivered) return std::optional<IcmpError>((*r)->error);
            continue;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::optional<IcmpError>{};
        short got = 0;
        if (!wait_fd(fd_, POLLIN, left, got)) return sys_fail("poll");
    }
}

}  // namespace icmpkit::net
