// `icmpkit trace --mda` and `icmpkit trace --cycles N` (src/cli/trace_multipath.cpp): trace.cpp
// hands the whole command line over when wants_multipath() says so.
#pragma once

namespace icmpkit::cli {

// True when argv (before the host operand) holds --mda or --cycles.
bool wants_multipath(int argc, char** argv);
int run_trace_multipath(int argc, char** argv);

}  // namespace icmpkit::cli
