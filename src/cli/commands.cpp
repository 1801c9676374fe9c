#include "commands.hpp"

namespace icmpkit::cli {

// Subcommand entry points, one file each.
int run_decode(int argc, char** argv);  // decode.cpp
int run_ping(int argc, char** argv);    // ping.cpp
int run_lab_command(int argc, char** argv);  // lab_run.cpp

std::span<const Command> commands() {
    static const Command table[] = {
        {"decode", "print the ICMP packets of a capture file or interface", run_decode},
        {"ping", "send ICMP echo requests (iputils ping compatible)", run_ping},
        {"lab", "a virtual network behind a TUN device, probed by real tools", run_lab_command},
    };
    return table;
}

}  // namespace icmpkit::cli
