// TUN device, network namespace and `ip` setup for the lab (tun.hpp).
#include "icmpkit/net/tun.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "icmpkit/sim/topology.hpp"

extern char** environ;

namespace icmpkit::net {

namespace {

core::Unexpected<core::SysError> sys_error(std::string operation, int err = errno) {
    return core::Unexpected(core::SysError{err, std::move(operation)});
}

std::string command_line(const std::vector<std::string>& args) {
    std::string s = "ip";
    for (const auto& a : args) s += " " + a;
    return s;
}

}  // namespace

TunDevice::TunDevice(TunDevice&& o) noexcept : fd_(o.fd_), name_(std::move(o.name_)) { o.fd_ = -1; }

TunDevice& TunDevice::operator=(TunDevice&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = o.fd_;
        name_ = std::move(o.name_);
        o.fd_ = -1;
    }
    return *this;
}

TunDevice::~TunDevice() {
    if (fd_ >= 0) ::close(fd_);
}

core::SysResult<TunDevice> TunDevice::open(const std::string& name) {
    if (name.size() >= IFNAMSIZ) return sys_error("TUNSETIFF " + name, ENAMETOOLONG);
    int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return sys_error("open /dev/net/tun");
    ifreq ifr{};
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    std::memcpy(ifr.ifr_name, name.data(), name.size());
    if (::ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int e = errno;
        ::close(fd);
        return sys_error("TUNSETIFF " + name, e);
    }
    TunDevice t;
    t.fd_ = fd;
    t.name_ = std::string(ifr.ifr_name, ::strnlen(ifr.ifr_name, IFNAMSIZ));
    return t;
}

core::SysResult<std::optional<std::size_t>> TunDevice::read(std::span<std::uint8_t> buffer) {
    for (;;) {
        ssize_t n = ::read(fd_, buffer.data(), buffer.size());
        if (n >= 0) return std::optional<std::size_t>(static_cast<std::size_t>(n));
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return std::optional<std::size_t>();
        return sys_error("read " + name_);
    }
}

core::SysResult<void> TunDevice::write(core::Bytes packet) {
    for (;;) {
        ssize_t n = ::write(fd_, packet.data(), packet.size());
        if (n >= 0) return {};
        if (errno == EINTR) continue;
        return sys_error("write " + name_);
    }
}

core::SysResult<void> run_ip(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    std::string prog = "ip";
    argv.push_back(prog.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    int rc = ::posix_spawnp(&pid, "ip", nullptr, nullptr, argv.data(), environ);
    if (rc != 0) return sys_error(command_line(args), rc);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return sys_error("waitpid " + command_line(args));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return sys_error(command_line(args) + " (exit status " +
                             std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")",
                         EIO);
    return {};
}

core::SysResult<NetnsGuard> NetnsGuard::create_and_enter(const std::string& name) {
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
        return sys_error("netns name '" + name + "'", EINVAL);
    if (auto r = run_ip({"netns", "add", name}); !r) return core::Unexpected(r.error());
    NetnsGuard g;
    g.name_ = name;  // from here on the destructor removes it
    std::string path = "/var/run/netns/" + name;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return sys_error("open " + path);
    int rc = ::setns(fd, CLONE_NEWNET);
    int e = errno;
    ::close(fd);
    if (rc < 0) return sys_error("setns " + path, e);
    if (auto r = run_ip({"link", "set", "dev", "lo", "up"}); !r) return core::Unexpected(r.error());
    return g;
}

void NetnsGuard::remove() noexcept {
    if (name_.empty()) return;
    std::string n = std::move(name_);
    name_.clear();
    try {
        (void)run_ip({"netns", "delete", n});
    } catch (...) {
    }
}

std::span<const char* const> lab_route_prefixes(core::Family family) noexcept {
    static const char* const v4[] = {"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"};
    static const char* const v6[] = {"2001:db8::/32"};
    if (family == core::Family::v4) return v4;
    return v6;
}

core::SysResult<void> configure_lab_device(const std::string& device, std::uint32_t mtu,
                                           const std::vector<core::IpAddress>& addresses) {
    // Refuse before running anything: the lab only ever owns documentation addresses.
    for (const auto& a : addresses)
        if (!sim::is_documentation_address(a))
            return sys_error("lab address " + a.to_string() + " is outside the documentation ranges", EINVAL);
    bool v4 = false, v6 = false;
    for (const auto& a : addresses) (a.is_v4() ? v4 : v6) = true;
    if (v6) {
        // No router solicitations or SLAAC on the lab device: only the packets the tools send.
        (void)run_ip({"link", "set", "dev", device, "addrgenmode", "none"});
    }
    if (auto r = run_ip({"link", "set", "dev", device, "mtu", std::to_string(mtu), "up"}); !r) return r;
    for (const auto& a : addresses) {
        std::vector<std::string> args = {"addr", "add", a.to_string() + (a.is_v4() ? "/32" : "/128"), "dev", device};
        if (a.is_v6()) args.push_back("nodad");  // usable at once, no duplicate detection delay
        if (auto r = run_ip(args); !r) return r;
    }
    for (auto [family, present] : {std::pair{core::Family::v4, v4}, std::pair{core::Family::v6, v6}}) {
        if (!present) continue;
        for (const char* p : lab_route_prefixes(family))
            if (auto r = run_ip({"route", "add", p, "dev", device}); !r) return r;
    }
    return {};
}

}  // namespace icmpkit::net
