// net::SignalBlock (signals.hpp).
#include "icmpkit/net/signals.hpp"

#include <sys/signalfd.h>
#include <unistd.h>

namespace icmpkit::net {

SignalBlock::SignalBlock(std::initializer_list<int> signals) {
    sigemptyset(&set_);
    for (int s : signals) sigaddset(&set_, s);
    blocked_ = ::sigprocmask(SIG_BLOCK, &set_, &old_) == 0;
    if (blocked_) fd_ = ::signalfd(-1, &set_, SFD_CLOEXEC | SFD_NONBLOCK);
}

SignalBlock::~SignalBlock() {
    if (fd_ >= 0) ::close(fd_);
    if (blocked_) ::sigprocmask(SIG_SETMASK, &old_, nullptr);
}

int SignalBlock::take() noexcept {
    if (fd_ < 0) return 0;
    int last = 0;
    signalfd_siginfo si;
    while (::read(fd_, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) last = static_cast<int>(si.ssi_signo);
    if (last && !first_) first_ = last;
    return last;
}

}  // namespace icmpkit::net
