// The path MTU engines over real sockets (pmtu_driver.hpp): the only syscalls of `icmpkit pmtu`.
#include <algorithm>
#include <array>
#include <memory>
#include <cerrno>
#include <cstring>
#include <ifaddrs.h>
#include <netdb.h>
#include <linux/errqueue.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "icmpkit/net/pmtu_driver.hpp"
#include "sockaddr_util.hpp"

namespace icmpkit::net {
namespace {

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() { if (fd_ >= 0) ::close(fd_); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const noexcept { return fd_; }
private:
    int fd_;
};

core::SysResult<void> set_int(int fd, int level, int name, int value, const char* what) {
    if (::setsockopt(fd, level, name, &value, sizeof value) < 0) return core::Unexpected(core::SysError{errno, what});
    return {};
}

int poll_timeout_ms(std::optional<core::MonoTime> deadline) {
    if (!deadline) return 1000;
    const auto left = *deadline - mono_now();
    if (left <= core::Duration{0}) return 0;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(left).count() + 1;
    return static_cast<int>(std::min<long long>(ms, 1000));
}

std::optional<int> hop_limit_of(msghdr& m) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
            (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
            if (c->cmsg_len < CMSG_LEN(sizeof(int))) continue;
            int v = 0;
            std::memcpy(&v, CMSG_DATA(c), sizeof v);
            return v;
        }
    }
    return std::nullopt;
}

const sock_extended_err* extended_err_of(msghdr& m) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
            (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR))
            return reinterpret_cast<const sock_extended_err*>(CMSG_DATA(c));
    return nullptr;
}

std::uint16_t port_of(const sockaddr_storage& ss) {
    if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&ss)->sin_port);
    if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_port);
    return 0;
}

// ---- tracepath mode --------------------------------------------------------------------------

class UdpDriver {
public:
    UdpDriver(probe::Pmtu& e, int fd, std::uint32_t scope, const PmtuEventSink& s)
        : e_(e), fd_(fd), scope_(scope), sink_(s) {}

    core::SysResult<void> run() {
        e_.start(mono_now());
        dispatch();
        // Bounded: every probe waits at most config.wait; the engine sends at most
        // max_hops x rounds x attempts probes (tracepath's bounds).
        while (!e_.finished()) {
            pollfd p{fd_, POLLIN | POLLERR, 0};
            const int n = ::poll(&p, 1, poll_timeout_ms(e_.next_deadline()));
            if (n < 0 && errno != EINTR) return core::Unexpected(core::SysError{errno, "poll"});
            if (n > 0) {
                std::array<std::uint8_t, 2048> buf{};
                if (::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT) >= 0) {
                    e_.on_reply(mono_now());  // probe_ttl(): "reply received 8)"
                } else {
                    auto q = drain();
                    if (!q.empty()) e_.on_errors(q, mono_now());
                }
                dispatch();
            }
            const auto now = mono_now();
            if (auto d = e_.next_deadline(); d && now >= *d) e_.on_timer(now);
            dispatch();
        }
        return {};
    }

private:
    std::vector<probe::PmtuQueuedError> drain() {
        std::vector<probe::PmtuQueuedError> out;
        for (int i = 0; i < 256; ++i) {
            sockaddr_storage target{};
            std::array<std::uint8_t, probe::Pmtu::probe_header_size> data{};
            alignas(cmsghdr) std::array<char, 512> ctrl{};
            iovec iov{data.data(), data.size()};
            msghdr m{};
            m.msg_name = &target;
            m.msg_namelen = sizeof target;
            m.msg_iov = &iov;
            m.msg_iovlen = 1;
            m.msg_control = ctrl.data();
            m.msg_controllen = ctrl.size();
            const auto at = mono_now();  // recverr(): the clock read before recvmsg()
            const ssize_t n = ::recvmsg(fd_, &m, MSG_ERRQUEUE | MSG_DONTWAIT);
            if (n < 0) break;
            const sock_extended_err* e = extended_err_of(m);
            if (!e) continue;
            probe::PmtuQueuedError q;
            q.origin = static_cast<probe::ErrorOrigin>(e->ee_origin);
            q.error_number = static_cast<int>(e->ee_errno);
            q.type = e->ee_type;
            q.code = e->ee_code;
            q.info = e->ee_info;
            if (e->ee_origin == SO_EE_ORIGIN_ICMP || e->ee_origin == SO_EE_ORIGIN_ICMP6)
                q.offender = from_sockaddr(SO_EE_OFFENDER(e));
            q.port = port_of(target);
            q.hop_limit = hop_limit_of(m);
            q.quoted.assign(data.begin(), data.begin() + std::min<ssize_t>(n, static_cast<ssize_t>(data.size())));
            q.at = at;
            out.push_back(std::move(q));
        }
        return out;
    }

    void send(const probe::PmtuTransmit& t) {
        const auto& dest = e_.config().destination;
        if (t.ttl != ttl_) {
            if (dest.is_v4()) (void)set_int(fd_, IPPROTO_IP, IP_TTL, t.ttl, "IP_TTL");
            else (void)set_int(fd_, IPPROTO_IPV6, IPV6_UNICAST_HOPS, t.ttl, "IPV6_UNICAST_HOPS");
            ttl_ = t.ttl;
        }
        SockAddr sa = to_sockaddr(dest, t.port, scope_);
        if (::sendto(fd_, t.payload.data(), t.payload.size(), 0, sa.get(), sa.len) > 0) return e_.on_sent(mono_now());
        e_.on_send_failed(drain(), mono_now());
    }

    void dispatch() {
        for (int guard = 0; guard < 1 << 16; ++guard) {
            auto actions = e_.take_actions();
            if (actions.empty()) return;
            for (auto& a : actions) {
                if (auto* t = std::get_if<probe::PmtuTransmit>(&a)) send(*t);
                else if (sink_) sink_(a);
            }
        }
    }

    probe::Pmtu& e_;
    int fd_;
    std::uint32_t scope_;
    const PmtuEventSink& sink_;
    int ttl_ = -1;
};

// ---- search mode -----------------------------------------------------------------------------

class EchoDriver {
public:
    EchoDriver(probe::PmtuSearch& e, IcmpSocket& s, std::uint32_t scope, const SearchEventSink& k)
        : e_(e), s_(s), scope_(scope), sink_(k) {}

    core::SysResult<void> run() {
        e_.start(mono_now());
        dispatch();
        // Bounded: config.max_total_probes probes, each waiting at most config.wait.
        while (!e_.finished()) {
            pollfd p{s_.fd(), POLLIN | POLLERR, 0};
            const int n = ::poll(&p, 1, poll_timeout_ms(e_.next_deadline()));
            if (n < 0 && errno != EINTR) return core::Unexpected(core::SysError{errno, "poll"});
            if (n > 0) {
                drain_packets();
                drain_errors();
            }
            const auto now = mono_now();
            if (auto d = e_.next_deadline(); d && now >= *d) e_.on_timer(now);
            dispatch();
        }
        return {};
    }

private:
    void drain_packets() {
        const bool v4 = s_.family() == core::Family::v4;
        for (int i = 0; i < 256; ++i) {
            sockaddr_storage from{};
            iovec iov{buf_.data(), buf_.size()};
            alignas(cmsghdr) std::array<char, 512> ctrl{};
            msghdr m{};
            m.msg_name = &from;
            m.msg_namelen = sizeof from;
            m.msg_iov = &iov;
            m.msg_iovlen = 1;
            m.msg_control = ctrl.data();
            m.msg_controllen = ctrl.size();
            const ssize_t n = ::recvmsg(s_.fd(), &m, MSG_DONTWAIT);
            if (n < 0) return;
            auto src = from_sockaddr(reinterpret_cast<sockaddr*>(&from));
            if (!src) continue;
            core::Bytes icmp(buf_.data(), static_cast<std::size_t>(n));
            std::optional<std::uint8_t> ttl;
            if (v4 && s_.kind() == SocketKind::raw) {  // raw IPv4: the IP header comes too
                if (n < 20) continue;
                const std::size_t hlen = std::size_t{buf_[0] & 0x0Fu} * 4;
                if (hlen < 20 || static_cast<std::size_t>(n) < hlen + 8) continue;
                ttl = buf_[8];
                icmp = icmp.subspan(hlen);
            } else if (auto h = hop_limit_of(m)) {
                ttl = static_cast<std::uint8_t>(*h);
            }
            if (icmp.size() < 8) continue;
            const auto now = mono_now();
            SimReceived as{now, *src, core::IpAddress{}, static_cast<std::uint8_t>(v4 ? 1 : 58), ttl.value_or(0),
                           false, core::Buffer(icmp.begin(), icmp.end())};
            if (auto q = queued_error_of(as)) e_.on_queued_error(*q, now);  // raw IPv4: errors as packets
            else e_.on_reply(probe::Received{*src, icmp, ttl}, now);
            dispatch();
        }
    }

    void drain_errors() {
        for (int i = 0; i < 256; ++i) {
            sockaddr_storage target{};
            std::array<std::uint8_t, 64> data{};
            alignas(cmsghdr) std::array<char, 512> ctrl{};
            iovec iov{data.data(), data.size()};
            msghdr m{};
            m.msg_name = &target;
            m.msg_namelen = sizeof target;
            m.msg_iov = &iov;
            m.msg_iovlen = 1;
            m.msg_control = ctrl.data();
            m.msg_controllen = ctrl.size();
            const ssize_t n = ::recvmsg(s_.fd(), &m, MSG_ERRQUEUE | MSG_DONTWAIT);
            if (n < 0) return;
            const sock_extended_err* e = extended_err_of(m);
            if (!e) continue;
            const auto now = mono_now();
            if (e->ee_origin == SO_EE_ORIGIN_LOCAL) {
                if (e->ee_errno == EMSGSIZE) e_.on_local_too_big(last_sequence_, e->ee_info, now);
            } else if ((e->ee_origin == SO_EE_ORIGIN_ICMP || e->ee_origin == SO_EE_ORIGIN_ICMP6) && n >= 8) {
                probe::QueuedIcmpError q;
                if (auto off = from_sockaddr(SO_EE_OFFENDER(e))) q.offender = *off;
                if (auto t = from_sockaddr(reinterpret_cast<sockaddr*>(&target))) q.original_destination = *t;
                q.type = e->ee_type;
                q.code = e->ee_code;
                q.info = e->ee_info;
                q.original_type = data[0];
                q.original_identifier = core::load_be16(&data[4]);
                q.sequence = core::load_be16(&data[6]);
                e_.on_queued_error(q, now);
            }
            dispatch();
        }
    }

    void send(const probe::SearchTransmit& t) {
        last_sequence_ = t.sequence;
        SockAddr sa = to_sockaddr(e_.config().destination, 0, scope_);
        const ssize_t n = ::sendto(s_.fd(), t.icmp.data(), t.icmp.size(), 0, sa.get(), sa.len);
        if (n == static_cast<ssize_t>(t.icmp.size())) return e_.on_sent(t.sequence, mono_now());
        const int err = errno;
        if (err == EMSGSIZE) {
            drain_errors();  // the local error carries the MTU
            if (!e_.finished()) e_.on_local_too_big(t.sequence, 0, mono_now());
            return;
        }
        e_.on_send_error(t.sequence, err, mono_now());
    }

    void dispatch() {
        for (int guard = 0; guard < 1 << 16; ++guard) {
            auto actions = e_.take_actions();
            if (actions.empty()) return;
            for (auto& a : actions) {
                if (auto* t = std::get_if<probe::SearchTransmit>(&a)) send(*t);
                else if (sink_) sink_(a);
            }
        }
    }

    probe::PmtuSearch& e_;
    IcmpSocket& s_;
    std::uint32_t scope_;
    const SearchEventSink& sink_;
    std::uint16_t last_sequence_ = 0;
    std::array<std::uint8_t, 65536 + 512> buf_{};
};

}  // namespace

core::SysResult<RouteMtu> route_mtu(const core::IpAddress& destination, std::uint32_t scope_id) {
    const bool v4 = destination.is_v4();
    Fd fd(::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) return core::Unexpected(core::SysError{errno, "socket"});
    SockAddr sa = to_sockaddr(destination, 9, scope_id);  // connect() on UDP sends nothing
    if (::connect(fd.get(), sa.get(), sa.len) < 0) return core::Unexpected(core::SysError{errno, "connect"});
    int mtu = 0;
    socklen_t len = sizeof mtu;
    if (::getsockopt(fd.get(), v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_MTU : IPV6_MTU, &mtu, &len) < 0)
        return core::Unexpected(core::SysError{errno, v4 ? "IP_MTU" : "IPV6_MTU"});
    RouteMtu r{static_cast<std::uint32_t>(mtu), static_cast<std::uint32_t>(mtu)};
    sockaddr_storage ss{};
    socklen_t sl = sizeof ss;
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &sl) < 0) return r;
    const auto source = from_sockaddr(reinterpret_cast<sockaddr*>(&ss));
    ifaddrs* list = nullptr;
    if (!source || ::getifaddrs(&list) < 0) return r;
    for (ifaddrs* i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr || from_sockaddr(i->ifa_addr) != source) continue;
        ifreq req{};
        std::strncpy(req.ifr_name, i->ifa_name, IFNAMSIZ - 1);
        if (::ioctl(fd.get(), SIOCGIFMTU, &req) == 0 && req.ifr_mtu > 0)
            r.interface_mtu = static_cast<std::uint32_t>(req.ifr_mtu);
        break;
    }
    ::freeifaddrs(list);
    return r;
}

std::string tracepath_name(const core::IpAddress& address) {
    SockAddr sa = to_sockaddr(address, 0);
    char host[NI_MAXHOST];
    if (::getnameinfo(sa.get(), sa.len, host, sizeof host, nullptr, 0, 0) != 0) return "???";
    return host;
}

core::SysResult<void> run_pmtu(probe::Pmtu& engine, std::uint32_t scope_id, const PmtuEventSink& on_event) {
    const bool v4 = engine.config().destination.is_v4();
    Fd fd(::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP));
    if (fd.get() < 0) return core::Unexpected(core::SysError{errno, "socket"});
    // IP_PMTUDISC_DO, as the installed tracepath 20221126 sets it (strace: IP_MTU_DISCOVER [2]; its
    // git master later moved to _PROBE): DF set, and a datagram above the path MTU the kernel has
    // learned fails locally with EMSGSIZE and that MTU, which is what "[LOCALHOST] pmtu N" shows.
    if (v4) {
        if (auto r = set_int(fd.get(), IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO, "IP_MTU_DISCOVER"); !r) return r;
        if (auto r = set_int(fd.get(), IPPROTO_IP, IP_RECVERR, 1, "IP_RECVERR"); !r) return r;
        if (auto r = set_int(fd.get(), IPPROTO_IP, IP_RECVTTL, 1, "IP_RECVTTL"); !r) return r;
    } else {
        if (auto r = set_int(fd.get(), IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO, "IPV6_MTU_DISCOVER"); !r)
            return r;
        if (auto r = set_int(fd.get(), IPPROTO_IPV6, IPV6_RECVERR, 1, "IPV6_RECVERR"); !r) return r;
        if (auto r = set_int(fd.get(), IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_HOPLIMIT"); !r) return r;
    }
    return UdpDriver(engine, fd.get(), scope_id, on_event).run();
}

core::SysResult<void> run_search(probe::PmtuSearch& engine, IcmpSocket& socket, std::uint32_t scope_id,
                                 const SearchEventSink& on_event) {
    auto d = std::make_unique<EchoDriver>(engine, socket, scope_id, on_event);
    return d->run();
}

}  // namespace icmpkit::net
