// The -v tree of an ICMPv6 message (tshark -V "Internet Control Message Protocol v6").
#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>

#include "icmpkit/report/decode_json.hpp"
#include "icmpkit/report/decode_tree.hpp"
#include "icmpkit/wire/icmpv6_types.hpp"
#include "tree_detail.hpp"

namespace icmpkit::report {

using namespace detail;
namespace v6 = wire::icmpv6;
namespace ndp = wire::ndp;

namespace {

template <class T>
constexpr bool is_link_layer_option = std::is_same_v<T, ndp::SourceLinkLayerAddress> || std::is_same_v<T, ndp::TargetLinkLayerAddress>;

std::string_view option_name(std::uint8_t t) {
    switch (t) {
        case 1: return "Source link-layer address";
        case 2: return "Target link-layer address";
        case 3: return "Prefix information";
        case 4: return "Redirected header";
        case 5: return "MTU";
        case 14: return "Nonce";
        case 24: return "Route Information";
        case 25: return "Recursive DNS Server";
        case 31: return "DNS Search List Option";
        default: return "Unknown";
    }
}

std::string mac_text(core::Bytes b) {
    std::string s;
    for (std::size_t i = 0; i < b.size(); ++i) fmt::format_to(std::back_inserter(s), "{}{:02x}", i ? ":" : "", b[i]);
    return s;
}

void option_tree(const ndp::Option& o, std::string& out) {
    const std::uint8_t type = ndp::option_type_of(o);
    const std::size_t len = ndp::encoded_size(o);
    std::string summary;
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (is_link_layer_option<T>)
                summary = " : " + mac_text(v.address);
            else if constexpr (std::is_same_v<T, ndp::Mtu>) summary = fmt::format(" : {}", v.mtu);
            else if constexpr (std::is_same_v<T, ndp::PrefixInformation>)
                summary = fmt::format(" : {}/{}", v.prefix.to_string(), v.prefix_length);
        },
        o);
    tree_line(out, 1, "ICMPv6 Option ({}{})", option_name(type), summary);
    tree_line(out, 2, "Type: {} ({})", option_name(type), type);
    tree_line(out, 2, "Length: {} ({} bytes)", len / 8, len);
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, ndp::Mtu>) {
                tree_line(out, 2, "Reserved");
                tree_line(out, 2, "MTU: {}", v.mtu);
            } else if constexpr (std::is_same_v<T, ndp::PrefixInformation>) {
                tree_line(out, 2, "Prefix Length: {}", v.prefix_length);
                tree_line(out, 2, "Valid Lifetime: {}", v.valid_lifetime);
                tree_line(out, 2, "Preferred Lifetime: {}", v.preferred_lifetime);
                tree_line(out, 2, "Prefix: {}", v.prefix.to_string());
            } else if constexpr (std::is_same_v<T, ndp::RecursiveDnsServer>) {
                tree_line(out, 2, "Lifetime: {}", v.lifetime);
                for (const auto& a : v.addresses) tree_line(out, 2, "Recursive DNS Servers: {}", a.to_string());
            } else if constexpr (std::is_same_v<T, ndp::DnsSearchList>) {
                tree_line(out, 2, "Lifetime: {}", v.lifetime);
                for (const auto& d : v.domains) tree_line(out, 2, "Domain Names: {}", d);
            } else if constexpr (std::is_same_v<T, ndp::RedirectedHeader>) {
                write_quote_tree(v.packet, 2, out);
            } else if constexpr (is_link_layer_option<T>) {
                tree_line(out, 2, "Link-layer address: {}", mac_text(v.address));
            }
        },
        o);
}

void options_tree(const std::vector<ndp::Option>& options, std::string& out) {
    for (const auto& o : options) option_tree(o, out);
}

struct V6Body {
    std::string& out;
    template <std::uint8_t T>
    void operator()(const v6::ErrorWithExtensions<T>& m) const {
        if (m.length_attribute) tree_line(out, 1, "Length of original datagram: {}", m.length_attribute);
        // tshark -V prints the 4 octets after the checksum (RFC 4443 3.1/3.3 Unused) when no length.
        if (m.length_attribute) tree_line(out, 1, "Reserved: {:02x}{:02x}{:02x}", m.unused[0], m.unused[1], m.unused[2]);
        else tree_line(out, 1, "Reserved: 00{:02x}{:02x}{:02x}", m.unused[0], m.unused[1], m.unused[2]);
        write_quote_tree(m.original, 1, out);
        if (m.extensions) write_extensions_tree(*m.extensions, 1, out);
    }
    void operator()(const v6::PacketTooBig& m) const {
        tree_line(out, 1, "MTU: {}", m.mtu);
        write_quote_tree(m.original, 1, out);
    }
    void operator()(const v6::ParameterProblem& m) const {
        tree_line(out, 1, "Pointer: {}", m.pointer);
        write_quote_tree(m.original, 1, out);
    }
    template <std::uint8_t T>
    void operator()(const v6::Echo<T>& m) const {
        tree_line(out, 1, "Identifier: {:#06x}", m.identifier);
        tree_line(out, 1, "Sequence: {}", m.sequence);
        if (!m.data.empty()) tree_line(out, 1, "Data ({} bytes)", m.data.size());
    }
    template <std::uint8_t T>
    void operator()(const v6::MulticastListenerV1<T>& m) const {
        tree_line(out, 1, "Maximum Response Delay [ms]: {}", m.maximum_response_delay);
        tree_line(out, 1, "Multicast Address: {}", m.multicast_address.to_string());
    }
    void operator()(const v6::Mldv2Query& m) const {
        tree_line(out, 1, "Maximum Response Code: {}", m.maximum_response_code);
        tree_line(out, 1, "Multicast Address: {}", m.multicast_address.to_string());
        tree_line(out, 1, "QQIC (Querier's Query Interval Code): {}", m.qqic);
        tree_line(out, 1, "Number of Sources: {}", m.sources.size());
        for (const auto& s : m.sources) tree_line(out, 1, "Source Address: {}", s.to_string());
    }
    void operator()(const v6::Mldv2Report& m) const {
        tree_line(out, 1, "Number of Multicast Address Records: {}", m.records.size());
        for (const auto& r : m.records) {
            tree_line(out, 1, "Multicast Address Record (type {}): {}", r.record_type, r.multicast_address.to_string());
            for (const auto& s : r.sources) tree_line(out, 2, "Source Address: {}", s.to_string());
        }
    }
    void operator()(const v6::RouterSolicitation& m) const { options_tree(m.options, out); }
    void operator()(const v6::RouterAdvertisement& m) const {
        tree_line(out, 1, "Cur hop limit: {}", m.cur_hop_limit);
        const unsigned f = (m.managed ? 0x80u : 0u) | (m.other ? 0x40u : 0u) | (m.home_agent ? 0x20u : 0u) |
                           ((m.preference & 3u) << 3) | (m.proxy ? 4u : 0u) | (m.reserved & 3u);
        tree_line(out, 1, "Flags: {:#04x}", f);
        flag_line(out, 2, f, 8, 0x80, "Managed address configuration", set_str(m.managed));
        flag_line(out, 2, f, 8, 0x40, "Other configuration", set_str(m.other));
        flag_line(out, 2, f, 8, 0x20, "Home Agent", set_str(m.home_agent));
        constexpr std::string_view prf[] = {"Medium", "High", "Reserved", "Low"};
        flag_line(out, 2, f, 8, 0x18, "Prf (Default Router Preference)", fmt::format("{} ({})", prf[m.preference & 3u], m.preference & 3u));
        flag_line(out, 2, f, 8, 0x04, "Proxy", set_str(m.proxy));
        flag_line(out, 2, f, 8, 0x03, "Reserved", fmt::format("{}", m.reserved & 3u));
        tree_line(out, 1, "Router lifetime (s): {}", m.router_lifetime);
        tree_line(out, 1, "Reachable time (ms): {}", m.reachable_time);
        tree_line(out, 1, "Retrans timer (ms): {}", m.retrans_timer);
        options_tree(m.options, out);
    }
    void operator()(const v6::NeighborSolicitation& m) const {
        tree_line(out, 1, "Target Address: {}", m.target.to_string());
        options_tree(m.options, out);
    }
    void operator()(const v6::NeighborAdvertisement& m) const {
        const std::uint32_t f = (m.router ? 0x80000000u : 0u) | (m.solicited ? 0x40000000u : 0u) | (m.override_flag ? 0x20000000u : 0u);
        tree_line(out, 1, "Flags: {:#010x}", f | (m.reserved & 0x1FFFFFFFu));
        flag_line(out, 2, f >> 24, 8, 0x80, "Router", set_str(m.router));
        flag_line(out, 2, f >> 24, 8, 0x40, "Solicited", set_str(m.solicited));
        flag_line(out, 2, f >> 24, 8, 0x20, "Override", set_str(m.override_flag));
        tree_line(out, 1, "Target Address: {}", m.target.to_string());
        options_tree(m.options, out);
    }
    void operator()(const v6::Redirect& m) const {
        tree_line(out, 1, "Target Address: {}", m.target.to_string());
        tree_line(out, 1, "Destination Address: {}", m.destination.to_string());
        options_tree(m.options, out);
    }
    template <std::uint8_t T>
    void operator()(const v6::NodeInformation<T>& m) const {
        // RFC 4620 4 Qtypes, in tshark -V's words.
        constexpr std::string_view qtypes[] = {"NOOP", "Unused", "Node Name", "Node Addresses", "IPv4 Addresses"};
        if (m.qtype < 5) tree_line(out, 1, "Qtype: {} ({})", qtypes[m.qtype], m.qtype);
        else tree_line(out, 1, "Qtype: {}", m.qtype);
        tree_line(out, 1, "Flags: {:#06x}", m.flags);
        tree_line(out, 1, "Nonce: 0x{:02x}", fmt::join(m.nonce, ""));
    }
    void operator()(const v6::ExtendedEchoRequest& m) const {
        tree_line(out, 1, "Identifier: {:#06x}", m.identifier);
        tree_line(out, 1, "Sequence: {}", m.sequence);
        tree_line(out, 1, "Local: {}", set_str(m.local));
        if (m.extensions) write_extensions_tree(*m.extensions, 1, out);
    }
    void operator()(const v6::ExtendedEchoReply& m) const {
        tree_line(out, 1, "Identifier: {:#06x}", m.identifier);
        tree_line(out, 1, "Sequence: {}", m.sequence);
        tree_line(out, 1, "State: {}", m.state);
        tree_line(out, 1, "Active: {}, IPv4: {}, IPv6: {}", set_str(m.active), set_str(m.ipv4), set_str(m.ipv6));
    }
    void operator()(const v6::Unknown& m) const {
        if (!m.data.empty()) tree_line(out, 1, "Data ({} bytes)", m.data.size());
    }
};

}  // namespace

void write_icmpv6_tree(const v6::Message& m, ChecksumStatus status, std::string& out) {
    const std::uint8_t type = v6::type_of(m), code = v6::code_of(m);
    tree_line(out, 0, "Internet Control Message Protocol v6");
    tree_line(out, 1, "Type: {} ({})", v6::type_info(type).wireshark_label, type);
    const auto cn = v6::code_name(type, code);
    if (!cn.empty()) tree_line(out, 1, "Code: {} ({})", code, cn);
    else tree_line(out, 1, "Code: {}", code);
    const std::uint16_t ck = v6::checksum_of(m);
    if (status == ChecksumStatus::good) tree_line(out, 1, "Checksum: {:#06x} [correct]", ck);
    else if (status == ChecksumStatus::bad) tree_line(out, 1, "Checksum: {:#06x} incorrect", ck);
    else tree_line(out, 1, "Checksum: {:#06x} [unverified]", ck);
    tree_line(out, 1, "[Checksum Status: {}]", status == ChecksumStatus::good ? "Good" : status == ChecksumStatus::bad ? "Bad" : "Unverified");
    std::visit(V6Body{out}, m);
}

}  // namespace icmpkit::report
