// The dissector: captured frames in, Dissections out. Stateful only for fragment reassembly and
// statistics; pure (no I/O; time comes only from the frames' timestamps).
//
//   link (capture::unwrap_link) -> IP (IPv4 header checksum verified, options typed; IPv6 chain)
//   -> tunnels (IP-in-IP 4, IPv6 41, GRE 47) -> fragment reassembly (IPv4 RFC 791 3.2,
//   IPv6 RFC 8200 4.5) -> ICMP / ICMPv6 (checksum status, value, classification) -> quote.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "icmpkit/capture/reader.hpp"
#include "icmpkit/core/error.hpp"
#include "icmpkit/dissect/dissection.hpp"

namespace icmpkit::dissect {

struct ReassemblyLimits {
    std::size_t max_datagrams = 64;       // datagrams in progress at once (both families)
    std::size_t max_datagram_size = 65535;  // bytes of payload per datagram (IPv4 total_length bound)
    core::Duration timeout = std::chrono::seconds(30);  // capture time since the first fragment
};

struct DissectorOptions {
    ReassemblyLimits limits{};
    bool reassemble = true;        // off: fragments are reported as such, never rebuilt
    std::size_t max_ip_layers = 8; // tunnels nested deeper stop with Fault::unsupported
};

struct Stats {
    std::uint64_t frames = 0;
    std::uint64_t icmp_v4 = 0;
    std::uint64_t icmp_v6 = 0;
    std::uint64_t skipped = 0;         // frames without an ICMP layer (all reasons)
    std::array<std::uint64_t, 6> skipped_by_reason{};  // indexed by Skip (Skip::none unused)
    std::uint64_t malformed = 0;       // frames with a fault (ICMP or not)
    std::array<std::uint64_t, 8> malformed_by_fault{};  // indexed by core::Fault
    std::array<std::uint64_t, 7> malformed_by_layer{};  // indexed by LayerKind
    std::uint64_t icmp_bad_checksum = 0;
    std::uint64_t ip_bad_checksum = 0;
    // Fragments.
    std::uint64_t fragments = 0;              // fragment datagrams seen
    std::uint64_t reassembled = 0;            // datagrams completed
    std::uint64_t reassembly_expired = 0;     // datagrams dropped after the timeout
    std::uint64_t reassembly_overlaps = 0;    // datagrams dropped for overlapping fragments
    std::uint64_t reassembly_dropped = 0;     // datagrams refused or dropped at a limit
    // Counts by (type, code): index type * 256 + code; one table per family.
    std::vector<std::uint64_t> v4_type_code = std::vector<std::uint64_t>(65536);
    std::vector<std::uint64_t> v6_type_code = std::vector<std::uint64_t>(65536);

    std::uint64_t count(core::Family f, std::uint8_t type, std::uint8_t code) const noexcept {
        const auto& t = f == core::Family::v4 ? v4_type_code : v6_type_code;
        return t[std::size_t{type} * 256 + code];
    }
    std::uint64_t count(core::Family f, std::uint8_t type) const noexcept;
};

class Reassembler;  // src/dissect/reassembly.hpp (private)

class Dissector {
public:
    explicit Dissector(DissectorOptions options = {});
    ~Dissector();
    Dissector(Dissector&&) noexcept;
    Dissector& operator=(Dissector&&) noexcept;

    // Decodes one frame (see dissection.hpp for what the result points into). Never fails:
    // faults are recorded in the Dissection and counted in stats().
    Dissection dissect(const capture::Frame& frame);
    // The same into `out`, reusing its storage (the fast path for a loop over a capture).
    void dissect(const capture::Frame& frame, Dissection& out);

    const Stats& stats() const noexcept { return stats_; }
    // Datagrams waiting for fragments now.
    std::size_t reassembly_in_progress() const noexcept;

private:
    DissectorOptions options_;
    Stats stats_;
    std::unique_ptr<Reassembler> reassembler_;
};

}  // namespace icmpkit::dissect
