// Replay main for builds without libFuzzer (g++): runs LLVMFuzzerTestOneInput on every file named on
// the command line, recursing into directories. Exit 0 when all ran; a crash is a sanitizer report.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
int run_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    return 1;
}
}  // namespace

int main(int argc, char** argv) {
    int runs = 0;
    for (int i = 1; i < argc; ++i) {
        std::filesystem::path p(argv[i]);
        std::error_code ec;
        if (std::filesystem::is_directory(p, ec)) {
            for (auto& e : std::filesystem::recursive_directory_iterator(p, ec))
                if (e.is_regular_file()) runs += run_file(e.path());
        } else if (std::filesystem::is_regular_file(p, ec)) {
            runs += run_file(p);
        } else {
            std::fprintf(stderr, "replay: %s: no such file or directory\n", argv[i]);
            return 2;
        }
    }
    // An empty-input run too: the smallest case must be survived as well.
    LLVMFuzzerTestOneInput(nullptr, 0);
    std::printf("replay: %d inputs ran\n", runs + 1);
    return 0;
}
