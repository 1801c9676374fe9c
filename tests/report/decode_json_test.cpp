// Renderer unit tests: golden fields for hand-checked fixture packets (expected values copied from
// `tshark -T json` 4.0.17 output on tests/data/scapy-v4.pcap / scapy-v6.pcap, not from our code),
// and valid JSON / no crash for every prefix of every fixture packet.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "icmpkit/capture/link.hpp"
#include "icmpkit/capture/reader.hpp"
#include "icmpkit/dissect/dissector.hpp"
#include "icmpkit/report/decode_json.hpp"
#include "icmpkit/report/decode_tree.hpp"
#include "icmpkit/wire/ipv4.hpp"
#include "icmpkit/wire/ipv6.hpp"
#include "support/tshark.hpp"

namespace icmpkit::report {
namespace {

using Values = std::vector<std::string>;

struct RawFrame {
    int linktype = 0;
    core::Buffer bytes;
    core::WallTime time{};
};

std::vector<RawFrame> frames_of(const std::string& name) {
    std::vector<RawFrame> out;
    auto r = capture::CaptureReader::open_file(std::string(ICMPKIT_TEST_DATA_DIR) + "/" + name);
    EXPECT_TRUE(r.has_value()) << name;
    if (!r) return out;
    for (;;) {
        auto f = r->next();
        if (!f || !f->has_value()) break;
        const auto& fr = **f;
        out.push_back({fr.linktype, core::Buffer(fr.data.begin(), fr.data.end()), fr.timestamp});
    }
    return out;
}

// The ICMP message of an Ethernet/IPv4 frame, rendered as {"icmp": {...}} without the dissector.
std::string render_v4(const RawFrame& f) {
    auto link = capture::unwrap_link(f.linktype, f.bytes);
    EXPECT_TRUE(link.has_value());
    auto ip = wire::Ipv4HeaderView::parse(core::Bytes(f.bytes).subspan(link->network_offset));
    EXPECT_TRUE(ip.has_value());
    auto m = wire::icmpv4::parse(ip->payload(), {.verify_checksum = false});
    EXPECT_TRUE(m.has_value());
    auto v = wire::icmpv4::MessageView::parse(ip->payload());
    const auto status = v ? ChecksumStatus::good : ChecksumStatus::bad;
    std::string s;
    JsonWriter w(s);
    w.begin_object();
    w.key("icmp");
    w.begin_object();
    write_icmpv4_json(*m, status, w);
    w.end_object();
    w.end_object();
    return s;
}

test_support::FlatPacket flat(const std::string& line) {
    auto r = test_support::flatten_ndjson(line);
    EXPECT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.packets.size(), 1u);
    return r.packets.empty() ? test_support::FlatPacket{} : r.packets[0];
}

TEST(DecodeJson, TimeExceededWithMplsAndInterfaceInformation) {
    const auto frames = frames_of("scapy-v4.pcap");
    ASSERT_GE(frames.size(), 24u);
    const std::string s = render_v4(frames[18]);  // frame 19
    ASSERT_TRUE(nlohmann::json::accept(s)) << s;
    const auto p = flat(s);
    // tshark -T json, scapy-v4.pcap frame 19.
    EXPECT_EQ(p.values("icmp.type"), Values{"11"});
    EXPECT_EQ(p.values("icmp.checksum"), Values{"0xe13d"});
    EXPECT_EQ(p.values("icmp.checksum.status"), Values{"1"});
    EXPECT_EQ(p.values("icmp.unused"), (Values{"00", "00:00"}));
    EXPECT_EQ(p.values("icmp.length"), Values{"32"});
    EXPECT_EQ(p.values("icmp.length.original_datagram"), Values{"128"});
    EXPECT_EQ(p.values("icmp/ip.len"), Values{"41"});
    EXPECT_EQ(p.values("icmp/ip.id"), Values{"0x1234"});
    EXPECT_EQ(p.values("icmp/ip.checksum"), Values{"0xbb59"});
    EXPECT_EQ(p.values("icmp/ip.checksum.status"), Values{"2"});
    EXPECT_EQ(p.values("icmp/ip.dst"), Values{"198.51.100.2"});
    EXPECT_EQ(p.values("icmp/udp.dstport"), Values{"33434"});
    EXPECT_EQ(p.values("icmp/udp.checksum"), Values{"0xf971"});
    EXPECT_EQ(p.values("icmp/udp.payload"), Values{"69:63:6d:70:6b:69:74:2d:70:72:6f:62:65"});
    EXPECT_EQ(p.values("icmp.ext.checksum"), Values{"0x800d"});
    EXPECT_EQ(p.values("icmp.ext.checksum.status"), Values{"1"});
    EXPECT_EQ(p.values("icmp.ext.length"), (Values{"12", "32"}));
    EXPECT_EQ(p.values("icmp.ext.class"), (Values{"1", "2"}));
    EXPECT_EQ(p.values("icmp.ext.ctype"), (Values{"1", "15"}));
    EXPECT_EQ(p.values("icmp.mpls.label"), (Values{"24001", "16"}));
    EXPECT_EQ(p.values("icmp.mpls.s"), (Values{"0", "1"}));
    EXPECT_EQ(p.values("icmp.mpls.ttl"), (Values{"1", "255"}));
    EXPECT_EQ(p.values("icmp.int_info.index"), Values{"7"});
    EXPECT_EQ(p.values("icmp.reserved"), Values{"00:00"});
    EXPECT_EQ(p.values("icmp.int_info.ipv4"), Values{"203.0.113.1"});
    EXPECT_EQ(p.values("icmp.int_info.name_length"), Values{"12"});
    EXPECT_EQ(p.values("icmp.int_info.name"), Values{"ge-0/0/1"});
    EXPECT_EQ(p.values("icmp.int_info.mtu"), Values{"1500"});
}

TEST(DecodeJson, RouterAdvertisementAndExtendedEcho) {
    const auto frames = frames_of("scapy-v4.pcap");
    ASSERT_GE(frames.size(), 24u);
    const auto ra = flat(render_v4(frames[6]));  // frame 7
    EXPECT_EQ(ra.values("icmp.num_addrs"), Values{"2"});
    EXPECT_EQ(ra.values("icmp.lifetime"), Values{"1800"});
    EXPECT_EQ(ra.values("icmp.router_address"), (Values{"192.0.2.254", "192.0.2.253"}));
    EXPECT_EQ(ra.values("icmp.pref_level"), (Values{"10", "-5"}));
    const auto xreq = flat(render_v4(frames[14]));  // frame 15
    EXPECT_EQ(xreq.values("icmp.ident"), Values{"2571"});
    EXPECT_EQ(xreq.values("icmp.ident_le"), Values{"2826"});
    EXPECT_EQ(xreq.values("icmp.ext.echo.req.local"), Values{"1"});
    EXPECT_EQ(xreq.values("icmp.ext.checksum"), Values{"0x0f52"});
    EXPECT_EQ(xreq.values("icmp.int_ident.name"), Values{"eth0"});
    const auto xrep = flat(render_v4(frames[16]));  // frame 17
    EXPECT_EQ(xrep.values("icmp.ext.echo.rsp.state"), Values{"2"});
    EXPECT_EQ(xrep.values("icmp.ext.echo.rsp.active"), Values{"1"});
    EXPECT_EQ(xrep.values("icmp.ext.echo.rsp.ipv4"), Values{"1"});
    EXPECT_EQ(xrep.values("icmp.ext.echo.rsp.ipv6"), Values{"0"});
    const auto bad = flat(render_v4(frames[22]));  // frame 23: wrong echo checksum
    EXPECT_EQ(bad.values("icmp.checksum"), Values{"0x23ea"});
    EXPECT_EQ(bad.values("icmp.checksum.status"), Values{"0"});
    EXPECT_EQ(bad.values("icmp.seq_le"), Values{"256"});
    EXPECT_EQ(bad.values("icmp/data.len"), Values{"12"});
}

TEST(DecodeJson, Ipv4FieldsStopWhereTheBytesDo) {
    // The first 12 bytes of scapy-v4.pcap frame 22's quote: tshark prints up to ip.checksum.status.
    const std::uint8_t h[12] = {0x45, 0, 0, 41, 0x12, 0x34, 0, 0, 1, 17, 0xbb, 0x59};
    std::string s;
    JsonWriter w(s);
    w.begin_object();
    write_ipv4_fields(h, w);
    w.end_object();
    ASSERT_TRUE(nlohmann::json::accept(s)) << s;
    const auto p = flat(s);
    EXPECT_EQ(p.values("ip.checksum.status"), Values{"2"});
    EXPECT_EQ(p.values("ip.flags"), Values{"0x00"});
    EXPECT_FALSE(p.has("ip.src"));
}

// Every prefix of every ICMP message in the fixtures renders as valid JSON (the wire parser
// either decodes it or refuses it; quotes are rendered from whatever bytes there are).
TEST(DecodeJson, EveryPrefixOfEveryFixtureMessageIsValidJson) {
    std::size_t rendered = 0;
    for (const char* name : {"scapy-v4.pcap", "linux-v4.pcap", "scapy-v6.pcap", "linux-v6.pcap", "demo.pcap"}) {
        for (const auto& f : frames_of(name)) {
            auto link = capture::unwrap_link(f.linktype, f.bytes);
            if (!link) continue;
            const core::Bytes net = core::Bytes(f.bytes).subspan(link->network_offset);
            core::Bytes icmp;
            bool v6 = false;
            if (auto ip = wire::Ipv4HeaderView::parse(net); ip && ip->protocol() == 1) {
                icmp = ip->payload();
            } else if (auto ip6 = wire::Ipv6HeaderView::parse(net)) {
                auto chain = wire::walk_ipv6_chain(net);
                if (!chain || chain->upper_layer_protocol != 58) continue;
                icmp = net.subspan(chain->upper_layer_offset);
                v6 = true;
            }
            for (std::size_t n = 0; n <= icmp.size(); ++n) {
                const core::Bytes cut = icmp.first(n);
                std::string s;
                JsonWriter w(s);
                w.begin_object();
                if (!v6) {
                    if (auto m = wire::icmpv4::parse(cut, {.verify_checksum = false})) {
                        write_icmpv4_json(*m, ChecksumStatus::unverified, w);
                        std::string tree;
                        write_icmpv4_tree(*m, ChecksumStatus::unverified, tree);
                        EXPECT_FALSE(tree.empty());
                    }
                } else if (auto m = wire::icmpv6::parse(cut, {.verify_checksum = false})) {
                    write_icmpv6_json(*m, ChecksumStatus::unverified, w);
                    std::string tree;
                    write_icmpv6_tree(*m, ChecksumStatus::unverified, tree);
                }
                if (n > 8) {
                    w.key("quote");
                    w.begin_object();
                    write_quote_json(cut.subspan(8), w);
                    w.end_object();
                }
                w.end_object();
                ASSERT_TRUE(nlohmann::json::accept(s)) << name << " prefix " << n << ": " << s;
                ++rendered;
            }
        }
    }
    EXPECT_GT(rendered, 1000u);
}

// Whole frames through the dissector, cut at every length: write_json is one valid JSON line
// and write_tree never fails, also for malformed frames.
TEST(DecodeJson, EveryPrefixOfEveryFixtureFrameThroughTheDissector) {
    std::size_t lines = 0;
    for (const char* name : {"scapy-v4.pcap", "scapy-v6.pcap", "tunnels.pcap", "demo.pcap"}) {
        for (const auto& f : frames_of(name)) {
            for (std::size_t n = 0; n <= f.bytes.size(); ++n) {
                dissect::Dissector dissector;
                capture::Frame frame;
                frame.data = core::Bytes(f.bytes).first(n);
                frame.captured_length = static_cast<std::uint32_t>(n);
                frame.original_length = static_cast<std::uint32_t>(f.bytes.size());
                frame.linktype = f.linktype;
                frame.timestamp = f.time;
                frame.number = 1;
                const auto d = dissector.dissect(frame);
                std::string s;
                JsonWriter w(s);
                write_json(d, w);
                ASSERT_FALSE(s.empty());
                ASSERT_EQ(s.back(), '\n');
                ASSERT_TRUE(nlohmann::json::accept(s)) << name << " cut at " << n << ": " << s;
                std::string tree;
                write_tree(d, tree);
                ++lines;
            }
        }
    }
    EXPECT_GT(lines, 1000u);
}

}  // namespace
}  // namespace icmpkit::report
