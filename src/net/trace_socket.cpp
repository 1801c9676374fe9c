// Sockets for probe::Trace (trace_driver.hpp): opening them, sending probes, and turning what
// arrives -- raw ICMP/TCP datagrams or error-queue entries -- into matcher input.
#include "trace_socket.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <memory>
#include <thread>

#include "icmpkit/net/ping_socket.hpp"
#include "icmpkit/wire/checksum.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/ipv4.hpp"
#include "icmpkit/wire/ipv6.hpp"

namespace icmpkit::net {
namespace {

core::Unexpected<TraceSocketError> sock_fail(const std::string& what, bool privilege = false) {
    const int e = errno;
    return core::Unexpected<TraceSocketError>(TraceSocketError{e, what + ": " + std::strerror(e), privilege});
}

int family_of(const probe::ProbeSpace& s) { return s.destination.is_v4() ? AF_INET : AF_INET6; }

bool specified(const core::IpAddress& a) {
    return a.is_v4() ? !a.v4().is_unspecified() : !a.v6().is_unspecified();
}

// The local address the kernel would choose towards `dst` (a connected UDP socket's name).
std::optional<core::IpAddress> route_source(const core::IpAddress& dst, const std::string& dev) {
    int fd = ::socket(dst.is_v4() ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::nullopt;
    if (!dev.empty()) ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev.c_str(), static_cast<socklen_t>(dev.size()));
    auto sa = to_sockaddr(dst, 33434);
    std::optional<core::IpAddress> out;
    if (::connect(fd, sa.get(), sa.len) == 0) {
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) out = from_sockaddr(reinterpret_cast<sockaddr*>(&ss));
    }
    ::close(fd);
    return out;
}

bool bind_to(int fd, const probe::ProbeSpace& s, std::uint16_t port, const std::string& dev) {
    if (!dev.empty() && ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev.c_str(), static_cast<socklen_t>(dev.size())) < 0)
        return false;
    core::IpAddress any = s.destination.is_v4() ? core::IpAddress(core::Ipv4Address()) : core::IpAddress(core::Ipv6Address());
    auto sa = to_sockaddr(specified(s.source) ? s.source : any, port);
    return ::bind(fd, sa.get(), sa.len) == 0;
}

std::uint16_t bound_port(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return 0;
    return ss.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port)
                                   : ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

// Linux >= 5.9 (include/uapi/linux/in.h, in6.h); defined here for older headers.
#ifndef IP_RECVERR_RFC4884
#define IP_RECVERR_RFC4884 26
#endif
#ifndef IPV6_RECVERR_RFC4884
#define IPV6_RECVERR_RFC4884 31
#endif

// IP_RECVERR, and with it IP_RECVERR_RFC4884 so each entry says where the error's RFC 4884
// extension structure starts (sock_extended_err.ee_rfc4884.len). Returns whether the kernel took
// the latter (older kernels: ENOPROTOOPT; the trace then shows no extensions).
bool set_recverr(int fd, bool v4) {
    const int one = 1;
    if (v4) ::setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof one);
    else ::setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof one);
    const int rc = v4 ? ::setsockopt(fd, SOL_IP, IP_RECVERR_RFC4884, &one, sizeof one)
                      : ::setsockopt(fd, SOL_IPV6, IPV6_RECVERR_RFC4884, &one, sizeof one);
    return rc == 0;
}

// SocketTraceOptions::dont_fragment: what traceroute 2.1 does with and without -F.
bool set_fragmentation(int fd, bool v4, bool dont_fragment) {
    if (dont_fragment) {
        const int probe = v4 ? IP_PMTUDISC_PROBE : IPV6_PMTUDISC_PROBE;
        return v4 ? ::setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &probe, sizeof probe) == 0
                  : ::setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &probe, sizeof probe) == 0;
    }
    if (!v4) return true;
    const int dont = IP_PMTUDISC_DONT;
    return ::setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &dont, sizeof dont) == 0;
}

int open_raw(int af, int proto) { return ::socket(af, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, proto); }

}  // namespace

TraceSockets::~TraceSockets() {
    for (int fd : {send_fd, icmp_fd, tcp_fd})
        if (fd >= 0) ::close(fd);
}

core::Result<TraceSocketsPtr, TraceSocketError> open_trace_sockets(
    const probe::ProbeSpace& space, const SocketTraceOptions& options, SocketTraceSetup& setup) {
    TraceSocketsPtr s(new TraceSockets());
    s->space = space;
    const int af = family_of(space);
    const bool v4 = af == AF_INET;
    const int icmp_proto = v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
    switch (space.method) {
    case probe::TraceMethod::udp:
    case probe::TraceMethod::udp_paris: {
        s->send_fd = ::socket(af, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_UDP);
        if (s->send_fd < 0) return sock_fail("socket(UDP)");
        if (!bind_to(s->send_fd, space, 0, options.interface)) return sock_fail("bind");
        setup.source_port = bound_port(s->send_fd);
        // With CAP_NET_RAW a raw ICMP socket sees whole errors (quoted TTL/TOS, RFC 4884
        // extensions); without it the error queue gives what the kernel keeps.
        s->icmp_fd = open_raw(af, icmp_proto);
        if (s->icmp_fd < 0) s->recverr_rfc4884 = set_recverr(s->send_fd, v4);
        break;
    }
    case probe::TraceMethod::icmp_paris: {
        s->send_fd = ::socket(af, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, icmp_proto);
        if (s->send_fd >= 0) {
            if (!bind_to(s->send_fd, space, 0, options.interface)) return sock_fail("bind");
            setup.source_port = bound_port(s->send_fd);  // the kernel's echo identifier
            s->recverr_rfc4884 = set_recverr(s->send_fd, v4);
        } else {
            if (!options.allow_raw_fallback) return sock_fail("socket(ICMP datagram)");
            s->send_fd = open_raw(af, icmp_proto);
            if (s->send_fd < 0)
                return sock_fail("icmp traceroute: neither an ICMP datagram socket (net.ipv4.ping_group_range) "
                                 "nor a raw socket (root or CAP_NET_RAW) is allowed", true);
            if (!options.interface.empty() && !bind_to(s->send_fd, space, 0, options.interface)) return sock_fail("bind");
            s->raw_send = true;
            s->icmp_fd = s->send_fd;  // echo replies and errors arrive on it
            setup.source_port = space.source_port;
        }
        break;
    }
    case probe::TraceMethod::tcp_syn: {
        s->send_fd = open_raw(af, IPPROTO_TCP);
        if (s->send_fd < 0) {
            if (errno == EPERM || errno == EACCES)
                return core::Unexpected<TraceSocketError>(TraceSocketError{
                    errno, "tcp traceroute needs raw sockets (run as root or with CAP_NET_RAW)", true});
            return sock_fail("socket(raw TCP)");
        }
        if (!options.interface.empty() && !bind_to(s->send_fd, space, 0, options.interface)) return sock_fail("bind");
        s->tcp_fd = s->send_fd;
        s->icmp_fd = open_raw(af, icmp_proto);
        if (s->icmp_fd < 0) return sock_fail("socket(raw ICMP)", true);
        s->raw_send = true;
        setup.source_port = space.source_port;
        break;
    }
    }
    if (space.tos) {  // -t: TOS / traffic class of every probe
        const int tos = space.tos;
        const int rc = v4 ? ::setsockopt(s->send_fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos)
                          : ::setsockopt(s->send_fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof tos);
        if (rc < 0) return sock_fail("setsockopt(TOS)");
    }
    if (!set_fragmentation(s->send_fd, v4, options.dont_fragment)) return sock_fail("setsockopt(MTU_DISCOVER)");
    if (!v4 && s->icmp_fd >= 0) {
        const int one = 1;
        ::setsockopt(s->icmp_fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one);
    }
    setup.raw = s->raw_send;
    setup.error_queue = s->icmp_fd < 0 && !s->raw_send;
    setup.error_queue_extensions = setup.error_queue && s->recverr_rfc4884;
    setup.source = specified(space.source) ? std::optional<core::IpAddress>(space.source)
                                           : route_source(space.destination, options.interface);
    s->space.source_port = setup.source_port;
    if (setup.source) s->space.source = *setup.source;
    if (auto d = drop_capabilities(); !d)
        return core::Unexpected<TraceSocketError>(TraceSocketError{d.error().error_number, "cannot drop capabilities"});
    return s;
}

void close_trace_sockets(TraceSocketsPtr& s) { s.reset(); }

void TraceSocketsDeleter::operator()(TraceSockets* s) const noexcept { delete s; }

std::string reverse_name(const core::IpAddress& a, core::Duration timeout) {
    auto p = std::make_shared<std::promise<std::string>>();
    auto f = p->get_future();
    std::thread([p, a] {
        auto sa = to_sockaddr(a, 0);
        char host[NI_MAXHOST] = {};
        const int rc = ::getnameinfo(sa.get(), sa.len, host, sizeof host, nullptr, 0, NI_NAMEREQD);
        p->set_value(rc == 0 ? std::string(host) : std::string());
    }).detach();
    if (f.wait_for(timeout) != std::future_status::ready) return {};
    return f.get();
}

}  // namespace icmpkit::net
