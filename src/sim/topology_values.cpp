#include "topology_values.hpp"

#include <array>

namespace icmpkit::sim::detail {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "12.345" scaled by 10^scale_digits, exactly; nullopt on junk, too many decimals or overflow.
std::optional<std::uint64_t> parse_fixed(std::string_view s, int scale_digits, std::uint64_t max) {
    if (s.empty()) return std::nullopt;
    std::uint64_t v = 0;
    int decimals = -1;
    bool any_digit = false;
    for (char c : s) {
        if (c == '.') {
            if (decimals >= 0) return std::nullopt;
            decimals = 0;
            continue;
        }
        if (c < '0' || c > '9') return std::nullopt;
        if (decimals >= 0 && ++decimals > scale_digits) return std::nullopt;
        if (v > (max * 10 + 9) / 10) return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
        any_digit = true;
    }
    if (!any_digit || decimals == 0) return std::nullopt;
    for (int i = decimals < 0 ? 0 : decimals; i < scale_digits; ++i) {
        if (v > max) return std::nullopt;
        v *= 10;
    }
    if (v > max) return std::nullopt;
    return v;
}

}  // namespace

std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max) noexcept {
    if (s.empty() || s.size() > 20) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        std::uint64_t d = static_cast<std::uint64_t>(c - '0');
        if (v > (max - d) / 10) return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

std::optional<core::Duration> parse_duration(std::string_view s) noexcept {
    if (s == "0") return core::Duration{0};
    struct Unit { std::string_view suffix; int digits; };  // digits: log10(ns per unit)
    static constexpr std::array<Unit, 4> units{{{"ns", 0}, {"us", 3}, {"ms", 6}, {"s", 9}}};
    constexpr std::uint64_t max_ns = 3600ull * 1'000'000'000ull;  // an hour is plenty
    for (const auto& u : units) {
        if (!ends_with(s, u.suffix)) continue;
        auto v = parse_fixed(s.substr(0, s.size() - u.suffix.size()), u.digits, max_ns);
        if (!v) return std::nullopt;
        return core::Duration{static_cast<std::int64_t>(*v)};
    }
    return std::nullopt;
}

std::optional<std::uint32_t> parse_percent_ppm(std::string_view s) noexcept {
    if (!ends_with(s, "%")) return std::nullopt;
    auto v = parse_fixed(s.substr(0, s.size() - 1), 4, 1'000'000);  // 100.0000% = 10^6
    if (!v) return std::nullopt;
    return static_cast<std::uint32_t>(*v);
}

std::optional<std::uint64_t> parse_rate(std::string_view s) noexcept {
    struct Unit { std::string_view suffix; std::uint64_t mult; };
    static constexpr std::array<Unit, 4> units{
        {{"gbit", 1'000'000'000ull}, {"mbit", 1'000'000ull}, {"kbit", 1'000ull}, {"bit", 1ull}}};
    for (const auto& u : units) {
        if (!ends_with(s, u.suffix)) continue;
        auto v = parse_uint(s.substr(0, s.size() - u.suffix.size()), 1'000'000'000'000ull / u.mult);
        if (!v || *v == 0) return std::nullopt;
        return *v * u.mult;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> parse_bytes(std::string_view s) noexcept {
    std::uint64_t mult = 1;
    if (ends_with(s, "kB")) { mult = 1000; s.remove_suffix(2); }
    else if (ends_with(s, "MB")) { mult = 1'000'000; s.remove_suffix(2); }
    else if (ends_with(s, "B")) { s.remove_suffix(1); }
    auto v = parse_uint(s, 1'000'000'000ull / mult);
    if (!v) return std::nullopt;
    return *v * mult;
}

std::optional<RejectCode> parse_reject_code(std::string_view s) noexcept {
    // RFC 1812 5.2.7.1 / RFC 1122 3.2.2.1 (v4) and RFC 4443 3.1 (v6).
    if (s == "admin-prohibited") return RejectCode{13, 1};
    if (s == "host-prohibited") return RejectCode{10, 1};
    if (s == "net-prohibited") return RejectCode{9, 1};
    if (s == "port-unreachable") return RejectCode{3, 4};
    if (s == "host-unreachable") return RejectCode{1, 3};
    if (s == "net-unreachable") return RejectCode{0, 0};
    if (s == "protocol-unreachable") return RejectCode{2, 4};
    // RFC 792 / RFC 4443 3.3: Time Exceeded, fragment reassembly time exceeded.
    if (s == "reassembly-timeout") return RejectCode{1, 1, 11, 3};
    if (auto slash = s.find('/'); slash != std::string_view::npos) {  // "V4/V6" numbers
        auto v4 = parse_uint(s.substr(0, slash), 255);
        auto v6 = parse_uint(s.substr(slash + 1), 255);
        if (!v4 || !v6) return std::nullopt;
        return RejectCode{static_cast<std::uint8_t>(*v4), static_cast<std::uint8_t>(*v6)};
    }
    if (auto v = parse_uint(s, 255)) return RejectCode{static_cast<std::uint8_t>(*v), 1};
    return std::nullopt;
}

}  // namespace icmpkit::sim::detail
