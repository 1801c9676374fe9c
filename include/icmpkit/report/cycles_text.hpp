// `icmpkit trace --cycles N`: the per-hop report of probe::Cycles in mtr 0.95's report layout
// (`mtr -r -n -c N`: "HOST:" header, Loss% Snt Last Avg Best Wrst StDev columns at mtr's widths,
// one "|  `|--" continuation line per further ECMP address), hops whose loss does not carry on
// marked "(rl)" with a footnote; and mtr's JSON shape ("report": {"mtr", "hubs"}) with our
// additions (schema icmpkit.trace.cycles/1). Pure: returns strings.
#pragma once

#include <string>

#include "icmpkit/probe/cycles.hpp"

namespace icmpkit::report {

inline constexpr const char* cycles_json_schema = "icmpkit.trace.cycles/1";

struct CyclesReportInfo {
    std::string start;        // "2026-11-22T18:47:53+0000"; empty: no "Start:" line
    std::string local_host;   // mtr's HOST: column
    std::string destination;  // as given
    std::uint32_t packet_size = 64;
    std::uint8_t tos = 0;
    std::uint32_t tests = 0;  // cycles asked for; 0: continuous (until SIGINT/SIGTERM)
    bool interrupted = false; // stopped by SIGINT/SIGTERM (in-flight probes are not counted)
};

std::string cycles_text(const probe::CyclesReport& r, const CyclesReportInfo& info);
std::string cycles_json(const probe::CyclesReport& r, const CyclesReportInfo& info);

}  // namespace icmpkit::report
