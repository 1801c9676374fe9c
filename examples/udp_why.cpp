// A small UDP client that says why its datagrams fail, using net::ErrorListener.
//   udp_why ADDRESS PORT [COUNT]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "icmpkit/net/error_listener.hpp"
#include "icmpkit/report/icmp_error_text.hpp"

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: udp_why ADDRESS PORT [COUNT]\n");
        return 2;
    }
    int count = argc > 3 ? std::atoi(argv[3]) : 3;
    sockaddr_storage ss{};
    socklen_t len = 0;
    auto* in4 = reinterpret_cast<sockaddr_in*>(&ss);
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    if (inet_pton(AF_INET, argv[1], &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET, in4->sin_port = htons(std::atoi(argv[2])), len = sizeof *in4;
    } else if (inet_pton(AF_INET6, argv[1], &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6, in6->sin6_port = htons(std::atoi(argv[2])), len = sizeof *in6;
    } else {
        std::fprintf(stderr, "udp_why: not an address: %s\n", argv[1]);
        return 2;
    }
    int fd = ::socket(ss.ss_family, SOCK_DGRAM, 0);
    auto listener = icmpkit::net::ErrorListener::attach(fd);  // IP_RECVERR / IPV6_RECVERR
    if (!listener) {
        std::fprintf(stderr, "udp_why: %s\n", icmpkit::core::describe(listener.error()).c_str());
        return 2;
    }
    int failures = 0;
    for (int i = 0; i < count && i < 100; ++i) {
        ::sendto(fd, "hello", 5, 0, reinterpret_cast<sockaddr*>(&ss), len);
        auto e = listener->wait(std::chrono::milliseconds(1000));
        if (e && *e) {
            ++failures;
            std::printf("datagram %d: %s\n", i + 1, icmpkit::report::describe_error(**e).c_str());
        } else {
            std::printf("datagram %d: no error reported\n", i + 1);
        }
    }
    ::close(fd);
    return failures ? 1 : 0;
}
