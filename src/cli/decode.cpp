// icmpkit decode: read a capture file (or a live interface) and print its ICMP packets.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "icmpkit/capture/reader.hpp"
#include "icmpkit/dissect/dissector.hpp"
#include "icmpkit/report/decode_json.hpp"
#include "icmpkit/report/decode_text.hpp"
#include "icmpkit/report/decode_tree.hpp"
#include "icmpkit/report/json_writer.hpp"

namespace icmpkit::cli {

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

struct Options {
    std::string read_file;
    std::string interface;
    std::vector<std::string> words;  // [FILE] filter words...
    long long count = -1;
    std::string write_file;
    bool verbose = false;
    bool json = false;
    bool stats = false;
    bool numeric = false;
};

void flush(std::string& buf) {
    if (!buf.empty()) std::fwrite(buf.data(), 1, buf.size(), stdout);
    buf.clear();
}

void stats_text(const dissect::Stats& s, std::string& out) {
    auto row = [&](std::string_view k, std::uint64_t v) { fmt::format_to(std::back_inserter(out), "  {:<28} {}\n", k, v); };
    out += "statistics:\n";
    row("frames", s.frames);
    row("icmp", s.icmp_v4);
    row("icmp6", s.icmp_v6);
    row("skipped (no icmp)", s.skipped);
    row("malformed", s.malformed);
    row("bad icmp checksum", s.icmp_bad_checksum);
    row("bad ip header checksum", s.ip_bad_checksum);
    row("fragments", s.fragments);
    row("reassembled", s.reassembled);
    row("reassembly expired", s.reassembly_expired);
    row("reassembly overlaps", s.reassembly_overlaps);
    row("reassembly dropped", s.reassembly_dropped);
    for (int fam = 0; fam < 2; ++fam) {
        const auto& t = fam == 0 ? s.v4_type_code : s.v6_type_code;
        for (std::size_t i = 0; i < t.size(); ++i)
            if (t[i]) fmt::format_to(std::back_inserter(out), "  {} type {:>3} code {:>3}{:>14} {}\n",
                                     fam == 0 ? "icmp " : "icmp6", i / 256, i % 256, "", t[i]);
    }
}

void stats_json(const dissect::Stats& s, std::string& out) {
    report::JsonWriter w(out);
    w.begin_object();
    w.key("stats");
    w.begin_object();
    auto f = [&](std::string_view k, std::uint64_t v) { w.key(k); w.uint(v); };
    f("frames", s.frames); f("icmp", s.icmp_v4); f("icmp6", s.icmp_v6); f("skipped", s.skipped);
    f("malformed", s.malformed); f("bad_icmp_checksum", s.icmp_bad_checksum);
    f("bad_ip_checksum", s.ip_bad_checksum); f("fragments", s.fragments);
    f("reassembled", s.reassembled); f("reassembly_expired", s.reassembly_expired);
    f("reassembly_overlaps", s.reassembly_overlaps); f("reassembly_dropped", s.reassembly_dropped);
    w.key("types");
    w.begin_array();
    for (int fam = 0; fam < 2; ++fam) {
        const auto& t = fam == 0 ? s.v4_type_code : s.v6_type_code;
        for (std::size_t i = 0; i < t.size(); ++i) {
            if (!t[i]) continue;
            w.begin_object();
            w.key("family"); w.uint(fam == 0 ? 4 : 6);
            w.key("type"); w.uint(i / 256);
            w.key("code"); w.uint(i % 256);
            w.key("count"); w.uint(t[i]);
            w.end_object();
        }
    }
    w.end_array();
    w.end_object();
    w.end_object();
    w.end_line();
}

int fail(const std::string& what) {
    std::fprintf(stderr, "icmpkit decode: %s\n", what.c_str());
    return 2;
}

int run(Options& o) {
    if (o.read_file.empty() && o.interface.empty() && !o.words.empty()) {
        o.read_file = o.words.front();
        o.words.erase(o.words.begin());
    }
    if (o.read_file.empty() && o.interface.empty())
        return fail("no capture: give FILE, -r FILE or -i IFACE (see --help)");
    if (!o.read_file.empty() && !o.interface.empty()) return fail("-r and -i exclude each other");
    std::string filter;
    for (const auto& w : o.words) filter += (filter.empty() ? "" : " ") + w;

    const bool live = !o.interface.empty();
    auto reader = live ? capture::CaptureReader::open_live(o.interface, 262144, false, std::chrono::milliseconds(100))
                       : capture::CaptureReader::open_file(o.read_file);
    if (!reader) return fail((live ? o.interface : o.read_file) + ": " + reader.error().message);
    if (!filter.empty())
        if (auto r = reader->set_filter(filter); !r) return fail("bad filter '" + filter + "': " + r.error().message);
    std::optional<capture::CaptureWriter> writer;
    if (!o.write_file.empty()) {
        auto w = capture::CaptureWriter::open(o.write_file, reader->linktype(), reader->snaplen() > 0 ? reader->snaplen() : 262144);
        if (!w) return fail(o.write_file + ": " + w.error().message);
        writer.emplace(std::move(*w));
    }
    if (live) {
        std::signal(SIGINT, on_signal);
        std::signal(SIGTERM, on_signal);
    }

    dissect::Dissector dissector;
    dissect::Dissection d;
    std::string out;
    out.reserve(1 << 17);
    long long printed = 0;
    int rc = 0;
    while (!g_stop && (o.count < 0 || printed < o.count)) {
        auto next = reader->next();
        if (!next) {
            flush(out);
            std::fprintf(stderr, "icmpkit decode: %s: %s\n", o.read_file.empty() ? o.interface.c_str() : o.read_file.c_str(),
                         next.error().message.c_str());
            rc = 2;
            break;
        }
        if (!*next) {
            if (live && reader->timed_out()) continue;
            break;
        }
        const capture::Frame& frame = **next;
        dissector.dissect(frame, d);
        if (!d.icmp) continue;
        ++printed;
        if (o.json) {
            report::JsonWriter w(out);
            report::write_json(d, w);  // ends its line
        } else if (o.verbose) {
            report::write_tree(d, out);
        } else {
            report::append_decode_line(d, out);
        }
        if (writer) {
            if (auto r = writer->write(frame); !r) {
                flush(out);
                return fail(o.write_file + ": " + r.error().message);
            }
        }
        if (live || out.size() > (1 << 16)) flush(out);
    }
    if (o.stats) {
        if (o.json) stats_json(dissector.stats(), out);
        else stats_text(dissector.stats(), out);
    }
    flush(out);
    std::fflush(stdout);
    return rc;
}

}  // namespace

int run_decode(int argc, char** argv) {
    CLI::App app{
        "Decode the ICMP and ICMPv6 packets of a capture file (pcap or pcapng) or a live interface.\n"
        "One line per ICMP packet, like tcpdump -n, plus the flow an error quotes and its RFC 4884\n"
        "extensions. Non-ICMP frames are skipped (counted by --stats). IPv4 and IPv6 fragments are\n"
        "reassembled; tunnels (IP-in-IP, 6in4, GRE) are followed.\n"
        "Exit status: 0 success (also when no ICMP packet was found), 2 error (unreadable capture,\n"
        "bad filter, bad option).",
        "icmpkit decode"};
    Options o;
    app.add_option("-r,--read", o.read_file, "Read packets from FILE (pcap or pcapng)")->type_name("FILE");
    app.add_option("-i,--interface", o.interface, "Capture live on IFACE (needs root or CAP_NET_RAW); stop with Ctrl-C")->type_name("IFACE");
    app.add_option("-c,--count", o.count, "Stop after printing COUNT ICMP packets")->type_name("COUNT")->check(CLI::NonNegativeNumber);
    app.add_option("-w,--write", o.write_file, "Also write the ICMP frames printed to FILE (pcap, nanosecond timestamps)")->type_name("FILE");
    app.add_flag("-v,--verbose", o.verbose, "Print a tree of every layer instead of one line");
    app.add_flag("--json", o.json, "Print one JSON object per ICMP packet (NDJSON)");
    app.add_flag("--stats", o.stats, "Print counts by family, type and code at the end (a JSON object with --json)");
    app.add_flag("-n", o.numeric, "Accepted for tcpdump compatibility: addresses are never resolved");
    app.add_option("args", o.words, "[FILE] followed by a BPF filter expression (pcap-filter(7)), as tcpdump takes it")
        ->type_name("[FILE] [FILTER...]");
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;
    }
    return run(o);
}

}  // namespace icmpkit::cli
