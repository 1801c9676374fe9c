#include "icmpkit/core/error.hpp"

#include <cstring>

namespace icmpkit::core {

std::string_view fault_name(Fault f) noexcept {
    switch (f) {
        case Fault::truncated: return "truncated";
        case Fault::bad_length: return "bad-length";
        case Fault::bad_checksum: return "bad-checksum";
        case Fault::bad_version: return "bad-version";
        case Fault::bad_header_length: return "bad-header-length";
        case Fault::bad_option: return "bad-option";
        case Fault::bad_value: return "bad-value";
        case Fault::unsupported: return "unsupported";
    }
    return "unknown-fault";
}

std::string describe(const WireError& e) {
    std::string s;
    switch (e.fault) {
        case Fault::truncated: s = "truncated"; break;
        case Fault::bad_length: s = "bad length"; break;
        case Fault::bad_checksum: s = "bad checksum"; break;
        case Fault::bad_version: s = "bad version"; break;
        case Fault::bad_header_length: s = "bad header length"; break;
        case Fault::bad_option: s = "bad option"; break;
        case Fault::bad_value: s = "bad value"; break;
        case Fault::unsupported: s = "unsupported"; break;
    }
    s += " at byte ";
    s += std::to_string(e.offset);
    return s;
}

std::string describe(const SysError& e) {
    std::string s = e.operation;
    s += ": ";
    s += std::strerror(e.error_number);
    return s;
}

}  // namespace icmpkit::core
