#include "icmpkit/wire/checksum.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

using namespace icmpkit;

namespace {
// The naive reference: RFC 1071 section 4.1, 16-bit words, odd byte padded with zero.
std::uint16_t naive_checksum(const std::vector<std::uint8_t>& d) {
    std::uint32_t sum = 0;
    std::size_t i = 0;
    for (; i + 1 < d.size(); i += 2) sum += static_cast<std::uint32_t>((d[i] << 8) | d[i + 1]);
    if (i < d.size()) sum += static_cast<std::uint32_t>(d[i] << 8);
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}
}  // namespace

TEST(Checksum, Rfc1071Example) {
    // RFC 1071 section 3 example bytes: 00 01 f2 03 f4 f5 f6 f7 -> sum ddf2, checksum 220d.
    const std::uint8_t d[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    wire::InternetChecksum c;
    c.add(d);
    EXPECT_EQ(c.sum(), 0xddf2);
    EXPECT_EQ(c.finish(), 0x220d);
}

TEST(Checksum, MatchesNaiveReferenceOnRandomBuffersAndSplits) {
    std::mt19937 rng(42);
    for (int i = 0; i < 20000; ++i) {
        std::vector<std::uint8_t> d(rng() % 2000);
        for (auto& b : d) b = static_cast<std::uint8_t>(rng());
        ASSERT_EQ(wire::internet_checksum(d), naive_checksum(d));
        // Any split into two chunks, odd or even, gives the same sum.
        std::size_t cut = d.empty() ? 0 : rng() % d.size();
        wire::InternetChecksum c;
        c.add(core::Bytes(d).first(cut));
        c.add(core::Bytes(d).subspan(cut));
        ASSERT_EQ(c.finish(), naive_checksum(d));
    }
}

// 100,000 random buffers at random offsets 0..7 into a larger buffer (every load alignment), random
// lengths covering the scalar tail, the 32-byte loop and the 64-byte vector loop; also split at a
// random point (odd splits exercise the lane rotation).
TEST(Checksum, MatchesNaiveReferenceAtEveryAlignment) {
    std::mt19937_64 rng(1071);
    std::vector<std::uint8_t> big(9000 + 16);
    for (int i = 0; i < 100000; ++i) {
        std::size_t len = (i % 4 == 0) ? rng() % 9001 : rng() % 300;
        std::size_t off = rng() % 8;
        for (std::size_t k = 0; k < len + off + 8 && k < big.size(); ++k) big[k] = static_cast<std::uint8_t>(rng());
        // Occasionally all 0xFF: the carry-heavy worst case.
        if (i % 97 == 0) std::fill(big.begin(), big.end(), 0xFF);
        std::vector<std::uint8_t> d(big.begin() + off, big.begin() + off + len);
        core::Bytes view(big.data() + off, len);
        ASSERT_EQ(wire::internet_checksum(view), naive_checksum(d)) << "len " << len << " off " << off;
        std::size_t cut = len ? rng() % (len + 1) : 0;
        wire::InternetChecksum c;
        c.add(view.first(cut));
        c.add(view.subspan(cut));
        ASSERT_EQ(c.finish(), naive_checksum(d)) << "len " << len << " cut " << cut;
    }
}

TEST(Checksum, ManySmallChunksEqualOneBuffer) {
    std::mt19937 rng(3);
    std::vector<std::uint8_t> d(4000);
    for (auto& b : d) b = static_cast<std::uint8_t>(rng());
    wire::InternetChecksum c;
    std::size_t pos = 0;
    while (pos < d.size()) {
        std::size_t n = std::min<std::size_t>(1 + rng() % 200, d.size() - pos);
        c.add(core::Bytes(d).subspan(pos, n));
        pos += n;
    }
    EXPECT_EQ(c.finish(), naive_checksum(d));
}

TEST(Checksum, AllZeroAndAllOnes) {
    std::vector<std::uint8_t> z(1500, 0), o(1500, 0xFF);
    EXPECT_EQ(wire::internet_checksum(z), 0xFFFF);
    EXPECT_EQ(wire::internet_checksum(o), naive_checksum(o));
    EXPECT_EQ(wire::internet_checksum(o), 0x0000);  // sum of 0xFFFF words is 0xFFFF
}

TEST(Checksum, IncrementalUpdateEqualsRecompute) {
    std::mt19937 rng(7);
    for (int i = 0; i < 5000; ++i) {
        std::vector<std::uint8_t> d(2 * (1 + rng() % 100));
        for (auto& b : d) b = static_cast<std::uint8_t>(rng());
        std::uint16_t before = wire::internet_checksum(d);
        std::size_t w = 2 * (rng() % (d.size() / 2));
        std::uint16_t old_word = core::load_be16(&d[w]);
        std::uint16_t new_word = static_cast<std::uint16_t>(rng());
        core::store_be16(&d[w], new_word);
        std::uint16_t recomputed = wire::internet_checksum(d);
        std::uint16_t updated = wire::checksum_update(before, old_word, new_word);
        // Both are valid encodings; RFC 1624's eqn 3 never yields 0xFFFF-for-zero ambiguity
        // except when the sum is all ones, where 0x0000 and 0xFFFF both verify.
        if (recomputed != updated) {
            EXPECT_TRUE((recomputed == 0 && updated == 0xFFFF) || (recomputed == 0xFFFF && updated == 0));
        }
    }
}

// Buffers past the AVX2 path's block size (32767 iterations of 128 bytes), at the extremes of
// the word values (the 32-bit lanes' overflow bounds) and random, against a 64-bit naive sum.
TEST(Checksum, LargeBuffersAcrossBlockBoundaries) {
    auto naive64 = [](const std::vector<std::uint8_t>& d) {
        std::uint64_t sum = 0;
        std::size_t i = 0;
        for (; i + 1 < d.size(); i += 2) sum += static_cast<std::uint64_t>((d[i] << 8) | d[i + 1]);
        if (i < d.size()) sum += static_cast<std::uint64_t>(d[i] << 8);
        while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
        return static_cast<std::uint16_t>(~sum);
    };
    std::mt19937 rng(4884);
    for (std::size_t n : {std::size_t{32767} * 128, std::size_t{32767} * 128 + 1, std::size_t{4} << 20,
                          (std::size_t{9} << 20) + 77}) {
        std::vector<std::uint8_t> ones(n, 0xFF), zeros(n, 0), mixed(n);
        for (std::size_t i = 0; i < n; ++i) mixed[i] = (i / 4096) % 2 ? 0xFF : 0x00;
        std::vector<std::uint8_t> random(n);
        for (auto& b : random) b = static_cast<std::uint8_t>(rng());
        EXPECT_EQ(wire::internet_checksum(ones), naive64(ones)) << n;
        EXPECT_EQ(wire::internet_checksum(zeros), naive64(zeros)) << n;
        EXPECT_EQ(wire::internet_checksum(mixed), naive64(mixed)) << n;
        EXPECT_EQ(wire::internet_checksum(random), naive64(random)) << n;
    }
}
