// `icmpkit decode -v` against `tshark -V`: for every ICMP frame of the fixture captures in
// tests/data, the lines of our ICMP subtree are matched in order with the lines of tshark's
// "Internet Control Message Protocol" section by their label (the text before ": ", or the whole
// line), whitespace normalised; every pair must be equal, unless a row of `exceptions` says why
// not. Lines only one side prints are counted, not compared. Skipped without tshark.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "icmpkit/capture/reader.hpp"
#include "icmpkit/dissect/dissector.hpp"
#include "icmpkit/report/decode_tree.hpp"
#include "support/tshark.hpp"

namespace {

namespace fs = std::filesystem;
using Lines = std::vector<std::string>;

std::string normalise(const std::string& s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        if (c == ' ' || c == '\t') {
            space = !out.empty();
            continue;
        }
        if (space) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

std::string label(const std::string& line) {
    const auto colon = line.find(": ");
    return colon == std::string::npos ? line : line.substr(0, colon);
}

// frame number -> the normalised lines of the ICMP section (its title line included): from the
// top-level "Internet Control Message Protocol..." line to the next top-level line.
std::map<unsigned, Lines> icmp_sections(const std::string& text) {
    std::map<unsigned, Lines> m;
    std::istringstream in(text);
    std::string line;
    unsigned frame = 0;
    bool inside = false;
    while (std::getline(in, line)) {
        const bool top = !line.empty() && line[0] != ' ' && line[0] != '\t';
        if (top && line.rfind("Frame ", 0) == 0) frame = static_cast<unsigned>(std::stoul(line.substr(6)));
        if (top) inside = line.rfind("Internet Control Message Protocol", 0) == 0;
        if (inside && frame && !line.empty()) m[frame].push_back(normalise(line));
    }
    return m;
}

std::string ours(const fs::path& p) {
    std::string out;
    auto reader = icmpkit::capture::CaptureReader::open_file(p.string());
    if (!reader) return out;
    icmpkit::dissect::Dissector dz;
    icmpkit::dissect::Dissection d;
    for (;;) {
        auto f = reader->next();
        if (!f || !*f) break;
        dz.dissect(**f, d);
        if (d.icmp) icmpkit::report::write_tree(d, out);
    }
    return out;
}

std::string theirs(const fs::path& p) {
    std::string out;
    const std::string cmd = "tshark -n -V -r " + icmpkit::test_support::shell_quote(p.string()) +
                            " -Y 'icmp || icmpv6' 2>/dev/null";
    FILE* f = popen(cmd.c_str(), "r");
    if (!f) return out;
    char buf[8192];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    pclose(f);
    return out;
}

// Lines where ours differs from tshark's on purpose. `rule`: "prefix" -- tshark's line is ours
// followed by more (derived words we do not print); "number" -- the same up to the value's words
// in parentheses (we print a name of our own tables there).
struct Exception {
    const char* label;
    const char* rule;
    const char* reason;
};
const Exception exceptions[] = {
#include "tshark_tree_exceptions.inc"
};

const char* excepted(const std::string& ours, const std::string& theirs) {
    const std::string l = label(ours);
    for (const auto& e : exceptions) {
        if (l != e.label) continue;
        const std::string rule = e.rule;
        if (rule == "prefix" && theirs.rfind(ours, 0) == 0) return e.reason;
        if (rule == "number") {
            const auto a = ours.find(" ("), b = theirs.find(" (");
            if (a != std::string::npos && a == b && ours.compare(0, a, theirs, 0, b) == 0) return e.reason;
        }
    }
    return nullptr;
}

}  // namespace

TEST(TsharkTree, FixtureIcmpSubtrees) {
    if (!icmpkit::test_support::tshark_available()) GTEST_SKIP() << "tshark not installed";
    std::size_t frames = 0, compared = 0, equal = 0, only_ours = 0, documented = 0;
    for (const auto& e : fs::directory_iterator(ICMPKIT_TEST_DATA_DIR)) {
        const auto ext = e.path().extension();
        if (ext != ".pcap" && ext != ".pcapng") continue;
        const auto a = icmp_sections(ours(e.path())), b = icmp_sections(theirs(e.path()));
        for (const auto& [frame, mine] : a) {
            auto it = b.find(frame);
            if (it == b.end()) continue;
            ++frames;
            const Lines& t = it->second;
            std::size_t at = 0;
            for (const auto& line : mine) {
                const std::string l = label(line);
                std::size_t k = at;
                while (k < t.size() && label(t[k]) != l) ++k;
                if (k == t.size()) {
                    ++only_ours;
                    continue;
                }
                at = k + 1;
                ++compared;
                if (t[k] == line) {
                    ++equal;
                } else if (excepted(line, t[k])) {
                    ++documented;
                } else {
                    ADD_FAILURE() << e.path().filename().string() << " frame " << frame << "\n  ours:   " << line
                                  << "\n  tshark: " << t[k];
                }
            }
        }
    }
    std::printf("[tshark -V] frames %zu, lines compared %zu, equal %zu, documented %zu, only ours %zu\n", frames,
                compared, equal, documented, only_ours);
    EXPECT_GT(compared, 500u);
}
