// The ping driver loop (DESIGN.md 5): ppoll on the socket and a signalfd; receive first (packets,
// then the error queue), then expire timers, then transmit what the engine asks for.
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "icmpkit/net/signals.hpp"
#include "icmpkit/net/ping_socket.hpp"
#include "sockaddr_util.hpp"

namespace icmpkit::net {
namespace {

core::Duration from_timespec(const timespec& t) {
    return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
}

class Driver {
public:
    Driver(probe::Ping& p, IcmpSocket& s, const core::IpAddress& d, std::uint32_t scope, const DriverHooks& h)
        : ping_(p), sock_(s), dest_(d), hooks_(h), dest_sa_(to_sockaddr(d, 0, scope)),
          offset_(p.config().wall_offset) {
        if (s.flowinfo() && !d.is_v4())  // -F: the label leased by configure()
            reinterpret_cast<sockaddr_in6*>(&dest_sa_.ss)->sin6_flowinfo = s.flowinfo();
    }

    core::SysResult<void> run();

private:
    core::MonoTime kernel_time(msghdr& m, bool* found);
    void drain_packets();
    int drain_errqueue();  // how many entries were read
    void handle_error_entry(msghdr& m, const std::uint8_t* data, ssize_t n);
    void dispatch();
    void send(const probe::Transmit& t);

    probe::Ping& ping_;
    IcmpSocket& sock_;
    core::IpAddress dest_;
    const DriverHooks& hooks_;
    SockAddr dest_sa_;
    core::Duration offset_;
    std::array<std::uint16_t, 4096> sent_seq_{};  // SOF_TIMESTAMPING_OPT_ID -> sequence
    std::uint32_t sends_ = 0;
    bool tx_pending_ = false;  // a send whose TX timestamp may still wait in the error queue
    std::array<std::uint8_t, 65536 + 512> buf_{};
    alignas(cmsghdr) std::array<char, 4096> ctrl_{};
};

core::MonoTime Driver::kernel_time(msghdr& m, bool* found) {
    *found = false;
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level != SOL_SOCKET) continue;
        if (c->cmsg_type == SCM_TIMESTAMPING && c->cmsg_len >= CMSG_LEN(sizeof(scm_timestamping))) {
            scm_timestamping ts;
            std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
            if (ts.ts[0].tv_sec || ts.ts[0].tv_nsec) {
                *found = true;
                return core::MonoTime{from_timespec(ts.ts[0]) - offset_};
            }
        } else if (c->cmsg_type == SCM_TIMESTAMPNS && c->cmsg_len >= CMSG_LEN(sizeof(timespec))) {
            timespec t;
            std::memcpy(&t, CMSG_DATA(c), sizeof t);
            *found = true;
            return core::MonoTime{from_timespec(t) - offset_};
        }
    }
    return mono_now();
}

void Driver::drain_packets() {
    for (int n = 0; n < 1024; ++n) {
        sockaddr_storage from{};
        iovec iov{buf_.data(), buf_.size()};
        msghdr m{};
        m.msg_name = &from;
        m.msg_namelen = sizeof from;
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        m.msg_control = ctrl_.data();
        m.msg_controllen = ctrl_.size();
        // The transmit timestamp of a probe is queued before its reply can arrive: read it first,
        // so that the engine can time the reply from it (the error queue has its own buffer, but
        // shares ctrl_, so before this packet's recvmsg).
        if (tx_pending_) drain_errqueue();
        ssize_t cc = ::recvmsg(sock_.fd(), &m, MSG_DONTWAIT);
        if (cc < 0) return;
        bool kernel = false;
        core::MonoTime at = kernel_time(m, &kernel);
        auto src = from_sockaddr(reinterpret_cast<sockaddr*>(&from));
        if (!src) continue;
        probe::Received r{*src, core::Bytes(buf_.data(), static_cast<std::size_t>(cc)), std::nullopt};
        core::Bytes options;
        if (sock_.family() == core::Family::v4 && sock_.kind() == SocketKind::raw) {
            // Raw IPv4 sockets deliver the IP header (ping4_parse_reply()).
            if (cc < 20) continue;
            std::size_t hlen = std::size_t{buf_[0] & 0x0Fu} * 4;
            if (hlen < 20 || static_cast<std::size_t>(cc) < hlen + 8) continue;
            r.ttl = buf_[8];
            options = r.icmp.subspan(20, hlen - 20);
            r.icmp = r.icmp.subspan(hlen);
        } else {
            for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
                int v = 0;
                if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
                    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
                    if (c->cmsg_len < CMSG_LEN(sizeof(int))) continue;
                    std::memcpy(&v, CMSG_DATA(c), sizeof v);
                    r.ttl = static_cast<std::uint8_t>(v);
                } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RETOPTS) {
                    options = core::Bytes(CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0));
                }
            }
        }
        if (hooks_.on_reply_options && sock_.family() == core::Family::v4) hooks_.on_reply_options(*src, options);
        ping_.on_reply(r, at);
        dispatch();
    }
}

void Driver::handle_error_entry(msghdr& m, const std::uint8_t* data, ssize_t n) {
    const sock_extended_err* e = nullptr;
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
            (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR))
            e = reinterpret_cast<const sock_extended_err*>(CMSG_DATA(c));
    if (!e) return;
    if (e->ee_origin == SO_EE_ORIGIN_TIMESTAMPING) {
        bool kernel = false;
        core::MonoTime at = kernel_time(m, &kernel);
        ping_.on_sent(sent_seq_[e->ee_data % sent_seq_.size()], at);
        return;
    }
    core::MonoTime now = mono_now();
    if (e->ee_origin == SO_EE_ORIGIN_LOCAL) {
        ping_.on_local_error(static_cast<int>(e->ee_errno), e->ee_info, now);
        return;
    }
    if (e->ee_origin != SO_EE_ORIGIN_ICMP && e->ee_origin != SO_EE_ORIGIN_ICMP6) return;
    if (n < 8) return;
    probe::QueuedIcmpError q;
    auto off = from_sockaddr(SO_EE_OFFENDER(e));
    q.offender = off.value_or(core::IpAddress{});
    if (auto t = from_sockaddr(static_cast<const sockaddr*>(m.msg_name))) q.original_destination = *t;
    q.type = e->ee_type;
    q.code = e->ee_code;
    q.info = e->ee_info;
    q.original_type = data[0];
    q.original_identifier = core::load_be16(data + 4);
    q.sequence = core::load_be16(data + 6);
    ping_.on_queued_error(q, now);
}

int Driver::drain_errqueue() {
    tx_pending_ = false;
    int count = 0;
    for (; count < 1024; ++count) {
        sockaddr_storage target{};
        std::array<std::uint8_t, 512> data{};
        iovec iov{data.data(), data.size()};
        msghdr m{};
        m.msg_name = &target;
        m.msg_namelen = sizeof target;
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        m.msg_control = ctrl_.data();
        m.msg_controllen = ctrl_.size();
        ssize_t n = ::recvmsg(sock_.fd(), &m, MSG_ERRQUEUE | MSG_DONTWAIT);
        if (n < 0) break;
        handle_error_entry(m, data.data(), n);
        dispatch();
    }
    return count;
}

void Driver::send(const probe::Transmit& t) {
    sent_seq_[sends_ % sent_seq_.size()] = t.sequence;
    ssize_t n = ::sendto(sock_.fd(), t.icmp.data(), t.icmp.size(), 0, dest_sa_.get(), dest_sa_.len);
    if (n == static_cast<ssize_t>(t.icmp.size())) {
        ++sends_;
        tx_pending_ = sock_.tx_timestamps();
        if (!sock_.tx_timestamps()) ping_.on_sent(t.sequence, mono_now());
        return;
    }
    int e = errno;
    // pinger(): an error queued for this send (EMSGSIZE with the MTU, an ICMP error) is reported
    // from the queue. With the queue empty (SO_DONTROUTE off-link, an OUTPUT rule's EPERM)
    // iputils 20221126 prints nothing: its receive_error_msg() returns -1 for EAGAIN, so pinger()
    // skips "sendmsg: ..." and counts the probe as sent (checked side by side with -r).
    if (drain_errqueue() == 0) ping_.on_send_error(t.sequence, e, mono_now(), false);
}

void Driver::dispatch() {
    for (int guard = 0; guard < 1 << 16; ++guard) {
        auto actions = ping_.take_actions();
        if (actions.empty()) return;
        for (auto& a : actions) {
            if (auto* t = std::get_if<probe::Transmit>(&a)) send(*t);
            if (hooks_.on_event) hooks_.on_event(a);  // Transmit too: flood prints '.' at once
        }
    }
}

core::SysResult<void> Driver::run() {
    SignalBlock signals({SIGINT, SIGQUIT});  // SIGINT: the summary; SIGQUIT: the status line
    const int sfd = signals.fd();
    if (sfd < 0) return core::Unexpected(core::SysError{errno, "signalfd"});

    ping_.start(mono_now());
    dispatch();
    while (!ping_.finished()) {
        auto dl = ping_.next_deadline();
        timespec ts{}, *tsp = nullptr;
        const timespec zero{};
        if (dl) {
            core::Duration left = *dl - mono_now();
            if (left < core::Duration{0}) left = core::Duration{0};
            ts.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(left).count();
            ts.tv_nsec = (left - std::chrono::seconds(ts.tv_sec)).count();
            tsp = &ts;
        }
        pollfd fds[2] = {{sock_.fd(), POLLIN, 0}, {sfd, POLLIN, 0}};
        int rc = ::ppoll(fds, 2, &zero, nullptr);  // ready already: no flush, no sleep
        if (rc == 0 && (!tsp || tsp->tv_sec || tsp->tv_nsec)) {
            if (hooks_.on_idle) hooks_.on_idle();
            rc = ::ppoll(fds, 2, tsp, nullptr);
        }
        if (rc < 0 && errno != EINTR) return core::Unexpected(core::SysError{errno, "ppoll"});
        if (rc > 0 && (fds[0].revents & (POLLIN | POLLERR))) {
            if (fds[0].revents & POLLERR) drain_errqueue();  // TX timestamps before the replies
            drain_packets();
        }
        if (rc > 0 && (fds[1].revents & POLLIN)) {
            signalfd_siginfo si;
            while (::read(sfd, &si, sizeof si) == sizeof si) {
                if (si.ssi_signo == SIGINT) ping_.interrupt(mono_now());
                else if (si.ssi_signo == SIGQUIT && hooks_.on_status) hooks_.on_status();
            }
        }
        core::MonoTime now = mono_now();
        if (auto d = ping_.next_deadline(); d && now >= *d) ping_.on_timer(now);
        dispatch();
    }
    return {};
}

}  // namespace

core::SysResult<void> run_ping(probe::Ping& ping, IcmpSocket& s, const core::IpAddress& destination,
                               std::uint32_t scope_id, const DriverHooks& hooks) {
    Driver d(ping, s, destination, scope_id, hooks);
    return d.run();
}

}  // namespace icmpkit::net
