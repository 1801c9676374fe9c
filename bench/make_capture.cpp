// icmpkit-make-capture: writes the benchmark capture, a deterministic mix of ICMPv4/ICMPv6 frames
// (bench/packet_mix.hpp) as a classic pcap file through capture::CaptureWriter.
//
//   icmpkit-make-capture [--count N] [--seed S] OUTPUT.pcap      (default N = 1000000, S = 1)
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "icmpkit/capture/link.hpp"
#include "icmpkit/capture/reader.hpp"
#include "packet_mix.hpp"

namespace {

bool parse_u64(std::string_view s, std::uint64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

int usage() {
    std::fprintf(stderr, "usage: icmpkit-make-capture [--count N] [--seed S] OUTPUT.pcap\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t count = 1'000'000, seed = 1;
    std::string path;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if ((a == "--count" || a == "--seed") && i + 1 < argc) {
            if (!parse_u64(argv[++i], a == "--count" ? count : seed)) return usage();
        } else if (!a.empty() && a[0] != '-' && path.empty()) {
            path = a;
        } else {
            return usage();
        }
    }
    if (path.empty()) return usage();

    auto writer = icmpkit::capture::CaptureWriter::open(path, icmpkit::capture::linktype::ethernet, 65535);
    if (!writer) {
        std::fprintf(stderr, "icmpkit-make-capture: %s\n", icmpkit::capture::describe(writer.error()).c_str());
        return 2;
    }
    // 2024-01-01T00:00:00Z plus 10 microseconds per frame: timestamps are part of the determinism.
    const icmpkit::core::WallTime t0{std::chrono::seconds(1'704'067'200)};
    for (std::uint64_t i = 0; i < count; ++i) {
        auto bytes = icmpkit::bench::make_frame(seed, i);
        icmpkit::capture::Frame f;
        f.timestamp = t0 + std::chrono::microseconds(10 * i);
        f.captured_length = f.original_length = static_cast<std::uint32_t>(bytes.size());
        f.linktype = icmpkit::capture::linktype::ethernet;
        f.data = bytes;
        f.number = i + 1;
        if (auto ok = writer->write(f); !ok) {
            std::fprintf(stderr, "icmpkit-make-capture: %s\n", icmpkit::capture::describe(ok.error()).c_str());
            return 2;
        }
    }
    if (auto ok = writer->flush(); !ok) {
        std::fprintf(stderr, "icmpkit-make-capture: %s\n", icmpkit::capture::describe(ok.error()).c_str());
        return 2;
    }
    return 0;
}
