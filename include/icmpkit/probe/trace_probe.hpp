// Traceroute probes (issue 5): building the probe of one (method, flow, serial, TTL) and matching
// what comes back to it. Pure and shared: probe::Trace, the MDA and cycle modes and the pmtu engine
// build and match through this file only.
//
// Methods and where a probe's identity lives (the quote of an ICMP error holds at least the IP
// header and 8 bytes of the transport header, RFC 792; RFC 1812 4.3.2.3 routers quote more):
//   udp         classic traceroute: destination port = port + serial (traceroute 2.1's default,
//               base 33434); the source port is the flow's. Every probe is a different flow.
//   udp_paris   Paris traceroute: source port = source_port + flow, destination port = port, both
//               fixed per flow; the serial sits in payload octets 0-1 and octets 2-3 balance it so
//               the payload's ones'-complement sum -- hence the UDP checksum -- is constant per flow
//               (RFC 1071: the sum is order-independent). The 5-tuple and the first 8 transport
//               octets never change within a flow, so per-flow load balancers (which hash them)
//               keep every probe of a flow on one path.
//   icmp_paris  echo request with identifier = source_port + flow (ping sockets: the bound id) and
//               sequence = serial; payload octets 0-1 balance the sequence so the ICMP checksum --
//               inside the first 4 octets some balancers hash -- is constant per flow.
//   tcp_syn     SYN from source_port + flow to port (default 80); serial in the sequence number
//               (sequence_base + serial); the first 4 octets are the ports (constant).
// Payload (UDP and ICMP), after the serial/balance words: octet 4 the probe's TTL, octet 5 the
// flow's low octet, then a fill pattern. The IPv4 identification of a datagram we build ourselves
// (raw sockets, the simulator) is the serial too, so a router quoting only 8 octets of a Paris
// UDP probe still names the serial; over kernel UDP sockets such a quote leaves the serial unknown
// (TraceResponse::serial empty) and the engine decides.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/wire/classify.hpp"
#include "icmpkit/wire/extensions.hpp"

namespace icmpkit::probe {

enum class TraceMethod : std::uint8_t { udp, udp_paris, icmp_paris, tcp_syn };

std::string_view method_name(TraceMethod m) noexcept;  // "udp", "udp-paris", "icmp", "tcp"
std::optional<TraceMethod> parse_method(std::string_view text) noexcept;  // also "icmp-paris", "tcp-syn"
// IPv4 protocol / IPv6 next header of the probes (17, 1 or 58, 6).
std::uint8_t method_protocol(TraceMethod m, core::Family f) noexcept;

inline constexpr std::uint16_t default_udp_port = 33434;  // traceroute 2.1 -p default
inline constexpr std::uint16_t default_tcp_port = 80;     // traceroute 2.1 -T default
inline constexpr std::size_t probe_payload_min = 6;       // serial, balance, ttl, flow

// What identifies one trace's probes: fixed for its lifetime.
struct ProbeSpace {
    TraceMethod method = TraceMethod::udp_paris;
    // Unspecified: the kernel chooses (UDP/ICMP datagram sockets); the quoted source is then not
    // compared and checksums over the pseudo-header are the kernel's.
    core::IpAddress source;
    core::IpAddress destination;
    std::uint16_t port = default_udp_port;  // udp: base; udp_paris, tcp_syn: destination port
    std::uint16_t source_port = 0;          // flow f uses source_port + f (ICMP: the identifier)
    std::uint32_t sequence_base = 0;        // tcp_syn: serial s is sequence_base + s
    std::uint16_t flows = 1;                // how many flows may be in use (for matching)
    std::size_t packet_length = 60;         // whole IP datagram, as traceroute's packetlen
    std::uint8_t tos = 0;                   // IPv4 TOS / IPv6 traffic class
    // The IPv4 identification is the serial: true when we write the IP header (raw, simulator),
    // false over kernel sockets (the kernel chooses it).
    bool identification_is_serial = false;
};

struct ProbeId {
    std::uint16_t flow = 0;
    std::uint16_t serial = 0;
    std::uint8_t ttl = 1;
};

// One probe, ready for a socket or a raw send.
struct BuiltProbe {
    std::uint8_t protocol = 0;
    std::uint16_t source_port = 0;       // UDP/TCP; ICMP: the echo identifier
    std::uint16_t destination_port = 0;  // UDP/TCP; 0 for ICMP
    std::uint8_t ttl = 1;
    std::uint16_t ip_identification = 0;  // IPv4, when we write the header ourselves
    // The transport header and payload. Checksums are computed when ProbeSpace::source is
    // specified (ICMPv4 always); otherwise left 0 for the kernel.
    core::Buffer segment;
    // Where the payload starts in `segment` (8 for UDP and ICMP, 40 for TCP): a UDP socket sends
    // only segment[payload_offset..].
    std::size_t payload_offset = 8;
};

// The minimum and the default datagram length for the method and family (traceroute 2.1: 60 for
// IPv4, 80 for IPv6; TCP: IP header + 40).
std::size_t min_packet_length(TraceMethod m, core::Family f) noexcept;
std::size_t default_packet_length(TraceMethod m, core::Family f) noexcept;

BuiltProbe build_probe(const ProbeSpace& space, const ProbeId& id);
// The whole IP datagram (raw sockets with IP_HDRINCL, the simulator). Needs a specified source.
core::Buffer build_datagram(const ProbeSpace& space, const ProbeId& id);

// ---- matching ----------------------------------------------------------------------------

enum class ResponseKind : std::uint8_t {
    hop,          // Time Exceeded in transit quoting our probe
    destination,  // the destination answered: echo reply, TCP SYN-ACK/RST, port unreachable from it
    unreachable,  // another error quoting our probe (!H !N !P !F !X ..., or from a middlebox)
    rejected,     // not taken for a hop: reject says why
};

enum class RejectReason : std::uint8_t {
    none,
    malformed,         // the message or its quote does not parse, or lengths lie (RFC 5927 4)
    unrelated,         // an ICMP type a trace never asks for (redirect, ND, ...)
    wrong_protocol,    // quotes (or is) another protocol than our method's
    wrong_destination, // quotes a datagram to another destination
    wrong_ports,       // UDP/TCP ports or ICMP identifier outside our flows
    wrong_sequence,    // TCP: a quoted / acknowledged sequence number no probe of ours carried
    wrong_payload,     // quoted payload octets contradict the ports (serial/ttl/flow mismatch)
    not_our_reply,     // echo reply / TCP segment that answers no probe of ours
};
std::string_view reject_name(RejectReason r) noexcept;

struct TraceResponse {
    ResponseKind kind = ResponseKind::rejected;
    RejectReason reject = RejectReason::none;
    core::IpAddress from;
    std::uint16_t flow = 0;
    std::optional<std::uint16_t> serial;      // empty when the quote is too short to say
    std::optional<std::uint8_t> probe_ttl;    // the TTL we sent, when the quoted payload says
    std::uint8_t type = 0, code = 0;          // ICMP type/code; for TCP: the flags
    wire::Classification classification;
    std::optional<std::uint32_t> mtu;         // Fragmentation Needed / Packet Too Big
    std::optional<std::uint8_t> reply_ttl;    // TTL / hop limit of the response itself
    // The quoted datagram: TTL left when the router dropped it (1 normally, RFC 1812 5.3.1),
    // TOS/traffic class as it arrived there, and its source when it differs from ours (NAT).
    std::optional<std::uint8_t> quoted_ttl;
    std::optional<std::uint8_t> quoted_tos;
    std::optional<core::IpAddress> quoted_source;
    bool source_rewritten = false;
    // RFC 4884 extensions: RFC 4950 label stacks and RFC 5837 interface information.
    std::vector<wire::ext::MplsLabelEntry> mpls;
    std::vector<wire::ext::InterfaceInformation> interfaces;
    bool extension_checksum_bad = false;
};

// `message`: an ICMPv4/ICMPv6 message (the bytes after the IP header) or, for tcp_syn, a TCP
// segment; `protocol` says which. `from` is the response's IP source; `to` its destination (for
// the ICMPv6 checksum; not checked without it). Never throws on any input but allocation.
TraceResponse match_response(const ProbeSpace& space, std::uint8_t protocol, core::Bytes message,
                             const core::IpAddress& from, std::optional<std::uint8_t> reply_ttl = std::nullopt,
                             const core::IpAddress* to = nullptr);

// An ICMP error as a Linux error queue (IP_RECVERR / IPV6_RECVERR) hands it over to a UDP or ICMP
// datagram socket: the sock_extended_err fields, the original destination port (msg_name) and the
// delivered bytes (after the quoted UDP header; from the quoted ICMP header on ICMP sockets). The
// kernel strips the quoted IP header (net/ipv4/icmp.c ip_icmp_error: skb_pull to the payload), so
// quoted TTL and TOS are unknown.
struct QueuedError {
    std::uint8_t type = 0, code = 0;
    std::uint32_t info = 0;              // ee_info: next-hop MTU (v4 frag needed, v6 packet too big)
    std::uint16_t destination_port = 0;  // UDP methods
    std::uint16_t extension_offset = 0;  // ee_rfc4884.len with IP(V6)_RECVERR_RFC4884; 0 = none
    std::uint16_t source_port = 0;       // UDP methods: the socket's port (0: space.source_port)
};

// Rebuilds `e` as the ICMP error it came from -- with an RFC 4884 length attribute and the
// extension structure after the original datagram field when extension_offset is valid
// (ext::split_delivered) -- so match_response() judges it, extensions included, exactly as a raw
// socket's error. quoted_ttl / quoted_tos stay empty.
core::Buffer rebuild_queued_error(const ProbeSpace& space, const QueuedError& e, core::Bytes delivered);
TraceResponse match_queued_error(const ProbeSpace& space, const QueuedError& e, core::Bytes delivered,
                                 const core::IpAddress& offender);

// The Paris balance word: the 16-bit value b with others +' b == target in ones'-complement
// arithmetic (RFC 1071), where `others` is the folded sum of the words that vary per probe.
std::uint16_t paris_balance(std::uint16_t others, std::uint16_t target) noexcept;
inline constexpr std::uint16_t paris_target = 0xA5A5;  // the constant payload sum of every flow

}  // namespace icmpkit::probe
