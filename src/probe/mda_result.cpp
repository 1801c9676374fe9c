// probe::Mda::result(): the graph found so far as an immutable value.
#include <algorithm>
#include <limits>

#include "icmpkit/probe/mda.hpp"

namespace icmpkit::probe {

namespace {

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) noexcept {
    return a > std::numeric_limits<std::uint64_t>::max() - b ? std::numeric_limits<std::uint64_t>::max() : a + b;
}

}  // namespace

MdaResult Mda::result() const {
    MdaResult r;
    r.confidence = config_.confidence;
    r.first_ttl = config_.first_ttl;
    r.probes_sent = serial_record_.size();
    r.replies = replies_;
    r.timeouts = timeouts_;
    r.ignored = ignored_;
    r.flows_used = flows_;
    r.reached = reached_;
    r.budget_exhausted = budget_exhausted_;
    // The last hop with an answering interface (trailing all-silent hops are dropped).
    unsigned last = 0;
    for (unsigned t = config_.first_ttl; t <= ttl_ && t <= config_.max_ttl; ++t)
        for (const auto& node : hops_[t])
            if (node.address) last = t;
    bool complete = !budget_exhausted_ && finished_ && !interrupted_;
    r.interrupted = interrupted_;
    // Paths: the number of source-to-sink walks, by dynamic programming hop by hop.
    std::vector<std::uint64_t> walks{1};  // the source
    for (unsigned t = config_.first_ttl; t <= last; ++t) {
        const auto& prev = hops_[t - 1u];
        MdaHop hop;
        hop.ttl = static_cast<std::uint8_t>(t);
        std::vector<std::uint64_t> next(hops_[t].size(), 0);
        for (std::size_t v = 0; v < prev.size(); ++v) {
            for (const auto s : prev[v].successors) {
                r.links.push_back({static_cast<std::uint8_t>(t), static_cast<std::uint32_t>(v), s});
                next[s] = saturating_add(next[s], v < walks.size() ? walks[v] : 0);
            }
            if (prev[v].successors.empty() && t - 1u >= config_.first_ttl && v < walks.size())
                r.paths = saturating_add(r.paths, walks[v]);
        }
        for (const auto& node : hops_[t]) {
            MdaInterface i;
            i.address = node.address;
            i.kind = node.kind;
            i.type = node.type;
            i.code = node.code;
            i.flows = node.flows;
            i.min_rtt_us = node.min_rtt_us;
            i.complete = !node.incomplete && (node.finished || node.kind == MdaNodeKind::destination ||
                                              node.kind == MdaNodeKind::unreachable || t == last);
            if (t == last && node.kind == MdaNodeKind::router && !reached_) i.complete = !node.incomplete;
            complete = complete && i.complete;
            hop.interfaces.push_back(std::move(i));
        }
        walks = std::move(next);
        r.hops.push_back(std::move(hop));
    }
    for (const auto w : walks) r.paths = saturating_add(r.paths, w);
    r.complete = complete;
    return r;
}

}  // namespace icmpkit::probe
