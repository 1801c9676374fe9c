#include "icmpkit/dissect/dissector.hpp"

namespace icmpkit::dissect {

class Reassembler {};

Dissector::Dissector(DissectorOptions options) : options_(options), reassembler_(std::make_unique<Reassembler>()) {}
Dissector::~Dissector() = default;
Dissector::Dissector(Dissector&&) noexcept = default;
Dissector& Dissector::operator=(Dissector&&) noexcept = default;

Dissection Dissector::dissect(const capture::Frame& frame) {
    Dissection d;
    dissect(frame, d);
    return d;
}
void Dissector::dissect(const capture::Frame& frame, Dissection& out) {  // STUB
    out = Dissection{};
    out.frame = {frame.number, frame.timestamp, frame.captured_length, frame.original_length, frame.linktype};
    ++stats_.frames;
}
std::size_t Dissector::reassembly_in_progress() const noexcept { return 0; }

std::uint64_t Stats::count(core::Family f, std::uint8_t type) const noexcept {
    std::uint64_t n = 0;
    for (int c = 0; c < 256; ++c) n += count(f, type, static_cast<std::uint8_t>(c));
    return n;
}

}  // namespace icmpkit::dissect
