// Helpers of conformance_test.cpp: the probes (built with wire's emit), the reading of an ICMP
// answer into the compared fields, and a raw AF_PACKET endpoint inside a network namespace.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/wire/checksum.hpp"
#include "icmpkit/wire/icmpv4.hpp"
#include "icmpkit/wire/icmpv6.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/ipv4.hpp"
#include "icmpkit/wire/ipv6.hpp"
#include "icmpkit/wire/transport.hpp"

namespace conformance {

using icmpkit::core::Buffer;
using icmpkit::core::Bytes;
using icmpkit::core::IpAddress;

inline IpAddress ip(const char* s) { return *IpAddress::parse(s); }

// The IP header in front of `upper` (protocol / next header `proto`).
inline Buffer ip_datagram(const IpAddress& src, const IpAddress& dst, std::uint8_t proto, std::uint8_t ttl,
                          bool df, const Buffer& upper) {
    Buffer out;
    icmpkit::core::ByteWriter w(out);
    if (src.is_v4()) {
        icmpkit::wire::Ipv4Header h;
        h.source = src.v4();
        h.destination = dst.v4();
        h.protocol = proto;
        h.ttl = ttl;
        h.dont_fragment = df;
        h.identification = 0x4242;
        h.total_length = static_cast<std::uint16_t>(20 + upper.size());
        h.emit(w);
    } else {
        icmpkit::wire::Ipv6Header h;
        h.source = src.v6();
        h.destination = dst.v6();
        h.next_header = proto;
        h.hop_limit = ttl;
        h.payload_length = static_cast<std::uint16_t>(upper.size());
        h.emit(w);
    }
    w.bytes(upper);
    return out;
}

// A UDP datagram of `total` bytes (IP header included) from port 40000 to `dport`.
inline Buffer udp_probe(const char* src, const char* dst, std::uint16_t dport, std::uint8_t ttl, bool df,
                        std::size_t total = 60) {
    auto s = ip(src), d = ip(dst);
    std::size_t header = s.is_v4() ? 20 : 40;
    Buffer payload(total - header - 8);
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i);
    icmpkit::wire::UdpHeader u;
    u.source_port = 40000;
    u.destination_port = dport;
    Buffer seg;
    icmpkit::core::ByteWriter sw(seg);
    u.emit(sw, payload, s, d);
    return ip_datagram(s, d, icmpkit::wire::ip_protocol::udp, ttl, df, seg);
}

inline Buffer echo_payload() {
    Buffer p(56);
    for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<std::uint8_t>(0xA0 + i);
    return p;
}

inline Buffer echo_probe(const char* src, const char* dst) {
    auto s = ip(src), d = ip(dst);
    Buffer icmp;
    icmpkit::core::ByteWriter w(icmp);
    if (s.is_v4()) {
        icmpkit::wire::icmpv4::EchoRequest e;
        e.identifier = 0x1234;
        e.sequence = 1;
        e.data = echo_payload();
        icmpkit::wire::icmpv4::emit(e, w);
        return ip_datagram(s, d, icmpkit::wire::ip_protocol::icmp, 64, false, icmp);
    }
    icmpkit::wire::icmpv6::EchoRequest e;
    e.identifier = 0x1234;
    e.sequence = 1;
    e.data = echo_payload();
    icmpkit::wire::icmpv6::emit(e, w, icmpkit::wire::icmpv6::ChecksumMode::compute, &s.v6(), &d.v6());
    return ip_datagram(s, d, icmpkit::wire::ip_protocol::icmpv6, 64, false, icmp);
}

// A Destination Unreachable (port) from `src` to `dst`, quoting a UDP datagram dst -> src, with
// TTL / hop limit `ttl`: an ICMP error no one may answer (RFC 1122 3.2.2, RFC 4443 2.4 (e)).
inline Buffer icmp_error_probe(const char* src, const char* dst, std::uint8_t ttl) {
    auto s = ip(src), d = ip(dst);
    Buffer quoted = udp_probe(dst, src, 33434, 64, false, s.is_v4() ? 48 : 68);
    Buffer icmp;
    icmpkit::core::ByteWriter w(icmp);
    if (s.is_v4()) {
        icmpkit::wire::icmpv4::DestinationUnreachable u;
        u.code = 3;
        u.original = quoted;
        icmpkit::wire::icmpv4::emit(u, w);
        return ip_datagram(s, d, icmpkit::wire::ip_protocol::icmp, ttl, false, icmp);
    }
    icmpkit::wire::icmpv6::DestinationUnreachable u;
    u.code = 4;
    u.original = quoted;
    icmpkit::wire::icmpv6::emit(u, w, icmpkit::wire::icmpv6::ChecksumMode::compute, &s.v6(), &d.v6());
    return ip_datagram(s, d, icmpkit::wire::ip_protocol::icmpv6, ttl, false, icmp);
}

// The compared fields of one answer.
struct Answer {
    bool answered = false;
    int type = -1, code = -1;
    std::size_t quote = 0;  // bytes of the original datagram (or echo data) carried
    bool checksum_ok = false;
    int length_attribute = 0;  // RFC 4884 length, in its units (v4 32-bit, v6 64-bit words)
    std::string extra;         // MTU of Frag Needed / PTB, "data=same|diff" of an echo reply

    std::string describe() const {
        if (!answered) return "(none)";
        std::string s = std::to_string(type) + "/" + std::to_string(code) + " q=" + std::to_string(quote) +
                        (checksum_ok ? " ck=ok" : " ck=BAD") + " len=" + std::to_string(length_attribute);
        if (!extra.empty()) s += " " + extra;
        return s;
    }
    bool same(const Answer& o) const {
        return answered == o.answered && type == o.type && code == o.code && quote == o.quote &&
               checksum_ok == o.checksum_ok && length_attribute == o.length_attribute && extra == o.extra;
    }
};

// True when `d` is an ICMP message that answers a probe (not ND / MLD / router traffic).
inline std::optional<Answer> read_answer(Bytes d) {
    using icmpkit::core::load_be16;
    using icmpkit::core::load_be32;
    Answer a;
    Bytes icmp;
    bool v4 = !d.empty() && (d[0] >> 4) == 4;
    if (v4) {
        if (d.size() < 20 || d[9] != icmpkit::wire::ip_protocol::icmp) return std::nullopt;
        std::size_t ihl = (d[0] & 0x0F) * 4u, total = load_be16(d.data() + 2);
        if (total > d.size() || ihl + 8 > total) return std::nullopt;
        icmp = d.subspan(ihl, total - ihl);
        a.checksum_ok = icmpkit::wire::checksum_ok(icmp);
    } else {
        if (d.size() < 48 || d[6] != icmpkit::wire::ip_protocol::icmpv6) return std::nullopt;
        std::size_t plen = load_be16(d.data() + 4);
        if (40 + plen > d.size() || plen < 8) return std::nullopt;
        icmp = d.subspan(40, plen);
        if (icmp[0] >= 128 && icmp[0] != 129) return std::nullopt;  // ND, MLD, requests
        icmpkit::wire::InternetChecksum c;  // RFC 8200 8.1 pseudo-header
        c.add(d.subspan(8, 32));
        c.add_u32(static_cast<std::uint32_t>(plen));
        c.add_u32(icmpkit::wire::ip_protocol::icmpv6);
        c.add(icmp);
        a.checksum_ok = c.finish() == 0;
    }
    a.answered = true;
    a.type = icmp[0];
    a.code = icmp[1];
    bool echo_reply = v4 ? a.type == 0 : a.type == 129;
    bool rfc4884 = v4 ? (a.type == 3 || a.type == 11 || a.type == 12) : (a.type == 1 || a.type == 3);
    if (rfc4884) a.length_attribute = v4 ? icmp[5] : icmp[4];
    a.quote = icmp.size() - 8;
    if (a.length_attribute != 0) a.quote = static_cast<std::size_t>(a.length_attribute) * (v4 ? 4 : 8);
    if (v4 && a.type == 3 && a.code == 4) a.extra = "mtu=" + std::to_string(load_be16(icmp.data() + 6));
    if (!v4 && a.type == 2) a.extra = "mtu=" + std::to_string(load_be32(icmp.data() + 4));
    if (echo_reply) {
        Buffer want = echo_payload();
        a.extra = std::string("data=") + (Bytes(icmp).subspan(8).size() == want.size() &&
                                                  std::equal(want.begin(), want.end(), icmp.begin() + 8)
                                              ? "same"
                                              : "diff");
    }
    return a;
}

// An AF_PACKET (cooked) socket on interface `ifname` inside network namespace `ns`: sends IP
// datagrams to the neighbour `peer_mac`, receives what arrives on the interface.
class NsPacketSocket {
public:
    NsPacketSocket(const std::string& ns, const std::string& ifname, const std::uint8_t (&peer_mac)[6]) {
        std::copy(std::begin(peer_mac), std::end(peer_mac), mac_);
        int self = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        int target = ::open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
        if (self >= 0 && target >= 0 && ::setns(target, CLONE_NEWNET) == 0) {
            fd_ = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ALL));
            ifindex_ = static_cast<int>(::if_nametoindex(ifname.c_str()));
            ::setns(self, CLONE_NEWNET);  // the socket stays in `ns`
        }
        if (self >= 0) ::close(self);
        if (target >= 0) ::close(target);
        if (fd_ >= 0 && ifindex_ > 0) {
            sockaddr_ll a{};
            a.sll_family = AF_PACKET;
            a.sll_protocol = htons(ETH_P_ALL);
            a.sll_ifindex = ifindex_;
            if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) close_fd();
        }
    }
    ~NsPacketSocket() { close_fd(); }
    NsPacketSocket(const NsPacketSocket&) = delete;
    NsPacketSocket& operator=(const NsPacketSocket&) = delete;

    bool ok() const { return fd_ >= 0 && ifindex_ > 0; }

    bool send(Bytes datagram) {
        sockaddr_ll a{};
        a.sll_family = AF_PACKET;
        a.sll_ifindex = ifindex_;
        a.sll_protocol = htons((datagram[0] >> 4) == 4 ? ETH_P_IP : ETH_P_IPV6);
        a.sll_halen = 6;
        std::copy(mac_, mac_ + 6, a.sll_addr);
        return ::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a) ==
               static_cast<ssize_t>(datagram.size());
    }

    void drain() {
        std::uint8_t buf[4096];
        while (::recv(fd_, buf, sizeof buf, MSG_DONTWAIT) > 0) {
        }
    }

    // The first answer arriving within `wait` (incoming packets only).
    std::optional<Answer> first_answer(std::chrono::milliseconds wait) {
        auto deadline = std::chrono::steady_clock::now() + wait;
        std::uint8_t buf[4096];
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return std::nullopt;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
            sockaddr_ll from{};
            socklen_t fl = sizeof from;
            ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
            if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING) continue;
            if (auto a = read_answer(Bytes(buf, static_cast<std::size_t>(n)))) return a;
        }
    }

private:
    void close_fd() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    int fd_ = -1;
    int ifindex_ = 0;
    std::uint8_t mac_[6]{};
};

}  // namespace conformance
