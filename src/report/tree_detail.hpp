// Line helpers for the -v tree (private to src/report).
#pragma once

#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace icmpkit::report::detail {

// One line at `depth` (4 spaces per level) formatted with fmt.
template <class... Args>
void tree_line(std::string& out, int depth, fmt::format_string<Args...> f, Args&&... args) {
    out.append(static_cast<std::size_t>(depth) * 4, ' ');
    fmt::format_to(std::back_inserter(out), f, std::forward<Args>(args)...);
    out.push_back('\n');
}

// tshark's bit pattern of `value` under `mask` in a field of `bits` bits: masked bits as 0/1,
// others '.', a space every 4 bits ("...0 1...").
inline void bit_pattern(std::string& out, std::uint32_t value, int bits, std::uint32_t mask) {
    for (int i = bits - 1; i >= 0; --i) {
        const std::uint32_t bit = 1u << i;
        out.push_back((mask & bit) ? ((value & bit) ? '1' : '0') : '.');
        if (i % 4 == 0 && i != 0) out.push_back(' ');
    }
}

// "<depth>0... .... = Name: Set"
inline void flag_line(std::string& out, int depth, std::uint32_t value, int bits, std::uint32_t mask,
                      std::string_view name, std::string_view shown) {
    out.append(static_cast<std::size_t>(depth) * 4, ' ');
    bit_pattern(out, value, bits, mask);
    fmt::format_to(std::back_inserter(out), " = {}: {}\n", name, shown);
}
inline std::string_view set_str(bool b) { return b ? "Set" : "Not set"; }

}  // namespace icmpkit::report::detail
