// iputils-identical text for `icmpkit ping` (ping_common.c gather_statistics()/finish()/status(),
// ping.c pr_icmph(), ping6_common.c print_icmp()), and the versioned NDJSON form. Pure: returns
// strings; the caller writes them.
#pragma once

#include <functional>
#include <string>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/probe/ping.hpp"

namespace icmpkit::report {

inline constexpr const char* ping_json_schema = "icmpkit.ping/1";

struct PingTextOptions {
    bool quiet = false;       // -q
    bool flood = false;       // -f
    bool audible = false;     // -a
    bool timestamps = false;  // -D
    bool verbose = false;     // -v
    bool full_stats = false;  // --stats=full
    std::string program = "icmpkit ping";  // prefix of stderr lines
};

struct Output {
    std::string out;  // stdout
    std::string err;  // stderr
};

// "Time to live exceeded", "Frag needed and DF set (mtu = 1400)", ... (ping.c pr_icmph()).
std::string describe_icmpv4(std::uint8_t type, std::uint8_t code, std::uint32_t info);
// "Time exceeded: Hop limit", "Destination unreachable: Port unreachable", ... (print_icmp()).
std::string describe_icmpv6(std::uint8_t type, std::uint8_t code, std::uint32_t info);
// iputils' time=%s: 3 decimals under 1 ms ... none from 100 ms.
std::string format_rtt_us(std::int64_t us);

class PingText {
public:
    using Namer = std::function<std::string(const core::IpAddress&)>;  // "name (addr)" or "addr"
    PingText(PingTextOptions o, core::Family family, Namer namer);

    // "PING host (addr) 56(84) bytes of data." / "PING host(addr) 56 data bytes"
    // flowlabel: IPv6 -F, printed as ping6_run() does (", flow 0x12345, ") when not zero.
    std::string header(const std::string& host, const core::IpAddress& addr, std::size_t payload,
                       std::size_t ip_option_len, const std::string& from_text,
                       std::uint32_t flowlabel = 0) const;
    Output event(const probe::Action& a, core::WallTime wall) const;
    std::string summary(const std::string& host, const probe::PingSummary& s) const;
    std::string status(const probe::PingSummary& s) const;  // SIGQUIT, to stderr

private:
    std::string stamp(core::WallTime wall) const;
    PingTextOptions o_;
    core::Family family_;
    Namer namer_;
};

class PingJson {
public:
    explicit PingJson(bool full_stats) : full_(full_stats) {}
    std::string start(const std::string& host, const core::IpAddress& addr, std::size_t payload,
                      const std::string& socket_kind, const std::string& rx_clock,
                      const std::string& tx_clock = "") const;  // tx_clock: which send times the RTTs use
    std::string event(const probe::Action& a, core::WallTime wall) const;  // "" for none
    std::string summary(const std::string& host, const probe::PingSummary& s, int exit_code) const;
    std::string error(const std::string& message, int exit_code) const;

private:
    bool full_;
};

}  // namespace icmpkit::report
