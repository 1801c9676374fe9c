#include "icmpkit/probe/rtt_stats.hpp"

#include <climits>
#include <cmath>
#include <cstdlib>

namespace icmpkit::probe {

int RttSketch::bucket_of(std::int64_t us) noexcept {
    if (us < 0) us = 0;
    if (us < sub_buckets) return static_cast<int>(us);  // octave 0 is exact
    int msb = 63 - __builtin_clzll(static_cast<unsigned long long>(us));
    int octave = msb - 3;  // 16..31 -> octave 1
    if (octave > octaves) return bucket_count - 1;
    int sub = static_cast<int>((us >> (msb - 4)) & (sub_buckets - 1));
    return octave * sub_buckets + sub;
}

std::int64_t RttSketch::lower_bound(int bucket) noexcept {
    if (bucket < sub_buckets) return bucket;
    int octave = bucket / sub_buckets;
    int sub = bucket % sub_buckets;
    int msb = octave + 3;
    return (std::int64_t{1} << msb) + (std::int64_t{sub} << (msb - 4));
}

void RttSketch::add(std::int64_t us) noexcept {
    if (us < 0) us = 0;
    ++buckets_[static_cast<std::size_t>(bucket_of(us))];
    if (count_ == 0 || us < min_) min_ = us;
    if (count_ == 0 || us > max_) max_ = us;
    ++count_;
}

std::optional<std::int64_t> RttSketch::quantile(double q) const noexcept {
    if (count_ == 0) return std::nullopt;
    if (q < 0) q = 0;
    if (q > 1) q = 1;
    // Nearest-rank: the smallest value with at least ceil(q * n) values at or below it.
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    if (rank == 0) rank = 1;
    std::uint64_t seen = 0;
    for (int i = 0; i < bucket_count; ++i) {
        seen += buckets_[static_cast<std::size_t>(i)];
        if (seen >= rank) {
            std::int64_t lo = lower_bound(i);
            std::int64_t hi = i + 1 < bucket_count ? lower_bound(i + 1) : lo + 1;
            std::int64_t mid = lo + (hi - lo - 1) / 2;
            if (mid < min_) mid = min_;
            if (mid > max_) mid = max_;
            return mid;
        }
    }
    return max_;
}

void RttStats::add(std::int64_t us) noexcept {
    ++samples;
    tsum += us;
    tsum2 += us * us;
    if (us < tmin) tmin = us;
    if (us > tmax) tmax = us;
    // ping_common.c gather_statistics(): rtt = triptime*8 first, then rtt += triptime - rtt/8.
    if (ewma8 == 0) ewma8 = us * 8;
    else ewma8 += us - ewma8 / 8;
    if (last_us) {
        double d = std::fabs(static_cast<double>(us - *last_us));
        jitter_us += (d - jitter_us) / 16.0;  // RFC 3550 6.4.1
    }
    last_us = us;
    sketch.add(us);
}

std::int64_t RttStats::average_us(std::int64_t total) const noexcept {
    return total > 0 ? tsum / total : 0;
}

std::int64_t integer_sqrt(std::int64_t a) noexcept {
    std::int64_t prev = INT64_MAX;
    std::int64_t x = a;
    if (x > 0) {
        while (x < prev) {
            prev = x;
            x = (x + (a / x)) / 2;
        }
    }
    return x;
}

std::int64_t RttStats::mdev_us(std::int64_t total) const noexcept {
    if (total <= 0) return 0;
    std::int64_t var;
    // ping_common.c finish(): this order avoids rounding errors for small times.
    if (tsum < INT_MAX) var = (tsum2 - (tsum * tsum) / total) / total;
    else var = (tsum2 / total) - average_us(total) * average_us(total);
    return integer_sqrt(var);
}

}  // namespace icmpkit::probe
