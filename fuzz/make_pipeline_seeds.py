#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/pipeline_fuzz.cc (fuzz/corpus/pipeline_fuzz/):
small captures, all from generated data.

- Each conversation of the fixture captures examples/demo.pcap and
  examples/profile-demo.pcap (tools/fixture) as a capture of its own, and one
  of them again as pcapng.
- The payloads of the protocol targets' generated seeds (fuzz/corpus/<target>/)
  wrapped in Ethernet/IPv4/UDP or TCP (with a handshake) on the protocol's
  port, or in EAPOL frames, so the pipeline reaches every parser from a capture.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "corpus", "pipeline_fuzz")
CORPUS = os.path.join(HERE, "corpus")

DEVICE_MAC = bytes.fromhex("021122334455")
ROUTER_MAC = bytes.fromhex("02aabbccddee")
DEVICE_IP = bytes([192, 168, 1, 23])
SERVER_IP = bytes([198, 51, 100, 7])


# ---- reading and writing captures ------------------------------------------


def read_pcap(path):
    """(linktype, [(sec, usec, frame)]) of a little-endian microsecond pcap."""
    with open(path, "rb") as f:
        data = f.read()
    magic, _, _, _, _, _, linktype = struct.unpack_from("<IHHiIII", data, 0)
    assert magic == 0xA1B2C3D4, path
    packets, pos = [], 24
    while pos + 16 <= len(data):
        sec, usec, caplen, _ = struct.unpack_from("<IIII", data, pos)
        packets.append((sec, usec, data[pos + 16 : pos + 16 + caplen]))
        pos += 16 + caplen
    return linktype, packets


def pcap(packets, linktype=1):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    for sec, usec, frame in packets:
        out += struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame
    return out


def pcapng(packets, linktype=1):
    def block(kind, body):
        body += b"\0" * (-len(body) % 4)
        n = len(body) + 12
        return struct.pack("<II", kind, n) + body + struct.pack("<I", n)

    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", linktype, 0, 65535))
    for sec, usec, frame in packets:
        ts = sec * 1_000_000 + usec
        out += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), len(frame)) + frame)
    return out


def conversation_key(frame):
    """The unordered (address, port) pair of an Ethernet/IPv4 TCP/UDP frame, else None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    proto, hl = ip[9], (ip[0] & 15) * 4
    if proto not in (6, 17) or len(ip) < hl + 4:
        return None
    sport, dport = struct.unpack_from(">HH", ip, hl)
    return (proto,) + tuple(sorted([(ip[12:16], sport), (ip[16:20], dport)]))


# ---- building frames -------------------------------------------------------


def checksum(b):
    b += b"\0" * (len(b) % 2)
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload):
    h = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0, src, dst)
    return h[:10] + struct.pack(">H", checksum(h)) + h[12:] + payload


def ether(up, ethertype, payload):
    src, dst = (DEVICE_MAC, ROUTER_MAC) if up else (ROUTER_MAC, DEVICE_MAC)
    return dst + src + struct.pack(">H", ethertype) + payload


def udp_frame(up, port, payload):
    sport, dport = (40000, port) if up else (port, 40000)
    src, dst = (DEVICE_IP, SERVER_IP) if up else (SERVER_IP, DEVICE_IP)
    u = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    return ether(up, 0x0800, ipv4(src, dst, 17, u))


class Tcp:
    """One connection from the device to `port`, sequence numbers kept."""

    def __init__(self, port):
        self.port, self.seq = port, {True: 1000, False: 5000}

    def segment(self, up, flags, payload=b""):
        sport, dport = (40000, self.port) if up else (self.port, 40000)
        src, dst = (DEVICE_IP, SERVER_IP) if up else (SERVER_IP, DEVICE_IP)
        ack = self.seq[not up] if flags != 0x02 else 0
        t = struct.pack(">HHIIBBHHH", sport, dport, self.seq[up], ack, 5 << 4, flags, 65535, 0, 0)
        self.seq[up] += len(payload) + (1 if flags & 0x03 else 0)
        return ether(up, 0x0800, ipv4(src, dst, 6, t + payload))

    def handshake(self):
        return [self.segment(True, 0x02), self.segment(False, 0x12), self.segment(True, 0x10)]


def timed(frames):
    return [(1_700_000_000 + i // 10, (i % 10) * 100_000, f) for i, f in enumerate(frames)]


# ---- the protocol targets' seeds -------------------------------------------


def records(data, pos=0):
    """(up, bytes) of the [ctl][len hi][len lo][bytes] records (fuzz/pieces.h); gaps dropped."""
    out = []
    while pos + 3 <= len(data):
        ctl, n = data[pos], data[pos + 1] << 8 | data[pos + 2]
        pos += 3
        if ctl & 2:
            continue
        out.append((not ctl & 1, data[pos : pos + n]))
        pos += n
    return out


def marked(data):
    """(up, bytes) of the "\\0\\0" + control byte splits of the SIP/SSDP targets."""
    out, up = [], True
    for i, part in enumerate(data[1:].split(b"\0\0")):
        if i > 0 and part:
            up = {ord("U"): True, ord("D"): False}.get(part[0], up)
            part = part[1:]
        if part:
            out.append((up, part))
    return out


def seeds(target):
    d = os.path.join(CORPUS, target)
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), "rb") as f:
            yield name, f.read()


def over_udp(port, pieces):
    return timed([udp_frame(up, port, b) for up, b in pieces if b])


def over_tcp(port, pieces):
    c = Tcp(port)
    frames = c.handshake() + [c.segment(up, 0x18, b) for up, b in pieces if b]
    return timed(frames + [c.segment(True, 0x11), c.segment(False, 0x11), c.segment(True, 0x10)])


def over_eapol(pieces):
    return timed([ether(up, 0x888E, b) for up, b in pieces if b])


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        os.remove(os.path.join(OUT, old))
    written = {}

    for fixture in ("demo", "profile-demo"):
        linktype, packets = read_pcap(os.path.join(ROOT, "examples", fixture + ".pcap"))
        convs = {}
        for p in packets:
            convs.setdefault(conversation_key(p[2]), []).append(p)
        for i, (key, conv) in enumerate(convs.items()):
            if fixture == "profile-demo" and i >= 4:
                break  # its flows all look alike
            written[f"{fixture}_{i:02d}.pcap"] = pcap(conv, linktype)
        if fixture == "demo":
            tls = [c for k, c in convs.items() if k and k[0] == 6 and 443 in (k[1][1], k[2][1])]
            written["demo_tls.pcapng"] = pcapng(tls[0], linktype)

    wrap = {
        "radius_fuzz": lambda d: over_udp(1812, records(d)),
        "mqtt_fuzz": lambda d: over_tcp(1883, records(d)),
        "eapol_fuzz": lambda d: over_eapol(records(d)),
        "tls_fuzz": lambda d: over_tcp(443, records(d)),
        "quic_fuzz": lambda d: over_udp(443, records(d)),
        "sip_fuzz": lambda d: (over_tcp if d[0] & 1 else over_udp)(5060, marked(d)),
        "ssdp_fuzz": lambda d: over_udp(1900, marked(d)),
        # Byte 0 picks the parser: DNS, mDNS, LLMNR, DNS over TCP.
        "dns_fuzz": lambda d: (over_tcp if d[0] % 4 == 3 else over_udp)(
            (53, 5353, 5355, 53)[d[0] % 4], records(d, 1)
        ),
        # DHCPv4, DHCPv6 (here over IPv4: the port and the probe decide).
        "dhcp_fuzz": lambda d: over_udp((67, 547)[d[0] % 2], records(d, 1)),
        # SSH, NTP, WireGuard.
        "small_protocols_fuzz": lambda d: (over_tcp if d[0] % 3 == 0 else over_udp)(
            (22, 123, 51820)[d[0] % 3], records(d, 1)
        ),
    }
    for target, to_packets in wrap.items():
        for name, data in seeds(target):
            packets = to_packets(data)
            if packets:
                written[f"{target[:-5]}_{name}.pcap"] = pcap(packets)

    for name, data in written.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print(f"{len(written)} seeds in {OUT}")


if __name__ == "__main__":
    main()
