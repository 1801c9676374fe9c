#include "commands.hpp"

namespace icmpkit::cli {

// Subcommand entry points, one file each.
int run_decode(int argc, char** argv);        // decode.cpp
int run_ping(int argc, char** argv);          // ping.cpp
int run_fping_command(int argc, char** argv); // fping.cpp (multi-target, fping 5.1 compatible)
int run_trace(int argc, char** argv);         // trace.cpp
int run_lab(int argc, char** argv);           // lab.cpp (run mode: lab_run.cpp)
int run_why(int argc, char** argv);           // why.cpp
int run_watch_errors(int argc, char** argv);  // watch_errors.cpp
int run_pmtu(int argc, char** argv);          // pmtu.cpp

std::span<const Command> commands() {
    static const Command table[] = {
        {"decode", "print the ICMP packets of a capture file or interface", run_decode},
        {"ping", "send ICMP echo requests (iputils ping compatible)", run_ping},
        {"fping", "ping many targets (fping 5.1 compatible; also `ping A B ...`)", run_fping_command},
        {"trace", "trace the path to a host (traceroute 2.1 compatible; Paris UDP by default)", run_trace},
        {"lab", "virtual networks: list, describe, or run one behind a TUN device", run_lab},
        {"why", "send UDP or open TCP and explain the outcome with the ICMP evidence", run_why},
        {"pmtu", "path MTU: tracepath compatible, or a probing search that sees through black holes", run_pmtu},
        {"watch-errors", "show arriving ICMP errors and the local socket/process they are about", run_watch_errors},
    };
    return table;
}

}  // namespace icmpkit::cli
