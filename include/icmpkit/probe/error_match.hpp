// Matching arriving ICMP errors to registered flows through the quoted datagram, with RFC 5927's
// defences (section 4): a quote must name a flow we registered; for TCP the quoted sequence number
// must lie in the flow's send window (RFC 5927 4.1: SND.UNA <= SEG.SEQ < SND.NXT); malformed
// messages and quotes are counted, never delivered. Pure and noexcept: the fuzz target feeds it
// arbitrary bytes (fuzz/error_match_fuzz.cpp); net::RawErrorWatcher feeds it raw-socket reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/probe/icmp_error.hpp"
#include "icmpkit/wire/quote.hpp"

namespace icmpkit::probe {

// TCP send sequence space of a registered flow (RFC 793 3.2): the oldest unacknowledged sequence
// number and the next one to be sent. Arithmetic is modulo 2^32.
struct TcpSendWindow {
    std::uint32_t snd_una = 0;
    std::uint32_t snd_nxt = 0;
    bool contains(std::uint32_t seq) const noexcept {
        return static_cast<std::uint32_t>(seq - snd_una) < static_cast<std::uint32_t>(snd_nxt - snd_una);
    }
};

using FlowId = std::uint32_t;

enum class MatchVerdict : std::uint8_t {
    delivered,      // an error quoting a registered flow that passed every check
    not_error,      // an informational message (echo, ND, ...): not ours to judge
    malformed,      // the message or its quote does not parse, or its lengths lie
    suspicious,     // the quote names no registered flow (RFC 5927 4)
    out_of_window,  // TCP: the quoted sequence number is outside the send window (RFC 5927 4.1)
};
std::string_view verdict_name(MatchVerdict v) noexcept;

struct MatchCounters {
    std::uint64_t delivered = 0, not_error = 0, malformed = 0, suspicious = 0, out_of_window = 0;
};

struct MatchResult {
    MatchVerdict verdict = MatchVerdict::malformed;
    FlowId flow = 0;                  // when delivered
    std::optional<IcmpError> error;   // when delivered
    std::optional<core::WireError> fault;  // when malformed and a parser said why
};

class ErrorMatcher {
public:
    // `key` is our datagram's direction (src = this host). An unspecified src address matches any
    // local address (a socket bound to the wildcard). TCP flows need a window to ever match.
    FlowId add_flow(const wire::FlowKey& key, std::optional<TcpSendWindow> window = std::nullopt);
    bool set_window(FlowId id, TcpSendWindow window) noexcept;
    bool remove_flow(FlowId id) noexcept;
    std::size_t flow_count() const noexcept { return flows_.size(); }

    // One ICMPv4 (without its IP header) or ICMPv6 message from `reporter`. `destination` is the
    // address it was sent to (for the ICMPv6 checksum; the checksum is not checked without it).
    MatchResult match(core::Family family, core::Bytes message, const core::IpAddress& reporter,
                      const core::IpAddress* destination = nullptr) noexcept;

    // The same checks without the flow registry, for observers that attribute errors afterwards
    // (`icmpkit watch-errors`): every well-formed error is delivered (flow 0) and never judged
    // suspicious or out of window (an observer knows no send window; RFC 5927 4.1 is the owner's).
    MatchResult inspect(core::Family family, core::Bytes message, const core::IpAddress& reporter,
                        const core::IpAddress* destination = nullptr) noexcept;

    const MatchCounters& counters() const noexcept { return counters_; }

private:
    struct Flow {
        FlowId id;
        wire::FlowKey key;
        std::optional<TcpSendWindow> window;
    };
    MatchResult count(MatchResult r) noexcept;
    MatchResult judge(core::Family family, core::Bytes message, const core::IpAddress& reporter,
                      const core::IpAddress* destination, bool registry) noexcept;
    const Flow* find(const wire::FlowKey& quoted) const noexcept;

    std::vector<Flow> flows_;
    FlowId next_id_ = 1;
    MatchCounters counters_;
};

}  // namespace icmpkit::probe
