// icmpkit-netns-chain: builds the namespace router chain of tests/support/netns.hpp, runs one
// command with its addresses in the environment, and removes the chain (also on SIGINT/SIGTERM).
// Benchmark scripts wrap their side-by-side runs in it so that every peer tool sees the same
// kernel routers. Needs root.
//
//   icmpkit-netns-chain [--routers N] [--kernel-rate-limits] [--silent K]... [--mtu LINK=MTU]...
//                       [--no-ipv6] -- COMMAND [ARG...]
//
// Environment for COMMAND: CHAIN_A and CHAIN_B (namespace names), CHAIN_ROUTERS, CHAIN_DEST_V4,
// CHAIN_DEST_V6, CHAIN_SRC_V4, CHAIN_HOPS_V4 and CHAIN_HOPS_V6 (space-separated router addresses,
// hop 1 first), CHAIN_R1..CHAIN_Rn (router namespace names). --silent K makes router K drop the
// Time Exceeded messages it would send (a silent hop).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../tests/support/netns.hpp"

using icmpkit::test_support::ChainOptions;
using icmpkit::test_support::NetnsChain;

namespace {

volatile sig_atomic_t g_child = 0;

void forward_signal(int sig) {
    if (g_child > 0) ::kill(g_child, sig);
}

int usage(const char* msg) {
    std::fprintf(stderr, "icmpkit-netns-chain: %s\nusage: icmpkit-netns-chain [--routers N] [--kernel-rate-limits] "
                         "[--silent K]... [--mtu LINK=MTU]... [--no-ipv6] -- COMMAND [ARG...]\n", msg);
    return 2;
}

int run_child(char** argv) {
    pid_t pid = ::fork();
    if (pid < 0) return 127;
    if (pid == 0) {
        ::execvp(argv[0], argv);
        std::perror(argv[0]);
        ::_exit(127);
    }
    g_child = pid;
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0) {
    }
    g_child = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

}  // namespace

int main(int argc, char** argv) {
    ChainOptions options;
    options.tag = "b";
    std::vector<int> silent;
    int i = 1;
    for (; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--") { ++i; break; }
        if (a == "--routers" && i + 1 < argc) options.routers = std::atoi(argv[++i]);
        else if (a == "--kernel-rate-limits") options.kernel_rate_limits = true;
        else if (a == "--no-ipv6") options.ipv6 = false;
        else if (a == "--silent" && i + 1 < argc) silent.push_back(std::atoi(argv[++i]));
        else if (a == "--mtu" && i + 1 < argc) {
            std::string v = argv[++i];
            auto eq = v.find('=');
            if (eq == std::string::npos) return usage("--mtu wants LINK=MTU");
            options.link_mtu[std::atoi(v.substr(0, eq).c_str())] = std::atoi(v.substr(eq + 1).c_str());
        } else return usage(("unknown argument '" + a + "'").c_str());
    }
    if (i >= argc) return usage("no command");
    std::string error;
    auto chain = NetnsChain::create(options, &error);
    if (!chain) {
        std::fprintf(stderr, "icmpkit-netns-chain: %s\n", error.c_str());
        return 2;
    }
    for (int k : silent) {
        if (k < 1 || k > options.routers) return usage("--silent K wants 1 <= K <= routers");
        icmpkit::test_support::sh(chain->in_router(k, "iptables -A OUTPUT -p icmp --icmp-type time-exceeded -j DROP"));
        icmpkit::test_support::sh(
            chain->in_router(k, "ip6tables -A OUTPUT -p icmpv6 --icmpv6-type time-exceeded -j DROP"));
    }
    std::string hops4, hops6;
    for (int k = 1; k <= options.routers; ++k) {
        hops4 += (k > 1 ? " " : "") + chain->hop_v4(k);
        hops6 += (k > 1 ? " " : "") + chain->hop_v6(k);
        ::setenv(("CHAIN_R" + std::to_string(k)).c_str(), chain->router(k).c_str(), 1);
    }
    ::setenv("CHAIN_A", chain->a().c_str(), 1);
    ::setenv("CHAIN_B", chain->b().c_str(), 1);
    ::setenv("CHAIN_ROUTERS", std::to_string(options.routers).c_str(), 1);
    ::setenv("CHAIN_SRC_V4", chain->source_v4().c_str(), 1);
    ::setenv("CHAIN_DEST_V4", chain->dest_v4().c_str(), 1);
    ::setenv("CHAIN_DEST_V6", chain->dest_v6().c_str(), 1);
    ::setenv("CHAIN_HOPS_V4", hops4.c_str(), 1);
    ::setenv("CHAIN_HOPS_V6", hops6.c_str(), 1);
    struct sigaction sa {};
    sa.sa_handler = forward_signal;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    return run_child(argv + i);  // the chain's destructor removes the namespaces
}
