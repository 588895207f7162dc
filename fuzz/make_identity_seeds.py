#!/usr/bin/env python3
"""Writes the seed corpora of mqtt_fuzz, radius_fuzz and eapol_fuzz (small
generated exchanges; identities are generated: IMSIs with MCC 242 / MNC 01
and random digits, locally administered MACs). Run from the repository root:
    python3 fuzz/make_identity_seeds.py
Input format of all three: records [ctl][len hi][len lo][bytes], ctl bit 0 =
direction (down), for mqtt_fuzz bit 1 = a gap of `len` bytes."""
import os
import random
import struct

rng = random.Random(20240611)


def rec(data, down=False, ctl=0):
    return bytes([ctl | (1 if down else 0)]) + struct.pack("!H", len(data)) + data


def gap(n, down=False):
    return bytes([2 | (1 if down else 0)]) + struct.pack("!H", n)


def write(target, name, data):
    d = os.path.join("fuzz", "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- MQTT -------------------------------------------------------------------
def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def s(b):
    if isinstance(b, str):
        b = b.encode()
    return struct.pack("!H", len(b)) + b


def pkt(b0, body):
    return bytes([b0]) + varint(len(body)) + body


def props(p):
    return varint(len(p)) + p


def hexid(n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def connect(level=4, will=True, v5props=b""):
    name = b"MQIsdp" if level == 3 else b"MQTT"
    flags = 0xC2 | (0x0C if will else 0)
    body = s(name) + bytes([level, flags]) + struct.pack("!H", 60)
    if level == 5:
        body += props(v5props)
    body += s("dev-" + hexid(8))
    if will:
        if level == 5:
            body += props(b"\x03" + s("text/plain"))
        body += s("lwt/x") + s("bye")
    body += s("user" + hexid(3)) + s("pw" + hexid(6))
    return pkt(0x10, body)


def publish(topic, payload, qos=0, v5=False, p=b""):
    body = s(topic) + (b"\x00\x05" if qos else b"") + (props(p) if v5 else b"") + payload
    return pkt(0x30 | qos << 1, body)


up_sub = pkt(0x82, b"\x00\x01" + s("cmd/#") + b"\x01")
write("mqtt_fuzz", "v311_exchange",
      rec(connect(4)) + rec(b"\x20\x02\x00\x00", down=True) +
      rec(publish("t/a", b"21.5") + publish("t/b", b"{}", 1) + b"\xc0\x00") + rec(up_sub) +
      rec(publish("cmd/x", b"reboot", 2), down=True))
write("mqtt_fuzz", "v31_connect", rec(connect(3, will=False)))
uprop = b"\x26" + s("serial") + s("SN" + hexid(6))
write("mqtt_fuzz", "v5_aliases",
      rec(connect(5, v5props=uprop)) + rec(b"\x20\x03\x00\x00\x00", down=True) +
      rec(publish("tele/1", b"{}", 1, True, b"\x03" + s("application/json") + b"\x23\x00\x01")) +
      rec(publish("", b"x", 0, True, b"\x23\x00\x01")) +
      rec(publish("", b"y", 0, True, b"\x23\x00\x02"), down=True))
lost = publish("lost", b"z" * 200)
write("mqtt_fuzz", "gaps",
      rec(publish("a", b"1")) + rec(lost[:30]) + gap(100) + rec(lost[130:] + publish("b", b"2")) +
      gap(5, down=True) + rec(publish("c", b"3"), down=True))
write("mqtt_fuzz", "midstream", rec(b"\xc0\x00") + rec(b"\xd0\x00", down=True) +
      rec(publish("Bus/Info", b"\x01\x02"), down=True))
write("mqtt_fuzz", "bad_header", rec(publish("a", b"1") + b"\x00\x00") +
      rec(b"\x30\xff\xff\xff\xff\x01", down=True))


# ---- RADIUS / EAP -------------------------------------------------------------
def imsi():
    return "24201" + "".join(rng.choice("0123456789") for _ in range(10))


def mac():
    return "02-" + "-".join("%02X" % rng.randrange(256) for _ in range(5))


def attr(t, v):
    if isinstance(v, str):
        v = v.encode()
    return bytes([t, len(v) + 2]) + v


def radius(code, attrs, ident=1):
    return bytes([code, ident]) + struct.pack("!H", 20 + len(attrs)) + bytes(16) + attrs


def eap_identity(ident, eid=1):
    ident = ident.encode()
    return bytes([2, eid]) + struct.pack("!H", 5 + len(ident)) + b"\x01" + ident


def eap_sim_identity(typ, ident, eid=2):
    ident = ident.encode()
    v = struct.pack("!H", len(ident)) + ident
    while (len(v) + 2) % 4:
        v += b"\0"
    at = bytes([14, (len(v) + 2) // 4]) + v
    body = bytes([typ, 10 if typ == 18 else 5, 0, 0]) + at
    return bytes([2, eid]) + struct.pack("!H", 4 + len(body)) + body


nai = "0" + imsi() + "@wlan.mnc001.mcc242.3gppnetwork.org"
eap = eap_identity(nai)
req = radius(1, attr(1, nai) + attr(2, bytes(16)) + attr(4, b"\xc0\x00\x02\x0a") +
             attr(30, "02-00-5E-00-53-01:Net") + attr(31, mac()) + attr(32, "ap1") +
             attr(79, eap[:8]) + attr(79, eap[8:]) + attr(80, bytes(16)))
chal = radius(11, attr(79, bytes([1, 2, 0, 8, 23, 5, 0, 0])), 1)
acct = radius(4, attr(1, nai) + attr(8, b"\x0a\x00\x00\x05") + attr(44, "sess-1") +
              attr(26, b"\x00\x00\x28\xaf" + attr(1, imsi())) + attr(26, b"\x00\x00\x01\x37\x01"))
write("radius_fuzz", "access_exchange", rec(req, ctl=2) + rec(chal, True, 2) +
      rec(radius(2, b"", 1), True, 2))
write("radius_fuzz", "accounting", rec(acct, ctl=2) + rec(radius(5, b""), True, 2))
aka = radius(1, attr(79, eap_sim_identity(23, "6" + imsi() + "@wlan.mnc001.mcc242.3gppnetwork.org")))
write("radius_fuzz", "aka_identity", rec(aka))
write("radius_fuzz", "truncated", rec(req[:50]) + rec(req[:19]) + rec(req + b"\x00" * 8))

# EAPOL: version, type, length, body.
def eapol(typ, body, version=1):
    return bytes([version, typ]) + struct.pack("!H", len(body)) + body


sim_nai = "1" + imsi() + "@wlan.mnc001.mcc242.3gppnetwork.org"
write("eapol_fuzz", "eap_sim", rec(eapol(1, b"")) + rec(eapol(0, bytes([1, 1, 0, 5, 1])), True) +
      rec(eapol(0, eap_identity(sim_nai)) + bytes(20)) +
      rec(eapol(0, bytes([1, 2, 0, 8, 18, 10, 0, 0])), True) +
      rec(eapol(0, eap_sim_identity(18, sim_nai))) + rec(eapol(0, bytes([3, 3, 0, 4])), True))
write("eapol_fuzz", "key_logoff", rec(eapol(3, bytes([2]) + bytes(94), 2), True) +
      rec(eapol(2, b"")))
write("eapol_fuzz", "pseudonym", rec(eapol(0, eap_identity("2pseudo" + hexid(10) + "@example.org"))))
write("eapol_fuzz", "raw_nai", ("6" + imsi() + "@wlan.mnc001.mcc242.3gppnetwork.org").encode())
