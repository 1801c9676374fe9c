#include "icmpkit/stack/rate_limit.hpp"

namespace icmpkit::stack {

TokenBucket::TokenBucket(core::Duration cost, std::uint32_t burst, core::MonoTime now) noexcept
    : cost_(cost), cap_(cost * (burst ? burst : 1)), credit_(cap_), last_(now) {}

bool TokenBucket::allow(core::MonoTime now) noexcept {
    if (now > last_) {
        credit_ += now - last_;
        last_ = now;
    }
    if (credit_ > cap_) credit_ = cap_;
    if (credit_ >= cost_) {
        credit_ -= cost_;
        return true;
    }
    return false;
}

bool RateLimiter::limited_type(core::Family family, std::uint8_t type, std::uint8_t code) const noexcept {
    if (!config_.enabled) return false;
    if (family == core::Family::v4) {
        // Never limit PMTU discovery: RFC 1191 frag needed (Linux icmpv4_mask_allow).
        if (type == 3 && code == 4) return false;
        return config_.mask_v4.test(type);
    }
    if (type == 2) return false;  // RFC 8201: Packet Too Big is never limited
    return config_.mask_v6.test(type);
}

RateDecision RateLimiter::check(core::Family family, std::uint8_t type, std::uint8_t code,
                                const core::IpAddress& peer, core::MonoTime now) {
    if (!limited_type(family, type, code)) return RateDecision::exempt;
    // Global bucket first (Linux icmp_global_allow): a message costs 1/per_second seconds.
    if (config_.global_per_second) {
        if (!global_) {
            global_ = TokenBucket(core::Duration(std::chrono::seconds(1)) / config_.global_per_second,
                                  config_.global_burst, now);
        }
        if (!global_->allow(now)) return RateDecision::limited_global;
    }
    if (config_.per_peer_interval.count() > 0) {
        auto it = peers_.find(peer);
        if (it == peers_.end()) {
            if (peers_.size() >= config_.max_peers && config_.max_peers) evict_stalest();
            it = peers_.emplace(peer, TokenBucket(config_.per_peer_interval, config_.per_peer_burst, now)).first;
        }
        if (!it->second.allow(now)) return RateDecision::limited_peer;
    }
    return RateDecision::allowed;
}

void RateLimiter::evict_stalest() {
    auto stalest = peers_.begin();
    for (auto it = peers_.begin(); it != peers_.end(); ++it)
        if (it->second.last() < stalest->second.last()) stalest = it;
    if (stalest != peers_.end()) peers_.erase(stalest);
}

}  // namespace icmpkit::stack
