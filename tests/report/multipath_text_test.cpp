// report: the --cycles text against mtr 0.95's own report output, and the --mda text, JSON and
// Graphviz forms.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "icmpkit/report/cycles_text.hpp"
#include "icmpkit/report/mda_text.hpp"

using namespace icmpkit;

namespace {

probe::HopReport hop(unsigned ttl, const char* addr, std::uint64_t sent, std::int64_t rtt_us) {
    probe::HopReport h;
    h.ttl = static_cast<std::uint8_t>(ttl);
    if (addr) h.addresses.push_back(*core::IpAddress::parse(addr));
    h.sent = sent;
    h.received = addr ? sent : 0;
    h.lost = addr ? 0 : sent;
    h.loss = addr ? 0.0 : 1.0;
    if (addr) {
        h.last_us = h.best_us = h.worst_us = rtt_us;
        h.average_us = static_cast<double>(rtt_us);
    }
    return h;
}

}  // namespace

// `mtr -r -n -c 3 127.0.0.1` (mtr 0.95, Debian) printed, byte for byte:
//   HOST: vm                          Loss%   Snt   Last   Avg  Best  Wrst StDev
//     1.|-- 127.0.0.1                  0.0%     3    0.1   0.1   0.1   0.1   0.0
TEST(CyclesText, SameLayoutAsMtrReport) {
    probe::CyclesReport r;
    r.hops.push_back(hop(1, "127.0.0.1", 3, 100));
    const auto text = report::cycles_text(r, {.start = "2026-11-22T18:47:53+0000", .local_host = "vm"});
    EXPECT_EQ(text,
              "Start: 2026-11-22T18:47:53+0000\n"
              "HOST: vm                          Loss%   Snt   Last   Avg  Best  Wrst StDev\n"
              "  1.|-- 127.0.0.1                  0.0%     3    0.1   0.1   0.1   0.1   0.0\n");
}

// mtr report.c: "???" for a hop without an address; further addresses of a hop as
// "    |  `|-- ADDR" (the first) and "    |   |-- ADDR" (the others).
TEST(CyclesText, EcmpContinuationSilentHopAndRateLimitMarker) {
    probe::CyclesReport r;
    auto h1 = hop(1, "192.0.2.1", 10, 1000);
    auto h2 = hop(2, "198.51.100.2", 10, 2500);
    h2.addresses.push_back(*core::IpAddress::parse("198.51.100.6"));
    h2.addresses.push_back(*core::IpAddress::parse("198.51.100.10"));
    h2.received = 4;
    h2.lost = 6;
    h2.loss = 0.6;
    h2.rate_limited = true;
    auto h3 = hop(3, nullptr, 10, 0);
    auto h4 = hop(4, "203.0.113.10", 10, 4000);
    r.hops = {h1, h2, h3, h4};
    const auto text = report::cycles_text(r, {.local_host = "h0"});
    EXPECT_EQ(text,
              "HOST: h0                          Loss%   Snt   Last   Avg  Best  Wrst StDev\n"
              "  1.|-- 192.0.2.1                  0.0%    10    1.0   1.0   1.0   1.0   0.0\n"
              "  2.|-- 198.51.100.2              60.0%    10    2.5   2.5   2.5   2.5   0.0 (rl)\n"
              "    |  `|-- 198.51.100.6\n"
              "    |   |-- 198.51.100.10\n"
              "  3.|-- ???                      100.0%    10    0.0   0.0   0.0   0.0   0.0\n"
              "  4.|-- 203.0.113.10               0.0%    10    4.0   4.0   4.0   4.0   0.0\n"
              "(rl) loss here does not carry on to later hops: the router rate-limits its ICMP replies;\n"
              "     this is not forwarding loss.\n");
}

TEST(CyclesText, LongAddressWidensTheHostColumn) {
    probe::CyclesReport r;
    r.hops.push_back(hop(1, "2001:db8:ffff:ffff:ffff:ffff:ffff:1", 1, 100));
    const auto text = report::cycles_text(r, {.local_host = "h0"});
    EXPECT_NE(text.find("2001:db8:ffff:ffff:ffff:ffff:ffff:1 "), std::string::npos);
}

TEST(CyclesJson, MtrShapeWithOurFields) {
    probe::CyclesReport r;
    auto h = hop(1, "192.0.2.1", 4, 1500);
    h.rate_limited = true;
    h.reply_loss = 0.25;
    r.hops.push_back(h);
    r.cycles = 4;
    const auto j = nlohmann::json::parse(report::cycles_json(r, {.local_host = "h0", .destination = "h1", .tests = 4}));
    EXPECT_EQ(j["schema"], "icmpkit.trace.cycles/1");
    EXPECT_EQ(j["report"]["mtr"]["dst"], "h1");
    EXPECT_EQ(j["report"]["mtr"]["tests"], 4);
    const auto& hub = j["report"]["hubs"][0];
    EXPECT_EQ(hub["count"], 1);
    EXPECT_EQ(hub["host"], "192.0.2.1");
    EXPECT_EQ(hub["Snt"], 4);
    EXPECT_DOUBLE_EQ(hub["Avg"].get<double>(), 1.5);
    EXPECT_EQ(hub["rate_limited"], true);
    EXPECT_DOUBLE_EQ(hub["reply_loss%"].get<double>(), 25.0);
}

namespace {

// source -> 192.0.2.1 -> {198.51.100.2, *} -> 203.0.113.10
probe::MdaResult diamond() {
    probe::MdaResult r;
    auto iface = [](const char* a, probe::MdaNodeKind k) {
        probe::MdaInterface i;
        if (a) i.address = *core::IpAddress::parse(a);
        i.kind = k;
        i.flows = 6;
        if (a) i.min_rtt_us = 1234;
        return i;
    };
    r.hops = {{1, {iface("192.0.2.1", probe::MdaNodeKind::router)}},
              {2, {iface("198.51.100.2", probe::MdaNodeKind::router), iface(nullptr, probe::MdaNodeKind::silent)}},
              {3, {iface("203.0.113.10", probe::MdaNodeKind::destination)}}};
    r.links = {{1, 0, 0}, {2, 0, 0}, {2, 0, 1}, {3, 0, 0}, {3, 1, 0}};
    r.paths = 2;
    r.probes_sent = 40;
    r.flows_used = 20;
    r.reached = r.complete = true;
    return r;
}

report::MdaReportInfo info() {
    return {*core::IpAddress::parse("203.0.113.10"), "h1", "udp-paris", {}};
}

}  // namespace

TEST(MdaText, InterfacesPerHopThenLinks) {
    EXPECT_EQ(report::mda_text(diamond(), info()),
              "mda to h1 (203.0.113.10), 95% confidence, udp-paris\n"
              " 1  192.0.2.1  1.234 ms\n"
              " 2  198.51.100.2  1.234 ms\n"
              "    *\n"
              " 3  203.0.113.10  1.234 ms  (destination)\n"
              "links:\n"
              " 1  source -> 192.0.2.1\n"
              " 2  192.0.2.1 -> 198.51.100.2\n"
              " 2  192.0.2.1 -> *\n"
              " 3  198.51.100.2 -> 203.0.113.10\n"
              " 3  * -> 203.0.113.10\n"
              "2 paths, 40 probes (20.0 per path), 20 flows, 0 timeouts; complete\n");
}

TEST(MdaJson, GraphAsJson) {
    const auto j = nlohmann::json::parse(report::mda_json(diamond(), info()));
    EXPECT_EQ(j["schema"], "icmpkit.trace.mda/1");
    EXPECT_EQ(j["hops"].size(), 3u);
    EXPECT_TRUE(j["hops"][1]["interfaces"][1]["address"].is_null());
    EXPECT_EQ(j["hops"][1]["interfaces"][1]["kind"], "silent");
    EXPECT_EQ(j["links"].size(), 5u);
    EXPECT_EQ(j["links"][0]["from"], "source");
    EXPECT_EQ(j["links"][4]["from"], "*");
    EXPECT_EQ(j["paths"], 2);
    EXPECT_EQ(j["confidence"], 95);
}

TEST(MdaDot, OneNodePerInterfaceOneEdgePerLink) {
    const auto dot = report::mda_dot(diamond(), info());
    EXPECT_EQ(dot.rfind("digraph mda {", 0), 0u);
    EXPECT_NE(dot.find("src -> h1_0;"), std::string::npos);
    EXPECT_NE(dot.find("h1_0 -> h2_1;"), std::string::npos);
    EXPECT_NE(dot.find("h2_1 -> h3_0;"), std::string::npos);
    EXPECT_NE(dot.find("h2_1 [label=\"*\\nttl 2\", style=dashed];"), std::string::npos);
    EXPECT_NE(dot.find("shape=doubleoctagon"), std::string::npos);
    std::size_t edges = 0;
    for (auto at = dot.find(" -> "); at != std::string::npos; at = dot.find(" -> ", at + 1)) ++edges;
    EXPECT_EQ(edges, 5u);
}

// SIGINT: a count not reached gets one closing line; continuous mode (tests 0) ends this way
// normally and gets none; JSON says so either way.
TEST(CyclesText, InterruptedCountedRunSaysHowFarItGot) {
    probe::CyclesReport r;
    r.hops.push_back(hop(1, "127.0.0.1", 3, 100));
    r.cycles = 3;
    const std::string table = "HOST: vm                          Loss%   Snt   Last   Avg  Best  Wrst StDev\n"
                              "  1.|-- 127.0.0.1                  0.0%     3    0.1   0.1   0.1   0.1   0.0\n";
    EXPECT_EQ(report::cycles_text(r, {.local_host = "vm", .tests = 10, .interrupted = true}),
              table + "Interrupted after 3 of 10 cycles.\n");
    EXPECT_EQ(report::cycles_text(r, {.local_host = "vm", .tests = 0, .interrupted = true}), table);
    EXPECT_EQ(report::cycles_text(r, {.local_host = "vm", .tests = 3}), table);
    auto j = nlohmann::json::parse(report::cycles_json(r, {.local_host = "vm", .tests = 0, .interrupted = true}));
    EXPECT_EQ(j["interrupted"], true);
    EXPECT_EQ(j["report"]["mtr"]["tests"], 0);
    j = nlohmann::json::parse(report::cycles_json(r, {.local_host = "vm", .tests = 3}));
    EXPECT_EQ(j["interrupted"], false);
}

TEST(MdaText, InterruptedIsMarkedIncompleteEverywhere) {
    auto r = diamond();
    r.complete = false;
    r.interrupted = true;
    const auto text = report::mda_text(r, info());
    EXPECT_NE(text.find("2 paths, 40 probes (20.0 per path), 20 flows, 0 timeouts; interrupted, incomplete\n"),
              std::string::npos) << text;
    const auto j = nlohmann::json::parse(report::mda_json(r, info()));
    EXPECT_EQ(j["interrupted"], true);
    EXPECT_EQ(j["complete"], false);
    EXPECT_EQ(nlohmann::json::parse(report::mda_json(diamond(), info()))["interrupted"], false);
    EXPECT_NE(report::mda_dot(r, info()).find("  label=\"interrupted, incomplete\";\n"), std::string::npos);
    EXPECT_EQ(report::mda_dot(diamond(), info()).find("interrupted"), std::string::npos);
}
