// One meaning for both families (DESIGN.md 3): classify() maps an ICMPv4 or ICMPv6 message into a
// family-agnostic Classification (kind, reason, MTU, pointer, identifier/sequence) with the flow
// key of the datagram an error quotes. Engines and reports look only at this.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "icmpkit/core/address.hpp"
#include "icmpkit/wire/icmpv4.hpp"
#include "icmpkit/wire/icmpv6.hpp"
#include "icmpkit/wire/quote.hpp"

namespace icmpkit::wire {

enum class Kind : std::uint8_t {
    echo_request,
    echo_reply,
    destination_unreachable,  // + UnreachableReason
    packet_too_big,           // v6 type 2; v4 3/4 is destination_unreachable + fragmentation_needed
    time_exceeded,            // + TimeExceededReason
    parameter_problem,        // + pointer
    redirect,
    source_quench,
    router_advertisement,
    router_solicitation,
    neighbor_solicitation,
    neighbor_advertisement,
    timestamp_request,
    timestamp_reply,
    information_request,
    information_reply,
    address_mask_request,
    address_mask_reply,
    mld_query,
    mld_report,   // MLDv1 report and MLDv2 report (143)
    mld_done,
    node_information_query,
    node_information_response,
    extended_echo_request,
    extended_echo_reply,
    traceroute,  // v4 type 30 (RFC 1393)
    photuris,    // v4 type 40 (RFC 2521)
    other,
};

// Destination unreachable codes of both families (RFC 792, RFC 1122 3.2.2.1, RFC 1812 5.2.7.1,
// RFC 4443 3.1, RFC 6554 (v6 code 7), RFC 8883 (v6 code 8)).
enum class UnreachableReason : std::uint8_t {
    none,                   // not an unreachable
    network,                // v4 0
    host,                   // v4 1
    protocol,               // v4 2
    port,                   // v4 3, v6 4
    fragmentation_needed,   // v4 4 (next-hop MTU in Classification::mtu, RFC 1191)
    source_route_failed,    // v4 5
    network_unknown,        // v4 6
    host_unknown,           // v4 7
    source_host_isolated,   // v4 8
    network_prohibited,     // v4 9
    host_prohibited,        // v4 10
    network_tos,            // v4 11
    host_tos,               // v4 12
    admin_prohibited,       // v4 13 (RFC 1812), v6 1
    host_precedence,        // v4 14
    precedence_cutoff,      // v4 15
    no_route,               // v6 0
    beyond_scope,           // v6 2
    address,                // v6 3
    source_policy,          // v6 5 (RFC 4443: failed ingress/egress policy)
    reject_route,           // v6 6
    source_routing_header,  // v6 7 (RFC 6554: error in Source Routing Header)
    headers_too_long,       // v6 8 (RFC 8883)
    other,                  // a code neither registry names
};

enum class TimeExceededReason : std::uint8_t { none, in_transit, reassembly, other };

std::string_view kind_name(Kind k) noexcept;                        // "echo_request", ...
std::string_view reason_name(UnreachableReason r) noexcept;         // "port", "admin_prohibited"
std::string_view reason_name(TimeExceededReason r) noexcept;        // "in_transit", "reassembly"

struct Classification {
    core::Family family = core::Family::v4;
    std::uint8_t type = 0;
    std::uint8_t code = 0;
    Kind kind = Kind::other;
    bool is_error = false;  // carries an original datagram (RFC 792 / RFC 4443 2.1)
    UnreachableReason unreachable = UnreachableReason::none;
    TimeExceededReason time_exceeded = TimeExceededReason::none;
    // Packet too big (v6) or fragmentation needed (v4 code 4; 0 when the router predates RFC 1191).
    std::optional<std::uint32_t> mtu;
    std::optional<std::uint32_t> pointer;  // parameter problem (v4 octet, v6 32-bit)
    // Echo, timestamp, information, address mask, extended echo (8-bit sequence there).
    std::optional<std::uint16_t> identifier;
    std::optional<std::uint16_t> sequence;
    std::optional<core::IpAddress> gateway;  // v4 redirect gateway, v6 redirect target
    // The flow named by the quoted datagram of an error, when its ports (identifier) are present.
    std::optional<FlowKey> quoted_flow;
};

Classification classify(const icmpv4::Message& m) noexcept;
Classification classify(const icmpv6::Message& m) noexcept;

// From codes alone (tables, used by classify and by code paths that have only a view).
UnreachableReason unreachable_reason(core::Family f, std::uint8_t code) noexcept;

}  // namespace icmpkit::wire
