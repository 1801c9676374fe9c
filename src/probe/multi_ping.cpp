#include "icmpkit/probe/multi_ping.hpp"

#include <algorithm>
#include <cmath>

#include "icmpkit/core/assert.hpp"
#include "icmpkit/wire/checksum.hpp"

namespace icmpkit::probe {
namespace {

enum class SlotState : std::uint8_t { free, outstanding, answered, timed_out };

struct Slot {
    std::uint64_t serial = 0;  // which send occupies the slot (stale timeout entries differ)
    std::int64_t sent_ns = 0;
    std::uint32_t target = 0, probe = 0;
    std::uint16_t sequence = 0;
    SlotState state = SlotState::free;
};

struct Due {  // the ping queue: min (t, order); order keeps fping's FIFO for equal times
    std::int64_t t;
    std::uint64_t order;
    std::uint32_t target, probe;
    bool operator>(const Due& o) const noexcept { return t != o.t ? t > o.t : order > o.order; }
};

struct Expiry {
    std::int64_t t;
    std::uint64_t serial;
    std::uint16_t sequence;
    bool operator>(const Expiry& o) const noexcept { return t > o.t; }
};

struct PerTarget {
    TargetStats st;
    std::int64_t timeout_ns = 0;
};

struct TxFix {
    std::size_t action, offset, size;
};

std::int64_t ns(core::MonoTime t) { return t.since_origin.count(); }
core::MonoTime mono(std::int64_t v) { return core::MonoTime{core::Duration{v}}; }

}  // namespace

struct MultiPing::State {
    std::vector<PerTarget> targets;
    std::vector<std::int64_t> vectors;  // -C: targets x count
    std::vector<std::unique_ptr<RttSketch>> sketches;
    std::vector<Slot> slots;
    std::uint32_t mask = 0;
    std::vector<Due> ping_q;
    std::uint64_t order = 0;
    std::vector<Expiry> expiries;
    std::vector<MultiAction> actions;
    std::vector<TxFix> fixes;
    std::vector<std::uint8_t> arena, arena_out;
    core::Buffer request;        // echo request template (identifier/sequence/checksum zero)
    std::uint32_t request_sum = 0;
    std::int64_t last_send = 0;
    bool sent_any = false, more_now = false;
    std::int64_t last_pump = 0;
    std::uint16_t next_seq = 0;
    std::uint64_t serial = 0, outstanding = 0;
    MultiPingCounters c;
    RttStats overall;
    core::MonoTime start{}, end{};
};

MultiPing::MultiPing(MultiPingConfig config) : config_(std::move(config)), s_(std::make_unique<State>()) {
    ICMPKIT_ASSERT(config_.window >= 1 && config_.window <= 65536 && (config_.window & (config_.window - 1)) == 0);
    State& s = *s_;
    const std::size_t n = config_.targets.size();
    s.targets.resize(n);
    for (auto& t : s.targets) t.timeout_ns = config_.timeout.count();
    if (config_.keep_vectors && config_.count) s.vectors.assign(n * config_.count, rtt_unused);
    if (n <= config_.per_target_sketch_limit) {
        s.sketches.resize(n);
        for (auto& p : s.sketches) p = std::make_unique<RttSketch>();
    }
    s.slots.resize(config_.window);
    s.mask = config_.window - 1;
    s.request.assign(8 + config_.payload_size, 0);  // fping sends a zero payload
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < s.request.size(); i += 2) sum += core::load_be16(&s.request[i]);
    s.request_sum = sum;  // zero now; type bytes are added per family
    s.ping_q.reserve(n);
    s.actions.reserve(256);
}

MultiPing::~MultiPing() = default;
MultiPing::MultiPing(MultiPing&&) noexcept = default;

void MultiPing::start(core::MonoTime now) {
    State& s = *s_;
    s.start = s.end = now;
    for (std::uint32_t i = 0; i < config_.targets.size(); ++i) {
        s.ping_q.push_back(Due{ns(now), s.order++, i, 0});  // already a heap: equal t, rising order
    }
    pump(now);
}

namespace {

void emit_request(MultiPing::State& s, const MultiPingConfig& cfg, std::uint32_t target, std::uint16_t seq) {
    const bool v4 = cfg.targets[target].is_v4();
    const std::size_t off = s.arena.size();
    s.arena.insert(s.arena.end(), s.request.begin(), s.request.end());
    std::uint8_t* p = s.arena.data() + off;
    p[0] = v4 ? 8 : 128;  // RFC 792 echo / RFC 4443 4.1 echo request
    core::store_be16(p + 4, cfg.identifier);
    core::store_be16(p + 6, seq);
    if (v4) {  // RFC 792: one's complement sum; the payload's sum is precomputed
        std::uint32_t sum = s.request_sum + 0x0800u + cfg.identifier + seq;
        while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
        core::store_be16(p + 2, static_cast<std::uint16_t>(~sum));
    }
    s.fixes.push_back(TxFix{s.actions.size(), off, s.request.size()});
    s.actions.emplace_back(MultiTransmit{target, seq, {}});
}

}  // namespace

void MultiPing::pump(core::MonoTime now_t) {
    if (finished_) return;
    State& s = *s_;
    const std::int64_t now = ns(now_t);
    s.last_pump = now;
    s.more_now = false;
    const bool default_mode = config_.count == 0 && !config_.loop;
    // 1. timeouts (fping main_loop: first)
    while (!s.expiries.empty() && s.expiries.front().t <= now) {
        std::pop_heap(s.expiries.begin(), s.expiries.end(), std::greater<>{});
        const Expiry e = s.expiries.back();
        s.expiries.pop_back();
        Slot& slot = s.slots[e.sequence & s.mask];
        if (slot.serial != e.serial || slot.state != SlotState::outstanding) continue;  // answered
        slot.state = SlotState::timed_out;
        --s.outstanding;
        PerTarget& t = s.targets[slot.target];
        ++t.st.sent;
        ++s.c.timeouts;
        if (!s.vectors.empty()) s.vectors[std::size_t{slot.target} * config_.count + slot.probe] = rtt_timeout;
        s.actions.emplace_back(MultiTimeoutEvent{now_t, slot.target, slot.probe});
        if (default_mode && !t.st.alive() && t.st.transmitted < config_.retries + 1) {
            t.timeout_ns = static_cast<std::int64_t>(static_cast<double>(t.timeout_ns) * config_.backoff);
            s.ping_q.push_back(Due{now, s.order++, slot.target, t.st.transmitted});
            std::push_heap(s.ping_q.begin(), s.ping_q.end(), std::greater<>{});
        }
    }
    // 2. transmits, paced by -i, at most a burst per call so the driver can receive in between
    constexpr int burst = 64;
    for (int sent = 0; !s.ping_q.empty() && s.ping_q.front().t <= now; ++sent) {
        if (s.sent_any && now - s.last_send < config_.interval.count()) break;
        if (sent == burst) {
            s.more_now = true;
            break;
        }
        Slot& slot = s.slots[s.next_seq & s.mask];
        if (slot.state == SlotState::outstanding) {  // the window is full: wait for a timeout
            ++s.c.window_stalls;
            break;
        }
        std::pop_heap(s.ping_q.begin(), s.ping_q.end(), std::greater<>{});
        const Due d = s.ping_q.back();
        s.ping_q.pop_back();
        const std::uint16_t seq = s.next_seq++;
        slot = Slot{++s.serial, now, d.target, d.probe, seq, SlotState::outstanding};
        ++s.outstanding;
        PerTarget& t = s.targets[d.target];
        ++t.st.transmitted;
        ++s.c.echos_sent;
        s.last_send = now;
        s.sent_any = true;
        emit_request(s, config_, d.target, seq);
        s.expiries.push_back(Expiry{now + t.timeout_ns, slot.serial, seq});
        std::push_heap(s.expiries.begin(), s.expiries.end(), std::greater<>{});
        if (!default_mode && (config_.loop || d.probe + 1 < config_.count)) {
            s.ping_q.push_back(Due{d.t + config_.period.count(), s.order++, d.target, d.probe + 1});
            std::push_heap(s.ping_q.begin(), s.ping_q.end(), std::greater<>{});
        }
    }
    // Stale timeout entries (answered probes) are dropped when they outnumber the window.
    if (s.expiries.size() > 2 * s.slots.size() + 64) {
        std::erase_if(s.expiries, [&](const Expiry& e) {
            const Slot& sl = s.slots[e.sequence & s.mask];
            return sl.serial != e.serial || sl.state != SlotState::outstanding;
        });
        std::make_heap(s.expiries.begin(), s.expiries.end(), std::greater<>{});
    }
    if (s.ping_q.empty() && s.outstanding == 0) {
        finished_ = true;
        s.end = now_t;
        s.actions.emplace_back(MultiFinishEvent{now_t, false});
    }
}

void MultiPing::on_timer(core::MonoTime now) { pump(now); }

// Something changed (a reply, a failed send): the next on_timer() is due at once, so the driver
// receives what is queued before the engine transmits again.
void MultiPing::wake(State& s, core::MonoTime now) {
    s.more_now = true;
    s.last_pump = ns(now);
}

void MultiPing::interrupt(core::MonoTime now) {
    if (finished_) return;
    finished_ = true;
    s_->end = now;
    s_->actions.emplace_back(MultiFinishEvent{now, true});
}

void MultiPing::on_sent(std::uint16_t sequence, core::MonoTime now) {
    Slot& slot = s_->slots[sequence & s_->mask];
    if (slot.state == SlotState::outstanding && slot.sequence == sequence) slot.sent_ns = ns(now);
}

void MultiPing::on_send_error(std::uint16_t sequence, int error_number, core::MonoTime now) {
    State& s = *s_;
    Slot& slot = s.slots[sequence & s.mask];
    if (slot.state != SlotState::outstanding || slot.sequence != sequence) return;
    // fping send_ping(): the probe counts as sent, no timeout, no retry.
    slot.state = SlotState::timed_out;
    --s.outstanding;
    ++s.targets[slot.target].st.sent;
    ++s.c.send_errors;
    if (!s.vectors.empty()) s.vectors[std::size_t{slot.target} * config_.count + slot.probe] = rtt_timeout;
    s.actions.emplace_back(MultiSendErrorEvent{now, slot.target, slot.probe, error_number});
    wake(s, now);
}

namespace {

// The slot a (sequence, identifier) names, or nullptr: foreign or long gone.
Slot* find_slot(MultiPing::State& s, const MultiPingConfig& cfg, std::uint16_t id, std::uint16_t seq) {
    if (cfg.check_identifier && id != cfg.identifier) return nullptr;
    Slot& slot = s.slots[seq & s.mask];
    if (slot.state == SlotState::free || slot.sequence != seq) return nullptr;
    return &slot;
}

}  // namespace

void MultiPing::on_queued_error(const QueuedIcmpError& e, core::MonoTime now) {
    State& s = *s_;
    const bool v4 = e.original_destination.is_v4();
    if (e.original_type != (v4 ? 8 : 128)) { ++s.c.foreign; return; }
    Slot* slot = find_slot(s, config_, e.original_identifier, e.sequence);
    if (!slot || !(config_.targets[slot->target] == e.original_destination)) { ++s.c.foreign; return; }
    ++s.c.other_icmp;
    ++s.targets[slot->target].st.icmp_errors;
    s.actions.emplace_back(MultiIcmpErrorEvent{now, slot->target, slot->probe, e.offender, e.type, e.code});
}

namespace {

// An ICMP error seen inline on a raw socket: the quoted echo request (RFC 792 / RFC 4443 2.4 (c):
// the invoking packet's IP header plus at least its first 8 bytes).
std::optional<QueuedIcmpError> inline_error(const Received& r) {
    const core::Bytes b = r.icmp;
    QueuedIcmpError q;
    q.offender = r.from;
    q.type = b[0];
    q.code = b[1];
    const core::Bytes quote = b.subspan(8);
    if (r.from.is_v4()) {
        if (!(q.type == 3 || q.type == 4 || q.type == 5 || q.type == 11 || q.type == 12)) return std::nullopt;
        if (quote.size() < 20 || (quote[0] >> 4) != 4 || quote[9] != 1) return std::nullopt;
        const std::size_t ihl = std::size_t{quote[0] & 0x0Fu} * 4;
        if (ihl < 20 || quote.size() < ihl + 8) return std::nullopt;
        q.original_destination = core::Ipv4Address::from_bytes(&quote[16]);
        q.original_type = quote[ihl];
        q.original_identifier = core::load_be16(&quote[ihl + 4]);
        q.sequence = core::load_be16(&quote[ihl + 6]);
        return q;
    }
    if (q.type < 1 || q.type > 4) return std::nullopt;  // RFC 4443 3.1-3.4
    if (quote.size() < 48 || (quote[0] >> 4) != 6 || quote[6] != 58) return std::nullopt;
    q.original_destination = core::Ipv6Address::from_bytes(&quote[24]);
    q.original_type = quote[40];
    q.original_identifier = core::load_be16(&quote[44]);
    q.sequence = core::load_be16(&quote[46]);
    return q;
}

}  // namespace

void MultiPing::on_reply(const Received& r, core::MonoTime now) {
    State& s = *s_;
    if (finished_) return;
    const core::Bytes b = r.icmp;
    if (b.size() < 8) { ++s.c.malformed; return; }
    const bool v4 = r.from.is_v4();
    if (b[0] != (v4 ? 0 : 129)) {  // not an echo reply (RFC 792 type 0, RFC 4443 4.2 type 129)
        if (auto q = inline_error(r)) on_queued_error(*q, now);
        else ++s.c.foreign;
        return;
    }
    if (config_.verify_checksum && v4 && wire::internet_checksum(b) != 0) { ++s.c.bad_checksum; return; }
    Slot* slot = find_slot(s, config_, core::load_be16(&b[4]), core::load_be16(&b[6]));
    if (!slot) { ++s.c.foreign; return; }
    const core::IpAddress& addr = config_.targets[slot->target];
    const bool different = !(r.from == addr);
    if (different && (config_.check_source || r.from.family() != addr.family())) { ++s.c.foreign; return; }
    PerTarget& t = s.targets[slot->target];
    const std::int64_t rtt = ns(now) - slot->sent_ns;
    MultiReplyEvent ev{now, slot->target, slot->probe, slot->sequence, core::Duration{rtt}, b.size(),
                       r.from, false, false, different};
    if (slot->state == SlotState::answered) {
        ++t.st.duplicates;
        ++s.c.duplicates;
        ev.duplicate = true;
        s.actions.emplace_back(ev);
        return;
    }
    // fping: a reply slower than the current timeout is discarded; so is one after its timeout.
    if (slot->state != SlotState::outstanding || rtt > t.timeout_ns) { ++s.c.late; return; }
    slot->state = SlotState::answered;
    --s.outstanding;
    ++t.st.sent;
    ++t.st.received;
    ++s.c.replies;
    if (t.st.received == 1 || rtt < t.st.min_ns) t.st.min_ns = rtt;
    if (t.st.received == 1 || rtt > t.st.max_ns) t.st.max_ns = rtt;
    t.st.sum_ns += rtt;
    const double ms = static_cast<double>(rtt) / 1e6;
    t.st.sum2_ms += ms * ms;
    s.overall.add(rtt / 1000);
    if (!s.sketches.empty()) s.sketches[slot->target]->add(rtt / 1000);
    if (!s.vectors.empty()) s.vectors[std::size_t{slot->target} * config_.count + slot->probe] = rtt;
    ev.first = t.st.received == 1;
    s.actions.emplace_back(ev);
    wake(s, now);  // fping: the main loop's next pass (not a burst per reply)
}

void MultiPing::take_actions(std::vector<MultiAction>& out) {
    State& s = *s_;
    out.clear();
    std::swap(out, s.actions);
    std::swap(s.arena, s.arena_out);
    for (const TxFix& f : s.fixes)
        std::get<MultiTransmit>(out[f.action]).icmp = core::Bytes(s.arena_out.data() + f.offset, f.size);
    s.fixes.clear();
    s.arena.clear();
}

std::optional<core::MonoTime> MultiPing::next_deadline() const noexcept {
    if (finished_) return std::nullopt;
    const State& s = *s_;
    if (s.more_now) return mono(s.last_pump);
    std::optional<std::int64_t> best;
    if (!s.expiries.empty()) best = s.expiries.front().t;
    if (!s.ping_q.empty() && s.slots[s.next_seq & s.mask].state != SlotState::outstanding) {
        std::int64_t t = s.ping_q.front().t;
        if (s.sent_any) t = std::max(t, s.last_send + config_.interval.count());
        if (!best || t < *best) best = t;
    }
    if (!best) return std::nullopt;
    return mono(*best);
}

const TargetStats& MultiPing::stats(std::uint32_t target) const noexcept { return s_->targets[target].st; }
std::span<const std::int64_t> MultiPing::rtt_vector(std::uint32_t target) const noexcept {
    if (s_->vectors.empty()) return {};
    return std::span<const std::int64_t>(s_->vectors).subspan(std::size_t{target} * config_.count, config_.count);
}
const RttSketch* MultiPing::sketch(std::uint32_t target) const noexcept {
    return s_->sketches.empty() ? nullptr : s_->sketches[target].get();
}
const RttStats& MultiPing::overall() const noexcept { return s_->overall; }
const MultiPingCounters& MultiPing::counters() const noexcept { return s_->c; }
std::uint32_t MultiPing::alive_count() const noexcept {
    std::uint32_t n = 0;
    for (const auto& t : s_->targets) n += t.st.alive();
    return n;
}
std::uint64_t MultiPing::outstanding() const noexcept { return s_->outstanding; }
core::MonoTime MultiPing::start_time() const noexcept { return s_->start; }
core::MonoTime MultiPing::end_time() const noexcept { return s_->end; }

std::size_t MultiPing::memory_bytes() const noexcept {
    const State& s = *s_;
    std::size_t b = sizeof(State) + s.targets.capacity() * sizeof(PerTarget) +
                    s.vectors.capacity() * sizeof(std::int64_t) + s.slots.capacity() * sizeof(Slot) +
                    s.ping_q.capacity() * sizeof(Due) + s.expiries.capacity() * sizeof(Expiry) +
                    s.actions.capacity() * sizeof(MultiAction) + s.fixes.capacity() * sizeof(TxFix) +
                    s.arena.capacity() + s.arena_out.capacity() + s.request.capacity() +
                    s.sketches.capacity() * sizeof(void*);
    for (const auto& p : s.sketches) b += p ? sizeof(RttSketch) : 0;
    return b;
}

}  // namespace icmpkit::probe
