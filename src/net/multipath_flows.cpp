// net: one datagram socket per flow for the multipath engines; see multipath_flows.hpp.
#include "multipath_flows.hpp"

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "errqueue_response.hpp"
#include "icmpkit/net/ping_socket.hpp"
#include "sockaddr_util.hpp"

namespace icmpkit::net {
namespace {

bool is_icmp(const probe::ProbeSpace& s) { return s.method == probe::TraceMethod::icmp_paris; }

int open_dgram(const probe::ProbeSpace& s) {
    const bool v4 = s.destination.is_v4();
    const int icmp = v4 ? int{IPPROTO_ICMP} : int{IPPROTO_ICMPV6};
    const int proto = is_icmp(s) ? icmp : int{IPPROTO_UDP};
    return ::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
}

// Binds to the trace's source address and `port` (for a ping socket: the echo identifier).
bool bind_port(int fd, const probe::ProbeSpace& s, std::uint16_t port, const std::string& dev) {
    if (!dev.empty() &&
        ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev.c_str(), static_cast<socklen_t>(dev.size())) != 0)
        return false;
    auto sa = to_sockaddr(s.source, port);
    return ::bind(fd, sa.get(), sa.len) == 0;
}

// Room for one socket per flow (a soft limit below the hard one is raised, never the hard one).
void raise_fd_limit(std::uint16_t flows) {
    rlimit r{};
    if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return;
    const rlim_t want = std::min<rlim_t>(r.rlim_max, static_cast<rlim_t>(flows) + 64);
    if (r.rlim_cur < want) {
        r.rlim_cur = want;
        ::setrlimit(RLIMIT_NOFILE, &r);
    }
}

}  // namespace

FlowSockets::FlowSockets(const probe::ProbeSpace& space, std::string interface)
    : s_(space), interface_(std::move(interface)), v4_(space.destination.is_v4()), icmp_(is_icmp(space)),
      fds_(space.flows, -1) {
    raise_fd_limit(space.flows);
}

FlowSockets::~FlowSockets() {
    for (int fd : fds_)
        if (fd >= 0) ::close(fd);
}

int FlowSockets::allowed(const probe::ProbeSpace& space) {
    const int fd = open_dgram(space);
    if (fd < 0) return errno;
    ::close(fd);
    return 0;
}

bool FlowSockets::choose_base(probe::ProbeSpace& space, const std::string& interface) {
    const std::uint32_t flows = std::max<std::uint16_t>(space.flows, 1);
    if (flows > 65535 - 1024) return false;
    std::uint32_t base = space.source_port;
    for (int attempt = 0; attempt < 64; ++attempt) {
        if (base < 1024 || base + flows > 65536) base = 1024 + (base + flows) % (65536 - 1024 - flows);
        std::uint32_t taken = 0;
        for (std::uint32_t p = base; p < base + flows && !taken; ++p) {
            const int fd = open_dgram(space);
            if (fd < 0) return false;
            if (!bind_port(fd, space, static_cast<std::uint16_t>(p), interface)) taken = p;
            ::close(fd);
        }
        if (!taken) {
            space.source_port = static_cast<std::uint16_t>(base);
            return true;
        }
        base = taken + 1;  // the whole space moves past the port in use
    }
    return false;
}

int FlowSockets::open_flow(std::uint16_t flow) {
    if (flow >= fds_.size()) return -1;
    if (fds_[flow] >= 0) return fds_[flow];
    const int fd = open_dgram(s_);
    if (fd < 0) return -1;
    const int one = 1;
    const bool ok = bind_port(fd, s_, static_cast<std::uint16_t>(s_.source_port + flow), interface_) &&
                    (v4_ ? ::setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof one)
                         : ::setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof one)) == 0;
    if (!ok) {
        ::close(fd);
        return -1;
    }
    open_flows_.push_back(flow);
    return fds_[flow] = fd;
}

bool FlowSockets::send(const MultipathProbe& p) {
    const int fd = open_flow(p.flow);
    if (fd < 0) return false;
    const int ttl = p.ttl;
    if (v4_) ::setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
    else ::setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
    const auto b = probe::build_probe(s_, probe::ProbeId{p.flow, p.serial, p.ttl});
    // A UDP socket sends the payload only; a ping socket the whole echo request (the kernel
    // writes the identifier -- the bound port, equal to ours -- and the checksum).
    const std::size_t off = icmp_ ? 0 : b.payload_offset;
    auto sa = to_sockaddr(s_.destination, icmp_ ? 0 : b.destination_port);
    const core::Bytes data(b.segment.data() + off, b.segment.size() - off);
    return send_past_pending_error(fd, data, sa.get(), sa.len) >= 0;
}

void FlowSockets::poll_set(std::vector<pollfd>& out) const {
    out.clear();
    for (std::uint16_t f : open_flows_) out.push_back(pollfd{fds_[f], static_cast<short>(icmp_ ? POLLIN : 0), 0});
}

void FlowSockets::receive(const std::vector<pollfd>& ready, const Sink& sink) {
    for (std::size_t i = 0; i < ready.size() && i < open_flows_.size(); ++i)
        if (ready[i].revents)
            read_socket(ready[i].fd, static_cast<std::uint16_t>(s_.source_port + open_flows_[i]), sink);
}

void FlowSockets::read_socket(int fd, std::uint16_t port, const Sink& sink) {
    for (int i = 0; i < 64; ++i) {  // bounded per wake-up; the next poll returns for the rest
        bool any = false;
        if (auto e = read_error_response(fd, s_, port); e.read) {
            any = true;
            if (e.response) sink(std::move(*e.response), mono_now());
        }
        if (icmp_) {  // ICMP datagram sockets: echo replies with our identifier, ICMP header first
            std::array<std::uint8_t, 2048> buf{};
            sockaddr_storage from{};
            socklen_t len = sizeof from;
            const ssize_t n =
                ::recvfrom(fd, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &len);
            if (n > 0) {
                any = true;
                const core::Bytes msg(buf.data(), static_cast<std::size_t>(n));
                if (auto src = from_sockaddr(reinterpret_cast<sockaddr*>(&from)))
                    sink(probe::match_response(s_, v4_ ? 1 : 58, msg, *src), mono_now());
            }
        }
        if (!any) return;
    }
}

}  // namespace icmpkit::net
