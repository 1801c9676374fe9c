// The sim's random source: SplitMix64 (Steele, Lea, Flood 2014), the same sequence on every
// platform and standard library (std:: distributions are not).
#pragma once

#include <cstdint>

namespace icmpkit::sim {

class SplitMix64 {
public:
    explicit constexpr SplitMix64(std::uint64_t seed = 0) noexcept : state_(seed) {}
    constexpr std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, bound) by Lemire's multiply-shift (bias below 2^-64 * bound: negligible).
    constexpr std::uint64_t below(std::uint64_t bound) noexcept {
        if (bound == 0) return 0;
        return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * bound) >> 64);
    }
    // True with probability ppm / 10^6.
    constexpr bool chance_ppm(std::uint32_t ppm) noexcept {
        if (ppm == 0) return false;
        return below(1'000'000) < ppm;
    }

private:
    std::uint64_t state_;
};

}  // namespace icmpkit::sim
