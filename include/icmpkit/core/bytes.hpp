// Byte access: big-endian loads and stores, a bounds-checked reader for untrusted bytes, and an
// appending writer for emit().
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "icmpkit/core/error.hpp"

namespace icmpkit::core {

using Bytes = std::span<const std::uint8_t>;
using MutableBytes = std::span<std::uint8_t>;
using Buffer = std::vector<std::uint8_t>;

// Unchecked network-order loads and stores: callers have checked the bounds (a View's parse()).
constexpr std::uint16_t load_be16(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
constexpr std::uint32_t load_be32(const std::uint8_t* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}
constexpr std::uint64_t load_be64(const std::uint8_t* p) noexcept {
    return (std::uint64_t{load_be32(p)} << 32) | load_be32(p + 4);
}
constexpr void store_be16(std::uint8_t* p, std::uint16_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
constexpr void store_be32(std::uint8_t* p, std::uint32_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}
constexpr void store_be64(std::uint8_t* p, std::uint64_t v) noexcept {
    store_be32(p, static_cast<std::uint32_t>(v >> 32));
    store_be32(p + 4, static_cast<std::uint32_t>(v));
}

// Sequential, bounds-checked reads over untrusted bytes. Every failure is a WireError whose offset
// is `base + position` so that nested readers report offsets relative to the outermost span.
class ByteReader {
public:
    constexpr explicit ByteReader(Bytes data, std::size_t base = 0) noexcept
        : data_(data), base_(base) {}

    constexpr std::size_t position() const noexcept { return pos_; }
    constexpr std::size_t remaining() const noexcept { return data_.size() - pos_; }
    constexpr bool empty() const noexcept { return pos_ == data_.size(); }
    constexpr bool has(std::size_t n) const noexcept { return remaining() >= n; }
    // Offset of the current position in the outermost span.
    constexpr std::size_t offset() const noexcept { return base_ + pos_; }

    constexpr WireResult<std::uint8_t> u8() noexcept {
        if (!has(1)) return wire_error(Fault::truncated, offset());
        return data_[pos_++];
    }
    constexpr WireResult<std::uint16_t> u16() noexcept {
        if (!has(2)) return wire_error(Fault::truncated, offset());
        auto v = load_be16(data_.data() + pos_);
        pos_ += 2;
        return v;
    }
    constexpr WireResult<std::uint32_t> u32() noexcept {
        if (!has(4)) return wire_error(Fault::truncated, offset());
        auto v = load_be32(data_.data() + pos_);
        pos_ += 4;
        return v;
    }
    constexpr WireResult<std::uint64_t> u64() noexcept {
        if (!has(8)) return wire_error(Fault::truncated, offset());
        auto v = load_be64(data_.data() + pos_);
        pos_ += 8;
        return v;
    }
    // The next n bytes as a sub-span.
    constexpr WireResult<Bytes> bytes(std::size_t n) noexcept {
        if (!has(n)) return wire_error(Fault::truncated, offset());
        auto s = data_.subspan(pos_, n);
        pos_ += n;
        return s;
    }
    constexpr Bytes rest() noexcept {
        auto s = data_.subspan(pos_);
        pos_ = data_.size();
        return s;
    }
    constexpr WireResult<bool> skip(std::size_t n) noexcept {
        if (!has(n)) return wire_error(Fault::truncated, offset());
        pos_ += n;
        return true;
    }

private:
    Bytes data_;
    std::size_t base_ = 0;
    std::size_t pos_ = 0;
};

// Appends to a Buffer. emit() functions write through this; `patch16` fills a checksum later.
class ByteWriter {
public:
    explicit ByteWriter(Buffer& out) noexcept : out_(out) {}

    std::size_t size() const noexcept { return out_.size(); }
    void u8(std::uint8_t v) { out_.push_back(v); }
    void u16(std::uint16_t v) {
        out_.push_back(static_cast<std::uint8_t>(v >> 8));
        out_.push_back(static_cast<std::uint8_t>(v));
    }
    void u32(std::uint32_t v) {
        std::uint8_t b[4];
        store_be32(b, v);
        out_.insert(out_.end(), b, b + 4);
    }
    void u64(std::uint64_t v) {
        std::uint8_t b[8];
        store_be64(b, v);
        out_.insert(out_.end(), b, b + 8);
    }
    void bytes(Bytes b) { out_.insert(out_.end(), b.begin(), b.end()); }
    void zeros(std::size_t n) { out_.insert(out_.end(), n, 0); }
    void patch16(std::size_t at, std::uint16_t v) {
        ICMPKIT_ASSERT(at + 2 <= out_.size());
        store_be16(out_.data() + at, v);
    }
    Buffer& buffer() noexcept { return out_; }

private:
    Buffer& out_;
};

}  // namespace icmpkit::core
