#!/usr/bin/python3
# Generates tests/wire/icmpv6_fixtures.hpp: ICMPv6 messages and ND options built with scapy 2.5
# (python3-scapy) inside IPv6(src=SRC, dst=DST), so every checksum is scapy's pseudo-header sum;
# also writes the fuzz seeds (fuzz/corpus/icmpv6, fuzz/corpus/ndp) and, with argv[2], a pcap of
# the same packets for checking with `tshark -V`.
# Run: /usr/bin/python3 tests/wire/icmpv6_fixtures.py tests/wire/icmpv6_fixtures.hpp [/tmp/f.pcap]
import os, struct, sys
from scapy.all import *
from scapy.contrib.icmp_extensions import *
from scapy.contrib.mpls import MPLS

SRC, DST = "2001:db8::1", "2001:db8::2"
# The quoted datagram (56 octets) and the same zero-padded to 128 octets (RFC 4884 4.2).
QB = bytes(IPv6(src=DST, dst="2001:db8::99", hlim=1)/UDP(sport=40000, dport=33434)/b"ABCDEFGH")
Q128 = QB + bytes(128 - len(QB))
def X(objs):
    """RFC 4884 section 7 header (version 2) + objects; checksum by scapy.utils.checksum, because
    scapy 2.5's ICMPExtensionHeader sums only its own 4 octets."""
    raw = b"\x20\x00\x00\x00" + bytes(objs)
    return raw[:2] + struct.pack("!H", checksum(raw)) + raw[4:]
LL1, LL2 = "02:00:00:00:00:01", "02:00:00:00:00:02"
# Note: scapy 2.5 fills auxdata_len in octets; RFC 3810 5.2.6 counts 32-bit words, so it is set.
MSGS = [
 ("echo_request", 'ICMPv6EchoRequest(id=0x1234,seq=7,data=b"abcdefgh")'),
 ("echo_reply", 'ICMPv6EchoReply(id=0x1234,seq=7,data=b"abcdefgh")'),
 ("dest_unreach_port", 'ICMPv6DestUnreach(code=4)/QB'),
 ("packet_too_big", 'ICMPv6PacketTooBig(mtu=1280)/QB'),
 ("time_exceeded", 'ICMPv6TimeExceeded(code=0)/QB'),
 ("param_problem", 'ICMPv6ParamProblem(code=1,ptr=6)/QB'),
 ("time_exceeded_mpls", 'ICMPv6TimeExceeded(code=0,length=16)/Q128/X(ICMPExtensionMPLS(stack=[MPLS(label=16005,cos=5,s=1,ttl=1)]))'),
 ("dest_unreach_interface_info", 'ICMPv6DestUnreach(code=3,length=16)/Q128/X(ICMPExtensionInterfaceInformation(interface_role=0,has_ifindex=1,has_ipaddr=0,has_ifname=0,has_mtu=1,ifindex=3,mtu=1500))'),
 ("mld_query", 'ICMPv6MLQuery(mrd=10000,mladdr="::")'),
 ("mld_report", 'ICMPv6MLReport(mladdr="ff02::1:ff00:2")'),
 ("mld_done", 'ICMPv6MLDone(mladdr="ff02::1:ff00:2")'),
 ("mldv2_query", 'ICMPv6MLQuery2(mrd=1000,mladdr="ff05::db8",S=1,QRV=2,QQIC=125,sources=["2001:db8::10","2001:db8::11"])'),
 ("mldv2_report", 'ICMPv6MLReport2(records=[ICMPv6MLDMultAddrRec(rtype=4,dst="ff02::fb"),ICMPv6MLDMultAddrRec(rtype=1,dst="ff05::db8",sources=["2001:db8::10"],auxdata_len=1,auxdata=b"AUXD")])'),
 ("router_solicitation", 'ICMPv6ND_RS()/ICMPv6NDOptSrcLLAddr(lladdr=LL1)'),
 ("router_advertisement", 'ICMPv6ND_RA(chlim=64,M=1,O=1,H=0,prf=1,P=0,routerlifetime=1800,reachabletime=30000,retranstimer=1000)/ICMPv6NDOptSrcLLAddr(lladdr=LL1)/ICMPv6NDOptMTU(mtu=1500)/ICMPv6NDOptPrefixInfo(prefixlen=64,L=1,A=1,R=0,validlifetime=86400,preferredlifetime=14400,prefix="2001:db8:1::")/ICMPv6NDOptRouteInfo(plen=48,prf=3,rtlifetime=600,prefix="2001:db8:2::")/ICMPv6NDOptRDNSS(lifetime=300,dns=["2001:db8::53","2001:db8::54"])/ICMPv6NDOptDNSSL(lifetime=300,searchlist=["example.com","lab.example.org"])'),
 ("neighbor_solicitation", 'ICMPv6ND_NS(tgt=DST)/ICMPv6NDOptSrcLLAddr(lladdr=LL1)/ICMPv6NDOptUnknown(type=14,len=1,data=b"\\x01\\x02\\x03\\x04\\x05\\x06")'),
 ("neighbor_advertisement", 'ICMPv6ND_NA(R=1,S=1,O=0,tgt=DST)/ICMPv6NDOptDstLLAddr(lladdr=LL2)'),
 ("redirect", 'ICMPv6ND_Redirect(tgt="fe80::1",dst="2001:db8::99")/ICMPv6NDOptDstLLAddr(lladdr=LL2)/ICMPv6NDOptRedirectedHdr(pkt=QB)'),
 ("ni_query", 'ICMPv6NIQueryName(code=1,nonce=b"\\x11\\x22\\x33\\x44\\x55\\x66\\x77\\x88",data="example.com")'),
 ("ni_reply", 'ICMPv6NIReplyName(code=0,nonce=b"\\x11\\x22\\x33\\x44\\x55\\x66\\x77\\x88",data=[60,"host.example.com"])'),
 ("extended_echo_request", 'ICMPv6Unknown(type=160,msgbody=struct.pack("!HBB",0x1234,5,1)+X(ICMPExtensionObject(classnum=3,classtype=2)/struct.pack("!I",7)))'),
 ("extended_echo_reply", 'ICMPv6Unknown(type=161,code=0,msgbody=struct.pack("!HBB",0x1234,5,0x46))'),
 ("unknown_type_200", 'ICMPv6Unknown(type=200,code=3,msgbody=b"\\xaa\\xbb\\xcc\\xddxyz")'),
]
OPTS = [
 ("opt_source_ll", 'ICMPv6NDOptSrcLLAddr(lladdr=LL1)'),
 ("opt_target_ll", 'ICMPv6NDOptDstLLAddr(lladdr=LL2)'),
 ("opt_prefix_info", 'ICMPv6NDOptPrefixInfo(prefixlen=64,L=1,A=0,R=1,res1=3,validlifetime=0xffffffff,preferredlifetime=600,res2=0x01020304,prefix="2001:db8:1::")'),
 ("opt_redirected_header", 'ICMPv6NDOptRedirectedHdr(pkt=QB)'),
 ("opt_mtu", 'ICMPv6NDOptMTU(res=0x0102,mtu=1280)'),
 ("opt_nonce", 'ICMPv6NDOptUnknown(type=14,len=1,data=b"\\xde\\xad\\xbe\\xef\\x01\\x02")'),
 ("opt_route_info_0", 'ICMPv6NDOptRouteInfo(plen=0,prf=1,rtlifetime=1800)'),
 ("opt_route_info_64", 'ICMPv6NDOptRouteInfo(plen=64,prf=0,rtlifetime=600,prefix="2001:db8:3:4::")'),
 ("opt_route_info_128", 'ICMPv6NDOptRouteInfo(plen=128,prf=3,rtlifetime=60,prefix="2001:db8::42")'),
 ("opt_rdnss", 'ICMPv6NDOptRDNSS(lifetime=300,dns=["2001:db8::53"])'),
 ("opt_dnssl", 'ICMPv6NDOptDNSSL(lifetime=600,searchlist=["example.com","lab.example.org"])'),
 ("opt_unknown_250", 'ICMPv6NDOptUnknown(type=250,len=2,data=b"0123456789abcd")'),
]

def icmp_bytes(expr):
    return raw(IPv6(src=SRC, dst=DST)/eval(expr))[40:]

def cxx(name, expr, b):
    return "// scapy: %s\ninline const std::vector<std::uint8_t> %s = {%s};\n" % (
        expr, name, ",".join("0x%02x" % x for x in b))

def main():
    out = ["// Generated by tests/wire/icmpv6_fixtures.py (scapy 2.5); each fixture's scapy expression is\n"
           "// beside it, inside IPv6(src=\"%s\", dst=\"%s\"). Do not edit by hand.\n" % (SRC, DST),
           "#pragma once\n#include <cstdint>\n#include <vector>\nnamespace fixtures6 {\n"]
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    for d in ("icmpv6", "ndp"):
        os.makedirs(os.path.join(root, "fuzz", "corpus", d), exist_ok=True)
    pkts = []
    for name, expr in MSGS:
        b = icmp_bytes(expr)
        out.append(cxx(name, expr, b))
        open(os.path.join(root, "fuzz", "corpus", "icmpv6", name), "wb").write(b)
        pkts.append(Ether()/IPv6(src=SRC, dst=DST)/eval(expr))
    for name, expr in OPTS:
        b = raw(eval(expr))
        out.append(cxx(name, expr, b))
        open(os.path.join(root, "fuzz", "corpus", "ndp", name), "wb").write(b)
    out.append("}  // namespace fixtures6\n")
    open(sys.argv[1], "w").write("".join(out))
    if len(sys.argv) > 2:
        wrpcap(sys.argv[2], pkts)

main()
