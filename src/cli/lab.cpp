// icmpkit lab --list | --describe [TOPOLOGY|FILE] [--json]: the virtual networks of the sim.
// Running a topology behind a TUN device (`icmpkit lab [TOPOLOGY]`) is not there yet.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "load_topology.hpp"
#include "icmpkit/report/lab.hpp"
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
    CLI::App app{"virtual networks: list and describe topologies (running one behind a TUN device: not yet)", "lab"};
    bool list = false, describe = false, json = false;
    std::string topology = "internet";
    app.add_flag("--list", list, "list the built-in topologies");
    app.add_flag("--describe", describe, "print nodes, addresses, links and the hop list of a trace to every host");
    app.add_flag("--json", json, "with --describe: one JSON object");
    app.add_option("topology", topology, "a built-in topology (default internet) or a topology file");
    app.footer("`icmpkit lab [TOPOLOGY]` (the topology in real time behind a TUN device) is not implemented yet.");
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
    if (!describe) {
        std::fputs("icmpkit lab: running a topology behind a TUN device is not implemented yet (use --list or --describe)\n",
                   stderr);
        return 2;
    }
    auto t = load_topology(topology);
    if (!t) {
        std::fprintf(stderr, "%s\n", t.error().c_str());
        return 2;
    }
    auto paths = sim::compute_host_paths(*t);
    std::string out;
    if (json) report::describe_topology_json(*t, paths, out);
    else report::describe_topology_text(*t, paths, out);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

}  // namespace icmpkit::cli
