// ICMP rate limiting (RFC 1812 4.3.2.8, RFC 4443 2.4(f)): token buckets on an injected clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/stack/config.hpp"

namespace icmpkit::stack {

// A token bucket counted in nanoseconds of credit: each message costs `cost`, credit grows with
// elapsed time up to `cost * burst`. A new bucket starts full (Linux starts inet_peer buckets
// with rate_last 60 s in the past, i.e. full).
class TokenBucket {
public:
    TokenBucket() = default;
    TokenBucket(core::Duration cost, std::uint32_t burst, core::MonoTime now) noexcept;
    // True (and a token spent) when a message may go now.
    bool allow(core::MonoTime now) noexcept;
    core::MonoTime last() const noexcept { return last_; }

private:
    core::Duration cost_{0};
    core::Duration cap_{0};
    core::Duration credit_{0};
    core::MonoTime last_{};
};

enum class RateDecision : std::uint8_t { allowed, exempt, limited_peer, limited_global };

// Global and per-peer limiter with per-type masks. PMTU messages (ICMPv4 3/4, ICMPv6 2) are
// never limited (RFC 1191 / RFC 8201 black holes; Linux icmpv4_mask_allow).
class RateLimiter {
public:
    explicit RateLimiter(RateLimitConfig config = {}) : config_(std::move(config)) {}
    RateDecision check(core::Family family, std::uint8_t type, std::uint8_t code,
                       const core::IpAddress& peer, core::MonoTime now);
    // Whether (family, type, code) is subject to limiting at all.
    bool limited_type(core::Family family, std::uint8_t type, std::uint8_t code) const noexcept;
    std::size_t peer_count() const noexcept { return peers_.size(); }

private:
    void evict_stalest();
    RateLimitConfig config_;
    std::optional<TokenBucket> global_;
    std::map<core::IpAddress, TokenBucket> peers_;
};

}  // namespace icmpkit::stack
