#include "netns.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace icmpkit::test_support {

bool is_root() { return ::geteuid() == 0; }

namespace {

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) {
        if (c == '\'') q += "'\\''";
        else q += c;
    }
    return q + "'";
}

}  // namespace

CmdResult run_cmd(const std::string& cmd, int seconds, bool merge_stderr) {
    std::string full = "timeout " + std::to_string(seconds) + " sh -c " + shell_quote(cmd) +
                       (merge_stderr ? " 2>&1" : " 2>/dev/null");
    CmdResult r;
    std::FILE* p = ::popen(full.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
    int st = ::pclose(p);
    r.rc = (st != -1 && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
    return r;
}

bool sh(const std::string& cmd, int seconds) {
    std::string full = "timeout " + std::to_string(seconds) + " sh -c " + shell_quote(cmd) + " >/dev/null 2>&1";
    int st = std::system(full.c_str());
    return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

// ---- NetnsSet -------------------------------------------------------------------------------

NetnsSet::NetnsSet(std::string tag) : prefix_("ik" + tag + std::to_string(::getpid()) + "-") {}

NetnsSet::~NetnsSet() {
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) sh("ip netns delete " + names_[*it], 10);
}

bool NetnsSet::check(bool ok, const std::string& what) {
    if (!ok && failure_.empty()) failure_ = what;
    return ok;
}

std::string NetnsSet::add(const std::string& short_name) {
    std::string full = prefix_ + short_name;
    sh("ip netns delete " + full, 10);  // a leftover of a killed run with the same pid
    if (!check(sh("ip netns add " + full), "ip netns add " + full)) return {};
    names_[short_name] = full;
    order_.push_back(short_name);
    if (!check(sh("ip -n " + full + " link set lo up"), "lo up in " + full)) return {};
    // No duplicate address detection, also for link-local addresses: neighbour discovery would
    // otherwise wait ~2 s for them on every new link.
    sysctl(short_name, "net.ipv6.conf.default.accept_dad=0");
    sysctl(short_name, "net.ipv6.conf.all.accept_dad=0");
    return full;
}

const std::string& NetnsSet::name(const std::string& short_name) const {
    static const std::string none;
    auto it = names_.find(short_name);
    return it == names_.end() ? none : it->second;
}

bool NetnsSet::link(const std::string& ns1, const std::string& if1, const std::string& ns2,
                    const std::string& if2, int mtu) {
    const std::string& n1 = name(ns1);
    const std::string& n2 = name(ns2);
    std::string cmd = "ip link add " + if1 + " netns " + n1 + " type veth peer name " + if2 + " netns " + n2;
    if (!check(sh(cmd), cmd)) return false;
    std::string m = mtu > 0 ? " mtu " + std::to_string(mtu) : "";
    return check(sh("ip -n " + n1 + " link set " + if1 + " up" + m), "link up " + if1) &&
           check(sh("ip -n " + n2 + " link set " + if2 + " up" + m), "link up " + if2);
}

bool NetnsSet::address(const std::string& ns, const std::string& ifname, const std::string& cidr) {
    bool v6 = cidr.find(':') != std::string::npos;
    std::string cmd = "ip -n " + name(ns) + " addr add " + cidr + " dev " + ifname + (v6 ? " nodad" : "");
    return check(sh(cmd), cmd);
}

bool NetnsSet::run(const std::string& ns, const std::string& cmd, int seconds) {
    return check(sh(exec(ns) + cmd, seconds), cmd + " in " + name(ns));
}

std::string NetnsSet::exec(const std::string& ns) const { return "ip netns exec " + name(ns) + " "; }

bool NetnsSet::sysctl(const std::string& ns, const std::string& assignment) {
    return check(sh(exec(ns) + "sysctl -qw " + assignment), "sysctl " + assignment + " in " + name(ns));
}

// ---- NetnsChain -----------------------------------------------------------------------------

std::string NetnsChain::link_v4(int i, int n, bool a_side) {
    if (i == 0) return a_side ? "192.0.2.2" : "192.0.2.1";
    if (i == n) return a_side ? "198.51.100.1" : "198.51.100.2";
    return "203.0.113." + std::to_string(8 * (i - 1) + (a_side ? 1 : 2));
}

std::string NetnsChain::link_v6(int i, int n, bool a_side) {
    std::string net = i == 0 ? "2001:db8:1::" : i == n ? "2001:db8:2::" : "2001:db8:1" + std::to_string(i) + "::";
    if (i == 0) return net + (a_side ? "2" : "1");  // A is ::2, R1 ::1 (as the older tests had it)
    return net + (a_side ? "1" : "2");
}

namespace {

std::string prefix_v4(int i, int n) {
    if (i == 0) return "192.0.2.0/24";
    if (i == n) return "198.51.100.0/24";
    return "203.0.113." + std::to_string(8 * (i - 1)) + "/29";
}
std::string prefix_v6(int i, int n) {
    if (i == 0) return "2001:db8:1::/64";
    if (i == n) return "2001:db8:2::/64";
    return "2001:db8:1" + std::to_string(i) + "::/64";
}
int plen_v4(int i, int n) { return (i == 0 || i == n) ? 24 : 29; }

}  // namespace

std::unique_ptr<NetnsChain> NetnsChain::create(const ChainOptions& options, std::string* error) {
    auto set_error = [&](const std::string& e) {
        if (error) *error = e;
    };
    if (!is_root()) {
        set_error("needs root (network namespaces)");
        return nullptr;
    }
    if (options.routers < 1 || options.routers > 30) {
        set_error("routers must be 1..30");
        return nullptr;
    }
    auto chain = std::make_unique<NetnsChain>(options);
    if (!chain->build()) {
        set_error("namespace setup failed: " + chain->set_.failure());
        return nullptr;  // the destructor removes what was made
    }
    return chain;
}

bool NetnsChain::build() {
    const int n = options_.routers;
    auto node = [&](int j) { return j == 0 ? std::string("a") : j == n + 1 ? std::string("b") : "r" + std::to_string(j); };
    for (int j = 0; j <= n + 1; ++j)
        if (set_.add(node(j)).empty()) return false;
    for (int i = 0; i <= n; ++i) {
        auto mtu = options_.link_mtu.find(i);
        if (!set_.link(node(i), "tob", node(i + 1), "toa", mtu == options_.link_mtu.end() ? 0 : mtu->second))
            return false;
        std::string plen = "/" + std::to_string(plen_v4(i, n));
        if (!set_.address(node(i), "tob", link_v4(i, n, true) + plen) ||
            !set_.address(node(i + 1), "toa", link_v4(i, n, false) + plen))
            return false;
        if (options_.ipv6 && (!set_.address(node(i), "tob", link_v6(i, n, true) + "/64") ||
                              !set_.address(node(i + 1), "toa", link_v6(i, n, false) + "/64")))
            return false;
    }
    for (int j = 0; j <= n + 1; ++j) {
        const std::string ns = node(j);
        std::vector<std::string> cmds;
        // Forwards: towards B by default (Rn has none: unknown networks are unreachable there).
        if (j < n) {
            cmds.push_back("ip route add default via " + link_v4(j, n, false));
            if (options_.ipv6) cmds.push_back("ip -6 route add default via " + link_v6(j, n, false));
        }
        if (j == n + 1) {
            cmds.push_back("ip route add default via " + link_v4(n, n, true));
            if (options_.ipv6) cmds.push_back("ip -6 route add default via " + link_v6(n, n, true));
        } else {
            // Back: the links behind the previous node.
            for (int i = 0; i + 1 < j; ++i) {
                cmds.push_back("ip route add " + prefix_v4(i, n) + " via " + link_v4(j - 1, n, true));
                if (options_.ipv6)
                    cmds.push_back("ip -6 route add " + prefix_v6(i, n) + " via " + link_v6(j - 1, n, true));
            }
        }
        for (auto& c : cmds)
            if (!set_.run(ns, c)) return false;
        if (j >= 1 && j <= n) {
            if (!set_.sysctl(ns, "net.ipv4.ip_forward=1")) return false;
            if (options_.ipv6 && !set_.sysctl(ns, "net.ipv6.conf.all.forwarding=1")) return false;
        }
        if (!options_.kernel_rate_limits) {
            if (!set_.sysctl(ns, "net.ipv4.icmp_ratelimit=0")) return false;
            if (options_.ipv6 && !set_.sysctl(ns, "net.ipv6.icmp.ratelimit=0")) return false;
            lift_global_icmp_limit(ns);
        }
    }
    return true;
}

// The per-namespace token bucket every ICMP error passes too (icmp_global_allow: burst 50, refilled
// at most every 20 ms, each error costing 0-2 tokens) drops answers when two traceroutes run back
// to back. Lifted only where the sysctl is per namespace (Linux 6.x): if writing it changed our own
// namespace's value, it is global, and we put it back.
void NetnsChain::lift_global_icmp_limit(const std::string& ns) {
    auto value = [](const char* name) {
        std::string v = run_cmd(std::string("cat /proc/sys/net/ipv4/") + name).out;
        return v.substr(0, v.find('\n'));
    };
    const std::string burst = value("icmp_msgs_burst"), rate = value("icmp_msgs_per_sec");
    if (burst.empty() || rate.empty()) return;
    sh(set_.exec(ns) + "sysctl -qw net.ipv4.icmp_msgs_burst=100000 net.ipv4.icmp_msgs_per_sec=1000000");
    if (value("icmp_msgs_burst") != burst)
        sh("sysctl -qw net.ipv4.icmp_msgs_burst=" + burst + " net.ipv4.icmp_msgs_per_sec=" + rate);
}

void NetnsChain::flush_route_cache() const {
    sh("ip -n " + a() + " route flush cache");
    if (options_.ipv6) sh("ip -n " + a() + " -6 route flush cache");
}

}  // namespace icmpkit::test_support
