// report: `icmpkit pmtu` text — byte-compatible with iputils tracepath 20221126 for the
// tracepath mode (recverr()'s lines, " Resume: ..."), and the packetization-layer search's own
// lines. Pure: names are looked up by the caller (cli) and passed in.
#pragma once

#include <functional>
#include <string>

#include "icmpkit/core/address.hpp"
#include "icmpkit/probe/pmtu.hpp"

namespace icmpkit::report {

struct PmtuTextOptions {
    bool numeric = false;    // -n: the address only
    bool both = false;       // -b: "name (address)"
    // Reverse name of an address (tracepath's getnameinfo()); unset or empty result: the address.
    std::function<std::string(const core::IpAddress&)> name;
};

// The text tracepath prints for one engine event ("" for PmtuTransmit). "\n"-terminated.
std::string format_pmtu_event(const probe::PmtuAction& a, const PmtuTextOptions& o);
// tracepath's "NET ERROR" for an unexpected errno, for stderr ("" when the event is not one).
std::string format_pmtu_error(const probe::PmtuAction& a);

// Search mode: one line per settled probe size, then the summary.
std::string format_search_event(const probe::SearchAction& a);
std::string format_search_summary(const probe::SearchResult& r, const core::IpAddress& destination);

}  // namespace icmpkit::report
