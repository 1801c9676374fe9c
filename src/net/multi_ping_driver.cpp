// The multi-target ping driver (multi_ping.hpp): one socket per family, ppoll on them and a
// signalfd; receive in batches (recvmmsg, then the error queue), expire timers, transmit in
// batches (sendmmsg). Buffers are allocated once per run: nothing per packet.
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include "icmpkit/net/signals.hpp"
#include "icmpkit/net/multi_ping.hpp"
#include "sockaddr_util.hpp"

namespace icmpkit::net {
namespace {

constexpr int batch = 64;

core::Duration from_timespec(const timespec& t) {
    return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
}

class MultiDriver {
public:
    MultiDriver(probe::MultiPing& p, MultiSockets& s, const std::function<void(const probe::MultiAction&)>& e)
        : ping_(p), socks_(s), on_event_(e), offset_(wall_offset()) {
        buf_size_ = p.config().payload_size + 8 + 60 + 64;
        if (buf_size_ < 2048) buf_size_ = 2048;
        bufs_.resize(buf_size_ * batch);
        ctrl_.resize(256 * batch);
        actions_.reserve(256);
    }
    core::SysResult<MultiDriverCounters> run();

private:
    void receive(IcmpSocket& s);
    void drain_errqueue(IcmpSocket& s);
    void dispatch();
    void flush(core::Family f);
    core::MonoTime rx_time(msghdr& m) const;

    probe::MultiPing& ping_;
    MultiSockets& socks_;
    const std::function<void(const probe::MultiAction&)>& on_event_;
    core::Duration offset_;
    std::size_t buf_size_ = 0;
    std::vector<std::uint8_t> bufs_;
    std::vector<char> ctrl_;
    std::array<sockaddr_storage, batch> names_{};
    std::array<iovec, batch> iov_{};
    std::array<mmsghdr, batch> msgs_{};
    // Pending sends of one family: (sequence, bytes, address).
    struct Out {
        std::uint16_t sequence;
        core::Bytes icmp;
        SockAddr to;
    };
    std::array<Out, batch> out_{};
    int out_n_ = 0;
    core::Family out_family_ = core::Family::v4;
    std::vector<probe::MultiAction> actions_;
    MultiDriverCounters c_;
};

core::MonoTime MultiDriver::rx_time(msghdr& m) const {
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS && c->cmsg_len >= CMSG_LEN(sizeof(timespec))) {
            timespec t;
            std::memcpy(&t, CMSG_DATA(c), sizeof t);
            return core::MonoTime{from_timespec(t) - offset_};
        }
    return mono_now();
}

void MultiDriver::receive(IcmpSocket& s) {
    for (int rounds = 0; rounds < 64; ++rounds) {
        for (int i = 0; i < batch; ++i) {
            iov_[i] = {bufs_.data() + static_cast<std::size_t>(i) * buf_size_, buf_size_};
            msghdr& h = msgs_[i].msg_hdr;
            h = msghdr{};
            h.msg_name = &names_[i];
            h.msg_namelen = sizeof(sockaddr_storage);
            h.msg_iov = &iov_[i];
            h.msg_iovlen = 1;
            h.msg_control = ctrl_.data() + static_cast<std::size_t>(i) * 256;
            h.msg_controllen = 256;
        }
        int n = ::recvmmsg(s.fd(), msgs_.data(), batch, MSG_DONTWAIT, nullptr);
        ++c_.receive_calls;
        if (n <= 0) return;
        c_.packets += static_cast<std::uint64_t>(n);
        for (int i = 0; i < n; ++i) {
            msghdr& h = msgs_[i].msg_hdr;
            auto src = from_sockaddr(reinterpret_cast<sockaddr*>(&names_[i]));
            if (!src) continue;
            core::Bytes data(static_cast<std::uint8_t*>(iov_[i].iov_base), msgs_[i].msg_len);
            if (s.family() == core::Family::v4 && s.kind() == SocketKind::raw) {  // IP header first
                if (data.size() < 20) continue;
                const std::size_t hlen = std::size_t{data[0] & 0x0Fu} * 4;
                if (hlen < 20 || data.size() < hlen + 8) continue;
                data = data.subspan(hlen);
            }
            ping_.on_reply(probe::Received{*src, data, std::nullopt}, rx_time(h));
        }
        dispatch();
        if (n < batch) return;
    }
}

void MultiDriver::drain_errqueue(IcmpSocket& s) {
    for (int count = 0; count < 4096; ++count) {
        sockaddr_storage target{};
        std::array<std::uint8_t, 512> data{};
        iovec iov{data.data(), data.size()};
        msghdr m{};
        m.msg_name = &target;
        m.msg_namelen = sizeof target;
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        m.msg_control = ctrl_.data();
        m.msg_controllen = 256;
        ssize_t n = ::recvmsg(s.fd(), &m, MSG_ERRQUEUE | MSG_DONTWAIT);
        if (n < 0) return;
        ++c_.errqueue;
        const sock_extended_err* e = nullptr;
        for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
            if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
                (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR))
                e = reinterpret_cast<const sock_extended_err*>(CMSG_DATA(c));
        if (!e || (e->ee_origin != SO_EE_ORIGIN_ICMP && e->ee_origin != SO_EE_ORIGIN_ICMP6) || n < 8) continue;
        probe::QueuedIcmpError q;
        q.offender = from_sockaddr(SO_EE_OFFENDER(e)).value_or(core::IpAddress{});
        if (auto t = from_sockaddr(reinterpret_cast<sockaddr*>(&target))) q.original_destination = *t;
        q.type = e->ee_type;
        q.code = e->ee_code;
        q.info = e->ee_info;
        q.original_type = data[0];
        q.original_identifier = core::load_be16(&data[4]);
        q.sequence = core::load_be16(&data[6]);
        ping_.on_queued_error(q, mono_now());
        dispatch();
    }
}

void MultiDriver::flush(core::Family f) {
    if (out_n_ == 0) return;
    IcmpSocket* s = socks_.of(f);
    std::array<mmsghdr, batch> m{};
    std::array<iovec, batch> iov{};
    for (int i = 0; i < out_n_; ++i) {
        iov[i] = {const_cast<std::uint8_t*>(out_[i].icmp.data()), out_[i].icmp.size()};
        m[i].msg_hdr.msg_name = &out_[i].to.ss;
        m[i].msg_hdr.msg_namelen = out_[i].to.len;
        m[i].msg_hdr.msg_iov = &iov[i];
        m[i].msg_hdr.msg_iovlen = 1;
    }
    const int n_out = out_n_;
    out_n_ = 0;
    for (int at = 0; at < n_out;) {
        // The send time is taken before the call: on loopback the reply can be stamped by the
        // kernel before sendmmsg() returns.
        const core::MonoTime now = mono_now();
        int n = ::sendmmsg(s->fd(), m.data() + at, static_cast<unsigned>(n_out - at), 0);
        ++c_.send_calls;
        if (n > 0) {
            for (int i = at; i < at + n; ++i) ping_.on_sent(out_[i].sequence, now);
            at += n;
            continue;
        }
        // fping send_ping(): the failed probe counts as sent; the rest of the batch goes on.
        ping_.on_send_error(out_[at].sequence, errno, now);
        ++at;
    }
}

void MultiDriver::dispatch() {
    for (int guard = 0; guard < 1 << 16; ++guard) {
        ping_.take_actions(actions_);
        if (actions_.empty()) return;
        for (auto& a : actions_) {
            if (auto* t = std::get_if<probe::MultiTransmit>(&a)) {
                const core::IpAddress& d = ping_.config().targets[t->target];
                if (out_n_ == batch || (out_n_ && d.family() != out_family_)) flush(out_family_);
                out_family_ = d.family();
                if (!socks_.of(d.family())) {
                    ping_.on_send_error(t->sequence, EAFNOSUPPORT, mono_now());
                    continue;
                }
                out_[out_n_++] = Out{t->sequence, t->icmp, to_sockaddr(d, 0)};
            } else if (on_event_) {
                on_event_(a);
            }
        }
        flush(out_family_);  // before the next take_actions(): the bytes live until then
    }
}

core::SysResult<MultiDriverCounters> MultiDriver::run() {
    SignalBlock signals({SIGINT});
    const int sfd = signals.fd();
    if (sfd < 0) return core::Unexpected(core::SysError{errno, "signalfd"});
    // -i is a gap of microseconds at sweep rates: the default 50 us timer slack would stretch
    // every sleep. 1 us keeps the pacing close to what was asked (never below it).
    if (ping_.config().interval < std::chrono::milliseconds(1)) (void)::prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
    ping_.start(mono_now());
    dispatch();
    while (!ping_.finished()) {
        timespec ts{}, *tsp = nullptr;
        if (auto dl = ping_.next_deadline()) {
            core::Duration left = *dl - mono_now();
            if (left < core::Duration{0}) left = core::Duration{0};
            ts.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(left).count();
            ts.tv_nsec = (left - std::chrono::seconds(ts.tv_sec)).count();
            tsp = &ts;
        }
        pollfd fds[3] = {{sfd, POLLIN, 0}, {-1, POLLIN, 0}, {-1, POLLIN, 0}};
        if (socks_.v4) fds[1].fd = socks_.v4->fd();
        if (socks_.v6) fds[2].fd = socks_.v6->fd();
        int rc = ::ppoll(fds, 3, tsp, nullptr);
        if (rc < 0 && errno != EINTR) return core::Unexpected(core::SysError{errno, "ppoll"});
        for (int i = 1; rc > 0 && i < 3; ++i) {
            if (fds[i].fd < 0 || !fds[i].revents) continue;
            IcmpSocket& s = i == 1 ? *socks_.v4 : *socks_.v6;
            receive(s);
            if (fds[i].revents & POLLERR) drain_errqueue(s);
        }
        if (rc > 0 && (fds[0].revents & POLLIN)) {
            signalfd_siginfo si;
            while (::read(sfd, &si, sizeof si) == sizeof si)
                if (si.ssi_signo == SIGINT) ping_.interrupt(mono_now());
        }
        const core::MonoTime now = mono_now();
        if (auto d = ping_.next_deadline(); d && now >= *d) ping_.on_timer(now);
        dispatch();
    }
    return c_;
}

core::SysResult<void> setint(int fd, int level, int name, int v, const char* op) {
    if (::setsockopt(fd, level, name, &v, sizeof v) < 0) return core::Unexpected(core::SysError{errno, op});
    return {};
}

core::SysResult<void> configure_one(IcmpSocket& s, const MultiSocketOptions& o) {
    const int fd = s.fd();
    const bool v4 = s.family() == core::Family::v4;
    if (!o.device.empty() &&
        ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o.device.c_str(), o.device.size() + 1) < 0)
        return core::Unexpected(core::SysError{errno, "binding to specific interface (SO_BINDTODEVICE)"});
    // A raw socket sees ICMP errors inline; IP_RECVERR would queue each one a second time.
    const bool recverr = s.kind() == SocketKind::datagram;
    if (v4) {
        if (recverr) if (auto r = setint(fd, IPPROTO_IP, IP_RECVERR, 1, "IP_RECVERR"); !r) return r;
        if (s.kind() == SocketKind::raw) {  // echo replies and the errors about our probes
            icmp_filter f{};
            f.data = ~((1u << ICMP_SOURCE_QUENCH) | (1u << ICMP_DEST_UNREACH) | (1u << ICMP_TIME_EXCEEDED) |
                       (1u << ICMP_PARAMETERPROB) | (1u << ICMP_REDIRECT) | (1u << ICMP_ECHOREPLY));
            ::setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof f);
        }
        if (o.ttl) if (auto r = setint(fd, IPPROTO_IP, IP_TTL, *o.ttl, "setsockopt IP_TTL"); !r) return r;
        if (o.tos) if (auto r = setint(fd, IPPROTO_IP, IP_TOS, *o.tos, "setting type of service octet IP_TOS"); !r) return r;
        if (o.dont_fragment)
            if (auto r = setint(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO, "IP_MTU_DISCOVER"); !r) return r;
    } else {
        if (recverr) if (auto r = setint(fd, IPPROTO_IPV6, IPV6_RECVERR, 1, "IPV6_RECVERR"); !r) return r;
        if (s.kind() == SocketKind::raw) {
            int off = 2;  // RFC 4443 2.3: the kernel computes the checksum over the pseudo-header
            ::setsockopt(fd, SOL_RAW, IPV6_CHECKSUM, &off, sizeof off);
            icmp6_filter f{};
            for (auto& w : f.data) w = 0xFFFFFFFFu;
            for (int t : {ICMPV6_ECHO_REPLY, ICMPV6_DEST_UNREACH, ICMPV6_PKT_TOOBIG, ICMPV6_TIME_EXCEED, ICMPV6_PARAMPROB})
                f.data[t >> 5] &= ~(1u << (t & 31));
            ::setsockopt(fd, IPPROTO_ICMPV6, ICMPV6_FILTER, &f, sizeof f);
        }
        if (o.ttl) if (auto r = setint(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, *o.ttl, "setsockopt IPV6_UNICAST_HOPS"); !r) return r;
        if (o.tos) if (auto r = setint(fd, IPPROTO_IPV6, IPV6_TCLASS, *o.tos, "setting traffic class"); !r) return r;
    }
    if (o.source && o.source->family() == s.family()) {
        SockAddr sa = to_sockaddr(*o.source, 0);
        if (::bind(fd, sa.get(), sa.len) < 0) return core::Unexpected(core::SysError{errno, "cannot bind source address"});
    }
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &o.receive_buffer, sizeof o.receive_buffer);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &o.receive_buffer, sizeof o.receive_buffer);  // root only
    int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    return {};
}

}  // namespace

core::SysResult<void> open_multi_sockets(MultiSockets& out, bool want_v4, bool want_v6, const MultiSocketOptions& o) {
    for (auto f : {core::Family::v4, core::Family::v6}) {
        if (!(f == core::Family::v4 ? want_v4 : want_v6)) continue;
        auto s = IcmpSocket::open(f);
        if (!s) return core::Unexpected(s.error());
        if (auto r = configure_one(*s, o); !r) return core::Unexpected(r.error());
        (f == core::Family::v4 ? out.v4 : out.v6) = std::move(*s);
    }
    return {};
}

core::SysResult<MultiDriverCounters> run_multi_ping(probe::MultiPing& ping, MultiSockets& sockets,
                                                    const std::function<void(const probe::MultiAction&)>& on_event) {
    MultiDriver d(ping, sockets, on_event);
    return d.run();
}

}  // namespace icmpkit::net
