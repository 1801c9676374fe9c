// `icmpkit lab [TOPOLOGY]` run mode: the topology behind a TUN device in real time.
// lab.cpp (--list / --describe) hands the run mode here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "icmpkit/core/time.hpp"
#include "icmpkit/sim/topology.hpp"

namespace icmpkit::cli {

struct LabLiveOptions {
    std::string device = "icmpkit%d";      // --dev: TUN name (pattern)
    std::string netns;                     // --netns NAME: created, entered, removed on exit
    std::optional<core::Duration> duration;  // --duration SECONDS
    bool stats = false;                    // --stats
    std::string pcap;                      // -w FILE
    std::uint64_t seed = 1;                // --seed
};

// Runs the lab until SIGINT/SIGTERM or the duration; returns the exit code (0, or 2 on error).
int run_lab_live(const sim::Topology& topology, const LabLiveOptions& options);

}  // namespace icmpkit::cli
