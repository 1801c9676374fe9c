// net: error-queue entries as matcher input; see errqueue_response.hpp.
#include "errqueue_response.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>

#include "icmpkit/core/bytes.hpp"
#include "sockaddr_util.hpp"

namespace icmpkit::net {

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
    probe::QueuedError q;
    q.type = e->ee_type, q.code = e->ee_code, q.info = e->ee_info, q.destination_port = dport;
    q.source_port = source_port;
    // IP(V6)_RECVERR_RFC4884: where the extension structure starts (the kernel leaves 0 without
    // the option). A cut-short entry (MSG_TRUNC) has lost the end of its structure: ignore it.
    if (!(m.msg_flags & MSG_TRUNC)) q.extension_offset = e->ee_rfc4884.len;
    return {true, probe::match_queued_error(space, q, core::Bytes(data.data(), static_cast<std::size_t>(n)), *offender)};
}

ssize_t send_past_pending_error(int fd, core::Bytes data, const sockaddr* to, socklen_t to_len) {
    ssize_t n = -1;
    for (int attempt = 0; attempt < 3 && n < 0; ++attempt) {
        int pending = 0;
        socklen_t len = sizeof pending;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &pending, &len);
        n = ::sendto(fd, data.data(), data.size(), 0, to, to_len);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS || errno == EINVAL || errno == EMSGSIZE))
            break;  // the send's own failure, not a pending error
    }
    return n;
}

}  // namespace icmpkit::net
