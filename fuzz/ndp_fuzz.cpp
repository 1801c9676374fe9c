// ND option lists: invariants parse -> emit == input, encoded_size exact, and
// parse(emit(parse(x))) == parse(x).
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "icmpkit/wire/ndp.hpp"

using namespace icmpkit;
using namespace icmpkit::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    core::Bytes in(data, size);
    auto options = ndp::parse_options(in);
    if (!options) {
        if (options.error().offset >= size) std::abort();  // faults point at an option's first byte
        return 0;
    }
    core::Buffer out;
    core::ByteWriter w(out);
    ndp::emit(*options, w);
    if (out.size() != size || out.size() != ndp::encoded_size(*options)) std::abort();
    if (size && std::memcmp(out.data(), data, size) != 0) std::abort();
    auto again = ndp::parse_options(out);
    if (!again || !(*again == *options)) std::abort();
    return 0;
}
