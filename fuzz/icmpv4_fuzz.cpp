// ICMPv4: view and value parse; invariants parse -> emit(keep) == input, and
// parse(emit(parse(x))) == parse(x). Also exercises the RFC 4884 split on the body.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "icmpkit/wire/icmpv4.hpp"

using namespace icmpkit;
using namespace icmpkit::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    core::Bytes in(data, size);
    auto view = icmpv4::MessageView::parse(in, {.verify_checksum = false});
    auto m = icmpv4::parse(in, {.verify_checksum = false});
    if (view.has_value() != m.has_value()) std::abort();
    if (!m) return 0;
    (void)view->rest_of_header();
    (void)ext::split_original(view->body(), view->length_attribute(), core::Family::v4);
    core::Buffer out;
    core::ByteWriter w(out);
    icmpv4::emit(*m, w, icmpv4::ChecksumMode::keep);
    if (out.size() != size || out.size() != icmpv4::encoded_size(*m)) std::abort();
    if (size && std::memcmp(out.data(), data, size) != 0) std::abort();
    auto again = icmpv4::parse(out, {.verify_checksum = false});
    if (!again || !(*again == *m)) std::abort();
    // compute mode produces a message whose checksum verifies.
    core::Buffer fixed;
    core::ByteWriter fw(fixed);
    icmpv4::emit(*m, fw, icmpv4::ChecksumMode::compute);
    if (!icmpv4::MessageView::parse(fixed)) std::abort();
    return 0;
}
