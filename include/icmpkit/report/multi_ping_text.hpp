// report: fping 5.1's text for multi-target ping (`icmpkit fping`), byte for byte apart from the
// measured numbers, and NDJSON (schema "icmpkit.fping/1"). Pure: strings in, strings out.
//
// The flags are fping's (fping.c main()): verbose by default; -a/-u/-x/-q turn verbose off;
// count mode (-c/-C) prints a line per reply instead (unless -q) and no alive/unreachable lists;
// loop mode (-l) likewise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "icmpkit/core/time.hpp"
#include "icmpkit/probe/multi_ping.hpp"

namespace icmpkit::report {

inline constexpr const char* fping_json_schema = "icmpkit.fping/1";

struct MultiTextOptions {
    bool alive = false;        // -a
    bool unreachable = false;  // -u
    bool quiet = false;        // -q
    bool stats = false;        // -s
    bool elapsed = false;      // -e
    bool timestamps = false;   // -D
    bool count_mode = false;   // -c / -C
    bool vectors = false;      // -C
    bool loop = false;         // -l
    std::uint32_t min_reachable = 0;  // -x (0: off)
    std::uint32_t unknown_hosts = 0;  // names that did not resolve (fping num_noaddress)
};

struct TextOut {
    std::string out, err;
};

// fping sprint_tm(): 3 significant decimals below 1 ms, 2 below 10, 1 below 100, none above.
std::string fping_ms(std::int64_t ns);

// fping's ICMP error text ("ICMP Host Unreachable"); IPv6 codes use the same table, as fping does.
std::string fping_icmp_error(bool v6, std::uint8_t type, std::uint8_t code);

class MultiPingText {
public:
    // `names`: the display name of each target (the text given, or the address with -A).
    MultiPingText(MultiTextOptions options, std::vector<std::string> names);
    bool verbose() const noexcept { return verbose_; }
    bool per_reply() const noexcept { return per_recv_; }

    // Appends the lines for one event to `o` (no allocation once `o` has grown).
    void event(const probe::MultiAction& a, const probe::MultiPing& ping, core::WallTime wall, TextOut& o) const;
    // The end: unreachable list, per-target summaries (count/loop), -s block, -x verdict.
    TextOut finish(const probe::MultiPing& ping, core::Duration elapsed) const;
    // fping's exit code: -x verdict, else 2 with unknown hosts, 1 unless all alive, else 0.
    int exit_code(const probe::MultiPing& ping) const;

private:
    void name(std::string& s, std::uint32_t target) const;
    MultiTextOptions o_;
    std::vector<std::string> names_;
    std::size_t width_ = 0;
    bool verbose_ = true, per_recv_ = false;
};

class MultiPingJson {
public:
    explicit MultiPingJson(std::vector<std::string> names) : names_(std::move(names)) {}
    std::string start(const probe::MultiPing& ping, const std::string& socket_v4, const std::string& socket_v6) const;
    // One object per reply, timeout, ICMP error and send error ("" for the others).
    std::string event(const probe::MultiAction& a, const probe::MultiPing& ping, core::WallTime wall) const;
    // One object per target, then the final summary.
    std::string summary(const probe::MultiPing& ping, core::Duration elapsed, std::uint32_t unknown_hosts,
                        std::uint32_t min_reachable, int exit_code) const;
    std::string error(const std::string& message, int exit_code) const;

private:
    std::vector<std::string> names_;
};

}  // namespace icmpkit::report
