#!/usr/bin/python3
# Builds one packet of every ICMPv4/ICMPv6 kind studied in docs/wireshark-fields.md into all.pcap
# (written to the current directory; never sent). Run: /usr/bin/python3 scripts/wireshark_fields_samples.py
# then: tshark -T json -r all.pcap ; tshark -V -r all.pcap
from scapy.all import *
from scapy.layers.inet6 import *
import struct
E=lambda: Ether(src="02:00:00:00:00:01",dst="02:00:00:00:00:02")
A="192.0.2.1"; B="198.51.100.2"; A6="2001:db8::1"; B6="2001:db8::2"
udp=IP(src=B,dst="203.0.113.9",ttl=1,id=0x1c46)/UDP(sport=33434,dport=33435)/Raw(b"x"*12)
pk=[]
pk.append(E()/IP(src=A,dst=B,id=0x1c46)/ICMP(type=8,id=0x1234,seq=1)/Raw(b"abcdefgh"))
pk.append(E()/IP(src=B,dst=A)/ICMP(type=0,id=0x1234,seq=1)/Raw(b"abcdefgh"))
pk.append(E()/IP(src=A,dst=B)/ICMP(type=3,code=3)/udp)
pk.append(E()/IP(src=A,dst=B)/ICMP(type=3,code=4,nexthopmtu=1400)/udp)
pk.append(E()/IP(src=A,dst=B)/ICMP(type=11,code=0)/IP(src=B,dst="203.0.113.9",ttl=1)/ICMP(type=8,id=7,seq=9))
pk.append(E()/IP(src=A,dst=B)/ICMP(type=12,code=0,ptr=20)/udp)
pk.append(E()/IP(src=A,dst=B)/ICMP(type=5,code=1,gw="192.0.2.254")/udp)
pk.append(E()/IP(src=A,dst=B)/ICMP(type=13,id=5,seq=6,ts_ori=1000,ts_rx=2000,ts_tx=3000))
pk.append(E()/IP(src=A,dst=B)/ICMP(type=14,id=5,seq=6,ts_ori=1000,ts_rx=2000,ts_tx=3000))
pk.append(E()/IP(src=A,dst=B)/ICMP(type=17,id=5,seq=6)/Raw(b"\0\0\0\0"))
pk.append(E()/IP(src=A,dst=B)/ICMP(type=18,id=5,seq=6,addr_mask="255.255.255.0"))
# router adv: num=2, entsize=2, lifetime 1800
ra=struct.pack("!BBH",2,2,1800)+socket.inet_aton("192.0.2.1")+struct.pack("!i",0)+socket.inet_aton("192.0.2.2")+struct.pack("!i",-1)
rb=bytes([9,0,0,0])+ra; rb=rb[:2]+struct.pack("!H",checksum(rb))+rb[4:]
pk.append(E()/IP(src=A,dst="224.0.0.1",proto=1)/Raw(rb))
pk.append(E()/IP(src=A,dst="224.0.0.2")/ICMP(type=10))
pk.append(E()/IP(src=A,dst=B)/ICMP(type=4))
# bad checksum
pk.append(E()/IP(src=A,dst=B)/ICMP(type=8,id=1,seq=2,chksum=0x1234)/Raw(b"zz"))
# RFC4884 time exceeded with MPLS ext + interface info
def cks(b):
    return checksum(b)
orig=bytes(IP(src=B,dst="203.0.113.9",ttl=1,id=0x1c46)/UDP(sport=33434,dport=33435)/Raw(b"x"*100))
orig=orig[:128]+b"\0"*(128-len(orig))
mpls=struct.pack("!HBB",8,1,1)+struct.pack("!I",(16000<<12)|(0<<9)|(1<<8)|1)
# interface info: class 2, c-type: role=0 incoming(00), rsvd, ifindex bit, ipaddr bit, name bit, mtu bit
ctype=(0<<6)|0x08|0x04|0x02|0x01
ifidx=struct.pack("!I",7)
ipaddr=struct.pack("!HH",1,0)+socket.inet_aton("192.0.2.1")
name=b"eth0"; nm=bytes([1+len(name)+3])+name+b"\0\0\0"
mtu=struct.pack("!I",1500)
body=ifidx+ipaddr+nm+mtu
ii=struct.pack("!HBB",4+len(body),2,ctype)+body
ext=struct.pack("!BBH",0x20,0,0)+mpls+ii
ext=ext[:2]+struct.pack("!H",cks(ext))+ext[4:]
pk.append(E()/IP(src=A,dst=B)/ICMP(type=11,code=0,length=32)/Raw(orig+ext))
pk.append(E()/IP(src=A,dst=B)/ICMP(type=3,code=3,length=32)/Raw(orig+ext))
# RFC 8335 extended echo request (42) and reply (43)
ifid=struct.pack("!HBB",8,3,1)+b"eth0"
xe=struct.pack("!BBH",0x20,0,0)+ifid
xe=xe[:2]+struct.pack("!H",cks(xe))+xe[4:]
def ric(t,c,rest):
    b=bytes([t,c,0,0])+rest; return b[:2]+struct.pack("!H",checksum(b))+b[4:]
pk.append(E()/IP(src=A,dst=B,proto=1)/Raw(ric(42,0,struct.pack("!HBB",0x99,5,1)+xe)))
pk.append(E()/IP(src=B,dst=A,proto=1)/Raw(ric(43,0,struct.pack("!HBB",0x99,5,(2<<5)|0x4|0x2|0x1))))
# ICMPv6
u6=IPv6(src=B6,dst="2001:db8::9",hlim=1)/UDP(sport=33434,dport=33435)/Raw(b"y"*12)
pk.append(E()/IPv6(src=A6,dst=B6)/ICMPv6EchoRequest(id=0x1234,seq=1,data=b"abcdefgh"))
pk.append(E()/IPv6(src=B6,dst=A6)/ICMPv6EchoReply(id=0x1234,seq=1,data=b"abcdefgh"))
pk.append(E()/IPv6(src=A6,dst=B6)/ICMPv6DestUnreach(code=4)/u6)
pk.append(E()/IPv6(src=A6,dst=B6)/ICMPv6PacketTooBig(mtu=1280)/u6)
pk.append(E()/IPv6(src=A6,dst=B6)/ICMPv6TimeExceeded(code=0)/u6)
pk.append(E()/IPv6(src=A6,dst=B6)/ICMPv6ParamProblem(code=1,ptr=6)/u6)
pk.append(E()/IPv6(src="fe80::1",dst="ff02::2")/ICMPv6ND_RS()/ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01"))
pk.append(E()/IPv6(src="fe80::1",dst="ff02::1")/ICMPv6ND_RA(M=1,O=1,prf=1,routerlifetime=1800,reachabletime=30000,retranstimer=1000)/ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01")/ICMPv6NDOptMTU(mtu=1500)/ICMPv6NDOptPrefixInfo(prefix="2001:db8:1::",prefixlen=64,validlifetime=86400,preferredlifetime=14400)/ICMPv6NDOptRDNSS(dns=["2001:db8::53"],lifetime=600)/ICMPv6NDOptRouteInfo(prefix="2001:db8:2::",plen=48,rtlifetime=100))
pk.append(E()/IPv6(src="fe80::1",dst="ff02::1:ff00:2")/ICMPv6ND_NS(tgt="2001:db8::2")/ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01"))
pk.append(E()/IPv6(src=B6,dst="fe80::1")/ICMPv6ND_NA(R=1,S=1,O=1,tgt="2001:db8::2")/ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:02"))
pk.append(E()/IPv6(src="fe80::1",dst=B6)/ICMPv6ND_Redirect(tgt="fe80::fe",dst="2001:db8::9")/ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:fe")/ICMPv6NDOptRedirectedHdr(pkt=bytes(u6)[:48]))
pk.append(E()/IPv6(src="fe80::1",dst="ff02::16",hlim=1)/IPv6ExtHdrHopByHop(options=[RouterAlert()])/ICMPv6MLReport2(records=[ICMPv6MLDMultAddrRec(rtype=4,dst="ff02::fb"),ICMPv6MLDMultAddrRec(rtype=1,dst="ff05::1:3",sources=["2001:db8::7"])]))
pk.append(E()/IPv6(src="fe80::1",dst="ff02::1",hlim=1)/IPv6ExtHdrHopByHop(options=[RouterAlert()])/ICMPv6MLQuery2(mladdr="::",sources=[]))
pk.append(E()/IPv6(src="fe80::1",dst="ff02::1",hlim=1)/ICMPv6MLQuery())
pk.append(E()/IPv6(src="fe80::1",dst="ff02::2",hlim=1)/ICMPv6MLReport(mladdr="ff02::fb"))
pk.append(E()/IPv6(src=A6,dst=B6)/ICMPv6NIQueryName(data="2001:db8::2"))
pk.append(E()/IPv6(src=B6,dst=A6)/ICMPv6NIReplyName(data=[30,"host.example."]))
# ICMPv6 RFC 4884 time exceeded with extension; length in 64-bit words
o6=bytes(IPv6(src=B6,dst="2001:db8::9",hlim=1)/UDP(sport=33434,dport=33435)/Raw(b"y"*100))[:128]
pk.append(E()/IPv6(src=A6,dst=B6)/ICMPv6TimeExceeded(code=0,length=16)/Raw(o6+ext))
# extended echo v6 160/161
pk.append(E()/IPv6(src=A6,dst=B6)/ICMPv6Unknown(type=160,code=0)/Raw(struct.pack("!HBB",0x99,1,1)+xe))
pk.append(E()/IPv6(src=B6,dst=A6)/ICMPv6Unknown(type=161,code=0)/Raw(struct.pack("!HBB",0x99,1,(2<<5)|0x4|0x2|1)))
pk.append(E()/IPv6(src=A6,dst=B6)/ICMPv6EchoRequest(id=1,seq=2,cksum=0xdead))
for i,p in enumerate(pk): p.time=1700000000+i+0.123456
wrpcap("all.pcap",pk)
