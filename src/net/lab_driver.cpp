// The real-time lab loop (lab.hpp): TUN <-> sim::Network, ppoll + signalfd.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <array>
#include <memory>
#include <cerrno>
#include <chrono>
#include <vector>

#include "icmpkit/net/lab.hpp"
#include "icmpkit/net/ping_socket.hpp"
#include "icmpkit/net/signals.hpp"
#include "icmpkit/wire/ipv4.hpp"
#include "icmpkit/wire/ipv6.hpp"

namespace icmpkit::net {

bool is_sound_datagram(core::Bytes packet) noexcept {
    if (packet.empty()) return false;
    switch (packet[0] >> 4) {
        case 4: {
            // RFC 791 3.1 / RFC 1812 5.2.2: a router discards a header with a bad checksum.
            auto h = wire::Ipv4HeaderView::parse(packet, true);
            return h.has_value() && h->total_length() == packet.size();
        }
        case 6: {
            auto h = wire::Ipv6HeaderView::parse(packet);  // RFC 8200 3
            return h.has_value() && std::size_t{h->payload_length()} + 40 == packet.size();
        }
        default: return false;
    }
}

namespace {

timespec to_timespec(core::Duration d) {
    if (d < core::Duration{0}) d = core::Duration{0};
    timespec ts{};
    ts.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(d).count();
    ts.tv_nsec = (d - std::chrono::seconds(ts.tv_sec)).count();
    return ts;
}

class LabLoop {
public:
    LabLoop(sim::Network& n, TunDevice& t, const LabRunOptions& o, LabCounters& c)
        : net_(n), tun_(t), options_(o), c_(c), start_(mono_now()), wall_start_(std::chrono::system_clock::now()) {}

    core::MonoTime vnow() const { return core::MonoTime{mono_now() - start_}; }

    void record(core::Bytes packet, core::MonoTime at) {
        if (!options_.pcap) return;
        capture::Frame f;
        f.timestamp = wall_start_ + std::chrono::duration_cast<core::WallTime::duration>(at.since_origin);
        f.captured_length = f.original_length = static_cast<std::uint32_t>(packet.size());
        f.linktype = 101;  // LINKTYPE_RAW
        f.data = packet;
        if (!options_.pcap->write(f)) ++c_.pcap_errors;
    }

    core::SysResult<void> drain_tun() {
        for (int n = 0; n < 4096; ++n) {  // bounded: the loop also owes the network its time
            auto r = tun_.read(buf_);
            if (!r) return core::Unexpected(r.error());
            if (!*r) return {};
            core::Bytes p(buf_.data(), **r);
            core::MonoTime now = vnow();
            ++c_.from_tun;
            record(p, now);
            if (!is_sound_datagram(p)) {
                ++c_.malformed;
                continue;
            }
            if (net_.send(p, now)) ++c_.injected;
            else ++c_.unroutable;
        }
        return {};
    }

    void run_network() {
        core::MonoTime now = vnow();
        net_.run_until(now);
        for (auto& d : net_.take_delivered()) {
            record(d.bytes, d.time);
            if (tun_.write(d.bytes)) ++c_.to_tun;
            else ++c_.write_errors;
        }
    }

    std::optional<core::Duration> timeout(std::optional<core::MonoTime> end) const {
        std::optional<core::MonoTime> wake = net_.next_event_time();
        if (end && (!wake || *end < *wake)) wake = end;
        if (!wake) return std::nullopt;
        return *wake - vnow();
    }

private:
    sim::Network& net_;
    TunDevice& tun_;
    const LabRunOptions& options_;
    LabCounters& c_;
    core::MonoTime start_;
    core::WallTime wall_start_;
    std::array<std::uint8_t, 65536> buf_{};
};

}  // namespace

core::SysResult<LabStop> run_lab(sim::Network& network, TunDevice& tun, const LabRunOptions& options,
                                 const LabHooks& hooks, LabCounters& counters) {
    SignalBlock signals({SIGINT, SIGTERM, SIGUSR1});
    if (signals.fd() < 0) return core::Unexpected(core::SysError{errno, "signalfd"});
    auto loop = std::make_unique<LabLoop>(network, tun, options, counters);
    std::optional<core::MonoTime> end;
    if (options.duration) end = core::MonoTime{*options.duration};
    for (;;) {
        auto left = loop->timeout(end);
        timespec ts{};
        if (left) ts = to_timespec(*left);
        pollfd fds[2] = {{tun.fd(), POLLIN, 0}, {signals.fd(), POLLIN, 0}};
        int rc = ::ppoll(fds, 2, left ? &ts : nullptr, nullptr);
        if (rc < 0 && errno != EINTR) return core::Unexpected(core::SysError{errno, "ppoll"});
        // Receive first, then let the network catch up with the wall clock (DESIGN.md 5).
        if (rc > 0 && (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)))
            return core::Unexpected(core::SysError{EIO, "poll " + tun.name()});  // the device went away
        if (rc > 0 && (fds[0].revents & POLLIN))
            if (auto r = loop->drain_tun(); !r) return core::Unexpected(r.error());
        loop->run_network();
        if (rc > 0 && (fds[1].revents & POLLIN)) {
            signalfd_siginfo si;
            bool stop = false;
            while (::read(signals.fd(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
                if (si.ssi_signo == SIGUSR1) {
                    if (hooks.on_stats) hooks.on_stats();
                } else {
                    stop = true;
                }
            }
            if (stop) return LabStop::signal;
        }
        if (end && loop->vnow() >= *end) return LabStop::duration;
    }
}

}  // namespace icmpkit::net
