// Per-type facts about ICMPv6 (RFC 4443 and the IANA "ICMPv6 Parameters" registry), as one
// constexpr 256-row table (DESIGN.md 3: tables, not switches).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace icmpkit::wire::icmpv6 {

// Message type numbers we decode into typed bodies.
namespace type {
inline constexpr std::uint8_t destination_unreachable = 1;
inline constexpr std::uint8_t packet_too_big = 2;
inline constexpr std::uint8_t time_exceeded = 3;
inline constexpr std::uint8_t parameter_problem = 4;
inline constexpr std::uint8_t echo_request = 128;
inline constexpr std::uint8_t echo_reply = 129;
inline constexpr std::uint8_t multicast_listener_query = 130;
inline constexpr std::uint8_t multicast_listener_report = 131;
inline constexpr std::uint8_t multicast_listener_done = 132;
inline constexpr std::uint8_t router_solicitation = 133;
inline constexpr std::uint8_t router_advertisement = 134;
inline constexpr std::uint8_t neighbor_solicitation = 135;
inline constexpr std::uint8_t neighbor_advertisement = 136;
inline constexpr std::uint8_t redirect = 137;
inline constexpr std::uint8_t node_information_query = 139;
inline constexpr std::uint8_t node_information_response = 140;
inline constexpr std::uint8_t version2_multicast_listener_report = 143;
inline constexpr std::uint8_t extended_echo_request = 160;
inline constexpr std::uint8_t extended_echo_reply = 161;
}  // namespace type

struct TypeInfo {
    std::string_view name;             // IANA registry name; empty when unassigned
    std::string_view wireshark_label;  // as `tshark -V` prints "Type: <label> (n)"; "Unknown" otherwise
    bool is_error = false;             // RFC 4443 2.1: types 0-127 are errors
    bool extensions_allowed = false;   // RFC 4884 4: Destination Unreachable and Time Exceeded
    std::uint8_t min_size = 8;         // bytes of the fixed part we decode (RFC 4443 2.1: 4 + body)
};

namespace detail {
constexpr std::array<TypeInfo, 256> make_type_table() {
    std::array<TypeInfo, 256> t{};
    for (int i = 0; i < 256; ++i) {
        t[i].wireshark_label = "Unknown";
        t[i].is_error = i < 128;  // RFC 4443 2.1: high-order bit of the type clear -> error
    }
    auto set = [&t](int i, std::string_view name, std::string_view label) {
        t[i].name = name;
        t[i].wireshark_label = label;
    };
    set(1, "Destination Unreachable", "Destination Unreachable");
    set(2, "Packet Too Big", "Packet Too Big");
    set(3, "Time Exceeded", "Time Exceeded");
    set(4, "Parameter Problem", "Parameter Problem");
    set(100, "Private experimentation", "Private experimentation");
    set(101, "Private experimentation", "Private experimentation");
    set(127, "Reserved for expansion of ICMPv6 error messages",
        "Reserved for expansion of ICMPv6 error messages");
    set(128, "Echo Request", "Echo (ping) request");
    set(129, "Echo Reply", "Echo (ping) reply");
    set(130, "Multicast Listener Query", "Multicast Listener Query");
    set(131, "Multicast Listener Report", "Multicast Listener Report");
    set(132, "Multicast Listener Done", "Multicast Listener Done");
    set(133, "Router Solicitation", "Router Solicitation");
    set(134, "Router Advertisement", "Router Advertisement");
    set(135, "Neighbor Solicitation", "Neighbor Solicitation");
    set(136, "Neighbor Advertisement", "Neighbor Advertisement");
    set(137, "Redirect Message", "Redirect");
    set(138, "Router Renumbering", "Router Renumbering");
    set(139, "ICMP Node Information Query", "Node Information Query");
    set(140, "ICMP Node Information Response", "Node Information Reply");
    set(141, "Inverse Neighbor Discovery Solicitation Message", "Inverse Neighbor Discovery Solicitation");
    set(142, "Inverse Neighbor Discovery Advertisement Message", "Inverse Neighbor Discovery Advertisement");
    set(143, "Version 2 Multicast Listener Report", "Multicast Listener Report Message v2");
    set(144, "Home Agent Address Discovery Request Message", "Home Agent Address Discovery Request");
    set(145, "Home Agent Address Discovery Reply Message", "Home Agent Address Discovery Reply");
    set(146, "Mobile Prefix Solicitation", "Mobile Prefix Solicitation");
    set(147, "Mobile Prefix Advertisement", "Mobile Prefix Advertisement");
    set(148, "Certification Path Solicitation Message", "Certification Path Solicitation");
    set(149, "Certification Path Advertisement Message", "Certification Path Advertisement");
    set(150, "ICMP messages utilized by experimental mobility protocols such as Seamoby",
        "Experimental Mobility");
    set(151, "Multicast Router Advertisement", "Multicast Router Advertisement");
    set(152, "Multicast Router Solicitation", "Multicast Router Solicitation");
    set(153, "Multicast Router Termination", "Multicast Router Termination");
    set(154, "FMIPv6 Messages", "FMIPv6");
    set(155, "RPL Control Message", "RPL Control");
    set(156, "ILNPv6 Locator Update Message", "Locator Update");
    set(157, "Duplicate Address Request", "Duplicate Address Request");
    set(158, "Duplicate Address Confirmation", "Duplicate Address Confirmation");
    set(159, "MPL Control Message", "MPL Control Message");
    set(160, "Extended Echo Request", "Extended Echo request");
    set(161, "Extended Echo Reply", "Extended Echo reply");
    set(200, "Private experimentation", "Private experimentation");
    set(201, "Private experimentation", "Private experimentation");
    set(255, "Reserved for expansion of ICMPv6 informational messages",
        "Reserved for expansion of ICMPv6 informational messages");
    // Fixed parts longer than 8 bytes: MLD (RFC 2710 3), RA/NS/NA/Redirect (RFC 4861 4.2-4.5),
    // Node Information (RFC 4620 4).
    for (int i : {130, 131, 132, 135, 136}) t[i].min_size = 24;
    t[134].min_size = 16;
    t[137].min_size = 40;
    t[139].min_size = 16;
    t[140].min_size = 16;
    t[1].extensions_allowed = true;  // RFC 4884 4.1/4.2 (ICMPv6 Destination Unreachable)
    t[3].extensions_allowed = true;  // RFC 4884 4.1 (ICMPv6 Time Exceeded)
    return t;
}
}  // namespace detail

// Indexed by type number. The labels were checked against tshark 4.x (`tshark -V`).
inline constexpr std::array<TypeInfo, 256> type_table = detail::make_type_table();

constexpr const TypeInfo& type_info(std::uint8_t t) noexcept { return type_table[t]; }
constexpr bool is_error(std::uint8_t t) noexcept { return type_table[t].is_error; }
constexpr bool extensions_allowed(std::uint8_t t) noexcept { return type_table[t].extensions_allowed; }

// The registry name of a code of a type ("Port unreachable"); empty when unassigned or when the
// type defines no codes. Covers types 1, 3, 4, 138, 139, 140, 160, 161.
std::string_view code_name(std::uint8_t type, std::uint8_t code) noexcept;

}  // namespace icmpkit::wire::icmpv6
