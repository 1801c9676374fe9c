// probe::Pmtu — tracepath's control flow as a state machine (pmtu.hpp). The comments name the
// iputils 20221126 tracepath.c function whose behaviour each part reproduces.
#include "icmpkit/probe/pmtu.hpp"

#include <cerrno>

namespace icmpkit::probe {
namespace {

// sock_extended_err.ee_type/ee_code of Time Exceeded in transit (RFC 792 / RFC 4443 3.3).
bool is_time_exceeded(const PmtuQueuedError& e) {
    return (e.origin == ErrorOrigin::icmp && e.type == 11 && e.code == 0) ||
           (e.origin == ErrorOrigin::icmp6 && e.type == 3 && e.code == 0);
}

std::int64_t stamp_of(core::MonoTime t) { return t.since_origin.count() + 1; }  // never 0

}  // namespace

Pmtu::Pmtu(PmtuConfig config) : config_(std::move(config)) {
    const bool v4 = config_.destination.is_v4();
    overhead_ = v4 ? 28 : 48;  // DEFAULT_OVERHEAD_IPV4 / _IPV6
    mtu_ = config_.initial_mtu > 0 ? config_.initial_mtu : (v4 ? 65535 : 128000);
}

void Pmtu::start(core::MonoTime now) {
    if (state_ != State::idle) return;
    ttl_ = 1;
    if (config_.max_hops < 1) {
        finish(true);
        return;
    }
    begin_hop(now);
}

// main(): for (i = 0; i < 3; i++) around probe_ttl().
void Pmtu::begin_hop(core::MonoTime now) {
    round_ = 0;
    begin_round(now);
}

void Pmtu::begin_round(core::MonoTime now) {
    old_mtu_ = mtu_;
    attempt_ = 0;
    send_probe(now);
}

// probe_ttl(): the probe header, the port base + hisptr, the history slot, then sendto().
void Pmtu::send_probe(core::MonoTime now) {
    // Our bound (tracepath has none): MTU reports that keep changing could restart a hop forever.
    if (++sent_total_ > max_total_probes(config_.max_hops)) return finish(true);
    PmtuTransmit t;
    t.ttl = ttl_;
    t.port = static_cast<std::uint16_t>(config_.base_port + hisptr_);
    const int size = mtu_ - overhead_;
    t.payload.assign(static_cast<std::size_t>(size > 0 ? size : 0), 0);
    if (t.payload.size() >= probe_header_size) {
        core::store_be32(t.payload.data(), static_cast<std::uint32_t>(ttl_));
        core::store_be64(t.payload.data() + 8, static_cast<std::uint64_t>(stamp_of(now)));
    }
    his_[static_cast<std::size_t>(hisptr_)] = {ttl_, now};
    state_ = State::sending;
    actions_.emplace_back(std::move(t));
}

void Pmtu::on_sent(core::MonoTime now) {
    if (state_ != State::sending) return;
    hisptr_ = (hisptr_ + 1) & (history_size - 1);
    state_ = State::waiting;
    deadline_ = now + config_.wait;  // data_wait()
}

void Pmtu::on_send_failed(const std::vector<PmtuQueuedError>& queued, core::MonoTime now) {
    if (state_ != State::sending) return;
    const int res = recverr(queued);
    his_[static_cast<std::size_t>(hisptr_)].hops = 0;
    if (res == 0) return round_returned(0, now);
    if (res > 0) {  // goto restart: the MTU changed, send again (10 more attempts)
        attempt_ = 0;
        return send_probe(now);
    }
    if (++attempt_ < max_probes) return send_probe(now);
    actions_.emplace_back(PmtuSendFailed{ttl_});  // "%2d:  send failed"
    round_returned(0, now);
}

void Pmtu::on_errors(const std::vector<PmtuQueuedError>& queued, core::MonoTime now) {
    if (state_ != State::waiting || queued.empty()) return;
    round_returned(recverr(queued), now);
}

void Pmtu::on_reply(core::MonoTime now) {
    if (state_ != State::waiting) return;
    actions_.emplace_back(PmtuReplyReceived{ttl_});  // "%2d?: reply received 8)"
    round_returned(0, now);
}

void Pmtu::on_timer(core::MonoTime now) {
    if (state_ != State::waiting || now < deadline_) return;
    round_returned(-1, now);  // recverr() found nothing: EAGAIN, progress -1
}

// main() after probe_ttl() returned `res`.
void Pmtu::round_returned(int res, core::MonoTime now) {
    if (state_ == State::done) return;
    if (mtu_ != old_mtu_) {  // goto restart: probe this hop again at the new size
        round_ = 0;
        return begin_round(now);
    }
    if (res == 0) return finish(false);
    if (res < 0 && ++round_ < rounds_per_hop) return begin_round(now);
    if (res < 0) actions_.emplace_back(PmtuNoReply{ttl_});  // "%2d:  no reply"
    if (++ttl_ > config_.max_hops) return finish(true);
    begin_hop(now);
}

// recverr(): read until the queue is empty (progress: the MTU; -1 when nothing was read) or an
// entry ends the trace (0).
int Pmtu::recverr(const std::vector<PmtuQueuedError>& queued) {
    int progress = -1;
    for (const auto& e : queued) {
        progress = mtu_;
        if (handle_entry(e) == 0) return 0;
        progress = mtu_;  // EMSGSIZE lowered it
    }
    return progress;
}

int Pmtu::handle_entry(const PmtuQueuedError& e) {
    PmtuHopEvent ev;
    ev.ttl = ttl_;
    const int slot = static_cast<int>(e.port) - static_cast<int>(config_.base_port);
    if (slot >= 0 && slot < history_size - 1 && his_[static_cast<std::size_t>(slot)].hops) {
        auto& h = his_[static_cast<std::size_t>(slot)];
        ev.sent_hops = h.hops;
        ev.rtt = e.at - h.sent;
        h.hops = 0;
    }
    if (e.quoted.size() >= probe_header_size) {  // the quote carries our probe header
        const std::uint32_t qttl = core::load_be32(e.quoted.data());
        const std::uint64_t qstamp = core::load_be64(e.quoted.data() + 8);
        if (qttl == 0 || qstamp == 0) {
            ev.broken_router = true;
        } else {
            ev.sent_hops = static_cast<int>(qttl);
            ev.rtt = e.at - core::MonoTime{core::Duration(static_cast<std::int64_t>(qstamp) - 1)};
        }
    }
    ev.localhost = e.origin == ErrorOrigin::local;
    if (!ev.localhost) ev.address = e.offender;
    // The return path's length from the reply's TTL: 65 - ttl, 129 - ttl or 256 - ttl (initial
    // TTLs 64, 128, 255). tracepath converts -1 (no TTL known) too, to 66.
    int rethops = e.hop_limit.value_or(-1);
    rethops = rethops <= 64 ? 65 - rethops : rethops <= 128 ? 129 - rethops : 256 - rethops;
    ev.return_hops = rethops;
    int keep = 1;
    switch (e.error_number) {
        case ETIMEDOUT: break;
        case EMSGSIZE:
            ev.tail = PmtuHopEvent::Tail::pmtu;
            ev.pmtu = e.info;
            mtu_ = static_cast<int>(e.info);
            break;
        case ECONNREFUSED:
            ev.tail = PmtuHopEvent::Tail::reached;
            hops_to_ = ev.sent_hops < 0 ? ttl_ : ev.sent_hops;
            hops_from_ = rethops;
            keep = 0;
            break;
        case EPROTO: ev.tail = PmtuHopEvent::Tail::protocol; keep = 0; break;
        case EHOSTUNREACH:
            if (is_time_exceeded(e)) {
                if ((ev.sent_hops >= 0 && rethops != ev.sent_hops) || (ev.sent_hops < 0 && rethops != ttl_))
                    ev.asymm = rethops;
                break;
            }
            ev.tail = PmtuHopEvent::Tail::host_unreachable;
            keep = 0;
            break;
        case ENETUNREACH: ev.tail = PmtuHopEvent::Tail::net_unreachable; keep = 0; break;
        case EACCES: ev.tail = PmtuHopEvent::Tail::prohibited; keep = 0; break;
        default:
            ev.tail = PmtuHopEvent::Tail::net_error;
            ev.error_number = e.error_number;
            keep = 0;
            break;
    }
    actions_.emplace_back(std::move(ev));
    return keep;
}

void Pmtu::finish(bool too_many_hops) {
    state_ = State::done;
    actions_.emplace_back(PmtuFinish{too_many_hops, mtu_, hops_to_, hops_from_});
}

std::vector<PmtuAction> Pmtu::take_actions() {
    std::vector<PmtuAction> out;
    out.swap(actions_);
    return out;
}

std::optional<core::MonoTime> Pmtu::next_deadline() const noexcept {
    if (state_ == State::waiting) return deadline_;
    return std::nullopt;
}

}  // namespace icmpkit::probe
