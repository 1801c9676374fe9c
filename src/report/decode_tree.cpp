// `icmpkit decode -v`: frame, link and IP summary lines, then the ICMP layer in tshark -V style.
#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>

#include "decode_common.hpp"
#include "icmpkit/dissect/dissection.hpp"
#include "icmpkit/report/decode_json.hpp"
#include "icmpkit/report/decode_tree.hpp"
#include "icmpkit/wire/icmpv4_types.hpp"
#include "icmpkit/wire/icmpv6_types.hpp"
#include "tree_detail.hpp"

namespace icmpkit::report {

using namespace detail;
namespace v4 = wire::icmpv4;

namespace {

std::string_view status_text(ChecksumStatus s) {
    switch (s) {
        case ChecksumStatus::good: return "Good";
        case ChecksumStatus::bad: return "Bad";
        default: return "Unverified";
    }
}

void checksum_lines(std::uint16_t checksum, ChecksumStatus s, std::string& out) {
    if (s == ChecksumStatus::good) tree_line(out, 1, "Checksum: {:#06x} [correct]", checksum);
    else if (s == ChecksumStatus::bad) tree_line(out, 1, "Checksum: {:#06x} incorrect", checksum);
    else tree_line(out, 1, "Checksum: {:#06x} [unverified]", checksum);
    tree_line(out, 1, "[Checksum Status: {}]", status_text(s));
}

void ident_seq_v4_tree(std::uint16_t id, std::uint16_t seq, std::string& out) {
    const auto swap = [](std::uint16_t v) { return static_cast<std::uint16_t>((v >> 8) | (v << 8)); };
    tree_line(out, 1, "Identifier (BE): {} ({:#06x})", id, id);
    tree_line(out, 1, "Identifier (LE): {} ({:#06x})", swap(id), swap(id));
    tree_line(out, 1, "Sequence Number (BE): {} ({:#06x})", seq, seq);
    tree_line(out, 1, "Sequence Number (LE): {} ({:#06x})", swap(seq), swap(seq));
}

void data_line(core::Bytes data, std::string& out) {
    if (!data.empty()) tree_line(out, 1, "Data ({} bytes)", data.size());
}

void rfc4884_lines(std::uint8_t unused, std::uint8_t length, std::string& out) {
    tree_line(out, 1, "Unused: {:02x}", unused);
    tree_line(out, 1, "Length: {}", length);
    tree_line(out, 1, "[Length of original datagram: {}]", unsigned{length} * 4);
}

struct V4Body {
    std::string& out;
    template <class Echo>
    void echo(const Echo& m) const {
        ident_seq_v4_tree(m.identifier, m.sequence, out);
        data_line(m.data, out);
    }
    template <class Error>
    void quote_ext(const Error& m) const {
        write_quote_tree(m.original, 1, out);
        if constexpr (requires { m.extensions; })
            if (m.extensions) write_extensions_tree(*m.extensions, 1, out);
    }
    void operator()(const v4::EchoRequest& m) const { echo(m); }
    void operator()(const v4::EchoReply& m) const { echo(m); }
    void operator()(const v4::DestinationUnreachable& m) const {
        if (m.length_attribute) rfc4884_lines(m.unused, m.length_attribute, out);
        if (m.code == 4) tree_line(out, 1, "MTU of next hop: {}", m.next_hop_mtu);
        else if (!m.length_attribute) tree_line(out, 1, "Unused: {:02x}{:02x}{:04x}", m.unused, m.length_attribute, m.next_hop_mtu);
        else tree_line(out, 1, "Unused: {:04x}", m.next_hop_mtu);
        quote_ext(m);
    }
    void operator()(const v4::TimeExceeded& m) const {
        if (m.length_attribute) {
            rfc4884_lines(m.unused, m.length_attribute, out);
            tree_line(out, 1, "Unused: {:04x}", m.unused2);
        } else {
            tree_line(out, 1, "Unused: {:02x}{:02x}{:04x}", m.unused, m.length_attribute, m.unused2);
        }
        quote_ext(m);
    }
    void operator()(const v4::ParameterProblem& m) const {
        tree_line(out, 1, "Pointer: {}", m.pointer);
        if (m.length_attribute) {
            tree_line(out, 1, "Length of original datagram: {}", m.length_attribute);
            tree_line(out, 1, "[Length of original datagram: {}]", unsigned{m.length_attribute} * 4);
        }
        quote_ext(m);
    }
    void operator()(const v4::SourceQuench& m) const { quote_ext(m); }
    void operator()(const v4::Redirect& m) const {
        tree_line(out, 1, "Gateway Address: {}", m.gateway.to_string());
        quote_ext(m);
    }
    void operator()(const v4::RouterAdvertisement& m) const {
        tree_line(out, 1, "Number of addresses: {}", m.num_addrs);
        tree_line(out, 1, "Address entry size: {}", m.addr_entry_size);
        tree_line(out, 1, "Lifetime: {}", m.lifetime);
        for (const auto& e : m.entries) {
            tree_line(out, 1, "Router address: {}", e.address.to_string());
            tree_line(out, 1, "Preference level: {}", e.preference);
        }
    }
    void operator()(const v4::RouterSolicitation&) const {}
    template <class T>
    void timestamps(const T& m) const {
        ident_seq_v4_tree(m.identifier, m.sequence, out);
        tree_line(out, 1, "Originate timestamp: {}", m.originate);
        tree_line(out, 1, "Receive timestamp: {}", m.receive);
        tree_line(out, 1, "Transmit timestamp: {}", m.transmit);
    }
    void operator()(const v4::Timestamp& m) const { timestamps(m); }
    void operator()(const v4::TimestampReply& m) const { timestamps(m); }
    void operator()(const v4::InformationRequest& m) const { ident_seq_v4_tree(m.identifier, m.sequence, out); }
    void operator()(const v4::InformationReply& m) const { ident_seq_v4_tree(m.identifier, m.sequence, out); }
    template <class T>
    void mask(const T& m) const {
        ident_seq_v4_tree(m.identifier, m.sequence, out);
        tree_line(out, 1, "Address Mask: {}", m.mask.to_string());
    }
    void operator()(const v4::AddressMaskRequest& m) const { mask(m); }
    void operator()(const v4::AddressMaskReply& m) const { mask(m); }
    void operator()(const v4::Traceroute& m) const {
        tree_line(out, 1, "[Identifier: {}]", m.identifier);
        tree_line(out, 1, "[Outbound Hop Count: {}]", m.outbound_hop_count);
        tree_line(out, 1, "[Return Hop Count: {}]", m.return_hop_count);
        tree_line(out, 1, "[Output Link Speed: {}]", m.output_link_speed);
        tree_line(out, 1, "[Output Link MTU: {}]", m.output_link_mtu);
    }
    void operator()(const v4::Photuris& m) const { tree_line(out, 1, "[Pointer: {}]", m.pointer); }
    void operator()(const v4::ExtendedEchoRequest& m) const {
        tree_line(out, 1, "Identifier (BE): {} ({:#06x})", m.identifier, m.identifier);
        tree_line(out, 1, "Sequence Number: {} ({:#04x})", m.sequence, m.sequence);
        const unsigned b = (unsigned{m.reserved} << 1) | (m.local ? 1u : 0u);
        flag_line(out, 1, b, 8, 0xFE, "Reserved", fmt::format("{:#04x}", m.reserved));
        flag_line(out, 1, b, 8, 0x01, "Local bit", set_str(m.local));
        if (m.extensions) write_extensions_tree(*m.extensions, 1, out);
    }
    void operator()(const v4::ExtendedEchoReply& m) const {
        tree_line(out, 1, "Identifier (BE): {} ({:#06x})", m.identifier, m.identifier);
        tree_line(out, 1, "Sequence Number: {} ({:#04x})", m.sequence, m.sequence);
        const unsigned b = (unsigned{m.state} << 5) | (unsigned{m.reserved} << 3) | (m.active ? 4u : 0u) |
                           (m.ipv4 ? 2u : 0u) | (m.ipv6 ? 1u : 0u);
        const auto state = v4::extended_echo_state_name(m.state);
        flag_line(out, 1, b, 8, 0xE0, "State", fmt::format("{} ({})", state.empty() ? "Unknown" : state, m.state));
        flag_line(out, 1, b, 8, 0x18, "Reserved", fmt::format("{:#x}", m.reserved));
        flag_line(out, 1, b, 8, 0x04, "Active bit", set_str(m.active));
        flag_line(out, 1, b, 8, 0x02, "IPv4 bit", set_str(m.ipv4));
        flag_line(out, 1, b, 8, 0x01, "IPv6 bit", set_str(m.ipv6));
    }
    void operator()(const v4::Unknown& m) const { data_line(m.data, out); }
};

}  // namespace

void write_icmpv4_tree(const v4::Message& m, ChecksumStatus status, std::string& out) {
    const std::uint8_t type = v4::type_of(m), code = v4::code_of(m);
    tree_line(out, 0, "Internet Control Message Protocol");
    tree_line(out, 1, "Type: {} ({})", type, v4::type_info(type).wireshark_label);
    if (auto c = v4::code_name(type, code)) tree_line(out, 1, "Code: {} ({})", code, c->wireshark);
    else tree_line(out, 1, "Code: {}", code);
    checksum_lines(v4::checksum_of(m), status, out);
    std::visit(V4Body{out}, m);
}

namespace {

void frame_lines(const dissect::Dissection& d, std::string& out) {
    const auto& f = d.frame;
    tree_line(out, 0, "Frame {}: {} bytes on wire ({} bits), {} bytes captured ({} bits)", f.number, f.original_length,
              std::uint64_t{f.original_length} * 8, f.captured_length, std::uint64_t{f.captured_length} * 8);
    if (d.link && d.link->source && d.link->destination)
        tree_line(out, 0, "Ethernet II, Src: {}, Dst: {}", d.link->source->to_string(), d.link->destination->to_string());
    for (const auto& l : d.ip) {
        if (l.gre) tree_line(out, 0, "Generic Routing Encapsulation (protocol {:#06x})", l.gre->protocol_type);
        if (l.udp_tunnel)
            tree_line(out, 0, "User Datagram Protocol, Src Port: {}, Dst Port: {} ({})", l.udp_tunnel->source_port,
                      l.udp_tunnel->destination_port, dissect::udp_tunnel_name(l.udp_tunnel->kind));
        if (l.inner_link && l.inner_link->source && l.inner_link->destination)
            tree_line(out, 0, "Ethernet II, Src: {}, Dst: {}", l.inner_link->source->to_string(),
                      l.inner_link->destination->to_string());
        if (l.family == core::Family::v4)
            tree_line(out, 0, "Internet Protocol Version 4, Src: {}, Dst: {}", l.source().to_string(), l.destination().to_string());
        else
            tree_line(out, 0, "Internet Protocol Version 6, Src: {}, Dst: {}", l.source().to_string(), l.destination().to_string());
        if (l.reassembled) tree_line(out, 1, "[Reassembled from {} fragments]", l.fragment_count);
    }
}

}  // namespace

void write_tree(const dissect::Dissection& d, std::string& out) {
    frame_lines(d, out);
    if (d.icmp) {
        const auto& icmp = *d.icmp;
        const ChecksumStatus status = tshark_checksum_status(icmp.checksum);
        if (const auto* m4 = icmp.v4()) {
            write_icmpv4_tree(*m4, status, out);
        } else if (const auto* m6 = icmp.v6()) {
            write_icmpv6_tree(*m6, status, out);
        } else {
            const bool v6 = icmp.family == core::Family::v6;
            tree_line(out, 0, "Internet Control Message Protocol{}", v6 ? " v6" : "");
            if (icmp.bytes.size() >= 1) tree_line(out, 1, "Type: {}", icmp.bytes[0]);
            if (icmp.bytes.size() >= 2) tree_line(out, 1, "Code: {}", icmp.bytes[1]);
        }
    }
    if (d.fault) tree_line(out, 0, "[Malformed packet: {} at byte {}]", core::fault_name(d.fault->fault), d.fault->offset);
    out.push_back('\n');
}

}  // namespace icmpkit::report
