// CaptureReader / CaptureWriter on the project's fixtures (tests/data/README.md). Expected counts,
// timestamps, frame numbers and protocol chains were read from tshark 4.0 on the same files.
#include "icmpkit/capture/link.hpp"
#include "icmpkit/capture/reader.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

using namespace icmpkit;
using namespace icmpkit::capture;

namespace {

std::string data(const std::string& name) { return std::string(ICMPKIT_TEST_DATA_DIR) + "/" + name; }

std::vector<std::uint8_t> slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

struct Owned {
    core::WallTime timestamp;
    std::uint32_t original_length;
    std::uint64_t number;
    std::vector<std::uint8_t> bytes;
    bool operator==(const Owned&) const = default;
};

std::vector<Owned> read_all(CaptureReader& r) {
    std::vector<Owned> out;
    for (;;) {
        auto f = r.next();
        EXPECT_TRUE(f) << (f ? "" : describe(f.error()));
        if (!f || !*f) break;
        const Frame& fr = **f;
        EXPECT_EQ(fr.captured_length, fr.data.size());
        out.push_back({fr.timestamp, fr.original_length, fr.number, {fr.data.begin(), fr.data.end()}});
    }
    return out;
}

std::int64_t epoch_ns(core::WallTime t) { return t.time_since_epoch().count(); }

}  // namespace

TEST(Reader, FixtureFrameCountsMatchTshark) {
    const std::pair<const char*, std::size_t> files[] = {
        {"linux-v4.pcap", 39}, {"linux-v6.pcap", 35}, {"fragments.pcap", 12}, {"scapy-v4.pcap", 24},
        {"scapy-v6.pcap", 16}, {"tunnels.pcap", 10},  {"tunnels.pcapng", 10}, {"demo.pcap", 20},
    };
    for (auto [name, count] : files) {
        auto r = CaptureReader::open_file(data(name));
        ASSERT_TRUE(r) << name << ": " << describe(r.error());
        EXPECT_EQ(r->linktype(), linktype::ethernet);
        auto frames = read_all(*r);
        EXPECT_EQ(frames.size(), count) << name;
        for (std::size_t i = 0; i < frames.size(); ++i) {
            EXPECT_EQ(frames[i].number, i + 1);
            auto l = unwrap_link(linktype::ethernet, frames[i].bytes);
            ASSERT_TRUE(l) << name << " frame " << i + 1;
            EXPECT_NE(l->network, NetworkProtocol::other) << name << " frame " << i + 1;
        }
    }
}

TEST(Reader, NanosecondTimestampsFromPcapAndPcapng) {
    // tshark -T fields -e frame.time_epoch: linux-v4.pcap frame 1 = 1795362549.593768897 (written by
    // tcpdump --time-stamp-precision nano); tunnels frame 10 = 1700000200.009 (scapy, microseconds).
    auto a = CaptureReader::open_file(data("linux-v4.pcap"));
    ASSERT_TRUE(a);
    auto f = a->next();
    ASSERT_TRUE(f && *f);
    EXPECT_EQ(epoch_ns((*f)->timestamp), 1795362549593768897LL);
    for (const char* name : {"tunnels.pcap", "tunnels.pcapng"}) {
        auto r = CaptureReader::open_file(data(name));
        ASSERT_TRUE(r);
        auto frames = read_all(*r);
        ASSERT_EQ(frames.size(), 10u);
        EXPECT_EQ(epoch_ns(frames[9].timestamp), 1700000200009000000LL) << name;
    }
}

TEST(Reader, PcapAndPcapngHoldTheSameFrames) {
    auto a = CaptureReader::open_file(data("tunnels.pcap"));
    auto b = CaptureReader::open_file(data("tunnels.pcapng"));
    ASSERT_TRUE(a && b);
    EXPECT_EQ(read_all(*a), read_all(*b));
}

TEST(Reader, TunnelProtocolChainsMatchTsharkPrefix) {
    // tshark frame.protocols of tunnels.pcap, cut after the first network layer.
    const char* expected[] = {
        "eth:ethertype:ip", "eth:ethertype:ip", "eth:ethertype:ip", "eth:ethertype:ip",
        "eth:ethertype:ipv6", "eth:ethertype:vlan:ethertype:ip", "eth:ethertype:vlan:ethertype:ipv6",
        "eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:ip", "eth:ethertype:mpls:ip",
        "eth:ethertype:vlan:ethertype:ip",
    };
    auto r = CaptureReader::open_file(data("tunnels.pcap"));
    ASSERT_TRUE(r);
    auto frames = read_all(*r);
    ASSERT_EQ(frames.size(), 10u);
    for (std::size_t i = 0; i < 10; ++i) {
        auto l = unwrap_link(linktype::ethernet, frames[i].bytes);
        ASSERT_TRUE(l);
        EXPECT_EQ(l->protocols(), expected[i]) << "frame " << i + 1;
    }
    auto mpls = unwrap_link(linktype::ethernet, frames[8].bytes);
    ASSERT_EQ(mpls->mpls_labels.size(), 2u);  // scapy MPLS(label=16) / MPLS(label=1000)
    EXPECT_EQ(mpls_label(mpls->mpls_labels[0]), 16u);
    EXPECT_EQ(mpls_label(mpls->mpls_labels[1]), 1000u);
    auto qinq = unwrap_link(linktype::ethernet, frames[7].bytes);
    EXPECT_EQ(qinq->vlan_ids, (std::vector<std::uint16_t>{10, 20}));
}

TEST(Reader, MemorySourceEqualsFileSource) {
    for (const char* name : {"demo.pcap", "tunnels.pcapng"}) {
        auto bytes = slurp(data(name));
        auto m = CaptureReader::open_memory(bytes);
        auto f = CaptureReader::open_file(data(name));
        ASSERT_TRUE(m && f);
        EXPECT_EQ(read_all(*m), read_all(*f)) << name;
    }
}

TEST(Reader, FilterKeepsFileFrameNumbers) {
    // tshark -r demo.pcap -Y icmpv6 -T fields -e frame.number: 8 9 10 11 12 13 14 19 20.
    auto r = CaptureReader::open_file(data("demo.pcap"));
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->set_filter("icmp6"));
    std::vector<std::uint64_t> numbers;
    for (const auto& f : read_all(*r)) numbers.push_back(f.number);
    EXPECT_EQ(numbers, (std::vector<std::uint64_t>{8, 9, 10, 11, 12, 13, 14, 19, 20}));
    auto bad = r->set_filter("icmp and and");
    ASSERT_FALSE(bad);
    EXPECT_FALSE(bad.error().message.empty());
}

TEST(Reader, NonCaptureInputsFailCleanly) {
    auto readme = CaptureReader::open_file(data("README.md"));
    ASSERT_FALSE(readme);
    EXPECT_NE(describe(readme.error()).find("README.md"), std::string::npos);
    EXPECT_FALSE(readme.error().message.empty());
    EXPECT_FALSE(CaptureReader::open_file(data("no-such-file.pcap")));
    EXPECT_FALSE(CaptureReader::open_memory({}));
    const std::uint8_t junk[] = {'n', 'o', 't', ' ', 'p', 'c', 'a', 'p', 0, 0, 0, 0, 0, 0, 0, 0,
                                 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_FALSE(CaptureReader::open_memory(junk));
}

TEST(Reader, TruncatedFileEndsWithAnErrorNotACrash) {
    auto bytes = slurp(data("demo.pcap"));
    ASSERT_GT(bytes.size(), 100u);
    // Every cut: opening fails (header cut) or reading ends in an error or a clean end.
    for (std::size_t n = 1; n < bytes.size(); n += 7) {
        auto r = CaptureReader::open_memory(core::Bytes(bytes.data(), n));
        if (!r) continue;
        for (int i = 0; i < 100; ++i) {
            auto f = r->next();
            if (!f || !*f) break;
        }
    }
    // A cut inside the second record's data: one frame, then libpcap's truncation error.
    auto r = CaptureReader::open_memory(core::Bytes(bytes.data(), 24 + 16 + 98 + 16 + 10));
    ASSERT_TRUE(r);
    auto first = r->next();
    ASSERT_TRUE(first && *first);
    auto second = r->next();
    ASSERT_FALSE(second);
    EXPECT_NE(second.error().message.find("truncated"), std::string::npos) << second.error().message;
}

TEST(Writer, WriteThenReadBackIdenticalFrames) {
    auto r = CaptureReader::open_file(data("linux-v6.pcap"));
    ASSERT_TRUE(r);
    auto frames = read_all(*r);
    ASSERT_EQ(frames.size(), 35u);
    char path[] = "/tmp/icmpkit-writer-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    {
        auto w = CaptureWriter::open(path, linktype::ethernet);
        ASSERT_TRUE(w) << describe(w.error());
        for (const auto& f : frames) {
            Frame out;
            out.timestamp = f.timestamp;
            out.original_length = f.original_length;
            out.linktype = linktype::ethernet;
            out.data = f.bytes;
            ASSERT_TRUE(w->write(out));
        }
        ASSERT_TRUE(w->flush());
    }
    auto back = CaptureReader::open_file(path);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->linktype(), linktype::ethernet);
    EXPECT_EQ(read_all(*back), frames);  // bytes, lengths, numbers and nanosecond timestamps
    std::remove(path);
    EXPECT_FALSE(CaptureWriter::open("/nonexistent-dir/x.pcap", linktype::ethernet));
}
