// Per-type facts for ICMPv4 as one constexpr 256-row table (DESIGN.md 3: tables, not switches),
// and code names. Type names: IANA "ICMP Type Numbers"; Wireshark labels as `tshark -V` (3.x/4.x)
// prints them for packets built with scapy (the whole 0..255 range was checked).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace icmpkit::wire::icmpv4 {

// Type numbers.
namespace type {
inline constexpr std::uint8_t echo_reply = 0;
inline constexpr std::uint8_t destination_unreachable = 3;
inline constexpr std::uint8_t source_quench = 4;
inline constexpr std::uint8_t redirect = 5;
inline constexpr std::uint8_t echo_request = 8;
inline constexpr std::uint8_t router_advertisement = 9;
inline constexpr std::uint8_t router_solicitation = 10;
inline constexpr std::uint8_t time_exceeded = 11;
inline constexpr std::uint8_t parameter_problem = 12;
inline constexpr std::uint8_t timestamp = 13;
inline constexpr std::uint8_t timestamp_reply = 14;
inline constexpr std::uint8_t information_request = 15;
inline constexpr std::uint8_t information_reply = 16;
inline constexpr std::uint8_t address_mask_request = 17;
inline constexpr std::uint8_t address_mask_reply = 18;
inline constexpr std::uint8_t traceroute = 30;
inline constexpr std::uint8_t photuris = 40;
inline constexpr std::uint8_t extended_echo_request = 42;
inline constexpr std::uint8_t extended_echo_reply = 43;
}  // namespace type

struct CodeName {
    std::string_view rfc;        // IANA / RFC wording
    std::string_view wireshark;  // as tshark -V prints it
};

struct TypeInfo {
    std::string_view rfc_name;        // "" for unassigned types
    std::string_view wireshark_label;
    std::uint8_t min_size = 8;        // bytes parse() requires (header + fixed body)
    bool is_error = false;            // carries an original datagram (RFC 792, RFC 1122 3.2.2)
    bool extensions_allowed = false;  // RFC 4884 section 4.1: types 3, 11, 12
    bool rate_limited_by_default = false;  // Linux net.ipv4.icmp_ratemask default 0x1818
    bool deprecated = false;          // RFC 6918
    std::span<const CodeName> codes{};  // indexed by code where named
};

namespace detail {
// RFC 792, RFC 1122 3.2.2.1, RFC 1812 5.2.7.1 (codes 13-15).
inline constexpr CodeName unreachable_codes[] = {
    {"Net Unreachable", "Network unreachable"},
    {"Host Unreachable", "Host unreachable"},
    {"Protocol Unreachable", "Protocol unreachable"},
    {"Port Unreachable", "Port unreachable"},
    {"Fragmentation Needed and Don't Fragment was Set", "Fragmentation needed"},
    {"Source Route Failed", "Source route failed"},
    {"Destination Network Unknown", "Destination network unknown"},
    {"Destination Host Unknown", "Destination host unknown"},
    {"Source Host Isolated", "Source host isolated"},
    {"Communication with Destination Network is Administratively Prohibited", "Network administratively prohibited"},
    {"Communication with Destination Host is Administratively Prohibited", "Host administratively prohibited"},
    {"Destination Network Unreachable for Type of Service", "Network unreachable for TOS"},
    {"Destination Host Unreachable for Type of Service", "Host unreachable for TOS"},
    {"Communication Administratively Prohibited", "Communication administratively filtered"},
    {"Host Precedence Violation", "Host precedence violation"},
    {"Precedence cutoff in effect", "Precedence cutoff in effect"},
};
inline constexpr CodeName redirect_codes[] = {
    {"Redirect Datagram for the Network (or subnet)", "Redirect for network"},
    {"Redirect Datagram for the Host", "Redirect for host"},
    {"Redirect Datagram for the Type of Service and Network", "Redirect for TOS and network"},
    {"Redirect Datagram for the Type of Service and Host", "Redirect for TOS and host"},
};
inline constexpr CodeName time_exceeded_codes[] = {
    {"Time to Live exceeded in Transit", "Time to live exceeded in transit"},
    {"Fragment Reassembly Time Exceeded", "Fragment reassembly time exceeded"},
};
inline constexpr CodeName parameter_problem_codes[] = {
    {"Pointer indicates the error", "Pointer indicates the error"},
    {"Missing a Required Option", "Required option missing"},  // RFC 1108
    {"Bad Length", "Bad length"},
};
inline constexpr CodeName photuris_codes[] = {  // RFC 2521 section 2
    {"Bad SPI", "Bad SPI"},
    {"Authentication Failed", "Authentication Failed"},
    {"Decompression Failed", "Decompression Failed"},
    {"Decryption Failed", "Decryption Failed"},
    {"Need Authentication", "Need Authentication"},
    {"Need Authorization", "Need Authorization"},
};
inline constexpr CodeName extended_echo_request_codes[] = {{"No Error", "No error"}};
inline constexpr CodeName extended_echo_reply_codes[] = {  // RFC 8335 section 3
    {"No Error", "No error"},
    {"Malformed Query", "Malformed Query"},
    {"No Such Interface", "No Such Interface"},
    {"No Such Table Entry", "No Such Table Entry"},
    {"Multiple Interfaces Satisfy Query", "Multiple Interfaces Satisfy Query"},
};
inline constexpr CodeName router_advertisement_code0[] = {
    {"Normal router advertisement", "Normal router advertisement"}};
inline constexpr CodeName alternate_host_codes[] = {
    {"Alternate Address for Host", "Alternate address for host"}};

struct Row {
    std::uint8_t type;
    TypeInfo info;
};

constexpr std::array<TypeInfo, 256> build_table() {
    constexpr std::string_view unknown = "Unknown ICMP (obsolete or malformed?)";
    std::array<TypeInfo, 256> t{};
    for (auto& row : t) row = TypeInfo{"", unknown};
    //        type  rfc_name, wireshark, min, error, ext, ratelimit, deprecated, codes
    const Row rows[] = {
        {0, {"Echo Reply", "Echo (ping) reply", 8}},
        {1, {"", "Reserved"}},
        {2, {"", "Reserved"}},
        {3, {"Destination Unreachable", "Destination unreachable", 8, true, true, true, false, unreachable_codes}},
        {4, {"Source Quench", "Source quench (flow control)", 8, true, false, true, true}},
        {5, {"Redirect", "Redirect", 8, true, false, false, false, redirect_codes}},
        {6, {"Alternate Host Address", "Alternate host address", 8, false, false, false, true, alternate_host_codes}},
        {8, {"Echo", "Echo (ping) request", 8}},
        {9, {"Router Advertisement", "Mobile IP Advertisement", 8, false, false, false, false, router_advertisement_code0}},
        {10, {"Router Solicitation", "Router solicitation", 8}},
        {11, {"Time Exceeded", "Time-to-live exceeded", 8, true, true, true, false, time_exceeded_codes}},
        {12, {"Parameter Problem", "Parameter problem", 8, true, true, true, false, parameter_problem_codes}},
        {13, {"Timestamp", "Timestamp request", 20}},
        {14, {"Timestamp Reply", "Timestamp reply", 20}},
        {15, {"Information Request", "Information request", 8, false, false, false, true}},
        {16, {"Information Reply", "Information reply", 8, false, false, false, true}},
        {17, {"Address Mask Request", "Address mask request", 12, false, false, false, true}},
        {18, {"Address Mask Reply", "Address mask reply", 12, false, false, false, true}},
        {19, {"Reserved (for Security)", "Reserved (for security)"}},
        {30, {"Traceroute", "Traceroute", 20, false, false, false, true}},
        {31, {"Datagram Conversion Error", "Datagram Conversion Error", 8, false, false, false, true}},
        {32, {"Mobile Host Redirect", "Mobile Host Redirect", 8, false, false, false, true}},
        {33, {"IPv6 Where-Are-You", "IPv6 Where-Are-You", 8, false, false, false, true}},
        {34, {"IPv6 I-Am-Here", "IPv6 I-Am-Here", 8, false, false, false, true}},
        {35, {"Mobile Registration Request", "Mobile Registration Request", 8, false, false, false, true}},
        {36, {"Mobile Registration Reply", "Mobile Registration Reply", 8, false, false, false, true}},
        {37, {"Domain Name Request", "Domain Name Request", 8, false, false, false, true}},
        {38, {"Domain Name Reply", "Domain Name Reply", 8, false, false, false, true}},
        {39, {"SKIP", "SKIP", 8, false, false, false, true}},
        // RFC 2521: a security failure quoting the offending datagram.
        {40, {"Photuris", "Photuris", 8, true, false, false, false, photuris_codes}},
        {41, {"ICMP messages utilized by experimental mobility protocols", "Experimental mobility protocols"}},
        {42, {"Extended Echo Request", "Extended Echo request", 8, false, false, false, false, extended_echo_request_codes}},
        {43, {"Extended Echo Reply", "Extended Echo reply", 8, false, false, false, false, extended_echo_reply_codes}},
        {253, {"RFC3692-style Experiment 1", unknown}},
        {254, {"RFC3692-style Experiment 2", unknown}},
    };
    for (const auto& r : rows) t[r.type] = r.info;
    return t;
}
}  // namespace detail

inline constexpr std::array<TypeInfo, 256> type_table = detail::build_table();

constexpr const TypeInfo& type_info(std::uint8_t t) noexcept { return type_table[t]; }

// Name of a code for a type; nullopt when the code is not named. Router advertisement code 16
// (RFC 2002 "Does not route common traffic") is handled beside the table.
constexpr std::optional<CodeName> code_name(std::uint8_t t, std::uint8_t code) noexcept {
    if (t == type::router_advertisement && code == 16)
        return CodeName{"Does not route common traffic", "Does not route common traffic"};
    const auto& codes = type_table[t].codes;
    if (code < codes.size()) return codes[code];
    return std::nullopt;
}

// RFC 8335 section 3: the State field of an Extended Echo Reply (neighbour cache states).
constexpr std::string_view extended_echo_state_name(std::uint8_t state) noexcept {
    constexpr std::string_view names[] = {"Reserved", "Incomplete", "Reachable", "Stale",
                                           "Delay",    "Probe",      "Failed"};
    return state < 7 ? names[state] : std::string_view{};
}

}  // namespace icmpkit::wire::icmpv4
