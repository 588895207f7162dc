#!/usr/bin/env python3
"""Writes the seed corpus of profile_fuzz from examples/device-profile.toml
(generated values) and a few broken profiles. Input format: one byte for
the format (0 TOML, 1 JSON, 2 sniffed), then the file. Run from the
repository root:
    python3 fuzz/make_profile_seeds.py"""
import json
import os
import tomllib

DIR = os.path.join("fuzz", "corpus", "profile_fuzz")


def write(name, fmt, text):
    os.makedirs(DIR, exist_ok=True)
    with open(os.path.join(DIR, name), "wb") as f:
        f.write(bytes([fmt]) + text.encode())


with open(os.path.join("examples", "device-profile.toml")) as f:
    example = f.read()
write("toml_example", 0, example)
write("json_example", 1, json.dumps(tomllib.loads(example), indent=1))
write("sniffed_json", 2, json.dumps({"imei": tomllib.loads(example)["imei"]}))
write("toml_mistakes", 0, 'imie = 1\nmac = "ff:ff:ff:ff:ff:ff"\n[home]\nlat = 91\n')
write("toml_homes", 0, "[[home]]\nlatitude = 1.5\nlongitude = 2\n[[home]]\nlat = 'x'\n")
write("json_broken", 1, '{"imei": ["35')
write("json_homes", 1, '{"home": [{"lat": 51.5, "lng": -0.1, "radius_m": 50}, 3]}')
