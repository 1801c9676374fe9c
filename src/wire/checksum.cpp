// RFC 1071 Internet checksum, fast.
//
// RFC 1071 section 2(B): the ones'-complement sum is independent of byte order, so the bulk of a
// buffer is summed as native-endian 64-bit words (section 2(C): wider words, folded later, since
// 2^16 == 1 mod 0xFFFF) and the folded 16-bit result is byte-swapped into network order at the end
// when the host is little-endian. Two scalar paths and one AVX2 path:
//   * scalar: 64-bit loads into two 128-bit accumulators (add/adc, no carry is ever lost), 32 bytes
//     per iteration;
//   * AVX2: 32-bit lanes zero-extended into 64-bit lanes, 64 bytes per iteration, chosen at run
//     time with __builtin_cpu_supports.
// tests/wire/checksum_test.cpp proves every path equal to the naive 16-bit loop.
#include "icmpkit/wire/checksum.hpp"

#include <bit>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ICMPKIT_CHECKSUM_X86 1
#include <immintrin.h>
#endif

namespace icmpkit::wire {
namespace {

__extension__ typedef unsigned __int128 u128;

inline std::uint64_t load64(const std::uint8_t* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

// The last n < 8 bytes as the native 64-bit word they would form, zero padded.
inline std::uint64_t load_tail(const std::uint8_t* p, std::size_t n) noexcept {
    if constexpr (std::endian::native == std::endian::little) {
        std::uint64_t t = 0;
        unsigned shift = 0;
        if (n & 4) {
            std::uint32_t x;
            std::memcpy(&x, p, 4);
            t = x;
            p += 4;
            shift = 32;
        }
        if (n & 2) {
            std::uint16_t x;
            std::memcpy(&x, p, 2);
            t |= std::uint64_t{x} << shift;
            p += 2;
            shift += 16;
        }
        if (n & 1) t |= std::uint64_t{*p} << shift;
        return t;
    } else {
        std::uint8_t t[8] = {};
        for (std::size_t i = 0; i < n; ++i) t[i] = p[i];
        return load64(t);
    }
}

// Folds a 64-bit ones'-complement partial sum to 16 bits (end-around carry). Never turns a
// non-zero sum into zero.
inline std::uint16_t fold64(std::uint64_t s) noexcept {
    s = (s & 0xFFFFFFFFu) + (s >> 32);
    s = (s & 0xFFFFFFFFu) + (s >> 32);
    s = (s & 0xFFFFu) + (s >> 16);
    s = (s & 0xFFFFu) + (s >> 16);
    s = (s & 0xFFFFu) + (s >> 16);
    return static_cast<std::uint16_t>(s);
}

inline std::uint64_t fold128(u128 s) noexcept {
    std::uint64_t lo = static_cast<std::uint64_t>(s);
    std::uint64_t hi = static_cast<std::uint64_t>(s >> 64);
    std::uint64_t r = lo + hi;
    r += (r < lo);  // end-around carry
    return r;
}

// Native-order partial sum (as a 64-bit value congruent mod 0xFFFF) of n bytes; n may be anything.
std::uint64_t sum_scalar(const std::uint8_t* p, std::size_t n) noexcept {
    u128 a = 0, b = 0;
    for (; n >= 32; n -= 32, p += 32) {
        a += load64(p);
        b += load64(p + 8);
        a += load64(p + 16);
        b += load64(p + 24);
    }
    for (; n >= 8; n -= 8, p += 8) a += load64(p);
    if (n) {  // the tail, zero padded: byte i lands in the lane it would occupy in a full word
        b += load_tail(p, n);
    }
    a += fold128(b);
    return fold128(a);
}

#ifdef ICMPKIT_CHECKSUM_X86
// Each 32-bit lane splits into its two 16-bit words (mask and shift: no shuffles), added into
// 32-bit lanes; a lane gains < 2^16 per iteration, so blocks of at most 65535 iterations cannot
// overflow, and each block is widened into 64-bit lanes.
__attribute__((target("avx2"))) std::uint64_t sum_avx2(const std::uint8_t* p, std::size_t n) noexcept {
    const __m256i mask = _mm256_set1_epi32(0xFFFF);
    const __m256i zero = _mm256_setzero_si256();
    __m256i wide = zero;  // 4 x 64-bit
    while (n >= 64) {
        std::size_t iters = n / 64;
        if (iters > 65535) iters = 65535;
        n -= iters * 64;
        __m256i a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        for (; iters; --iters, p += 64) {
            __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
            __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
            a0 = _mm256_add_epi32(a0, _mm256_and_si256(v, mask));
            a1 = _mm256_add_epi32(a1, _mm256_srli_epi32(v, 16));
            a2 = _mm256_add_epi32(a2, _mm256_and_si256(w, mask));
            a3 = _mm256_add_epi32(a3, _mm256_srli_epi32(w, 16));
        }
        // a0+a1 < 2^33 per lane: widen each before adding.
        for (__m256i a : {a0, a1, a2, a3}) {
            wide = _mm256_add_epi64(wide, _mm256_unpacklo_epi32(a, zero));
            wide = _mm256_add_epi64(wide, _mm256_unpackhi_epi32(a, zero));
        }
    }
    alignas(32) std::uint64_t lanes[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), wide);
    u128 s = sum_scalar(p, n);
    for (auto l : lanes) s += l;
    return fold128(s);
}

bool have_avx2() noexcept {
    static const bool yes = __builtin_cpu_supports("avx2");
    return yes;
}
#endif

// The 16-bit ones'-complement sum of n bytes starting at an even stream position, in network order.
std::uint16_t sum_be(const std::uint8_t* p, std::size_t n) noexcept {
    std::uint64_t s;
#ifdef ICMPKIT_CHECKSUM_X86
    if (n >= 128 && have_avx2())
        s = sum_avx2(p, n);
    else
#endif
        s = sum_scalar(p, n);
    std::uint16_t r = fold64(s);
    if constexpr (std::endian::native == std::endian::little)
        r = static_cast<std::uint16_t>((r >> 8) | (r << 8));
    return r;
}

}  // namespace

void InternetChecksum::add(core::Bytes data) noexcept {
    const std::uint8_t* p = data.data();
    std::size_t n = data.size();
    if (n == 0) return;
    if (odd_) {  // finish the pending word: this byte is its low half
        acc_ += p[0];
        ++p;
        --n;
        odd_ = false;
    }
    if (n == 0) return;
    acc_ += sum_be(p, n);  // an odd final byte is the high half of a zero-padded word
    odd_ = (n & 1) != 0;
}

std::uint16_t InternetChecksum::sum() const noexcept {
    std::uint64_t s = acc_;
    while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
    return static_cast<std::uint16_t>(s);
}

std::uint16_t internet_checksum(core::Bytes data) noexcept {
    InternetChecksum c;
    c.add(data);
    return c.finish();
}

bool checksum_ok(core::Bytes data) noexcept {
    InternetChecksum c;
    c.add(data);
    return c.sum() == 0xFFFF;
}

void add_pseudo_header(InternetChecksum& c, const core::Ipv4Address& src, const core::Ipv4Address& dst,
                       std::uint8_t protocol, std::uint16_t length) noexcept {
    c.add(src);
    c.add(dst);
    c.add_u16(protocol);
    c.add_u16(length);
}

void add_pseudo_header(InternetChecksum& c, const core::Ipv6Address& src, const core::Ipv6Address& dst,
                       std::uint32_t upper_length, std::uint8_t next_header) noexcept {
    c.add(src);
    c.add(dst);
    c.add_u32(upper_length);
    c.add_u16(next_header);
}

}  // namespace icmpkit::wire
