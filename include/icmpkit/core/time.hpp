// Time types. Pure layers never read a clock: time arrives as a value.
#pragma once

#include <chrono>
#include <cstdint>

namespace icmpkit::core {

using Duration = std::chrono::nanoseconds;

// Wall-clock instant (capture timestamps, kernel RX/TX timestamps): nanoseconds since the epoch.
using WallTime = std::chrono::sys_time<std::chrono::nanoseconds>;

// Monotonic instant for engines and the virtual network's clock: nanoseconds since an arbitrary
// origin chosen by the driver.
struct MonoClockTag {};
struct MonoTime {
    Duration since_origin{0};
    friend constexpr auto operator<=>(const MonoTime&, const MonoTime&) = default;
    friend constexpr MonoTime operator+(MonoTime t, Duration d) noexcept { return {t.since_origin + d}; }
    friend constexpr Duration operator-(MonoTime a, MonoTime b) noexcept {
        return a.since_origin - b.since_origin;
    }
};

// Milliseconds since midnight UT, as ICMP timestamp messages carry them (RFC 792).
constexpr std::uint32_t ms_since_midnight_ut(WallTime t) noexcept {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    constexpr std::int64_t day = 86'400'000;
    auto r = ms % day;
    if (r < 0) r += day;
    return static_cast<std::uint32_t>(r);
}

}  // namespace icmpkit::core
