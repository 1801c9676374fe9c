// IPv6 chain walk: bounded, offsets within reason; each extension header parsed as a value emits
// the same bytes.
#include <cstdint>
#include <cstdlib>

#include "icmpkit/wire/ipv6.hpp"

using namespace icmpkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    core::Bytes in(data, size);
    (void)wire::Ipv6HeaderView::parse(in);
    (void)wire::parse_ipv6_options(in);
    auto c = wire::walk_ipv6_chain(in);
    if (!c) return 0;
    if (c->headers.size() > wire::Ipv6Chain::max_headers) std::abort();
    for (const auto& h : c->headers) {
        if (h.offset >= size) std::abort();
        if (h.offset + h.length > size) {
            if (!c->truncated) std::abort();
            break;
        }
        auto e = wire::parse_ipv6_extension(h.type, in.subspan(h.offset, h.length));
        if (!e) continue;  // a malformed option area inside an otherwise walkable header
        core::Buffer out;
        core::ByteWriter w(out);
        wire::emit(w, *e);
        if (out.size() != h.length || !std::equal(out.begin(), out.end(), in.begin() + h.offset)) std::abort();
    }
    if (!c->truncated && !c->error && c->upper_layer_offset > size) std::abort();
    return 0;
}
