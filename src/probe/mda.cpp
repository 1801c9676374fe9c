// probe::Mda: see include/icmpkit/probe/mda.hpp.
#include "icmpkit/probe/mda.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "icmpkit/core/assert.hpp"

namespace icmpkit::probe {

double mda_miss_probability(unsigned k, unsigned n) noexcept {
    // Inclusion-exclusion over which of the K = k+1 successors were never hit. For the n where
    // the result is near alpha the terms fall off like alpha^i / i!, so no cancellation.
    const double big_k = static_cast<double>(k) + 1.0;
    double sum = 0.0, binomial = 1.0;  // C(K, i)
    for (unsigned i = 1; i <= k; ++i) {
        binomial = binomial * (big_k - (i - 1)) / i;
        const double term = binomial * std::pow((big_k - i) / big_k, static_cast<double>(n));
        sum += (i % 2 == 1) ? term : -term;
    }
    return std::clamp(sum, 0.0, 1.0);
}

unsigned mda_stopping_point(unsigned k, double alpha) noexcept {
    if (k == 0) return 1;
    if (!(alpha > 0.0) || alpha >= 1.0) alpha = 0.05;
    unsigned n = k;  // fewer than k+1 probes never show k+1 successors... but n >= k+1 anyway
    while (mda_miss_probability(k, n) > alpha && n < 100000) ++n;
    return n;
}

Mda::Mda(MdaConfig config) : config_(config) {
    if (!(config_.confidence > 0.0 && config_.confidence < 100.0)) config_.confidence = 95.0;
    alpha_ = 1.0 - config_.confidence / 100.0;
    config_.first_ttl = std::max<std::uint8_t>(config_.first_ttl, 1);
    config_.max_ttl = std::max(config_.max_ttl, config_.first_ttl);
    config_.max_flows = std::max<std::uint16_t>(config_.max_flows, 1);
    config_.probe_budget = std::min<std::uint32_t>(config_.probe_budget, 65535);
    config_.window = std::max(config_.window, 1u);
    config_.max_interfaces = std::clamp(config_.max_interfaces, 1u, 255u);
    config_.gap_limit = std::max(config_.gap_limit, 1u);
    stopping_.resize(config_.max_interfaces + 1);
    for (unsigned k = 0; k <= config_.max_interfaces; ++k) stopping_[k] = mda_stopping_point(k, alpha_);
    hops_.resize(static_cast<std::size_t>(config_.max_ttl) + 1);
    buckets_.resize(hops_.size());
    Node source;
    source.kind = MdaNodeKind::router;
    hops_[config_.first_ttl - 1].push_back(source);
    ttl_ = config_.first_ttl;
}

unsigned Mda::stopping_point(unsigned k) const noexcept {
    return stopping_[std::min<std::size_t>(k, stopping_.size() - 1)];
}

std::int32_t& Mda::slot(std::uint32_t flow, unsigned ttl) noexcept {
    return slots_[static_cast<std::size_t>(flow) * (config_.max_ttl + 1u) + ttl];
}
std::int32_t Mda::slot_value(std::uint32_t flow, unsigned ttl) const noexcept {
    return slots_[static_cast<std::size_t>(flow) * (config_.max_ttl + 1u) + ttl];
}

std::optional<std::uint16_t> Mda::new_flow(std::int32_t prev_value) {
    if (flows_ >= config_.max_flows) return std::nullopt;
    const auto f = static_cast<std::uint16_t>(flows_++);
    slots_.resize(static_cast<std::size_t>(flows_) * (config_.max_ttl + 1u), unprobed);
    if (prev_value != unprobed) slot(f, ttl_ - 1u) = prev_value;
    return f;
}

bool Mda::single_interface(unsigned ttl) const noexcept { return hops_[ttl].size() == 1; }

bool Mda::has_token(unsigned ttl) {
    if (config_.router_interval <= core::Duration{0}) return true;
    unsigned k = 0;
    for (const auto& node : hops_[ttl]) k += node.address ? 1u : 0u;
    Bucket& b = buckets_[ttl];
    const double rate = b.slowed ? 0.8 : static_cast<double>(std::max(k, 1u));
    const double cap = b.slowed ? 1.0 : static_cast<double>(config_.router_burst) * std::max(k, 1u);
    if (!b.used) {
        b.tokens = cap;
        b.used = true;
    } else if (now_ > b.updated) {
        const double periods = std::chrono::duration<double>(now_ - b.updated) /
                               std::chrono::duration<double>(config_.router_interval);
        b.tokens = std::min(cap, b.tokens + periods * rate);
    }
    b.updated = now_;
    if (b.tokens >= 1.0 - 1e-9) return true;
    const auto wait = std::chrono::ceil<std::chrono::microseconds>(
        std::chrono::duration<double>(config_.router_interval) * ((1.0 - b.tokens) / rate));
    const core::MonoTime wake = now_ + wait;
    if (!token_wake_ || wake < *token_wake_) token_wake_ = wake;
    return false;
}

bool Mda::send(std::uint16_t flow, std::uint8_t ttl, unsigned attempt) {
    if (serial_record_.size() >= config_.probe_budget) {
        budget_exhausted_ = true;
        return false;
    }
    if (!has_token(ttl)) return false;
    if (config_.router_interval > core::Duration{0})
        buckets_[ttl].tokens = std::max(0.0, buckets_[ttl].tokens - 1.0);
    const auto serial = static_cast<std::uint16_t>(serial_record_.size());
    serial_record_.push_back(static_cast<std::uint32_t>(flow) << 8 | ttl);
    in_flight_.push_back({serial, flow, ttl, attempt, std::nullopt});
    queue_.push_back({flow, serial, ttl});
    slot(flow, ttl) = pending;
    return true;
}

void Mda::start(core::MonoTime now) {
    if (started_) return;
    started_ = true;
    plan(now);
}

void Mda::plan(core::MonoTime now) {
    if (now > now_) now_ = now;
    token_wake_.reset();
    for (std::size_t i = 0; i < retries_.size();) {  // resends first, as tokens allow
        const Retry r = retries_[i];
        if (serial_record_.size() >= config_.probe_budget) {
            retries_.erase(retries_.begin() + static_cast<std::ptrdiff_t>(i));
            slot(r.flow, r.ttl) = unusable;
            ++timeouts_;
            continue;
        }
        if (!has_token(r.ttl)) { ++i; continue; }
        retries_.erase(retries_.begin() + static_cast<std::ptrdiff_t>(i));
        send(r.flow, r.ttl, r.attempt);
    }
    while (started_ && !finished_) {
        if (!plan_stage()) return;
        finish_stage();
    }
}

// One pass over the flows, then probes for every interface at hop ttl_-1 short of its stopping
// point. Returns true when the stage is over: every such interface is done, nothing in flight.
bool Mda::plan_stage() {
    const unsigned h = ttl_, p = h - 1u;
    auto& prev = hops_[p];
    std::vector<Need> needs(prev.size());
    std::uint32_t control_in_flight = 0;
    for (std::uint32_t f = 0; f < flows_; ++f) {
        const std::int32_t v = slot_value(f, p), hv = slot_value(f, h);
        if (v == pending) { ++control_in_flight; continue; }
        if (v < 0) continue;
        Need& n = needs[static_cast<std::size_t>(v)];
        if (hv == pending) ++n.in_flight;
        else if (hv >= 0) ++n.answered;
        else if (hv == unprobed) n.candidates.push_back(static_cast<std::uint16_t>(f));
    }
    auto room = [&] { return in_flight_.size() < config_.window && !budget_exhausted_; };
    std::uint32_t total_deficit = 0;
    bool all_done = true;
    for (std::size_t v = 0; v < prev.size(); ++v) {
        Node& node = prev[v];
        if (node.finished) continue;
        if (node.kind == MdaNodeKind::destination || node.kind == MdaNodeKind::unreachable) {
            node.finished = true;
            continue;
        }
        if (node.incomplete) { node.finished = true; continue; }  // ran into max_interfaces
        const Need& n = needs[v];
        const unsigned k = static_cast<unsigned>(node.successors.size());
        if (k >= config_.max_interfaces) { node.finished = node.incomplete = true; continue; }
        const unsigned target = stopping_[k];
        if (n.answered >= target) { node.finished = true; continue; }
        all_done = false;
        std::int64_t deficit = static_cast<std::int64_t>(target) - n.answered - n.in_flight;
        for (std::size_t c = 0; c < n.candidates.size() && deficit > 0 && room(); ++c, --deficit)
            if (!send(n.candidates[c], static_cast<std::uint8_t>(h), 0)) break;
        if (deficit > 0 && single_interface(p)) {
            while (deficit > 0 && room() && has_token(h)) {
                const auto f = new_flow(static_cast<std::int32_t>(v));
                if (!f || !send(*f, static_cast<std::uint8_t>(h), 0)) break;
                --deficit;
            }
        } else if (deficit > 0) {
            total_deficit += static_cast<std::uint32_t>(deficit);
        }
        const bool exhausted = budget_exhausted_ || flows_ >= config_.max_flows;
        if (deficit > 0 && exhausted && n.in_flight == 0 && control_in_flight == 0 &&
            n.candidates.empty())
            node.finished = node.incomplete = true;
    }
    // Node control (MDA): fresh flows probed at hop h-1 to find ones that reach the interfaces
    // still short of flows.
    while (control_in_flight < total_deficit && room() && has_token(p)) {
        const auto f = new_flow(unprobed);
        if (!f || !send(*f, static_cast<std::uint8_t>(p), 0)) break;
        ++control_in_flight;
    }
    if (budget_exhausted_ && in_flight_.empty() && retries_.empty()) {
        for (auto& hop : hops_)
            for (auto& node : hop)
                if (!node.finished) node.finished = node.incomplete = true;
        finished_ = true;
        return false;
    }
    if (!all_done && in_flight_.empty() && retries_.empty() && !token_wake_) {
        // Nothing in flight and nothing more can be sent (flows or budget ran out): what is
        // still short of its stopping point stays incomplete.
        for (auto& node : prev)
            if (!node.finished) node.finished = node.incomplete = true;
        return true;
    }
    return all_done && in_flight_.empty() && retries_.empty();
}

void Mda::finish_stage() {
    const unsigned h = ttl_;
    const auto& hop = hops_[h];
    bool continuing = false, all_silent = !hop.empty();
    for (const auto& node : hop) {
        if (node.kind == MdaNodeKind::destination) reached_ = true;
        if (node.kind == MdaNodeKind::router || node.kind == MdaNodeKind::silent) continuing = true;
        if (node.kind != MdaNodeKind::silent) all_silent = false;
    }
    silent_run_ = all_silent ? silent_run_ + 1 : 0;
    if (!continuing || silent_run_ >= config_.gap_limit || h >= config_.max_ttl) {
        if (h >= config_.max_ttl)
            for (auto& node : hops_[h])
                if (node.kind == MdaNodeKind::router) node.incomplete = true;
        finished_ = true;
        return;
    }
    ++ttl_;
}

std::optional<std::uint32_t> Mda::record(std::uint8_t ttl, const std::optional<core::IpAddress>& address,
                                         MdaNodeKind kind, std::uint8_t type, std::uint8_t code) {
    auto& hop = hops_[ttl];
    for (std::size_t i = 0; i < hop.size(); ++i)
        if (hop[i].address == address) {
            ++hop[i].flows;
            return static_cast<std::uint32_t>(i);
        }
    if (hop.size() >= config_.max_interfaces) return std::nullopt;
    Node node;
    node.address = address;
    node.kind = kind;
    node.type = type;
    node.code = code;
    node.flows = 1;
    hop.push_back(std::move(node));
    return static_cast<std::uint32_t>(hop.size() - 1);
}

void Mda::resolve(std::size_t index, std::optional<std::uint32_t> node_index_or_silent,
                  std::optional<std::int64_t> rtt_us, bool answered) {
    const Outstanding o = in_flight_[index];
    in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(index));
    std::int32_t& s = slot(o.flow, o.ttl);
    std::optional<std::uint32_t> node = node_index_or_silent;
    if (!answered) {
        // Silent after every retry: a '*' successor at the hop being discovered; at a node-control
        // hop the flow joins the silent interface there, if that hop has one.
        node.reset();
        if (o.ttl == ttl_) {
            node = record(o.ttl, std::nullopt, MdaNodeKind::silent, 0, 0);
        } else {
            const auto& hop = hops_[o.ttl];
            for (std::size_t i = 0; i < hop.size(); ++i)
                if (!hop[i].address) node = static_cast<std::uint32_t>(i);
            if (node) ++hops_[o.ttl][*node].flows;
        }
    }
    if (!node) { s = unusable; return; }
    s = static_cast<std::int32_t>(*node);
    Node& n = hops_[o.ttl][*node];
    if (rtt_us && (!n.min_rtt_us || *rtt_us < *n.min_rtt_us)) n.min_rtt_us = rtt_us;
    if (o.ttl == 0 || o.ttl < config_.first_ttl) return;
    const std::int32_t v = slot_value(o.flow, o.ttl - 1u);
    if (o.ttl != ttl_ || v < 0) return;
    Node& from = hops_[o.ttl - 1u][static_cast<std::size_t>(v)];
    if (std::find(from.successors.begin(), from.successors.end(), *node) != from.successors.end()) return;
    if (from.successors.size() >= config_.max_interfaces) { from.incomplete = true; return; }
    from.successors.push_back(*node);
}

void Mda::on_sent(std::uint16_t serial, core::MonoTime now) {
    for (auto& o : in_flight_)
        if (o.serial == serial) o.sent_at = now;
}

void Mda::on_send_error(std::uint16_t serial, core::MonoTime now) {
    for (std::size_t i = 0; i < in_flight_.size(); ++i)
        if (in_flight_[i].serial == serial) {
            ++timeouts_;
            resolve(i, std::nullopt, std::nullopt, false);
            break;
        }
    plan(now);
}

void Mda::on_reply(const MdaReply& reply, core::MonoTime now) {
    if (finished_) { ++ignored_; return; }
    std::optional<std::uint8_t> ttl = reply.probe_ttl;
    if (reply.serial && *reply.serial < serial_record_.size()) {
        const std::uint32_t rec = serial_record_[*reply.serial];
        if ((rec >> 8) != reply.flow) { ++ignored_; return; }
        ttl = static_cast<std::uint8_t>(rec & 0xff);
    }
    std::optional<std::size_t> index;
    for (std::size_t i = 0; i < in_flight_.size(); ++i)
        if (in_flight_[i].flow == reply.flow && (!ttl || in_flight_[i].ttl == *ttl)) index = i;
    if (!index) {  // a late answer to a probe waiting to be resent still counts
        for (std::size_t i = 0; i < retries_.size() && !index; ++i)
            if (retries_[i].flow == reply.flow && (!ttl || retries_[i].ttl == *ttl)) {
                in_flight_.push_back({0, retries_[i].flow, retries_[i].ttl, retries_[i].attempt, std::nullopt});
                retries_.erase(retries_.begin() + static_cast<std::ptrdiff_t>(i));
                index = in_flight_.size() - 1;
            }
    }
    if (!index) { ++ignored_; return; }  // late (already resolved), duplicate or not ours
    ++replies_;
    const Outstanding& o = in_flight_[*index];
    std::optional<std::int64_t> rtt;
    if (o.sent_at) rtt = std::chrono::duration_cast<std::chrono::microseconds>(now - *o.sent_at).count();
    const MdaNodeKind kind = reply.kind == MdaReplyKind::hop           ? MdaNodeKind::router
                             : reply.kind == MdaReplyKind::destination ? MdaNodeKind::destination
                                                                       : MdaNodeKind::unreachable;
    const auto node = record(o.ttl, reply.from, kind, reply.type, reply.code);
    if (!node) {  // the hop already holds max_interfaces interfaces: the flow is of no more use
        if (o.ttl >= 1 && o.ttl == ttl_) {
            const std::int32_t v = slot_value(o.flow, o.ttl - 1u);
            if (v >= 0) hops_[o.ttl - 1u][static_cast<std::size_t>(v)].incomplete = true;
        }
        slot(o.flow, o.ttl) = unusable;
        in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(*index));
    } else {
        resolve(*index, node, rtt, true);
    }
    plan(now);
}

void Mda::on_timer(core::MonoTime now) {
    if (finished_) return;
    for (std::size_t i = 0; i < in_flight_.size();) {
        const Outstanding o = in_flight_[i];
        if (!o.sent_at || *o.sent_at + config_.wait > now) { ++i; continue; }
        Bucket& b = buckets_[o.ttl];
        const bool answering = std::any_of(hops_[o.ttl].begin(), hops_[o.ttl].end(),
                                           [](const Node& n) { return n.address.has_value(); });
        if (answering && !b.slowed) {
            b.slowed = true;
            b.tokens = 0;
            b.updated = now;
        }
        if (o.attempt < config_.retries && serial_record_.size() < config_.probe_budget) {
            in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(i));
            retries_.push_back({o.flow, o.ttl, o.attempt + 1});  // sent by plan() as tokens allow
            continue;
        }
        ++timeouts_;
        resolve(i, std::nullopt, std::nullopt, false);
    }
    plan(now);
}

void Mda::interrupt() {
    if (finished_) return;  // nothing was left to do: the result stays complete
    interrupted_ = true;
    finished_ = true;
    retries_.clear();
    in_flight_.clear();
    queue_.clear();
}

std::vector<MdaProbe> Mda::take_probes() {
    std::vector<MdaProbe> out;
    out.swap(queue_);
    return out;
}

std::optional<core::MonoTime> Mda::next_deadline() const noexcept {
    if (finished_) return std::nullopt;
    std::optional<core::MonoTime> best = token_wake_;
    for (const auto& o : in_flight_)
        if (o.sent_at && (!best || *o.sent_at + config_.wait < *best)) best = *o.sent_at + config_.wait;
    return best;
}

}  // namespace icmpkit::probe
