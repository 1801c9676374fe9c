// IPv4 and IPv6 addresses as plain values; text conversion without the C library (pure code).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "icmpkit/core/bytes.hpp"

namespace icmpkit::core {

class Ipv4Address {
public:
    constexpr Ipv4Address() = default;
    constexpr explicit Ipv4Address(std::uint32_t host_order) noexcept : v_(host_order) {}
    constexpr Ipv4Address(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) noexcept
        : v_((std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d) {}
    // From 4 network-order bytes; the caller has checked the bounds.
    static constexpr Ipv4Address from_bytes(const std::uint8_t* p) noexcept {
        return Ipv4Address(load_be32(p));
    }
    static std::optional<Ipv4Address> parse(std::string_view text) noexcept;  // dotted quad only

    constexpr std::uint32_t to_uint() const noexcept { return v_; }
    constexpr std::array<std::uint8_t, 4> to_bytes() const noexcept {
        return {static_cast<std::uint8_t>(v_ >> 24), static_cast<std::uint8_t>(v_ >> 16),
                static_cast<std::uint8_t>(v_ >> 8), static_cast<std::uint8_t>(v_)};
    }
    std::string to_string() const;
    // Writes the dotted quad into `out` (at least 16 bytes); returns the length written.
    std::size_t format_to(char* out) const noexcept;

    constexpr bool is_unspecified() const noexcept { return v_ == 0; }
    constexpr bool is_loopback() const noexcept { return (v_ >> 24) == 127; }
    constexpr bool is_multicast() const noexcept { return (v_ >> 28) == 0xE; }
    constexpr bool is_limited_broadcast() const noexcept { return v_ == 0xFFFFFFFFu; }
    constexpr bool is_link_local() const noexcept { return (v_ >> 16) == 0xA9FE; }
    // Class E (240/4) other than the limited broadcast.
    constexpr bool is_reserved() const noexcept { return (v_ >> 28) == 0xF && v_ != 0xFFFFFFFFu; }

    friend constexpr auto operator<=>(const Ipv4Address&, const Ipv4Address&) = default;

private:
    std::uint32_t v_ = 0;
};

class Ipv6Address {
public:
    constexpr Ipv6Address() = default;
    constexpr explicit Ipv6Address(const std::array<std::uint8_t, 16>& b) noexcept : b_(b) {}
    static constexpr Ipv6Address from_bytes(const std::uint8_t* p) noexcept {
        std::array<std::uint8_t, 16> b{};
        for (int i = 0; i < 16; ++i) b[i] = p[i];
        return Ipv6Address(b);
    }
    static std::optional<Ipv6Address> parse(std::string_view text) noexcept;  // RFC 4291 2.2 forms

    constexpr const std::array<std::uint8_t, 16>& bytes() const noexcept { return b_; }
    // RFC 5952 canonical text: lower case, longest zero run (first if tied, length >= 2) as "::",
    // embedded IPv4 for ::ffff:a.b.c.d.
    std::string to_string() const;
    std::size_t format_to(char* out) const noexcept;  // `out` holds at least 46 bytes

    constexpr bool is_unspecified() const noexcept {
        for (auto x : b_) if (x) return false;
        return true;
    }
    constexpr bool is_loopback() const noexcept {
        for (int i = 0; i < 15; ++i) if (b_[i]) return false;
        return b_[15] == 1;
    }
    constexpr bool is_multicast() const noexcept { return b_[0] == 0xFF; }
    constexpr bool is_link_local() const noexcept { return b_[0] == 0xFE && (b_[1] & 0xC0) == 0x80; }
    constexpr bool is_v4_mapped() const noexcept {
        for (int i = 0; i < 10; ++i) if (b_[i]) return false;
        return b_[10] == 0xFF && b_[11] == 0xFF;
    }

    friend constexpr auto operator<=>(const Ipv6Address&, const Ipv6Address&) = default;

private:
    std::array<std::uint8_t, 16> b_{};
};

enum class Family : std::uint8_t { v4 = 4, v6 = 6 };

// Either family, as one value (flow keys, reports).
class IpAddress {
public:
    constexpr IpAddress() = default;
    constexpr IpAddress(Ipv4Address a) noexcept : family_(Family::v4), v4_(a) {}
    constexpr IpAddress(Ipv6Address a) noexcept : family_(Family::v6), v6_(a) {}
    static std::optional<IpAddress> parse(std::string_view text) noexcept;

    constexpr Family family() const noexcept { return family_; }
    constexpr bool is_v4() const noexcept { return family_ == Family::v4; }
    constexpr bool is_v6() const noexcept { return family_ == Family::v6; }
    constexpr const Ipv4Address& v4() const noexcept { return v4_; }
    constexpr const Ipv6Address& v6() const noexcept { return v6_; }
    std::string to_string() const;

    friend constexpr bool operator==(const IpAddress&, const IpAddress&) = default;
    friend constexpr auto operator<=>(const IpAddress&, const IpAddress&) = default;

private:
    Family family_ = Family::v4;
    Ipv4Address v4_{};
    Ipv6Address v6_{};
};

}  // namespace icmpkit::core
