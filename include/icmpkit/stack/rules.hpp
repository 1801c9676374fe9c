// When a node must NOT send an ICMP error, one small predicate per rule with its RFC section
// (DESIGN.md 6), and how much of the offending datagram an error quotes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"

namespace icmpkit::stack {

// Why a message the rules call for was not sent. Keep suppress_reason_name() in step.
enum class SuppressReason : std::uint8_t {
    silent_node,             // NodeConfig::silent
    about_icmp_error,        // RFC 1122 3.2.2, RFC 4443 2.4(e.1/e.2)
    non_initial_fragment,    // RFC 1122 3.2.2 (IPv4)
    group_destination,       // RFC 1122 3.2.2, RFC 1812 4.3.2.7, RFC 4443 2.4(e.3)
    link_layer_broadcast,    // RFC 1122 3.2.2, RFC 4443 2.4(e.4/e.5)
    source_not_one_host,     // RFC 1812 4.3.2.7, RFC 4443 2.4(e.6)
    rate_limited_peer,       // RFC 1812 4.3.2.8, RFC 4443 2.4(f)
    rate_limited_global,
    no_route_back,           // no route towards the original source
    no_source_address,       // no address of the needed family to send from
    count_
};
inline constexpr std::size_t suppress_reason_count = static_cast<std::size_t>(SuppressReason::count_);
std::string_view suppress_reason_name(SuppressReason r) noexcept;

// The facts about an offending datagram that the rules look at, found once by the node.
struct OffendingFacts {
    core::Family family = core::Family::v4;
    bool is_icmp_error = false;          // it is itself an ICMP error (or an ICMPv6 redirect)
    bool non_initial_fragment = false;   // IPv4 fragment offset != 0
    bool group_destination = false;      // broadcast (limited or directed) or multicast
    bool link_layer_broadcast = false;   // arrived as link-layer broadcast / multicast
    bool source_names_one_host = true;
};

// ---- the predicates ------------------------------------------------------------------------

// RFC 1122 3.2.2: "An ICMP error message MUST NOT be sent as the result of receiving an ICMP
// error message". The ICMP type of an IPv4 datagram (protocol 1, offset 0) names an error.
// Types we cannot read (truncated) count as errors: we cannot prove otherwise.
bool is_icmpv4_error_datagram(core::Bytes ipv4_datagram) noexcept;
// RFC 4443 2.4(e.1) an ICMPv6 error, (e.2) an ICMPv6 Redirect. Walks the extension chain; an
// unreadable upper layer (a truncated chain, or ICMPv6 in a non-initial fragment) counts as one.
bool is_icmpv6_error_datagram(core::Bytes ipv6_datagram) noexcept;
// RFC 1122 3.2.2: "a datagram fragment other than the first fragment".
bool is_non_initial_fragment_v4(core::Bytes ipv4_datagram) noexcept;
// RFC 1812 4.3.2.7 / RFC 1122 3.2.2: a source that does not define a single host: 0.0.0.0/8,
// 127/8 (loopback, never on the wire), 255.255.255.255, a directed broadcast, multicast (224/4),
// class E (240/4).
bool source_names_one_host_v4(core::Ipv4Address source, bool is_directed_broadcast) noexcept;
// RFC 4443 2.4(e.6): the unspecified address, multicast, loopback (RFC 4291 2.5.3: never on
// the wire). Known anycast addresses are not modelled.
bool source_names_one_host_v6(const core::Ipv6Address& source) noexcept;
// RFC 1122 3.2.2 / RFC 1812 4.3.2.7: an IP broadcast or multicast destination (IPv4).
bool destination_is_group_v4(core::Ipv4Address destination, bool is_directed_broadcast) noexcept;
// RFC 4443 2.4(e.3-e.5): the exceptions for multicast / link-layer multicast destinations:
// Packet Too Big, and Parameter Problem code 2 (unrecognized option whose high bits are 10).
bool group_exception_v6(std::uint8_t type, std::uint8_t code) noexcept;

// All the "never send" rules in order; nullopt when the error may be sent (rate limits apart).
std::optional<SuppressReason> error_suppressed(const OffendingFacts& facts, std::uint8_t type,
                                               std::uint8_t code) noexcept;

// ---- quote sizes -----------------------------------------------------------------------------

// RFC 1812 4.3.2.3: an ICMPv4 error holds as much of the original as fits 576 bytes in all.
inline constexpr std::size_t max_error_size_v4 = 576;
// RFC 4443 2.4(c): an ICMPv6 error must not exceed the minimum IPv6 MTU.
inline constexpr std::size_t max_error_size_v6 = 1280;

// How much of the original datagram an error quotes: `copy` bytes of it, in an original-datagram
// field of `field` bytes (field > copy only with extensions: zero padding). The IP header of the
// error is 20 / 40 bytes (no options). With RFC 4884 extensions of `extension_size` bytes the
// field is at least 128 bytes and a multiple of 4 (v4) / 8 (v6) (RFC 4884 4.1/4.2); `fits` is
// false when the extensions leave no room for that (send without them).
struct QuotePlan {
    std::size_t copy = 0;
    std::size_t field = 0;
    bool fits = true;
};
QuotePlan plan_quote(core::Family family, std::size_t available, std::size_t extension_size) noexcept;

}  // namespace icmpkit::stack
