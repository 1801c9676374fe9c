// RFC 1071 Internet checksum, fast.
//
// RFC 1071 section 2(B): the ones'-complement sum is independent of byte order, so the bulk of a
// buffer is summed as native-endian 64-bit words (section 2(C): wider words, folded later, since
// 2^16 == 1 mod 0xFFFF) and the folded 16-bit result is byte-swapped into network order at the end
// when the host is little-endian. Two scalar paths and one AVX2 path:
//   * scalar: 64-bit loads into two 128-bit accumulators (add/adc, no carry is ever lost), 32 bytes
//     per iteration;
//   * AVX2: biased 16-bit words pair-added by vpmaddwd into 32-bit lanes, widened per block, 128
//     bytes per iteration, for 128 bytes and more; chosen at run time with __builtin_cpu_supports.
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
// Each native 16-bit word w is biased to the signed w - 32768 (xor 0x8000) and vpmaddwd against
// ones adds neighbouring pairs into 32-bit lanes: one xor, one madd and one add per 32 bytes.
// A lane gains a value in [-65536, 65534] per add, so at most 32767 adds per block cannot
// overflow; each block is sign-extended into 64-bit lanes. The bias is put back at the end:
// +65536 per 32-bit lane per vector, i.e. 16384 per byte summed here. The result is the exact
// sum of the native 16-bit words, which folds like any other (RFC 1071 2(C)).
__attribute__((target("avx2"))) inline __m256i widen_epi32(__m256i wide, __m256i a) noexcept {
    wide = _mm256_add_epi64(wide, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(a)));
    return _mm256_add_epi64(wide, _mm256_cvtepi32_epi64(_mm256_extracti128_si256(a, 1)));
}

__attribute__((target("avx2"))) inline __m256i pair_sums(const std::uint8_t* q, __m256i bias,
                                                          __m256i ones) noexcept {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
    return _mm256_madd_epi16(_mm256_xor_si256(v, bias), ones);
}

__attribute__((target("avx2"))) std::uint64_t sum_avx2(const std::uint8_t* p, std::size_t n) noexcept {
    const __m256i bias = _mm256_set1_epi16(static_cast<short>(0x8000));
    const __m256i ones = _mm256_set1_epi16(1);
    const __m256i zero = _mm256_setzero_si256();
    const std::size_t vector_bytes = n & ~std::size_t{31};
    __m256i wide = zero;  // 4 x signed 64-bit
    while (n >= 128) {
        std::size_t iters = n / 128;
        if (iters > 32767) iters = 32767;
        n -= iters * 128;
        __m256i a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        for (; iters; --iters, p += 128) {
            a0 = _mm256_add_epi32(a0, pair_sums(p, bias, ones));
            a1 = _mm256_add_epi32(a1, pair_sums(p + 32, bias, ones));
            a2 = _mm256_add_epi32(a2, pair_sums(p + 64, bias, ones));
            a3 = _mm256_add_epi32(a3, pair_sums(p + 96, bias, ones));
        }
        // Each lane may be near +-2^31: widen each accumulator before adding.
        for (__m256i x : {a0, a1, a2, a3}) wide = widen_epi32(wide, x);
    }
    __m256i a = zero;  // at most 3 more adds
    for (; n >= 32; n -= 32, p += 32) a = _mm256_add_epi32(a, pair_sums(p, bias, ones));
    wide = widen_epi32(wide, a);
    // Horizontal: the four signed lanes, then the bias back.
    __m128i h = _mm_add_epi64(_mm256_castsi256_si128(wide), _mm256_extracti128_si256(wide, 1));
    std::int64_t lanes = _mm_cvtsi128_si64(h) + _mm_extract_epi64(h, 1);
    auto exact = static_cast<std::uint64_t>(lanes + static_cast<std::int64_t>(16384 * vector_bytes));
    u128 s = sum_scalar(p, n);
    s += exact;
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
