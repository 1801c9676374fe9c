// A small streaming JSON writer for NDJSON output (`icmpkit decode --json`), appending to a
// caller-owned std::string that the caller flushes. No per-value heap allocation: everything is
// appended in place (the buffer grows amortised). Output is always valid JSON (RFC 8259): strings
// are escaped and invalid UTF-8 is replaced by U+FFFD.
//
// tshark formats every field value as a JSON string ("64", "0x1c46", "1", "192.0.2.1"); the
// `*_string` helpers produce exactly those forms (see docs/wireshark-fields.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <cstring>
#include <string_view>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/assert.hpp"

namespace icmpkit::report {

// Appends `s` as a quoted JSON string: `"` `\` and control bytes escaped (\n \t \r \b \f, others
// \u00XX), DEL kept, valid UTF-8 copied, every byte that does not begin a valid sequence replaced
// by U+FFFD
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
void append_json_string(std::string& out, std::string_view s);

class JsonWriter {
public:
    static constexpr std::size_t max_depth = 64;

    explicit JsonWriter(std::string& out) noexcept : out_(&out) {}

    std::string& buffer() noexcept { return *out_; }
    std::size_t depth() const noexcept { return depth_; }

    void begin_object();
    void end_object();
    void begin_array();
    void end_array();
    // The key of the next member; must be inside an object. Keys are escaped like strings.
    void key(std::string_view k);
    // key() for a field name of ours (printable ASCII without '"' or '\\'): written as it is,
    // not escaped (the hot path of `decode --json`).
    void name(std::string_view k) {
        ICMPKIT_ASSERT(depth_ > 0 && is_object_[depth_ - 1] && !after_key_);
        const bool comma = has_member_[depth_ - 1];
        has_member_[depth_ - 1] = true;
        after_key_ = true;
        char* p = extend(k.size() + 3 + (comma ? 1 : 0));
        *p = ',';
        p += comma ? 1 : 0;
        *p++ = '"';
        std::memcpy(p, k.data(), k.size());
        p += k.size();
        *p++ = '"';
        *p = ':';
    }
    // Ends one NDJSON record: appends '\n'; only at depth 0.
    void end_line();

    // Plain JSON values.
    void string(std::string_view s);
    void uint(std::uint64_t v);
    void sint(std::int64_t v);
    void boolean(bool v);
    void null();
    // Pre-formatted JSON, inserted verbatim (the caller guarantees validity).
    void raw(std::string_view json);

    // tshark's value forms, all JSON strings.
    void dec_string(std::uint64_t v);                  // "1400"
    void dec_string_signed(std::int64_t v);            // "-1"
    void hex_string(std::uint64_t v, int digits);      // hex_string(0x1c, 4) -> "0x001c"
    void bool_string(bool v);                          // "1" / "0"
    void bytes_string(std::span<const std::uint8_t> b);  // "61:62:63" (FT_BYTES), "" if empty
    void ipv4_string(core::Ipv4Address a);             // "192.0.2.1"
    void ipv6_string(const core::Ipv6Address& a);      // RFC 5952, "2001:db8::1"
    void mac_string(std::span<const std::uint8_t, 6> m);  // "02:00:00:00:00:01"

    // A member, the common case. `k` is a field name of ours (printable ASCII without '"' or
    // '\\'): written as it is, not escaped (the hot path of `decode --json`).
    void field(std::string_view k, std::string_view v) { name(k); string(v); }
    // The numeric ones write the member (name and value) with one growth of the buffer.
    void field_dec(std::string_view k, std::uint64_t v);
    void field_hex(std::string_view k, std::uint64_t v, int digits);
    void field_bool(std::string_view k, bool v);
    void field_bytes(std::string_view k, std::span<const std::uint8_t> b);
    void field_ipv4(std::string_view k, core::Ipv4Address a) { name(k); ipv4_string(a); }
    void field_ipv6(std::string_view k, const core::Ipv6Address& a) { name(k); ipv6_string(a); }

private:
    // `,"k":` followed by room for a value of value_size characters that the caller writes at
    // the returned pointer (a member written in one piece: no after_key_ state in between).
    char* member(std::string_view k, std::size_t value_size) {
        ICMPKIT_ASSERT(depth_ > 0 && is_object_[depth_ - 1] && !after_key_);
        const bool comma = has_member_[depth_ - 1];
        has_member_[depth_ - 1] = true;
        char* p = extend(k.size() + 3 + (comma ? 1 : 0) + value_size);
        *p = ',';
        p += comma ? 1 : 0;
        *p++ = '"';
        std::memcpy(p, k.data(), k.size());
        p += k.size();
        *p++ = '"';
        *p++ = ':';
        return p;
    }
    // Grows the buffer by n bytes left unwritten (no zero fill) and returns where they start;
    // the caller writes all n. Amortised growth (libstdc++ at least doubles the capacity).
    char* extend(std::size_t n) {
        const std::size_t at = out_->size();
        const std::size_t m = at + n;
#if defined(__cpp_lib_string_resize_and_overwrite)
        out_->resize_and_overwrite(m, [m](char*, std::size_t) noexcept { return m; });
#else
        out_->resize(m);
#endif
        return out_->data() + at;
    }
    void before_value() {
        if (depth_ == 0) return;
        if (is_object_[depth_ - 1]) {
            ICMPKIT_ASSERT(after_key_);  // a value inside an object needs a key first
            after_key_ = false;
            return;
        }
        if (has_member_[depth_ - 1]) out_->push_back(',');
        has_member_[depth_ - 1] = true;
    }
    void open(char c);
    void close(char c, bool object);

    std::string* out_;
    std::size_t depth_ = 0;
    // Per nesting level: whether it is an object, and whether a member has been written.
    bool is_object_[max_depth] = {};
    bool has_member_[max_depth] = {};
    bool after_key_ = false;
};

}  // namespace icmpkit::report
