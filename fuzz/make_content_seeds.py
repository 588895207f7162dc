#!/usr/bin/env python3
"""Writes the seed corpus of content_fuzz (one value per file, generated
here). Run from the repository root:
    python3 fuzz/make_content_seeds.py
content_fuzz input: byte 0 = media-type hint index (low 4 bits, see kMedia in
content_fuzz.cc) | 0x10 for tight limits; then the value."""
import base64
import gzip
import os
import subprocess
import zlib

OUT = "fuzz/corpus/content_fuzz"
NONE, JSON, FORM, MULTI_B, MULTI, XML, PB, GZ, ZST, BR = range(10)
TIGHT = 0x10


def luhn(digits):
    s = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        s += d
    return digits + str((10 - s % 10) % 10)


IMEI = luhn("35000011234567")
ICCID = luhn("894400001234567890")
JSON_DOC = ('{"IMEI1":"%s","SIM1ICCID":"%s","MACID":"02:00:5e:10:00:01","n":[1,2.5,-3],'
            '"o":{"t":true,"z":null}}' % (IMEI, ICCID)).encode()


def varint(v):
    out = b""
    while v >= 0x80:
        out += bytes([(v & 0x7F) | 0x80])
        v >>= 7
    return out + bytes([v])


def pb_uint(f, v):
    return varint(f << 3) + varint(v)


def pb_bytes(f, b):
    return varint((f << 3) | 2) + varint(len(b)) + b


def b64_wrapped(b):
    s = base64.b64encode(b)
    return b"\r\n".join(s[i:i + 76] for i in range(0, len(s), 76))


def raw_deflate(b):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(b) + c.flush()


def zstd(b):
    try:
        return subprocess.run(["zstd", "-q", "-c"], input=b, capture_output=True,
                              check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


# Brotli of {"device":"generated-0001","note":"brotli brotli text"} (see
# tests/content/brotli_bomb.h).
BROTLI = bytes.fromhex("1b36000004ca6da98ecb1bfcea5a140d8220884d04871cb89cce6960d482891c0798"
                       "a4dff39097a2af317a484a9cf1c2a16867df350d7e1afc")

DEVICE = pb_bytes(1, IMEI.encode()) + pb_uint(2, 7)
PB_MSG = pb_uint(1, 150) + pb_bytes(2, b"hello") + pb_bytes(3, DEVICE) + pb_bytes(4, JSON_DOC)
MULTIPART = (b"--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\n"
             b"Content-Type: application/json\r\n\r\n" + JSON_DOC + b"\r\n"
             b"--XyZ\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n" +
             base64.b64encode(gzip.compress(JSON_DOC)) + b"\r\n--XyZ--\r\n")
XML_DOC = (b'<?xml version="1.0"?><reg v="2"><dev id="7"><imei>' + IMEI.encode() +
           b"</imei></dev><b>" + base64.b64encode(JSON_DOC) + b"</b></reg>")

SEEDS = {
    "word": (NONE, b"keep-alive"),
    "hex_id": (NONE, b"d41d8cd98f00b204e9800998ecf8427e"),
    "uuid": (NONE, b"550e8400-e29b-41d4-a716-446655440000"),
    "json": (JSON, JSON_DOC),
    "json_sniffed": (NONE, JSON_DOC),
    "json_bad": (JSON, b'{"a": [1, 2, }'),
    "json_deep": (TIGHT, b"[" * 40 + b"1" + b"]" * 40),
    "b64_json": (NONE, b64_wrapped(JSON_DOC)),
    "b64url_json": (NONE, base64.urlsafe_b64encode(b'{"k":"?????>>>>"}' + JSON_DOC).rstrip(b"=")),
    "b64_gzip_json": (NONE, b64_wrapped(gzip.compress(JSON_DOC))),
    "gzip_json": (NONE, gzip.compress(JSON_DOC)),
    "gzip_hint_bad": (GZ, b"\x1f\x8b\x08\x00not really gzip"),
    "zlib_json": (NONE, zlib.compress(JSON_DOC)),
    "raw_deflate_form": (NONE, raw_deflate(b"imei=" + IMEI.encode() + b"&x=1")),
    "brotli_json": (BR, BROTLI),
    "brotli_sniffed": (NONE, BROTLI),
    "query": (NONE, ("/api/boot?v=2&d=%7B%22imei%22%3A%22" + IMEI + "%22%7D&n=a+b#f").encode()),
    "form": (FORM, b"name=J%C3%B6rg+M&imei=" + IMEI.encode() + b"&blob=" +
             base64.b64encode(JSON_DOC)),
    "percent": (NONE, b"imei%3D" + IMEI.encode() + b"%26x%3D1"),
    "hex_json": (NONE, JSON_DOC.hex().encode()),
    "protobuf": (NONE, PB_MSG),
    "protobuf_hint": (PB, PB_MSG),
    "protobuf_b64": (NONE, base64.b64encode(PB_MSG)),
    "xml": (XML, XML_DOC),
    "xml_sniffed": (NONE, XML_DOC),
    "xml_deep": (TIGHT, b"<a>" * 20 + b"x" + b"</a>" * 20),
    "multipart": (MULTI_B, MULTIPART),
    "multipart_sniffed": (MULTI, MULTIPART),
    "multipart_open": (MULTI_B, MULTIPART[:-9]),
    "nested_tight": (TIGHT, base64.b64encode(base64.b64encode(base64.b64encode(JSON_DOC)))),
    "gzip_bomb_tight": (TIGHT, gzip.compress(b"\0" * 200000)),
}

os.makedirs(OUT, exist_ok=True)
zs = zstd(JSON_DOC)
if zs:
    SEEDS["zstd_json"] = (NONE, zs)
    SEEDS["zstd_hint"] = (ZST, zs)
for name, (selector, value) in SEEDS.items():
    data = bytes([selector]) + value
    assert len(data) < 64 * 1024, name
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print("wrote %d seeds to %s" % (len(SEEDS), OUT))
