#include "icmpkit/probe/ping.hpp"

#include <algorithm>
#include <cstring>

#include "icmpkit/wire/checksum.hpp"
#include "icmpkit/wire/quote.hpp"

namespace icmpkit::probe {
namespace {

constexpr std::size_t timeval_size = 16;  // struct timeval on LP64 Linux
constexpr std::uint8_t v4_echo_request = 8, v4_echo_reply = 0;
constexpr std::uint8_t v6_echo_request = 128, v6_echo_reply = 129;

std::int64_t to_us(core::Duration d) {
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

// A struct timeval of `wall` (seconds, microseconds) in host layout, as gettimeofday() fills it.
void store_timeval(std::uint8_t* p, core::Duration wall) {
    std::int64_t us = to_us(wall);
    std::int64_t sec = us / 1'000'000, usec = us % 1'000'000;
    std::memcpy(p, &sec, 8);
    std::memcpy(p + 8, &usec, 8);
}
std::int64_t load_timeval_us(const std::uint8_t* p) {
    std::int64_t sec = 0, usec = 0;
    std::memcpy(&sec, p, 8);
    std::memcpy(&usec, p + 8, 8);
    return sec * 1'000'000 + usec;
}

}  // namespace

int PingSummary::exit_code() const noexcept { return exit_code_value; }

Ping::Ping(PingConfig config) : config_(std::move(config)) {
    if (config_.preload == 0) config_.preload = 1;
    interval_ = config_.interval;
    timing_ = config_.payload_size >= timeval_size;
}

core::Buffer Ping::build_request(std::uint16_t seq, core::Duration wall) const {
    const bool v4 = config_.destination.is_v4();
    core::Buffer b(8 + config_.payload_size, 0);
    b[0] = v4 ? v4_echo_request : v6_echo_request;
    core::store_be16(&b[4], config_.identifier);
    core::store_be16(&b[6], seq);
    // ping_common.c setup()/fill(): bytes 0,1,2,... or the -p pattern repeated.
    for (std::size_t i = 0; i < config_.payload_size; ++i)
        b[8 + i] = config_.pattern.empty() ? static_cast<std::uint8_t>(i)
                                           : config_.pattern[i % config_.pattern.size()];
    if (timing_) store_timeval(&b[8], wall);
    if (v4) core::store_be16(&b[2], wire::internet_checksum(b));  // RFC 792
    return b;
}

void Ping::start(core::MonoTime now) {
    started_ = true;
    start_time_ = now;
    if (config_.deadline) deadline_at_ = now + *config_.deadline;
    pump(now);
}

bool Ping::rcvd_test(std::uint32_t seq) const noexcept {
    std::uint32_t b = seq % max_dup_check;
    return (rcvd_[b / 64] >> (b % 64)) & 1u;
}
void Ping::rcvd_set(std::uint32_t seq) noexcept {
    std::uint32_t b = seq % max_dup_check;
    rcvd_[b / 64] |= std::uint64_t{1} << (b % 64);
}
void Ping::rcvd_clear(std::uint32_t seq) noexcept {
    std::uint32_t b = seq % max_dup_check;
    rcvd_[b / 64] &= ~(std::uint64_t{1} << (b % 64));
}

std::uint64_t Ping::in_flight() const noexcept {
    auto d = static_cast<std::uint16_t>(static_cast<std::uint16_t>(ntransmitted_) - acked_);
    return d <= 0x7FFF ? d : 0;
}

void Ping::acknowledge(std::uint16_t seq) {
    auto diff = static_cast<std::uint16_t>(static_cast<std::uint16_t>(ntransmitted_) - seq);
    if (diff <= 0x7FFF) {
        if (diff + 1 > pipesize_) pipesize_ = diff + 1;
        if (static_cast<std::int16_t>(seq - acked_) > 0 ||
            static_cast<std::uint16_t>(static_cast<std::uint16_t>(ntransmitted_) - acked_) > 0x7FFF)
            acked_ = seq;
    }
}

void Ping::update_interval() {
    // ping_common.c update_interval(): est = rtt/8 (us), interval = (est + addend + 500) / 1000 ms.
    std::int64_t est = rtt_.ewma8 ? rtt_.ewma8 / 8 : to_us(interval_);
    interval_ = std::chrono::milliseconds((est + rtt_addend_us_ + 500) / 1000);
    if (!config_.privileged && interval_ < min_user_interval) interval_ = min_user_interval;
}

bool Ping::all_sent() const noexcept {
    return config_.count && ntransmitted_ >= config_.count && !config_.deadline;
}

// ping_common.c pinger(): returns the time until the next probe is due, or nullopt after
// queueing one (the caller calls again at once, as iputils loops while next <= 0).
std::optional<core::Duration> Ping::pinger(core::MonoTime now) {
    if (finished_ || all_sent()) return core::Duration(1s);
    const core::Duration iv = interval_;
    if (!cur_time_set_) {
        cur_time_set_ = true;
        cur_time_ = now;
        tokens_ = iv * (config_.preload - 1);
    } else {
        core::Duration ntokens = now - cur_time_;
        if (iv == 0s && ntokens < min_interval && in_flight() >= config_.preload)
            return min_interval - ntokens;  // unlimited flood: 100/s while nothing comes back
        ntokens += tokens_;
        core::Duration cap = iv * config_.preload;
        if (cap < ntokens) ntokens = cap;
        if (ntokens < iv) return iv - ntokens;
        cur_time_ = now;
        tokens_ = ntokens - iv;
    }
    if (config_.report_outstanding && ntransmitted_ > 0 &&
        !rcvd_test(static_cast<std::uint32_t>(ntransmitted_)))
        actions_.push_back(NoAnswerEvent{now, ntransmitted_ % max_dup_check});

    auto seq = static_cast<std::uint16_t>(ntransmitted_ + 1);
    rcvd_clear(seq);
    const core::Duration wall = now.since_origin + config_.wall_offset;
    sent_stamps_[seq % sent_window] = SentStamp{.sequence = seq, .valid = true, .wall_us = to_us(wall)};
    actions_.push_back(Transmit{seq, build_request(seq, wall)});
    ++ntransmitted_;
    core::Duration next = iv - tokens_;
    if (next > 0s) return next;
    return std::nullopt;
}

void Ping::schedule_exit(core::MonoTime now) {
    if (!all_sent() || exit_at_) return;
    // __schedule_exit(): 2 x max RTT (at least the interval) after a reply, else the linger time.
    core::Duration wait = config_.linger;
    if (nreceived_) {
        wait = std::chrono::microseconds(2 * rtt_.tmax);
        if (wait < interval_) wait = interval_;
    }
    if (wait == 0s) return;  // setitimer() with zero disarms: iputils computes it again later
    exit_at_ = now + wait;
}

void Ping::check_exit(core::MonoTime now) {
    if (finished_) return;
    bool done = (config_.count && nreceived_ + nerrors_ >= config_.count) ||
                (config_.deadline && nerrors_) ||
                (exit_at_ && now >= *exit_at_) || (deadline_at_ && now >= *deadline_at_);
    if (done) {
        finished_ = true;
        actions_.push_back(FinishEvent{now});
    }
}

void Ping::pump(core::MonoTime now) {
    if (!started_) return;
    check_exit(now);
    if (finished_) return;
    for (int guard = 0; guard < 1 << 16; ++guard) {
        auto next = pinger(now);
        schedule_exit(now);
        if (next) {
            next_send_ = now + *next;
            break;
        }
    }
    check_exit(now);
}

void Ping::on_sent(std::uint16_t sequence, core::MonoTime now) {
    SentStamp& s = sent_stamps_[sequence % sent_window];
    if (config_.sent_times_are_kernel && s.valid && s.sequence == sequence) {
        s.kernel_tx = true;
        s.kernel_tx_at = now;
    }
    actions_.push_back(SentEvent{now, sequence});
}

void Ping::on_send_error(std::uint16_t, int error_number, core::MonoTime now, bool report) {
    // pinger() "hard local error": the probe counts as sent; iputils prints "sendmsg: ...".
    if (report) actions_.push_back(LocalErrorEvent{now, error_number, 0, true});
    tokens_ = 0s;
}

void Ping::on_local_error(int error_number, std::uint32_t mtu, core::MonoTime now) {
    ++nerrors_;  // ping4_receive_error_msg(): SO_EE_ORIGIN_LOCAL
    actions_.push_back(LocalErrorEvent{now, error_number, mtu, false});
    pump(now);
}

void Ping::on_queued_error(const QueuedIcmpError& e, core::MonoTime now) {
    if (finished_) return;
    const bool echo = e.original_type == (config_.destination.is_v4() ? v4_echo_request : v6_echo_request);
    // "Not our error, not an error at all": another destination, type or identifier.
    if (!echo || !(e.original_destination == config_.destination) ||
        (config_.check_identifier && e.original_identifier != config_.identifier))
        return;
    acknowledge(e.sequence);
    ++nerrors_;
    actions_.push_back(IcmpErrorEvent{now, e.offender, e.type, e.code, e.info, e.sequence, true, false});
    pump(now);
}

// A raw IPv4 socket also receives the ICMP errors themselves (ping4_parse_reply()): errors about
// our probes are only acknowledged (the error queue reports them); redirects and source quenches
// are printed with "From X: icmp_seq=N".
bool Ping::on_inline_error(const Received& r, core::MonoTime now) {
    if (!config_.destination.is_v4() || r.icmp.size() < 8 + 20 + 8) return false;
    const std::uint8_t type = r.icmp[0];
    if (type != 3 && type != 4 && type != 5 && type != 11 && type != 12) return false;
    auto q = wire::parse_quote(r.icmp.subspan(8));
    if (!q || !q->icmp || q->icmp->type != v4_echo_request || !q->icmp->identifier ||
        !q->icmp->sequence || !(q->destination == config_.destination))
        return false;
    if (config_.check_identifier && *q->icmp->identifier != config_.identifier) return false;
    if (type != 5 && type != 4) {
        acknowledge(*q->icmp->sequence);
        return true;
    }
    bool bad = config_.verify_checksum && !wire::checksum_ok(r.icmp);
    actions_.push_back(IcmpErrorEvent{now, r.from, type, r.icmp[1], core::load_be32(&r.icmp[4]),
                                      *q->icmp->sequence, false, bad});
    return true;
}

void Ping::on_reply(const Received& r, core::MonoTime now) {
    if (finished_ || r.icmp.size() < 8) return;
    const bool v4 = config_.destination.is_v4();
    if (r.icmp[0] != (v4 ? v4_echo_reply : v6_echo_reply)) {
        if (on_inline_error(r, now)) pump(now);
        return;
    }
    const std::uint16_t id = core::load_be16(&r.icmp[4]);
    if (config_.check_identifier && id != config_.identifier) return;  // 'Twas not our ECHO
    const std::uint16_t seq = core::load_be16(&r.icmp[6]);
    const bool csfailed = v4 && config_.verify_checksum && !wire::checksum_ok(r.icmp);
    if (!csfailed && foreign(seq, r)) return;  // another ping with our identifier

    ReplyEvent ev{now, seq, r.from, r.ttl, std::nullopt, r.icmp.size()};
    ++nreceived_;
    if (!csfailed) acknowledge(seq);
    if (timing_ && r.icmp.size() >= 8 + timeval_size) {
        std::int64_t rx = to_us(now.since_origin + config_.wall_offset);
        std::int64_t trip = rx - load_timeval_us(&r.icmp[8]);
        const SentStamp& s = sent_stamps_[seq % sent_window];
        if (s.valid && s.sequence == seq && s.kernel_tx && !csfailed)
            trip = to_us(now - s.kernel_tx_at);  // kernel RX - kernel TX
        if (trip < 0) trip = 0;  // "time of day goes back": iputils clamps to 0
        ev.rtt_us = trip;
        if (!csfailed) {
            rtt_.add(trip);
            if (config_.adaptive) update_interval();
        }
    }
    if (csfailed) {
        ++nchecksum_;
        --nreceived_;
        ev.bad_checksum = true;
    } else if (rcvd_test(seq)) {
        ++nrepeats_;
        --nreceived_;
        ev.duplicate = true;
    } else {
        rcvd_set(seq);
    }
    if (!v4) {  // ping6_parse_reply(): not for multicast or Subnet-Router anycast (low 64 bits 0)
        const auto& d = config_.destination.v6().bytes();
        bool anycast = std::all_of(d.begin() + 8, d.end(), [](std::uint8_t x) { return x == 0; });
        ev.different_address = !config_.destination.v6().is_multicast() && !anycast &&
                               !(r.from == config_.destination);
    }
    ev.truncated = r.icmp.size() < config_.payload_size + 8;
    actions_.push_back(ev);
    pump(now);
}

// Identifier-collision safety on raw sockets: a reply for a sequence we never sent is not ours,
// and one whose sequence we sent recently must echo the timestamp we wrote (RFC 792: "the data received in the echo message must be returned in the
// echo reply message"); one that does not was another process's probe with the same identifier.
// Datagram sockets need no check: the kernel owns the identifier and demultiplexes.
bool Ping::foreign(std::uint16_t seq, const Received& r) const noexcept {
    if (!config_.check_identifier) return false;
    // A sequence we have not sent (yet) is another sender's.
    if (ntransmitted_ == 0) return true;
    const auto age = static_cast<std::uint16_t>(static_cast<std::uint16_t>(ntransmitted_) - seq);
    if (ntransmitted_ < max_dup_check && age >= ntransmitted_) return true;
    if (!timing_ || r.icmp.size() < 8 + timeval_size || age >= sent_window) return false;
    const SentStamp& s = sent_stamps_[seq % sent_window];
    if (!s.valid || s.sequence != seq) return false;
    return load_timeval_us(&r.icmp[8]) != s.wall_us;
}

void Ping::on_timer(core::MonoTime now) { pump(now); }

void Ping::interrupt(core::MonoTime now) {
    if (finished_) return;
    finished_ = true;
    actions_.push_back(FinishEvent{now});
}

std::vector<Action> Ping::take_actions() {
    std::vector<Action> out;
    out.swap(actions_);
    return out;
}

std::optional<core::MonoTime> Ping::next_deadline() const noexcept {
    if (!started_ || finished_) return std::nullopt;
    std::optional<core::MonoTime> t;
    auto take = [&](core::MonoTime x) { if (!t || x < *t) t = x; };
    if (!all_sent()) take(next_send_);
    if (exit_at_) take(*exit_at_);
    if (deadline_at_) take(*deadline_at_);
    return t;
}

PingSummary Ping::summary() const {
    PingSummary s;
    s.transmitted = ntransmitted_;
    s.received = nreceived_;
    s.duplicates = nrepeats_;
    s.corrupted = nchecksum_;
    s.errors = nerrors_;
    s.elapsed = cur_time_set_ ? cur_time_ - start_time_ : core::Duration{0};
    s.timing = timing_;
    s.pipe = pipesize_;
    s.show_ipg = interval_ == 0s || config_.flood || config_.adaptive;
    s.rtt = rtt_;
    // finish(): 1 when nothing came back, or when -w was given and fewer than -c replies came.
    bool fail = !nreceived_ || (config_.deadline && nreceived_ < config_.count);
    s.exit_code_value = fail ? 1 : 0;
    return s;
}

}  // namespace icmpkit::probe
