#include "icmpkit/wire/quote.hpp"

#include <gtest/gtest.h>

#include "wire/ip_fixtures.hpp"

using namespace icmpkit;

TEST(Quote, Ipv4UdpWholeAndTheRfc792EightBytes) {
    auto q = wire::parse_quote(fixtures::v4_udp);
    ASSERT_TRUE(q);
    EXPECT_EQ(q->version, 4);
    EXPECT_EQ(q->protocol, 17);
    EXPECT_EQ(q->ttl, 17);
    EXPECT_EQ(q->tos, 0xb9);
    EXPECT_EQ(q->identification, 0x1234u);
    EXPECT_TRUE(q->dont_fragment);
    EXPECT_FALSE(q->ip_truncated);
    EXPECT_FALSE(q->transport_truncated);
    ASSERT_TRUE(q->udp);
    EXPECT_EQ(q->udp->length, 13);
    EXPECT_EQ(q->udp->checksum, 0x4cf6);
    auto k = q->flow_key();
    ASSERT_TRUE(k);
    EXPECT_EQ(*k, (wire::FlowKey{core::Ipv4Address(192, 0, 2, 1), core::Ipv4Address(198, 51, 100, 7), 17, 33434, 53}));
    // RFC 792: IP header + 64 bits.
    auto q8 = wire::parse_quote(core::Bytes(fixtures::v4_udp).first(28));
    ASSERT_TRUE(q8);
    EXPECT_TRUE(q8->ip_truncated);
    EXPECT_FALSE(q8->transport_truncated);
    EXPECT_EQ(q8->claimed_length, 33u);
    EXPECT_EQ(q8->present_length, 28u);
    EXPECT_EQ(q8->flow_key(), k);
}

TEST(Quote, TcpIcmpAndV6Chains) {
    auto t = wire::parse_quote(core::Bytes(fixtures::v4_tcp).first(28));
    ASSERT_TRUE(t);
    ASSERT_TRUE(t->tcp);
    EXPECT_EQ(t->tcp->source_port, 40000);
    EXPECT_EQ(t->tcp->destination_port, 443);
    EXPECT_EQ(t->tcp->sequence_number, 0xdeadbeefu);
    auto i = wire::parse_quote(fixtures::v4_opts);  // IHL 12, then ICMP echo id 0x4242 seq 3
    ASSERT_TRUE(i);
    EXPECT_EQ(i->ip_header_length, 48u);
    ASSERT_TRUE(i->icmp);
    EXPECT_EQ(i->icmp->type, 8);
    EXPECT_EQ(i->icmp->identifier, 0x4242);
    EXPECT_EQ(i->icmp->sequence, 3);
    EXPECT_EQ(i->flow_key()->src_port, 0x4242);
    auto c = wire::parse_quote(fixtures::v6_chain);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->protocol, 58);
    EXPECT_EQ(c->ip_header_length, 112u);
    EXPECT_EQ(c->identification, 0xabcdef01u);
    EXPECT_TRUE(c->more_fragments);
    ASSERT_TRUE(c->icmp);
    EXPECT_EQ(c->icmp->type, 128);
    EXPECT_EQ(c->icmp->identifier, 0x77);
    EXPECT_EQ(c->icmp->sequence, 9);
    auto f = wire::parse_quote(fixtures::v6_frag2);  // non-initial fragment: no transport
    ASSERT_TRUE(f);
    EXPECT_EQ(f->fragment_offset, 80u);
    EXPECT_FALSE(f->udp);
    EXPECT_TRUE(f->transport.empty());
}

TEST(Quote, FailsOnlyBelowTheFixedHeaderOrOnVersion) {
    std::vector<std::uint8_t> d = fixtures::v4_udp;
    d[0] = 0x55;
    EXPECT_EQ(wire::parse_quote(d).error(), (core::WireError{core::Fault::bad_version, 0}));
    d[0] = 0x43;  // IHL 3: a fault recorded, not a failure
    auto q = wire::parse_quote(d);
    ASSERT_TRUE(q);
    ASSERT_TRUE(q->ip_fault);
    EXPECT_EQ(q->ip_fault->fault, core::Fault::bad_header_length);
    d = fixtures::v4_udp;
    d[2] = 0xFF;  // total_length larger than present: fine
    EXPECT_TRUE(wire::parse_quote(d));
}

// Every prefix of every fixture: no crash; a result flagged truncated, or truncated below the
// fixed header.
TEST(Quote, TruncationSweep) {
    for (const auto* f : {&fixtures::v4_udp, &fixtures::v4_opts, &fixtures::v4_ts, &fixtures::v4_tcp, &fixtures::v6_udp,
                          &fixtures::v6_chain, &fixtures::v6_frag2}) {
        std::size_t minimum = ((*f)[0] >> 4) == 4 ? 20 : 40;
        for (std::size_t n = 0; n < f->size(); ++n) {
            auto q = wire::parse_quote(core::Bytes(f->data(), n));
            if (n < minimum) {
                ASSERT_FALSE(q);
                EXPECT_EQ(q.error(), (core::WireError{core::Fault::truncated, static_cast<std::uint32_t>(n)}));
                continue;
            }
            ASSERT_TRUE(q) << n;
            EXPECT_TRUE(q->ip_truncated) << n;
            EXPECT_EQ(q->present_length, n);
        }
    }
}
