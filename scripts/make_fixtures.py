#!/usr/bin/python3
"""Builds icmpkit's scapy-made capture fixtures (see tests/data/README.md).

  make_fixtures.py build OUTDIR             scapy-v4.pcap scapy-v6.pcap tunnels.pcap demo.pcap
  make_fixtures.py timestamp-request DST    sends one ICMP timestamp request (used by
                                            make-fixtures.sh inside its client namespace)

Every packet gets a fixed timestamp, so the scapy-made files are byte-for-byte reproducible.
Messages scapy has no class for are built from raw bytes here, field by field, after the RFC
section named beside them; checksums are computed by scapy.utils.checksum (RFC 1071).
"""
import os
import struct
import sys

from scapy.all import (ICMP, IP, GRE, Ether, Dot1Q, Dot1AD, Raw, UDP, rdpcap, wrpcap, send,
                       checksum)
from scapy.layers.inet6 import (IPv6, IPv6ExtHdrHopByHop, RouterAlert, ICMPv6EchoRequest,
                                ICMPv6EchoReply, ICMPv6MLQuery2, ICMPv6MLReport2,
                                ICMPv6MLDMultAddrRec, ICMPv6ND_RA, ICMPv6NDOptPrefixInfo,
                                ICMPv6NDOptMTU, ICMPv6NDOptRDNSS, ICMPv6NDOptDNSSL,
                                ICMPv6NDOptRouteInfo, ICMPv6NDOptSrcLLAddr, ICMPv6ND_Redirect,
                                ICMPv6NDOptRedirectedHdr, ICMPv6NDOptDstLLAddr, ICMPv6NIQueryNOOP,
                                ICMPv6NIQueryName, ICMPv6Unknown,
                                ICMPv6TimeExceeded, ICMPv6DestUnreach, ICMPv6PacketTooBig,
                                ICMPv6ND_NS, ICMPv6ND_NA)
from scapy.contrib.mpls import MPLS

BASE_TIME = 1_700_000_000  # 2023-11-14T22:13:20Z
MAC_A, MAC_B = "02:00:00:00:00:0a", "02:00:00:00:00:0b"
H1, H2, RT = "192.0.2.1", "198.51.100.2", "203.0.113.1"
H1_6, H2_6, RT_6 = "2001:db8:1::1", "2001:db8:2::2", "2001:db8:ff::1"


def eth(pkt):
    return Ether(src=MAC_A, dst=MAC_B) / pkt


def stamp(pkts, start):
    for i, p in enumerate(pkts):
        p.time = start + i * 0.001
    return pkts


# ---- ICMPv4 raw building blocks ----------------------------------------------------------------
def icmp4(type_, code, rest4, body=b"", bad_checksum=False):
    """RFC 792: type, code, checksum, 4 type-specific bytes, body."""
    msg = bytearray(struct.pack("!BBH", type_, code, 0) + rest4 + body)
    c = checksum(bytes(msg))
    if bad_checksum:
        c ^= 0x5555
    struct.pack_into("!H", msg, 2, c)
    return bytes(msg)


def ip4(payload, src=H1, dst=H2, proto=1, ttl=64):
    return IP(src=src, dst=dst, proto=proto, ttl=ttl) / Raw(payload)


def quoted_udp4(src=H1, dst=H2, dport=33434, data=b"icmpkit-probe"):
    """The offending datagram: an IPv4/UDP probe as a traceroute sends it."""
    return bytes(IP(src=src, dst=dst, ttl=1, id=0x1234) / UDP(sport=40000, dport=dport) / Raw(data))


def ext_structure(objects):
    """RFC 4884 section 7: version 2, reserved, checksum over the whole structure; then objects."""
    s = bytearray(struct.pack("!BBH", 0x20, 0, 0) + b"".join(objects))
    struct.pack_into("!H", s, 2, checksum(bytes(s)))
    return bytes(s)


def ext_object(class_num, c_type, payload):
    """RFC 4884 section 7.1: length (header included), class-num, c-type, payload."""
    return struct.pack("!HBB", 4 + len(payload), class_num, c_type) + payload


def mpls_object(entries):
    """RFC 4950 section 7: class 1, c-type 1, label stack entries (label, TC, S, TTL)."""
    body = b""
    for i, (label, tc, ttl) in enumerate(entries):
        s = 1 if i == len(entries) - 1 else 0
        body += struct.pack("!I", (label << 12) | (tc << 9) | (s << 8) | ttl)
    return ext_object(1, 1, body)


def interface_info_object(role, ifindex, addr4, name, mtu):
    """RFC 5837 section 4.1: c-type = role(2) | reserved(2) | ifIndex | IPaddr | name | MTU bits."""
    ctype = (role << 6) | 0x08 | 0x04 | 0x02 | 0x01
    payload = struct.pack("!I", ifindex)
    payload += struct.pack("!HH", 1, 0) + bytes(map(int, addr4.split(".")))  # AFI 1 = IPv4
    n = name.encode()
    field_len = (1 + len(n) + 3) // 4 * 4  # RFC 5837 4.3: length octet included, 4-byte multiple
    payload += bytes([field_len]) + n + b"\0" * (field_len - 1 - len(n))
    payload += struct.pack("!I", mtu)
    return ext_object(2, ctype, payload)


def error_with_extensions4(type_, code, quote, objects, next_hop_mtu=0):
    """RFC 4884 section 5.1: quote padded to 128 bytes, length in 32-bit words in byte 5."""
    padded = quote + b"\0" * (128 - len(quote)) if len(quote) < 128 else quote[:128]
    rest = struct.pack("!BBH", 0, len(padded) // 4, next_hop_mtu)
    return icmp4(type_, code, rest, padded + ext_structure(objects))


def interface_id_object(c_type, value):
    """RFC 8335 section 2.1: Interface Identification Object, class-num 3."""
    return ext_object(3, c_type, value)


def scapy_v4():
    q = quoted_udp4()
    pkts = [
        # RFC 792 timestamp and information; RFC 950 address mask.
        IP(src=H1, dst=H2) / ICMP(type=13, id=0x4b1d, seq=1, ts_ori=36_000_000, ts_rx=0, ts_tx=0),
        IP(src=H2, dst=H1) / ICMP(type=14, id=0x4b1d, seq=1, ts_ori=36_000_000, ts_rx=36_000_005,
                                  ts_tx=36_000_006),
        IP(src=H1, dst=H2) / ICMP(type=15, id=0x4b1e, seq=2),
        IP(src=H2, dst=H1) / ICMP(type=16, id=0x4b1e, seq=2),
        IP(src=H1, dst=H2) / ICMP(type=17, id=0x4b1f, seq=3, addr_mask="0.0.0.0"),
        IP(src=H2, dst=H1) / ICMP(type=18, id=0x4b1f, seq=3, addr_mask="255.255.255.0"),
        # RFC 1256 router advertisement: 2 entries of 2 words, lifetime 1800 s; solicitation.
        ip4(icmp4(9, 0, struct.pack("!BBH", 2, 2, 1800),
                  bytes([192, 0, 2, 254]) + struct.pack("!i", 10) +
                  bytes([192, 0, 2, 253]) + struct.pack("!i", -5)), src="192.0.2.254", dst="224.0.0.1", ttl=1),
        ip4(icmp4(10, 0, b"\0" * 4), src=H1, dst="224.0.0.2", ttl=1),
        # RFC 792 redirect (host, gateway 192.0.2.254), source quench, parameter problem.
        ip4(icmp4(5, 1, bytes([192, 0, 2, 254]), q[:28]), src="192.0.2.254", dst=H1),
        ip4(icmp4(4, 0, b"\0" * 4, q[:28]), src=H2, dst=H1),
        ip4(icmp4(12, 0, bytes([1, 0, 0, 0]), q[:28]), src=H2, dst=H1),      # pointer 1 (TOS)
        ip4(icmp4(12, 2, b"\0" * 4, q[:28]), src=H2, dst=H1),                # bad length
        # RFC 1393 traceroute: ID, unused, outbound/return hop counts, link speed, MTU.
        ip4(icmp4(30, 0, struct.pack("!HH", 0x7777, 0), struct.pack("!HHII", 3, 0xFFFF, 100_000_000, 1500)),
            src=RT, dst=H1),
        # RFC 2521 Photuris: reserved, pointer, quote. Code 1 = authentication failed.
        ip4(icmp4(40, 1, struct.pack("!HH", 0, 8), q[:28]), src=H2, dst=H1),
        # RFC 8335 extended echo request by name "eth0" (c-type 1), L bit set; and by ifIndex.
        ip4(icmp4(42, 0, struct.pack("!HBB", 0x0a0b, 1, 0x01),
                  ext_structure([interface_id_object(1, b"eth0")])), src=H1, dst=H2),
        ip4(icmp4(42, 0, struct.pack("!HBB", 0x0a0b, 2, 0x00),
                  ext_structure([interface_id_object(2, struct.pack("!I", 3))])), src=H1, dst=H2),
        # Reply: code 0, state 2 (Reachable) in bits 5-7 of byte 7, A and 4 bits set.
        ip4(icmp4(43, 0, struct.pack("!HBB", 0x0a0b, 1, (2 << 5) | 0x04 | 0x02)), src=H2, dst=H1),
        ip4(icmp4(43, 2, struct.pack("!HBB", 0x0a0b, 2, 0)), src=H2, dst=H1),  # no such interface
        # RFC 4884 + 4950 + 5837: time exceeded from an MPLS LSR with two labels and an incoming
        # interface object; unreachable with an interface object only.
        ip4(error_with_extensions4(11, 0, q, [mpls_object([(24001, 0, 1), (16, 0, 255)]),
                                              interface_info_object(0, 7, RT, "ge-0/0/1", 1500)]),
            src=RT, dst=H1),
        ip4(error_with_extensions4(3, 1, q, [interface_info_object(0, 3, RT, "eth1", 9000)]),
            src=RT, dst=H1),
        ip4(error_with_extensions4(3, 4, q, [mpls_object([(100, 5, 1)])], next_hop_mtu=1400),
            src=RT, dst=H1),
        # Malformed: a quote cut to 12 bytes (shorter than the IPv4 header); a wrong checksum;
        # a length attribute of 40 words (160 bytes) with only 28 bytes of quote.
        ip4(icmp4(3, 3, b"\0" * 4, q[:12]), src=H2, dst=H1),
        ip4(icmp4(8, 0, struct.pack("!HH", 0x1111, 1), b"bad checksum", bad_checksum=True), src=H1, dst=H2),
        ip4(icmp4(11, 0, struct.pack("!BBH", 0, 40, 0), q[:28]), src=RT, dst=H1),
    ]
    return stamp([eth(p) for p in pkts], BASE_TIME)


# ---- ICMPv6 --------------------------------------------------------------------------------------
def icmp6_unknown(type_, code, body):
    return ICMPv6Unknown(type=type_, code=code, msgbody=body)


def quoted_udp6():
    return bytes(IPv6(src=H1_6, dst=H2_6, hlim=1) / UDP(sport=40000, dport=33434) / Raw(b"icmpkit-probe"))


def interface_id_by_address6(addr):
    """RFC 8335 2.1 c-type 3: AFI 2 (IPv6), address length 16, reserved, address."""
    import ipaddress
    return interface_id_object(3, struct.pack("!HBB", 2, 16, 0) + ipaddress.IPv6Address(addr).packed)


def scapy_v6():
    q = quoted_udp6()
    q128 = q + b"\0" * (128 - len(q))
    mld = IPv6(src="fe80::1", dst="ff02::1", hlim=1) / IPv6ExtHdrHopByHop(options=[RouterAlert()])
    mld_r = IPv6(src="fe80::2", dst="ff02::16", hlim=1) / IPv6ExtHdrHopByHop(options=[RouterAlert()])
    pkts = [
        # RFC 3810: general query with 2 sources; report with two records.
        mld / ICMPv6MLQuery2(mladdr="ff3e::4242", sources=["2001:db8:1::1", "2001:db8:2::2"]),
        mld_r / ICMPv6MLReport2(records=[ICMPv6MLDMultAddrRec(rtype=4, dst="ff02::fb"),
                                         ICMPv6MLDMultAddrRec(rtype=5, dst="ff3e::4242",
                                                              sources=["2001:db8:2::2"])]),
        # RFC 4861 RA with prefix, MTU, RFC 8106 RDNSS + DNSSL, RFC 4191 route information.
        IPv6(src="fe80::1", dst="ff02::1", hlim=255) / ICMPv6ND_RA(chlim=64, M=0, O=1, routerlifetime=1800) /
        ICMPv6NDOptSrcLLAddr(lladdr=MAC_A) / ICMPv6NDOptMTU(mtu=1500) /
        ICMPv6NDOptPrefixInfo(prefix="2001:db8:1::", prefixlen=64, validlifetime=86400, preferredlifetime=14400) /
        ICMPv6NDOptRDNSS(lifetime=600, dns=["2001:db8:53::1", "2001:db8:53::2"]) /
        ICMPv6NDOptDNSSL(lifetime=600, searchlist=["example.com.", "lab.example."]) /
        ICMPv6NDOptRouteInfo(plen=48, prefix="2001:db8:aaaa::", prf=1, rtlifetime=3600),
        # RFC 4861 redirect with target link-layer address and redirected header.
        IPv6(src="fe80::1", dst="2001:db8:1::2", hlim=255) /
        ICMPv6ND_Redirect(tgt="fe80::fe", dst=H2_6) / ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:fe") /
        ICMPv6NDOptRedirectedHdr(pkt=q[:48]),
        # RFC 4620 node information: query for the name (qtype 2), reply with one name.
        IPv6(src=H1_6, dst=H2_6) / ICMPv6NIQueryName(data=H2_6, nonce=b"icmpkit!"),
        # Reply built by hand (RFC 4620 section 6.3: TTL, then the name in DNS wire form).
        IPv6(src=H2_6, dst=H1_6) / icmp6_unknown(140, 0, struct.pack("!HH", 2, 0) + b"icmpkit!" +
                                                 struct.pack("!I", 300) + b"\x06server\x07example\x00"),
        # RFC 8335 extended echo request by IPv6 address and its reply (state 2, A, 6 bits).
        IPv6(src=H1_6, dst=H2_6) / icmp6_unknown(160, 0, struct.pack("!HBB", 0x0c0d, 1, 0x01) +
                                                 ext_structure([interface_id_by_address6(H2_6)])),
        IPv6(src=H2_6, dst=H1_6) / icmp6_unknown(161, 0, struct.pack("!HBB", 0x0c0d, 1, (2 << 5) | 0x04 | 0x01)),
        # RFC 4443 errors; time exceeded with an RFC 4884 extension (length in 64-bit words in
        # byte 4) carrying an RFC 4950 MPLS stack.
        IPv6(src=RT_6, dst=H1_6) / icmp6_unknown(3, 0, struct.pack("!BBH", len(q128) // 8, 0, 0) + q128 +
                                                 ext_structure([mpls_object([(24002, 0, 1)])])),
        IPv6(src=RT_6, dst=H1_6) / ICMPv6DestUnreach(code=5) / Raw(q),   # source address failed policy
        IPv6(src=RT_6, dst=H1_6) / ICMPv6DestUnreach(code=6) / Raw(q),   # reject route
        IPv6(src=RT_6, dst=H1_6) / icmp6_unknown(4, 1, struct.pack("!I", 40) + q),   # param problem, next header
        IPv6(src=RT_6, dst=H1_6) / icmp6_unknown(4, 3, struct.pack("!I", 40) + q),   # RFC 7112 incomplete chain
        # Malformed: quote cut to 20 bytes; wrong checksum; length attribute 30 words beyond the data.
        IPv6(src=RT_6, dst=H1_6) / ICMPv6TimeExceeded() / Raw(q[:20]),
        IPv6(src=H1_6, dst=H2_6) / ICMPv6EchoRequest(id=0x2222, seq=1, data=b"bad checksum", cksum=0x1234),
        IPv6(src=RT_6, dst=H1_6) / icmp6_unknown(1, 0, struct.pack("!BBH", 30, 0, 0) + q[:48]),
    ]
    return stamp([eth(p) for p in pkts], BASE_TIME + 100)


def tunnels():
    echo4 = IP(src=H1, dst=H2) / ICMP(type=8, id=0x5151, seq=1) / Raw(b"tunnel")
    echo6 = IPv6(src=H1_6, dst=H2_6) / ICMPv6EchoRequest(id=0x5252, seq=1, data=b"tunnel")
    err4 = IP(src=RT, dst=H1) / ICMP(type=11, code=0) / Raw(quoted_udp4()[:28])
    pkts = [
        Ether(src=MAC_A, dst=MAC_B) / IP(src="203.0.113.1", dst="203.0.113.2", proto=4) / echo4,   # RFC 2003
        Ether(src=MAC_A, dst=MAC_B) / IP(src="203.0.113.1", dst="203.0.113.2", proto=41) / echo6,  # RFC 4213
        Ether(src=MAC_A, dst=MAC_B) / IP(src="203.0.113.1", dst="203.0.113.2") / GRE(proto=0x0800) / err4,
        Ether(src=MAC_A, dst=MAC_B) / IP(src="203.0.113.1", dst="203.0.113.2") / GRE(proto=0x86DD) / echo6,
        Ether(src=MAC_A, dst=MAC_B) / IPv6(src="2001:db8:ff::1", dst="2001:db8:ff::2") / GRE(proto=0x0800) / echo4,
        Ether(src=MAC_A, dst=MAC_B) / Dot1Q(vlan=100) / echo4,
        Ether(src=MAC_A, dst=MAC_B) / Dot1Q(vlan=100, prio=5) / echo6,
        Ether(src=MAC_A, dst=MAC_B, type=0x88A8) / Dot1AD(vlan=10) / Dot1Q(vlan=20) / err4,
        Ether(src=MAC_A, dst=MAC_B) / MPLS(label=16, s=0, ttl=64) / MPLS(label=1000, s=1, ttl=64) / echo4,
        Ether(src=MAC_A, dst=MAC_B) / Dot1Q(vlan=30) / IP(src="203.0.113.1", dst="203.0.113.2", proto=4) / err4,
    ]
    return stamp(pkts, BASE_TIME + 200)


def pick(pkts, preds):
    out = []
    for pred in preds:
        for p in pkts:
            if pred(p) and p not in out:
                out.append(p)
                break
    return out


def demo(outdir, v4, v6):
    """~20 packets: kernel echoes and errors, extensions with MPLS labels, v6 neighbour discovery."""
    l4 = rdpcap(os.path.join(outdir, "linux-v4.pcap"))
    l6 = rdpcap(os.path.join(outdir, "linux-v6.pcap"))
    t4 = lambda t, c=None: lambda p: ICMP in p and p[ICMP].type == t and (c is None or p[ICMP].code == c)
    t6 = lambda t: lambda p: IPv6 in p and p.lastlayer().__class__.__name__ != "Raw" and \
        any(getattr(l, "type", None) == t for l in p.iterpayloads() if l.__class__.__name__.startswith("ICMPv6"))
    pkts = pick(l4, [t4(8), t4(0), t4(11, 0), t4(3, 3), t4(3, 4), t4(3, 13), t4(14)])
    pkts += pick(l6, [t6(135), t6(136), t6(128), t6(129), t6(3), t6(2), t6(1)])
    pkts += [v4[18], v4[20], v4[14], v4[22]]       # extensions (MPLS), extended echo, bad checksum
    pkts += [v6[2], v6[8]]                          # RA with options, v6 extension with MPLS
    out = [p.copy() for p in pkts]
    return stamp(out, BASE_TIME + 300)


def timestamp_request(dst):
    send(IP(dst=dst) / ICMP(type=13, id=0x7473, seq=1, ts_ori=12_345_678), verbose=0)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "timestamp-request":
        timestamp_request(sys.argv[2])
        return 0
    if len(sys.argv) != 3 or sys.argv[1] != "build":
        print(__doc__, file=sys.stderr)
        return 2
    outdir = sys.argv[2]
    v4, v6 = scapy_v4(), scapy_v6()
    wrpcap(os.path.join(outdir, "scapy-v4.pcap"), v4)
    wrpcap(os.path.join(outdir, "scapy-v6.pcap"), v6)
    wrpcap(os.path.join(outdir, "tunnels.pcap"), tunnels())
    if os.path.exists(os.path.join(outdir, "linux-v4.pcap")):
        wrpcap(os.path.join(outdir, "demo.pcap"), demo(outdir, v4, v6))
    return 0


if __name__ == "__main__":
    sys.exit(main())
