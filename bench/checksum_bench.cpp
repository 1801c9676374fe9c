// Internet checksum throughput: the naive RFC 1071 16-bit loop (as the compiler vectorises it, and
// with vectorisation off), memcpy of the same size (a
// memory-bandwidth yardstick) and ours, on in-cache buffers of 64, 576, 1500 and 9000 bytes.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "icmpkit/wire/checksum.hpp"

namespace {

std::vector<std::uint8_t> random_buffer(std::size_t n) {
    std::vector<std::uint8_t> d(n);
    std::mt19937 rng(static_cast<unsigned>(n));
    for (auto& b : d) b = static_cast<std::uint8_t>(rng());
    return d;
}

std::uint16_t naive(const std::uint8_t* p, std::size_t n) {
    std::uint32_t sum = 0;
    std::size_t i = 0;
    for (; i + 1 < n; i += 2) sum += static_cast<std::uint32_t>((p[i] << 8) | p[i + 1]);
    if (i < n) sum += static_cast<std::uint32_t>(p[i] << 8);
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

// The same loop with the compiler's auto-vectoriser off (g++ only): the plain 16-bit loop.
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-vectorize")))
#endif
std::uint16_t naive_novec(const std::uint8_t* p, std::size_t n) {
    std::uint32_t sum = 0;
    std::size_t i = 0;
#if defined(__clang__)
#pragma clang loop vectorize(disable)
#endif
    for (; i + 1 < n; i += 2) sum += static_cast<std::uint32_t>((p[i] << 8) | p[i + 1]);
    if (i < n) sum += static_cast<std::uint32_t>(p[i] << 8);
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

void BM_NaiveNoVectorize(benchmark::State& st) {
    auto d = random_buffer(static_cast<std::size_t>(st.range(0)));
    for (auto _ : st) {
        benchmark::DoNotOptimize(d.data());
        benchmark::DoNotOptimize(naive_novec(d.data(), d.size()));
    }
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations()) * st.range(0));
}

void BM_Naive(benchmark::State& st) {
    auto d = random_buffer(static_cast<std::size_t>(st.range(0)));
    for (auto _ : st) {
        benchmark::DoNotOptimize(d.data());
        benchmark::DoNotOptimize(naive(d.data(), d.size()));
    }
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations()) * st.range(0));
}

void BM_Memcpy(benchmark::State& st) {
    auto d = random_buffer(static_cast<std::size_t>(st.range(0)));
    std::vector<std::uint8_t> out(d.size());
    for (auto _ : st) {
        benchmark::DoNotOptimize(d.data());
        std::memcpy(out.data(), d.data(), d.size());
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations()) * st.range(0));
}

void BM_Icmpkit(benchmark::State& st) {
    auto d = random_buffer(static_cast<std::size_t>(st.range(0)));
    for (auto _ : st) {
        benchmark::DoNotOptimize(d.data());
        benchmark::DoNotOptimize(icmpkit::wire::internet_checksum(d));
    }
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations()) * st.range(0));
}

}  // namespace

BENCHMARK(BM_Naive)->Arg(64)->Arg(576)->Arg(1500)->Arg(9000);
BENCHMARK(BM_Memcpy)->Arg(64)->Arg(576)->Arg(1500)->Arg(9000);
BENCHMARK(BM_NaiveNoVectorize)->Arg(64)->Arg(576)->Arg(1500)->Arg(9000);
BENCHMARK(BM_Icmpkit)->Arg(64)->Arg(576)->Arg(1500)->Arg(9000);
BENCHMARK_MAIN();
