#include "icmpkit/wire/icmpv6_types.hpp"

#include <array>

namespace icmpkit::wire::icmpv6 {
namespace {

// Codes of Destination Unreachable (RFC 4443 3.1; 7 from RFC 6550 20.18; 8 from RFC 8883 3.1).
constexpr std::array<std::string_view, 9> unreachable_codes{
    "No route to destination",
    "Communication with destination administratively prohibited",
    "Beyond scope of source address",
    "Address unreachable",
    "Port unreachable",
    "Source address failed ingress/egress policy",
    "Reject route to destination",
    "Error in Source Routing Header",
    "Headers too long",
};
// RFC 4443 3.3.
constexpr std::array<std::string_view, 2> time_exceeded_codes{
    "Hop limit exceeded in transit",
    "Fragment reassembly time exceeded",
};
// RFC 4443 3.4 (0-2), RFC 7112 (3), RFC 8754 4.3.1.1 (4), RFC 8883 2 (5-10).
constexpr std::array<std::string_view, 11> parameter_problem_codes{
    "Erroneous header field encountered",
    "Unrecognized Next Header type encountered",
    "Unrecognized IPv6 option encountered",
    "IPv6 First Fragment has incomplete IPv6 Header Chain",
    "SR Upper-layer Header Error",
    "Unrecognized Next Header type encountered by intermediate node",
    "Extension header too big",
    "Extension header chain too long",
    "Too many extension headers",
    "Too many options in extension header",
    "Option too big",
};
// RFC 2894 3.
constexpr std::array<std::string_view, 2> renumbering_codes{"Router Renumbering Command",
                                                            "Router Renumbering Result"};
// RFC 4620 4.
constexpr std::array<std::string_view, 3> ni_query_codes{
    "The Data field contains an IPv6 address which is the Subject of this Query",
    "The Data field contains a name which is the Subject of this Query, or is empty",
    "The Data field contains an IPv4 address which is the Subject of this Query",
};
constexpr std::array<std::string_view, 3> ni_response_codes{
    "A successful reply",
    "The Responder refuses to supply the answer",
    "The Qtype of the Query is unknown to the Responder",
};
// RFC 8335 3 and 4.
constexpr std::array<std::string_view, 1> ext_echo_request_codes{"No Error"};
constexpr std::array<std::string_view, 5> ext_echo_reply_codes{
    "No Error", "Malformed Query", "No Such Interface", "No Such Table Entry",
    "Multiple Interfaces Satisfy Query",
};

template <std::size_t N>
constexpr std::string_view pick(const std::array<std::string_view, N>& a, std::uint8_t code) noexcept {
    return code < N ? a[code] : std::string_view{};
}

}  // namespace

std::string_view code_name(std::uint8_t t, std::uint8_t code) noexcept {
    switch (t) {  // one row per type that defines codes; the rest name no codes
        case 1: return pick(unreachable_codes, code);
        case 3: return pick(time_exceeded_codes, code);
        case 4: return pick(parameter_problem_codes, code);
        case 138: return code == 255 ? std::string_view{"Sequence Number Reset"} : pick(renumbering_codes, code);
        case 139: return pick(ni_query_codes, code);
        case 140: return pick(ni_response_codes, code);
        case 160: return pick(ext_echo_request_codes, code);
        case 161: return pick(ext_echo_reply_codes, code);
        default: return {};
    }
}

}  // namespace icmpkit::wire::icmpv6
