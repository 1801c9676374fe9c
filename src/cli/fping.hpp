// Multi-target ping (fping 5.1 options and output): `icmpkit fping`, and `icmpkit ping` when given
// two or more targets, -g, or -f FILE with FILE `-` or an existing regular file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/net/multi_ping.hpp"
#include "icmpkit/probe/multi_ping.hpp"
#include "icmpkit/report/multi_ping_text.hpp"

namespace icmpkit::cli {

// iputils ping's getopt string, as src/cli/ping.cpp parses it (one definition for both files).
inline constexpr const char* iputils_optstring = "h?4bRT:6F:aAc:dDe:fi:I:l:Lm:M:nOp:qQ:rs:S:t:UvVw:W:";

// True when an `icmpkit ping` command line (iputils option syntax) asks for many targets.
bool wants_multi_target(int argc, char** argv);

int run_fping(int argc, char** argv, const char* prog);

// The parsed command line (fping.cpp); run in fping_run.cpp.
struct FpingOptions {
    const char* prog = "icmpkit fping";
    std::optional<core::Family> family;  // -4 / -6
    probe::MultiPingConfig cfg;
    report::MultiTextOptions text;
    net::MultiSocketOptions sock;
    bool timeout_set = false, period_set = false, generate = false, show_address = false, reverse = false;
    bool json = false;
    std::optional<std::string> file;     // -f
    std::vector<std::string> operands;
    std::optional<std::string> sim;      // --sim[=TOPOLOGY]
    std::uint64_t seed = 1;
};

struct FpingExit {
    int code;
};

[[noreturn]] void fping_fail(const FpingOptions& o, int code, const std::string& msg);
int run_fping_options(FpingOptions& o);  // fping_run.cpp

}  // namespace icmpkit::cli
