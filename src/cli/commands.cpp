#include "commands.hpp"

namespace icmpkit::cli {

// Subcommand entry points, one file each.
int run_decode(int argc, char** argv);  // decode.cpp
int run_lab(int argc, char** argv);     // lab.cpp

std::span<const Command> commands() {
    static const Command table[] = {
        {"decode", "print the ICMP packets of a capture file or interface", run_decode},
        {"lab", "list and describe the virtual networks of the simulator", run_lab},
        {"version", "print the version", [](int, char**) { return 0; }},
    };
    return table;
}

}  // namespace icmpkit::cli
