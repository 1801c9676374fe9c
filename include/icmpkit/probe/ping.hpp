// probe::Ping — iputils-compatible echo engine as a pure state machine (DESIGN.md 5).
//
// Events in: start(now), on_sent(seq, now), on_send_error(seq, errno), on_reply(received, now),
// on_queued_error(error, now), on_local_error(...), on_timer(now), interrupt(now).
// Actions out: take_actions() drains Transmit (an ICMP echo request to send) and progress events.
// next_deadline() says when on_timer() wants to run. Never reads a clock, opens a socket or prints.
//
// The scheduling (token bucket, preload, flood at most 100/s without replies, adaptive interval),
// the exit rules and every counter follow iputils 20221126 ping_common.c (pinger(), main_loop(),
// __schedule_exit(), gather_statistics(), finish()). Memory is bounded: the set of answered
// sequence numbers is a fixed 2^16-bit bitmap (iputils' rcvd_tbl), RTTs go into a fixed sketch.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "icmpkit/core/address.hpp"
#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/time.hpp"
#include "icmpkit/probe/rtt_stats.hpp"

namespace icmpkit::probe {

using namespace std::chrono_literals;

struct PingConfig {
    core::IpAddress destination;            // its family is the probe family
    std::uint64_t count = 0;                // -c; 0 = unlimited
    core::Duration interval = 1s;           // -i (flood without -i: 0)
    std::optional<core::Duration> deadline; // -w
    core::Duration linger = 10s;            // -W: wait for a reply after the last probe
    std::size_t payload_size = 56;          // -s
    core::Buffer pattern;                   // -p bytes (up to 16); empty: bytes 0,1,2,...
    std::uint16_t identifier = 0;           // echo identifier (the kernel sets it on ICMP sockets)
    bool check_identifier = true;           // raw sockets see every echo reply: match identifier
    bool verify_checksum = false;           // raw IPv4: the kernel passes bad checksums up
    unsigned preload = 1;                   // -l
    bool flood = false;                     // -f
    bool adaptive = false;                  // -A
    bool report_outstanding = false;        // -O
    bool privileged = true;                 // root: no minimum interval (MINUSERINTERVAL otherwise)
    // on_sent() times are the kernel's transmit timestamps on the receive clock: the RTT is then
    // reply time - transmit time (our own scheduling before the send excluded); without one for a
    // sequence, the payload's send time as iputils.
    bool sent_times_are_kernel = false;
    // Wall clock at MonoTime origin: the payload timestamp is a struct timeval of wall time, as
    // iputils writes it (first 16 bytes when payload_size >= 16).
    core::Duration wall_offset{0};
};

// One received ICMP/ICMPv6 message (the bytes after any IP header).
struct Received {
    core::IpAddress from;
    core::Bytes icmp;
    std::optional<std::uint8_t> ttl;  // IPv4 TTL or IPv6 hop limit, when known
};

// An ICMP error the kernel queued about one of our datagrams (IP_RECVERR / IPV6_RECVERR).
struct QueuedIcmpError {
    core::IpAddress offender;  // who sent the ICMP error
    core::IpAddress original_destination;
    std::uint8_t type = 0, code = 0;
    std::uint32_t info = 0;    // next-hop MTU or pointer as the kernel reports it
    std::uint8_t original_type = 0;  // our datagram's ICMP type (echo request expected)
    std::uint16_t original_identifier = 0;
    std::uint16_t sequence = 0;
};

// ---- actions -------------------------------------------------------------------------------

struct Transmit {
    std::uint16_t sequence = 0;
    core::Buffer icmp;  // the echo request, checksum computed for IPv4 (IPv6: the kernel's job)
};
struct ReplyEvent {
    core::MonoTime at;
    std::uint16_t sequence = 0;
    core::IpAddress from;
    std::optional<std::uint8_t> ttl;
    std::optional<std::int64_t> rtt_us;  // present when the payload carried our timestamp
    std::size_t bytes = 0;               // ICMP length, as iputils prints it
    bool duplicate = false;
    bool bad_checksum = false;
    bool different_address = false;
    bool truncated = false;
};
struct IcmpErrorEvent {
    core::MonoTime at;
    core::IpAddress from;
    std::uint8_t type = 0, code = 0;
    std::uint32_t info = 0;
    std::uint16_t sequence = 0;
    bool counted = true;  // false: a redirect/source quench seen inline (not an error about a probe)
    bool bad_checksum = false;
};
struct LocalErrorEvent {
    core::MonoTime at;
    int error_number = 0;
    std::uint32_t mtu = 0;     // EMSGSIZE: the path MTU the kernel reported
    bool from_send = false;    // sendmsg failed (iputils prints "sendmsg: ...")
};
struct NoAnswerEvent {
    core::MonoTime at;
    std::uint64_t sequence = 0;  // iputils prints ntransmitted % 2^16
};
struct SentEvent {
    core::MonoTime at;
    std::uint16_t sequence = 0;
};
struct FinishEvent {
    core::MonoTime at;
};
using Action = std::variant<Transmit, SentEvent, ReplyEvent, IcmpErrorEvent, LocalErrorEvent,
                            NoAnswerEvent, FinishEvent>;

// Immutable counters handed to report.
struct PingSummary {
    std::uint64_t transmitted = 0, received = 0, duplicates = 0, corrupted = 0, errors = 0;
    core::Duration elapsed{0};   // last transmit - start (iputils' "time")
    bool timing = false;         // payload_size >= 16
    int pipe = 0;                // iputils' pipesize
    bool show_ipg = false;       // flood, adaptive or interval 0
    RttStats rtt;
    int exit_code() const noexcept;  // set by Ping::summary()
    int exit_code_value = 1;
};

class Ping {
public:
    static constexpr std::uint32_t max_dup_check = 0x10000;  // iputils MAX_DUP_CHK
    static constexpr core::Duration min_interval = 10ms;      // iputils MININTERVAL
    static constexpr core::Duration min_user_interval = 2ms;  // iputils MINUSERINTERVAL

    explicit Ping(PingConfig config);

    void start(core::MonoTime now);
    void on_sent(std::uint16_t sequence, core::MonoTime now);
    // report=false: iputils 20221126 counts the probe as sent and prints nothing when sendmsg failed
    // and the error queue was empty (its receive_error_msg() counts EAGAIN as a local error).
    void on_send_error(std::uint16_t sequence, int error_number, core::MonoTime now, bool report = true);
    void on_reply(const Received& r, core::MonoTime now);
    void on_queued_error(const QueuedIcmpError& e, core::MonoTime now);
    void on_local_error(int error_number, std::uint32_t mtu, core::MonoTime now);
    void on_timer(core::MonoTime now);
    void interrupt(core::MonoTime now);  // SIGINT: finish now

    std::vector<Action> take_actions();
    std::optional<core::MonoTime> next_deadline() const noexcept;
    bool finished() const noexcept { return finished_; }
    PingSummary summary() const;
    const PingConfig& config() const noexcept { return config_; }
    std::uint64_t in_flight() const noexcept;
    core::Duration current_interval() const noexcept { return interval_; }

    // The request payload iputils sends for sequence `seq` at wall time `wall` (tests use this).
    core::Buffer build_request(std::uint16_t seq, core::Duration wall) const;

private:
    void pump(core::MonoTime now);
    std::optional<core::Duration> pinger(core::MonoTime now);  // nullopt: sent one
    void schedule_exit(core::MonoTime now);
    void check_exit(core::MonoTime now);
    void acknowledge(std::uint16_t seq);
    void update_interval();
    bool rcvd_test(std::uint32_t seq) const noexcept;
    void rcvd_set(std::uint32_t seq) noexcept;
    void rcvd_clear(std::uint32_t seq) noexcept;
    bool on_inline_error(const Received& r, core::MonoTime now);
    bool all_sent() const noexcept;

    PingConfig config_;
    std::vector<Action> actions_;
    std::array<std::uint64_t, max_dup_check / 64> rcvd_{};  // 8 KiB, fixed
    bool started_ = false, finished_ = false, timing_ = false;
    core::MonoTime start_time_{}, cur_time_{}, next_send_{};
    bool cur_time_set_ = false;
    core::Duration tokens_{0};
    core::Duration interval_{0};
    std::int64_t rtt_addend_us_ = 0;
    std::optional<core::MonoTime> exit_at_;      // __schedule_exit's alarm
    std::optional<core::MonoTime> deadline_at_;  // -w
    std::uint64_t ntransmitted_ = 0, nreceived_ = 0, nrepeats_ = 0, nchecksum_ = 0, nerrors_ = 0;
    std::uint16_t acked_ = 0;
    int pipesize_ = 0;
    RttStats rtt_;
    // The payload timestamp of each of the last sent_window probes (raw sockets see every echo
    // reply: two pings that drew the same random identifier are told apart by it). 16 KiB, fixed.
    static constexpr std::size_t sent_window = 1024;
    struct SentStamp {
        std::uint16_t sequence = 0;
        bool valid = false;
        bool kernel_tx = false;       // kernel_tx_at holds the kernel's transmit time
        std::int64_t wall_us = 0;
        core::MonoTime kernel_tx_at{};
    };
    std::array<SentStamp, sent_window> sent_stamps_{};
    bool foreign(std::uint16_t seq, const Received& r) const noexcept;
};

}  // namespace icmpkit::probe
