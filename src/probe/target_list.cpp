#include "icmpkit/probe/target_list.hpp"

#include <array>
#include <charconv>

namespace icmpkit::probe {
namespace {

std::string text(std::string_view s) { return std::string(s); }

core::Unexpected<std::string> too_many() {
    return core::Unexpected(std::string("-g parameter generates too many addresses"));
}

// 128-bit arithmetic on IPv6 addresses as two 64-bit halves.
struct U128 {
    std::uint64_t hi = 0, lo = 0;
};
U128 to_u128(const core::Ipv6Address& a) {
    U128 v;
    for (int i = 0; i < 8; ++i) v.hi = (v.hi << 8) | a.bytes()[static_cast<std::size_t>(i)];
    for (int i = 8; i < 16; ++i) v.lo = (v.lo << 8) | a.bytes()[static_cast<std::size_t>(i)];
    return v;
}
core::Ipv6Address from_u128(U128 v) {
    std::array<std::uint8_t, 16> b{};
    for (int i = 7; i >= 0; --i, v.hi >>= 8) b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v.hi);
    for (int i = 15; i >= 8; --i, v.lo >>= 8) b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v.lo);
    return core::Ipv6Address(b);
}

TargetListResult v6_span(U128 first, std::uint64_t n) {
    std::vector<core::IpAddress> out;
    out.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) {
        out.emplace_back(from_u128(first));
        if (++first.lo == 0) ++first.hi;
    }
    return out;
}

}  // namespace

TargetListResult generate_cidr(std::string_view cidr, std::size_t limit) {
    const auto slash = cidr.find('/');
    if (slash == std::string_view::npos) return core::Unexpected("not a CIDR prefix: " + text(cidr));
    const std::string_view addr = cidr.substr(0, slash), len = cidr.substr(slash + 1);
    int prefix = -1;
    auto [p, ec] = std::from_chars(len.data(), len.data() + len.size(), prefix);
    const bool number = ec == std::errc() && p == len.data() + len.size() && !len.empty();
    auto ip = core::IpAddress::parse(addr);
    if (!ip) return core::Unexpected("can't parse address " + text(addr));
    if (ip->is_v4()) {
        if (!number || prefix < 1 || prefix > 32)
            return core::Unexpected("netmask must be between 1 and 32 (is: " + text(len) + ")");
        const std::uint64_t size = std::uint64_t{1} << (32 - prefix);
        const std::uint32_t mask = prefix == 32 ? 0xFFFFFFFFu : ~((0xFFFFFFFFu) >> prefix);
        std::uint64_t first = ip->v4().to_uint() & mask, last = first + size - 1;
        if (prefix < 31) {  // fping add_cidr(): no network and broadcast address
            ++first;
            --last;
        }
        const std::uint64_t n = last - first + 1;
        if (n > limit) return too_many();
        std::vector<core::IpAddress> out;
        out.reserve(n);
        for (std::uint64_t a = first; a <= last; ++a) out.emplace_back(core::Ipv4Address(static_cast<std::uint32_t>(a)));
        return out;
    }
    if (!number || prefix < 1 || prefix > 128)
        return core::Unexpected("netmask must be between 1 and 128 (is: " + text(len) + ")");
    const int host_bits = 128 - prefix;
    if (host_bits >= 63 || (std::uint64_t{1} << host_bits) > limit) return too_many();
    U128 v = to_u128(ip->v6());
    v.lo &= ~((std::uint64_t{1} << host_bits) - 1);  // host_bits < 63: only the low half changes
    return v6_span(v, std::uint64_t{1} << host_bits);
}

TargetListResult generate_range(std::string_view first, std::string_view last, std::size_t limit) {
    auto a = core::IpAddress::parse(first);
    if (!a) return core::Unexpected("can't parse address " + text(first));
    auto b = core::IpAddress::parse(last);
    if (!b) return core::Unexpected("can't parse address " + text(last));
    if (a->family() != b->family()) return core::Unexpected(std::string("-g: the two addresses are of different families"));
    if (a->is_v4()) {
        const std::uint64_t x = a->v4().to_uint(), y = b->v4().to_uint();
        if (y < x) return std::vector<core::IpAddress>{};  // fping: an empty list
        if (y - x + 1 > limit) return too_many();
        std::vector<core::IpAddress> out;
        out.reserve(y - x + 1);
        for (std::uint64_t v = x; v <= y; ++v) out.emplace_back(core::Ipv4Address(static_cast<std::uint32_t>(v)));
        return out;
    }
    const U128 x = to_u128(a->v6()), y = to_u128(b->v6());
    if (y.hi < x.hi || (y.hi == x.hi && y.lo < x.lo)) return std::vector<core::IpAddress>{};
    if (y.hi != x.hi && !(y.hi == x.hi + 1 && y.lo < x.lo)) return too_many();
    const std::uint64_t diff = y.lo - x.lo;  // modular: correct across the 64-bit boundary too
    if (diff >= limit) return too_many();
    return v6_span(x, diff + 1);
}

TargetLines parse_target_lines(std::string_view text, std::size_t limit) {
    TargetLines r;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        std::size_t i = 0;
        auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
        while (i < line.size() && blank(line[i])) ++i;
        if (i == line.size() || line[i] == '#') continue;
        std::size_t j = i;
        while (j < line.size() && !blank(line[j]) && line[j] != '#') ++j;
        if (r.targets.size() == limit) {
            r.truncated = true;
            break;
        }
        r.targets.emplace_back(line.substr(i, j - i));
    }
    return r;
}

}  // namespace icmpkit::probe
