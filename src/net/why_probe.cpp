// `icmpkit why`'s probe: send, then wait for the evidence (errqueue, raw ICMP, reply, handshake).
#include "icmpkit/net/why_probe.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "sockaddr_util.hpp"

namespace icmpkit::net {

namespace {

using Clock = std::chrono::steady_clock;

struct Fd {
    int fd = -1;
    ~Fd() { if (fd >= 0) ::close(fd); }
};

core::Unexpected<core::SysError> sys_fail(const char* op) { return core::Unexpected(core::SysError{errno, op}); }

std::uint16_t port_of(const SockAddr& a) {
    return a.ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<const sockaddr_in6*>(&a.ss)->sin6_port)
                                      : ntohs(reinterpret_cast<const sockaddr_in*>(&a.ss)->sin_port);
}

std::chrono::milliseconds left(Clock::time_point deadline) {
    auto l = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return l.count() < 0 ? std::chrono::milliseconds(0) : l;
}

core::SysResult<void> set_ttl(int fd, bool v6, std::optional<int> ttl) {
    if (!ttl) return {};
    int t = *ttl;
    int rc = v6 ? ::setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &t, sizeof t)
                : ::setsockopt(fd, IPPROTO_IP, IP_TTL, &t, sizeof t);
    if (rc < 0) return sys_fail(v6 ? "setsockopt(IPV6_UNICAST_HOPS)" : "setsockopt(IP_TTL)");
    return {};
}

wire::FlowKey flow_of(int fd, const WhyRequest& rq) {
    SockAddr local;
    local.len = sizeof local.ss;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&local.ss), &local.len);
    return wire::FlowKey{from_sockaddr(local.get()).value_or(core::IpAddress{}), rq.destination, rq.protocol,
                         port_of(local), rq.port};
}

core::SysResult<WhyResult> why_udp(const WhyRequest& rq) {
    bool v6 = rq.destination.is_v6();
    Fd s{::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
    if (s.fd < 0) return sys_fail("socket(SOCK_DGRAM)");
    if (auto r = set_ttl(s.fd, v6, rq.ttl); !r) return core::Unexpected(r.error());
    if (rq.size > 1200) {  // large probes test the path MTU: forbid fragmentation (RFC 1191)
        int pmtu = IP_PMTUDISC_DO;
        if (v6) ::setsockopt(s.fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof pmtu);
        else ::setsockopt(s.fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
    }
    auto listener = ErrorListener::attach(s.fd);
    if (!listener) return core::Unexpected(listener.error());
    auto dst = to_sockaddr(rq.destination, rq.port);
    if (::connect(s.fd, dst.get(), dst.len) < 0) return sys_fail("connect");
    WhyResult res;
    res.flow = flow_of(s.fd, rq);
    std::vector<std::uint8_t> payload(rq.size, 0);
    const char tag[] = "icmpkit why\n";
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(tag[i % 12]);
    auto deadline = Clock::now() + rq.timeout;
    if (::send(s.fd, payload.data(), payload.size(), 0) < 0 && errno != EMSGSIZE && errno != ECONNREFUSED &&
        errno != EHOSTUNREACH && errno != ENETUNREACH)
        return sys_fail("send");
    for (;;) {
        auto e = listener->next();
        if (!e) return core::Unexpected(e.error());
        if (*e) {
            res.outcome = WhyOutcome::icmp_error;
            res.evidence = WhyEvidence::errqueue;
            res.error = **e;
            return res;
        }
        std::uint8_t buf[2048];
        ssize_t n = ::recv(s.fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n >= 0) {
            res.outcome = WhyOutcome::udp_reply;
            res.reply_bytes = static_cast<std::size_t>(n);
            return res;
        }
        auto l = left(deadline);
        if (l.count() == 0) return res;  // timeout
        pollfd p{s.fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(l.count())) < 0 && errno != EINTR) return sys_fail("poll");
    }
}

// Chooses the SYN's sequence number through TCP_REPAIR (CAP_NET_ADMIN) so that RFC 5927 4.1's
// window check can be applied to quoted segments; false when the kernel refuses.
bool choose_isn(int fd, std::uint32_t isn) {
    int on = 1, off = 0, queue = TCP_SEND_QUEUE;
    if (::setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof on) < 0) return false;
    bool ok = ::setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &queue, sizeof queue) == 0 &&
              ::setsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, &isn, sizeof isn) == 0;
    ::setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof off);
    return ok;
}

core::SysResult<WhyResult> why_tcp(const WhyRequest& rq) {
    bool v6 = rq.destination.is_v6();
    Fd s{::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
    if (s.fd < 0) return sys_fail("socket(SOCK_STREAM)");
    if (auto r = set_ttl(s.fd, v6, rq.ttl); !r) return core::Unexpected(r.error());
    auto listener = ErrorListener::attach(s.fd);
    if (!listener) return core::Unexpected(listener.error());
    WhyResult res;
    auto watcher = RawErrorWatcher::open(rq.destination.family());
    res.raw_watcher = watcher.has_value();
    std::uint32_t isn = std::random_device{}() | 1u;
    res.window_checked = res.raw_watcher && choose_isn(s.fd, isn);
    auto dst = to_sockaddr(rq.destination, rq.port);
    auto deadline = Clock::now() + rq.timeout;
    if (::connect(s.fd, dst.get(), dst.len) < 0 && errno != EINPROGRESS) {
        int err = errno;
        res.flow = flow_of(s.fd, rq);
        res.evidence = WhyEvidence::socket_errno;
        res.outcome = err == ECONNREFUSED ? WhyOutcome::tcp_reset : WhyOutcome::socket_error;
        IcmpError e;
        e.origin = probe::ErrorOrigin::socket;
        e.error_number = err;
        e.classification.family = rq.destination.family();
        e.flow = res.flow;
        res.error = e;
        return res;
    }
    res.flow = flow_of(s.fd, rq);
    if (res.raw_watcher)  // the SYN occupies one sequence number: [isn, isn + 1)
        watcher->matcher().add_flow(res.flow, res.window_checked ? std::optional(probe::TcpSendWindow{isn, isn + 1})
                                                                 : std::nullopt);
    for (;;) {
        // The raw watcher first: its verdict applies RFC 5927 4.1 to the quoted sequence number.
        while (res.raw_watcher) {
            auto r = watcher->read_one();
            if (!r) return core::Unexpected(r.error());
            if (!*r) break;
            if ((*r)->verdict == probe::MatchVerdict::delivered) {
                res.outcome = WhyOutcome::icmp_error;
                res.evidence = WhyEvidence::raw_watcher;
                res.error = (*r)->error;
                return res;
            }
        }
        pollfd p[2] = {{s.fd, POLLOUT, 0}, {res.raw_watcher ? watcher->fd() : -1, POLLIN, 0}};
        if (::poll(p, 2, 0) > 0 && (p[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
            if (res.raw_watcher && (p[1].revents & POLLIN)) continue;  // ICMP evidence first
            // Linux >= 5.10 queues ICMP errors that abort a SYN-SENT connection on the error
            // queue (tcp_v4_err/tcp_v6_err call ip_icmp_error); a RST leaves only SO_ERROR.
            auto e = listener->next();
            if (!e) return core::Unexpected(e.error());
            if (!*e) {
                res.outcome = WhyOutcome::tcp_connected;
                return res;
            }
            res.error = **e;
            if ((*e)->origin == probe::ErrorOrigin::icmp || (*e)->origin == probe::ErrorOrigin::icmp6) {
                res.outcome = WhyOutcome::icmp_error;
                res.evidence = WhyEvidence::errqueue;
                return res;
            }
            res.evidence = WhyEvidence::socket_errno;
            res.outcome = (*e)->error_number == ECONNREFUSED ? WhyOutcome::tcp_reset : WhyOutcome::socket_error;
            return res;
        }
        auto l = left(deadline);
        if (l.count() == 0) return res;  // timeout
        if (::poll(p, 2, static_cast<int>(l.count())) < 0 && errno != EINTR) return sys_fail("poll");
    }
}

}  // namespace

core::SysResult<WhyResult> why_probe(const WhyRequest& request) {
    return request.protocol == 6 ? why_tcp(request) : why_udp(request);
}

}  // namespace icmpkit::net
