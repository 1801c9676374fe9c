#include <array>
#include <cstring>
#include "icmpkit/report/json_writer.hpp"

#include "icmpkit/core/assert.hpp"

namespace icmpkit::report {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

constexpr char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Number of decimal digits of v (1..20).
std::size_t decimal_length(std::uint64_t v) noexcept {
    std::size_t n = 1;
    while (v >= 10000) {
        v /= 10000;
        n += 4;
    }
    if (v >= 1000) return n + 3;
    if (v >= 100) return n + 2;
    return v >= 10 ? n + 1 : n;
}

// Writes the decimal digits of v ending at `end` (exactly decimal_length(v) of them).
void format_decimal(char* end, std::uint64_t v) noexcept {
    char* p = end;
    while (v >= 100) {
        const auto i = static_cast<unsigned>(v % 100) * 2;
        v /= 100;
        *--p = digit_pairs[i + 1];
        *--p = digit_pairs[i];
    }
    if (v >= 10) {
        const auto i = static_cast<unsigned>(v) * 2;
        *--p = digit_pairs[i + 1];
        *--p = digit_pairs[i];
    } else {
        *--p = static_cast<char>('0' + v);
    }
}

// "xx:" for every byte value, 4 bytes apart so that one 4-byte copy writes a byte's three
// characters (the fourth, a filler, is overwritten by the next byte).
constexpr std::array<char, 256 * 4> hex_colon_table = [] {
    std::array<char, 256 * 4> t{};
    for (unsigned c = 0; c < 256; ++c) {
        t[c * 4] = hex_digits[c >> 4];
        t[c * 4 + 1] = hex_digits[c & 15];
        t[c * 4 + 2] = ':';
        t[c * 4 + 3] = ':';
    }
    return t;
}();

// '"' digits '"' at p: n + 2 characters, n = decimal_length(v).
void put_dec_string(char* p, std::uint64_t v, std::size_t n) noexcept {
    p[0] = '"';
    format_decimal(p + 1 + n, v);
    p[n + 1] = '"';
}

// Hex digits of v, at least `digits` of them (and at least one).
int hex_length(std::uint64_t v, int digits) noexcept {
    int n = 1;
    while (n < 16 && (v >> (4 * n)) != 0) ++n;
    return n < digits ? digits : n;
}

// '"0x' digits '"' at p: n + 4 characters.
void put_hex_string(char* p, std::uint64_t v, int n) noexcept {
    p[0] = '"';
    p[1] = '0';
    p[2] = 'x';
    for (int i = 0; i < n; ++i) p[3 + i] = hex_digits[(v >> (4 * (n - 1 - i))) & 15];
    p[3 + n] = '"';
}

// Characters of the FT_BYTES form of b: "" or '"' then "xx:" per byte with the last ':' turned
// into the closing '"'.
std::size_t bytes_length(std::span<const std::uint8_t> b) noexcept { return b.empty() ? 2 : b.size() * 3 + 1; }

void put_bytes_string(char* p, std::span<const std::uint8_t> b) noexcept {
    *p++ = '"';
    if (b.empty()) {
        *p = '"';
        return;
    }
    // One 4-byte copy per byte; its fourth character is overwritten by the next byte.
    for (std::size_t i = 0; i + 1 < b.size(); ++i, p += 3) std::memcpy(p, &hex_colon_table[b[i] * 4u], 4);
    const char* last = &hex_colon_table[b.back() * 4u];
    p[0] = last[0];
    p[1] = last[1];
    p[2] = '"';
}

// Bytes that may be copied into a JSON string as they are: printable ASCII except `"` and `\`.
constexpr bool is_plain(unsigned char c) noexcept { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

// is_plain as a table: the scan below is the JSON output's hottest loop.
constexpr std::array<bool, 256> plain_table = [] {
    std::array<bool, 256> t{};
    for (unsigned c = 0; c < 256; ++c) t[c] = is_plain(static_cast<unsigned char>(c));
    return t;
}();

std::size_t plain_prefix(std::string_view s) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    std::size_t i = 0;
    while (i < s.size() && plain_table[p[i]]) ++i;
    return i;
}

// Length of the valid UTF-8 sequence starting at s[i] (2..4), or 0 if it is invalid
// (RFC 3629 section 4 table: no overlongs, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence(std::string_view s, std::size_t i) noexcept {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const std::size_t left = s.size() - i;
    const unsigned char c = b(0);
    auto cont = [&](std::size_t k) { return k < left && (b(k) & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (left < 2) return 0;
        const unsigned char c1 = b(1);
        const bool ok1 = c == 0xE0 ? (c1 >= 0xA0 && c1 <= 0xBF)
                       : c == 0xED ? (c1 >= 0x80 && c1 <= 0x9F)
                                   : (c1 & 0xC0) == 0x80;
        return ok1 && cont(2) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (left < 2) return 0;
        const unsigned char c1 = b(1);
        const bool ok1 = c == 0xF0 ? (c1 >= 0x90 && c1 <= 0xBF)
                       : c == 0xF4 ? (c1 >= 0x80 && c1 <= 0x8F)
                                   : (c1 & 0xC0) == 0x80;
        return ok1 && cont(2) && cont(3) ? 4 : 0;
    }
    return 0;
}

void append_escape(std::string& out, unsigned char c) {
    switch (c) {
    case '"': out.append("\\\"", 2); return;
    case '\\': out.append("\\\\", 2); return;
    case '\n': out.append("\\n", 2); return;
    case '\r': out.append("\\r", 2); return;
    case '\t': out.append("\\t", 2); return;
    case '\b': out.append("\\b", 2); return;
    case '\f': out.append("\\f", 2); return;
    default: {
        const char u[6] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 15]};
        out.append(u, 6);
    }
    }
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    const std::size_t n = s.size();
    std::size_t i = plain_prefix(s);
    if (i == n && n <= 126) {  // the common case: one append of "s"
        char buf[128];
        buf[0] = '"';
        std::memcpy(buf + 1, s.data(), n);
        buf[n + 1] = '"';
        out.append(buf, n + 2);
        return;
    }
    out.push_back('"');
    out.append(s.data(), i);
    while (i < n) {
        std::size_t run = i;
        while (run < n && is_plain(static_cast<unsigned char>(s[run]))) ++run;
        out.append(s.data() + i, run - i);
        i = run;
        if (i >= n) break;
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            append_escape(out, c);
            ++i;
        } else if (const std::size_t len = utf8_sequence(s, i); len != 0) {
            out.append(s.data() + i, len);
            i += len;
        } else {
            out.append("\xEF\xBF\xBD", 3);  // U+FFFD REPLACEMENT CHARACTER for one bad byte
            ++i;
        }
    }
    out.push_back('"');
}

void JsonWriter::open(char c) {
    before_value();
    ICMPKIT_ASSERT(depth_ < max_depth);
    is_object_[depth_] = c == '{';
    has_member_[depth_] = false;
    ++depth_;
    out_->push_back(c);
}

void JsonWriter::close(char c, bool object) {
    ICMPKIT_ASSERT(depth_ > 0 && is_object_[depth_ - 1] == object && !after_key_);
    --depth_;
    out_->push_back(c);
}

void JsonWriter::begin_object() { open('{'); }
void JsonWriter::end_object() { close('}', true); }
void JsonWriter::begin_array() { open('['); }
void JsonWriter::end_array() { close(']', false); }

void JsonWriter::key(std::string_view k) {
    ICMPKIT_ASSERT(depth_ > 0 && is_object_[depth_ - 1] && !after_key_);
    const bool comma = has_member_[depth_ - 1];
    has_member_[depth_ - 1] = true;
    after_key_ = true;
    if (k.size() <= 120 && plain_prefix(k) == k.size()) {  // our field names: one append of ,"k":
        char buf[128];
        std::size_t m = 0;
        if (comma) buf[m++] = ',';
        buf[m++] = '"';
        std::memcpy(buf + m, k.data(), k.size());
        m += k.size();
        buf[m++] = '"';
        buf[m++] = ':';
        out_->append(buf, m);
        return;
    }
    if (comma) out_->push_back(',');
    append_json_string(*out_, k);
    out_->push_back(':');
}

void JsonWriter::end_line() {
    ICMPKIT_ASSERT(depth_ == 0);
    out_->push_back('\n');
}

void JsonWriter::string(std::string_view s) {
    before_value();
    append_json_string(*out_, s);
}

void JsonWriter::uint(std::uint64_t v) {
    before_value();
    const std::size_t n = decimal_length(v);
    format_decimal(extend(n) + n, v);
}

void JsonWriter::sint(std::int64_t v) {
    before_value();
    const std::uint64_t mag = v < 0 ? ~static_cast<std::uint64_t>(v) + 1 : static_cast<std::uint64_t>(v);
    const std::size_t n = decimal_length(mag);
    char* p = extend(n + (v < 0 ? 1 : 0));
    if (v < 0) *p++ = '-';
    format_decimal(p + n, mag);
}

void JsonWriter::boolean(bool v) {
    before_value();
    if (v) out_->append("true", 4);
    else out_->append("false", 5);
}

void JsonWriter::null() {
    before_value();
    out_->append("null", 4);
}

void JsonWriter::raw(std::string_view json) {
    before_value();
    out_->append(json);
}

void JsonWriter::dec_string(std::uint64_t v) {
    before_value();
    const std::size_t n = decimal_length(v);
    put_dec_string(extend(n + 2), v, n);
}

void JsonWriter::field_dec(std::string_view k, std::uint64_t v) {
    const std::size_t n = decimal_length(v);
    put_dec_string(member(k, n + 2), v, n);
}

void JsonWriter::dec_string_signed(std::int64_t v) {
    before_value();
    const std::uint64_t mag = v < 0 ? ~static_cast<std::uint64_t>(v) + 1 : static_cast<std::uint64_t>(v);
    const std::size_t n = decimal_length(mag);
    const std::size_t sign = v < 0 ? 1 : 0;
    char* p = extend(n + sign + 2);
    p[0] = '"';
    p[1] = '-';  // overwritten by a digit when v >= 0
    format_decimal(p + 1 + sign + n, mag);
    p[n + sign + 1] = '"';
}

void JsonWriter::hex_string(std::uint64_t v, int digits) {
    before_value();
    ICMPKIT_ASSERT(digits >= 0 && digits <= 16);
    const int n = hex_length(v, digits);
    put_hex_string(extend(static_cast<std::size_t>(n) + 4), v, n);
}

void JsonWriter::field_hex(std::string_view k, std::uint64_t v, int digits) {
    ICMPKIT_ASSERT(digits >= 0 && digits <= 16);
    const int n = hex_length(v, digits);
    put_hex_string(member(k, static_cast<std::size_t>(n) + 4), v, n);
}

void JsonWriter::field_bool(std::string_view k, bool v) {
    char* p = member(k, 3);
    p[0] = '"';
    p[1] = v ? '1' : '0';
    p[2] = '"';
}

void JsonWriter::bool_string(bool v) {
    before_value();
    char* p = extend(3);
    p[0] = '"';
    p[1] = v ? '1' : '0';
    p[2] = '"';
}

void JsonWriter::bytes_string(std::span<const std::uint8_t> b) {
    before_value();
    put_bytes_string(extend(bytes_length(b)), b);
}

void JsonWriter::field_bytes(std::string_view k, std::span<const std::uint8_t> b) {
    put_bytes_string(member(k, bytes_length(b)), b);
}

// The address is formatted in place into room for the longest form, then the rest is cut off.
void JsonWriter::ipv4_string(core::Ipv4Address a) {
    before_value();
    const std::size_t at = out_->size();
    char* p = extend(17);  // '"' + 15 + '"'
    const std::size_t n = a.format_to(p + 1);
    p[0] = '"';
    p[n + 1] = '"';
    out_->resize(at + n + 2);
}

void JsonWriter::ipv6_string(const core::Ipv6Address& a) {
    before_value();
    const std::size_t at = out_->size();
    char* p = extend(48);
    const std::size_t n = a.format_to(p + 1);
    p[0] = '"';
    p[n + 1] = '"';
    out_->resize(at + n + 2);
}

void JsonWriter::mac_string(std::span<const std::uint8_t, 6> m) {
    bytes_string(std::span<const std::uint8_t>(m.data(), m.size()));
}

}  // namespace icmpkit::report
