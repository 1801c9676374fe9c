// net::SignalBlock: SIGINT / SIGTERM (or any set) as a descriptor the socket loops ppoll on
// (DESIGN.md 5), instead of asynchronous handlers: the signals are blocked, read from a signalfd
// and acted on between two events of the engine, so an interrupted run still prints its report
// (ping's summary, trace's last hop, the --cycles / --mda report).
//
// Create it BEFORE any thread starts (reverse-DNS printer threads, getaddrinfo helpers): a
// process-directed signal goes to any thread that does not block it, and only blocked signals
// reach a signalfd. The destructor restores the previous mask; signals still pending then are
// delivered with their default action.
#pragma once

#include <signal.h>

#include <initializer_list>

namespace icmpkit::net {

class SignalBlock {
public:
    explicit SignalBlock(std::initializer_list<int> signals = {SIGINT, SIGTERM});
    ~SignalBlock();
    SignalBlock(const SignalBlock&) = delete;
    SignalBlock& operator=(const SignalBlock&) = delete;

    int fd() const noexcept { return fd_; }  // -1 when sigprocmask or signalfd failed (errno set)
    // Reads the pending signals without blocking; returns the last one read, 0 when none.
    int take() noexcept;
    // The first signal take() ever returned (0: none yet).
    int received() const noexcept { return first_; }

private:
    sigset_t set_{}, old_{};
    bool blocked_ = false;
    int fd_ = -1;
    int first_ = 0;
};

// The exit status of a command that stopped because of `signal_number`, as a shell reports a
// process killed by it: 128 + n (130 for SIGINT, 143 for SIGTERM).
constexpr int exit_status_for_signal(int signal_number) noexcept { return 128 + signal_number; }

}  // namespace icmpkit::net
