// Tests for the tshark oracle helper (tests/support/tshark.hpp). The pcap is made with scapy at
// test time in a temporary directory; nothing is sent on any network.
#include "support/tshark.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace icmpkit::test_support {
namespace {

using Values = std::vector<std::string>;

// A hand-written excerpt of tshark 4.0 `-T json` output: duplicate keys, `_tree`, a text label,
// a `_raw` array, and a quoted datagram.
constexpr std::string_view tshark_sample = R"([
  {"_index": "packets-2023-11-14", "_type": "doc", "_score": null,
   "_source": {"layers": {
     "frame": {"frame.number": "3", "frame.len": "82"},
     "ip": {"ip.src": "192.0.2.1", "ip.addr": "192.0.2.1", "ip.dst": "198.51.100.2",
            "ip.addr": "198.51.100.2", "ip.flags": "0x00",
            "ip.flags_tree": {"ip.flags.df": "0"}},
     "icmp": {"icmp.type": "3", "icmp.code": "3", "icmp.checksum": "0x6362",
              "icmp.checksum_raw": ["6362", 36, 2, 0, 5],
              "ip": {"ip.src": "198.51.100.2", "ip.dst": "203.0.113.9"},
              "udp": {"udp.port": "33434", "udp.port": "33435"},
              "icmp.ext": {"icmp.ext.version": "2",
                           "MPLS Stack Entry": {"icmp.ext.class": "1",
                               "Label: 16000, Exp: 0, S: 1, TTL: 1": {"icmp.mpls.label": "16000"}},
                           "MPLS Stack Entry": {"icmp.ext.class": "1",
                               "Label: 17, Exp: 0, S: 1, TTL: 1": {"icmp.mpls.label": "17"}}}},
     "data": {"data.len": "12"}}}}
])";

TEST(TsharkFlatten, KeepsDuplicateKeysPathsAndOrder) {
    const auto r = flatten_tshark_json(tshark_sample);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.packets.size(), 1u);
    const FlatPacket& p = r.packets[0];
    EXPECT_EQ(p.values("frame.number"), Values{"3"});
    EXPECT_EQ(p.values("ip.src"), Values{"192.0.2.1"});
    EXPECT_EQ(p.values("icmp/ip.src"), Values{"198.51.100.2"});
    EXPECT_EQ(p.values("ip.addr"), (Values{"192.0.2.1", "198.51.100.2"}));
    EXPECT_EQ(p.values("ip.flags.df"), Values{"0"});  // _tree is transparent
    EXPECT_EQ(p.values("icmp/udp.port"), (Values{"33434", "33435"}));
    EXPECT_EQ(p.values("icmp.mpls.label"), (Values{"16000", "17"}));  // text labels transparent
    EXPECT_EQ(p.values("icmp.ext.class"), (Values{"1", "1"}));
    EXPECT_FALSE(p.has("icmp.checksum_raw"));
    EXPECT_FALSE(p.has("_index"));
    EXPECT_EQ(p.values("data.len"), Values{"12"});
    // The full path of the quoted field.
    bool found = false;
    for (const auto& f : p.fields)
        if (f.key == "ip.dst" && f.path == "icmp/ip") found = f.value == "203.0.113.9";
    EXPECT_TRUE(found);
}

TEST(TsharkFlatten, NdjsonLayoutFlattensTheSame) {
    // The proposed icmpkit layout: flat outer fields, arrays instead of duplicate keys,
    // field-named arrays instead of text labels.
    const std::string ndjson =
        R"({"frame.number":"3","frame.len":"82","ip.src":"192.0.2.1","ip.addr":["192.0.2.1","198.51.100.2"],)"
        R"("ip.dst":"198.51.100.2","ip.flags":"0x00","ip.flags.df":"0","icmp":{"icmp.type":"3","icmp.code":"3",)"
        R"("icmp.checksum":"0x6362","ip":{"ip.src":"198.51.100.2","ip.dst":"203.0.113.9"},)"
        R"("udp":{"udp.port":["33434","33435"]},"icmp.ext":{"icmp.ext.version":"2","icmp.ext.object":[)"
        R"({"icmp.ext.class":"1","icmp.mpls.label":"16000"},{"icmp.ext.class":"1","icmp.mpls.label":"17"}]}},)"
        R"("data":{"data.len":"12"}})"
        "\n\n";
    const auto ours = flatten_ndjson(ndjson);
    ASSERT_TRUE(ours.ok) << ours.error;
    ASSERT_EQ(ours.packets.size(), 1u);
    const auto theirs = flatten_tshark_json(tshark_sample);
    ASSERT_TRUE(theirs.ok);
    EXPECT_EQ(ours.packets[0].to_multimap(), theirs.packets[0].to_multimap());
}

TEST(TsharkFlatten, RejectsBrokenInput) {
    EXPECT_FALSE(flatten_tshark_json("[{\"_source\": ").ok);
    EXPECT_FALSE(flatten_ndjson("{\"a\":\"1\"}\n{oops}\n").ok);
    EXPECT_FALSE(flatten_ndjson("[1,2]\n").ok);  // a line must be one object
}

TEST(ShellQuote, QuotesSingleQuotes) {
    EXPECT_EQ(shell_quote("a b"), "'a b'");
    EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
    EXPECT_EQ(run_command("printf %s " + shell_quote("x'y \"z\"")).out, "x'y \"z\"");
}

// Finds a python3 that can import scapy (Debian's python3-scapy lives in /usr/lib/python3).
std::string python_with_scapy() {
    for (const char* py : {"/usr/bin/python3", "python3"}) {
        const std::string cmd = std::string(py) + " -c 'import scapy.all' >/dev/null 2>&1 && echo ok";
        if (run_command(cmd).out == "ok\n") return py;
    }
    return {};
}

class TsharkOracle : public ::testing::Test {
protected:
    void SetUp() override {
        if (!tshark_available()) GTEST_SKIP() << "tshark not installed";
        python_ = python_with_scapy();
        if (python_.empty()) GTEST_SKIP() << "python3 with scapy not available";
        dir_ = std::filesystem::temp_directory_path() /
               ("icmpkit-tshark-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override {
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }
    // Writes packets (a Python list expression over scapy names) into a pcap; returns its path.
    std::string make_pcap(const std::string& packets) {
        const auto script = dir_ / "gen.py";
        const auto pcap = dir_ / "sample.pcap";
        std::ofstream(script) << "from scapy.all import *\n"
                                 "pk = " << packets << "\n"
                                 "for i, p in enumerate(pk): p.time = 1700000000 + i\n"
                                 "wrpcap(" << '"' << pcap.string() << '"' << ", pk)\n";
        const auto r = run_command(python_ + " " + shell_quote(script.string()) + " 2>&1");
        EXPECT_EQ(r.status, 0) << r.out;
        return pcap.string();
    }

    std::string python_;
    std::filesystem::path dir_;
};

constexpr const char* sample_packets =
    "[Ether()/IP(src='192.0.2.1',dst='198.51.100.2')/ICMP(type=3,code=3)/"
    "IP(src='198.51.100.2',dst='203.0.113.9',ttl=1)/UDP(sport=33434,dport=33435)/Raw(b'x'*12),"
    " Ether()/IPv6(src='fe80::1',dst='ff02::1')/ICMPv6ND_RA()/"
    "ICMPv6NDOptSrcLLAddr(lladdr='02:00:00:00:00:01')/ICMPv6NDOptMTU(mtu=1500),"
    " Ether()/IP(src='192.0.2.1',dst='198.51.100.2')/ICMP(type=8,id=0x1234,seq=1,chksum=0x1234)]";

TEST_F(TsharkOracle, FlattensQuotedDatagramAndOptions) {
    const auto pcap = make_pcap(sample_packets);
    const auto r = run_tshark_json(pcap);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.packets.size(), 3u);

    const FlatPacket& err = r.packets[0];
    EXPECT_EQ(err.values("frame.number"), Values{"1"});
    EXPECT_EQ(err.values("icmp.type"), Values{"3"});
    EXPECT_EQ(err.values("icmp.code"), Values{"3"});
    EXPECT_EQ(err.values("icmp.checksum.status"), Values{"1"});
    EXPECT_EQ(err.values("ip.src"), Values{"192.0.2.1"});
    EXPECT_EQ(err.values("icmp/ip.src"), Values{"198.51.100.2"});
    EXPECT_EQ(err.values("icmp/ip.ttl"), Values{"1"});
    EXPECT_EQ(err.values("icmp/udp.dstport"), Values{"33435"});
    EXPECT_EQ(err.values("ip.addr"), (Values{"192.0.2.1", "198.51.100.2"}));  // duplicate key kept

    const FlatPacket& ra = r.packets[1];
    EXPECT_EQ(ra.values("icmpv6.type"), Values{"134"});
    EXPECT_EQ(ra.values("icmpv6.opt.type"), (Values{"1", "5"}));
    EXPECT_EQ(ra.values("icmpv6.opt.mtu"), Values{"1500"});
    EXPECT_EQ(ra.values("ipv6.dst"), Values{"ff02::1"});

    const FlatPacket& bad = r.packets[2];
    EXPECT_EQ(bad.values("icmp.checksum"), Values{"0x1234"});
    EXPECT_EQ(bad.values("icmp.checksum.status"), Values{"0"});
    EXPECT_EQ(bad.values("icmp.ident"), Values{"4660"});
}

TEST_F(TsharkOracle, DisplayFilterAndNoDuplicateKeysAgree) {
    const auto pcap = make_pcap(sample_packets);
    const auto only_v6 = run_tshark_json(pcap, "icmpv6");
    ASSERT_TRUE(only_v6.ok) << only_v6.error;
    ASSERT_EQ(only_v6.packets.size(), 1u);
    EXPECT_EQ(only_v6.packets[0].values("frame.number"), Values{"2"});

    // tshark's array form of repeated keys flattens exactly like the duplicate-key form.
    const auto dup = run_tshark_json(pcap);
    const auto arrays = run_tshark_json(pcap, {}, "--no-duplicate-keys");
    ASSERT_TRUE(dup.ok && arrays.ok);
    ASSERT_EQ(dup.packets.size(), arrays.packets.size());
    for (std::size_t i = 0; i < dup.packets.size(); ++i)
        EXPECT_EQ(dup.packets[i].to_multimap(), arrays.packets[i].to_multimap()) << "packet " << i;
}

TEST_F(TsharkOracle, MissingFileIsAnError) {
    const auto r = run_tshark_json((dir_ / "does-not-exist.pcap").string());
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("status"), std::string::npos);
}

}  // namespace
}  // namespace icmpkit::test_support
