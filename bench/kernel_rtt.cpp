// icmpkit-kernel-rtt: the loopback round trip as the kernel's own software timestamps see it
// (SO_TIMESTAMPING: TX_SOFTWARE when the request leaves, RX_SOFTWARE when the reply arrives), one
// echo at a time. The reference column of bench/ping_rtt.sh. Prints one RTT per line, in
// microseconds with three decimals. Needs root (a raw ICMP socket). Bounded: COUNT probes, each
// waiting at most one second for its reply and its transmit stamp.
//
//   icmpkit-kernel-rtt COUNT INTERVAL_MS
#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>

#include "icmpkit/core/bytes.hpp"
#include "icmpkit/wire/checksum.hpp"

namespace {

std::optional<double> stamp_us(msghdr& m) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING) {
            scm_timestamping ts;
            std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
            return static_cast<double>(ts.ts[0].tv_sec) * 1e6 + static_cast<double>(ts.ts[0].tv_nsec) / 1e3;
        }
    return std::nullopt;
}

// Waits (at most 1 s per try) for our echo reply (or, errqueue, the TX stamp) and returns its stamp.
std::optional<double> read_stamp(int fd, bool errqueue, std::uint16_t id, std::uint16_t seq) {
    for (int tries = 0; tries < 100; ++tries) {
        pollfd p{fd, static_cast<short>(errqueue ? 0 : POLLIN), 0};
        if (::poll(&p, 1, 1000) <= 0) return std::nullopt;
        std::uint8_t buf[2048];
        alignas(cmsghdr) char ctrl[512];
        iovec iov{buf, sizeof buf};
        msghdr m{};
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        m.msg_control = ctrl;
        m.msg_controllen = sizeof ctrl;
        ssize_t n = ::recvmsg(fd, &m, MSG_DONTWAIT | (errqueue ? MSG_ERRQUEUE : 0));
        if (n < 0) continue;
        if (errqueue) return stamp_us(m);
        std::size_t hl = std::size_t{buf[0] & 0x0Fu} * 4;
        if (static_cast<std::size_t>(n) < hl + 8 || buf[hl] != 0) continue;  // echo replies only
        if (icmpkit::core::load_be16(&buf[hl + 4]) != id || icmpkit::core::load_be16(&buf[hl + 6]) != seq) continue;
        return stamp_us(m);
    }
    return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: icmpkit-kernel-rtt COUNT INTERVAL_MS\n");
        return 2;
    }
    const int count = std::atoi(argv[1]);
    const int interval_ms = std::atoi(argv[2]);
    if (count < 1 || count > 1000000 || interval_ms < 0 || interval_ms > 10000) {
        std::fprintf(stderr, "icmpkit-kernel-rtt: COUNT 1..1000000, INTERVAL_MS 0..10000\n");
        return 2;
    }
    int fd = ::socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    if (fd < 0) {
        std::perror("socket");
        return 2;
    }
    unsigned flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE |
                     SOF_TIMESTAMPING_OPT_TSONLY;
    if (::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags) < 0) {
        std::perror("SO_TIMESTAMPING");
        return 2;
    }
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const auto id = static_cast<std::uint16_t>(::getpid() & 0xFFFF);
    for (int i = 1; i <= count; ++i) {
        std::uint8_t req[64] = {8, 0};  // echo request with 56 bytes of data, as ping's default
        icmpkit::core::store_be16(&req[4], id);
        icmpkit::core::store_be16(&req[6], static_cast<std::uint16_t>(i));
        for (int k = 8; k < 64; ++k) req[k] = static_cast<std::uint8_t>(k - 8);
        icmpkit::core::store_be16(&req[2], icmpkit::wire::internet_checksum(icmpkit::core::Bytes(req, sizeof req)));
        if (::sendto(fd, req, sizeof req, 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == sizeof req) {
            auto rx = read_stamp(fd, false, id, static_cast<std::uint16_t>(i));
            auto tx = read_stamp(fd, true, id, static_cast<std::uint16_t>(i));
            if (rx && tx) std::printf("%.3f\n", *rx - *tx);
        }
        timespec t{interval_ms / 1000, (interval_ms % 1000) * 1000000L};
        ::nanosleep(&t, nullptr);
    }
    ::close(fd);
    return 0;
}
