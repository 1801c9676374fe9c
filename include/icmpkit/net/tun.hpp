// net: a TUN device, network namespaces and address/route setup for `icmpkit lab`. The only
// place with those syscalls (DESIGN.md 1). Addresses and routes are set by running iproute2's
// `ip`, and only inside the documentation ranges (RFC 5737, RFC 3849).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/error.hpp"

namespace icmpkit::net {

// /dev/net/tun opened with IFF_TUN | IFF_NO_PI: every read and write is one IP datagram.
class TunDevice {
public:
    TunDevice() = default;
    TunDevice(TunDevice&& o) noexcept;
    TunDevice& operator=(TunDevice&& o) noexcept;
    TunDevice(const TunDevice&) = delete;
    TunDevice& operator=(const TunDevice&) = delete;
    ~TunDevice();  // closing the descriptor removes the (non-persistent) device

    // `name` may be empty or a pattern such as "lab%d"; the kernel's choice is name().
    // Non-blocking, close-on-exec.
    static core::SysResult<TunDevice> open(const std::string& name);

    int fd() const noexcept { return fd_; }
    const std::string& name() const noexcept { return name_; }

    // One datagram into `buffer`; nullopt when none is waiting (EAGAIN).
    core::SysResult<std::optional<std::size_t>> read(std::span<std::uint8_t> buffer);
    // One datagram to the kernel. EAGAIN / ENOBUFS are errors the caller counts.
    core::SysResult<void> write(core::Bytes packet);

private:
    int fd_ = -1;
    std::string name_;
};

// Runs `ip ARGS...` (iproute2) and waits for it; stderr is passed through. The error names the
// command line.
core::SysResult<void> run_ip(const std::vector<std::string>& args);

// A named network namespace (`ip netns add NAME`) that this process enters with setns(); removed
// (`ip netns delete NAME`) by remove() or the destructor. Devices created after enter() live in
// it, and so do the `ip` commands run_ip() starts.
class NetnsGuard {
public:
    NetnsGuard() = default;
    NetnsGuard(NetnsGuard&& o) noexcept : name_(std::move(o.name_)) { o.name_.clear(); }
    NetnsGuard& operator=(NetnsGuard&&) = delete;
    NetnsGuard(const NetnsGuard&) = delete;
    ~NetnsGuard() { remove(); }

    // Creates the namespace (failing if it exists), enters it and sets its loopback up.
    static core::SysResult<NetnsGuard> create_and_enter(const std::string& name);
    void remove() noexcept;
    const std::string& name() const noexcept { return name_; }

private:
    std::string name_;
};

// Brings `device` up with `mtu`, assigns each address (/32, /128 nodad) and routes the
// documentation prefixes of the address families present through it. Refuses any address
// outside 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32 (no command is run).
core::SysResult<void> configure_lab_device(const std::string& device, std::uint32_t mtu,
                                           const std::vector<core::IpAddress>& addresses);

// The documentation ranges the lab routes.
std::span<const char* const> lab_route_prefixes(core::Family family) noexcept;

}  // namespace icmpkit::net
