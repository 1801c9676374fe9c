// ICMP errors delivered to the application whose datagram caused them (issue 6).
//
// ErrorListener attaches to the application's own UDP or TCP socket (IPv4 or IPv6), turns on
// IP_RECVERR / IPV6_RECVERR and SO_TIMESTAMPNS, and drains MSG_ERRQUEUE into probe::IcmpError.
// Linux queues ICMP details (struct sock_extended_err) for UDP (and raw/ping) sockets, and since
// 5.10 for a TCP socket in SYN-SENT (tcp_v4_err/tcp_v6_err: the error that aborts the connection
// attempt); otherwise a TCP socket gets the errno alone (SO_ERROR), reported with origin `socket`.
//
// RawErrorWatcher is for programs that cannot use IP_RECVERR (or want ICMP details for TCP): a raw
// ICMP/ICMPv6 socket whose every arriving error goes through probe::ErrorMatcher (RFC 5927 checks).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "icmpkit/core/error.hpp"
#include "icmpkit/probe/error_match.hpp"
#include "icmpkit/probe/icmp_error.hpp"

namespace icmpkit::net {

using probe::IcmpError;

class ErrorListener {
public:
    // Does not take ownership of `fd` (a SOCK_DGRAM/UDP or SOCK_STREAM/TCP socket of AF_INET or
    // AF_INET6). Fails when the socket is neither, or setsockopt(IP_RECVERR) fails.
    static core::SysResult<ErrorListener> attach(int fd);

    int fd() const noexcept { return fd_; }
    core::Family family() const noexcept { return family_; }
    std::uint8_t protocol() const noexcept { return protocol_; }

    // The next queued error without blocking; nullopt when there is none.
    core::SysResult<std::optional<IcmpError>> next();
    // Waits up to `timeout` for an error (poll POLLERR), then next().
    core::SysResult<std::optional<IcmpError>> wait(std::chrono::milliseconds timeout);

private:
    ErrorListener(int fd, core::Family f, std::uint8_t p) : fd_(fd), family_(f), protocol_(p) {}
    core::SysResult<std::optional<IcmpError>> socket_error();
    int fd_ = -1;
    core::Family family_ = core::Family::v4;
    std::uint8_t protocol_ = 0;
};

class RawErrorWatcher {
public:
    RawErrorWatcher() = default;
    RawErrorWatcher(RawErrorWatcher&& o) noexcept;
    RawErrorWatcher& operator=(RawErrorWatcher&& o) noexcept;
    RawErrorWatcher(const RawErrorWatcher&) = delete;
    RawErrorWatcher& operator=(const RawErrorWatcher&) = delete;
    ~RawErrorWatcher();

    // A raw IPPROTO_ICMP / IPPROTO_ICMPV6 socket (CAP_NET_RAW), filtered to error types.
    static core::SysResult<RawErrorWatcher> open(core::Family family);

    int fd() const noexcept { return fd_; }
    core::Family family() const noexcept { return family_; }
    probe::ErrorMatcher& matcher() noexcept { return matcher_; }
    const probe::MatchCounters& counters() const noexcept { return matcher_.counters(); }

    // Observer mode: judge with ErrorMatcher::inspect (every well-formed error is delivered, the
    // registered flows are ignored) instead of match.
    void observe_all(bool on) noexcept { observe_all_ = on; }

    // Reads one message (non-blocking) and judges it; nullopt when nothing was waiting.
    core::SysResult<std::optional<probe::MatchResult>> read_one();
    // Waits up to `timeout` for one delivered error; other verdicts are counted and skipped.
    core::SysResult<std::optional<IcmpError>> wait(std::chrono::milliseconds timeout);

private:
    int fd_ = -1;
    core::Family family_ = core::Family::v4;
    probe::ErrorMatcher matcher_;
    bool observe_all_ = false;
};

}  // namespace icmpkit::net
