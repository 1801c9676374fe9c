// report: `icmpkit pmtu --json` — NDJSON, schema "icmpkit.pmtu/1": one object per event
// ("hop", "no_reply", "send_failed", "reply_received", "probe"), then one "result". Times are
// milliseconds as JSON numbers; addresses are RFC 5952 text.
#pragma once

#include <string>

#include "icmpkit/probe/pmtu.hpp"

namespace icmpkit::report {

inline constexpr const char* pmtu_json_schema = "icmpkit.pmtu/1";

// One NDJSON line ("\n"-terminated) for a tracepath-mode event; "" for PmtuTransmit.
std::string pmtu_json_event(const probe::PmtuAction& a);
// One NDJSON line for a search event; "" for SearchTransmit.
std::string search_json_event(const probe::SearchAction& a);

}  // namespace icmpkit::report
