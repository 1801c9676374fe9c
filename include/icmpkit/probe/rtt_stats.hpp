// Round-trip statistics for ping: iputils' counters and formulas (min/avg/max/mdev in whole
// microseconds, the integer mdev of ping_common.c finish()), plus a bounded-memory log-linear
// sketch for percentiles and RFC 3550 6.4.1 interarrival-style jitter. Pure; O(1) memory.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace icmpkit::probe {

// Fixed-size log-linear histogram of microsecond values: 16 linear sub-buckets per power of two
// (relative error <= 1/16), values 0 .. 2^40 us (~12 days). Memory is constant.
class RttSketch {
public:
    static constexpr int sub_buckets = 16;
    static constexpr int octaves = 40;
    static constexpr int bucket_count = sub_buckets * (octaves + 1);

    void add(std::int64_t us) noexcept;
    std::uint64_t count() const noexcept { return count_; }
    // The q-quantile (0 <= q <= 1), as the midpoint of its bucket clamped to [min, max] seen.
    std::optional<std::int64_t> quantile(double q) const noexcept;
    // Bucket i covers [lower_bound(i), lower_bound(i + 1)).
    static std::int64_t lower_bound(int bucket) noexcept;
    static int bucket_of(std::int64_t us) noexcept;
    std::uint64_t bucket(int i) const noexcept { return buckets_[static_cast<std::size_t>(i)]; }

private:
    std::array<std::uint64_t, bucket_count> buckets_{};
    std::uint64_t count_ = 0;
    std::int64_t min_ = 0, max_ = 0;
};

struct RttStats {
    std::uint64_t samples = 0;     // replies with a time (received + duplicates, not corrupted)
    std::int64_t tsum = 0;         // sum of microseconds
    std::int64_t tsum2 = 0;        // sum of squares
    std::int64_t tmin = INT64_MAX; // iputils starts tmin at LONG_MAX
    std::int64_t tmax = 0;
    std::int64_t ewma8 = 0;        // iputils' rtt: 8 x exponentially weighted mean (1/8 gain)
    double jitter_us = 0;          // RFC 3550 6.4.1: J += (|D| - J) / 16
    std::optional<std::int64_t> last_us;
    RttSketch sketch;

    void add(std::int64_t us) noexcept;
    // iputils finish(): total = nreceived + nrepeats.
    std::int64_t average_us(std::int64_t total) const noexcept;
    std::int64_t mdev_us(std::int64_t total) const noexcept;
};

// iputils' llsqrt: integer Newton square root.
std::int64_t integer_sqrt(std::int64_t a) noexcept;

}  // namespace icmpkit::probe
