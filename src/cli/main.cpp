// icmpkit: one binary, one file per subcommand (src/cli/<name>.cpp registers itself in commands.hpp).
#include <cstdio>
#include <cstring>
#include <string_view>

#include "commands.hpp"

namespace {

void usage(std::FILE* out) {
    std::fprintf(out,
                 "Usage: icmpkit <command> [options]\n"
                 "\n"
                 "Commands:\n");
    for (const auto& c : icmpkit::cli::commands())
        std::fprintf(out, "  %-14s %s\n", c.name, c.summary);
    std::fprintf(out,
                 "\n"
                 "Run 'icmpkit <command> --help' for a command's options.\n"
                 "Exit status: 0 success, 1 no reply / nothing found, 2 error.\n");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    std::string_view cmd = argv[1];
    if (cmd == "-h" || cmd == "--help" || cmd == "help") {
        usage(stdout);
        return 0;
    }
    if (cmd == "-V" || cmd == "--version" || cmd == "version") {
        std::printf("icmpkit %s\n", ICMPKIT_VERSION);
        return 0;
    }
    for (const auto& c : icmpkit::cli::commands())
        if (cmd == c.name) return c.run(argc - 1, argv + 1);
    std::fprintf(stderr, "icmpkit: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
