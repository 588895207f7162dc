#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/dhcp_fuzz.cc (fuzz/corpus/dhcp_fuzz/):
generated DHCPv4 and DHCPv6 exchanges in the target's record format
([parser byte] then [ctl][len hi][len lo][bytes]...). Values are made up."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "dhcp_fuzz")
MAC = bytes.fromhex("021122334455")


def rec(data, down=False, port_sel=0):
    return bytes([(1 if down else 0) | (port_sel << 2), len(data) >> 8, len(data) & 0xFF]) + data


def gap(n):
    return bytes([2, n >> 8, n & 0xFF])


def o4(code, value):
    return bytes([code, len(value)]) + value


def v4(op, options, sname=b"", file=b"", end=True, yiaddr=b"\0" * 4):
    h = bytes([op, 1, 6, 0]) + struct.pack(">IHH", 0x1234ABCD, 0, 0)
    h += b"\0" * 4 + yiaddr + b"\0" * 8
    h += MAC.ljust(16, b"\0") + sname.ljust(64, b"\0") + file.ljust(128, b"\0")
    h += struct.pack(">I", 0x63825363) + b"".join(o4(c, v) for c, v in options)
    return h + (b"\xff" if end else b"")


def o6(code, data):
    return struct.pack(">HH", code, len(data)) + data


DUID = bytes.fromhex("000100012a2b2c2d") + MAC
SOLICIT = (b"\x01\xab\xcd\xef" + o6(1, DUID) + o6(6, struct.pack(">HHH", 23, 24, 39)) +
           o6(39, b"\x01\x08laptop-6\x04home\x00") +
           o6(16, struct.pack(">IH", 311, 8) + b"MSFT 5.0") +
           o6(3, struct.pack(">III", 1, 0, 0) + o6(5, bytes(15) + b"\x17" + bytes(8))))


def relay(inner):
    return b"\x0c\x00" + bytes(16) + bytes.fromhex("fe800000000000000211 22fffe334455".replace(" ", "")) + \
        o6(18, b"ge-0/0/1") + o6(9, inner)


seeds = {
    "v4_dora": b"\x00" + rec(v4(1, [(53, b"\x01"), (61, b"\x01" + MAC), (12, b"Pixel-7-test"),
                                    (60, b"android-dhcp-13"), (55, bytes([1, 3, 6, 15, 26]))]))
    + rec(v4(2, [(53, b"\x02"), (54, b"\xc0\xa8\x07\x01")], yiaddr=b"\xc0\xa8\x07\x14"), True, 1)
    + gap(40) + rec(v4(1, [(53, b"\x03"), (50, b"\xc0\xa8\x07\x14"),
                           (81, b"\x05\x00\x00\x06laptop\x04corp\x00")])),
    "v4_overload_concat": b"\x00" + rec(v4(1, [(53, b"\x03"), (52, b"\x03"), (12, b"split-"),
                                                (12, b"host")],
                                             sname=o4(60, b"vc") + b"\xff",
                                             file=o4(77, b"\x04iPXE") + b"\xff")),
    "v4_relay_agent": b"\x00" + rec(v4(2, [(53, b"\x05"), (82, o4(1, b"eth0/1") + o4(2, MAC) +
                                                            o4(6, b"-subID-"))], end=False)),
    "v6_exchange": b"\x01" + rec(SOLICIT) + rec(b"\x02\xab\xcd\xef" + o6(1, DUID) +
                                                o6(2, bytes.fromhex("00030001029988776655")), True),
    "v6_relay": b"\x01" + rec(relay(relay(SOLICIT))) + rec(SOLICIT[:30]),
}

os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    assert len(data) < 4096
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
