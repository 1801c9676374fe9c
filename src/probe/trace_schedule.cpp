// probe::Trace scheduling (trace.hpp): waits, retries, the window, responder pacing, hop output.
#include <algorithm>
#include <cmath>

#include "icmpkit/probe/trace.hpp"

namespace icmpkit::probe {
namespace {

using Status = TraceProbeResult::Status;

core::Duration scaled(core::Duration rtt, double factor) {
    return std::chrono::duration_cast<core::Duration>(std::chrono::duration<double, std::nano>(
        static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(rtt).count()) * factor));
}

}  // namespace

unsigned Trace::in_flight_at(std::uint8_t ttl) const noexcept {
    unsigned n = 0;
    for (const auto& f : flight_) n += slot_ttl(f.slot) == ttl;
    return n;
}

// traceroute 2.1 -w MAX,HERE,NEAR: HERE x the RTT of an answered probe of the same hop, else
// NEAR x the RTT of an answered probe of the nearest later hop, else MAX.
core::Duration Trace::wait_for(std::size_t slot) const {
    const std::uint8_t ttl = slot_ttl(slot);
    auto clamp = [&](core::Duration d) { return std::clamp(d, config_.min_wait, config_.max_wait); };
    const std::size_t hop_begin = slot_index(ttl, 0);
    if (config_.here > 0)
        for (std::size_t i = hop_begin; i < hop_begin + config_.queries; ++i)
            if (slots_[i].result.status == Status::answered) return clamp(scaled(slots_[i].result.rtt, config_.here));
    if (config_.near > 0)
        for (std::size_t i = hop_begin + config_.queries; i < slots_.size(); ++i)
            if (slots_[i].result.status == Status::answered) return clamp(scaled(slots_[i].result.rtt, config_.near));
    // The first hop past the last answer (trace.hpp): a first wait of at most one token's time,
    // then NEAR x the RTT of the hop before it, else what is left of MAX.
    if (config_.retries > 0 && config_.responder_interval.count() > 0 && !final_ttl_ && frontier(ttl)) {
        if (slots_[slot].result.attempts <= 1) return clamp(std::min(config_.max_wait, config_.responder_interval));
        if (config_.near > 0 && ttl > config_.first_ttl)
            for (std::size_t i = slot_index(static_cast<std::uint8_t>(ttl - 1), 0); i < hop_begin; ++i)
                if (slots_[i].result.status == Status::answered) return clamp(scaled(slots_[i].result.rtt, config_.near));
        return clamp(config_.max_wait - config_.responder_interval);
    }
    return config_.max_wait;
}

bool Trace::frontier(std::uint8_t ttl) const noexcept {
    return ttl == config_.first_ttl || hop_answered(static_cast<std::uint8_t>(ttl - 1));
}

std::optional<core::IpAddress> Trace::responder_of(std::uint8_t ttl) const {
    const std::size_t b = slot_index(ttl, 0);
    for (std::size_t i = b; i < b + config_.queries; ++i)
        if (slots_[i].result.status == Status::answered) return slots_[i].result.response.from;
    return std::nullopt;
}

bool Trace::take_token(const core::IpAddress& a, core::MonoTime now, bool commit) {
    auto it = buckets_.find(a);
    if (it == buckets_.end()) return true;
    Bucket& b = it->second;
    const double per = static_cast<double>(config_.responder_interval.count());
    if (per > 0 && now > b.at) {
        b.tokens = std::min(static_cast<double>(config_.responder_burst),
                            b.tokens + static_cast<double>((now - b.at).count()) / per);
    }
    b.at = std::max(b.at, now);
    if (b.tokens < 1.0 && per > 0) return false;
    if (commit) b.tokens -= 1.0;
    return true;
}

std::optional<core::MonoTime> Trace::token_time(const core::IpAddress& a) const {
    auto it = buckets_.find(a);
    if (it == buckets_.end() || it->second.tokens >= 1.0) return std::nullopt;
    const double missing = 1.0 - it->second.tokens;
    return it->second.at + core::Duration(static_cast<core::Duration::rep>(
                               std::ceil(missing * static_cast<double>(config_.responder_interval.count()))));
}

void Trace::pump(core::MonoTime now) {
    if (!started_ || finished_) return;
    expire(now);
    emit_hops(now);
    if (!finished_) transmit(now);
}

void Trace::expire(core::MonoTime now) {
    for (std::size_t i = 0; i < flight_.size();) {
        const Flight f = flight_[i];
        if (!f.failed && now < f.sent + wait_for(f.slot)) {
            ++i;
            continue;
        }
        flight_.erase(flight_.begin() + static_cast<std::ptrdiff_t>(i));
        if (late_.size() < late_capacity) late_.push_back({f.serial, f.slot, f.sent});
        else late_[late_next_++ % late_capacity] = {f.serial, f.slot, f.sent};
        Slot& s = slots_[f.slot];
        s.in_flight = false;
        if (s.result.status != Status::answered) retry_unanswered(f.slot, now);
    }
}

// Why a probe went unanswered decides whether it is asked again (trace.hpp, "retries").
void Trace::retry_unanswered(std::size_t slot, core::MonoTime now) {
    Slot& s = slots_[slot];
    const std::uint8_t ttl = slot_ttl(slot);
    const bool may = s.result.attempts < 1 + config_.retries && ttl <= last_ttl();
    auto again_at = [&](core::MonoTime t) {
        s.ready = std::max(now, t);
        ++counters_.retried;
    };
    if (auto r = responder_of(ttl)) {
        // Its hop answered other probes: the responder is limiting (Linux: icmp_ratelimit), its
        // bucket is taken to be empty, and the path has shown rate limiting.
        if (auto b = buckets_.find(*r); b != buckets_.end()) b->second = Bucket{std::min(b->second.tokens, 0.0), now};
        if (!limited_) {
            limited_ = true;
            reopen_silent_hops(now);
        }
        if (may) {
            core::MonoTime due = now + config_.retry_backoff * (1 << std::min(s.result.attempts - 1, 10u));
            if (auto t = token_time(*r); t && *t > due) due = *t;
            if (due - now <= config_.token_wait) return again_at(due);
        }
    } else if (may && answered_after(ttl)) {
        // Silent between answers: on a path that has shown rate limiting, asked again once its
        // bucket holds a token; else once at once (a lost probe or reply), then silent by policy.
        if (limited_ && !s.waited_token) {
            s.waited_token = true;
            return again_at(s.first_sent + config_.responder_interval);
        }
        if (s.result.attempts == 1) return again_at(now);
    } else if (may && s.result.attempts == 1 && !final_ttl_ && frontier(ttl)) {
        // The first hop past the last answer, destination unknown: an emptied bucket (often the
        // destination's) holds a token a `responder_interval` after the first send.
        s.waited_token = true;
        return again_at(s.first_sent + config_.responder_interval);
    }
    s.result.status = Status::timeout;
}

// Rate limiting seen: hops silent between answers, not yet printed, are asked once more.
void Trace::reopen_silent_hops(core::MonoTime now) {
    if (config_.retries == 0) return;
    for (unsigned ttl = next_emit_; ttl <= last_ttl(); ++ttl) {
        const auto t = static_cast<std::uint8_t>(ttl);
        if (hop_answered(t) || !answered_after(t)) continue;
        for (std::size_t i = slot_index(t, 0); i < slot_index(t, 0) + config_.queries; ++i) {
            Slot& s = slots_[i];
            if (s.result.status != Status::timeout || s.waited_token || s.result.attempts >= 1 + config_.retries) continue;
            s.waited_token = true;
            s.result.status = Status::not_sent;
            s.ready = std::max(now, s.first_sent + config_.responder_interval);
            ++counters_.retried;
        }
    }
}

bool Trace::answered_after(std::uint8_t ttl) const noexcept {
    for (std::size_t i = slot_index(ttl, config_.queries - 1) + 1; i < slots_.size(); ++i)
        if (slots_[i].result.status == Status::answered) return true;
    return false;
}

bool Trace::hop_answered(std::uint8_t ttl) const noexcept {
    const std::size_t b = slot_index(ttl, 0);
    for (std::size_t i = b; i < b + config_.queries; ++i)
        if (slots_[i].result.status == Status::answered) return true;
    return false;
}

bool Trace::hop_complete(std::uint8_t ttl) const noexcept {
    const std::size_t b = slot_index(ttl, 0);
    for (std::size_t i = b; i < b + config_.queries; ++i)
        if (slots_[i].result.status == Status::not_sent) return false;
    return true;
}

void Trace::emit_hops(core::MonoTime now) {
    while (!finished_ && next_emit_ <= last_ttl() && hop_complete(static_cast<std::uint8_t>(next_emit_))) {
        TraceHop hop;
        hop.ttl = static_cast<std::uint8_t>(next_emit_);
        const std::size_t b = slot_index(hop.ttl, 0);
        for (std::size_t i = b; i < b + config_.queries; ++i) {
            hop.probes.push_back(slots_[i].result);
            if (slots_[i].result.status == Status::answered && slots_[i].result.response.kind != ResponseKind::hop)
                hop.final = true;
        }
        done_.push_back(hop);
        actions_.push_back(TraceHopEvent{now, std::move(hop)});
        ++next_emit_;
        if (done_.back().final || next_emit_ > config_.max_ttl) finish(now);
    }
}

void Trace::transmit(core::MonoTime now) {
    for (std::size_t i = 0; i < slots_.size() && flight_.size() < config_.window; ++i) {
        const std::uint8_t ttl = slot_ttl(i);
        if (ttl > last_ttl()) break;
        if (config_.send_wait.count() > 0 && last_send_ && now < *last_send_ + config_.send_wait) break;
        const Slot& s = slots_[i];
        if (s.in_flight || s.result.status != Status::not_sent || (s.ready && *s.ready > now)) continue;
        if (in_flight_at(ttl) >= config_.per_hop_window) continue;
        if (auto r = responder_of(ttl); r && !take_token(*r, now, true)) continue;
        try_send(i, now);
    }
}

bool Trace::try_send(std::size_t slot, core::MonoTime now) {
    const std::uint16_t serial = next_serial_++;
    const ProbeId id{config_.flow, serial, slot_ttl(slot)};
    actions_.push_back(TraceTransmit{id, build_probe(config_.space, id)});
    flight_.push_back(Flight{serial, slot, now, false});
    Slot& s = slots_[slot];
    s.in_flight = true;
    s.ready.reset();
    if (s.result.attempts == 0) s.first_sent = now;
    ++s.result.attempts;
    last_send_ = now;
    ++counters_.sent;
    return true;
}

std::optional<core::MonoTime> Trace::slot_wake(std::size_t slot) const {
    const Slot& s = slots_[slot];
    if (s.in_flight || s.result.status != Status::not_sent) return std::nullopt;
    if (in_flight_at(slot_ttl(slot)) >= config_.per_hop_window) return std::nullopt;  // an expiry wakes it
    std::optional<core::MonoTime> t = s.ready;
    if (!t && last_send_) t = *last_send_ + config_.send_wait;  // held back only by -z
    if (auto r = responder_of(slot_ttl(slot)))
        if (auto tt = token_time(*r); tt && (!t || *tt > *t)) t = tt;
    return t;
}

std::optional<core::MonoTime> Trace::next_deadline() const noexcept {
    if (!started_ || finished_) return std::nullopt;
    std::optional<core::MonoTime> best;
    auto consider = [&](core::MonoTime t) {
        if (!best || t < *best) best = t;
    };
    for (const auto& f : flight_) consider(f.failed ? f.sent : f.sent + wait_for(f.slot));
    const bool room = flight_.size() < config_.window;
    for (std::size_t i = 0; room && i < slots_.size() && slot_ttl(i) <= last_ttl(); ++i)
        if (auto t = slot_wake(i)) consider(*t);
    if (best && room && config_.send_wait.count() > 0 && last_send_ && *best < *last_send_ + config_.send_wait)
        best = *last_send_ + config_.send_wait;
    return best;
}

void Trace::finish(core::MonoTime now) {
    finished_ = true;
    flight_.clear();
    actions_.push_back(TraceFinish{now});
}

}  // namespace icmpkit::probe
