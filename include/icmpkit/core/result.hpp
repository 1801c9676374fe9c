// Result<T, E>: a small std::expected look-alike.
//
// We do not use <expected> itself: clang 14 (our libFuzzer compiler) cannot compile libstdc++ 12's
// <expected>, and layers 0-2 must build as C++20 with clang so that every parser can be fuzzed.
// The member names are std::expected's, so moving to it later is a search-and-replace.
// Accessing the wrong alternative is our own bug and aborts (never an exception).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

#include "icmpkit/core/assert.hpp"

namespace icmpkit::core {

template <class E>
class Unexpected {
public:
    constexpr explicit Unexpected(E e) : error_(std::move(e)) {}
    constexpr const E& error() const& noexcept { return error_; }
    constexpr E& error() & noexcept { return error_; }
    constexpr E&& error() && noexcept { return std::move(error_); }

private:
    E error_;
};

template <class E>
Unexpected(E) -> Unexpected<E>;

template <class T, class E>
class [[nodiscard]] Result {
public:
    using value_type = T;
    using error_type = E;

    template <class U = T>
        requires std::is_constructible_v<T, U&&> &&
                 (!std::is_same_v<std::remove_cvref_t<U>, Result>) &&
                 (!std::is_same_v<std::remove_cvref_t<U>, Unexpected<E>>)
    constexpr Result(U&& v) : storage_(std::in_place_index<0>, std::forward<U>(v)) {}
    template <class G>
    constexpr Result(const Unexpected<G>& u) : storage_(std::in_place_index<1>, u.error()) {}
    template <class G>
    constexpr Result(Unexpected<G>&& u) : storage_(std::in_place_index<1>, std::move(u).error()) {}

    constexpr bool has_value() const noexcept { return storage_.index() == 0; }
    constexpr explicit operator bool() const noexcept { return has_value(); }

    constexpr T& value() & { ICMPKIT_ASSERT(has_value()); return *std::get_if<0>(&storage_); }
    constexpr const T& value() const& { ICMPKIT_ASSERT(has_value()); return *std::get_if<0>(&storage_); }
    constexpr T&& value() && { ICMPKIT_ASSERT(has_value()); return std::move(*std::get_if<0>(&storage_)); }
    constexpr T& operator*() & { return value(); }
    constexpr const T& operator*() const& { return value(); }
    constexpr T&& operator*() && { return std::move(*this).value(); }
    constexpr T* operator->() { return &value(); }
    constexpr const T* operator->() const { return &value(); }

    constexpr const E& error() const& { ICMPKIT_ASSERT(!has_value()); return *std::get_if<1>(&storage_); }
    constexpr E& error() & { ICMPKIT_ASSERT(!has_value()); return *std::get_if<1>(&storage_); }

    template <class U>
    constexpr T value_or(U&& fallback) const& {
        return has_value() ? **this : static_cast<T>(std::forward<U>(fallback));
    }

private:
    std::variant<T, E> storage_;
};

// Result<void, E>: success carries nothing.
template <class E>
class [[nodiscard]] Result<void, E> {
public:
    using value_type = void;
    using error_type = E;

    constexpr Result() = default;
    template <class G>
    constexpr Result(const Unexpected<G>& u) : error_(u.error()), ok_(false) {}
    template <class G>
    constexpr Result(Unexpected<G>&& u) : error_(std::move(u).error()), ok_(false) {}

    constexpr bool has_value() const noexcept { return ok_; }
    constexpr explicit operator bool() const noexcept { return ok_; }
    constexpr void value() const { ICMPKIT_ASSERT(ok_); }
    constexpr const E& error() const& { ICMPKIT_ASSERT(!ok_); return error_; }

private:
    E error_{};
    bool ok_ = true;
};

}  // namespace icmpkit::core
