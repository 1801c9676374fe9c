#include "commands.hpp"

namespace icmpkit::cli {

// Subcommand entry points, one file each.
int run_decode(int argc, char** argv);  // decode.cpp
int run_ping(int argc, char** argv);    // ping.cpp
int run_lab(int argc, char** argv);     // lab.cpp (run mode: lab_run.cpp)

std::span<const Command> commands() {
    static const Command table[] = {
        {"decode", "print the ICMP packets of a capture file or interface", run_decode},
        {"ping", "send ICMP echo requests (iputils ping compatible)", run_ping},
        {"lab", "virtual networks: list, describe, or run one behind a TUN device", run_lab},
        {"version", "print the version", [](int, char**) { return 0; }},
    };
    return table;
}

}  // namespace icmpkit::cli
