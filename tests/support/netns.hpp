// Test helper: network namespaces the test creates itself, and a chain of Linux routers between
// two hosts. Everything is removed by the destructor (also when an assertion failed); every
// command runs under timeout(1). Only documentation ranges are used (brief: test network rules).
//
//   A ─ R1 ─ R2 ─ … ─ Rn ─ B
//
// Link 0 (A–R1) is 192.0.2.0/24 and 2001:db8:1::/64 (R1 .1/::1, A .2/::2); link n (Rn–B) is
// 198.51.100.0/24 and 2001:db8:2::/64 (Rn .1, B .2); inner link i (Ri–Ri+1, 1 ≤ i < n) is
// 203.0.113.8(i-1)/29 (Ri .8(i-1)+1, Ri+1 .8(i-1)+2) and 2001:db8:1<i>::/64 (::1, ::2), so
// with one router this is the A–R–B chain of the older tests. Router k answers a traceroute from
// its interface on link k-1: hop_v4(k) / hop_v6(k). Interfaces are named "toa" (towards A) and
// "tob" (towards B) in every namespace.
//
// Kernel note: a router's Destination Unreachable for a missing route (ip_error) shares the
// per-source token bucket of its Time Exceeded messages and needs net.ipv4.route.error_cost (1 s,
// a global sysctl we leave alone) since the last one: wait a second after a traceroute.
//
//   auto chain = test_support::NetnsChain::create({.routers = 3});
//   if (!chain) GTEST_SKIP() << chain.error();          // not root, or no namespaces
//   chain->in_a("ping -c 1 " + chain->dest_v4());
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace icmpkit::test_support {

bool is_root();

struct CmdResult {
    int rc = -1;       // exit status; 124 when timeout(1) stopped it; -1 when it did not exit
    std::string out;   // stdout (and stderr when merged)
};
// Runs `cmd` with /bin/sh under `timeout seconds`, capturing stdout (stderr too when merge_stderr).
CmdResult run_cmd(const std::string& cmd, int seconds = 30, bool merge_stderr = false);
// Runs `cmd` silently; true when it exited 0.
bool sh(const std::string& cmd, int seconds = 30);

// A set of namespaces named ik<tag><pid>-<short>, deleted by the destructor.
class NetnsSet {
public:
    explicit NetnsSet(std::string tag);
    ~NetnsSet();
    NetnsSet(const NetnsSet&) = delete;
    NetnsSet& operator=(const NetnsSet&) = delete;

    // Creates namespace `short_name` (loopback up); returns its full name, empty on failure.
    std::string add(const std::string& short_name);
    const std::string& name(const std::string& short_name) const;  // full name of an added one
    // A veth pair ns1:if1 <-> ns2:if2 (short names), both up, optional MTU on both ends.
    bool link(const std::string& ns1, const std::string& if1, const std::string& ns2, const std::string& if2,
              int mtu = 0);
    // `ip addr add CIDR dev IF` (IPv6 with nodad).
    bool address(const std::string& ns, const std::string& ifname, const std::string& cidr);
    // "ip netns exec FULL " — prefix a command with it.
    std::string exec(const std::string& ns) const;
    // Runs `cmd` in `ns` silently; true when it exited 0 (a failure is remembered in failure()).
    bool run(const std::string& ns, const std::string& cmd, int seconds = 30);
    bool sysctl(const std::string& ns, const std::string& assignment);  // "net.ipv4.ip_forward=1"

    const std::string& failure() const noexcept { return failure_; }  // the first command that failed

private:
    bool check(bool ok, const std::string& what);
    std::string prefix_;
    std::map<std::string, std::string> names_;
    std::vector<std::string> order_;
    std::string failure_;
};

struct ChainOptions {
    int routers = 1;                 // 1..30
    bool ipv6 = true;
    // ICMP rate limits as a fresh namespace has them (Linux defaults: icmp_ratelimit 1000 ms, a
    // burst of 6 per destination...). false: icmp_ratelimit=0 everywhere (deterministic tests).
    bool kernel_rate_limits = false;
    std::map<int, int> link_mtu;     // link index -> MTU on both ends (link 0 = A–R1, n = Rn–B)
    std::string tag = "c";           // distinguishes several chains of one process
};

class NetnsChain {
public:
    // Builds the chain; the error says why not (not root, a command that failed).
    static std::unique_ptr<NetnsChain> create(const ChainOptions& options, std::string* error);

    int routers() const noexcept { return options_.routers; }
    NetnsSet& set() noexcept { return set_; }
    // Full namespace names: a(), b(), router(k) for 1 ≤ k ≤ n.
    const std::string& a() const { return set_.name("a"); }
    const std::string& b() const { return set_.name("b"); }
    const std::string& router(int k) const { return set_.name("r" + std::to_string(k)); }
    std::string in_a(const std::string& cmd) const { return set_.exec("a") + cmd; }
    std::string in_b(const std::string& cmd) const { return set_.exec("b") + cmd; }
    std::string in_router(int k, const std::string& cmd) const { return set_.exec("r" + std::to_string(k)) + cmd; }

    // Addresses (text): the two ends of link i (a_side: the end nearer A), router k's ingress
    // address (its end of link k-1).
    static std::string link_v4(int i, int n, bool a_side);
    static std::string link_v6(int i, int n, bool a_side);
    std::string hop_v4(int k) const { return link_v4(k - 1, options_.routers, false); }
    std::string hop_v6(int k) const { return link_v6(k - 1, options_.routers, false); }
    std::string source_v4() const { return link_v4(0, options_.routers, true); }
    std::string source_v6() const { return link_v6(0, options_.routers, true); }
    std::string dest_v4() const { return link_v4(options_.routers, options_.routers, false); }
    std::string dest_v6() const { return link_v6(options_.routers, options_.routers, false); }

    // Forgets learned path MTUs in A (between runs that must not share them).
    void flush_route_cache() const;

    explicit NetnsChain(const ChainOptions& o) : options_(o), set_("k" + o.tag) {}

private:
    bool build();
    void lift_global_icmp_limit(const std::string& ns);
    ChainOptions options_;
    NetnsSet set_;
};

}  // namespace icmpkit::test_support
