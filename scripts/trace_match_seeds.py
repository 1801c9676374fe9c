# Seeds for fuzz/corpus/trace_match, built with scapy: byte 0 = flags (see the target), then the message.
from scapy.all import IP, IPv6, UDP, TCP, ICMP, ICMPv6TimeExceeded, ICMPv6DestUnreach, ICMPv6EchoReply, Raw, raw
import struct, os
out = "fuzz/corpus/trace_match/"
s4, d4, h4 = "192.0.2.10", "203.0.113.5", "198.51.100.1"
s6, d6, h6 = "2001:db8:1::2", "2001:db8:2::5", "2001:db8:3::1"
def payload(serial, ttl, flow, n=32):
    p = bytearray(n); struct.pack_into("!H", p, 0, serial); p[4] = ttl; p[5] = flow & 0xFF
    for i in range(6, n): p[i] = 0x40 + (i & 0x3F)
    return bytes(p)
def w(name, flags, msg):
    open(out + name, "wb").write(bytes([flags]) + msg)
M_UDP, M_PARIS, M_ICMP, M_TCP = 0, 1, 2, 3
udp4 = IP(src=s4, dst=d4, ttl=1, id=42) / UDP(sport=40001, dport=33434) / Raw(payload(42, 7, 1))
w("v4_paris_time_exceeded", M_PARIS << 1, raw(ICMP(type=11, code=0) / raw(udp4)))
w("v4_paris_quote8", M_PARIS << 1, raw(ICMP(type=11, code=0) / raw(udp4)[:28]))
classic = IP(src=s4, dst=d4, ttl=1) / UDP(sport=40000, dport=33434 + 9) / Raw(payload(9, 5, 0))
w("v4_udp_port_unreach", M_UDP << 1, raw(ICMP(type=3, code=3) / raw(classic)))
w("v4_udp_admin", M_UDP << 1, raw(ICMP(type=3, code=13) / raw(classic)))
# RFC 4950 MPLS extension: 128-octet original, extension header v2, one label-stack object.
orig = raw(udp4).ljust(128, b"\0")
obj = struct.pack("!HBB", 8, 1, 1) + struct.pack("!I", (24001 << 12) | (0 << 9) | (1 << 8) | 1)
ext = bytearray(struct.pack("!BBH", 0x20, 0, 0) + obj)
cs = 0
for i in range(0, len(ext), 2): cs += (ext[i] << 8) | ext[i + 1]
while cs >> 16: cs = (cs & 0xFFFF) + (cs >> 16)
struct.pack_into("!H", ext, 2, ~cs & 0xFFFF)
m = bytearray(raw(ICMP(type=11, code=0, length=32) / (orig + bytes(ext))))
w("v4_paris_mpls", M_PARIS << 1, bytes(m))
icmp4 = IP(src=s4, dst=d4, ttl=1) / ICMP(type=8, id=40002, seq=17) / Raw(b"\0\x11\0\0\x06\x02" + payload(0, 0, 0)[6:])
w("v4_icmp_time_exceeded", M_ICMP << 1, raw(ICMP(type=11, code=0) / raw(icmp4)))
w("v4_icmp_echo_reply", M_ICMP << 1, raw(ICMP(type=0, id=40002, seq=17) / Raw(b"\0\x11\0\0\x06\x02")))
tcp4 = IP(src=s4, dst=d4, ttl=1) / TCP(sport=40003, dport=80, seq=0x10000000 + 21, flags="S")
w("v4_tcp_time_exceeded", M_TCP << 1, raw(ICMP(type=11, code=0) / raw(tcp4)))
w("v4_tcp_synack", (M_TCP << 1) | 8, raw(TCP(sport=80, dport=40003, ack=0x10000000 + 22, flags="SA")))
udp6 = IPv6(src=s6, dst=d6, hlim=1) / UDP(sport=40000, dport=33434) / Raw(payload(8, 2, 0))
w("v6_paris_time_exceeded", 1 | (M_PARIS << 1), raw(IPv6(src=h6, dst=s6) / ICMPv6TimeExceeded() / raw(udp6))[40:])
w("v6_paris_port_unreach", 1 | (M_PARIS << 1), raw(IPv6(src=d6, dst=s6) / ICMPv6DestUnreach(code=4) / raw(udp6))[40:])
