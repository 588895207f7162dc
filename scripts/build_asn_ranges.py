#!/usr/bin/env python3
"""Builds phonehome's ASN range file from ip-location-db's numeric ASN CSVs.

Usage: build_asn_ranges.py IPV4_NUM_CSV IPV6_NUM_CSV OUT

Input rows are `first,last,asn,organisation` with the addresses as decimal
integers (asn-ipv4-num.csv, asn-ipv6-num.csv of @ip-location-db/asn). The
output is a sorted, non-overlapping range table that src/geo/ranges.cc maps
and binary-searches (the layout is described there; all integers little
endian):

    "PHASNRG1"                                    8-byte magic
    u32 v4_count, u32 v6_count, u32 org_count, u32 strings_size
    v4_count x { u32 first, u32 last, u32 asn, u32 org }
    v6_count x { u8 first[16], u8 last[16], u32 asn, u32 org }   (big-endian addresses)
    (org_count + 1) x u32 offset into strings (the last one = strings_size)
    strings_size bytes of UTF-8 organisation names

Where rows overlap (the upstream data has a few), the range that starts later
wins inside its span and an enclosing range resumes after it: a more specific
announcement inside a wider one is what a router would use. Adjacent ranges
of the same ASN are merged.
"""
import csv
import os
import struct
import sys

MAGIC = b"PHASNRG1"


def read_rows(path):
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for line, r in enumerate(csv.reader(f), 1):
            if not r:
                continue
            if len(r) != 4:
                raise ValueError("%s:%d: expected 4 columns, got %d" % (path, line, len(r)))
            first, last, asn = int(r[0]), int(r[1]), int(r[2])
            if last < first or asn <= 0 or asn >= 1 << 32:
                raise ValueError("%s:%d: bad row %r" % (path, line, r))
            rows.append((first, last, asn, r[3].strip()))
    # Wider first among equal starts, so the narrower one nests inside it.
    rows.sort(key=lambda x: (x[0], -x[1]))
    return rows


def flatten(rows):
    """Non-overlapping (first, last, asn, org) ranges, later/more specific wins."""
    out = []

    def emit(first, last, asn, org):
        if first > last:
            return
        if out and out[-1][1] + 1 == first and out[-1][2] == asn and out[-1][3] == org:
            out[-1] = (out[-1][0], last, asn, org)
        else:
            out.append((first, last, asn, org))

    stack = []  # open ranges, outermost first
    pos = 0  # first address not yet emitted

    def advance(to):  # emits what the stack covers in [pos, to)
        nonlocal pos
        while stack and pos < to:
            top = stack[-1]
            end = min(top[1], to - 1)
            emit(pos, end, top[2], top[3])
            pos = end + 1
            while stack and stack[-1][1] < pos:
                stack.pop()

    for r in rows:
        advance(r[0])
        while stack and stack[-1][1] < r[0]:
            stack.pop()
        stack.append(r)
        pos = r[0]
    advance(1 << 129)
    return out


def build(v4_csv, v6_csv, out_path):
    v4 = flatten(read_rows(v4_csv))
    v6 = flatten(read_rows(v6_csv))
    for first, last, _, _ in v4:
        if last >= 1 << 32:
            raise ValueError("IPv4 range beyond 32 bits in %s" % v4_csv)
    orgs = {}
    names = []

    def org_index(name):
        i = orgs.get(name)
        if i is None:
            i = orgs[name] = len(names)
            names.append(name.encode("utf-8"))
        return i

    body = bytearray()
    for first, last, asn, org in v4:
        body += struct.pack("<IIII", first, last, asn, org_index(org))
    for first, last, asn, org in v6:
        body += first.to_bytes(16, "big") + last.to_bytes(16, "big")
        body += struct.pack("<II", asn, org_index(org))
    offsets = bytearray()
    strings = bytearray()
    for n in names:
        offsets += struct.pack("<I", len(strings))
        strings += n
    offsets += struct.pack("<I", len(strings))
    header = MAGIC + struct.pack("<IIII", len(v4), len(v6), len(names), len(strings))
    tmp = out_path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(header + body + offsets + strings)
    os.replace(tmp, out_path)
    return len(v4), len(v6), len(names)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("\n\n")[1])
    v4, v6, orgs = build(sys.argv[1], sys.argv[2], sys.argv[3])
    print("build_asn_ranges: %d IPv4 and %d IPv6 ranges, %d organisations -> %s"
          % (v4, v6, orgs, sys.argv[3]), file=sys.stderr)


if __name__ == "__main__":
    main()
