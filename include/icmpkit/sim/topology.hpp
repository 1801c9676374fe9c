// A virtual network described as values: nodes (stack::NodeConfig plus the sim's extras), links
// with their properties, and the entry host. Made by parse_topology() from the line format of
// docs/topology-format.md, or by hand; turned into a running Network by network.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/result.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/stack/config.hpp"

namespace icmpkit::sim {

// Probabilities are parts per million, so that runs never depend on floating point.
inline constexpr std::uint32_t ppm_one = 1'000'000;

struct LinkProperties {
    core::Duration latency{0};  // one way, each direction
    core::Duration jitter{0};   // uniform extra delay in [0, jitter]; order is kept unless reorder
    std::uint32_t loss_ppm = 0;
    std::uint32_t duplicate_ppm = 0;
    std::uint32_t reorder_ppm = 0;  // held back by reorder_delay, overtaken by later packets
    std::uint32_t corrupt_ppm = 0;  // one byte flipped
    core::Duration reorder_delay{0};  // 0: latency + jitter + 1 ms
    std::uint32_t mtu = 1500;         // applied to every attached interface
    std::uint64_t rate_bps = 0;       // 0: no serialisation delay, no queue
    std::uint32_t queue_bytes = 64 * 1500;  // tail drop beyond this backlog (with rate_bps)
};

struct Endpoint {
    std::uint32_t node = 0;
    std::uint32_t ifindex = 0;
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// A point-to-point link (two ends) or a shared segment (more).
struct Link {
    std::vector<Endpoint> ends;
    LinkProperties properties;
    bool segment = false;
    std::size_t line = 0;  // where it was declared (0: built by hand)
};

// Source NAT (v4): datagrams forwarded out of `outside` get its address as source; replies and
// ICMP errors arriving there are sent back to the inside host. translate_quote = false leaves the
// quoted datagram's source as the NAT address (what a traceroute behind such a NAT sees);
// true also restores the quoted source (RFC 5508 4.2).
struct NatConfig {
    std::uint32_t inside_ifindex = 0;
    std::uint32_t outside_ifindex = 0;
    bool translate_quote = false;
};

enum class EcmpMode : std::uint8_t { per_flow, per_packet };

struct NodeSpec {
    stack::NodeConfig config;  // name, role, interfaces (with MTUs and MPLS labels), routes...
    bool blackhole = false;    // PMTU black hole: its Fragmentation Needed / Packet Too Big vanish
    std::optional<NatConfig> nat;
    EcmpMode ecmp = EcmpMode::per_flow;
    std::size_t line = 0;
};

struct Topology {
    std::string name;         // "internet", or the file name
    std::string description;  // the `description` lines
    std::vector<NodeSpec> nodes;
    std::vector<Link> links;
    std::uint32_t entry = 0;  // the node external code sends through

    std::optional<std::uint32_t> node_index(std::string_view name) const noexcept;
};

// A broken topology: "file:line: message".
struct TopologyError {
    std::string file;
    std::size_t line = 0;
    std::string message;
    std::string describe() const;
};

// Parses the format of docs/topology-format.md. Never throws (but on allocation failure), never
// crashes; the first error wins. `file` names the source in errors.
core::Result<Topology, TopologyError> parse_topology(std::string_view text, std::string_view file) noexcept;

// 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 (RFC 5737) and 2001:db8::/32 (RFC 3849).
bool is_documentation_address(const core::IpAddress& a) noexcept;
bool is_documentation_prefix(const stack::Prefix& p) noexcept;

// The topologies shipped with icmpkit, in the same format.
struct BuiltinTopology {
    std::string_view name;
    std::string_view summary;
    std::string_view text;
};
std::span<const BuiltinTopology> builtin_topologies() noexcept;
const BuiltinTopology* find_builtin(std::string_view name) noexcept;

}  // namespace icmpkit::sim
