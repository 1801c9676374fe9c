#include "icmpkit/wire/classify.hpp"

namespace icmpkit::wire {
// STUB
std::string_view kind_name(Kind) noexcept { return "other"; }
std::string_view reason_name(UnreachableReason) noexcept { return "other"; }
std::string_view reason_name(TimeExceededReason) noexcept { return "other"; }
Classification classify(const icmpv4::Message&) noexcept { return {}; }
Classification classify(const icmpv6::Message&) noexcept { return {}; }
UnreachableReason unreachable_reason(core::Family, std::uint8_t) noexcept { return UnreachableReason::other; }
}  // namespace icmpkit::wire
