// probe::Pmtu — path MTU discovery as pure state machines (DESIGN.md 5).
//
// Two engines:
//  * Pmtu: iputils tracepath 20221126 as a state machine. UDP probes of `mtu - overhead` bytes with
//    DF set (IP_PMTUDISC_DO), the TTL raised hop by hop; the socket's error queue
//    (IP_RECVERR / IPV6_RECVERR) says what happened: Time Exceeded (a hop), Fragmentation Needed
//    / Packet Too Big (ee_info = the next-hop MTU: lower the size and probe the hop again), Port
//    Unreachable (the destination is reached). The control flow is tracepath's main() /
//    probe_ttl() / recverr(): 3 rounds per hop, 10 send attempts per round, a 1 s wait per probe,
//    a 64-slot history keyed by destination port, the hop count rebuilt from the reply TTL.
//  * PmtuSearch: packetization-layer PMTU discovery (RFC 4821, RFC 8899) with ICMP echo as the
//    acknowledged probe: an echo request of total size N with DF set either comes back (N fits) or
//    does not after MAX_PROBES tries (N is too big). A search between a confirmed base and the
//    interface MTU; Packet Too Big / Fragmentation Needed are only hints (RFC 8899 4.6), so a
//    router that drops big DF datagrams silently (a PMTU black hole) cannot mislead it.
//
// Events in (timestamped), actions out (take_actions()), next_deadline(); never a clock or socket.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/probe/ping.hpp"

namespace icmpkit::probe {

using namespace std::chrono_literals;

// ---- tracepath -----------------------------------------------------------------------------

struct PmtuConfig {
    core::IpAddress destination;   // its family is the probe family
    int max_hops = 30;             // -m (tracepath MAX_HOPS_DEFAULT)
    int initial_mtu = 0;           // -l; 0: 65535 (IPv4) / 128000 (IPv6), tracepath's defaults
    std::uint16_t base_port = 44444;  // -p (tracepath DEFAULT_BASEPORT)
    core::Duration wait = 1s;      // data_wait(): how long one probe waits for its error
};

// sock_extended_err.ee_origin (linux/errqueue.h).
enum class ErrorOrigin : std::uint8_t { local = 1, icmp = 2, icmp6 = 3 };

// One entry of the socket's error queue, as recvmsg(MSG_ERRQUEUE) returned it.
struct PmtuQueuedError {
    ErrorOrigin origin = ErrorOrigin::icmp;
    int error_number = 0;       // ee_errno: EMSGSIZE, EHOSTUNREACH, ECONNREFUSED, ...
    std::uint8_t type = 0, code = 0;
    std::uint32_t info = 0;     // ee_info: the MTU of EMSGSIZE
    std::optional<core::IpAddress> offender;  // SO_EE_OFFENDER (ICMP origin)
    std::uint16_t port = 0;     // msg_name's port: our probe's destination port (0: none)
    std::optional<int> hop_limit;  // IP_TTL / IPV6_HOPLIMIT of the ICMP error, when given
    core::Buffer quoted;        // our payload as quoted (at most probe_header_size bytes used)
    core::MonoTime at{};        // when it was read (the RTT's end)
};

struct PmtuTransmit {
    int ttl = 0;
    std::uint16_t port = 0;
    core::Buffer payload;       // mtu - overhead bytes, probe header first
};

// What recverr() prints for one error-queue entry, as a value.
struct PmtuHopEvent {
    enum class Tail : std::uint8_t {
        none,         // Time Exceeded (or ETIMEDOUT): the line ends after the RTT / asymm
        pmtu,         // "pmtu N": the MTU was lowered
        reached,      // Port Unreachable from the destination
        host_unreachable,  // "!H"
        net_unreachable,   // "!N"
        prohibited,        // "!A"
        protocol,          // "!P"
        net_error,         // another errno: "NET ERROR"
    };
    int ttl = 0;                // the TTL being probed (ctl->ttl)
    int sent_hops = -1;         // the TTL of the probe this answers (-1: unknown)
    bool localhost = false;     // a local error (SO_EE_ORIGIN_LOCAL)
    std::optional<core::IpAddress> address;
    std::optional<core::Duration> rtt;
    bool broken_router = false;  // the quote's probe header was zeroed
    std::optional<int> asymm;    // the return path's length when it differs
    Tail tail = Tail::none;
    std::uint32_t pmtu = 0;
    int error_number = 0;
    int return_hops = -1;        // rethops after tracepath's conversion
};
struct PmtuNoReply { int ttl = 0; };
struct PmtuReplyReceived { int ttl = 0; };  // "reply received 8)": a UDP answer came back
struct PmtuSendFailed { int ttl = 0; };
struct PmtuNoInfo { int ttl = 0; };         // an error-queue entry without sock_extended_err
struct PmtuFinish {
    bool too_many_hops = false;
    int mtu = 0;
    int hops_to = -1, hops_from = -1;
};
using PmtuAction = std::variant<PmtuTransmit, PmtuHopEvent, PmtuNoReply, PmtuReplyReceived, PmtuSendFailed,
                                PmtuNoInfo, PmtuFinish>;

class Pmtu {
public:
    static constexpr int max_probes = 10;        // tracepath MAX_PROBES (send attempts)
    static constexpr int rounds_per_hop = 3;     // main(): for (i = 0; i < 3; i++)
    static constexpr int history_size = 64;      // HIS_ARRAY_SIZE
    static constexpr std::size_t probe_header_size = 16;  // ttl (be32), 0 (be32), send time (be64)

    // At most this many probes in a run (then it ends as "Too many hops").
    static constexpr int max_total_probes(int max_hops) noexcept { return 64 + 3 * rounds_per_hop * max_hops; }

    explicit Pmtu(PmtuConfig config);

    void start(core::MonoTime now);
    void on_sent(core::MonoTime now);  // the last PmtuTransmit left (sendto succeeded)
    // sendto failed; `queued` is what the error queue then held (recverr()).
    void on_send_failed(const std::vector<PmtuQueuedError>& queued, core::MonoTime now);
    // The error queue became readable while waiting: everything it held.
    void on_errors(const std::vector<PmtuQueuedError>& queued, core::MonoTime now);
    void on_reply(core::MonoTime now);  // a datagram arrived on the socket
    void on_timer(core::MonoTime now);

    std::vector<PmtuAction> take_actions();
    std::optional<core::MonoTime> next_deadline() const noexcept;
    bool finished() const noexcept { return state_ == State::done; }
    bool awaiting_send() const noexcept { return state_ == State::sending; }
    int mtu() const noexcept { return mtu_; }
    int overhead() const noexcept { return overhead_; }
    const PmtuConfig& config() const noexcept { return config_; }

private:
    enum class State : std::uint8_t { idle, sending, waiting, done };
    struct History {
        int hops = 0;
        core::MonoTime sent{};
    };
    void begin_hop(core::MonoTime now);
    void begin_round(core::MonoTime now);
    void send_probe(core::MonoTime now);
    void round_returned(int res, core::MonoTime now);
    int recverr(const std::vector<PmtuQueuedError>& queued);
    int handle_entry(const PmtuQueuedError& e);  // 1: keep reading, 0: stop (return 0)
    void finish(bool too_many_hops);

    PmtuConfig config_;
    int overhead_ = 28, mtu_ = 0, ttl_ = 0, round_ = 0, attempt_ = 0, old_mtu_ = 0;
    int hisptr_ = 0, hops_to_ = -1, hops_from_ = -1, sent_total_ = 0;
    std::array<History, history_size> his_{};
    State state_ = State::idle;
    core::MonoTime deadline_{};
    std::vector<PmtuAction> actions_;
};

// ---- packetization-layer search (RFC 4821 / RFC 8899) ----------------------------------------

struct PmtuSearchConfig {
    core::IpAddress destination;
    std::uint32_t max_mtu = 0;     // the largest size to try: the interface MTU (or -l)
    std::uint32_t known_pmtu = 0;  // what the kernel had learned from ICMP before (0: nothing)
    std::uint32_t min_mtu = 0;     // the base; 0: 1280 (IPv6, RFC 8200 5) / 576 (IPv4, RFC 1122 3.3.3)
    int max_probes = 3;            // RFC 8899 5.1.2 MAX_PROBES
    core::Duration wait = 1s;      // the longest wait for one probe's reply
    core::Duration min_wait = 50ms;  // the adaptive wait's floor (4 x the largest RTT seen above it)
    std::uint32_t precision = 1;   // stop when the bracket is this narrow (bytes)
    std::uint16_t identifier = 0;  // echo identifier (the kernel's on ICMP datagram sockets)
    bool check_identifier = true;
    int max_total_probes = 200;    // hard bound on probes sent
};

struct SearchTransmit {
    std::uint16_t sequence = 0;
    std::uint32_t size = 0;        // the whole IP datagram
    core::Buffer icmp;             // the echo request (IPv4: checksummed; IPv6: the kernel's job)
};
struct SearchProbeEvent {
    enum class Outcome : std::uint8_t { acknowledged, lost, too_big_icmp, too_big_local, base_failed };
    std::uint32_t size = 0;
    Outcome outcome = Outcome::acknowledged;
    int attempts = 0;
    std::uint32_t reported_mtu = 0;      // too_big_*: the MTU the ICMP message / kernel gave
    std::optional<core::IpAddress> reporter;
    std::optional<core::Duration> rtt;
};
struct SearchResult {
    bool base_confirmed = false;         // an echo of min_mtu came back
    std::uint32_t plpmtu = 0;            // the largest size acknowledged
    std::uint32_t max_mtu = 0;           // where the search started (interface MTU)
    std::uint32_t icmp_pmtu = 0;         // what ICMP (and the kernel) said: max_mtu lowered by PTBs
    std::optional<core::IpAddress> icmp_reporter;  // who sent the smallest PTB
    std::uint32_t smallest_silent_failure = 0;     // the smallest size lost without any ICMP
    bool black_hole = false;             // probing found less than ICMP said (RFC 2923 2.1)
    int probes = 0, replies = 0;
    core::Duration elapsed{0};
};
struct SearchFinish { SearchResult result; };
using SearchAction = std::variant<SearchTransmit, SearchProbeEvent, SearchFinish>;

class PmtuSearch {
public:
    explicit PmtuSearch(PmtuSearchConfig config);

    void start(core::MonoTime now);
    void on_sent(std::uint16_t sequence, core::MonoTime now);
    // EMSGSIZE from sendto (IP_PMTUDISC_PROBE: above the interface MTU); mtu as the kernel said.
    void on_local_too_big(std::uint16_t sequence, std::uint32_t mtu, core::MonoTime now);
    void on_send_error(std::uint16_t sequence, int error_number, core::MonoTime now);
    void on_reply(const Received& r, core::MonoTime now);            // an echo reply (ICMP bytes)
    void on_queued_error(const QueuedIcmpError& e, core::MonoTime now);  // an error about a probe
    void on_timer(core::MonoTime now);

    std::vector<SearchAction> take_actions();
    std::optional<core::MonoTime> next_deadline() const noexcept;
    bool finished() const noexcept { return finished_; }
    const SearchResult& result() const noexcept { return result_; }
    const PmtuSearchConfig& config() const noexcept { return config_; }
    core::Buffer build_request(std::uint16_t sequence, std::uint32_t size) const;

private:
    void probe(std::uint32_t size, core::MonoTime now);
    void transmit(core::MonoTime now);
    void settle(SearchProbeEvent::Outcome outcome, std::uint32_t reported, const std::optional<core::IpAddress>& from,
                core::MonoTime now);
    void next(core::MonoTime now);
    void finish(core::MonoTime now);
    std::uint32_t header_size() const noexcept { return config_.destination.is_v4() ? 20 : 40; }
    core::Duration current_wait() const noexcept;

    PmtuSearchConfig config_;
    SearchResult result_;
    std::vector<SearchAction> actions_;
    bool started_ = false, finished_ = false, in_flight_ = false, confirming_base_ = true;
    std::uint32_t size_ = 0;       // the size being probed
    std::uint32_t low_ = 0;        // largest size known to fit
    std::uint32_t high_ = 0;       // smallest size known not to fit (max_mtu + 1 at first)
    int attempts_ = 0;
    std::uint16_t sequence_ = 0, first_sequence_of_size_ = 0;
    core::MonoTime start_{}, sent_at_{}, deadline_{};
    core::Duration max_rtt_{0};
    bool have_rtt_ = false;
    bool last_acked_common_ = false;  // the last acknowledged size was a common or hinted one
    std::uint32_t hinted_ = 0;        // the last PTB size probed
};

}  // namespace icmpkit::probe
