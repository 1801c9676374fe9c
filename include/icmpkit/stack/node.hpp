// A host or router that answers as RFC 792, 1122, 1812, 4443, 4861 and 8335 say: the pure core
// of the virtual network (sim) and of the TUN lab.
//
//   stack::NodeConfig cfg;  // role, interfaces, routes, filter, flags (config.hpp)
//   stack::Node node(cfg);
//   for (const stack::Output& out : node.receive({bytes, ifindex, link_broadcast}, now, wall))
//       std::visit(..., out);  // Transmit / DeliverLocal / Drop
//
// receive() takes one IP packet as it arrived on an interface (link layer removed) and returns
// what the node does with it: forwards it (Transmit, several when fragmented), hands it to local
// software (DeliverLocal), answers it (a Transmit of the reply), and/or generates an ICMP error
// (a Transmit) -- and exactly one disposition per input is counted (Counters::balanced()).
// When the input is discarded an Output Drop{reason} says why. The node never reads a clock:
// `now` drives the rate limiter, `wall` the timestamp replies.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/stack/config.hpp"
#include "icmpkit/stack/rate_limit.hpp"
#include "icmpkit/stack/routing.hpp"
#include "icmpkit/stack/rules.hpp"

namespace icmpkit::stack {

struct Arrival {
    core::Bytes packet;           // the IP datagram (trailing link-layer padding allowed)
    std::uint32_t ifindex = 0;    // the interface it arrived on
    bool link_broadcast = false;  // it was a link-layer broadcast or multicast frame
};

// Send `bytes` (a whole IP datagram) out of `ifindex` to the link-layer owner of `next_hop`
// (a multicast next hop, e.g. ff02::1, means a link-layer multicast).
struct Transmit {
    std::uint32_t ifindex = 0;
    core::IpAddress next_hop;
    core::Buffer bytes;
};
// The datagram is for software on this node (an open UDP port, an ICMP reply or error for a
// probe engine, a local protocol).
struct DeliverLocal {
    std::uint32_t ifindex = 0;
    core::Buffer bytes;
};

// Why an input was discarded. Keep drop_reason_name() in step.
enum class DropReason : std::uint8_t {
    malformed_header,      // IP header fails RFC 791 / 8200 checks (truncated, version, IHL, length)
    bad_header_checksum,   // RFC 1812 5.2.2
    malformed_icmp,        // ICMP message too short or bad checksum (RFC 1122 3.2.2: discard)
    bad_option,            // Parameter Problem territory (pointer at the byte)
    unknown_interface,     // Arrival::ifindex is not configured
    not_for_us,            // a host receives a datagram for another address (RFC 1122 3.3.4.2)
    martian_source,        // RFC 1812 5.3.7: source is not one host; never forwarded
    martian_destination,   // RFC 1812 5.3.7: 0/8, 127/8, class E, limited broadcast; never forwarded
    link_broadcast_unicast,  // RFC 1122 3.3.6 / RFC 1812 5.3.4: unicast IP in a link broadcast
    multicast_not_routed,  // we are no multicast router
    ttl_exceeded,          // RFC 1812 5.3.1, RFC 8200 3
    no_route,              // RFC 1812 5.2.7.1, RFC 4443 3.1
    too_big,               // DF set / IPv6 (RFC 1191, RFC 8201)
    filtered,              // a drop rule
    rejected,              // a reject rule (an unreachable was due)
    port_unreachable,      // closed UDP port
    protocol_unreachable,  // unhandled protocol / next header
    not_answered,          // a request this node ignores (flags, broadcasts, ND not for us)
    count_
};
inline constexpr std::size_t drop_reason_count = static_cast<std::size_t>(DropReason::count_);
std::string_view drop_reason_name(DropReason r) noexcept;

struct Drop {
    DropReason reason = DropReason::malformed_header;
};

using Output = std::variant<Transmit, DeliverLocal, Drop>;

// Every input ends in exactly one of forwarded / delivered / answered / dropped[reason];
// generated and suppressed count the ICMP messages the node made or withheld.
struct Counters {
    std::uint64_t received = 0;
    std::uint64_t forwarded = 0;
    std::uint64_t delivered = 0;
    std::uint64_t answered = 0;  // a request consumed by its reply
    std::array<std::uint64_t, drop_reason_count> dropped{};
    std::array<std::uint64_t, suppress_reason_count> suppressed{};
    std::uint64_t fragments_created = 0;
    // ICMP messages sent, keyed (family << 16) | (type << 8) | code.
    std::map<std::uint32_t, std::uint64_t> generated;

    std::uint64_t dropped_total() const noexcept;
    std::uint64_t suppressed_total() const noexcept;
    std::uint64_t rate_limited() const noexcept;  // peer + global
    std::uint64_t malformed() const noexcept;     // header, checksum, ICMP, option faults
    std::uint64_t generated_count(core::Family f, std::uint8_t type, std::uint8_t code) const noexcept;
    std::uint64_t generated_total() const noexcept;
    std::uint64_t dropped_for(DropReason r) const noexcept { return dropped[static_cast<std::size_t>(r)]; }
    std::uint64_t suppressed_for(SuppressReason r) const noexcept {
        return suppressed[static_cast<std::size_t>(r)];
    }
    // received == forwarded + delivered + answered + dropped_total()
    bool balanced() const noexcept;
};

class Node {
public:
    explicit Node(NodeConfig config);

    // One arriving datagram. The span stays valid until the next call on this node.
    std::span<const Output> receive(const Arrival& arrival, core::MonoTime now, core::WallTime wall);

    const NodeConfig& config() const noexcept { return config_; }
    const Counters& counters() const noexcept { return counters_; }
    const RoutingTable& routes() const noexcept { return routes_; }
    const Interface* interface_by_index(std::uint32_t ifindex) const noexcept;
    const Interface* interface_by_name(std::string_view name) const noexcept;
    // One of the node's interface addresses.
    bool is_local_address(const core::IpAddress& a) const noexcept;
    // 255.255.255.255 or the directed broadcast of a connected IPv4 prefix (< /31).
    bool is_broadcast_v4(core::Ipv4Address a) const noexcept;

private:
    // Everything one receive() call needs, passed to the per-family handlers.
    struct Input {
        const Arrival& arrival;
        const Interface& iface;
        core::Bytes datagram;  // clipped to the IP length
        core::MonoTime now;
        core::WallTime wall;
    };
    // What a generated ICMP error is about.
    struct ErrorSpec {
        std::uint8_t type = 0;
        std::uint8_t code = 0;
        std::uint32_t rest = 0;  // octets 4-7 (pointer, next-hop MTU, gateway, v6 MTU / pointer)
        bool extensions = false;  // RFC 4884: MPLS / interface information may follow
    };

    void dispose(DropReason r);
    void count_generated(core::Family f, std::uint8_t type, std::uint8_t code);
    void suppress(SuppressReason r) { ++counters_.suppressed[static_cast<std::size_t>(r)]; }
    bool rate_allows(core::Family f, std::uint8_t type, std::uint8_t code, const core::IpAddress& peer,
                     core::MonoTime now);
    // Routes a datagram this node originates; false (and nothing queued) when there is no route.
    bool send_originated(core::Buffer bytes, const core::IpAddress& destination, const wire::FlowKey& flow);
    std::optional<core::IpAddress> source_for(core::Family f, std::uint32_t out_ifindex) const;

    // IPv4 (node_v4.cpp, icmpv4_out.cpp)
    void receive_v4(const Input& in);
    void local_v4(const Input& in);
    void icmp_v4(const Input& in);
    void forward_v4(const Input& in);
    bool transmit_v4(core::Buffer bytes, std::uint32_t ifindex, const core::IpAddress& next_hop,
                     std::uint32_t mtu);
    bool error_v4(const Input& in, const ErrorSpec& spec);
    void reply_v4(const Input& in, core::Buffer icmp_message, core::Ipv4Address reply_to);
    core::Buffer extended_echo_reply_v4(const Input& in, core::Bytes request);

    // IPv6 (node_v6.cpp, icmpv6_out.cpp)
    void receive_v6(const Input& in);
    void local_v6(const Input& in, std::uint8_t upper, std::size_t upper_offset, std::size_t naming_offset);
    void icmp_v6(const Input& in, std::size_t upper_offset);
    void forward_v6(const Input& in);
    bool error_v6(const Input& in, const ErrorSpec& spec);
    void reply_v6(const Input& in, core::Buffer icmp, const core::Ipv6Address& source,
                  const core::Ipv6Address& destination, std::uint8_t hop_limit);
    OffendingFacts facts_v6(const Input& in) const;

    OffendingFacts facts_v4(const Input& in) const;
    std::optional<wire::ext::ExtensionStructure> extensions_for(const Interface& iface) const;
    std::optional<FilterAction> filter(const Input& in, const core::IpAddress& src,
                                       const core::IpAddress& dst, std::uint8_t protocol,
                                       std::optional<std::uint16_t> dst_port, std::uint8_t& type,
                                       std::uint8_t& code) const;

    NodeConfig config_;
    RoutingTable routes_;
    RateLimiter limiter_;
    Counters counters_;
    std::vector<Output> outputs_;
    std::uint16_t next_identification_ = 1;
};

}  // namespace icmpkit::stack
