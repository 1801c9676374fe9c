#include "icmpkit/report/decode_text.hpp"

#include <fmt/format.h>

#include <chrono>

#include "icmpkit/wire/ip_protocol.hpp"

namespace icmpkit::report {

namespace {

using dissect::IcmpLayer;
namespace v4 = wire::icmpv4;
namespace v6 = wire::icmpv6;

void append_addr(const core::IpAddress& a, std::string& out) {
    char buf[48];
    std::size_t n = a.is_v4() ? a.v4().format_to(buf) : a.v6().format_to(buf);
    out.append(buf, n);
}

std::string addr(const core::IpAddress& a) {
    std::string s;
    append_addr(a, s);
    return s;
}

// The quoted destination, as tcpdump names it in unreachables ("?" when no quote).
std::string quoted_dst(const IcmpLayer& L) {
    return L.quote ? addr(L.quote->destination) : std::string("?");
}

const char* proto_word(std::uint8_t p) {
    switch (p) {
        case wire::ip_protocol::udp: return "udp";
        case wire::ip_protocol::tcp: return "tcp";
        case wire::ip_protocol::icmp: return "icmp";
        case wire::ip_protocol::icmpv6: return "icmp6";
        default: return nullptr;
    }
}

// print-icmp.c wording for type 3.
std::string v4_unreachable(const IcmpLayer& L) {
    const std::string dst = quoted_dst(L);
    switch (L.code) {
        case 0: return fmt::format("net {} unreachable", dst);
        case 1: return fmt::format("host {} unreachable", dst);
        case 2: return fmt::format("{} protocol {} unreachable", dst, L.quote ? L.quote->protocol : 0);
        case 3: {
            if (L.quote && L.quote->udp && L.quote->udp->destination_port)
                return fmt::format("{} udp port {} unreachable", dst, *L.quote->udp->destination_port);
            if (L.quote && L.quote->tcp && L.quote->tcp->destination_port)
                return fmt::format("{} tcp port {} unreachable", dst, *L.quote->tcp->destination_port);
            return fmt::format("{} port unreachable", dst);
        }
        case 4: return fmt::format("{} unreachable - need to frag (mtu {})", dst,
                                   L.classification.mtu.value_or(0));
        case 5: return fmt::format("{} unreachable - source route failed", dst);
        case 6: return fmt::format("net {} unreachable - unknown", dst);
        case 7: return fmt::format("host {} unreachable - unknown", dst);
        case 8: return fmt::format("{} unreachable - source host isolated", dst);
        case 9: return fmt::format("net {} unreachable - admin prohibited", dst);
        case 10: return fmt::format("host {} unreachable - admin prohibited", dst);
        case 11: return fmt::format("net {} unreachable - tos prohibited", dst);
        case 12: return fmt::format("host {} unreachable - tos prohibited", dst);
        case 13: return fmt::format("host {} unreachable - admin prohibited filter", dst);
        case 14: return fmt::format("host {} unreachable - host precedence violation", dst);
        case 15: return fmt::format("host {} unreachable - precedence cutoff", dst);
        default: return fmt::format("{} unreachable - #{}", dst, L.code);
    }
}

std::string v4_words(const IcmpLayer& L) {
    const auto& c = L.classification;
    auto idseq = [&](const char* what) {
        if (c.identifier && c.sequence) return fmt::format("{}, id {}, seq {}", what, *c.identifier, *c.sequence);
        return std::string(what);
    };
    switch (L.type) {
        case v4::type::echo_reply: return idseq("echo reply");
        case v4::type::echo_request: return idseq("echo request");
        case v4::type::destination_unreachable: return v4_unreachable(L);
        case v4::type::source_quench: return "source quench";
        case v4::type::redirect: {
            static constexpr const char* to[] = {"net", "host", "tos-net", "tos-host"};
            std::string gw = c.gateway ? addr(*c.gateway) : "?";
            if (L.code < 4) return fmt::format("redirect {} to {} {}", quoted_dst(L), to[L.code], gw);
            return fmt::format("redirect-#{} {} to {}", L.code, quoted_dst(L), gw);
        }
        case v4::type::router_advertisement: return "router advertisement";
        case v4::type::router_solicitation: return "router solicitation";
        case v4::type::time_exceeded:
            if (L.code == 0) return "time exceeded in-transit";
            if (L.code == 1) return "ip reassembly time exceeded";
            return fmt::format("time exceeded-#{}", L.code);
        case v4::type::parameter_problem:
            if (L.code == 0 && c.pointer) return fmt::format("parameter problem - octet {}", *c.pointer);
            return fmt::format("parameter problem - code {}", L.code);
        case v4::type::timestamp: return idseq("time stamp query");
        case v4::type::timestamp_reply: return idseq("time stamp reply");
        case v4::type::information_request: return "information request";
        case v4::type::information_reply: return "information reply";
        case v4::type::address_mask_request: return "address mask request";
        case v4::type::address_mask_reply:
            if (const auto* m = L.v4() ? std::get_if<v4::AddressMaskReply>(L.v4()) : nullptr)
                return fmt::format("address mask is 0x{:08x}", m->mask.to_uint());
            return "address mask reply";
        case v4::type::extended_echo_request: return idseq("extended echo request");
        case v4::type::extended_echo_reply: return idseq("extended echo reply");
        default: return fmt::format("type-#{}", L.type);
    }
}

// print-icmp6.c wording.
std::string v6_words(const IcmpLayer& L) {
    const auto& c = L.classification;
    auto idseq = [&](const char* what) {
        if (c.identifier && c.sequence) return fmt::format("{}, id {}, seq {}", what, *c.identifier, *c.sequence);
        return std::string(what);
    };
    switch (L.type) {
        case v6::type::destination_unreachable: {
            const std::string dst = quoted_dst(L);
            switch (L.code) {
                case 0: return "destination unreachable, unreachable route " + dst;
                case 1: return "destination unreachable, unreachable prohibited " + dst;
                case 2: return "destination unreachable, beyond scope " + dst;
                case 3: return "destination unreachable, unreachable address " + dst;
                case 4: return "destination unreachable, unreachable port " + dst;
                case 5: return "destination unreachable, source address failed policy " + dst;
                case 6: return "destination unreachable, reject route " + dst;
                default: return fmt::format("destination unreachable, code-#{} {}", L.code, dst);
            }
        }
        case v6::type::packet_too_big: return fmt::format("packet too big, mtu {}", c.mtu.value_or(0));
        case v6::type::time_exceeded:
            if (L.code == 0) return "time exceeded in-transit for " + quoted_dst(L);
            if (L.code == 1) return "ip6 reassembly time exceeded";
            return fmt::format("time exceeded, code-#{}", L.code);
        case v6::type::parameter_problem: {
            auto p = c.pointer.value_or(0);
            if (L.code == 0) return fmt::format("parameter problem, errorneous - octet {}", p);
            if (L.code == 1) return fmt::format("parameter problem, next header - octet {}", p);
            if (L.code == 2) return fmt::format("parameter problem, option - octet {}", p);
            return fmt::format("parameter problem, code-#{}", L.code);
        }
        case v6::type::echo_request: return idseq("echo request");
        case v6::type::echo_reply: return idseq("echo reply");
        case v6::type::multicast_listener_query: return "multicast listener query";
        case v6::type::multicast_listener_report: return "multicast listener report";
        case v6::type::multicast_listener_done: return "multicast listener done";
        case v6::type::router_solicitation: return "router solicitation";
        case v6::type::router_advertisement: return "router advertisement";
        case v6::type::neighbor_solicitation:
            if (const auto* m = L.v6() ? std::get_if<v6::NeighborSolicitation>(L.v6()) : nullptr)
                return "neighbor solicitation, who has " + m->target.to_string();
            return "neighbor solicitation";
        case v6::type::neighbor_advertisement:
            if (const auto* m = L.v6() ? std::get_if<v6::NeighborAdvertisement>(L.v6()) : nullptr)
                return "neighbor advertisement, tgt is " + m->target.to_string();
            return "neighbor advertisement";
        case v6::type::redirect:
            if (const auto* m = L.v6() ? std::get_if<v6::Redirect>(L.v6()) : nullptr)
                return fmt::format("redirect, {} to {}", m->destination.to_string(), m->target.to_string());
            return "redirect";
        case 138: return "router renumbering";
        case v6::type::node_information_query: return "node information query";
        case v6::type::node_information_response: return "node information reply";
        case v6::type::version2_multicast_listener_report:
            if (const auto* m = L.v6() ? std::get_if<v6::Mldv2Report>(L.v6()) : nullptr)
                return fmt::format("multicast listener report v2, {} group record(s)", m->records.size());
            return "multicast listener report v2";
        case v6::type::extended_echo_request: return idseq("extended echo request");
        case v6::type::extended_echo_reply: return idseq("extended echo reply");
        case 146: return "mobile prefix solicitation";   // RFC 6275 6.7
        case 147: return "mobile prefix advertisement";  // RFC 6275 6.8
        case 155: return "RPL";                          // RFC 6550 6: RPL Control Message, as tcpdump
        default: return fmt::format("type-#{}", L.type);
    }
}

const std::optional<wire::ext::ExtensionStructure>* extensions_of(const IcmpLayer& L) {
    const std::optional<wire::ext::ExtensionStructure>* e = nullptr;
    if (const auto* m = L.v4()) {
        std::visit([&](const auto& x) {
            if constexpr (requires { x.extensions; }) e = &x.extensions;
        }, *m);
    } else if (const auto* m = L.v6()) {
        std::visit([&](const auto& x) {
            if constexpr (requires { x.extensions; }) e = &x.extensions;
        }, *m);
    }
    return e;
}

void append_extensions(const IcmpLayer& L, std::string& out) {
    const auto* e = extensions_of(L);
    if (e == nullptr || !e->has_value()) return;
    for (const auto& obj : (*e)->objects) {
        if (const auto* s = std::get_if<wire::ext::MplsLabelStack>(&obj)) {
            out += ", mpls";
            for (const auto& l : s->entries) fmt::format_to(std::back_inserter(out), " {}", l.label);
        } else if (const auto* i = std::get_if<wire::ext::InterfaceInformation>(&obj)) {
            static constexpr const char* roles[] = {"incoming", "sub-ip", "outgoing", "next-hop"};
            fmt::format_to(std::back_inserter(out), ", {} interface", roles[static_cast<int>(i->role) & 3]);
            if (i->has_name) fmt::format_to(std::back_inserter(out), " {}", i->name);
            if (i->has_ifindex) fmt::format_to(std::back_inserter(out), " index {}", i->ifindex);
            if (i->has_address) fmt::format_to(std::back_inserter(out), " addr {}", i->address.to_string());
            if (i->has_mtu) fmt::format_to(std::back_inserter(out), " mtu {}", i->mtu);
        } else if (const auto* id = std::get_if<wire::ext::InterfaceIdentification>(&obj)) {
            if (id->kind == wire::ext::IdentificationKind::by_name)
                fmt::format_to(std::back_inserter(out), ", probe interface {}", id->name);
            else if (id->kind == wire::ext::IdentificationKind::by_index)
                fmt::format_to(std::back_inserter(out), ", probe ifindex {}", id->ifindex);
            else if (auto a = id->ip_address())
                fmt::format_to(std::back_inserter(out), ", probe address {}", a->to_string());
        } else if (const auto* r = std::get_if<wire::ext::RawObject>(&obj)) {
            fmt::format_to(std::back_inserter(out), ", ext class {} c-type {}", r->class_num, r->c_type);
        }
    }
}

void append_quoted_flow(const IcmpLayer& L, std::string& out) {
    if (!L.quote) return;
    const auto& q = *L.quote;
    const char* p = proto_word(q.protocol);
    std::string proto = p ? p : fmt::format("proto {}", q.protocol);
    out += ", ";
    out += proto;
    out += ' ';
    auto key = q.flow_key();
    bool ports = key && (q.udp || q.tcp);
    append_addr(q.source, out);
    if (ports) fmt::format_to(std::back_inserter(out), ":{}", key->src_port);
    out += " > ";
    append_addr(q.destination, out);
    if (ports) fmt::format_to(std::back_inserter(out), ":{}", key->dst_port);
    if (q.icmp && q.icmp->type) {
        fmt::format_to(std::back_inserter(out), " type {}", *q.icmp->type);
        if (q.icmp->identifier) fmt::format_to(std::back_inserter(out), " id {}", *q.icmp->identifier);
        if (q.icmp->sequence) fmt::format_to(std::back_inserter(out), " seq {}", *q.icmp->sequence);
    }
}

}  // namespace

void append_time_of_day(core::WallTime t, std::string& out) {
    using namespace std::chrono;
    auto us = duration_cast<microseconds>(t.time_since_epoch()).count();
    if (us < 0) us = 0;
    const std::int64_t day_us = us % (86'400LL * 1'000'000);
    const auto secs = day_us / 1'000'000;
    fmt::format_to(std::back_inserter(out), "{:02}:{:02}:{:02}.{:06}", secs / 3600, secs / 60 % 60,
                   secs % 60, day_us % 1'000'000);
}

std::string describe_icmp(const IcmpLayer& L) {
    if (L.bytes.empty()) return "length 0 (invalid)";  // no type octet at all (tcpdump's words)
    return L.family == core::Family::v4 ? v4_words(L) : v6_words(L);
}

void append_decode_line(const dissect::Dissection& d, std::string& out) {
    if (!d.icmp) return;
    const auto& L = *d.icmp;
    append_time_of_day(d.frame.timestamp, out);
    const auto* ip = d.innermost_ip();
    if (ip) {
        out += ip->family == core::Family::v4 ? " IP " : " IP6 ";
        append_addr(ip->source(), out);
        out += " > ";
        append_addr(ip->destination(), out);
        out += ": ";
    } else {
        out += ' ';
    }
    out += L.family == core::Family::v4 ? "ICMP " : "ICMP6, ";
    out += describe_icmp(L);
    if (!L.bytes.empty()) fmt::format_to(std::back_inserter(out), ", length {}", L.bytes.size());
    append_quoted_flow(L, out);
    append_extensions(L, out);
    if (ip && ip->reassembled) fmt::format_to(std::back_inserter(out), " [reassembled from {} fragments]", ip->fragment_count);
    if (d.ip.size() > 1) {
        out += " [via";
        for (std::size_t i = 1; i < d.ip.size(); ++i) {
            out += ' ';
            const auto& t = d.ip[i].udp_tunnel;
            out += t ? dissect::udp_tunnel_name(t->kind) : dissect::encapsulation_name(d.ip[i].encapsulation);
        }
        out += ']';
    }
    if (L.checksum == dissect::ChecksumStatus::bad) out += " [bad cksum]";
    if (d.fault) {
        out += " [malformed: ";
        out += core::describe(*d.fault);
        out += ']';
    }
    out += '\n';
}

}  // namespace icmpkit::report
