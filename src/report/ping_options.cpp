#include "icmpkit/report/ping_options.hpp"

#include <cstdio>
#include <optional>
#include <variant>

#include "icmpkit/wire/ipv4.hpp"

namespace icmpkit::report {
namespace {

constexpr int min_offset = 4;  // IPOPT_MINOFF: a route option's pointer at its first slot

struct TsEntry {
    std::optional<core::Ipv4Address> address;
    std::uint32_t timestamp = 0;
};

std::string text_of(long v, const char* suffix) {
    char b[48];
    std::snprintf(b, sizeof b, "\t%ld%s", v, suffix);
    return b;
}

}  // namespace

std::string PingOptionsText::address(std::uint32_t a) const {
    if (a == 0) return "\t0.0.0.0";
    return "\t" + namer_(core::IpAddress(core::Ipv4Address(a)));
}

namespace {

// RFC 791 3.1 Internet Timestamp: "the timestamp is a right-justified, 32-bit timestamp in
// milliseconds since midnight UT. If the time is not available in milliseconds or cannot be
// provided with respect to midnight UT then any time may be inserted as a timestamp provided the
// high order bit of the timestamp field is set to one to indicate the use of a non-standard value."
std::string render_timestamp(std::uint8_t pointer, std::size_t length, std::uint8_t flags,
                             const std::vector<TsEntry>& entries,
                             const std::function<std::string(std::uint32_t)>& addr) {
    int i = std::min<int>(pointer, static_cast<int>(length)) - 5;
    if (i <= 0) return {};
    std::string s = "\nTS: ";
    long std_time = 0, nonstd_time = 0;
    for (const auto& e : entries) {
        if ((flags & 0x0F) != 0) {  // not tsonly: an address precedes each timestamp
            s += addr(e.address ? e.address->to_uint() : 0);
            i -= 4;
            if (i <= 0) break;
        }
        const long l = static_cast<long>(e.timestamp);
        if (l & 0x80000000L) {
            s += nonstd_time == 0 ? text_of(l & 0x7fffffffL, " absolute not-standard")
                                  : text_of((l & 0x7fffffffL) - nonstd_time, " not-standard");
            nonstd_time = l & 0x7fffffffL;
        } else {
            s += std_time == 0 ? text_of(l, " absolute") : text_of(l - std_time, "");
            std_time = l;
        }
        i -= 4;
        s += '\n';
        if (i <= 0) break;
    }
    if (flags >> 4) s += "Unrecorded hops: " + std::to_string(flags >> 4) + "\n";
    return s;
}

}  // namespace

std::string PingOptionsText::render(core::Bytes options) {
    auto parsed = wire::parse_ipv4_options(options);
    if (!parsed) {
        // Keep the options before the bad length octet (offset points at it; the option's type
        // octet is one before).
        std::size_t good = parsed.error().offset > 0 ? parsed.error().offset - 1 : 0;
        parsed = wire::parse_ipv4_options(options.first(good));
        if (!parsed) return {};
    }
    auto addr = [this](std::uint32_t a) { return address(a); };
    std::string s;
    for (const auto& o : *parsed) {
        if (std::holds_alternative<wire::EndOfOptionList>(o)) break;
        if (std::holds_alternative<wire::NoOperation>(o)) {
            s += "\nNOP";
        } else if (const auto* r = std::get_if<wire::RecordRoute>(&o)) {
            const int length = 3 + 4 * static_cast<int>(r->route.size());
            if (r->type != wire::ipv4_option::record_route) {  // loose or strict source route
                s += r->type == wire::ipv4_option::strict_source_route ? "\nSSRR: " : "\nLSRR: ";
                int j = r->pointer;
                for (std::size_t k = 0; j > min_offset && k < r->route.size(); ++k) {
                    s += address(r->route[k].to_uint()) + "\n";
                    j -= 4;
                }
                continue;
            }
            int i = std::min<int>(r->pointer, length) - min_offset;
            if (i <= 0) continue;
            // iputils compares i octets from the pointer octet on with the previous reply's.
            std::vector<std::uint8_t> key{r->pointer};
            for (auto a : r->route)
                for (int b = 3; b >= 0; --b) key.push_back(static_cast<std::uint8_t>(a.to_uint() >> (8 * b)));
            key.resize(static_cast<std::size_t>(i));
            if (have_old_rr_ && key == old_rr_) {
                s += "\t(same route)";
                continue;
            }
            old_rr_ = key;
            have_old_rr_ = true;
            s += "\nRR: ";
            for (std::size_t k = 0; i > 0 && k < r->route.size(); ++k) {
                s += address(r->route[k].to_uint()) + "\n";
                i -= 4;
            }
        } else if (const auto* t = std::get_if<wire::Timestamp>(&o)) {
            std::vector<TsEntry> e;
            for (const auto& x : t->entries) e.push_back({x.address, x.timestamp});
            const std::size_t length = 4 + t->entries.size() * (t->flag == 0 ? 4 : 8);
            s += render_timestamp(t->pointer, length, static_cast<std::uint8_t>((t->overflow << 4) | t->flag), e, addr);
        } else if (const auto* raw = std::get_if<wire::RawOption>(&o)) {
            if (raw->type == wire::ipv4_option::timestamp && raw->data.size() >= 2) {
                // A flag RFC 791 does not define: iputils reads address/timestamp pairs.
                std::vector<TsEntry> e;
                for (std::size_t k = 2; k + 8 <= raw->data.size(); k += 8)
                    e.push_back({core::Ipv4Address::from_bytes(&raw->data[k]), core::load_be32(&raw->data[k + 4])});
                s += render_timestamp(raw->data[0], raw->data.size() + 2, raw->data[1], e, addr);
            } else {
                char b[32];
                std::snprintf(b, sizeof b, "\nunknown option %x", raw->type);
                s += b;
            }
        }
    }
    return s;
}

}  // namespace icmpkit::report
