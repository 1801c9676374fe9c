// net: the multipath engines over raw sockets, or one datagram socket per flow without privileges; see include/icmpkit/net/multipath_driver.hpp.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <vector>

#include "icmpkit/net/multipath_driver.hpp"
#include "icmpkit/net/ping_socket.hpp"
#include "icmpkit/wire/ipv4.hpp"
#include "multipath_flows.hpp"
#include "sockaddr_util.hpp"

namespace icmpkit::net {
namespace {

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

core::Unexpected<MultipathSocketError> sys_fail(const std::string& what) {
    const int e = errno;
    return core::Unexpected<MultipathSocketError>(
        MultipathSocketError{e, what + ": " + std::strerror(e), e == EPERM || e == EACCES});
}

// The source address the kernel would choose: connect a UDP socket and ask (no packet is sent).
std::optional<core::IpAddress> route_source(const core::IpAddress& dst) {
    Fd s{::socket(dst.is_v4() ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
    if (s.fd < 0) return std::nullopt;
    auto sa = to_sockaddr(dst, 9);
    if (::connect(s.fd, sa.get(), sa.len) != 0) return std::nullopt;
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    if (::getsockname(s.fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) return std::nullopt;
    return from_sockaddr(reinterpret_cast<sockaddr*>(&local));
}

bool unspecified(const core::IpAddress& a) {
    return a.is_v4() ? a.v4().to_uint() == 0 : a.v6() == core::Ipv6Address();
}

class Loop {
public:
    Loop(const MultipathEngine& e, const probe::ProbeSpace& s) : e_(e), s_(s), v4_(s.destination.is_v4()) {}

    // Raw sockets when allowed (whole quotes, any flow from one socket); refused, one datagram
    // socket per flow (multipath_flows.hpp).
    core::Result<void, MultipathSocketError> open(probe::ProbeSpace& space, const SocketMultipathOptions& o) {
        const int af = v4_ ? AF_INET : AF_INET6;
        const int proto = probe::method_protocol(s_.method, s_.destination.family());
        send_.fd = ::socket(af, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, v4_ ? IPPROTO_RAW : proto);
        if (send_.fd < 0 && (errno == EPERM || errno == EACCES)) return open_datagram(space, o);
        if (send_.fd < 0) return sys_fail("raw socket");
        space.identification_is_serial = v4_;
        recv_.fd = ::socket(af, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, v4_ ? IPPROTO_ICMP : IPPROTO_ICMPV6);
        if (recv_.fd < 0) return sys_fail("raw ICMP socket");
        for (int fd : {send_.fd, recv_.fd})
            if (!o.interface.empty() &&
                ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o.interface.c_str(),
                             static_cast<socklen_t>(o.interface.size())) != 0)
                return sys_fail("SO_BINDTODEVICE " + o.interface);
        return {};
    }

    MultipathRunStats run(const SocketMultipathOptions& o) {
        const core::MonoTime begin = mono_now();
        // A ceiling past what the clock can add (continuous mode passes a huge one) is no ceiling.
        const core::MonoTime never{core::Duration::max()};
        const core::MonoTime stop = o.ceiling < never - begin ? begin + o.ceiling : never;
        const int sfd = o.signals ? o.signals->fd() : -1;
        transmit();
        while (!e_.finished()) {
            core::MonoTime now = mono_now();
            if (now >= stop) {
                e_.interrupt();
                break;
            }
            core::Duration wait = std::chrono::milliseconds(200);
            if (auto d = e_.next_deadline()) wait = std::clamp<core::Duration>(*d - now, core::Duration{0}, wait);
            timespec ts{static_cast<time_t>(wait.count() / 1000000000), static_cast<long>(wait.count() % 1000000000)};
            if (flows_) flows_->poll_set(poll_);
            else poll_.assign(1, pollfd{recv_.fd, POLLIN, 0});
            if (sfd >= 0) poll_.push_back(pollfd{sfd, POLLIN, 0});
            ::ppoll(poll_.data(), poll_.size(), &ts, nullptr);
            if (sfd >= 0) poll_.pop_back();
            // The signal first, then the sockets: answers queued before the signal still count.
            const int sig = o.signals ? o.signals->take() : 0;
            if (flows_) flows_->receive(poll_, [this](probe::TraceResponse r, core::MonoTime at) { deliver(std::move(r), at); });
            else for (int i = 0; i < 256 && receive(); ++i) {}
            if (sig) {
                st_.signal = sig;
                e_.interrupt();
                break;
            }
            now = mono_now();
            if (auto d = e_.next_deadline(); d && now >= *d) e_.on_timer(now);
            transmit();
            if (o.on_wake) o.on_wake(now);
        }
        st_.finished = e_.finished();
        st_.end = mono_now();
        return st_;
    }

private:
    core::Result<void, MultipathSocketError> open_datagram(probe::ProbeSpace& space, const SocketMultipathOptions& o) {
        const bool icmp = space.method == probe::TraceMethod::icmp_paris;
        if (const int e = FlowSockets::allowed(space); e != 0) {
            errno = e;
            if (icmp && (e == EACCES || e == EPERM))
                return core::Unexpected<MultipathSocketError>(MultipathSocketError{
                    e, "--mda/--cycles: " + no_socket_advice(space.destination.family()) + "; or use --method=udp-paris",
                    true});
            return sys_fail(icmp ? "socket(ICMP datagram)" : "socket(UDP)");
        }
        space.identification_is_serial = false;  // the kernel writes the IP header
        if (!FlowSockets::choose_base(space, o.interface)) {
            errno = EADDRINUSE;
            return sys_fail(std::string("no free range of ") + std::to_string(space.flows) +
                            (icmp ? " ICMP identifiers" : " UDP source ports"));
        }
        flows_ = std::make_unique<FlowSockets>(space, o.interface);
        return {};
    }

    void deliver(probe::TraceResponse r, core::MonoTime at) {
        if (r.kind == probe::ResponseKind::unreachable && r.from == s_.destination)
            r.kind = probe::ResponseKind::destination;
        if (r.kind == probe::ResponseKind::rejected) {
            ++st_.rejected;
            return;
        }
        ++st_.received;
        e_.on_response(r, at);
    }

    bool receive() {
        std::array<std::uint8_t, 2048> buf{};
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        const ssize_t n = ::recvfrom(recv_.fd, buf.data(), buf.size(), MSG_DONTWAIT,
                                     reinterpret_cast<sockaddr*>(&from), &len);
        if (n <= 0) return false;
        const core::MonoTime at = mono_now();
        const auto src = from_sockaddr(reinterpret_cast<sockaddr*>(&from));
        if (!src) return true;
        core::Bytes payload(buf.data(), static_cast<std::size_t>(n));
        std::optional<std::uint8_t> ttl;
        if (v4_) {  // a raw IPv4 socket hands over the IP header too
            auto h = wire::Ipv4HeaderView::parse(payload);
            if (!h) return true;
            ttl = h->ttl();
            payload = h->payload();
        }
        deliver(probe::match_response(s_, v4_ ? 1 : 58, payload, *src, ttl), at);
        return true;
    }

    void transmit() {
        for (const auto& p : e_.take_probes()) {
            const probe::ProbeId id{p.flow, p.serial, p.ttl};
            ssize_t n = -1;
            if (flows_) {
                n = flows_->send(p) ? 0 : -1;
            } else if (v4_) {
                const auto d = probe::build_datagram(s_, id);
                auto sa = to_sockaddr(s_.destination, 0);
                n = ::sendto(send_.fd, d.data(), d.size(), 0, sa.get(), sa.len);
            } else {
                const auto b = probe::build_probe(s_, id);
                const int hops = p.ttl;
                ::setsockopt(send_.fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops);
                auto sa = to_sockaddr(s_.destination, 0);
                n = ::sendto(send_.fd, b.segment.data(), b.segment.size(), 0, sa.get(), sa.len);
            }
            if (n >= 0) ++st_.sent;
            e_.on_sent(p.serial, mono_now());  // a failed send is a probe that goes unanswered
        }
    }

    const MultipathEngine& e_;
    const probe::ProbeSpace& s_;
    bool v4_;
    Fd send_, recv_;
    std::unique_ptr<FlowSockets> flows_;  // unprivileged: one datagram socket per flow
    std::vector<pollfd> poll_;
    MultipathRunStats st_;
};

}  // namespace

core::Result<MultipathRunStats, MultipathSocketError> run_multipath(const MultipathEngine& engine,
                                                                    probe::ProbeSpace& space,
                                                                    const SocketMultipathOptions& options) {
    if (space.method != probe::TraceMethod::udp_paris && space.method != probe::TraceMethod::icmp_paris) {
        errno = EINVAL;
        return core::Unexpected<MultipathSocketError>(
            MultipathSocketError{EINVAL, "--mda/--cycles over sockets: methods udp-paris and icmp only", false});
    }
    if (unspecified(space.source)) {
        auto src = route_source(space.destination);
        if (!src) return sys_fail("no route to " + space.destination.to_string());
        space.source = *src;
    }
    Loop loop(engine, space);
    if (auto o = loop.open(space, options); !o) return core::Unexpected<MultipathSocketError>(o.error());
    return loop.run(options);
}

}  // namespace icmpkit::net
