// net: the ICMP echo sockets, name resolution, privileges and the ping driver loop. The only
// place with syscalls for `icmpkit ping` (DESIGN.md 1).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/error.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/probe/ping.hpp"

namespace icmpkit::net {

enum class SocketKind : std::uint8_t { datagram, raw };

// Which clock stamped received packets.
enum class RxClock : std::uint8_t {
    so_timestamping_software,  // SO_TIMESTAMPING, SOF_TIMESTAMPING_RX_SOFTWARE (CLOCK_REALTIME)
    so_timestampns,            // SO_TIMESTAMPNS (CLOCK_REALTIME)
    user_clock,                // clock_gettime() after recvmsg()
};
const char* describe(RxClock c) noexcept;

class IcmpSocket {
public:
    IcmpSocket() = default;
    IcmpSocket(IcmpSocket&& o) noexcept;
    IcmpSocket& operator=(IcmpSocket&& o) noexcept;
    IcmpSocket(const IcmpSocket&) = delete;
    IcmpSocket& operator=(const IcmpSocket&) = delete;
    ~IcmpSocket();

    // iputils create_socket(): an ICMP datagram socket (net.ipv4.ping_group_range) first, a raw
    // socket when that is refused (EACCES, EPROTONOSUPPORT, EAFNOSUPPORT for IPv4).
    static core::SysResult<IcmpSocket> open(core::Family family);

    int fd() const noexcept { return fd_; }
    SocketKind kind() const noexcept { return kind_; }
    core::Family family() const noexcept { return family_; }
    RxClock rx_clock() const noexcept { return rx_clock_; }
    bool tx_timestamps() const noexcept { return tx_timestamps_; }
    // IPv6 -F: the flow label the kernel granted (network order, for sin6_flowinfo); 0 = none.
    std::uint32_t flowinfo() const noexcept { return flowinfo_; }

private:
    friend struct SocketAccess;
    int fd_ = -1;
    SocketKind kind_ = SocketKind::datagram;
    core::Family family_ = core::Family::v4;
    RxClock rx_clock_ = RxClock::user_clock;
    bool tx_timestamps_ = false;
    std::uint32_t flowinfo_ = 0;
};

// Raw sockets: a classic BPF filter that drops, in the kernel, echo replies carrying another
// identifier (every raw ICMP socket gets a copy of every reply; without it 100 concurrent pings
// overflow each other's receive queues). Other ICMP types pass. Datagram sockets: nothing to do.
core::SysResult<void> install_echo_filter(IcmpSocket& s, std::uint16_t identifier);

// One line for the user when no ICMP socket can be had: what to change.
std::string no_socket_advice(core::Family family);

// Drops every capability (after the sockets are open and configured).
core::SysResult<void> drop_capabilities();

struct Resolved {
    core::IpAddress address;
    std::string canonical_name;  // AI_CANONNAME, empty when none
    std::uint32_t scope_id = 0;  // IPv6 link-local %scope
};
// getaddrinfo(); the error is gai_strerror()'s text ("Name or service not known").
core::Result<Resolved, std::string> resolve(const std::string& host, std::optional<core::Family> family);

// getnameinfo(): the name, or the numeric text when there is no name (iputils pr_addr()).
std::string reverse_name(const core::IpAddress& a);

struct SocketOptions {
    std::optional<int> ttl;                 // -t
    std::optional<int> tos;                 // -Q
    std::optional<int> pmtudisc;            // -M: IP_PMTUDISC_* value
    std::optional<std::uint32_t> mark;      // -m
    std::string device;                     // -I iface
    std::optional<core::IpAddress> source;  // -I addr
    bool broadcast = false;                 // -b
    std::optional<std::uint32_t> flowlabel; // -F (IPv6): IPV6_FLOWLABEL_MGR + IPV6_FLOWINFO_SEND
    core::Buffer ip_options;                // -R / -T: IP_OPTIONS bytes
    bool ts_option = false;                 // ip_options is -T's (error text "ts option")
    bool no_loop = false;                   // -L: IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP off
    bool so_debug = false;                  // -d: SO_DEBUG
    bool dont_route = false;                // -r: SO_DONTROUTE (directly connected hosts only)
    bool user_latency = false;              // -U: no kernel timestamps, the user clock on receive
    bool tx_timestamps = true;              // SOF_TIMESTAMPING_TX_SOFTWARE (off in flood: one
                                            // error-queue entry per probe that nothing reads)
    std::optional<int> sndbuf;              // -S: SO_SNDBUF instead of iputils' estimate
    std::size_t payload_size = 56;
    unsigned preload = 1;
};

// Socket options, then the source address the kernel will use (iputils' UDP probe connect()).
// Errors carry iputils' operation names ("connect", "SO_BINDTODEVICE eth9", "IP_MTU_DISCOVER").
core::SysResult<core::IpAddress> configure(IcmpSocket& s, const SocketOptions& o,
                                           const core::IpAddress& destination, std::uint32_t scope_id);

// Wall clock minus monotonic clock now (probe::PingConfig::wall_offset).
core::Duration wall_offset();
core::MonoTime mono_now();

struct DriverHooks {
    std::function<void(const probe::Action&)> on_event;  // every action except Transmit
    std::function<void()> on_status;                     // SIGQUIT
    std::function<void()> on_idle;                       // before the loop waits (flush output)
    // IPv4: called for every received datagram before the engine sees it, with its IP options
    // (the raw socket's IP header, or IP_RETOPTS on a datagram socket; empty when none).
    std::function<void(const core::IpAddress&, core::Bytes ip_options)> on_reply_options;
};

// The loop (DESIGN.md 5): receive first, then expire timers, then transmit. SIGINT finishes,
// SIGQUIT asks for status (signalfd). Returns when the engine has finished.
core::SysResult<void> run_ping(probe::Ping& ping, IcmpSocket& s, const core::IpAddress& destination,
                               std::uint32_t scope_id, const DriverHooks& hooks);

}  // namespace icmpkit::net
