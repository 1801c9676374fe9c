// A capture file in memory: open it through libpcap, read every frame, unwrap every link layer.
#include "icmpkit/capture/link.hpp"
#include "icmpkit/capture/reader.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace icmpkit;
    auto r = capture::CaptureReader::open_memory(core::Bytes(data, size));
    if (!r) return 0;
    for (int i = 0; i < 1000; ++i) {
        auto f = r->next();
        if (!f || !*f) break;
        auto l = capture::unwrap_link((*f)->linktype, (*f)->data);
        (void)l;
    }
    return 0;
}
