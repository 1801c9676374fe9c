// The per-frame decoder shared by dissector.cpp (IP, ICMP, reassembly) and decode_tunnels.cpp
// (GRE, UDP tunnels, AH, PIM, tunnel payloads and inner link layers). Private to dissect.
#pragma once

#include <cstdint>
#include <optional>

#include "icmpkit/dissect/dissector.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "reassembly.hpp"
#include "tunnels.hpp"

namespace icmpkit::dissect::detail {

namespace proto = wire::ip_protocol;
constexpr std::uint8_t proto_ipip = 4;   // RFC 2003
constexpr std::uint8_t proto_ipv6 = 41;  // RFC 4213 / RFC 2473
constexpr std::uint8_t proto_gre = 47;   // RFC 2784
constexpr std::uint8_t proto_udp = 17;   // RFC 768
constexpr std::uint8_t proto_pim = 103;  // RFC 7761
constexpr std::uint8_t proto_ethernet = 143;  // RFC 8986 section 10.1 (after an SRH)
constexpr int max_ah_headers = 4;

// Where the next layer starts: its bytes and how offsets are counted.
struct Cursor {
    core::Bytes data;
    std::uint32_t base = 0;
    bool in_reassembled = false;
    bool cut = false;  // the bytes are fewer than the enclosing headers claim
};

inline void note_fault(Dissection& d, core::WireError e, std::size_t base, LayerKind layer) {
    if (d.fault) return;
    d.fault = core::shifted(e, base);
    d.fault_layer = layer;
}

// The per-frame work, with access to the dissector's state.
class FrameDecoder {
public:
    FrameDecoder(const DissectorOptions& o, Stats& s, Reassembler& r, const capture::Frame& f, Dissection& d)
        : opt_(o), stats_(s), reasm_(r), frame_(f), d_(d) {}
    void run();

private:
    enum class Next : std::uint8_t { ipv4, ipv6, done };
    Next ipv4(IpLayer& layer);
    Next ipv6(IpLayer& layer);
    Next dispatch(std::uint8_t protocol, bool outer_v6);
    Next gre();
    Next udp();
    Next ah(bool outer_v6);
    Next enter_link(core::WireResult<capture::LinkLayer> link);
    Next enter_payload(const tunnel::Payload& p);
    void icmp(bool v6);
    void take_reassembled(IpLayer& layer, const ReassemblyResult& r);

    const DissectorOptions& opt_;
    Stats& stats_;
    Reassembler& reasm_;
    const capture::Frame& frame_;
    Dissection& d_;
    Cursor cur_;  // the bytes of the layer being decoded
    Encapsulation enc_ = Encapsulation::link;
    std::optional<GreHeader> gre_;
    std::optional<UdpTunnel> udp_;
    std::optional<capture::LinkLayer> inner_link_;
    std::uint32_t inner_link_offset_ = 0;
    int ah_count_ = 0;
    const IpLayer* last_v6_ = nullptr;  // innermost IPv6 layer (pseudo-header)
    core::Bytes last_v6_bytes_;
};

}  // namespace icmpkit::dissect::detail
