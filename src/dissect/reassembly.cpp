#include "reassembly.hpp"

#include <algorithm>
#include <cstring>

namespace icmpkit::dissect {

void Reassembler::expire(core::WallTime now, Stats& stats) {
    if (entries_.empty()) return;
    auto old = [&](const Entry& e) { return now > e.first && now - e.first > limits_.timeout; };
    auto n = std::erase_if(entries_, old);
    stats.reassembly_expired += n;
}

bool Reassembler::insert(Entry& e, const Fragment& f, bool& duplicate) {
    const std::uint32_t begin = f.offset;
    const auto end = static_cast<std::uint32_t>(f.offset + f.data.size());
    duplicate = false;
    for (const auto& r : e.ranges) {
        if (begin < r.end && r.begin < end) {
            // Identical re-sent fragment: ignore it (same place, same bytes).
            if (r.begin == begin && r.end == end &&
                std::memcmp(e.data.data() + begin, f.data.data(), f.data.size()) == 0) {
                duplicate = true;
                return true;
            }
            return false;
        }
    }
    if (e.data.size() < end) e.data.resize(end);
    if (!f.data.empty()) std::memcpy(e.data.data() + begin, f.data.data(), f.data.size());
    if (begin != end) {
        auto it = std::lower_bound(e.ranges.begin(), e.ranges.end(), begin,
                                   [](const Range& r, std::uint32_t b) { return r.begin < b; });
        e.ranges.insert(it, Range{begin, end});
    }
    return true;
}

bool Reassembler::complete(const Entry& e) noexcept {
    if (!e.total || !e.have_first) return false;
    std::uint32_t at = 0;
    for (const auto& r : e.ranges) {
        if (r.begin != at) return false;
        at = r.end;
    }
    return at == *e.total;
}

ReassemblyResult Reassembler::add(const FragmentKey& key, core::WallTime now, const Fragment& f,
                                  Stats& stats) {
    expire(now, stats);
    ReassemblyResult res;
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == key; });
    const std::size_t end = f.offset + f.data.size();
    if (it == entries_.end()) {
        if (entries_.size() >= limits_.max_datagrams || end > limits_.max_datagram_size) {
            ++stats.reassembly_dropped;
            res.outcome = FragmentOutcome::dropped;
            return res;
        }
        entries_.push_back(Entry{key, now});
        it = entries_.end() - 1;
    }
    Entry& e = *it;
    auto drop = [&](FragmentOutcome why) {
        if (why == FragmentOutcome::overlap) ++stats.reassembly_overlaps;
        else ++stats.reassembly_dropped;
        entries_.erase(it);
        res.outcome = why;
        return res;
    };
    if (end > limits_.max_datagram_size) return drop(FragmentOutcome::dropped);
    // RFC 8200 4.5: a last fragment that ends before data already received, or a second
    // disagreeing last fragment, makes the datagram impossible.
    if (!f.more) {
        if ((e.total && *e.total != end) || (!e.ranges.empty() && e.ranges.back().end > end))
            return drop(FragmentOutcome::overlap);
        e.total = static_cast<std::uint32_t>(end);
    } else if (e.total && end > *e.total) {
        return drop(FragmentOutcome::overlap);
    }
    bool duplicate = false;
    if (!insert(e, f, duplicate)) return drop(FragmentOutcome::overlap);
    if (!duplicate) {
        ++e.count;
        if (f.offset == 0 && !e.have_first) {
            e.prefix.assign(f.prefix.begin(), f.prefix.end());
            e.next_header = f.next_header;
            e.have_first = true;
        }
    }
    if (!complete(e)) return res;
    auto buf = std::make_shared<core::Buffer>();
    buf->reserve(e.prefix.size() + e.data.size());
    buf->insert(buf->end(), e.prefix.begin(), e.prefix.end());
    buf->insert(buf->end(), e.data.begin(), e.data.end());
    res.outcome = FragmentOutcome::completed;
    res.datagram = std::move(buf);
    res.prefix_length = static_cast<std::uint32_t>(e.prefix.size());
    res.next_header = e.next_header;
    res.fragment_count = e.count;
    ++stats.reassembled;
    entries_.erase(it);
    return res;
}

}  // namespace icmpkit::dissect
