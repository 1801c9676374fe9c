// sockaddr <-> core::IpAddress (private to net).
#pragma once

#include <cstring>
#include <netinet/in.h>
#include <optional>
#include <sys/socket.h>

#include "icmpkit/core/address.hpp"

namespace icmpkit::net {

struct SockAddr {
    sockaddr_storage ss{};
    socklen_t len = 0;
    const sockaddr* get() const noexcept { return reinterpret_cast<const sockaddr*>(&ss); }
};

inline SockAddr to_sockaddr(const core::IpAddress& a, std::uint16_t port, std::uint32_t scope = 0) {
    SockAddr s;
    if (a.is_v4()) {
        auto* in = reinterpret_cast<sockaddr_in*>(&s.ss);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        in->sin_addr.s_addr = htonl(a.v4().to_uint());
        s.len = sizeof(sockaddr_in);
    } else {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&s.ss);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        std::memcpy(&in6->sin6_addr, a.v6().bytes().data(), 16);
        in6->sin6_scope_id = scope;
        s.len = sizeof(sockaddr_in6);
    }
    return s;
}

inline std::optional<core::IpAddress> from_sockaddr(const sockaddr* sa) {
    if (!sa) return std::nullopt;
    if (sa->sa_family == AF_INET) {
        auto* in = reinterpret_cast<const sockaddr_in*>(sa);
        return core::IpAddress(core::Ipv4Address(ntohl(in->sin_addr.s_addr)));
    }
    if (sa->sa_family == AF_INET6) {
        auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
        return core::IpAddress(core::Ipv6Address::from_bytes(in6->sin6_addr.s6_addr));
    }
    return std::nullopt;
}

}  // namespace icmpkit::net
