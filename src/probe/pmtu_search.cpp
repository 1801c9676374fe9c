// probe::PmtuSearch — packetization-layer PMTU discovery with ICMP echo probes (pmtu.hpp).
//
// RFC 8899 5.2 in small: confirm BASE_PLPMTU first (no reply: the path is not usable at all),
// then try the largest candidate (the interface MTU: most paths carry it), then bisect the
// bracket [largest acknowledged, smallest failed). A size fails when MAX_PROBES probes of it get
// no reply (RFC 8899 5.1.2), or at once when an ICMP Packet Too Big / Fragmentation Needed
// quoting the probe says so: RFC 8899 4.6.2 lets a validated PTB lower the candidate, never raise
// it, and the size it names is itself probed before it is believed.
#include <algorithm>

#include "icmpkit/probe/pmtu.hpp"
#include "icmpkit/wire/checksum.hpp"

namespace icmpkit::probe {
namespace {

constexpr std::uint8_t v4_echo_request = 8, v4_echo_reply = 0;
constexpr std::uint8_t v6_echo_request = 128, v6_echo_reply = 129;

// Sizes common on the Internet (RFC 4821 7.5 suggests searching them first): Ethernet, PPPoE,
// IP-in-IP, GRE, IPsec/WireGuard-ish tunnels, the IPv6 minimum, the IPv4 minimum reassembly.
constexpr std::uint32_t common_mtus[] = {1500, 1492, 1480, 1476, 1460, 1440, 1420, 1400, 1380, 1360,
                                         1300, 1280, 1006, 576};

bool is_too_big(const QueuedIcmpError& e, bool v4) {
    return v4 ? (e.type == 3 && e.code == 4)  // RFC 792 / RFC 1191 4: Fragmentation Needed and DF set
              : e.type == 2;                  // RFC 4443 3.2: Packet Too Big
}

}  // namespace

PmtuSearch::PmtuSearch(PmtuSearchConfig config) : config_(std::move(config)) {
    const bool v4 = config_.destination.is_v4();
    // RFC 8899 5.1.2: BASE_PLPMTU; RFC 8200 5: 1280 for IPv6; RFC 1122 3.3.3: 576 for IPv4.
    if (config_.min_mtu == 0) config_.min_mtu = v4 ? 576 : 1280;
    const std::uint32_t floor = v4 ? 68 : 1280;  // RFC 791 / RFC 8200 5: nothing smaller is legal
    config_.min_mtu = std::max(config_.min_mtu, floor);
    if (config_.max_mtu == 0) config_.max_mtu = 1500;
    config_.max_mtu = std::min<std::uint32_t>(config_.max_mtu, 65535);
    config_.min_mtu = std::min(config_.min_mtu, config_.max_mtu);
    if (config_.max_probes < 1) config_.max_probes = 1;
    if (config_.precision < 1) config_.precision = 1;
}

core::Buffer PmtuSearch::build_request(std::uint16_t sequence, std::uint32_t size) const {
    const bool v4 = config_.destination.is_v4();
    const std::size_t icmp_size = size > header_size() + 8 ? size - header_size() : 8;
    core::Buffer b(icmp_size, 0);
    b[0] = v4 ? v4_echo_request : v6_echo_request;
    core::store_be16(&b[4], config_.identifier);
    core::store_be16(&b[6], sequence);
    for (std::size_t i = 8; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i - 8);
    if (v4) core::store_be16(&b[2], wire::internet_checksum(b));  // RFC 792; ICMPv6: the kernel's
    return b;
}

void PmtuSearch::start(core::MonoTime now) {
    if (started_) return;
    started_ = true;
    start_ = now;
    result_.max_mtu = config_.max_mtu;
    result_.icmp_pmtu = config_.known_pmtu > 0 ? std::min(config_.known_pmtu, config_.max_mtu) : config_.max_mtu;
    low_ = 0;
    high_ = config_.max_mtu + 1;
    confirming_base_ = true;
    probe(config_.min_mtu, now);
}

void PmtuSearch::probe(std::uint32_t size, core::MonoTime now) {
    size_ = size;
    attempts_ = 0;
    first_sequence_of_size_ = static_cast<std::uint16_t>(sequence_ + 1);
    transmit(now);
}

void PmtuSearch::transmit(core::MonoTime now) {
    if (result_.probes >= config_.max_total_probes) return finish(now);
    ++attempts_;
    ++result_.probes;
    ++sequence_;
    in_flight_ = false;
    sent_at_ = now;
    actions_.emplace_back(SearchTransmit{sequence_, size_, build_request(sequence_, size_)});
}

void PmtuSearch::on_sent(std::uint16_t sequence, core::MonoTime now) {
    if (finished_ || sequence != sequence_) return;
    in_flight_ = true;
    sent_at_ = now;
    deadline_ = now + current_wait();
}

void PmtuSearch::on_local_too_big(std::uint16_t sequence, std::uint32_t mtu, core::MonoTime now) {
    if (finished_ || sequence != sequence_) return;
    settle(SearchProbeEvent::Outcome::too_big_local, mtu, std::nullopt, now);
}

void PmtuSearch::on_send_error(std::uint16_t sequence, int, core::MonoTime now) {
    if (finished_ || sequence != sequence_) return;
    in_flight_ = true;  // counts as a lost probe: the timer retries it
    deadline_ = now + current_wait();
}

void PmtuSearch::on_reply(const Received& r, core::MonoTime now) {
    if (finished_ || !in_flight_ || r.icmp.size() < 8) return;
    const bool v4 = config_.destination.is_v4();
    if (r.icmp[0] != (v4 ? v4_echo_reply : v6_echo_reply) || r.icmp[1] != 0) return;
    if (r.from != config_.destination) return;
    if (config_.check_identifier && core::load_be16(&r.icmp[4]) != config_.identifier) return;
    const std::uint16_t seq = core::load_be16(&r.icmp[6]);
    // One of this size's probes (RFC 8899 4.1: the reply must match a probe), echoed whole.
    if (static_cast<std::uint16_t>(seq - first_sequence_of_size_) > static_cast<std::uint16_t>(sequence_ - first_sequence_of_size_))
        return;
    if (r.icmp.size() + header_size() != size_) return;
    ++result_.replies;
    const core::Duration rtt = now - sent_at_;
    if (!have_rtt_ || rtt > max_rtt_) max_rtt_ = rtt;
    have_rtt_ = true;
    SearchProbeEvent ev{size_, SearchProbeEvent::Outcome::acknowledged, attempts_, 0, r.from, rtt};
    actions_.emplace_back(ev);
    low_ = std::max(low_, size_);
    last_acked_common_ = !confirming_base_ && size_ >= 1280 &&
                         (size_ == hinted_ || std::find(std::begin(common_mtus), std::end(common_mtus), size_) !=
                                                  std::end(common_mtus));
    if (confirming_base_) {
        confirming_base_ = false;
        result_.base_confirmed = true;
    }
    in_flight_ = false;
    next(now);
}

void PmtuSearch::on_queued_error(const QueuedIcmpError& e, core::MonoTime now) {
    const bool v4 = config_.destination.is_v4();
    if (finished_ || !is_too_big(e, v4) || e.original_destination != config_.destination) return;
    if (config_.check_identifier && e.original_identifier != config_.identifier) return;
    if (static_cast<std::uint16_t>(e.sequence - first_sequence_of_size_) >
        static_cast<std::uint16_t>(sequence_ - first_sequence_of_size_))
        return;
    settle(SearchProbeEvent::Outcome::too_big_icmp, e.info, e.offender, now);
}

void PmtuSearch::on_timer(core::MonoTime now) {
    if (finished_ || !in_flight_ || now < deadline_) return;
    if (attempts_ < config_.max_probes) return transmit(now);
    settle(confirming_base_ ? SearchProbeEvent::Outcome::base_failed : SearchProbeEvent::Outcome::lost, 0,
           std::nullopt, now);
}

// The current size failed (lost, or too big as ICMP or the kernel said).
void PmtuSearch::settle(SearchProbeEvent::Outcome outcome, std::uint32_t reported,
                        const std::optional<core::IpAddress>& from, core::MonoTime now) {
    using O = SearchProbeEvent::Outcome;
    actions_.emplace_back(SearchProbeEvent{size_, outcome, attempts_, reported, from, std::nullopt});
    in_flight_ = false;
    if (outcome == O::base_failed) return finish(now);
    high_ = std::min(high_, size_);
    if (outcome == O::lost) {
        if (result_.smallest_silent_failure == 0 || size_ < result_.smallest_silent_failure)
            result_.smallest_silent_failure = size_;
    } else if (reported > 0 && reported < size_) {
        // What ICMP (or the kernel) said about the path: never raised, only lowered.
        if (reported < result_.icmp_pmtu || (reported == result_.icmp_pmtu && !result_.icmp_reporter)) {
            result_.icmp_pmtu = reported;
            result_.icmp_reporter = from;
        }
        // RFC 8899 4.6.2: a PTB_SIZE above the confirmed size is the next candidate.
        if (reported > low_) {
            high_ = std::min(high_, reported + 1);
            hinted_ = reported;
            if (!confirming_base_) return probe(reported, now);
        }
    }
    if (confirming_base_) {
        // The base itself too big: the network below the base (RFC 8899 5.2 ERROR state).
        if (reported >= (config_.destination.is_v4() ? 68u : 1280u) && reported < size_) return probe(reported, now);
        return finish(now);
    }
    next(now);
}

void PmtuSearch::next(core::MonoTime now) {
    if (high_ <= low_ + config_.precision) return finish(now);
    // The largest candidate first (a path usually carries the interface MTU); after a common or
    // hinted size was acknowledged, one byte more (is it exactly that?); else bisection, the
    // midpoint moved to the largest common size in the middle half of the bracket if there is one.
    std::uint32_t candidate = low_ + (high_ - low_) / 2;
    const std::uint32_t quarter = (high_ - low_) / 4;
    const std::uint32_t* common = std::find_if(std::begin(common_mtus), std::end(common_mtus), [&](std::uint32_t m) {
        return m >= low_ + quarter && m <= high_ - quarter && m > low_ && m < high_;
    });
    if (high_ == config_.max_mtu + 1) candidate = config_.max_mtu;
    else if (last_acked_common_ && low_ + 1 < high_) candidate = low_ + 1;
    else if (common != std::end(common_mtus)) candidate = *common;
    last_acked_common_ = false;
    if (candidate <= low_ || candidate >= high_) return finish(now);
    probe(candidate, now);
}

void PmtuSearch::finish(core::MonoTime now) {
    if (finished_) return;
    finished_ = true;
    in_flight_ = false;
    result_.plpmtu = low_;
    result_.elapsed = now - start_;
    // RFC 2923 2.1 / RFC 4821 1: what got through is less than what ICMP allowed, and a size in
    // between vanished without a word: a PMTU black hole.
    result_.black_hole = result_.base_confirmed && low_ < result_.icmp_pmtu && result_.smallest_silent_failure > low_ &&
                         result_.smallest_silent_failure <= result_.icmp_pmtu;
    actions_.emplace_back(SearchFinish{result_});
}

std::vector<SearchAction> PmtuSearch::take_actions() {
    std::vector<SearchAction> out;
    out.swap(actions_);
    return out;
}

std::optional<core::MonoTime> PmtuSearch::next_deadline() const noexcept {
    if (finished_ || !in_flight_) return std::nullopt;
    return deadline_;
}

core::Duration PmtuSearch::current_wait() const noexcept {
    if (!have_rtt_) return config_.wait;
    return std::clamp<core::Duration>(4 * max_rtt_, config_.min_wait, config_.wait);
}

}  // namespace icmpkit::probe
