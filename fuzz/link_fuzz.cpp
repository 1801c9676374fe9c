// unwrap_link on arbitrary bytes: the first byte picks the link type, the rest is the frame.
#include "icmpkit/capture/link.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace icmpkit::capture;
    static constexpr int types[] = {linktype::null,   linktype::ethernet,  linktype::ppp,
                                    linktype::dlt_raw, linktype::raw,      linktype::c_hdlc,
                                    linktype::loop,   linktype::linux_sll, linktype::ipv4,
                                    linktype::ipv6,   linktype::linux_sll2, 147};
    if (size == 0) return 0;
    int t = types[data[0] % (sizeof(types) / sizeof(types[0]))];
    icmpkit::core::Bytes frame(data + 1, size - 1);
    auto l = unwrap_link(t, frame);
    if (l) {
        if (l->network_offset > frame.size()) __builtin_trap();
        (void)l->protocols();
    } else if (l.error().offset > frame.size()) {
        __builtin_trap();
    }
    return 0;
}
