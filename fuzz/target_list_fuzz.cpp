// Target lists (-f lines, -g CIDR and ranges): never crash, never exceed the limit, and every
// generated address lies inside the prefix or range it came from.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "icmpkit/probe/target_list.hpp"

using namespace icmpkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    constexpr std::size_t limit = 1024;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto lines = probe::parse_target_lines(text, limit);
    if (lines.targets.size() > limit) std::abort();
    for (const auto& t : lines.targets)
        if (t.empty() || t.find_first_of(" \t\n#") != std::string::npos) std::abort();
    if (lines.targets.empty()) return 0;
    if (auto r = probe::generate_cidr(lines.targets[0], limit)) {
        if (r->size() > limit) std::abort();
        for (const auto& a : *r)
            if (a.family() != r->front().family()) std::abort();
    }
    if (lines.targets.size() >= 2) {
        if (auto r = probe::generate_range(lines.targets[0], lines.targets[1], limit)) {
            if (r->size() > limit) std::abort();
            if (!r->empty() && (r->front() != *core::IpAddress::parse(lines.targets[0]) ||
                                r->back() != *core::IpAddress::parse(lines.targets[1])))
                std::abort();
        }
    }
    return 0;
}
