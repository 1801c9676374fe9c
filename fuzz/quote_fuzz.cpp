// Quote parser: fails only below the fixed header or on the version; never reads past the bytes;
// the transport bytes lie inside the input.
#include <cstdint>
#include <cstdlib>

#include "icmpkit/wire/quote.hpp"

using namespace icmpkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    core::Bytes in(data, size);
    auto q = wire::parse_quote(in);
    if (!q) {
        bool ok_to_fail = size == 0 || ((data[0] >> 4) != 4 && (data[0] >> 4) != 6) ||
                          ((data[0] >> 4) == 4 && size < 20) || ((data[0] >> 4) == 6 && size < 40);
        if (!ok_to_fail) std::abort();
        return 0;
    }
    if (q->present_length != size) std::abort();
    if (!q->transport.empty() &&
        (q->transport.data() < data || q->transport.data() + q->transport.size() > data + size))
        std::abort();
    (void)q->flow_key();
    return 0;
}
