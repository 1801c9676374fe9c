// Whole captures: a truncation sweep over every prefix of every frame of tests/data, and every
// file of the shared public corpus (../shared/corpus/public, never copied here) dissected under
// the sanitizers, with the number of ICMP packets compared with SOURCES.md's `icmp` column
// (tshark 4.0's count).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "icmpkit/capture/reader.hpp"
#include "icmpkit/dissect/dissector.hpp"

using namespace icmpkit;
namespace fs = std::filesystem;

namespace {

struct FileResult {
    std::size_t frames = 0;
    std::size_t icmp = 0;
    bool opened = false;
};

FileResult dissect_file(const fs::path& p) {
    FileResult r;
    auto reader = capture::CaptureReader::open_file(p.string());
    if (!reader) return r;
    r.opened = true;
    dissect::Dissector dz;
    dissect::Dissection d;
    for (;;) {
        auto f = reader->next();
        if (!f || !*f) break;
        ++r.frames;
        dz.dissect(**f, d);
        if (d.icmp) ++r.icmp;
    }
    return r;
}

}  // namespace

TEST(Corpus, TruncationSweepOverTestData) {
    std::size_t checked = 0;
    for (const auto& e : fs::directory_iterator(ICMPKIT_TEST_DATA_DIR)) {
        if (e.path().extension() != ".pcap" && e.path().extension() != ".pcapng") continue;
        auto reader = capture::CaptureReader::open_file(e.path().string());
        ASSERT_TRUE(reader) << e.path();
        for (;;) {
            auto f = reader->next();
            ASSERT_TRUE(f) << e.path();
            if (!*f) break;
            const capture::Frame& full = **f;
            for (std::size_t n = 0; n <= full.data.size(); ++n) {
                dissect::Dissector dz;  // fresh: a prefix must not complete a reassembly
                capture::Frame cut = full;
                cut.data = full.data.first(n);
                cut.captured_length = static_cast<std::uint32_t>(n);
                auto d = dz.dissect(cut);
                ++checked;
                // A layer never lies beyond the bytes present (outside reassembled datagrams).
                for (const auto& ip : d.ip)
                    if (!ip.in_reassembled) EXPECT_LE(ip.offset, n);
                if (d.icmp && !d.icmp->in_reassembled) {
                    EXPECT_LE(d.icmp->offset + d.icmp->bytes.size(), n);
                    if (n < full.data.size() && d.icmp->checksum != dissect::ChecksumStatus::unverified) {
                        // Only Ethernet padding may be cut without touching the datagram.
                    }
                }
                if (d.fault && !d.reassembled) EXPECT_LE(d.fault->offset, n) << e.path() << " frame " << full.number;
                if (!d.icmp) EXPECT_NE(d.skip, dissect::Skip::none);
            }
        }
    }
    EXPECT_GT(checked, 1000u);
}

// Files where our ICMP count differs from tshark's, and why. Keys are paths under public/.
const std::map<std::string, std::string>& known_differences() {
    static const std::map<std::string, std::string> m = {
#include "corpus_differences.inc"
    };
    return m;
}

TEST(Corpus, SharedPublicCorpus) {
    const fs::path root = fs::path(ICMPKIT_SHARED_CORPUS_DIR) / "public";
    std::ifstream sources(root / "SOURCES.md");
    if (!sources) GTEST_SKIP() << "no shared corpus at " << root;
    // | `folder/file` | origin | bytes | packets | icmp | ...
    const std::regex row(R"(^\| `([^`]+)` \| [^|]+\| (\d+) \| (\d+) \| (\d+) \|)");
    std::string line;
    std::size_t files = 0, agree = 0;
    std::ostringstream report;
    while (std::getline(sources, line)) {
        std::smatch m;
        if (!std::regex_search(line, m, row)) continue;
        const std::string rel = m[1];
        const std::size_t packets = std::stoul(m[3]), icmp = std::stoul(m[4]);
        auto r = dissect_file(root / rel);
        ++files;
        if (!r.opened) {
            report << rel << ": not opened\n";
            continue;
        }
        auto it = known_differences().find(rel);
        if (it == known_differences().end()) EXPECT_EQ(r.frames, packets) << rel;
        if (r.icmp == icmp) {
            ++agree;
            EXPECT_TRUE(it == known_differences().end()) << rel << ": listed as differing but agrees";
        } else if (it == known_differences().end()) {
            ADD_FAILURE() << rel << ": icmpkit " << r.icmp << " ICMP packets, tshark " << icmp;
        }
        report << rel << " tshark " << icmp << " icmpkit " << r.icmp << "\n";
    }
    EXPECT_GT(files, 150u);
    RecordProperty("agree", static_cast<int>(agree));
    std::ofstream(fs::temp_directory_path() / "icmpkit_corpus_counts.txt") << report.str();
}
