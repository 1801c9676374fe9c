// A vector with inline, fixed capacity: no heap allocation, for per-packet bookkeeping on hot paths
// (link layers met, VLAN tags, MPLS entries). Exceeding the capacity is our bug: callers bound the
// count first (and report a WireError for input that would exceed it).
#pragma once

#include <array>
#include <cstddef>

#include "icmpkit/core/assert.hpp"

namespace icmpkit::core {

template <class T, std::size_t N>
class StaticVector {
public:
    using value_type = T;
    using const_iterator = const T*;
    using iterator = T*;

    constexpr void push_back(const T& v) noexcept {
        ICMPKIT_ASSERT(size_ < N);
        items_[size_++] = v;
    }
    constexpr void clear() noexcept { size_ = 0; }
    constexpr std::size_t size() const noexcept { return size_; }
    static constexpr std::size_t capacity() noexcept { return N; }
    constexpr bool empty() const noexcept { return size_ == 0; }
    constexpr const T& operator[](std::size_t i) const noexcept { return items_[i]; }
    constexpr T& operator[](std::size_t i) noexcept { return items_[i]; }
    constexpr const T& front() const noexcept { return items_[0]; }
    constexpr const T& back() const noexcept { return items_[size_ - 1]; }
    constexpr const T* begin() const noexcept { return items_.data(); }
    constexpr const T* end() const noexcept { return items_.data() + size_; }
    constexpr T* begin() noexcept { return items_.data(); }
    constexpr T* end() noexcept { return items_.data() + size_; }
    constexpr const T* data() const noexcept { return items_.data(); }

    friend constexpr bool operator==(const StaticVector& a, const StaticVector& b) noexcept {
        if (a.size_ != b.size_) return false;
        for (std::size_t i = 0; i < a.size_; ++i)
            if (!(a.items_[i] == b.items_[i])) return false;
        return true;
    }

private:
    std::array<T, N> items_{};
    std::size_t size_ = 0;
};

}  // namespace icmpkit::core
