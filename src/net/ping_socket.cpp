#include "icmpkit/net/ping_socket.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/net_tstamp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <linux/filter.h>
#include <sys/capability.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockaddr_util.hpp"

namespace icmpkit::net {

const char* describe(RxClock c) noexcept {
    switch (c) {
        case RxClock::so_timestamping_software: return "SO_TIMESTAMPING software RX (CLOCK_REALTIME)";
        case RxClock::so_timestampns: return "SO_TIMESTAMPNS (CLOCK_REALTIME)";
        case RxClock::user_clock: return "clock_gettime after recvmsg";
    }
    return "?";
}

IcmpSocket::IcmpSocket(IcmpSocket&& o) noexcept { *this = std::move(o); }
IcmpSocket& IcmpSocket::operator=(IcmpSocket&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = o.fd_;
        kind_ = o.kind_;
        family_ = o.family_;
        rx_clock_ = o.rx_clock_;
        tx_timestamps_ = o.tx_timestamps_;
        flowinfo_ = o.flowinfo_;
        o.fd_ = -1;
    }
    return *this;
}
IcmpSocket::~IcmpSocket() {
    if (fd_ >= 0) ::close(fd_);
}

struct SocketAccess {
    static void set(IcmpSocket& s, int fd, SocketKind k, core::Family f) {
        s.fd_ = fd;
        s.kind_ = k;
        s.family_ = f;
    }
    static void set_clock(IcmpSocket& s, RxClock c, bool tx) {
        s.rx_clock_ = c;
        s.tx_timestamps_ = tx;
    }
    static void set_flowinfo(IcmpSocket& s, std::uint32_t f) { s.flowinfo_ = f; }
};

core::SysResult<IcmpSocket> IcmpSocket::open(core::Family family) {
    const int af = family == core::Family::v4 ? AF_INET : AF_INET6;
    const int proto = family == core::Family::v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
    IcmpSocket s;
    int fd = ::socket(af, SOCK_DGRAM | SOCK_CLOEXEC, proto);
    SocketKind kind = SocketKind::datagram;
    if (fd < 0) {
        const int e = errno;
        // iputils create_socket(): these three mean "no ping socket here", try a raw one.
        const bool fallback = e == EACCES || e == EPROTONOSUPPORT ||
                              (e == EAFNOSUPPORT && family == core::Family::v4);
        if (!fallback) return core::Unexpected(core::SysError{e, "socket"});
        fd = ::socket(af, SOCK_RAW | SOCK_CLOEXEC, proto);
        kind = SocketKind::raw;
        if (fd < 0) return core::Unexpected(core::SysError{errno, "socket"});
    }
    SocketAccess::set(s, fd, kind, family);
    return s;
}

std::string no_socket_advice(core::Family family) {
    const char* v = family == core::Family::v4 ? "IPv4" : "IPv6";
    return std::string("no ICMP ") + v +
           " socket: allow ICMP datagram sockets with `sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"`"
           " or give raw sockets with `setcap cap_net_raw+ep <icmpkit binary>` (or run as root)";
}

core::SysResult<void> drop_capabilities() {
    cap_t cap = cap_init();
    if (!cap) return core::Unexpected(core::SysError{errno, "cap_init"});
    int rc = cap_set_proc(cap);
    int e = errno;
    cap_free(cap);
    if (rc < 0) return core::Unexpected(core::SysError{e, "cap_set_proc"});
    return {};
}

core::Result<Resolved, std::string> resolve(const std::string& host, std::optional<core::Family> family) {
    addrinfo hints{};
    hints.ai_family = !family ? AF_UNSPEC : *family == core::Family::v4 ? AF_INET : AF_INET6;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_protocol = IPPROTO_UDP;
    hints.ai_flags = AI_CANONNAME;
    addrinfo* res = nullptr;
    int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
    if (rc != 0) return core::Unexpected(std::string(::gai_strerror(rc)));
    Resolved r;
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        if (auto a = from_sockaddr(ai->ai_addr)) {
            r.address = *a;
            if (ai->ai_family == AF_INET6)
                r.scope_id = reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_scope_id;
            if (ai->ai_canonname) r.canonical_name = ai->ai_canonname;
            break;
        }
    }
    ::freeaddrinfo(res);
    return r;
}

std::string reverse_name(const core::IpAddress& a) {
    SockAddr sa = to_sockaddr(a, 0);
    char name[NI_MAXHOST] = "";
    if (::getnameinfo(sa.get(), sa.len, name, sizeof name, nullptr, 0, 0) != 0) return a.to_string();
    return name;
}

namespace {

core::SysResult<void> setopt(int fd, int level, int name, const void* v, socklen_t len, const char* op) {
    if (::setsockopt(fd, level, name, v, len) < 0) return core::Unexpected(core::SysError{errno, op});
    return {};
}
core::SysResult<void> setint(int fd, int level, int name, int v, const char* op) {
    return setopt(fd, level, name, &v, sizeof v, op);
}

// iputils ping4_run()/ping6_run(): connect a UDP socket to learn the source address.
core::SysResult<core::IpAddress> probe_source(const core::IpAddress& dst, std::uint32_t scope,
                                              const SocketOptions& o) {
    const bool v4 = dst.is_v4();
    int fd = ::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return core::Unexpected(core::SysError{errno, "socket"});
    if (!o.device.empty() &&
        ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o.device.c_str(), o.device.size() + 1) < 0) {
        int e = errno;
        ::close(fd);
        return core::Unexpected(core::SysError{e, "SO_BINDTODEVICE " + o.device});
    }
    if (o.broadcast) {
        int on = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof on);
    }
    SockAddr sa = to_sockaddr(dst, 1025, scope);
    if (::connect(fd, sa.get(), sa.len) < 0) {
        int e = errno;
        ::close(fd);
        if (e == EACCES && v4)
            return core::Unexpected(core::SysError{0,
                "Do you want to ping broadcast? Then -b. If not, check your local firewall rules"});
        return core::Unexpected(core::SysError{e, "connect"});
    }
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) {
        int e = errno;
        ::close(fd);
        return core::Unexpected(core::SysError{e, "getsockname"});
    }
    ::close(fd);
    auto a = from_sockaddr(reinterpret_cast<sockaddr*>(&ss));
    if (!a) return core::Unexpected(core::SysError{EAFNOSUPPORT, "getsockname"});
    return *a;
}

void enable_timestamps(IcmpSocket& s, bool tx) {
    const int fd = s.fd();
    unsigned flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE |
                     SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_OPT_ID |
                     SOF_TIMESTAMPING_OPT_TSONLY;
    if (tx && ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags) == 0) {
        SocketAccess::set_clock(s, RxClock::so_timestamping_software, true);
        return;
    }
    flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
    if (::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags) == 0) {
        SocketAccess::set_clock(s, RxClock::so_timestamping_software, false);
        return;
    }
    int on = 1;
    if (::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0)
        SocketAccess::set_clock(s, RxClock::so_timestampns, false);
}

core::SysResult<void> configure_v4(IcmpSocket& s, const SocketOptions& o) {
    const int fd = s.fd();
    if (o.pmtudisc)
        if (auto r = setint(fd, IPPROTO_IP, IP_MTU_DISCOVER, *o.pmtudisc, "IP_MTU_DISCOVER"); !r) return r;
    if (s.kind() == SocketKind::raw) {
        // Echo replies and the errors about our probes (iputils' ICMP_FILTER).
        icmp_filter f{};
        f.data = ~((1u << ICMP_SOURCE_QUENCH) | (1u << ICMP_DEST_UNREACH) | (1u << ICMP_TIME_EXCEEDED) |
                   (1u << ICMP_PARAMETERPROB) | (1u << ICMP_REDIRECT) | (1u << ICMP_ECHOREPLY));
        ::setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof f);
    }
    if (auto r = setint(fd, IPPROTO_IP, IP_RECVERR, 1, "IP_RECVERR"); !r) return r;
    if (s.kind() == SocketKind::datagram) {
        (void)setint(fd, IPPROTO_IP, IP_RECVTTL, 1, "IP_RECVTTL");
        (void)setint(fd, IPPROTO_IP, IP_RETOPTS, 1, "IP_RETOPTS");
    }
    if (!o.ip_options.empty()) {
        auto r = setopt(fd, IPPROTO_IP, IP_OPTIONS, o.ip_options.data(),
                        static_cast<socklen_t>(o.ip_options.size()), o.ts_option ? "ts option" : "record route");
        if (!r && o.ts_option) {
            // ping4_run(): a kernel that refuses the flag is tried with flag 2 before giving up.
            core::Buffer again = o.ip_options;
            again[3] = 2;
            r = setopt(fd, IPPROTO_IP, IP_OPTIONS, again.data(), static_cast<socklen_t>(again.size()), "ts option");
        }
        if (!r) return r;
    }
    if (o.broadcast)
        if (auto r = setint(fd, SOL_SOCKET, SO_BROADCAST, 1, "cannot set broadcasting"); !r) return r;
    if (o.no_loop)
        if (auto r = setint(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0, "cannot disable multicast loopback"); !r) return r;
    if (o.tos)
        if (auto r = setint(fd, IPPROTO_IP, IP_TOS, *o.tos, "setsockopt"); !r) return r;
    if (o.ttl) {
        if (auto r = setint(fd, IPPROTO_IP, IP_MULTICAST_TTL, *o.ttl, "cannot set multicast time-to-live"); !r) return r;
        if (auto r = setint(fd, IPPROTO_IP, IP_TTL, *o.ttl, "cannot set unicast time-to-live"); !r) return r;
    }
    return {};
}

core::SysResult<void> configure_v6(IcmpSocket& s, const SocketOptions& o) {
    const int fd = s.fd();
    if (o.pmtudisc)
        if (auto r = setint(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, *o.pmtudisc, "IPV6_MTU_DISCOVER"); !r) return r;
    if (auto r = setint(fd, IPPROTO_IPV6, IPV6_RECVERR, 1, "IPV6_RECVERR"); !r) return r;
    if (s.kind() == SocketKind::raw) {
        int off = 2;  // RFC 4443 2.3: the kernel computes the checksum over the pseudo-header
        ::setsockopt(fd, SOL_RAW, IPV6_CHECKSUM, &off, sizeof off);
        icmp6_filter f{};
        for (auto& w : f.data) w = 0xFFFFFFFFu;                    // block all ...
        f.data[ICMPV6_ECHO_REPLY >> 5] &= ~(1u << (ICMPV6_ECHO_REPLY & 31));  // ... but echo reply
        if (auto r = setopt(fd, IPPROTO_ICMPV6, ICMPV6_FILTER, &f, sizeof f, "setsockopt(ICMP6_FILTER)"); !r)
            return r;
    }
    if (o.no_loop)
        if (auto r = setint(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, "can't disable multicast loopback"); !r) return r;
    if (o.tos)
        if (auto r = setint(fd, IPPROTO_IPV6, IPV6_TCLASS, *o.tos, "setsockopt(IPV6_TCLASS)"); !r) return r;
    if (o.ttl) {
        if (auto r = setint(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, *o.ttl, "can't set multicast hop limit"); !r) return r;
        if (auto r = setint(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, *o.ttl, "can't set unicast hop limit"); !r) return r;
    }
    if (auto r = setint(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "can't receive hop limit"); !r) return r;
    return {};
}

// <linux/in6.h>'s in6_flowlabel_req and constants: glibc does not declare them, and including
// <linux/in6.h> beside <netinet/in.h> clashes.
struct FlowlabelReq {
    in6_addr flr_dst;
    std::uint32_t flr_label;  // network order
    std::uint8_t flr_action, flr_share;
    std::uint16_t flr_flags, flr_expires, flr_linger;
    std::uint32_t pad;
};
constexpr int flowlabel_mgr = 32, flowinfo_send = 33;  // IPV6_FLOWLABEL_MGR, IPV6_FLOWINFO_SEND
constexpr std::uint8_t fl_a_get = 0, fl_s_excl = 1;    // IPV6_FL_A_GET, IPV6_FL_S_EXCL
constexpr std::uint16_t fl_f_create = 1;               // IPV6_FL_F_CREATE

// ping6_run() -F: lease the label for this destination (IPV6_FLOWLABEL_MGR, exclusive, created
// when missing), then ask the kernel to send sin6_flowinfo's label (IPV6_FLOWINFO_SEND).
// RFC 6437 2: the flow label is 20 bits.
core::SysResult<void> set_flowlabel(IcmpSocket& s, std::uint32_t label, const core::IpAddress& dst) {
    FlowlabelReq req{};
    std::memcpy(&req.flr_dst, dst.v6().bytes().data(), 16);
    req.flr_label = htonl(label & 0xFFFFFu);
    req.flr_action = fl_a_get;
    req.flr_flags = fl_f_create;
    req.flr_share = fl_s_excl;
    if (auto r = setopt(s.fd(), IPPROTO_IPV6, flowlabel_mgr, &req, sizeof req, "can't set flowlabel"); !r) return r;
    if (auto r = setint(s.fd(), IPPROTO_IPV6, flowinfo_send, 1, "can't send flowinfo"); !r) return r;
    SocketAccess::set_flowinfo(s, req.flr_label);
    return {};
}

}  // namespace

core::SysResult<void> install_echo_filter(IcmpSocket& s, std::uint16_t identifier) {
    if (s.kind() != SocketKind::raw) return {};
    const bool v4 = s.family() == core::Family::v4;
    // IPv4 raw sockets see the IP header first: X = its length (4 * IHL); IPv6 ones start at the
    // ICMPv6 header (X = 0). RFC 792 / RFC 4443 4.2: identifier at offset 4, type at offset 0.
    sock_filter code[] = {
        BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
        BPF_STMT(BPF_LD | BPF_H | BPF_IND, 4),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, identifier, 2, 0),     // ours: to "accept"
        BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, v4 ? 0u : 129u, 1, 0),  // another's echo reply: "drop"
        BPF_STMT(BPF_RET | BPF_K, 0xFFFFFFFFu),                    // accept
        BPF_STMT(BPF_RET | BPF_K, 0),                              // drop
    };
    if (!v4) code[0] = sock_filter BPF_STMT(BPF_LDX | BPF_IMM, 0);
    sock_fprog prog{static_cast<unsigned short>(sizeof code / sizeof code[0]), code};
    return setopt(s.fd(), SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog, "SO_ATTACH_FILTER");
}

core::SysResult<core::IpAddress> configure(IcmpSocket& s, const SocketOptions& o,
                                           const core::IpAddress& destination, std::uint32_t scope_id) {
    const int fd = s.fd();
    core::IpAddress source;
    if (o.source) {
        source = *o.source;
    } else {
        auto src = probe_source(destination, scope_id, o);
        if (!src) return core::Unexpected(src.error());
        source = *src;
    }
    if (!o.device.empty() &&
        ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o.device.c_str(), o.device.size() + 1) < 0)
        return core::Unexpected(core::SysError{errno, "SO_BINDTODEVICE " + o.device});
    if (o.mark) (void)setopt(fd, SOL_SOCKET, SO_MARK, &*o.mark, sizeof *o.mark, "SO_MARK");
    auto r = s.family() == core::Family::v4 ? configure_v4(s, o) : configure_v6(s, o);
    if (!r) return core::Unexpected(r.error());
    if (o.flowlabel && s.family() == core::Family::v6)
        if (auto f = set_flowlabel(s, *o.flowlabel, destination); !f) return core::Unexpected(f.error());
    // ping_common.c setup(): SO_DEBUG and SO_DONTROUTE, failures ignored as iputils does (SO_DEBUG
    // needs CAP_NET_ADMIN).
    if (o.so_debug) (void)setint(fd, SOL_SOCKET, SO_DEBUG, 1, "SO_DEBUG");
    if (o.dont_route) (void)setint(fd, SOL_SOCKET, SO_DONTROUTE, 1, "SO_DONTROUTE");
    if (o.source) {
        SockAddr sa = to_sockaddr(source, 0, scope_id);
        if (::bind(fd, sa.get(), sa.len) < 0) return core::Unexpected(core::SysError{errno, "bind"});
    }
    // iputils sock_setbufs(): room for the preload.
    int hold = static_cast<int>(o.payload_size + 8);
    hold += ((hold + 511) / 512) * (40 + 20 + 16 + 64 + 160);
    int rcv = hold * static_cast<int>(o.preload);
    if (rcv < 65536) rcv = 65536;
    int snd = o.sndbuf.value_or(hold);  // -S replaces the estimate (sock_setbufs())
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    // -U (iputils F_LATENCY): no SO_TIMESTAMP; the receive time is read after recvmsg().
    if (!o.user_latency) enable_timestamps(s, o.tx_timestamps);
    return source;
}

core::Duration wall_offset() {
    timespec m{}, w{};
    ::clock_gettime(CLOCK_MONOTONIC, &m);
    ::clock_gettime(CLOCK_REALTIME, &w);
    return std::chrono::seconds(w.tv_sec - m.tv_sec) + std::chrono::nanoseconds(w.tv_nsec - m.tv_nsec);
}

core::MonoTime mono_now() {
    timespec m{};
    ::clock_gettime(CLOCK_MONOTONIC, &m);
    return core::MonoTime{std::chrono::seconds(m.tv_sec) + std::chrono::nanoseconds(m.tv_nsec)};
}

}  // namespace icmpkit::net
