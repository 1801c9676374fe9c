// icmpkit lab --list | --describe [TOPOLOGY|FILE] [--json]: the virtual networks of the sim.
// icmpkit lab [options] [TOPOLOGY|FILE]: the topology in real time behind a TUN device (lab_run.cpp).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "load_topology.hpp"
#include "icmpkit/report/lab.hpp"
#include "lab_run.hpp"
#include "icmpkit/sim/path.hpp"
#include "icmpkit/sim/topology.hpp"

namespace icmpkit::cli {

// A built-in name, or else a file; the error is "file:line: message" or a usage message.
core::Result<sim::Topology, std::string> load_topology(const std::string& what) {
    if (const auto* b = sim::find_builtin(what)) {
        auto t = sim::parse_topology(b->text, b->name);
        if (!t) return core::Unexpected<std::string>(t.error().describe());
        return std::move(*t);
    }
    std::ifstream in(what, std::ios::binary);
    if (!in) return core::Unexpected<std::string>(fmt::format("{}: no such built-in topology or readable file", what));
    std::ostringstream text;
    text << in.rdbuf();
    auto t = sim::parse_topology(text.str(), what);
    if (!t) return core::Unexpected<std::string>(t.error().describe());
    return std::move(*t);
}

int run_lab(int argc, char** argv) {
    CLI::App app{"virtual networks: list, describe, or run one behind a TUN device in real time", "lab"};
    bool list = false, describe = false, json = false;
    std::string topology = "internet";
    app.add_flag("--list", list, "list the built-in topologies");
    app.add_flag("--describe", describe, "print nodes, addresses, links and the hop list of a trace to every host");
    app.add_flag("--json", json, "with --describe: one JSON object");
    app.add_option("topology", topology, "a built-in topology (default internet) or a topology file");
    LabLiveOptions live;
    double duration_s = 0;
    app.add_option("--netns", live.netns, "create network namespace NAME, run in it, remove it on exit");
    app.add_option("--dev", live.device, "TUN device name or pattern (default icmpkit%d)");
    app.add_option("--duration", duration_s, "stop after SECONDS")->check(CLI::Range(0.001, 1e7));
    app.add_flag("--stats", live.stats, "print counters at exit and on SIGUSR1");
    app.add_option("-w", live.pcap, "write every datagram received and sent to a pcap file (LINKTYPE_RAW)");
    app.add_option("--seed", live.seed, "random seed of the links (loss, jitter, ...)");
    app.footer("Without --list or --describe the topology runs behind a TUN device that routes only\n"
               "192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32 (needs CAP_NET_ADMIN).");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }
    if (list && describe) {
        std::fputs("icmpkit lab: --list and --describe exclude each other\n", stderr);
        return 2;
    }
    if (json && !describe) {
        std::fputs("icmpkit lab: --json needs --describe\n", stderr);
        return 2;
    }
    if (list) {
        std::string out;
        for (const auto& b : sim::builtin_topologies()) out += fmt::format("{:<10} {}\n", b.name, b.summary);
        std::fwrite(out.data(), 1, out.size(), stdout);
        return 0;
    }
    auto t = load_topology(topology);
    if (!t) {
        std::fprintf(stderr, "%s\n", t.error().c_str());
        return 2;
    }
    if (!describe) {
        if (duration_s > 0)
            live.duration = std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(duration_s));
        return run_lab_live(*t, live);
    }
    auto paths = sim::compute_host_paths(*t);
    std::string out;
    if (json) report::describe_topology_json(*t, paths, out);
    else report::describe_topology_text(*t, paths, out);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

}  // namespace icmpkit::cli
