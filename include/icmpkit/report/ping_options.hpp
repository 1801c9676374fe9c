// The IPv4 options of an echo reply as iputils ping 20221126 prints them after the reply line
// (ping.c pr_options()): "\nRR: \t192.0.2.1\n\t198.51.100.1\n...", "\t(same route)" when the
// recorded route equals the previous reply's, "\nTS: \t<ms> absolute\n\t<delta>\n..." with
// "not-standard" for timestamps with the high-order bit set (RFC 791 3.1: "the time is not
// standard"), "Unrecorded hops: N" from the overflow count, "\nNOP", "\nLSRR: ", "\nunknown
// option 94". Parsing is wire::parse_ipv4_options(); malformed bytes end the list where the
// parser stopped, as iputils' walk stops at a bad length octet. Pure: returns text.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"

namespace icmpkit::report {

class PingOptionsText {
public:
    using Namer = std::function<std::string(const core::IpAddress&)>;  // iputils pr_addr()
    explicit PingOptionsText(Namer namer) : namer_(std::move(namer)) {}

    // The text between the reply line and its final newline. Remembers the recorded route for
    // "(same route)" (iputils' static old_rr), so call it once per printed reply, in order.
    std::string render(core::Bytes options);

private:
    std::string address(std::uint32_t a) const;
    Namer namer_;
    std::vector<std::uint8_t> old_rr_;  // pointer octet + route bytes, as iputils compares them
    bool have_old_rr_ = false;
};

}  // namespace icmpkit::report
