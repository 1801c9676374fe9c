// What an IPv4 node sends: ICMP errors (RFC 792, RFC 1812 4.3.2, RFC 4884/4950/5837), replies,
// the RFC 8335 extended echo reply, and fragments (RFC 791 3.2).
#include <algorithm>

#include "icmpkit/stack/node.hpp"
#include "icmpkit/wire/checksum.hpp"
#include "icmpkit/wire/icmpv4.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "icmpkit/wire/ipv4.hpp"

namespace icmpkit::stack {

namespace {

// The options a non-first fragment carries: those with the copied flag (RFC 791 3.1), padded.
core::Buffer copied_options(core::Bytes options) {
    core::Buffer out;
    for (std::size_t i = 0; i < options.size();) {
        std::uint8_t t = options[i];
        if (t == wire::ipv4_option::end_of_option_list) break;
        if (t == wire::ipv4_option::no_operation) { ++i; continue; }
        if (i + 1 >= options.size() || options[i + 1] < 2 || i + options[i + 1] > options.size()) break;
        if (t & 0x80) out.insert(out.end(), options.begin() + i, options.begin() + i + options[i + 1]);
        i += options[i + 1];
    }
    while (out.size() % 4) out.push_back(0);
    return out;
}

core::Buffer make_fragment(core::Bytes header, core::Bytes options, core::Bytes data, std::uint32_t offset,
                           bool more) {
    core::Buffer f;
    f.reserve(20 + options.size() + data.size());
    f.insert(f.end(), header.begin(), header.begin() + 20);
    f.insert(f.end(), options.begin(), options.end());
    f.insert(f.end(), data.begin(), data.end());
    f[0] = static_cast<std::uint8_t>(0x40 | ((20 + options.size()) / 4));
    core::store_be16(&f[2], static_cast<std::uint16_t>(f.size()));
    std::uint16_t flags = static_cast<std::uint16_t>(core::load_be16(&f[6]) & 0x4000);  // keep DF (0 here)
    if (header[6] & 0x80) flags |= 0x8000;                                        // keep the reserved bit
    if (more) flags |= 0x2000;
    core::store_be16(&f[6], static_cast<std::uint16_t>(flags | ((offset / 8) & 0x1FFF)));
    core::store_be16(&f[10], 0);
    core::store_be16(&f[10], wire::internet_checksum(core::Bytes(f.data(), 20 + options.size())));
    return f;
}

}  // namespace

bool Node::transmit_v4(core::Buffer bytes, std::uint32_t ifindex, const core::IpAddress& next_hop,
                       std::uint32_t mtu) {
    if (bytes.size() <= mtu) {
        outputs_.push_back(Transmit{ifindex, next_hop, std::move(bytes)});
        return true;
    }
    // RFC 791 3.2 fragmentation: data in multiples of 8 octets; the first fragment keeps every
    // option, the others only the copied ones; MF on all but the last (or as the original had).
    std::size_t ihl = std::size_t{bytes[0] & 0x0Fu} * 4;
    core::Bytes all(bytes);
    core::Bytes header = all.first(ihl);
    core::Bytes data = all.subspan(ihl);
    core::Buffer later_opts = copied_options(header.subspan(20));
    // Every fragment must carry at least 8 data octets (RFC 791: a module must forward 68).
    if (mtu < ihl + 8) return false;
    std::uint32_t base = std::uint32_t{static_cast<std::uint16_t>(core::load_be16(&bytes[6]) & 0x1FFF)} * 8;
    bool orig_more = (bytes[6] & 0x20) != 0;
    std::size_t pos = 0;
    bool first = true;
    while (pos < data.size()) {
        core::Bytes opts = first ? header.subspan(20) : core::Bytes(later_opts);
        std::size_t room = mtu > 20 + opts.size() ? (mtu - 20 - opts.size()) / 8 * 8 : 0;
        std::size_t n = std::min(room, data.size() - pos);
        bool more = pos + n < data.size() || orig_more;
        outputs_.push_back(Transmit{ifindex, next_hop, make_fragment(header, opts, data.subspan(pos, n),
                                                                     base + static_cast<std::uint32_t>(pos), more)});
        ++counters_.fragments_created;
        pos += n;
        first = false;
    }
    return true;
}

bool Node::error_v4(const Input& in, const ErrorSpec& spec) {
    namespace w4 = wire::icmpv4;
    if (config_.silent) {
        suppress(SuppressReason::silent_node);
        return false;
    }
    if (auto why = error_suppressed(facts_v4(in), spec.type, spec.code)) {
        suppress(*why);
        return false;
    }
    core::Bytes d = in.datagram;
    core::Ipv4Address to = core::Ipv4Address::from_bytes(&d[12]);
    wire::FlowKey flow{core::IpAddress(), to, wire::ip_protocol::icmp, 0, 0};
    auto route = routes_.lookup(to, flow);
    if (!route) {
        suppress(SuppressReason::no_route_back);
        return false;
    }
    auto source = source_for(core::Family::v4, route->ifindex);
    if (!source) {
        suppress(SuppressReason::no_source_address);
        return false;
    }
    if (!rate_allows(core::Family::v4, spec.type, spec.code, to, in.now)) return false;

    // RFC 4884: extensions on Time Exceeded / Destination Unreachable (RFC 4950, RFC 5837).
    std::optional<wire::ext::ExtensionStructure> ext;
    if (spec.extensions) ext = extensions_for(in.iface);
    QuotePlan plan = plan_quote(core::Family::v4, d.size(), ext ? wire::ext::encoded_size(*ext) : 0);
    if (!plan.fits) ext.reset();
    core::Buffer original(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(plan.copy));

    w4::Message msg;
    switch (spec.type) {
        case w4::type::destination_unreachable: {
            w4::DestinationUnreachable m;
            m.code = spec.code;
            m.next_hop_mtu = static_cast<std::uint16_t>(spec.rest);
            m.original = std::move(original);
            if (ext) w4::attach_extensions(m, std::move(*ext));
            msg = std::move(m);
            break;
        }
        case w4::type::time_exceeded: {
            w4::TimeExceeded m;
            m.code = spec.code;
            m.original = std::move(original);
            if (ext) w4::attach_extensions(m, std::move(*ext));
            msg = std::move(m);
            break;
        }
        case w4::type::parameter_problem: {
            w4::ParameterProblem m;
            m.code = spec.code;
            m.pointer = static_cast<std::uint8_t>(spec.rest >> 24);
            m.original = std::move(original);
            msg = std::move(m);
            break;
        }
        default: {  // redirect
            w4::Redirect m;
            m.code = spec.code;
            m.gateway = core::Ipv4Address(spec.rest);
            m.original = std::move(original);
            msg = std::move(m);
            break;
        }
    }
    core::Buffer icmp;
    core::ByteWriter iw(icmp);
    w4::emit(msg, iw, w4::ChecksumMode::compute);

    wire::Ipv4Header h;
    h.dscp = 0x30;  // RFC 1812 4.3.2.5: precedence 6 (internetwork control): TOS 0xC0
    h.total_length = static_cast<std::uint16_t>(20 + icmp.size());
    h.identification = next_identification_++;
    h.ttl = config_.default_ttl;
    h.protocol = wire::ip_protocol::icmp;
    h.source = source->v4();
    h.destination = to;
    core::Buffer packet;
    core::ByteWriter pw(packet);
    h.emit(pw);
    pw.bytes(icmp);
    outputs_.push_back(Transmit{route->ifindex, route->next_hop, std::move(packet)});
    count_generated(core::Family::v4, spec.type, spec.code);
    return true;
}

void Node::reply_v4(const Input& in, core::Buffer icmp, core::Ipv4Address reply_to) {
    std::uint8_t type = icmp[0], code = icmp[1];
    auto hv = *wire::Ipv4HeaderView::parse(in.datagram);
    wire::FlowKey flow{core::IpAddress(), reply_to, wire::ip_protocol::icmp, 0, 0};
    auto route = reply_to.is_unspecified() ? std::nullopt : routes_.lookup(reply_to, flow);
    if (!route) {
        suppress(SuppressReason::no_route_back);
        return dispose(DropReason::not_answered);
    }
    // RFC 1122 3.2.2.6: the reply's source is the request's destination, unless that was a
    // broadcast or multicast address: then an address of the receiving interface.
    std::optional<core::IpAddress> source;
    if (is_local_address(hv.destination())) source = hv.destination();
    else source = source_for(core::Family::v4, in.iface.ifindex);
    if (!source) {
        suppress(SuppressReason::no_source_address);
        return dispose(DropReason::not_answered);
    }
    if (!rate_allows(core::Family::v4, type, code, reply_to, in.now)) return dispose(DropReason::not_answered);
    wire::Ipv4Header h;
    h.dscp = hv.dscp();  // RFC 1122 3.2.2.6 keeps the request's data; we keep its TOS too
    h.total_length = static_cast<std::uint16_t>(20 + icmp.size());
    h.identification = next_identification_++;
    h.ttl = config_.default_ttl;
    h.protocol = wire::ip_protocol::icmp;
    h.source = source->v4();
    h.destination = reply_to;
    core::Buffer packet;
    core::ByteWriter pw(packet);
    h.emit(pw);
    pw.bytes(icmp);
    const Interface* out = interface_by_index(route->ifindex);
    if (!transmit_v4(std::move(packet), route->ifindex, route->next_hop, out ? out->mtu : 1500))
        return dispose(DropReason::not_answered);
    ++counters_.answered;
    count_generated(core::Family::v4, type, code);
}

core::Buffer Node::extended_echo_reply_v4(const Input& in, core::Bytes request) {
    namespace w4 = wire::icmpv4;
    auto req = std::get<w4::ExtendedEchoRequest>(*w4::parse(request));
    w4::ExtendedEchoReply r;
    r.identifier = req.identifier;
    r.sequence = req.sequence;
    // RFC 8335 4 (our reading): exactly one Interface Identification Object, else code 1
    // Malformed Query; L set: the interface must be ours (code 2 No Such Interface, code 4 when
    // an address names several); L clear (a neighbour): we keep no neighbour table, so an
    // address query gets code 3 No Such Table Entry and a name / index query code 1.
    const wire::ext::InterfaceIdentification* id = nullptr;
    if (req.extensions && req.extensions->objects.size() == 1)
        id = std::get_if<wire::ext::InterfaceIdentification>(&req.extensions->objects.front());
    if (!id) {
        r.code = 1;
    } else if (!req.local) {
        r.code = id->kind == wire::ext::IdentificationKind::by_address && id->ip_address() ? 3 : 1;
    } else {
        std::vector<const Interface*> found;
        switch (id->kind) {
            case wire::ext::IdentificationKind::by_name:
                if (auto* i = interface_by_name(id->name)) found.push_back(i);
                break;
            case wire::ext::IdentificationKind::by_index:
                if (auto* i = interface_by_index(id->ifindex)) found.push_back(i);
                break;
            case wire::ext::IdentificationKind::by_address: {
                auto a = id->ip_address();
                if (!a) { r.code = 1; break; }
                for (const auto& i : config_.interfaces)
                    for (const auto& p : i.addresses)
                        if (p.address == *a) { found.push_back(&i); break; }
                break;
            }
        }
        if (r.code == 0) {
            if (found.empty()) r.code = 2;
            else if (found.size() > 1) r.code = 4;
            else {
                const Interface& i = *found.front();
                r.active = i.active;  // RFC 8335 3: A, 4, 6 for a local interface; state 0
                for (const auto& p : i.addresses) (p.address.is_v4() ? r.ipv4 : r.ipv6) = true;
            }
        }
    }
    (void)in;
    core::Buffer out;
    core::ByteWriter w(out);
    w4::emit(r, w);
    return out;
}

}  // namespace icmpkit::stack
