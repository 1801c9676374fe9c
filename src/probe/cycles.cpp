// probe::Cycles: see include/icmpkit/probe/cycles.hpp.
#include "icmpkit/probe/cycles.hpp"

#include <algorithm>
#include <cmath>

namespace icmpkit::probe {

Cycles::Cycles(CyclesConfig config) : config_(config) {
    config_.first_ttl = std::max<std::uint8_t>(config_.first_ttl, 1);
    config_.max_ttl = std::max(config_.max_ttl, config_.first_ttl);
    config_.flows = std::max<std::uint16_t>(config_.flows, 1);
    config_.max_unknown = std::max(config_.max_unknown, 1u);
    config_.max_addresses = std::max(config_.max_addresses, 1u);
    if (config_.interval <= core::Duration{0}) config_.interval = 1ms;
    hops_.resize(static_cast<std::size_t>(config_.max_ttl) + 1);
}

void Cycles::start(core::MonoTime now) {
    if (started_) return;
    started_ = true;
    next_cycle_ = now;
    on_timer(now);
}

unsigned Cycles::limit() const noexcept {
    if (destination_ttl_) return *destination_ttl_;
    const unsigned base = std::max<unsigned>(config_.first_ttl - 1u, highest_answer_);
    return std::min<unsigned>(config_.max_ttl, base + config_.max_unknown);
}

void Cycles::send(std::uint8_t ttl) {
    const auto flow = static_cast<std::uint16_t>((cycle_ - 1) % config_.flows);
    const std::uint16_t serial = next_serial_++;
    in_flight_.push_back({serial, flow, ttl, cycle_, std::nullopt});
    queue_.push_back({flow, serial, ttl});
    ++hops_[ttl].sent;
}

void Cycles::extend(unsigned up_to) {
    up_to = std::min(up_to, limit());
    while (sent_up_to_ < up_to) send(static_cast<std::uint8_t>(++sent_up_to_));
}

void Cycles::begin_cycle() {
    ++cycle_;
    sent_up_to_ = config_.first_ttl - 1u;
    extend(limit());
}

void Cycles::on_sent(std::uint16_t serial, core::MonoTime now) {
    for (auto& o : in_flight_)
        if (o.serial == serial && !o.sent_at) o.sent_at = now;
}

void Cycles::on_reply(const CyclesReply& reply, core::MonoTime now) {
    std::optional<std::size_t> index;
    for (std::size_t i = 0; i < in_flight_.size() && !index; ++i) {
        const auto& o = in_flight_[i];
        if (o.flow != reply.flow) continue;
        if (reply.serial ? o.serial == *reply.serial : (reply.probe_ttl && o.ttl == *reply.probe_ttl)) index = i;
    }
    if (!index || finished_) { ++ignored_; return; }
    const Outstanding o = in_flight_[*index];
    in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(*index));
    Hop& hop = hops_[o.ttl];
    ++hop.received;
    if (o.sent_at) hop.rtt.add(std::chrono::duration_cast<std::chrono::microseconds>(now - *o.sent_at).count());
    if (std::find(hop.addresses.begin(), hop.addresses.end(), reply.from) == hop.addresses.end() &&
        hop.addresses.size() < config_.max_addresses)
        hop.addresses.push_back(reply.from);
    if (reply.destination || reply.unreachable) {
        hop.destination = hop.destination || reply.destination;
        if (!destination_ttl_ || o.ttl < *destination_ttl_) destination_ttl_ = o.ttl;
    } else {
        highest_answer_ = std::max<unsigned>(highest_answer_, o.ttl);
        if (o.cycle == cycle_ && !stopped_) extend(o.ttl + config_.max_unknown);
    }
    check_finished();
}

void Cycles::on_timer(core::MonoTime now) {
    if (!started_ || finished_) return;
    for (std::size_t i = 0; i < in_flight_.size();) {
        const auto& o = in_flight_[i];
        if (o.sent_at && *o.sent_at + config_.wait <= now) {
            ++hops_[o.ttl].lost;
            in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
            ++i;
        }
    }
    const bool more = !stopped_ && (config_.cycles == 0 || cycle_ < config_.cycles);
    if (more && now >= next_cycle_) {
        begin_cycle();
        next_cycle_ = next_cycle_ + config_.interval;
        if (next_cycle_ <= now) next_cycle_ = now + config_.interval;  // the driver was late
    }
    check_finished();
}

void Cycles::check_finished() {
    const bool all_begun = stopped_ || (config_.cycles != 0 && cycle_ >= config_.cycles);
    if (started_ && all_begun && in_flight_.empty() && queue_.empty()) finished_ = true;
}

void Cycles::interrupt() {
    for (const auto& o : in_flight_) --hops_[o.ttl].sent;  // in transit: not counted, as mtr
    in_flight_.clear();
    queue_.clear();
    stopped_ = finished_ = true;
}

std::vector<CyclesProbe> Cycles::take_probes() {
    std::vector<CyclesProbe> out;
    out.swap(queue_);
    check_finished();
    return out;
}

std::optional<core::MonoTime> Cycles::next_deadline() const noexcept {
    if (finished_ || !started_) return std::nullopt;
    std::optional<core::MonoTime> best;
    if (!stopped_ && (config_.cycles == 0 || cycle_ < config_.cycles)) best = next_cycle_;
    for (const auto& o : in_flight_)
        if (o.sent_at && (!best || *o.sent_at + config_.wait < *best)) best = *o.sent_at + config_.wait;
    return best;
}

CyclesReport Cycles::report() const {
    CyclesReport r;
    r.cycles = cycle_;
    r.ignored = ignored_;
    r.reached = destination_ttl_.has_value() && hops_[*destination_ttl_].destination;
    unsigned last = destination_ttl_ ? *destination_ttl_ : highest_answer_;
    if (last < config_.first_ttl) return r;
    for (unsigned t = config_.first_ttl; t <= last; ++t) {
        const Hop& h = hops_[t];
        HopReport hr;
        hr.ttl = static_cast<std::uint8_t>(t);
        hr.addresses = h.addresses;
        hr.sent = h.sent;
        hr.received = h.received;
        hr.lost = h.lost;
        hr.destination = h.destination;
        const std::uint64_t resolved = h.received + h.lost;
        hr.loss = resolved ? static_cast<double>(h.lost) / static_cast<double>(resolved) : 0.0;
        if (h.rtt.samples > 0) {
            const double n = static_cast<double>(h.rtt.samples);
            const double sum = static_cast<double>(h.rtt.tsum);
            hr.average_us = sum / n;
            if (h.rtt.samples > 1)
                hr.stdev_us = std::sqrt(std::max(0.0, (static_cast<double>(h.rtt.tsum2) - sum * sum / n) / (n - 1)));
            hr.best_us = h.rtt.tmin;
            hr.worst_us = h.rtt.tmax;
            hr.last_us = h.rtt.last_us;
        }
        r.hops.push_back(std::move(hr));
    }
    // Loss that carries on: a hop's forwarding loss is at most what every later answering hop
    // shows (a probe lost on the way to hop i would be lost for every larger TTL as well).
    double carried = 1.0;
    for (auto it = r.hops.rbegin(); it != r.hops.rend(); ++it) {
        if (it->received > 0) carried = std::min(carried, it->loss);
        it->forwarding_loss = std::min(carried, it->loss);
        it->reply_loss = it->loss - it->forwarding_loss;
        // Labelled only when clearly more than chance: at least two probes and 10 points of loss
        // beyond what carries on (one random loss on a lossy link would otherwise qualify).
        const double resolved = static_cast<double>(it->received + it->lost);
        const double excess = static_cast<double>(it->lost) - it->forwarding_loss * resolved;
        it->rate_limited = it->received > 0 && excess >= 2.0 - 1e-9 && it->reply_loss >= 0.1 - 1e-12;
    }
    return r;
}

}  // namespace icmpkit::probe
