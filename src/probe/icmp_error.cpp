#include "icmpkit/probe/icmp_error.hpp"

#include <cerrno>

#include "icmpkit/wire/icmpv4_types.hpp"
#include "icmpkit/wire/icmpv6_types.hpp"

namespace icmpkit::probe {

bool is_error_type(core::Family family, std::uint8_t type) noexcept {
    return family == core::Family::v4 ? wire::icmpv4::type_info(type).is_error
                                      : wire::icmpv6::type_info(type).is_error;
}

int kernel_errno(core::Family family, std::uint8_t type, std::uint8_t code) noexcept {
    if (family == core::Family::v4) {
        // Linux net/ipv4/icmp.c icmp_err_convert[], codes 0-15.
        static constexpr int unreach[] = {ENETUNREACH, EHOSTUNREACH, ENOPROTOOPT, ECONNREFUSED,
                                          EMSGSIZE,    EOPNOTSUPP,   ENETUNREACH, EHOSTDOWN,
                                          ENONET,      ENETUNREACH,  EHOSTUNREACH, ENETUNREACH,
                                          EHOSTUNREACH, EHOSTUNREACH, EHOSTUNREACH, EHOSTUNREACH};
        switch (type) {
        case 3: return code < 16 ? unreach[code] : EHOSTUNREACH;
        case 11: return EHOSTUNREACH;
        case 12: return EPROTO;
        default: return 0;
        }
    }
    // Linux net/ipv6/icmp.c icmpv6_err_convert().
    static constexpr int unreach6[] = {ENETUNREACH, EACCES, EHOSTUNREACH, EHOSTUNREACH,
                                       ECONNREFUSED, EACCES, EACCES};
    switch (type) {
    case 1: return code < 7 ? unreach6[code] : EPROTO;
    case 2: return EMSGSIZE;
    case 3: return EHOSTUNREACH;
    case 4: return EPROTO;
    default: return 0;
    }
}

wire::Classification classify_error(core::Family family, std::uint8_t type, std::uint8_t code,
                                    std::uint32_t info) noexcept {
    using wire::Kind;
    wire::Classification c;
    c.family = family;
    c.type = type;
    c.code = code;
    c.is_error = is_error_type(family, type);
    auto te = [&] {
        c.kind = Kind::time_exceeded;
        c.time_exceeded = code == 0   ? wire::TimeExceededReason::in_transit
                          : code == 1 ? wire::TimeExceededReason::reassembly
                                      : wire::TimeExceededReason::other;
    };
    auto unreach = [&] {
        c.kind = Kind::destination_unreachable;
        c.unreachable = wire::unreachable_reason(family, code);
    };
    if (family == core::Family::v4) {
        switch (type) {
        case 3:
            unreach();
            if (code == 4) c.mtu = info;  // RFC 1191 3: next-hop MTU
            break;
        case 4: c.kind = Kind::source_quench; break;
        case 5: c.kind = Kind::redirect; break;
        case 11: te(); break;
        case 12:
            c.kind = Kind::parameter_problem;
            if (code == 0) c.pointer = info;
            break;
        default: c.kind = Kind::other;
        }
    } else {
        switch (type) {
        case 1: unreach(); break;
        case 2:  // RFC 4443 3.2
            c.kind = Kind::packet_too_big;
            c.mtu = info;
            break;
        case 3: te(); break;
        case 4:
            c.kind = Kind::parameter_problem;
            c.pointer = info;
            break;
        default: c.kind = Kind::other;
        }
    }
    return c;
}

}  // namespace icmpkit::probe
