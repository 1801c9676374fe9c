// ICMPv6: view and value parse; invariants parse -> emit(keep) == input, encoded_size exact,
// parse(emit(parse(x))) == parse(x), and emit(compute) verifies against its pseudo-header.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "icmpkit/wire/icmpv6.hpp"

using namespace icmpkit;
using namespace icmpkit::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    core::Bytes in(data, size);
    icmpv6::ParseOptions no_verify;
    no_verify.verify_checksum = false;
    auto view = icmpv6::MessageView::parse(in, no_verify);
    auto m = icmpv6::parse(in, no_verify);
    if (m && !view) std::abort();
    if (!m) return 0;
    (void)view->rest_of_header();
    (void)view->target();
    (void)view->destination();
    (void)view->multicast_address();
    (void)view->options();
    core::Buffer out;
    core::ByteWriter w(out);
    icmpv6::emit(*m, w, icmpv6::ChecksumMode::keep);
    if (out.size() != size || out.size() != icmpv6::encoded_size(*m)) std::abort();
    if (size && std::memcmp(out.data(), data, size) != 0) std::abort();
    auto again = icmpv6::parse(out, no_verify);
    if (!again || !(*again == *m)) std::abort();
    // compute mode writes a checksum that verifies over the pseudo-header.
    static const core::Ipv6Address src = *core::Ipv6Address::parse("2001:db8::1");
    static const core::Ipv6Address dst = *core::Ipv6Address::parse("2001:db8::2");
    core::Buffer fixed;
    core::ByteWriter fw(fixed);
    icmpv6::emit(*m, fw, icmpv6::ChecksumMode::compute, &src, &dst);
    icmpv6::ParseOptions verify;
    verify.source = &src;
    verify.destination = &dst;
    if (!icmpv6::MessageView::parse(fixed, verify)) std::abort();
    return 0;
}
