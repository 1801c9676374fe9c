// Test helper: runs the built `icmpkit` binary (ICMPKIT_BINARY) with arguments and returns its
// exit status and standard output (standard error too when asked), bounded by timeout(1).
#pragma once

#include <string>

#include "support/netns.hpp"

namespace icmpkit::test_support {

struct CliRun {
    int status = -1;  // exit status; 124 when the time limit stopped it
    std::string out;
};

inline CliRun run_icmpkit(const std::string& args, bool with_stderr, int seconds = 120) {
    CmdResult r = run_cmd(std::string(ICMPKIT_BINARY) + " " + args, seconds, with_stderr);
    return {r.rc, std::move(r.out)};
}

}  // namespace icmpkit::test_support
