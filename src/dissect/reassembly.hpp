// Fragment reassembly for the dissector (private header): IPv4 (RFC 791 3.2, key source,
// destination, protocol, identification) and IPv6 (RFC 8200 4.5, key source, destination,
// identification). Bounded: a fixed number of datagrams in progress, a byte limit per datagram and
// a timeout in capture time. Overlapping fragments drop the whole datagram (RFC 5722 for IPv6;
// Linux does the same for IPv4 since 4.19); an exact duplicate is ignored.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/dissect/dissector.hpp"

namespace icmpkit::dissect {

struct FragmentKey {
    core::IpAddress source;
    core::IpAddress destination;
    std::uint32_t identification = 0;
    std::uint8_t protocol = 0;  // IPv4 protocol; 0 for IPv6 (not part of its key)
    friend bool operator==(const FragmentKey&, const FragmentKey&) = default;
};

struct Fragment {
    std::uint32_t offset = 0;  // bytes into the fragmentable part
    bool more = false;
    core::Bytes data;          // the fragment's share of the fragmentable part
    // For the first fragment (offset 0): the bytes that start the rebuilt datagram (IPv4 header;
    // IPv6 fixed header + unfragmentable extension headers) and the IPv6 fragment header's next
    // header.
    core::Bytes prefix;
    std::uint8_t next_header = 0;
};

enum class FragmentOutcome : std::uint8_t { held, completed, dropped, overlap };

struct ReassemblyResult {
    FragmentOutcome outcome = FragmentOutcome::held;
    std::shared_ptr<core::Buffer> datagram;  // completed: prefix ++ fragmentable part
    std::uint32_t prefix_length = 0;
    std::uint8_t next_header = 0;            // IPv6: the first fragment's next header
    std::uint16_t fragment_count = 0;
};

class Reassembler {
public:
    explicit Reassembler(ReassemblyLimits limits) : limits_(limits) {}

    ReassemblyResult add(const FragmentKey& key, core::WallTime now, const Fragment& f, Stats& stats);
    // Drops datagrams whose first fragment is older than the timeout (capture time).
    void expire(core::WallTime now, Stats& stats);
    std::size_t in_progress() const noexcept { return entries_.size(); }

private:
    struct Range {
        std::uint32_t begin, end;
    };
    struct Entry {
        FragmentKey key;
        core::WallTime first{};
        core::Buffer data;              // the fragmentable part as received so far
        std::vector<Range> ranges;      // received, sorted, disjoint
        core::Buffer prefix;
        bool have_first = false;
        std::uint8_t next_header = 0;
        std::optional<std::uint32_t> total;  // known once the last fragment (MF = 0) arrived
        std::uint16_t count = 0;
    };
    static bool insert(Entry& e, const Fragment& f, bool& duplicate);
    static bool complete(const Entry& e) noexcept;

    ReassemblyLimits limits_;
    std::vector<Entry> entries_;
};

}  // namespace icmpkit::dissect
