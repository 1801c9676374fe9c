// classify(): both ICMP families into one meaning (DESIGN.md 3).
#include "icmpkit/wire/classify.hpp"

#include <type_traits>

namespace icmpkit::wire {

namespace {

using R = UnreachableReason;

// RFC 792, RFC 1122 3.2.2.1, RFC 1812 5.2.7.1: codes 0-15.
constexpr R v4_reasons[] = {R::network,          R::host,           R::protocol,
                            R::port,             R::fragmentation_needed, R::source_route_failed,
                            R::network_unknown,  R::host_unknown,   R::source_host_isolated,
                            R::network_prohibited, R::host_prohibited, R::network_tos,
                            R::host_tos,         R::admin_prohibited, R::host_precedence,
                            R::precedence_cutoff};
// RFC 4443 3.1 (0-6), RFC 6554 (7), RFC 8883 (8).
constexpr R v6_reasons[] = {R::no_route,     R::admin_prohibited, R::beyond_scope,
                            R::address,      R::port,             R::source_policy,
                            R::reject_route, R::source_routing_header, R::headers_too_long};

TimeExceededReason te_reason(std::uint8_t code) noexcept {
    // RFC 792 / RFC 4443 3.3: 0 in transit (TTL / hop limit), 1 fragment reassembly.
    return code == 0 ? TimeExceededReason::in_transit
           : code == 1 ? TimeExceededReason::reassembly
                       : TimeExceededReason::other;
}

void add_quote(Classification& c, const core::Buffer& original) noexcept {
    auto q = parse_quote(core::Bytes(original));
    if (q) c.quoted_flow = q->flow_key();
}

template <class M>
void set_echo(Classification& c, Kind k, const M& m) noexcept {
    c.kind = k;
    c.identifier = m.identifier;
    c.sequence = m.sequence;
}

}  // namespace

UnreachableReason unreachable_reason(core::Family f, std::uint8_t code) noexcept {
    if (f == core::Family::v4) return code < std::size(v4_reasons) ? v4_reasons[code] : R::other;
    return code < std::size(v6_reasons) ? v6_reasons[code] : R::other;
}

Classification classify(const icmpv4::Message& msg) noexcept {
    namespace v4 = icmpv4;
    Classification c;
    c.family = core::Family::v4;
    c.type = v4::type_of(msg);
    c.code = v4::code_of(msg);
    c.is_error = v4::type_info(c.type).is_error;
    std::visit(
        [&](const auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, v4::EchoRequest>) set_echo(c, Kind::echo_request, m);
            else if constexpr (std::is_same_v<T, v4::EchoReply>) set_echo(c, Kind::echo_reply, m);
            else if constexpr (std::is_same_v<T, v4::DestinationUnreachable>) {
                c.kind = Kind::destination_unreachable;
                c.unreachable = unreachable_reason(core::Family::v4, m.code);
                if (m.code == 4) c.mtu = m.next_hop_mtu;  // RFC 1191 3
                add_quote(c, m.original);
            } else if constexpr (std::is_same_v<T, v4::SourceQuench>) {
                c.kind = Kind::source_quench;
                add_quote(c, m.original);
            } else if constexpr (std::is_same_v<T, v4::Redirect>) {
                c.kind = Kind::redirect;
                c.gateway = core::IpAddress(m.gateway);
                add_quote(c, m.original);
            } else if constexpr (std::is_same_v<T, v4::TimeExceeded>) {
                c.kind = Kind::time_exceeded;
                c.time_exceeded = te_reason(m.code);
                add_quote(c, m.original);
            } else if constexpr (std::is_same_v<T, v4::ParameterProblem>) {
                c.kind = Kind::parameter_problem;
                if (m.code == 0) c.pointer = m.pointer;  // RFC 792: the pointer is meaningful for code 0
                add_quote(c, m.original);
            } else if constexpr (std::is_same_v<T, v4::Photuris>) {
                c.kind = Kind::photuris;
                add_quote(c, m.original);
            } else if constexpr (std::is_same_v<T, v4::RouterAdvertisement>) c.kind = Kind::router_advertisement;
            else if constexpr (std::is_same_v<T, v4::RouterSolicitation>) c.kind = Kind::router_solicitation;
            else if constexpr (std::is_same_v<T, v4::Timestamp>) set_echo(c, Kind::timestamp_request, m);
            else if constexpr (std::is_same_v<T, v4::TimestampReply>) set_echo(c, Kind::timestamp_reply, m);
            else if constexpr (std::is_same_v<T, v4::InformationRequest>) set_echo(c, Kind::information_request, m);
            else if constexpr (std::is_same_v<T, v4::InformationReply>) set_echo(c, Kind::information_reply, m);
            else if constexpr (std::is_same_v<T, v4::AddressMaskRequest>) set_echo(c, Kind::address_mask_request, m);
            else if constexpr (std::is_same_v<T, v4::AddressMaskReply>) set_echo(c, Kind::address_mask_reply, m);
            else if constexpr (std::is_same_v<T, v4::Traceroute>) {
                c.kind = Kind::traceroute;
                c.identifier = m.identifier;
            } else if constexpr (std::is_same_v<T, v4::ExtendedEchoRequest>) set_echo(c, Kind::extended_echo_request, m);
            else if constexpr (std::is_same_v<T, v4::ExtendedEchoReply>) set_echo(c, Kind::extended_echo_reply, m);
            else c.kind = Kind::other;
        },
        msg);
    return c;
}

Classification classify(const icmpv6::Message& msg) noexcept {
    namespace v6 = icmpv6;
    Classification c;
    c.family = core::Family::v6;
    c.type = v6::type_of(msg);
    c.code = v6::code_of(msg);
    c.is_error = c.type < 128;  // RFC 4443 2.1
    std::visit(
        [&](const auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, v6::EchoRequest>) set_echo(c, Kind::echo_request, m);
            else if constexpr (std::is_same_v<T, v6::EchoReply>) set_echo(c, Kind::echo_reply, m);
            else if constexpr (std::is_same_v<T, v6::DestinationUnreachable>) {
                c.kind = Kind::destination_unreachable;
                c.unreachable = unreachable_reason(core::Family::v6, m.code);
                add_quote(c, m.original);
            } else if constexpr (std::is_same_v<T, v6::PacketTooBig>) {
                c.kind = Kind::packet_too_big;
                c.mtu = m.mtu;
                add_quote(c, m.original);
            } else if constexpr (std::is_same_v<T, v6::TimeExceeded>) {
                c.kind = Kind::time_exceeded;
                c.time_exceeded = te_reason(m.code);
                add_quote(c, m.original);
            } else if constexpr (std::is_same_v<T, v6::ParameterProblem>) {
                c.kind = Kind::parameter_problem;
                c.pointer = m.pointer;  // RFC 4443 3.4: meaningful for every code
                add_quote(c, m.original);
            } else if constexpr (std::is_same_v<T, v6::Redirect>) {
                c.kind = Kind::redirect;
                c.gateway = core::IpAddress(m.target);
            } else if constexpr (std::is_same_v<T, v6::RouterSolicitation>) c.kind = Kind::router_solicitation;
            else if constexpr (std::is_same_v<T, v6::RouterAdvertisement>) c.kind = Kind::router_advertisement;
            else if constexpr (std::is_same_v<T, v6::NeighborSolicitation>) c.kind = Kind::neighbor_solicitation;
            else if constexpr (std::is_same_v<T, v6::NeighborAdvertisement>) c.kind = Kind::neighbor_advertisement;
            else if constexpr (std::is_same_v<T, v6::MldQuery> || std::is_same_v<T, v6::Mldv2Query>) c.kind = Kind::mld_query;
            else if constexpr (std::is_same_v<T, v6::MldReport> || std::is_same_v<T, v6::Mldv2Report>) c.kind = Kind::mld_report;
            else if constexpr (std::is_same_v<T, v6::MldDone>) c.kind = Kind::mld_done;
            else if constexpr (std::is_same_v<T, v6::NodeInformationQuery>) c.kind = Kind::node_information_query;
            else if constexpr (std::is_same_v<T, v6::NodeInformationResponse>) c.kind = Kind::node_information_response;
            else if constexpr (std::is_same_v<T, v6::ExtendedEchoRequest>) set_echo(c, Kind::extended_echo_request, m);
            else if constexpr (std::is_same_v<T, v6::ExtendedEchoReply>) set_echo(c, Kind::extended_echo_reply, m);
            else {
                c.kind = Kind::other;
                // An unknown error type still quotes the invoking packet (RFC 4443 2.1, 3).
                if (c.is_error) add_quote(c, m.data);
            }
        },
        msg);
    return c;
}

std::string_view kind_name(Kind k) noexcept {
    constexpr std::string_view names[] = {
        "echo_request", "echo_reply", "destination_unreachable", "packet_too_big", "time_exceeded",
        "parameter_problem", "redirect", "source_quench", "router_advertisement",
        "router_solicitation", "neighbor_solicitation", "neighbor_advertisement",
        "timestamp_request", "timestamp_reply", "information_request", "information_reply",
        "address_mask_request", "address_mask_reply", "mld_query", "mld_report", "mld_done",
        "node_information_query", "node_information_response", "extended_echo_request",
        "extended_echo_reply", "traceroute", "photuris", "other"};
    auto i = static_cast<std::size_t>(k);
    return i < std::size(names) ? names[i] : "other";
}

std::string_view reason_name(UnreachableReason r) noexcept {
    constexpr std::string_view names[] = {
        "none", "network", "host", "protocol", "port", "fragmentation_needed",
        "source_route_failed", "network_unknown", "host_unknown", "source_host_isolated",
        "network_prohibited", "host_prohibited", "network_tos", "host_tos", "admin_prohibited",
        "host_precedence", "precedence_cutoff", "no_route", "beyond_scope", "address",
        "source_policy", "reject_route", "source_routing_header", "headers_too_long", "other"};
    auto i = static_cast<std::size_t>(r);
    return i < std::size(names) ? names[i] : "other";
}

std::string_view reason_name(TimeExceededReason r) noexcept {
    constexpr std::string_view names[] = {"none", "in_transit", "reassembly", "other"};
    auto i = static_cast<std::size_t>(r);
    return i < std::size(names) ? names[i] : "other";
}

}  // namespace icmpkit::wire
