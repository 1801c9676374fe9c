// RFC 4884 extension structures and their objects (RFC 4950 MPLS, RFC 5837 interface
// information, RFC 8335 interface identification) in tshark's icmp.ext.* / icmp.mpls.* /
// icmp.int_info.* / icmp.int_ident.* names. Repeated structures are arrays under dotted keys
// (docs/wireshark-fields.md section 7 rule 3), transparent to the comparison's flattening.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <variant>

#include "icmpkit/report/decode_json.hpp"
#include "json_detail.hpp"

namespace icmpkit::report {

using namespace detail;
namespace ext = wire::ext;

namespace {

std::string_view as_text(const std::string& s) { return std::string_view(s.data(), s.size()); }

void write_mpls(const ext::MplsLabelStack& s, JsonWriter& w) {
    w.name("icmp.mpls");
    w.begin_array();
    for (const auto& e : s.entries) {
        w.begin_object();
        w.field_dec("icmp.mpls.label", e.label);
        w.field_dec("icmp.mpls.exp", e.traffic_class);
        w.field_bool("icmp.mpls.s", e.bottom_of_stack);
        w.field_dec("icmp.mpls.ttl", e.ttl);
        w.end_object();
    }
    w.end_array();
}

// RFC 5837 section 4.1: the c-type bits, then the optional fields in their wire order.
void write_interface_information(const ext::InterfaceInformation& i, JsonWriter& w) {
    w.field_dec("icmp.int_info.role", static_cast<unsigned>(i.role));
    w.field_dec("icmp.int_info.reserved", i.reserved);
    w.field_bool("icmp.int_info.ifindex", i.has_ifindex);
    w.field_bool("icmp.int_info.ipaddr", i.has_address);
    w.field_bool("icmp.int_info.name_present", i.has_name);
    w.field_bool("icmp.int_info.mtu_present", i.has_mtu);
    if (i.has_ifindex) w.field_dec("icmp.int_info.index", i.ifindex);
    if (i.has_address) {
        w.field_dec("icmp.int_info.afi", i.afi);
        const std::uint8_t res[2] = {static_cast<std::uint8_t>(i.address_reserved >> 8),
                                     static_cast<std::uint8_t>(i.address_reserved)};
        field_bytes(w, "icmp.reserved", res);  // sic: tshark's name for this field
        if (i.address.is_v6()) field_ipv6(w, "icmp.int_info.ipv6", i.address.v6());
        else field_ipv4(w, "icmp.int_info.ipv4", i.address.v4());
    }
    if (i.has_name) {
        // Section 4.3: the length octet counts itself and the NUL padding to 4 octets.
        const std::size_t n = std::min<std::size_t>(i.name.size(), 63);
        w.field_dec("icmp.int_info.name_length", (1 + n + 3) & ~std::size_t{3});
        w.field("icmp.int_info.name", as_text(i.name).substr(0, n));
    }
    if (i.has_mtu) w.field_dec("icmp.int_info.mtu", i.mtu);
}

// RFC 8335 section 2.1.
void write_interface_identification(const ext::InterfaceIdentification& d, JsonWriter& w) {
    switch (d.kind) {
        case ext::IdentificationKind::by_name: w.field("icmp.int_ident.name", as_text(d.name)); break;
        case ext::IdentificationKind::by_index: w.field_dec("icmp.int_ident.index", d.ifindex); break;
        case ext::IdentificationKind::by_address: {
            w.field_dec("icmp.int_ident.afi", d.afi);
            w.field_dec("icmp.int_ident.addr_length", d.address_length);
            const std::uint8_t res[1] = {d.reserved};
            field_bytes(w, "icmp.int_ident.reserved", res);
            if (auto a = d.ip_address()) {
                if (a->is_v6()) field_ipv6(w, "icmp.int_ident.ipv6", a->v6());
                else field_ipv4(w, "icmp.int_ident.ipv4", a->v4());
            }
            break;
        }
    }
}

}  // namespace

void write_extension_object_json(const ext::Object& o, JsonWriter& w) {
    w.field_dec("icmp.ext.length", ext::encoded_size(o));
    std::visit(
        [&w](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, ext::MplsLabelStack>) {
                w.field_dec("icmp.ext.class", ext::class_mpls);
                w.field_dec("icmp.ext.ctype", 1);
                write_mpls(v, w);
            } else if constexpr (std::is_same_v<T, ext::InterfaceInformation>) {
                w.field_dec("icmp.ext.class", ext::class_interface_information);
                w.field_dec("icmp.ext.ctype", v.c_type());
                write_interface_information(v, w);
            } else if constexpr (std::is_same_v<T, ext::InterfaceIdentification>) {
                w.field_dec("icmp.ext.class", ext::class_interface_identification);
                w.field_dec("icmp.ext.ctype", static_cast<unsigned>(v.kind));
                write_interface_identification(v, w);
            } else {
                w.field_dec("icmp.ext.class", v.class_num);
                w.field_dec("icmp.ext.ctype", v.c_type);
                if (!v.payload.empty()) field_bytes(w, "icmp.ext.data", v.payload);
            }
        },
        o);
}

void write_extensions_json(const ext::ExtensionStructure& s, JsonWriter& w) {
    w.name("icmp.ext");
    w.begin_object();
    w.field_dec("icmp.ext.version", s.version);
    w.field_hex("icmp.ext.res", s.reserved, 4);
    w.field_hex("icmp.ext.checksum", s.checksum, 4);
    w.field_dec("icmp.ext.checksum.status",
                static_cast<unsigned>(s.checksum_valid ? ChecksumStatus::good : ChecksumStatus::bad));
    if (!s.objects.empty()) {
        w.name("icmp.ext.object");
        w.begin_array();
        for (const auto& o : s.objects) {
            w.begin_object();
            write_extension_object_json(o, w);
            w.end_object();
        }
        w.end_array();
    }
    w.end_object();
}

}  // namespace icmpkit::report
