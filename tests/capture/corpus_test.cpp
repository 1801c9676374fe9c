// Every file of the shared public corpus (../shared/corpus/public, never copied into the project)
// opens or fails with libpcap's message, and every frame's link layer unwraps or fails with a
// WireError, under ASan/UBSan; every prefix of every frame's first 80 bytes does too.
#include "icmpkit/capture/link.hpp"
#include "icmpkit/capture/reader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

using namespace icmpkit;
using namespace icmpkit::capture;
namespace fs = std::filesystem;

TEST(Corpus, EveryFileOpensAndEveryFrameUnwrapsOrFailsCleanly) {
    const fs::path root = fs::path(ICMPKIT_SHARED_CORPUS_DIR) / "public";
    if (!fs::is_directory(root)) GTEST_SKIP() << "no corpus at " << root;
    std::size_t files = 0, opened = 0, frames = 0, unwrapped = 0, ip = 0;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        if (!e.is_regular_file()) continue;
        auto ext = e.path().extension().string();
        if (ext != ".pcap" && ext != ".pcapng" && ext != ".cap") continue;
        ++files;
        auto r = CaptureReader::open_file(e.path().string());
        if (!r) {
            EXPECT_FALSE(r.error().message.empty()) << e.path();
            continue;
        }
        ++opened;
        for (int i = 0; i < 100000; ++i) {
            auto f = r->next();
            if (!f || !*f) break;
            ++frames;
            const Frame& fr = **f;
            auto l = unwrap_link(fr.linktype, fr.data);
            if (l) {
                ++unwrapped;
                EXPECT_LE(l->network_offset, fr.data.size()) << e.path() << " #" << fr.number;
                if (l->network == NetworkProtocol::ipv4 || l->network == NetworkProtocol::ipv6) ++ip;
            } else {
                EXPECT_LE(l.error().offset, fr.data.size()) << e.path() << " #" << fr.number;
            }
            for (std::size_t n = 0; n < fr.data.size() && n < 80; ++n) {
                auto p = unwrap_link(fr.linktype, fr.data.first(n));
                if (p) EXPECT_LE(p->network_offset, n);
                else EXPECT_LE(p.error().offset, n);
            }
        }
    }
    std::printf("corpus: %zu files, %zu opened, %zu frames, %zu unwrapped, %zu IP\n", files, opened,
                frames, unwrapped, ip);
    EXPECT_GT(opened, files * 9 / 10);
    EXPECT_GT(ip, frames * 8 / 10);
}
