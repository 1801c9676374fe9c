// IPv4 header: parse never crashes; a parsed header's value emits the same header bytes, and those
// parse again to the same value.
#include <cstdint>
#include <cstdlib>

#include "icmpkit/wire/ipv4.hpp"

using namespace icmpkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    core::Bytes in(data, size);
    (void)wire::Ipv4HeaderView::parse_header_only(in);
    (void)wire::parse_ipv4_options(in);
    auto v = wire::Ipv4HeaderView::parse(in, size % 2 == 0);
    if (!v) return 0;
    auto h = wire::Ipv4Header::from_view(*v);
    if (!h) return 0;
    core::Buffer out;
    core::ByteWriter w(out);
    h->emit(w);
    core::Bytes hdr = v->header();
    if (out.size() != hdr.size() || !std::equal(out.begin(), out.end(), hdr.begin())) std::abort();
    out.resize(h->total_length, 0);  // pad to total_length so the view parses
    auto again = wire::Ipv4Header::parse(out);
    if (!again || !(*again == *h)) std::abort();
    return 0;
}
