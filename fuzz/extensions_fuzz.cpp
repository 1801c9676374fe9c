// RFC 4884 extension structures and objects; invariants parse -> emit(keep) == input and
// parse(emit(parse(x))) == parse(x); split_original never reads outside its span.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "icmpkit/wire/extensions.hpp"

using namespace icmpkit;
using namespace icmpkit::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    core::Bytes in(data, size);
    if (size >= 1) {
        for (auto fam : {core::Family::v4, core::Family::v6}) {
            auto s = ext::split_original(in.subspan(1), data[0], fam);
            if (s.original.size() + s.extensions.size() != size - 1) std::abort();
        }
    }
    auto s = ext::parse(in);
    if (!s) return 0;
    core::Buffer out;
    core::ByteWriter w(out);
    ext::emit(*s, w, false);
    if (out.size() != size || out.size() != ext::encoded_size(*s)) std::abort();
    if (size && std::memcmp(out.data(), data, size) != 0) std::abort();
    auto again = ext::parse(out);
    if (!again || !(*again == *s)) std::abort();
    core::Buffer fixed;
    core::ByteWriter fw(fixed);
    ext::emit(*s, fw, true);
    auto checked = ext::parse(fixed);
    if (!checked || !checked->checksum_valid) std::abort();
    return 0;
}
