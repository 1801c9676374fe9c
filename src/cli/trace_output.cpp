#include "trace_output.hpp"

#include <chrono>
#include <cstdio>

#include "icmpkit/net/trace_driver.hpp"
#include "icmpkit/report/trace_json.hpp"
#include "icmpkit/report/trace_text.hpp"

namespace icmpkit::cli {
namespace {

void put(const std::string& s) {
    std::fputs(s.c_str(), stdout);
    std::fflush(stdout);
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

TraceOutput::TraceOutput(std::string host, const probe::TraceConfig& cfg, bool json, bool numeric, bool extensions,
                         bool simulated, NameFn names)
    : host_(std::move(host)), cfg_(cfg), json_(json), numeric_(numeric), extensions_(extensions),
      simulated_(simulated), names_(std::move(names)) {
    if (!json_ && !numeric_ && !names_) thread_ = std::thread([this] { printer(); });
}

TraceOutput::~TraceOutput() {
    if (thread_.joinable()) {
        {
            std::lock_guard<std::mutex> l(mutex_);
            closing_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
}

void TraceOutput::start() {
    if (!simulated_) started_ = unix_now();
    if (!json_) put(report::trace_header(host_, cfg_.space.destination, cfg_.max_ttl, cfg_.space.packet_length));
}

void TraceOutput::print_hop(const probe::TraceHop& hop) {
    report::TraceTextOptions t;
    t.numeric = numeric_;
    t.extensions = extensions_;
    t.sent_tos = cfg_.space.tos;
    if (names_) t.name_of = names_;
    else t.name_of = [](const core::IpAddress& a) { return net::reverse_name(a, std::chrono::seconds(2)); };
    put(report::trace_hop_line(hop, t, cfg_.space.method));
}

void TraceOutput::printer() {
    std::unique_lock<std::mutex> l(mutex_);
    for (;;) {
        cv_.wait(l, [&] { return closing_ || !queue_.empty(); });
        if (queue_.empty()) return;
        auto hop = std::move(queue_.front());
        queue_.pop_front();
        l.unlock();
        print_hop(hop);
        l.lock();
    }
}

void TraceOutput::event(const probe::TraceAction& a) {
    const auto* h = std::get_if<probe::TraceHopEvent>(&a);
    if (!h) return;
    hops_.push_back(h->hop);
    if (json_) return;
    if (thread_.joinable()) {
        {
            std::lock_guard<std::mutex> l(mutex_);
            queue_.push_back(h->hop);
        }
        cv_.notify_one();
    } else {
        print_hop(h->hop);
    }
}

void TraceOutput::finish(const probe::TraceCounters& counters, core::Duration elapsed, bool interrupted) {
    (void)elapsed;
    if (!json_) return;
    report::TraceJsonInfo info;
    info.dst_name = host_;
    info.config = cfg_;
    info.simulated = simulated_;
    info.interrupted = interrupted;
    if (!simulated_) info.timestamp = started_, info.endtime = unix_now();
    put(report::trace_json(info, hops_, counters));
}

}  // namespace icmpkit::cli
