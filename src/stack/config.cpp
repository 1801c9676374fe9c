#include "icmpkit/stack/config.hpp"

#include <charconv>

namespace icmpkit::stack {

bool Prefix::contains(const core::IpAddress& a) const noexcept {
    if (a.family() != address.family()) return false;
    if (a.is_v4()) {
        unsigned len = length > 32 ? 32 : length;
        if (len == 0) return true;
        std::uint32_t mask = len == 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> len);
        return (a.v4().to_uint() & mask) == (address.v4().to_uint() & mask);
    }
    unsigned len = length > 128 ? 128 : length;
    const auto& x = a.v6().bytes();
    const auto& y = address.v6().bytes();
    unsigned full = len / 8;
    for (unsigned i = 0; i < full; ++i)
        if (x[i] != y[i]) return false;
    if (unsigned bits = len % 8) {
        auto mask = static_cast<std::uint8_t>(0xFF << (8 - bits));
        if ((x[full] & mask) != (y[full] & mask)) return false;
    }
    return true;
}

std::optional<Prefix> parse_prefix(std::string_view text) noexcept {
    auto slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto addr = core::IpAddress::parse(text.substr(0, slash));
    if (!addr) return std::nullopt;
    auto len_text = text.substr(slash + 1);
    unsigned len = 0;
    auto [p, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    if (ec != std::errc{} || p != len_text.data() + len_text.size()) return std::nullopt;
    if (len > (addr->is_v4() ? 32u : 128u)) return std::nullopt;
    return Prefix{*addr, static_cast<std::uint8_t>(len)};
}

}  // namespace icmpkit::stack
