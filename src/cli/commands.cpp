#include "commands.hpp"

namespace icmpkit::cli {

// Subcommand entry points, one file each.
int run_decode(int argc, char** argv);  // decode.cpp

std::span<const Command> commands() {
    static const Command table[] = {
        {"decode", "print the ICMP packets of a capture file or interface", run_decode},
        {"version", "print the version", [](int, char**) { return 0; }},
    };
    return table;
}

}  // namespace icmpkit::cli
