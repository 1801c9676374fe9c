// RFC 5927 section 4 defences for ICMP errors matched through their quote.
#include "icmpkit/probe/error_match.hpp"

#include <algorithm>
#include <type_traits>
#include <variant>

#include "icmpkit/wire/classify.hpp"
#include "icmpkit/wire/icmpv4.hpp"
#include "icmpkit/wire/icmpv6.hpp"
#include "icmpkit/wire/ip_protocol.hpp"

namespace icmpkit::probe {

namespace {

template <class Message>
const core::Buffer* original_of(const Message& msg) noexcept {
    return std::visit(
        [](const auto& m) -> const core::Buffer* {
            if constexpr (requires { m.original; }) return &m.original;
            else return nullptr;
        },
        msg);
}

MatchResult malformed(core::Fault f, std::size_t offset) noexcept {
    MatchResult r;
    r.verdict = MatchVerdict::malformed;
    r.fault = core::WireError{f, static_cast<std::uint32_t>(offset)};
    return r;
}

// The lengths a quote claims must be possible (RFC 5927 4: reject what cannot be ours).
bool lengths_lie(const wire::QuotedDatagram& q) noexcept {
    if (q.ip_fault) return true;
    if (q.claimed_length < q.ip_header_length) return true;
    bool ported = q.protocol == wire::ip_protocol::tcp || q.protocol == wire::ip_protocol::udp;
    return ported && q.fragment_offset == 0 && q.claimed_length < q.ip_header_length + 8;
}

struct Parsed {
    wire::Classification classification;
    core::Buffer original;
};

}  // namespace

std::string_view verdict_name(MatchVerdict v) noexcept {
    switch (v) {
    case MatchVerdict::delivered: return "delivered";
    case MatchVerdict::not_error: return "not_error";
    case MatchVerdict::malformed: return "malformed";
    case MatchVerdict::suspicious: return "suspicious";
    case MatchVerdict::out_of_window: return "out_of_window";
    }
    return "?";
}

FlowId ErrorMatcher::add_flow(const wire::FlowKey& key, std::optional<TcpSendWindow> window) {
    flows_.push_back(Flow{next_id_, key, window});
    return next_id_++;
}

bool ErrorMatcher::set_window(FlowId id, TcpSendWindow window) noexcept {
    for (auto& f : flows_)
        if (f.id == id) return f.window = window, true;
    return false;
}

bool ErrorMatcher::remove_flow(FlowId id) noexcept {
    auto it = std::find_if(flows_.begin(), flows_.end(), [&](const Flow& f) { return f.id == id; });
    if (it == flows_.end()) return false;
    flows_.erase(it);
    return true;
}

const ErrorMatcher::Flow* ErrorMatcher::find(const wire::FlowKey& q) const noexcept {
    for (const auto& f : flows_) {
        const auto& k = f.key;
        bool src_ok = k.src == q.src || (k.src.is_v4() ? k.src.v4().is_unspecified() : k.src.v6().is_unspecified());
        if (src_ok && k.src.family() == q.src.family() && k.dst == q.dst && k.protocol == q.protocol &&
            k.src_port == q.src_port && k.dst_port == q.dst_port)
            return &f;
    }
    return nullptr;
}

MatchResult ErrorMatcher::count(MatchResult r) noexcept {
    switch (r.verdict) {
    case MatchVerdict::delivered: ++counters_.delivered; break;
    case MatchVerdict::not_error: ++counters_.not_error; break;
    case MatchVerdict::malformed: ++counters_.malformed; break;
    case MatchVerdict::suspicious: ++counters_.suspicious; break;
    case MatchVerdict::out_of_window: ++counters_.out_of_window; break;
    }
    return r;
}

MatchResult ErrorMatcher::match(core::Family family, core::Bytes message, const core::IpAddress& reporter,
                                const core::IpAddress* destination) noexcept {
    return judge(family, message, reporter, destination, true);
}

MatchResult ErrorMatcher::inspect(core::Family family, core::Bytes message, const core::IpAddress& reporter,
                                  const core::IpAddress* destination) noexcept {
    return judge(family, message, reporter, destination, false);
}

MatchResult ErrorMatcher::judge(core::Family family, core::Bytes message, const core::IpAddress& reporter,
                                const core::IpAddress* destination, bool registry) noexcept {
    Parsed p;
    if (family == core::Family::v4) {
        auto m = wire::icmpv4::parse(message);
        if (!m) return count(malformed(m.error().fault, m.error().offset));
        p.classification = wire::classify(*m);
        if (auto* o = original_of(*m)) p.original = *o;
    } else {
        wire::icmpv6::ParseOptions opt;
        bool v6_pair = reporter.is_v6() && destination && destination->is_v6();
        opt.verify_checksum = v6_pair;
        if (v6_pair) opt.source = &reporter.v6(), opt.destination = &destination->v6();
        auto m = wire::icmpv6::parse(message, opt);
        if (!m) return count(malformed(m.error().fault, m.error().offset));
        p.classification = wire::classify(*m);
        if (auto* o = original_of(*m)) p.original = *o;
    }
    const auto& c = p.classification;
    if (!c.is_error) return count(MatchResult{MatchVerdict::not_error});
    const std::size_t quote_at = family == core::Family::v4 ? 8 : 8;  // after type, code, checksum, word
    auto q = wire::parse_quote(core::Bytes(p.original));
    if (!q) return count(malformed(q.error().fault, quote_at + q.error().offset));
    // An ICMPv4 error quotes an IPv4 datagram, an ICMPv6 error an IPv6 one (RFC 792, RFC 4443 2.4).
    if (q->version != static_cast<std::uint8_t>(family)) return count(malformed(core::Fault::bad_version, quote_at));
    if (lengths_lie(*q)) return count(malformed(core::Fault::bad_length, quote_at));
    // RFC 792 / RFC 1812 4.3.2.3: the quote holds at least the IP header and 64 bits of data.
    bool ported = q->protocol == wire::ip_protocol::tcp || q->protocol == wire::ip_protocol::udp;
    if (ported && q->fragment_offset == 0 && q->transport.size() < 8)
        return count(malformed(core::Fault::truncated, quote_at + q->present_length));
    auto key = q->flow_key();
    if (!key) return count(malformed(core::Fault::truncated, quote_at + q->present_length));
    const Flow* f = registry ? find(*key) : nullptr;
    if (registry && !f) return count(MatchResult{MatchVerdict::suspicious});
    if (f && key->protocol == wire::ip_protocol::tcp) {
        // RFC 5927 4.1: SND.UNA <= SEG.SEQ < SND.NXT, else the error is not about our data.
        if (!q->tcp || !q->tcp->sequence_number || !f->window || !f->window->contains(*q->tcp->sequence_number))
            return count(MatchResult{MatchVerdict::out_of_window, f->id});
    }
    MatchResult r{MatchVerdict::delivered, f ? f->id : FlowId{0}};
    IcmpError e;
    e.origin = family == core::Family::v4 ? ErrorOrigin::icmp : ErrorOrigin::icmp6;
    e.type = c.type;
    e.code = c.code;
    e.classification = c;
    e.reporter = reporter;
    e.flow = *key;
    e.mtu = c.mtu;
    e.error_number = kernel_errno(family, c.type, c.code);
    r.error = e;
    return count(std::move(r));
}

}  // namespace icmpkit::probe
