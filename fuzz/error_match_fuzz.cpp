// ErrorMatcher (RFC 5927 checks): arbitrary bytes never crash it; a delivered error names a
// registered flow (and, for TCP, a quoted sequence number inside the window); every call is
// counted exactly once; inspect() agrees with match() on what is malformed. Byte 0 chooses the family (bit 0); the rest is the ICMP message.
#include <cstdint>
#include <cstdlib>

#include "icmpkit/probe/error_match.hpp"

using namespace icmpkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    bool v6 = data[0] & 1;
    core::IpAddress local = v6 ? core::IpAddress(*core::Ipv6Address::parse("2001:db8:1::2"))
                               : core::IpAddress(core::Ipv4Address(192, 0, 2, 10));
    core::IpAddress remote = v6 ? core::IpAddress(*core::Ipv6Address::parse("2001:db8:2::5"))
                                : core::IpAddress(core::Ipv4Address(203, 0, 113, 5));
    probe::ErrorMatcher m;
    auto udp = m.add_flow({local, remote, 17, 40000, 53});
    auto tcp = m.add_flow({local, remote, 6, 40001, 80}, probe::TcpSendWindow{1000, 2000});
    auto r = m.match(v6 ? core::Family::v6 : core::Family::v4, core::Bytes(data + 1, size - 1), remote);
    const auto& c = m.counters();
    if (c.delivered + c.not_error + c.malformed + c.suspicious + c.out_of_window != 1) std::abort();
    if (r.verdict == probe::MatchVerdict::delivered) {
        if (!r.error || !r.error->flow || (r.flow != udp && r.flow != tcp)) std::abort();
        if (r.error->flow->dst != remote) std::abort();
    } else if (r.error) {
        std::abort();
    }
    // Observer mode (inspect) applies the same parse checks without the registry: it agrees on
    // malformed and not_error, and delivers whatever match delivered or judged by flow/window.
    probe::ErrorMatcher o;
    auto i = o.inspect(v6 ? core::Family::v6 : core::Family::v4, core::Bytes(data + 1, size - 1), remote);
    bool judged = r.verdict == probe::MatchVerdict::malformed || r.verdict == probe::MatchVerdict::not_error;
    if (judged ? i.verdict != r.verdict : i.verdict != probe::MatchVerdict::delivered) std::abort();
    if ((i.verdict == probe::MatchVerdict::delivered) != (i.error && i.error->flow)) std::abort();
    return 0;
}
