// TEMPORARY minimal fallback for report::write_tree / report::write_json, until branch h-report
// (which owns the real renderers) is merged. DELETE THIS FILE when merging h-report.
#include <string>

#include <fmt/format.h>

#include "icmpkit/dissect/dissection.hpp"
#include "icmpkit/report/decode_text.hpp"
#include "icmpkit/report/json_writer.hpp"

namespace icmpkit::report {

void write_tree(const dissect::Dissection& d, std::string& out);
void write_json(const dissect::Dissection& d, JsonWriter& w);

void write_tree(const dissect::Dissection& d, std::string& out) {
    fmt::format_to(std::back_inserter(out), "Frame {}: {} bytes captured ({} on the wire)\n",
                   d.frame.number, d.frame.captured_length, d.frame.original_length);
    for (const auto& ip : d.ip)
        fmt::format_to(std::back_inserter(out), "  IPv{} {} > {} (offset {}, {})\n",
                       ip.family == core::Family::v4 ? 4 : 6, ip.source().to_string(),
                       ip.destination().to_string(), ip.offset, dissect::encapsulation_name(ip.encapsulation));
    if (d.icmp)
        fmt::format_to(std::back_inserter(out), "  ICMP{} type {} code {}: {} (checksum {})\n",
                       d.icmp->family == core::Family::v6 ? "v6" : "", d.icmp->type, d.icmp->code,
                       describe_icmp(*d.icmp), dissect::checksum_status_name(d.icmp->checksum));
}

void write_json(const dissect::Dissection& d, JsonWriter& w) {
    w.begin_object();
    w.key("frame"); w.uint(d.frame.number);
    if (d.icmp) {
        w.key("family"); w.uint(d.icmp->family == core::Family::v4 ? 4 : 6);
        w.key("type"); w.uint(d.icmp->type);
        w.key("code"); w.uint(d.icmp->code);
        w.key("kind"); w.string(wire::kind_name(d.icmp->classification.kind));
    }
    if (d.fault) { w.key("malformed"); w.string(core::describe(*d.fault)); }
    w.end_object();
}

}  // namespace icmpkit::report
