// Output of `icmpkit trace`: traceroute text as hops complete, or one JSON document at the end.
// Without -n on real sockets, names are resolved on a printer thread, so a slow resolver never
// delays a probe (the engine's loop only queues hops).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "icmpkit/probe/trace.hpp"

namespace icmpkit::cli {

class TraceOutput {
public:
    using NameFn = std::function<std::string(const core::IpAddress&)>;
    // `names`: a synchronous name source (the simulator's node names); empty on real sockets,
    // where net::reverse_name runs on the printer thread.
    TraceOutput(std::string host, const probe::TraceConfig& cfg, bool json, bool numeric, bool extensions,
                bool simulated, NameFn names);
    ~TraceOutput();
    void start();
    void event(const probe::TraceAction& a);
    void finish(const probe::TraceCounters& counters, core::Duration elapsed, bool interrupted = false);

private:
    void print_hop(const probe::TraceHop& hop);
    void printer();

    std::string host_;
    probe::TraceConfig cfg_;
    bool json_, numeric_, extensions_, simulated_;
    NameFn names_;
    std::vector<probe::TraceHop> hops_;
    std::int64_t started_ = 0;
    // printer thread (real sockets without -n)
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<probe::TraceHop> queue_;
    bool closing_ = false;
};

}  // namespace icmpkit::cli
