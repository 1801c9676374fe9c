// The whole decode path: capture bytes -> CaptureReader::open_memory -> Dissector -> text line.
// Invariants: nothing crashes; every layer outside a reassembled datagram lies within its frame.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "icmpkit/capture/reader.hpp"
#include "icmpkit/dissect/dissector.hpp"
#ifdef ICMPKIT_FUZZ_WITH_REPORT
#include "icmpkit/report/decode_text.hpp"
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace icmpkit;
    auto reader = capture::CaptureReader::open_memory(core::Bytes(data, size));
    if (!reader) return 0;
    dissect::DissectorOptions opt;
    opt.limits.max_datagrams = 4;
    dissect::Dissector dz(opt);
    dissect::Dissection d;
    std::string line;
    for (int i = 0; i < 10000; ++i) {
        auto f = reader->next();
        if (!f || !*f) break;
        dz.dissect(**f, d);
        if (d.icmp && !d.icmp->in_reassembled &&
            d.icmp->offset + d.icmp->bytes.size() > (*f)->data.size())
            std::abort();
#ifdef ICMPKIT_FUZZ_WITH_REPORT
        line.clear();
        report::append_decode_line(d, line);
#endif
    }
    return 0;
}
