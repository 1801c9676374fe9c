// net: error-queue entries as matcher input; see errqueue_response.hpp.
#include "errqueue_response.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>

#include "icmpkit/core/bytes.hpp"
#include "icmpkit/wire/checksum.hpp"
#include "icmpkit/wire/ipv4.hpp"
#include "icmpkit/wire/ipv6.hpp"
#include "sockaddr_util.hpp"

namespace icmpkit::net {

core::Buffer rebuild_error(const probe::ProbeSpace& space, std::uint16_t source_port, const sock_extended_err& e,
                           std::uint16_t dport, const std::uint8_t* data, std::size_t n) {
    const bool v4 = space.destination.is_v4();
    const bool udp = space.method == probe::TraceMethod::udp || space.method == probe::TraceMethod::udp_paris;
    core::Buffer m{e.ee_type, e.ee_code, 0, 0, 0, 0, 0, 0};
    if (v4 && e.ee_type == 3 && e.ee_code == 4) core::store_be16(&m[6], static_cast<std::uint16_t>(e.ee_info));
    if (!v4 && (e.ee_type == 2 || e.ee_type == 4)) core::store_be32(&m[4], e.ee_info);
    core::Buffer transport;
    if (udp) {
        transport.resize(8);
        core::store_be16(&transport[0], source_port);
        core::store_be16(&transport[2], dport);
        core::store_be16(&transport[4], static_cast<std::uint16_t>(8 + n));
    }
    transport.insert(transport.end(), data, data + n);
    core::ByteWriter w(m);
    const std::uint8_t proto = probe::method_protocol(space.method, space.destination.family());
    if (v4) {
        wire::Ipv4Header h;
        h.total_length = static_cast<std::uint16_t>(20 + transport.size());
        h.ttl = 1;
        h.protocol = proto;
        h.source = space.source.is_v4() ? space.source.v4() : core::Ipv4Address();
        h.destination = space.destination.v4();
        h.emit(w);
    } else {
        wire::Ipv6Header h;
        h.payload_length = static_cast<std::uint16_t>(transport.size());
        h.next_header = proto;
        h.hop_limit = 1;
        h.source = space.source.is_v6() ? space.source.v6() : core::Ipv6Address();
        h.destination = space.destination.v6();
        h.emit(w);
    }
    w.bytes(core::Bytes(transport));
    if (v4) core::store_be16(&m[2], wire::internet_checksum(core::Bytes(m)));
    return m;
}

ErrqueueRead read_error_response(int fd, const probe::ProbeSpace& space, std::uint16_t source_port) {
    std::array<std::uint8_t, 2048> data{};
    std::array<std::uint8_t, 512> ctrl{};
    sockaddr_storage target{};
    iovec iov{data.data(), data.size()};
    msghdr m{};
    m.msg_name = &target, m.msg_namelen = sizeof target, m.msg_iov = &iov, m.msg_iovlen = 1;
    m.msg_control = ctrl.data(), m.msg_controllen = ctrl.size();
    const ssize_t n = ::recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT);
    if (n < 0) return {};
    const sock_extended_err* e = nullptr;
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
            (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR))
            e = reinterpret_cast<const sock_extended_err*>(CMSG_DATA(c));
    if (!e || (e->ee_origin != SO_EE_ORIGIN_ICMP && e->ee_origin != SO_EE_ORIGIN_ICMP6)) return {true, std::nullopt};
    auto offender = from_sockaddr(SO_EE_OFFENDER(e));
    if (!offender) return {true, std::nullopt};
    std::uint16_t dport = 0;
    if (target.ss_family == AF_INET) dport = ntohs(reinterpret_cast<sockaddr_in*>(&target)->sin_port);
    else if (target.ss_family == AF_INET6) dport = ntohs(reinterpret_cast<sockaddr_in6*>(&target)->sin6_port);
    const auto msg = rebuild_error(space, source_port, *e, dport, data.data(), static_cast<std::size_t>(n));
    auto r = probe::match_response(space, space.destination.is_v4() ? 1 : 58, core::Bytes(msg), *offender);
    r.quoted_ttl.reset();  // not kept by the kernel
    r.quoted_tos.reset();
    return {true, std::move(r)};
}

}  // namespace icmpkit::net
