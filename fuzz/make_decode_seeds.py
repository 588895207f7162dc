#!/usr/bin/env python3
"""Writes the seed corpora of decode_fuzz and defrag_fuzz (small generated
frames, one per file). Run from the repository root:
    python3 fuzz/make_decode_seeds.py
decode_fuzz input: 2 bytes choosing the link type (index into the list in
decode_fuzz.cc), then the frame. defrag_fuzz input: fragment records (see
defrag_fuzz.cc)."""
import os
import struct

LINKTYPES = [0, 1, 12, 14, 51, 101, 105, 108, 113, 127, 228, 229, 276]
A4, B4 = bytes([192, 0, 2, 1]), bytes([198, 51, 100, 2])
A6 = bytes.fromhex("20010db8000000000000000000000001")
B6 = bytes.fromhex("20010db8000000000000000000000002")
MAC1, MAC2 = bytes([2, 0, 0, 0, 0, 1]), bytes([2, 0, 0, 0, 0, 2])


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(proto, l4, ident=1, frag=0, opts=b""):
    hl = 20 + len(opts)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | hl // 4, 0, hl + len(l4), ident, frag, 64, proto, 0,
                    A4, B4) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + l4


def ipv6(nh, body):
    return struct.pack("!IHBB", 0x60000000, len(body), nh, 64) + A6 + B6 + body


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(payload, flags=0x18, opts=b""):
    doff = (20 + len(opts)) // 4
    return struct.pack("!HHIIBBHHH", 40000, 80, 1000, 2000, doff << 4, flags, 65535, 0, 0) + \
        opts + payload


def eth(et, payload, vlans=()):
    f = MAC2 + MAC1
    for i, v in enumerate(vlans):
        f += struct.pack("!HH", 0x88A8 if (len(vlans) > 1 and i == 0) else 0x8100, v)
    return f + struct.pack("!H", et) + payload


def snap(et, payload):
    return b"\xaa\xaa\x03\0\0\0" + struct.pack("!H", et) + payload


def wlan(fc1, payload, qos=True):
    fc0 = 0x88 if qos else 0x08
    h = bytes([fc0, fc1, 0, 0]) + MAC2 + MAC1 + bytes(6) + b"\x10\0"
    if fc1 & 3 == 3:
        h += MAC1
    if qos:
        h += b"\0\0"
    return h + payload


def pppoe(proto, payload):
    return struct.pack("!BBHHH", 0x11, 0, 0x1234, len(payload) + 2, proto) + payload


U4 = ipv4(17, udp(40000, 53, b"seed"))
T4 = ipv4(6, tcp(b"GET / HTTP/1.1\r\n\r\n", opts=b"\x02\x04\x05\xb4"))
U6 = ipv6(17, udp(40000, 53, b"seed6"))
HBH = bytes([17, 0, 1, 4, 0, 0, 0, 0])
X6 = ipv6(0, HBH + udp(1, 2, b"ext"))
F4 = ipv4(17, udp(1, 2, b"x" * 16), ident=7, frag=0x2000)
F4b = ipv4(17, b"y" * 8, ident=7, frag=3)
F6 = ipv6(44, bytes([17, 0, 0, 1, 0, 0, 0, 9]) + udp(1, 2, b"z" * 16))
JUMBO = ipv6(0, bytes([58, 0, 0xC2, 4, 0, 0, 0, 40]) + bytes([128, 0, 0, 0]) + b"j" * 28)
JUMBO = JUMBO[:4] + b"\0\0" + JUMBO[6:]
GRE = ipv4(47, struct.pack("!HHI", 0x2000, 0x0800, 5) + U4)
VX = ipv4(17, udp(5555, 4789, b"\x08\0\0\0\0\0\x64\0" + eth(0x0800, T4)))
GTP_INNER = U4
GTP = ipv4(17, udp(2152, 2152, struct.pack("!BBHI", 0x30, 255, len(GTP_INNER), 1) + GTP_INNER))
IPIP = ipv4(4, ipv4(41, U6))

seeds = {
    "null_v4": (0, struct.pack("<I", 2) + U4),
    "null_v6_be": (0, struct.pack(">I", 30) + U6),
    "eth_tcp": (1, eth(0x0800, T4)),
    "eth_qinq": (1, eth(0x86DD, X6, vlans=(10, 20))),
    "eth_frag4": (1, eth(0x0800, F4)),
    "eth_frag4_last": (1, eth(0x0800, F4b)),
    "eth_frag6": (1, eth(0x86DD, F6)),
    "eth_jumbo": (1, eth(0x86DD, JUMBO)),
    "eth_gre": (1, eth(0x0800, GRE)),
    "eth_vxlan": (1, eth(0x0800, VX)),
    "eth_pppoe": (1, eth(0x8864, pppoe(0x21, U4))),
    "eth_llc_snap": (1, MAC2 + MAC1 + struct.pack("!H", 8 + len(U4)) + snap(0x0800, U4)),
    "eth_arp": (1, eth(0x0806, bytes(28))),
    "eth_mpls": (1, eth(0x8847, b"\0\x01\x21\x40" + U4)),
    "raw12": (2, U4),
    "raw14": (3, U6),
    "ppp_ether": (4, pppoe(0x57, U6)),
    "raw_gtp": (5, GTP),
    "raw_ipip": (5, IPIP),
    "wlan_fromds": (6, wlan(0x02, snap(0x0800, U4))),
    "wlan_wds": (6, wlan(0x03, snap(0x86DD, U6))),
    "wlan_protected": (6, wlan(0x41, bytes(32))),
    "loop": (7, struct.pack(">I", 24) + U6),
    "sll": (8, struct.pack("!HHH", 0, 1, 6) + MAC1 + b"\0\0" + struct.pack("!H", 0x0800) + T4),
    "radiotap_fcs": (9, bytes([0, 0, 12, 0, 2, 0, 0, 0, 0x10, 0, 0, 0]) +
                     wlan(0x01, snap(0x0800, U4)) + b"\xde\xad\xbe\xef"),
    "ipv4_228": (10, T4),
    "ipv6_229": (11, X6),
    "ipv4_on_229": (11, U4),
    "sll2": (12, struct.pack("!HHIHBB", 0x86DD, 0, 3, 1, 0, 6) + MAC1 + b"\0\0" + U6),
}

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
os.makedirs(os.path.join(root, "decode_fuzz"), exist_ok=True)
for name, (idx, frame) in seeds.items():
    assert LINKTYPES[idx] is not None
    with open(os.path.join(root, "decode_fuzz", name), "wb") as f:
        f.write(struct.pack("!H", idx) + frame)


def rec(v6, more, ident, proto, ts, offset, payload):
    flags = (1 if v6 else 0) | (2 if more else 0) | (ident << 2) | (proto << 4) | (ts << 6)
    return struct.pack("!BHB", flags, offset, len(payload)) + payload


P = bytes(range(48))
defrag_seeds = {
    "v4_in_order": rec(0, 1, 1, 0, 0, 0, P[:16]) + rec(0, 1, 1, 0, 0, 16, P[16:32]) +
    rec(0, 0, 1, 0, 0, 32, P[32:]),
    "v4_reversed": rec(0, 0, 1, 0, 0, 32, P[32:]) + rec(0, 1, 1, 0, 0, 16, P[16:32]) +
    rec(0, 1, 1, 0, 0, 0, P[:16]),
    "v4_overlap": rec(0, 1, 2, 0, 0, 0, b"A" * 16) + rec(0, 1, 2, 0, 0, 8, b"B" * 16) +
    rec(0, 0, 2, 0, 0, 24, b"C" * 8),
    "v6_in_order": rec(1, 1, 1, 0, 0, 0, P[:24]) + rec(1, 0, 1, 0, 0, 24, P[24:]),
    "v6_overlap": rec(1, 1, 1, 0, 0, 0, P[:24]) + rec(1, 1, 1, 0, 0, 16, P[:24]) +
    rec(1, 0, 1, 0, 0, 40, P[:8]),
    "timeout": rec(0, 1, 3, 1, 0, 0, P[:8]) + rec(0, 0, 3, 1, 3, 8, P[:8]),
    "evict": b"".join(rec(i & 1, 1, i & 3, (i >> 2) & 3, 1, 0, P[:40]) for i in range(12)),
    "too_big": rec(0, 1, 1, 0, 0, 0, P[:8]) + rec(0, 0, 1, 0, 0, 65528, P[:16]),
    "duplicate": rec(0, 1, 1, 0, 0, 0, P[:16]) * 2 + rec(0, 0, 1, 0, 0, 16, P[:8]),
}
os.makedirs(os.path.join(root, "defrag_fuzz"), exist_ok=True)
for name, data in defrag_seeds.items():
    with open(os.path.join(root, "defrag_fuzz", name), "wb") as f:
        f.write(data)
