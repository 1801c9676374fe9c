// One named row per IPv4 rule: the input is built with wire emit; the row says which ICMP message
// (type, code) the node must send, or which "never send" rule must suppress it.
#include <functional>

#include "stack_test_support.hpp"

namespace icmpkit::stack::test {
namespace {

struct Row {
    const char* name;
    bool router;
    std::function<void(NodeConfig&)> tweak;
    std::function<core::Buffer()> packet;
    bool link_broadcast;
    std::optional<std::pair<int, int>> generated;  // (type, code)
    std::optional<SuppressReason> suppressed;
    std::optional<DropReason> dropped;
};

void nothing(NodeConfig&) {}

std::vector<Row> rows() {
    using T = wire::icmpv4::TimeExceeded;
    T te;  // an ICMP error arriving for forwarding
    te.original = udp_v4({.src = "203.0.113.9", .dst = "192.0.2.10"});
    return {
        {"host_udp_closed_port_port_unreachable_rfc1122_4_1_3_1", false, nothing,
         [] { return udp_v4({.src = "198.51.100.20", .dst = "192.0.2.10"}); }, false, {{3, 3}}, {},
         DropReason::port_unreachable},
        {"host_udp_open_port_delivered", false, nothing,
         [] { return udp_v4({.src = "198.51.100.20", .dst = "192.0.2.10"}, 53); }, false, {}, {}, {}},
        {"host_unknown_protocol_protocol_unreachable_rfc1122_3_2_2_1", false, nothing,
         [] { V4 p{.src = "198.51.100.20", .dst = "192.0.2.10", .protocol = 253}; return ipv4_packet(p, core::Buffer(12, 0xAB)); },
         false, {{3, 2}}, {}, DropReason::protocol_unreachable},
        {"router_ttl_1_time_exceeded_rfc1812_5_3_1", true, nothing,
         [] { return udp_v4({.src = "192.0.2.10", .dst = "203.0.113.5", .ttl = 1}); }, false, {{11, 0}}, {},
         DropReason::ttl_exceeded},
        {"router_no_route_net_unreachable_rfc1812_5_2_7_1", true, nothing,
         [] { return udp_v4({.src = "192.0.2.10", .dst = "203.0.113.200"}); }, false, {{3, 0}}, {},
         DropReason::no_route},
        {"router_df_too_big_frag_needed_rfc1191", true, [](NodeConfig& c) { c.interfaces[1].mtu = 1000; },
         [] { return udp_v4({.src = "192.0.2.10", .dst = "203.0.113.5", .df = true}, 33434, 1200); }, false,
         {{3, 4}}, {}, DropReason::too_big},
        {"router_reject_rule_admin_prohibited_rfc1812_5_2_7_1", true,
         [](NodeConfig& c) { c.filter.push_back(FilterRule{.destination = pfx("203.0.113.0/24"), .action = FilterAction::reject}); },
         [] { return udp_v4({.src = "192.0.2.10", .dst = "203.0.113.5"}); }, false, {{3, 13}}, {},
         DropReason::rejected},
        {"router_reject_rule_host_prohibited_code_10", true,
         [](NodeConfig& c) { c.filter.push_back(FilterRule{.protocol = 17, .destination_port_min = 33434, .destination_port_max = 33534, .action = FilterAction::reject, .reject_code_v4 = 10}); },
         [] { return udp_v4({.src = "192.0.2.10", .dst = "203.0.113.5"}); }, false, {{3, 10}}, {},
         DropReason::rejected},
        {"router_drop_rule_silent", true,
         [](NodeConfig& c) { c.filter.push_back(FilterRule{.source = pfx("192.0.2.0/24"), .action = FilterAction::drop}); },
         [] { return udp_v4({.src = "192.0.2.10", .dst = "203.0.113.5"}); }, false, {}, {}, DropReason::filtered},
        {"router_bad_option_parameter_problem_rfc1122_3_2_2_5", true, nothing,
         [] {
             V4 p{.src = "192.0.2.10", .dst = "203.0.113.5"};
             // A record-route option whose length (2) is too short for its pointer layout.
             p.options = {wire::RawOption{7, {}}, wire::NoOperation{}, wire::NoOperation{}};
             return udp_v4(p);
         },
         false, {{12, 0}}, {}, DropReason::bad_option},
        {"never_about_icmp_error_rfc1122_3_2_2", true, nothing,
         [te] { return icmp_v4({.src = "192.0.2.10", .dst = "203.0.113.5", .ttl = 1}, te); }, false, {},
         SuppressReason::about_icmp_error, DropReason::ttl_exceeded},
        {"never_about_non_initial_fragment_rfc1122_3_2_2", true, nothing,
         [] { return udp_v4({.src = "192.0.2.10", .dst = "203.0.113.5", .ttl = 1, .fragment_offset = 64}); }, false,
         {}, SuppressReason::non_initial_fragment, DropReason::ttl_exceeded},
        {"never_to_broadcast_destination_rfc1122_3_2_2", false, nothing,
         [] { return udp_v4({.src = "192.0.2.77", .dst = "192.0.2.255"}); }, false, {},
         SuppressReason::group_destination, DropReason::port_unreachable},
        {"never_to_multicast_destination_rfc1812_4_3_2_7", false, nothing,
         [] { return udp_v4({.src = "192.0.2.77", .dst = "224.0.0.1"}); }, false, {},
         SuppressReason::group_destination, DropReason::port_unreachable},
        {"never_for_link_layer_broadcast_rfc1122_3_2_2", false, nothing,
         [] { return udp_v4({.src = "192.0.2.77", .dst = "255.255.255.255"}); }, true, {},
         SuppressReason::link_layer_broadcast, DropReason::port_unreachable},
        {"never_when_source_is_zero_rfc1812_4_3_2_7", false, nothing,
         [] { return udp_v4({.src = "0.0.0.0", .dst = "192.0.2.10"}); }, false, {},
         SuppressReason::source_not_one_host, DropReason::port_unreachable},
        {"martian_source_class_e_discarded_rfc1812_5_3_7", true, nothing,
         [] { return udp_v4({.src = "240.0.0.1", .dst = "203.0.113.5", .ttl = 1}); }, false, {}, {},
         DropReason::martian_source},
        {"unicast_in_link_broadcast_discarded_rfc1122_3_3_6", false, nothing,
         [] { return udp_v4({.src = "192.0.2.77", .dst = "192.0.2.10"}); }, true, {}, {},
         DropReason::link_broadcast_unicast},
        {"silent_node_never_sends", true, [](NodeConfig& c) { c.silent = true; },
         [] { return udp_v4({.src = "192.0.2.10", .dst = "203.0.113.5", .ttl = 1}); }, false, {},
         SuppressReason::silent_node, DropReason::ttl_exceeded},
        {"bad_ihl_silently_discarded_rfc1812_5_2_2", true, nothing,
         [] { auto b = udp_v4({.src = "192.0.2.10", .dst = "203.0.113.5"}); b[0] = 0x44; return b; }, false, {},
         {}, DropReason::malformed_header},
        {"bad_ihl_parameter_problem_when_not_discarding", true, [](NodeConfig& c) { c.discard_bad_headers = false; },
         [] { auto b = udp_v4({.src = "192.0.2.10", .dst = "203.0.113.5"}); b[0] = 0x44; return b; }, false,
         {{12, 0}}, {}, DropReason::malformed_header},
        {"bad_header_checksum_discarded_rfc1812_5_2_2", true, nothing,
         [] { auto b = udp_v4({.src = "192.0.2.10", .dst = "203.0.113.5"}); b[10] ^= 0x55; return b; }, false, {},
         {}, DropReason::bad_header_checksum},
        {"host_does_not_forward_rfc1122_3_3_4_2", false, nothing,
         [] { return udp_v4({.src = "192.0.2.77", .dst = "203.0.113.5"}); }, false, {}, {}, DropReason::not_for_us},
        {"broadcast_echo_ignored_by_default_rfc1122_3_2_2_6", false, nothing,
         [] { return echo_v4({.src = "192.0.2.77", .dst = "192.0.2.255"}); }, false, {}, {}, DropReason::not_answered},
        {"broadcast_echo_answered_when_enabled", false, [](NodeConfig& c) { c.echo_ignore_broadcasts = false; },
         [] { return echo_v4({.src = "192.0.2.77", .dst = "192.0.2.255"}); }, false, {{0, 0}}, {}, {}},
        {"address_mask_off_by_default_rfc1122_3_2_2_9", false, nothing,
         [] { return icmp_v4({.src = "192.0.2.77", .dst = "192.0.2.10"}, wire::icmpv4::AddressMaskRequest{}); },
         false, {}, {}, DropReason::not_answered},
        {"address_mask_reply_when_enabled", false, [](NodeConfig& c) { c.address_mask_reply = true; },
         [] { return icmp_v4({.src = "192.0.2.77", .dst = "192.0.2.10"}, wire::icmpv4::AddressMaskRequest{}); },
         false, {{18, 0}}, {}, {}},
    };
}

class RulesV4 : public ::testing::TestWithParam<Row> {};

TEST_P(RulesV4, Row) {
    const Row& r = GetParam();
    NodeConfig c = r.router ? router_config() : host_config();
    r.tweak(c);
    Node node(c);
    core::Buffer pkt = r.packet();
    auto out = node.receive({pkt, 1, r.link_broadcast}, at_ms(0), wall_at(0));
    std::vector<SentV4> icmp;
    auto sent = transmits(out);  // the views below point into these
    for (const auto& t : sent)
        if (auto s = sent_icmpv4(t)) icmp.push_back(*s);
    if (r.generated) {
        ASSERT_EQ(icmp.size(), 1u) << r.name;
        EXPECT_EQ(icmp[0].icmp.type(), r.generated->first);
        EXPECT_EQ(icmp[0].icmp.code(), r.generated->second);
        EXPECT_LE(icmp[0].ip.total_length(), max_error_size_v4);
        if (icmp[0].icmp.is_error()) {  // the quote starts with the offending datagram
            auto q = icmp[0].icmp.body();
            std::size_t n = std::min(q.size(), pkt.size());
            EXPECT_TRUE(std::equal(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(n, 20)), pkt.begin()));
            EXPECT_EQ(icmp[0].ip.destination(), core::Ipv4Address::from_bytes(&pkt[12]));
        }
    } else {
        EXPECT_TRUE(icmp.empty()) << r.name;
    }
    if (r.suppressed) EXPECT_EQ(node.counters().suppressed_for(*r.suppressed), 1u) << r.name;
    else EXPECT_EQ(node.counters().suppressed_total(), 0u) << r.name;
    EXPECT_EQ(drop_of(out), r.dropped) << r.name;
    EXPECT_TRUE(node.counters().balanced());
}

INSTANTIATE_TEST_SUITE_P(Stack, RulesV4, ::testing::ValuesIn(rows()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(RulesV4, ParameterProblemPointsAtBadOptionLength) {
    Node node(router_config());
    V4 p{.src = "192.0.2.10", .dst = "203.0.113.5"};
    p.options = {wire::NoOperation{}, wire::RawOption{7, {}}, wire::NoOperation{}};
    auto pkt = udp_v4(p);
    auto t = transmits(node.receive({pkt, 1, false}, at_ms(0), wall_at(0)));
    ASSERT_EQ(t.size(), 1u);
    auto s = sent_icmpv4(t[0]);
    ASSERT_TRUE(s);
    // Options start at 20: NOP at 20, type 7 at 21, its length octet at 22.
    EXPECT_EQ(s->icmp.pointer(), 22);
}

TEST(RulesV4, BadIhlPointerAtVersionByte) {
    auto c = router_config();
    c.discard_bad_headers = false;
    Node node(c);
    auto pkt = udp_v4({.src = "192.0.2.10", .dst = "203.0.113.5"});
    pkt[0] = 0x44;
    auto t = transmits(node.receive({pkt, 1, false}, at_ms(0), wall_at(0)));
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(sent_icmpv4(t[0])->icmp.pointer(), 0);
}

TEST(RulesV4, Predicates) {
    EXPECT_FALSE(source_names_one_host_v4(v4("0.0.0.0"), false));
    EXPECT_FALSE(source_names_one_host_v4(v4("127.0.0.1"), false));
    EXPECT_FALSE(source_names_one_host_v4(v4("255.255.255.255"), false));
    EXPECT_FALSE(source_names_one_host_v4(v4("224.0.0.5"), false));
    EXPECT_FALSE(source_names_one_host_v4(v4("240.0.0.1"), false));
    EXPECT_FALSE(source_names_one_host_v4(v4("192.0.2.255"), true));
    EXPECT_TRUE(source_names_one_host_v4(v4("192.0.2.10"), false));
    EXPECT_TRUE(destination_is_group_v4(v4("239.1.2.3"), false));
    EXPECT_FALSE(destination_is_group_v4(v4("192.0.2.10"), false));
    EXPECT_TRUE(group_exception_v6(2, 0));
    EXPECT_TRUE(group_exception_v6(4, 2));
    EXPECT_FALSE(group_exception_v6(4, 1));
    EXPECT_FALSE(group_exception_v6(1, 4));
}

}  // namespace
}  // namespace icmpkit::stack::test
