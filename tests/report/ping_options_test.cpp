// report::PingOptionsText against iputils ping 20221126. The first cases are real: the option
// bytes a second raw ICMP socket received for iputils' echo replies on loopback (the kernel
// records at delivery too, so a capture on lo shows one entry less), beside the text iputils
// printed for those same replies. The others are hand-derived from RFC 791 3.1 and pr_options().
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "icmpkit/report/ping_options.hpp"

using namespace icmpkit;

namespace {

std::vector<std::uint8_t> hex(const std::string& h) {
    std::vector<std::uint8_t> v;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2) v.push_back(static_cast<std::uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
    return v;
}

report::PingOptionsText numeric() {
    return report::PingOptionsText([](const core::IpAddress& a) { return a.to_string(); });
}

TEST(PingOptionsText, RecordRouteThenSameRouteAsIputils) {
    auto r = numeric();
    auto b = hex("0727147f0000017f0000017f0000017f000001000000000000000000000000000000000000000000");
    // iputils: "...time=0.037 ms\nRR: \t127.0.0.1\n...\n\n" and "...time=0.046 ms\t(same route)\n"
    EXPECT_EQ(r.render(b), "\nRR: \t127.0.0.1\n\t127.0.0.1\n\t127.0.0.1\n\t127.0.0.1\n");
    EXPECT_EQ(r.render(b), "\t(same route)");
    // A different route is printed again (and becomes the one to compare with).
    auto c = hex("0727107f0000017f0000017f00000100000000000000000000000000000000000000000000000000");
    EXPECT_EQ(r.render(c), "\nRR: \t127.0.0.1\n\t127.0.0.1\n\t127.0.0.1\n");
    EXPECT_EQ(r.render(c), "\t(same route)");
}

TEST(PingOptionsText, TimestampsOnlyAsIputils) {
    auto r = numeric();
    EXPECT_EQ(r.render(hex("44281500040ac783040ac783040ac783040ac7830000000000000000000000000000000000000000")),
              "\nTS: \t67815299 absolute\n\t0\n\t0\n\t0\n");
    // Not "same": timestamps are printed every time.
    EXPECT_EQ(r.render(hex("44281500040ac84f040ac84f040ac84f040ac84f0000000000000000000000000000000000000000")),
              "\nTS: \t67815503 absolute\n\t0\n\t0\n\t0\n");
}

TEST(PingOptionsText, TimestampsAndAddressesAsIputils) {
    auto r = numeric();
    EXPECT_EQ(r.render(hex("442425017f000001040acc0b7f000001040acc0b7f000001040acc0b7f000001040acc0b")),
              "\nTS: \t127.0.0.1\t67816459 absolute\n\t127.0.0.1\t0\n\t127.0.0.1\t0\n\t127.0.0.1\t0\n");
}

TEST(PingOptionsText, PrespecifiedAsIputils) {
    auto r = numeric();
    EXPECT_EQ(r.render(hex("441415037f000001040ad0737f000001040ad073")),
              "\nTS: \t127.0.0.1\t67817587 absolute\n\t127.0.0.1\t0\n");
}

TEST(PingOptionsText, NonStandardTimesOverflowAndPartialSlots) {
    auto r = numeric();
    // tsonly, length 16, pointer 17 (3 entries used): 1000 ms, a non-standard 5 | 2^31, 1250 ms;
    // overflow 2. iputils: absolute, then "absolute not-standard" for the first non-standard one,
    // then the difference to the previous standard one.
    EXPECT_EQ(r.render(hex("441011" "20" "000003e8" "80000005" "000004e2")),
              "\nTS: \t1000 absolute\n\t5 absolute not-standard\n\t250\nUnrecorded hops: 2\n");
    // tsandaddr with the pointer at the second pair: one pair printed.
    EXPECT_EQ(r.render(hex("44140d01" "c0000201" "00000064" "c6336401" "00000000")),
              "\nTS: \t192.0.2.1\t100 absolute\n");
    // Pointer 5: nothing recorded, nothing printed (not even "TS:").
    EXPECT_EQ(r.render(hex("440c0500" "00000000" "00000000")), "");
}

TEST(PingOptionsText, NopUnknownSourceRouteAndMalformed) {
    auto r = numeric();
    EXPECT_EQ(r.render(hex("01" "9404" "0000")), "\nNOP\nunknown option 94");
    // Loose source route with the pointer past the first address.
    EXPECT_EQ(r.render(hex("830b08" "c0000201" "c6336402" "00")), "\nLSRR: \t192.0.2.1\n");
    // A length octet past the end stops the walk after what came before it.
    EXPECT_EQ(r.render(hex("01" "0728")), "\nNOP");
    EXPECT_EQ(r.render(hex("")), "");
    // An all-zero address is printed as 0.0.0.0, not looked up.
    auto named = report::PingOptionsText([](const core::IpAddress& a) { return "h (" + a.to_string() + ")"; });
    EXPECT_EQ(named.render(hex("070b0c" "c0000201" "00000000")), "\nRR: \th (192.0.2.1)\n\t0.0.0.0\n");
}

}  // namespace
