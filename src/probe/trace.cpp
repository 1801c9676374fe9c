// probe::Trace (trace.hpp): events, matching and hop output. Scheduling is in trace_schedule.cpp.
#include "icmpkit/probe/trace.hpp"

#include <algorithm>
#include <utility>

#include "icmpkit/core/assert.hpp"

namespace icmpkit::probe {

Trace::Trace(TraceConfig config) : config_(std::move(config)) {
    ICMPKIT_ASSERT(config_.first_ttl >= 1 && config_.first_ttl <= config_.max_ttl);
    ICMPKIT_ASSERT(config_.queries >= 1 && config_.queries <= 10);
    if (config_.window == 0) config_.window = 1;
    if (config_.per_hop_window == 0) config_.per_hop_window = 1;
    slots_.resize(std::size_t{config_.max_ttl - config_.first_ttl + 1u} * config_.queries);
    next_emit_ = config_.first_ttl;
    flight_.reserve(config_.window);
}

std::size_t Trace::slot_index(std::uint8_t ttl, unsigned q) const noexcept {
    return std::size_t{static_cast<unsigned>(ttl - config_.first_ttl)} * config_.queries + q;
}

std::uint8_t Trace::slot_ttl(std::size_t slot) const noexcept {
    return static_cast<std::uint8_t>(config_.first_ttl + slot / config_.queries);
}

std::uint8_t Trace::last_ttl() const noexcept { return final_ttl_ ? *final_ttl_ : config_.max_ttl; }

void Trace::start(core::MonoTime now) {
    if (started_) return;
    started_ = true;
    pump(now);
}

void Trace::on_sent(std::uint16_t serial, core::MonoTime now) {
    for (auto& f : flight_)
        if (f.serial == serial) {
            f.sent = now;
            if (slots_[f.slot].result.attempts == 1) slots_[f.slot].first_sent = now;
        }
}

void Trace::on_send_error(std::uint16_t serial, int error_number, core::MonoTime now) {
    (void)error_number;
    ++counters_.send_errors;
    for (auto& f : flight_)
        if (f.serial == serial) f.failed = true;  // counts as an unanswered attempt
    pump(now);
}

void Trace::on_packet(std::uint8_t protocol, core::Bytes message, const core::IpAddress& from,
                      std::optional<std::uint8_t> reply_ttl, const core::IpAddress* to, core::MonoTime now) {
    on_response(match_response(config_.space, protocol, message, from, reply_ttl, to), now);
}

void Trace::on_response(const TraceResponse& r, core::MonoTime now) {
    if (finished_ || !started_) return;
    if (r.kind == ResponseKind::rejected) {
        ++counters_.rejected[r.reject];
        return;
    }
    if (r.flow != config_.flow) {
        ++counters_.rejected[RejectReason::wrong_ports];
        return;
    }
    std::optional<std::size_t> slot;
    core::MonoTime sent{};
    if (!r.serial) {
        // RFC 792 8-octet quote over a kernel socket: only unambiguous with one probe in flight.
        if (flight_.size() != 1) {
            ++counters_.unattributed;
            return;
        }
        slot = flight_[0].slot, sent = flight_[0].sent;
        flight_.clear();
        slots_[*slot].in_flight = false;
    } else {
        auto it = std::find_if(flight_.begin(), flight_.end(), [&](const Flight& f) { return f.serial == *r.serial; });
        if (it != flight_.end()) {
            slot = it->slot, sent = it->sent;
            flight_.erase(it);
            slots_[*slot].in_flight = false;
        } else {
            for (const auto& l : late_)
                if (l.serial == *r.serial) slot = l.slot, sent = l.sent;
            if (!slot) {
                ++counters_.duplicates;  // answered already, or a serial long gone
                return;
            }
            ++counters_.late;
        }
    }
    record(*slot, sent, r, now);
    pump(now);
}

void Trace::record(std::size_t slot, core::MonoTime sent, const TraceResponse& r, core::MonoTime now) {
    const std::uint8_t ttl = slot_ttl(slot);
    if (final_ttl_ && ttl > *final_ttl_) {
        ++counters_.beyond_destination;
        return;
    }
    Slot& s = slots_[slot];
    if (s.result.status == TraceProbeResult::Status::answered || ttl < next_emit_) {
        ++counters_.duplicates;
        return;
    }
    s.result.status = TraceProbeResult::Status::answered;
    s.result.rtt = now - sent;
    s.result.response = r;
    s.ready.reset();
    ++counters_.answered;
    // A new responder: its bucket starts with what our probes to this TTL have not used.
    if (!buckets_.count(r.from) && buckets_.size() < slots_.size()) {
        const double used = static_cast<double>(in_flight_at(ttl) + 1);
        buckets_[r.from] = Bucket{std::max(0.0, static_cast<double>(config_.responder_burst) - used), now};
    }
    if (r.kind != ResponseKind::hop && (!final_ttl_ || ttl < *final_ttl_)) final_ttl_ = ttl;
}

void Trace::on_timer(core::MonoTime now) { pump(now); }

// SIGINT: the hop being probed (the first one not printed yet) comes out with what it has --
// its unanswered and unsent probes as `*` -- when at least one of its probes went out; nothing
// after it does (traceroute prints hops in order).
void Trace::interrupt(core::MonoTime now) {
    if (finished_) return;
    if (started_ && next_emit_ <= last_ttl()) {
        TraceHop hop;
        hop.ttl = static_cast<std::uint8_t>(next_emit_);
        const std::size_t b = slot_index(hop.ttl, 0);
        bool sent = false;
        for (std::size_t i = b; i < b + config_.queries; ++i) {
            TraceProbeResult r = slots_[i].result;
            sent |= r.attempts > 0;
            if (r.status != TraceProbeResult::Status::answered) r.status = TraceProbeResult::Status::timeout;
            else if (r.response.kind != ResponseKind::hop) hop.final = true;
            hop.probes.push_back(std::move(r));
        }
        if (sent) {
            done_.push_back(hop);
            actions_.push_back(TraceHopEvent{now, std::move(hop)});
            ++next_emit_;
        }
    }
    finish(now);
}

std::vector<TraceAction> Trace::take_actions() { return std::exchange(actions_, {}); }

}  // namespace icmpkit::probe
