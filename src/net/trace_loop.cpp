// net::run_trace: the socket loop for probe::Trace (DESIGN.md 5: receive, timers, transmit).
#include <time.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <linux/errqueue.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "errqueue_response.hpp"
#include "trace_socket.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/ipv4.hpp"

namespace icmpkit::net {
namespace {

core::MonoTime mono_now() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return core::MonoTime{std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)};
}

class Loop {
public:
    Loop(probe::Trace& t, TraceSockets& s, const SocketTraceOptions& o, const TraceEventFn& e)
        : trace_(t), s_(s), o_(o), on_event_(e) {}

    core::Result<TraceRunResult, TraceSocketError> run(const std::function<bool()>& stop) {
        const core::MonoTime begin = mono_now(), ceiling = begin + o_.ceiling;
        trace_.start(begin);
        dispatch();
        while (!trace_.finished()) {
            core::MonoTime now = mono_now();
            if (now >= ceiling || (stop && stop())) return interrupted(now, begin, 0);
            auto d = trace_.next_deadline();
            core::Duration wait = d ? *d - now : std::chrono::milliseconds(200);
            wait = std::clamp(wait, core::Duration(0), core::Duration(std::chrono::milliseconds(200)));
            wait_readable(wait);
            // The signal first, then the sockets: every answer queued before the signal was
            // sent still counts for the hop being probed.
            const int sig = o_.signals ? o_.signals->take() : 0;
            receive_all();
            now = mono_now();
            if (sig) return interrupted(now, begin, sig);
            if (auto dl = trace_.next_deadline(); dl && now >= *dl) trace_.on_timer(now);
            dispatch();
        }
        const core::MonoTime end = mono_now();
        return TraceRunResult{true, 0, end, end - begin};
    }

private:
    TraceRunResult interrupted(core::MonoTime now, core::MonoTime begin, int signal) {
        trace_.interrupt(now);
        dispatch();
        return TraceRunResult{false, signal, now, now - begin};
    }

    void wait_readable(core::Duration wait) {
        std::array<pollfd, 4> p{};
        nfds_t n = 0;
        const int sfd = o_.signals ? o_.signals->fd() : -1;
        for (int fd : {s_.send_fd, s_.icmp_fd, s_.tcp_fd, sfd}) {
            bool seen = false;
            for (nfds_t i = 0; i < n; ++i) seen |= p[i].fd == fd;
            if (fd >= 0 && !seen) p[n++] = pollfd{fd, POLLIN, 0};
        }
        timespec ts{static_cast<time_t>(wait.count() / 1000000000), static_cast<long>(wait.count() % 1000000000)};
        ::ppoll(p.data(), n, &ts, nullptr);
    }

    void receive_all() {
        for (int i = 0; i < 256; ++i) {
            bool any = false;
            if (s_.icmp_fd >= 0) any |= read_raw(s_.icmp_fd, s_.space.destination.is_v4() ? 1 : 58);
            if (s_.tcp_fd >= 0) any |= read_raw(s_.tcp_fd, wire::ip_protocol::tcp);
            if (!s_.raw_send && s_.space.method == probe::TraceMethod::icmp_paris) any |= read_echo();
            if (s_.icmp_fd < 0 && !s_.raw_send) any |= read_errqueue();
            if (!any) return;
        }
    }

    // Raw sockets: IPv4 gives the IP header, IPv6 only the upper layer (hop limit in a cmsg).
    bool read_raw(int fd, std::uint8_t protocol) {
        std::array<std::uint8_t, 2048> buf{};
        sockaddr_storage from{};
        std::array<std::uint8_t, 256> ctrl{};
        iovec iov{buf.data(), buf.size()};
        msghdr m{};
        m.msg_name = &from, m.msg_namelen = sizeof from, m.msg_iov = &iov, m.msg_iovlen = 1;
        m.msg_control = ctrl.data(), m.msg_controllen = ctrl.size();
        const ssize_t n = ::recvmsg(fd, &m, MSG_DONTWAIT);
        if (n <= 0) return false;
        const core::MonoTime at = mono_now();
        auto src = from_sockaddr(reinterpret_cast<sockaddr*>(&from));
        if (!src) return true;
        core::Bytes payload(buf.data(), static_cast<std::size_t>(n));
        std::optional<std::uint8_t> ttl;
        if (src->is_v4()) {
            auto h = wire::Ipv4HeaderView::parse(payload);
            if (!h) return true;
            ttl = h->ttl();
            payload = h->payload();
        } else {
            for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
                if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
                    int v = 0;
                    std::memcpy(&v, CMSG_DATA(c), sizeof v);
                    ttl = static_cast<std::uint8_t>(v);
                }
        }
        trace_.on_packet(protocol, payload, *src, ttl, nullptr, at);
        dispatch();
        return true;
    }

    // ICMP datagram sockets: echo replies with our identifier, ICMP header first.
    bool read_echo() {
        std::array<std::uint8_t, 2048> buf{};
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        const ssize_t n = ::recvfrom(s_.send_fd, buf.data(), buf.size(), MSG_DONTWAIT,
                                     reinterpret_cast<sockaddr*>(&from), &len);
        if (n <= 0) return false;
        auto src = from_sockaddr(reinterpret_cast<sockaddr*>(&from));
        if (!src) return true;
        const std::uint8_t proto = src->is_v4() ? 1 : 58;
        trace_.on_packet(proto, core::Bytes(buf.data(), static_cast<std::size_t>(n)), *src, std::nullopt, nullptr,
                         mono_now());
        dispatch();
        return true;
    }

    bool read_errqueue() {
        auto e = read_error_response(s_.send_fd, s_.space, s_.space.source_port);
        if (!e.read) return false;
        if (!e.response) return true;
        trace_.on_response(*e.response, mono_now());
        dispatch();
        return true;
    }

    void send(const probe::TraceTransmit& tx) {
        const bool v4 = s_.space.destination.is_v4();
        const int ttl = tx.id.ttl;
        if (v4) ::setsockopt(s_.send_fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
        else ::setsockopt(s_.send_fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
        const auto& seg = tx.probe.segment;
        const bool udp = tx.probe.protocol == wire::ip_protocol::udp;
        const std::size_t off = udp ? 8 : 0;  // a UDP socket sends the payload only
        auto sa = to_sockaddr(s_.space.destination, udp ? tx.probe.destination_port : 0);
        const core::MonoTime now = mono_now();
        const core::Bytes data(seg.data() + off, seg.size() - off);
        const bool error_queue = s_.icmp_fd < 0 && !s_.raw_send;
        const ssize_t n = error_queue ? send_past_pending_error(s_.send_fd, data, sa.get(), sa.len)
                                      : ::sendto(s_.send_fd, data.data(), data.size(), 0, sa.get(), sa.len);
        if (n < 0) trace_.on_send_error(tx.id.serial, errno, now);
        else trace_.on_sent(tx.id.serial, now);
    }

    void dispatch() {
        for (int guard = 0; guard < 1 << 16; ++guard) {
            auto actions = trace_.take_actions();
            if (actions.empty()) return;
            for (auto& a : actions) {
                if (auto* tx = std::get_if<probe::TraceTransmit>(&a)) send(*tx);
                if (on_event_) on_event_(a);
            }
        }
    }

    probe::Trace& trace_;
    TraceSockets& s_;
    const SocketTraceOptions& o_;
    const TraceEventFn& on_event_;
};

}  // namespace

core::Result<TraceRunResult, TraceSocketError> run_trace(probe::Trace& trace, TraceSockets& sockets,
                                                         const SocketTraceOptions& options,
                                                         const TraceEventFn& on_event,
                                                         const std::function<bool()>& stop) {
    Loop l(trace, sockets, options, on_event);
    return l.run(stop);
}

}  // namespace icmpkit::net
