// Parse throughput over the benchmark mix (bench/packet_mix.hpp), frames held in memory:
//   * BM_IcmpkitValidated   Ethernet -> IPv4 (header checksum verified) / IPv6 -> ICMPv4 or ICMPv6
//                           MessageView (checksum verified; ICMPv6 over the pseudo-header) ->
//                           for errors, the RFC 4884 split, the extension structure parsed and
//                           parse_quote() of the quoted datagram; ND options parsed.
//   * BM_IcmpkitValidatedUnwrapLink  the same, with capture::unwrap_link() for the link layer.
//   * BM_TinsValidated      libtins: Tins::EthernetII from the bytes (which parses IP, ICMP/ICMPv6,
//                           ND options and RFC 4884 extensions), the ICMP fields read, the IPv4
//                           header and ICMP/ICMPv6 checksums verified with libtins' own
//                           Utils::sum_range / pseudoheader_checksum (libtins verifies nothing
//                           itself), and the quoted datagram parsed as Tins::IP / Tins::IPv6.
//   * BM_IcmpkitValueParse  icmpv4::parse / icmpv6::parse into the Message variant (verified).
//   * BM_IcmpkitEmit        icmpv4::emit / icmpv6::emit of those values, checksums computed.
//
// Frames: the first ICMPKIT_BENCH_FRAMES (default 100000) of $ICMPKIT_BENCH_CAPTURE when set
// (icmpkit-make-capture's file), else the same mix generated in-process (seed 1).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "icmpkit/capture/link.hpp"
#include "icmpkit/capture/reader.hpp"
#include "icmpkit/wire/extensions.hpp"
#include "icmpkit/wire/icmpv4.hpp"
#include "icmpkit/wire/icmpv6.hpp"
#include "icmpkit/wire/ipv4.hpp"
#include "icmpkit/wire/ipv6.hpp"
#include "icmpkit/wire/ndp.hpp"
#include "icmpkit/wire/quote.hpp"
#include "packet_mix.hpp"

#ifdef ICMPKIT_BENCH_HAVE_TINS
#include <tins/tins.h>
#endif

namespace {

using namespace icmpkit;

struct Corpus {
    std::vector<std::uint8_t> arena;
    std::vector<std::pair<std::size_t, std::size_t>> frames;  // offset, length
    std::size_t bytes = 0;
    core::Bytes frame(std::size_t i) const { return {arena.data() + frames[i].first, frames[i].second}; }
};

void add(Corpus& c, core::Bytes f) {
    c.frames.emplace_back(c.arena.size(), f.size());
    c.arena.insert(c.arena.end(), f.begin(), f.end());
    c.bytes += f.size();
}

const Corpus& corpus() {
    static const Corpus c = [] {
        Corpus c;
        std::size_t n = 100000;
        if (const char* e = std::getenv("ICMPKIT_BENCH_FRAMES")) n = std::strtoull(e, nullptr, 10);
        const char* path = std::getenv("ICMPKIT_BENCH_CAPTURE");
        if (path && *path) {
            auto r = capture::CaptureReader::open_file(path);
            if (!r) {
                std::fprintf(stderr, "parse_bench: %s\n", capture::describe(r.error()).c_str());
                std::exit(2);
            }
            while (c.frames.size() < n) {
                auto f = r->next();
                if (!f || !*f) break;
                add(c, (*f)->data);
            }
        } else {
            for (std::size_t i = 0; i < n; ++i) add(c, bench::make_frame(1, i));
        }
        return c;
    }();
    return c;
}

// What a validated parse found; the sums keep the compiler from dropping work, the counts let the
// two sides be compared (they must agree on the mix).
struct Tally {
    std::uint64_t icmp = 0, bad = 0, quotes = 0, quoted_ports = 0, ext_objects = 0, sum = 0;
};

void quote_and_extensions(core::Bytes body, std::uint8_t length_attribute, core::Family fam, bool ext_allowed,
                          Tally& t) {
    core::Bytes original = body;
    if (ext_allowed) {
        auto split = wire::ext::split_original(body, length_attribute, fam);
        original = split.original;
        if (!split.extensions.empty()) {
            if (auto e = wire::ext::parse(split.extensions)) t.ext_objects += e->objects.size();
        }
    }
    if (auto q = wire::parse_quote(original)) {
        ++t.quotes;
        if (auto k = q->flow_key()) {
            ++t.quoted_ports;
            t.sum += k->src_port + k->dst_port;
        }
    }
}

void icmpkit_v4(core::Bytes ip_bytes, Tally& t) {
    auto ip = wire::Ipv4HeaderView::parse(ip_bytes, true);
    if (!ip) return void(++t.bad);
    if (ip->protocol() != 1 || ip->fragment_offset() != 0) return;
    auto m = wire::icmpv4::MessageView::parse(ip->payload());
    if (!m) return void(++t.bad);
    ++t.icmp;
    t.sum += m->type() + m->code() + m->rest_of_header();
    if (m->is_error())
        quote_and_extensions(m->body(), m->length_attribute(), core::Family::v4, m->info().extensions_allowed, t);
}

void icmpkit_v6(core::Bytes ip_bytes, Tally& t) {
    auto ip = wire::Ipv6HeaderView::parse(ip_bytes);
    if (!ip) return void(++t.bad);
    core::Bytes upper = ip->payload();
    if (ip->next_header() != wire::icmpv6::next_header) {
        auto chain = wire::walk_ipv6_chain(ip->next_header(), upper, 0);
        if (chain.error || chain.truncated || chain.upper_layer_protocol != 58) return;
        upper = upper.subspan(chain.upper_layer_offset);
    }
    auto src = ip->source(), dst = ip->destination();
    auto m = wire::icmpv6::MessageView::parse(upper, {true, &src, &dst});
    if (!m) return void(++t.bad);
    ++t.icmp;
    t.sum += m->type() + m->code() + m->rest_of_header();
    if (m->is_error()) {
        quote_and_extensions(m->body(), m->length_attribute(), core::Family::v6, m->info().extensions_allowed, t);
    } else if (auto o = m->options(); !o.empty()) {
        if (auto opts = wire::ndp::parse_options(o)) t.ext_objects += opts->size();
    }
}

void icmpkit_frame(core::Bytes f, Tally& t) {
    if (f.size() < 14) return void(++t.bad);
    std::uint16_t et = core::load_be16(f.data() + 12);
    if (et == 0x0800) icmpkit_v4(f.subspan(14), t);
    else if (et == 0x86DD) icmpkit_v6(f.subspan(14), t);
}

void icmpkit_frame_unwrap(core::Bytes f, Tally& t) {
    auto link = capture::unwrap_link(capture::linktype::ethernet, f);
    if (!link) return void(++t.bad);
    if (link->network == capture::NetworkProtocol::ipv4) icmpkit_v4(f.subspan(link->network_offset), t);
    else if (link->network == capture::NetworkProtocol::ipv6) icmpkit_v6(f.subspan(link->network_offset), t);
}

template <class Fn>
void run(benchmark::State& st, Fn fn) {
    const auto& c = corpus();
    Tally t;
    for (auto _ : st) {
        t = {};
        for (std::size_t i = 0; i < c.frames.size(); ++i) fn(c.frame(i), t);
        benchmark::DoNotOptimize(t);
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * c.frames.size()));
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * c.bytes));
    st.counters["icmp"] = static_cast<double>(t.icmp);
    st.counters["bad"] = static_cast<double>(t.bad);
    st.counters["quotes"] = static_cast<double>(t.quotes);
    st.counters["qports"] = static_cast<double>(t.quoted_ports);
    st.counters["objects"] = static_cast<double>(t.ext_objects);
}

void BM_IcmpkitValidated(benchmark::State& st) { run(st, icmpkit_frame); }
void BM_IcmpkitValidatedUnwrapLink(benchmark::State& st) { run(st, icmpkit_frame_unwrap); }

#ifdef ICMPKIT_BENCH_HAVE_TINS
bool tins_sum_ok(std::uint32_t s) {
    while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
    return s == 0xFFFF;
}

template <class Inner>
void tins_quote(const Tins::PDU& icmp, Tally& t) {
    const auto* raw = icmp.find_pdu<Tins::RawPDU>();
    if (!raw) return;
    try {
        Inner inner(raw->payload().data(), static_cast<std::uint32_t>(raw->payload().size()));
        ++t.quotes;
        if (const auto* u = inner.template find_pdu<Tins::UDP>()) {
            ++t.quoted_ports;
            t.sum += u->sport() + u->dport();
        } else if (const auto* tcp = inner.template find_pdu<Tins::TCP>()) {
            ++t.quoted_ports;
            t.sum += tcp->sport() + tcp->dport();
        } else if (const auto* i4 = inner.template find_pdu<Tins::ICMP>()) {
            ++t.quoted_ports;
            t.sum += i4->id();
        } else if (const auto* i6 = inner.template find_pdu<Tins::ICMPv6>()) {
            ++t.quoted_ports;
            t.sum += i6->identifier();
        }
    } catch (const Tins::exception_base&) {
    }
}

void tins_frame(core::Bytes f, Tally& t) {
    try {
        Tins::EthernetII eth(f.data(), static_cast<std::uint32_t>(f.size()));
        if (const auto* ip = eth.find_pdu<Tins::IP>()) {
            const std::uint8_t* h = f.data() + 14;
            if (!tins_sum_ok(Tins::Utils::sum_range(h, h + ip->header_size()))) return void(++t.bad);
            const auto* icmp = ip->find_pdu<Tins::ICMP>();
            if (!icmp) return;
            const std::uint8_t* m = h + ip->header_size();
            if (!tins_sum_ok(Tins::Utils::sum_range(m, h + ip->tot_len()))) return void(++t.bad);
            ++t.icmp;
            t.sum += icmp->type() + icmp->code() + icmp->id() + icmp->sequence() + icmp->mtu();
            t.ext_objects += icmp->extensions().extensions().size();
            auto ty = icmp->type();
            if (ty == 3 || ty == 4 || ty == 5 || ty == 11 || ty == 12) tins_quote<Tins::IP>(*icmp, t);
        } else if (const auto* ip6 = eth.find_pdu<Tins::IPv6>()) {
            const auto* icmp = ip6->find_pdu<Tins::ICMPv6>();
            if (!icmp) return;
            std::uint32_t len = icmp->size();
            const std::uint8_t* m = f.data() + f.size() - len;  // no extension headers in the mix
            std::uint32_t s = Tins::Utils::pseudoheader_checksum(ip6->src_addr(), ip6->dst_addr(), len, 58) +
                              Tins::Utils::sum_range(m, m + len);
            if (!tins_sum_ok(s)) return void(++t.bad);
            ++t.icmp;
            t.sum += icmp->type() + icmp->code();
            if (icmp->type() == 128 || icmp->type() == 129) t.sum += icmp->identifier() + icmp->sequence();
            t.ext_objects += icmp->options().size() + icmp->extensions().extensions().size();
            if (icmp->type() < 128) tins_quote<Tins::IPv6>(*icmp, t);
        }
    } catch (const Tins::exception_base&) {
        ++t.bad;
    }
}

void BM_TinsValidated(benchmark::State& st) { run(st, tins_frame); }
#endif

// Values: every ICMP message of the mix parsed once, to be emitted.
struct Values {
    std::vector<wire::icmpv4::Message> v4;
    struct V6 {
        wire::icmpv6::Message m;
        core::Ipv6Address src, dst;
    };
    std::vector<V6> v6;
};

const Values& values() {
    static const Values v = [] {
        Values v;
        const auto& c = corpus();
        for (std::size_t i = 0; i < c.frames.size(); ++i) {
            auto f = c.frame(i);
            if (core::load_be16(f.data() + 12) == 0x0800) {
                auto ip = wire::Ipv4HeaderView::parse(f.subspan(14));
                if (auto m = wire::icmpv4::parse(ip->payload())) v.v4.push_back(std::move(*m));
            } else {
                auto ip = wire::Ipv6HeaderView::parse(f.subspan(14));
                auto s = ip->source(), d = ip->destination();
                if (auto m = wire::icmpv6::parse(ip->payload(), {true, &s, &d})) v.v6.push_back({std::move(*m), s, d});
            }
        }
        return v;
    }();
    return v;
}

void BM_IcmpkitValueParse(benchmark::State& st) {
    run(st, [](core::Bytes f, Tally& t) {
        std::uint16_t et = core::load_be16(f.data() + 12);
        if (et == 0x0800) {
            auto ip = wire::Ipv4HeaderView::parse(f.subspan(14), true);
            if (!ip) return void(++t.bad);
            auto m = wire::icmpv4::parse(ip->payload());
            if (!m) return void(++t.bad);
            ++t.icmp;
            t.sum += m->index();
        } else {
            auto ip = wire::Ipv6HeaderView::parse(f.subspan(14));
            if (!ip) return void(++t.bad);
            auto s = ip->source(), d = ip->destination();
            auto m = wire::icmpv6::parse(ip->payload(), {true, &s, &d});
            if (!m) return void(++t.bad);
            ++t.icmp;
            t.sum += m->index();
        }
    });
}

void BM_IcmpkitEmit(benchmark::State& st) {
    const auto& v = values();
    core::Buffer out;
    std::size_t bytes = 0;
    for (auto _ : st) {
        bytes = 0;
        for (const auto& m : v.v4) {
            out.clear();
            core::ByteWriter w(out);
            wire::icmpv4::emit(m, w);
            bytes += out.size();
        }
        for (const auto& m : v.v6) {
            out.clear();
            core::ByteWriter w(out);
            wire::icmpv6::emit(m.m, w, wire::icmpv6::ChecksumMode::compute, &m.src, &m.dst);
            bytes += out.size();
        }
        benchmark::DoNotOptimize(out.data());
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * (v.v4.size() + v.v6.size())));
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * bytes));
}

}  // namespace

BENCHMARK(BM_IcmpkitValidated)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IcmpkitValidatedUnwrapLink)->Unit(benchmark::kMillisecond);
#ifdef ICMPKIT_BENCH_HAVE_TINS
BENCHMARK(BM_TinsValidated)->Unit(benchmark::kMillisecond);
#endif
BENCHMARK(BM_IcmpkitValueParse)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IcmpkitEmit)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
