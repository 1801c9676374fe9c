// -v tree parts shared by both families: the quoted datagram and RFC 4884 extensions.
#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>

#include "icmpkit/core/address.hpp"
#include "icmpkit/wire/icmpv4.hpp"
#include "icmpkit/wire/icmpv6.hpp"
#include "icmpkit/report/decode_json.hpp"
#include "icmpkit/report/decode_tree.hpp"
#include "tree_detail.hpp"

namespace icmpkit::report {

using namespace detail;
namespace ext = wire::ext;

namespace {

std::string_view ip_protocol_name(std::uint8_t p) {
    switch (p) {
        case 1: return "ICMP";
        case 6: return "TCP";
        case 17: return "UDP";
        case 58: return "ICMPv6";
        default: return "Unknown";
    }
}

void quoted_transport(std::uint8_t protocol, core::Bytes t, int depth, std::string& out) {
    if (t.size() < 4) return;
    const unsigned sp = core::load_be16(&t[0]), dp = core::load_be16(&t[2]);
    if (protocol == 17) {
        tree_line(out, depth, "User Datagram Protocol, Src Port: {}, Dst Port: {}", sp, dp);
        tree_line(out, depth + 1, "Source Port: {}", sp);
        tree_line(out, depth + 1, "Destination Port: {}", dp);
        if (t.size() >= 6) tree_line(out, depth + 1, "Length: {}", core::load_be16(&t[4]));
        if (t.size() >= 8) {
            tree_line(out, depth + 1, "Checksum: {:#06x} [unverified]", core::load_be16(&t[6]));
            tree_line(out, depth + 1, "[Checksum Status: Unverified]");
        }
    } else if (protocol == 6) {
        tree_line(out, depth, "Transmission Control Protocol, Src Port: {}, Dst Port: {}", sp, dp);
        tree_line(out, depth + 1, "Source Port: {}", sp);
        tree_line(out, depth + 1, "Destination Port: {}", dp);
        if (t.size() >= 8) tree_line(out, depth + 1, "Sequence Number (raw): {}", core::load_be32(&t[4]));
    } else if (protocol == 1 || protocol == 58) {
        tree_line(out, depth, "Internet Control Message Protocol{}", protocol == 1 ? "" : " v6");
        // tshark -V's words: "Type: 8 (Echo (ping) request)", "Type: Echo (ping) request (128)".
        if (protocol == 1) tree_line(out, depth + 1, "Type: {} ({})", t[0], wire::icmpv4::type_info(t[0]).wireshark_label);
        else tree_line(out, depth + 1, "Type: {} ({})", wire::icmpv6::type_info(t[0]).wireshark_label, t[0]);
        tree_line(out, depth + 1, "Code: {}", t[1]);
        tree_line(out, depth + 1, "Checksum: {:#06x} [unverified] [in ICMP error packet]", core::load_be16(&t[2]));
        if (t.size() >= 8) {
            tree_line(out, depth + 1, "Identifier: {:#06x}", core::load_be16(&t[4]));
            tree_line(out, depth + 1, "Sequence: {}", core::load_be16(&t[6]));
        }
    }
}

}  // namespace

void write_quote_tree(core::Bytes q, int depth, std::string& out) {
    if (q.empty()) return;
    if ((q[0] >> 4) == 4 && q.size() >= 20) {
        const auto src = core::Ipv4Address::from_bytes(&q[12]), dst = core::Ipv4Address::from_bytes(&q[16]);
        tree_line(out, depth, "Internet Protocol Version 4, Src: {}, Dst: {}", src.to_string(), dst.to_string());
        const unsigned ihl = (q[0] & 0x0Fu) * 4;
        tree_line(out, depth + 1, "Header Length: {} bytes ({})", ihl, ihl / 4);
        tree_line(out, depth + 1, "Total Length: {}", core::load_be16(&q[2]));
        tree_line(out, depth + 1, "Identification: {:#06x} ({})", core::load_be16(&q[4]), core::load_be16(&q[4]));
        tree_line(out, depth + 1, "Fragment Offset: {}", core::load_be16(&q[6]) & 0x1FFFu);
        tree_line(out, depth + 1, "Time to Live: {}", q[8]);
        tree_line(out, depth + 1, "Protocol: {} ({})", ip_protocol_name(q[9]), q[9]);
        tree_line(out, depth + 1, "Header Checksum: {:#06x} [validation disabled]", core::load_be16(&q[10]));
        tree_line(out, depth + 1, "Source Address: {}", src.to_string());
        tree_line(out, depth + 1, "Destination Address: {}", dst.to_string());
        const std::size_t total = core::load_be16(&q[2]);
        const std::size_t end = total >= ihl ? std::min(q.size(), total) : q.size();
        if (ihl >= 20 && end > ihl && (core::load_be16(&q[6]) & 0x1FFF) == 0)
            quoted_transport(q[9], q.subspan(ihl, end - ihl), depth, out);
    } else if ((q[0] >> 4) == 6 && q.size() >= 40) {
        const auto src = core::Ipv6Address::from_bytes(&q[8]), dst = core::Ipv6Address::from_bytes(&q[24]);
        tree_line(out, depth, "Internet Protocol Version 6, Src: {}, Dst: {}", src.to_string(), dst.to_string());
        tree_line(out, depth + 1, "Payload Length: {}", core::load_be16(&q[4]));
        tree_line(out, depth + 1, "Next Header: {} ({})", ip_protocol_name(q[6]), q[6]);
        tree_line(out, depth + 1, "Hop Limit: {}", q[7]);
        tree_line(out, depth + 1, "Source Address: {}", src.to_string());
        tree_line(out, depth + 1, "Destination Address: {}", dst.to_string());
        if (q[6] == 17 || q[6] == 6 || q[6] == 58) quoted_transport(q[6], q.subspan(40), depth, out);
    } else {
        tree_line(out, depth, "[Quoted datagram: {} bytes, not a complete IP header]", q.size());
    }
}

namespace {

void mpls_tree(const ext::MplsLabelStack& s, int depth, std::string& out) {
    for (const auto& e : s.entries) {
        tree_line(out, depth, "Label: {}, Exp: {}, S: {}, TTL: {}", e.label, e.traffic_class, e.bottom_of_stack ? 1 : 0, e.ttl);
        const std::uint32_t v = (e.label << 12) | (std::uint32_t{e.traffic_class} << 9) | (e.bottom_of_stack ? 0x100u : 0u);
        flag_line(out, depth + 1, v >> 8, 24, 0xFFFFF0, "Label", fmt::format("{}", e.label));
        flag_line(out, depth + 1, v >> 8, 24, 0x00000E, "Experimental", fmt::format("{}", e.traffic_class));
        flag_line(out, depth + 1, v >> 8, 24, 0x000001, "Stack bit", set_str(e.bottom_of_stack));
        tree_line(out, depth + 1, "Time to live: {}", e.ttl);
    }
}

constexpr std::string_view role_names[] = {
    "IP interface upon which datagram arrived", "Sub-IP component of an IP interface upon which datagram arrived",
    "IP interface through which datagram would be forwarded", "IP next-hop to which datagram would be forwarded"};

void interface_information_tree(const ext::InterfaceInformation& i, int depth, std::string& out) {
    const unsigned ct = i.c_type();
    std::string summary = fmt::format("C-Type: {}, Interface Role: {}", ct, role_names[static_cast<unsigned>(i.role) & 3]);
    if (i.has_ifindex) summary += ", ifIndex";
    if (i.has_address) summary += ", IP Address";
    if (i.has_name) summary += ", Interface Name";
    if (i.has_mtu) summary += ", MTU";
    tree_line(out, depth, "{}", summary);
    flag_line(out, depth + 1, ct, 8, 0xC0, "Interface Role", fmt::format("{} ({})", role_names[ct >> 6], ct >> 6));
    flag_line(out, depth + 1, ct, 8, 0x30, "Reserved", fmt::format("{}", (ct >> 4) & 3));
    flag_line(out, depth + 1, ct, 8, 0x08, "ifIndex", i.has_ifindex ? "True" : "False");
    flag_line(out, depth + 1, ct, 8, 0x04, "IP Address", i.has_address ? "Present" : "Not present");
    flag_line(out, depth + 1, ct, 8, 0x02, "Interface Name", i.has_name ? "Present" : "Not present");
    flag_line(out, depth + 1, ct, 8, 0x01, "MTU", i.has_mtu ? "Present" : "Not present");
    if (i.has_ifindex) tree_line(out, depth, "Interface Index: {}", i.ifindex);
    if (i.has_address) {
        tree_line(out, depth, "IP Address Sub-Object");
        tree_line(out, depth + 1, "Address Family Identifier: {}", i.afi);
        tree_line(out, depth + 1, "Reserved: {:04x}", i.address_reserved);
        tree_line(out, depth + 1, "Source: {}", i.address.to_string());
    }
    if (i.has_name) {
        const std::size_t n = std::min<std::size_t>(i.name.size(), 63);
        tree_line(out, depth, "Interface Name Sub-Object");
        tree_line(out, depth + 1, "Length: {}", (1 + n + 3) & ~std::size_t{3});
        tree_line(out, depth + 1, "Interface Name: {}", std::string_view(i.name).substr(0, n));
    }
    if (i.has_mtu) tree_line(out, depth, "MTU: {}", i.mtu);
}

}  // namespace

void write_extensions_tree(const ext::ExtensionStructure& s, int depth, std::string& out) {
    tree_line(out, depth, "ICMP Multi-Part Extensions");
    tree_line(out, depth + 1, "Version: {}", s.version);
    out.append(static_cast<std::size_t>(depth + 1) * 4, ' ');
    bit_pattern(out, s.reserved, 16, 0x0FFF);
    fmt::format_to(std::back_inserter(out), " = Reserved: {:#05x}\n", s.reserved);
    if (s.checksum_valid) tree_line(out, depth + 1, "Checksum: {:#06x} [correct]", s.checksum);
    else tree_line(out, depth + 1, "Checksum: {:#06x} incorrect", s.checksum);
    tree_line(out, depth + 1, "[Checksum Status: {}]", s.checksum_valid ? "Good" : "Bad");
    for (const auto& o : s.objects) {
        const int d = depth + 2;
        std::visit(
            [&](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, ext::MplsLabelStack>) {
                    tree_line(out, depth + 1, "MPLS Stack Entry");
                    tree_line(out, d, "Length: {}", ext::encoded_size(o));
                    tree_line(out, d, "Class: MPLS Label Stack Class (1)");
                    tree_line(out, d, "C-Type: 1");
                    mpls_tree(v, d, out);
                } else if constexpr (std::is_same_v<T, ext::InterfaceInformation>) {
                    tree_line(out, depth + 1, "Interface Information Object");
                    tree_line(out, d, "Length: {}", ext::encoded_size(o));
                    tree_line(out, d, "Class: Interface Information Object (2)");
                    interface_information_tree(v, d, out);
                } else if constexpr (std::is_same_v<T, ext::InterfaceIdentification>) {
                    tree_line(out, depth + 1, "Interface Identification Object");
                    tree_line(out, d, "Length: {}", ext::encoded_size(o));
                    tree_line(out, d, "Class: Interface Identification Object (3)");
                    tree_line(out, d, "C-Type: {}", static_cast<unsigned>(v.kind));
                    if (v.kind == ext::IdentificationKind::by_name) tree_line(out, d, "Interface Name: {}", v.name);
                    else if (v.kind == ext::IdentificationKind::by_index) tree_line(out, d, "Interface Index: {}", v.ifindex);
                    else if (auto a = v.ip_address()) tree_line(out, d, "Address: {}", a->to_string());
                } else {
                    tree_line(out, depth + 1, "Unknown object (class {}, c-type {})", v.class_num, v.c_type);
                    tree_line(out, d, "Length: {}", ext::encoded_size(o));
                }
            },
            o);
    }
}

}  // namespace icmpkit::report
