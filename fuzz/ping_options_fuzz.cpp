// The IP options of an echo reply (untrusted: any host on the path writes them) through the -R/-T
// text of `icmpkit ping` (report::PingOptionsText, iputils pr_options()), twice so that the
// "(same route)" comparison with the previous reply runs too. Without the report module (the
// PURE_ONLY libFuzzer build) the options parser alone.
#include <cstddef>
#include <cstdint>

#include "icmpkit/wire/ipv4.hpp"
#ifdef ICMPKIT_FUZZ_WITH_REPORT
#include "icmpkit/report/ping_options.hpp"
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace icmpkit;
    if (size > 40) size = 40;  // an IPv4 header has at most 40 octets of options (RFC 791 3.1)
    core::Bytes options(data, size);
#ifdef ICMPKIT_FUZZ_WITH_REPORT
    report::PingOptionsText text([](const core::IpAddress& a) { return a.to_string(); });
    auto first = text.render(options);
    auto second = text.render(options);
    (void)first;
    (void)second;
#else
    auto parsed = wire::parse_ipv4_options(options);
    (void)parsed;
#endif
    return 0;
}
