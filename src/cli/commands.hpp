// The table of subcommands. Each src/cli/<name>.cpp defines its run function; add a row here.
#pragma once

#include <span>

namespace icmpkit::cli {

struct Command {
    const char* name;
    const char* summary;
    int (*run)(int argc, char** argv);  // argv[0] is the command name; returns the exit code
};

std::span<const Command> commands();

}  // namespace icmpkit::cli
