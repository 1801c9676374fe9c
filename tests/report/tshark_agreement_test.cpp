// Agreement of `icmpkit decode --json` with tshark (the oracle) on every capture in tests/data and
// in the shared public corpus (ICMPKIT_SHARED_CORPUS_DIR/public; skipped when absent, never
// copied into the project). For each ICMP frame, every (path, key) we emit -- except our own
// `icmpkit.*` additions -- must carry exactly tshark's list of values, unless a row of
// `exceptions` below (mirrored in docs/wireshark-fields.md, "Agreement exceptions") explains why
// tshark is wrong or differs. 100% is required on well-formed frames; frames we find malformed are
// compared and reported but do not fail the test (tshark decodes garbage its own way).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "icmpkit/capture/reader.hpp"
#include "icmpkit/dissect/dissector.hpp"
#include "icmpkit/report/decode_json.hpp"
#include "support/tshark.hpp"

namespace icmpkit::report {
namespace {

namespace fs = std::filesystem;
using test_support::FlatPacket;
using Values = std::vector<std::string>;

struct Context {
    const dissect::Dissection& d;
    const FlatPacket& ours;
    const FlatPacket& theirs;
};

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// The RFC 4884 split of the ICMP error in this frame had a non-zero length attribute.
bool v4_error_with_length(const Context& c) {
    const auto* m = c.d.icmp ? c.d.icmp->v4() : nullptr;
    if (!m) return false;
    if (auto* u = std::get_if<wire::icmpv4::DestinationUnreachable>(m)) return u->length_attribute != 0;
    if (auto* t = std::get_if<wire::icmpv4::TimeExceeded>(m)) return t->length_attribute != 0;
    if (auto* p = std::get_if<wire::icmpv4::ParameterProblem>(m)) return p->length_attribute != 0;
    return false;
}

bool has_extensions(const Context& c) { return c.ours.has("icmp.ext.version"); }

bool is_extension_field(std::string_view q) {
    return starts_with(q, "icmp.ext") || starts_with(q, "icmp.mpls") || starts_with(q, "icmp.int_info") ||
           starts_with(q, "icmp.int_ident") || q == "icmp.reserved";
}

struct Exception {
    std::string_view field;      // qualified name(s) concerned
    std::string_view condition;  // when it applies
    std::string_view reason;     // why tshark is wrong or differs
    bool (*applies)(std::string_view qualified, const Values& ours, const Values& theirs, const Context& c);
};

// Keep in step with docs/wireshark-fields.md, "Agreement exceptions".
const Exception exceptions[] = {
    {"icmp.ext.*, icmp.mpls.*, icmp.int_info.*, icmp.int_ident.*, icmp.reserved",
     "ICMPv4 error with an RFC 4884 length attribute whose quoted IP total length exceeds the quote",
     "tshark lets the quoted datagram run on into the extension structure and then does not decode "
     "the extensions at all; RFC 4884 sections 4-5 say the length attribute delimits the quote",
     [](std::string_view q, const Values&, const Values& theirs, const Context& c) {
         return is_extension_field(q) && theirs.empty() && v4_error_with_length(c) && !c.theirs.has("icmp.ext.version");
     }},
    {"icmp/udp.payload, icmpv6/udp.payload",
     "error with RFC 4884 extensions",
     "tshark's quoted UDP payload runs on past the RFC 4884 length into the extension bytes",
     [](std::string_view q, const Values&, const Values&, const Context& c) {
         return (q == "icmp/udp.payload" || q == "icmpv6/udp.payload") && has_extensions(c);
     }},
    {"icmp.int_info.name",
     "RFC 5837 interface name sub-object of length 64 (the maximum, RFC 5837 4.3)",
     "tshark 4.0 prints name_length 64 but drops the 63-octet name",
     [](std::string_view q, const Values&, const Values& theirs, const Context& c) {
         if (q != "icmp.int_info.name" || !theirs.empty() && theirs.size() == c.ours.values(q).size()) return false;
         for (const auto& v : c.ours.values("icmp.int_info.name_length"))
             if (v == "64") return true;
         return false;
     }},
    {"ip.dst",
     "outer IPv4 header with a loose or strict source route option (RFC 791 3.1, types 131/137)",
     "tshark shows the last address of the route option as ip.dst; we print the header's own "
     "destination field (the next hop of the source route)",
     [](std::string_view q, const Values&, const Values&, const Context& c) {
         if (q != "ip.dst" || c.d.ip.empty() || !c.d.ip.front().v4()) return false;
         for (const auto& o : c.d.ip.front().v4()->options)
             if (auto* r = std::get_if<wire::RecordRoute>(&o); r && (r->type == 131 || r->type == 137)) return true;
         return false;
     }},
    {"icmp.ext.*, icmp.int_ident.*, icmp.int_info.*, icmp.mpls.*",
     "ICMPv4 Extended Echo Reply (type 43) followed by an extension structure",
     "RFC 8335 section 3 defines no payload for the reply and tshark ignores it; we decode what is there",
     [](std::string_view q, const Values&, const Values& theirs, const Context& c) {
         const auto* m = c.d.icmp ? c.d.icmp->v4() : nullptr;
         return m && std::holds_alternative<wire::icmpv4::ExtendedEchoReply>(*m) && is_extension_field(q) &&
                theirs.empty();
     }},
    {"icmp/data.data, icmp/data.len",
     "echo whose octets 8-15 read little-endian give a microseconds value >= 2^31",
     "tshark's timestamp heuristic keeps the microseconds in a signed int, so a 'negative' value passes its "
     "< 1000000 check and 8 octets become a timestamp; we require a real microseconds value (< 10^6)",
     [](std::string_view q, const Values& ours, const Values& theirs, const Context& c) {
         if ((q != "icmp/data.data" && q != "icmp/data.len") || c.ours.has("icmpkit.data_time")) return false;
         if (!c.d.icmp || c.d.icmp->family != core::Family::v4) return false;
         const core::Bytes b = c.d.icmp->bytes;  // type, code, checksum, id, seq, then the data
         return b.size() >= 16 && (b[0] == 0 || b[0] == 8) && (b[15] & 0x80) && ours.size() == 1 && theirs.size() == 1;
     }},
    {"icmpv6/data.data, icmpv6/data.len",
     "ICMPv6 echo inside Teredo with 4 octets of data",
     "tshark shows the 4 octets as icmpv6.nonce (a Teredo qualification-procedure heuristic); RFC 4443 4.1 "
     "defines them as data, which we print",
     [](std::string_view q, const Values&, const Values& theirs, const Context& c) {
         return (q == "icmpv6/data.data" || q == "icmpv6/data.len") && theirs.empty() && c.theirs.has("icmpv6.nonce");
     }},
};

struct Tally {
    std::size_t files = 0, packets = 0, packets_tshark_only = 0, malformed = 0;
    std::size_t fields = 0, agreements = 0, disagreements_malformed = 0;
    std::map<std::string_view, std::size_t> exceptions;
    std::vector<std::string> failures;
};

std::string join(const Values& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + v[i];
    return s + "]";
}

void compare_file(const std::string& path, Tally& t) {
    auto reader = capture::CaptureReader::open_file(path);
    if (!reader) return;
    const auto oracle = test_support::run_tshark_json(path, "icmp || icmpv6");
    if (!oracle.ok) {
        t.failures.push_back(path + ": tshark: " + oracle.error);
        return;
    }
    std::map<std::string, const FlatPacket*> by_number;
    for (const auto& p : oracle.packets)
        if (auto n = p.first("frame.number")) by_number[*n] = &p;
    ++t.files;
    dissect::Dissector dissector;
    dissect::Dissection d;
    std::string line;
    std::size_t ours_count = 0;
    for (;;) {
        auto next = reader->next();
        if (!next || !next->has_value()) break;
        dissector.dissect(**next, d);
        if (!d.has_icmp()) continue;
        line.clear();
        JsonWriter w(line);
        write_json(d, w);
        ASSERT_TRUE(nlohmann::json::accept(line)) << path << " frame " << d.frame.number << ": " << line;
        const auto flat = test_support::flatten_ndjson(line);
        ASSERT_TRUE(flat.ok && flat.packets.size() == 1) << flat.error;
        const FlatPacket& ours = flat.packets[0];
        const std::string number = std::to_string(d.frame.number);
        auto it = by_number.find(number);
        if (it == by_number.end()) continue;  // tshark does not see ICMP here (e.g. a tunnel it skips)
        ++ours_count;
        ++t.packets;
        const bool malformed = d.malformed();
        t.malformed += malformed;
        const Context c{d, ours, *it->second};
        std::vector<std::string> seen;
        for (const auto& f : ours.fields) {
            const std::string q = f.qualified();
            if (starts_with(f.key, "icmpkit.") || std::find(seen.begin(), seen.end(), q) != seen.end()) continue;
            seen.push_back(q);
            const Values mine = ours.values(q), theirs = it->second->values(q);
            t.fields += mine.size();
            if (mine == theirs) {
                t.agreements += mine.size();
                continue;
            }
            const Exception* ex = nullptr;
            for (const auto& e : exceptions)
                if (e.applies(q, mine, theirs, c)) ex = &e;
            if (ex) {
                t.exceptions[ex->reason] += mine.size();
            } else if (malformed) {
                t.disagreements_malformed += mine.size();
            } else {
                t.failures.push_back(path + " frame " + number + ": " + q + " ours " + join(mine) + " tshark " +
                                     join(theirs));
            }
        }
    }
    t.packets_tshark_only += by_number.size() - std::min(by_number.size(), ours_count);
}

std::vector<std::string> captures_in(const fs::path& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return out;
    for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
        if (!e.is_regular_file()) continue;
        const auto ext = e.path().extension().string();
        if (ext == ".pcap" || ext == ".pcapng" || ext == ".cap") out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

void print_summary(const char* name, const Tally& t) {
    std::printf("[agreement %s] files %zu, ICMP packets compared %zu (%zu malformed), tshark-only packets %zu\n",
                name, t.files, t.packets, t.malformed, t.packets_tshark_only);
    std::printf("[agreement %s] fields compared %zu, agreements %zu, documented exceptions %zu, "
                "disagreements on malformed packets %zu, failures %zu\n",
                name, t.fields, t.agreements,
                [&] { std::size_t n = 0; for (auto& [r, k] : t.exceptions) n += k; return n; }(),
                t.disagreements_malformed, t.failures.size());
    for (const auto& [reason, n] : t.exceptions) std::printf("  exception x%zu: %.*s\n", n, int(reason.size()), reason.data());
}

void run_agreement(const char* name, const std::vector<std::string>& files) {
    Tally t;
    for (const auto& f : files) compare_file(f, t);
    print_summary(name, t);
    std::map<std::string, std::size_t> by_field;  // "file: field" -> count, for the summary
    for (const auto& f : t.failures) {
        const auto colon = f.find(": ");
        const auto sp = f.find(' ', colon + 2);
        by_field[f.substr(colon + 2, sp - colon - 2)]++;
    }
    for (const auto& [k, n] : by_field) std::printf("  disagreement x%zu: %s\n", n, k.c_str());
    const std::size_t shown = std::min<std::size_t>(t.failures.size(), 40);
    for (std::size_t i = 0; i < shown; ++i) ADD_FAILURE() << t.failures[i];
    EXPECT_TRUE(t.failures.empty()) << t.failures.size() << " disagreements on well-formed packets";
    EXPECT_GT(t.packets, 0u);
}

TEST(TsharkAgreement, ProjectFixtures) {
    if (!test_support::tshark_available()) GTEST_SKIP() << "tshark not installed";
    run_agreement("fixtures", captures_in(ICMPKIT_TEST_DATA_DIR));
}

TEST(TsharkAgreement, SharedPublicCorpus) {
    if (!test_support::tshark_available()) GTEST_SKIP() << "tshark not installed";
    const auto files = captures_in(fs::path(ICMPKIT_SHARED_CORPUS_DIR) / "public");
    if (files.empty()) GTEST_SKIP() << "no shared corpus at " << ICMPKIT_SHARED_CORPUS_DIR;
    run_agreement("corpus", files);
}

}  // namespace
}  // namespace icmpkit::report
