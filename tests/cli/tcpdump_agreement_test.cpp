// `icmpkit decode` against tcpdump's own expected outputs (../shared/corpus/public/tcpdump/
// expected, listed with their options in TESTLIST.icmp; never copied here). For every packet both
// print as ICMP, the fields we share with tcpdump must be equal exactly: the source and
// destination addresses and the type wording (the text after "ICMP " / "ICMP6, " up to the first
// ", "). Packets are matched by frame number (tcpdump's -# numbers; ours from --json). Skipped
// when the corpus is absent.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Shared {
    std::string src, dst, wording;
    bool operator==(const Shared&) const = default;
};

std::string run(const std::string& args) {
    std::string out;
    const std::string cmd = std::string(ICMPKIT_BINARY) + " decode " + args + " 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[8192];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

// "src > dst: [anything in brackets] ICMP desc" or "... ICMP6, desc": the first such occurrence
// (a tunnel's outer packet is not ICMP; a quoted datagram comes after), wording up to the first
// ", " or the end of the line, and before a parenthesis that the cut leaves open ("node
// information query (node addresses [A], ...)" but "need to frag (mtu 1400)").
std::optional<Shared> shared_fields(const std::string& text) {
    static const std::regex re(R"(([0-9A-Fa-f:.]+) > ([0-9A-Fa-f:.]+): (?:\[[^\]]*\] )?ICMP6?,? ([^\n]*))");
    std::smatch m;
    if (!std::regex_search(text, m, re)) return std::nullopt;
    std::string rest = m[3];
    const auto comma = rest.find(", ");
    if (comma != std::string::npos) rest.resize(comma);
    if (const auto note = rest.find(" ["); note != std::string::npos) rest.resize(note);  // [|icmp], our [malformed: ...]
    const auto open = rest.rfind(" (");
    if (open != std::string::npos && rest.find(')', open) == std::string::npos) rest.resize(open);
    return Shared{m[1], m[2], rest};
}

// tcpdump's expected output: packet number -> the packet's text (continuation lines joined).
std::map<unsigned, std::string> tcpdump_packets(const fs::path& out) {
    std::map<unsigned, std::string> m;
    std::ifstream in(out);
    static const std::regex start(R"(^\s*(\d+)\s+\d{4}-\d\d-\d\d \S+ )");
    std::string line;
    unsigned current = 0;
    while (std::getline(in, line)) {
        std::smatch s;
        if (std::regex_search(line, s, start)) current = static_cast<unsigned>(std::stoul(s[1]));
        if (current) m[current] += line + "\n";
    }
    return m;
}

// Ours: one text line per ICMP packet, zipped with --json's frame.number.
std::map<unsigned, std::string> our_packets(const fs::path& pcap) {
    std::map<unsigned, std::string> m;
    std::istringstream text(run("'" + pcap.string() + "'")), json(run("--json '" + pcap.string() + "'"));
    static const std::regex number(R"re("frame\.number":"(\d+)")re");
    std::string t, j;
    while (std::getline(text, t)) {
        while (std::getline(json, j) && j.empty()) {
        }
        std::smatch s;
        if (std::regex_search(j, s, number)) m[static_cast<unsigned>(std::stoul(s[1]))] = t;
    }
    return m;
}

// Where tcpdump's wording is not ours on purpose, with the reason.
const std::map<std::string, std::string>& exceptions() {
    static const std::map<std::string, std::string> m = {
#include "tcpdump_exceptions.inc"
    };
    return m;
}

}  // namespace

TEST(TcpdumpAgreement, ExpectedOutputs) {
    const fs::path dir = fs::path(ICMPKIT_SHARED_CORPUS_DIR) / "public" / "tcpdump";
    std::ifstream list(dir / "expected" / "TESTLIST.icmp");
    if (!list) GTEST_SKIP() << "no tcpdump corpus at " << dir;
    std::set<std::string> done;  // each (pcap) once: options change verbosity, not the shared fields
    std::size_t compared = 0, agree = 0, excepted = 0, tcpdump_only = 0, ours_only = 0;
    std::string line;
    std::ostringstream missing, extra;
    while (std::getline(list, line)) {
        std::istringstream row(line);
        std::string name, pcap, out, opt;
        if (!(row >> name >> pcap >> out)) continue;
        std::getline(row, opt);
        if (opt.find("--") != std::string::npos) continue;  // a filter expression: not a whole file
        if (!done.insert(pcap).second) continue;
        const auto theirs = tcpdump_packets(dir / "expected" / out);
        const auto ours = our_packets(dir / pcap);
        for (const auto& [n, text] : theirs) {
            const auto t = shared_fields(text);
            const auto it = ours.find(n);
            if (!t) {
                if (it != ours.end()) {
                    ++ours_only;
                    extra << "  " << pcap << " #" << n << ": " << it->second.substr(0, 100) << "\n";
                }
                continue;
            }
            if (it == ours.end()) {
                ++tcpdump_only;
                missing << "  " << pcap << " #" << n << ": " << t->wording << "\n";
                continue;
            }
            const auto o = shared_fields(it->second);
            ++compared;
            if (o && *o == *t) {
                ++agree;
                continue;
            }
            const std::string key = pcap + " #" + std::to_string(n);
            if (exceptions().count(key)) {
                ++excepted;
                continue;
            }
            ADD_FAILURE() << key << "\n  tcpdump: " << t->src << " > " << t->dst << ": " << t->wording
                          << "\n  icmpkit: " << (o ? o->src + " > " + o->dst + ": " + o->wording : it->second);
        }
    }
    std::printf("[tcpdump] packets compared %zu, agree %zu, documented exceptions %zu; ICMP only in tcpdump %zu, "
                "only in icmpkit %zu\n%s%s", compared, agree, excepted, tcpdump_only, ours_only, missing.str().c_str(),
                extra.str().c_str());
    EXPECT_GT(compared, 100u);
}
