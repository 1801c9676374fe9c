// Text and JSON for probe::IcmpError (issue 6): one human sentence for every ICMPv4 and ICMPv6
// error code, e.g. "port 53/udp unreachable at 203.0.113.9, reported by 203.0.113.9". Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "icmpkit/probe/icmp_error.hpp"
#include "icmpkit/report/json_writer.hpp"
#include "icmpkit/wire/quote.hpp"

namespace icmpkit::report {

// The short name of an error (type, code): "port unreachable", "administratively prohibited",
// "time exceeded in transit", "packet too big"; never empty (unknown codes say "code N").
std::string error_phrase(core::Family family, std::uint8_t type, std::uint8_t code);

// "udp", "tcp", "icmp", "ipv6-icmp" or the number.
std::string protocol_name(std::uint8_t protocol);

// "192.0.2.10:45612 → 203.0.113.5:53/udp"; IPv6 addresses in brackets.
std::string describe_flow(const wire::FlowKey& flow);

// The whole sentence: what happened to which destination, and who reported it.
std::string describe_error(const probe::IcmpError& e);

std::string_view origin_name(probe::ErrorOrigin o) noexcept;  // "icmp", "icmp6", "local", "socket"

// {"origin":..,"type":..,"code":..,"kind":..,"reason":..,"reporter":..,"flow":{..},"mtu":..,
//  "errno":..,"text":..}
void write_error_json(JsonWriter& w, const probe::IcmpError& e);

}  // namespace icmpkit::report
