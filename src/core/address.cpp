#include "icmpkit/core/address.hpp"

namespace icmpkit::core {
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::size_t put_decimal(char* out, unsigned v) noexcept {
    if (v >= 100) {
        out[0] = static_cast<char>('0' + v / 100);
        out[1] = static_cast<char>('0' + (v / 10) % 10);
        out[2] = static_cast<char>('0' + v % 10);
        return 3;
    }
    if (v >= 10) {
        out[0] = static_cast<char>('0' + v / 10);
        out[1] = static_cast<char>('0' + v % 10);
        return 2;
    }
    out[0] = static_cast<char>('0' + v);
    return 1;
}

std::size_t put_quad(char* out, const std::uint8_t* b) noexcept {
    std::size_t n = 0;
    for (int i = 0; i < 4; ++i) {
        if (i) out[n++] = '.';
        n += put_decimal(out + n, b[i]);
    }
    return n;
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text) noexcept {
    std::uint32_t v = 0;
    int parts = 0;
    std::size_t i = 0;
    while (parts < 4) {
        if (i >= text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
        unsigned part = 0;
        std::size_t digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            part = part * 10 + static_cast<unsigned>(text[i] - '0');
            if (++digits > 3 || part > 255) return std::nullopt;
            ++i;
        }
        if (digits > 1 && text[i - digits] == '0') return std::nullopt;  // no octal-looking parts
        v = (v << 8) | part;
        ++parts;
        if (parts < 4) {
            if (i >= text.size() || text[i] != '.') return std::nullopt;
            ++i;
        }
    }
    if (i != text.size()) return std::nullopt;
    return Ipv4Address(v);
}

std::size_t Ipv4Address::format_to(char* out) const noexcept {
    auto b = to_bytes();
    return put_quad(out, b.data());
}

std::string Ipv4Address::to_string() const {
    char buf[16];
    return std::string(buf, format_to(buf));
}

std::optional<Ipv6Address> Ipv6Address::parse(std::string_view text) noexcept {
    std::array<std::uint8_t, 16> out{};
    int words = 0;           // 16-bit groups written
    int gap = -1;            // index (in groups) where "::" stands
    std::size_t i = 0;
    if (text.size() >= 2 && text[0] == ':' && text[1] == ':') {
        gap = 0;
        i = 2;
    } else if (!text.empty() && text[0] == ':') {
        return std::nullopt;
    }
    while (i < text.size()) {
        if (words >= 8) return std::nullopt;
        // Embedded IPv4 at the tail.
        std::size_t j = i;
        while (j < text.size() && text[j] != ':' && text[j] != '.') ++j;
        if (j < text.size() && text[j] == '.') {
            if (words > 6) return std::nullopt;
            auto v4 = Ipv4Address::parse(text.substr(i));
            if (!v4) return std::nullopt;
            auto b = v4->to_bytes();
            for (int k = 0; k < 4; ++k) out[static_cast<std::size_t>(words * 2 + k)] = b[k];
            words += 2;
            i = text.size();
            break;
        }
        unsigned w = 0;
        std::size_t digits = 0;
        while (i < text.size() && hex_value(text[i]) >= 0) {
            w = (w << 4) | static_cast<unsigned>(hex_value(text[i]));
            if (++digits > 4) return std::nullopt;
            ++i;
        }
        if (digits == 0) return std::nullopt;
        out[static_cast<std::size_t>(words * 2)] = static_cast<std::uint8_t>(w >> 8);
        out[static_cast<std::size_t>(words * 2 + 1)] = static_cast<std::uint8_t>(w);
        ++words;
        if (i == text.size()) break;
        if (text[i] != ':') return std::nullopt;
        ++i;
        if (i < text.size() && text[i] == ':') {
            if (gap >= 0) return std::nullopt;
            gap = words;
            ++i;
        } else if (i == text.size()) {
            return std::nullopt;  // trailing single ':'
        }
    }
    if (gap >= 0) {
        if (words >= 8) return std::nullopt;
        int move = words - gap;
        std::array<std::uint8_t, 16> r{};
        for (int k = 0; k < gap * 2; ++k) r[static_cast<std::size_t>(k)] = out[static_cast<std::size_t>(k)];
        for (int k = 0; k < move * 2; ++k)
            r[static_cast<std::size_t>(16 - move * 2 + k)] = out[static_cast<std::size_t>(gap * 2 + k)];
        return Ipv6Address(r);
    }
    if (words != 8) return std::nullopt;
    return Ipv6Address(out);
}

std::size_t Ipv6Address::format_to(char* out) const noexcept {
    std::uint16_t w[8];
    for (int i = 0; i < 8; ++i) w[i] = load_be16(b_.data() + 2 * i);
    std::size_t n = 0;
    if (is_v4_mapped()) {
        const char prefix[] = "::ffff:";
        for (std::size_t k = 0; k < sizeof prefix - 1; ++k) out[n++] = prefix[k];
        return n + put_quad(out + n, b_.data() + 12);
    }
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (w[i] != 0) { ++i; continue; }
        int j = i;
        while (j < 8 && w[j] == 0) ++j;
        if (j - i > best_len) { best = i; best_len = j - i; }
        i = j;
    }
    if (best_len < 2) best = -1;  // RFC 5952 4.2.2: a single 0 group is not shortened
    for (int i = 0; i < 8; ++i) {
        if (i == best) {
            out[n++] = ':';
            if (i == 0) out[n++] = ':';
            i += best_len - 1;
            continue;
        }
        bool started = false;
        for (int s = 12; s >= 0; s -= 4) {
            unsigned nib = (w[i] >> s) & 0xF;
            if (nib || started || s == 0) {
                out[n++] = kHex[nib];
                started = true;
            }
        }
        if (i != 7) out[n++] = ':';
    }
    return n;
}

std::string Ipv6Address::to_string() const {
    char buf[48];
    return std::string(buf, format_to(buf));
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) noexcept {
    if (auto a = Ipv4Address::parse(text)) return IpAddress(*a);
    if (auto a = Ipv6Address::parse(text)) return IpAddress(*a);
    return std::nullopt;
}

std::string IpAddress::to_string() const { return is_v4() ? v4_.to_string() : v6_.to_string(); }

}  // namespace icmpkit::core
