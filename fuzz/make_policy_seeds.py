#!/usr/bin/env python3
"""Writes the seed corpus of policy_fuzz: the example policy, the shape of
issue #6, every key, and broken policies (mistakes the reader lists, input
the toml++ pre-pass refuses). Run from the repository root:
    python3 fuzz/make_policy_seeds.py"""
import os

DIR = os.path.join("fuzz", "corpus", "policy_fuzz")


def write(name, text):
    os.makedirs(DIR, exist_ok=True)
    with open(os.path.join(DIR, name), "wb") as f:
        f.write(text if isinstance(text, bytes) else text.encode())


with open(os.path.join("examples", "firmware-release-policy.toml")) as f:
    write("example", f.read())
write("issue_shape", '''[[rule]]
name = "no device identifiers in clear"
deny_data_types = ["imei", "imsi", "iccid", "msisdn", "cell_id"]
unencrypted_only = true
allow_hosts = ["*.example-oem.com"]
deny_countries = []
''')
write("every_key", '''[[rule]]
id = "ids.v2"
name = "IDs"
description = "d"
deny_data_types = "phone"
min_confidence = "medium"
unencrypted_only = false
allow_hosts = ["Vendor.Example.", "10.0.0.0/8", "2001:db8::/32", "*.example-oem.com"]
deny_hosts = [".example-oem.com", "*", "z?hc.*"]
deny_countries = ["cn", "RU"]
allow_countries = ["DE"]
devices = ["F8-AD-CB-12-34-9B", "192.168.1.0/24", "nokia-*", "*kitchen*"]
[[rule]]
name = "all"
deny_data_types = ["*"]
''')
write("mistakes", '''[[rule]]
deny_data_types = ["imie", 3]
allow_host = []
min_confidence = 2
unencrypted_only = "yes"
deny_countries = ["China"]
allow_hosts = ["https://x/", "10.0.0.0/33"]
id = "a b"
[[rule]]
name = "x"
[[rule]]
name = "X"
''')
write("not_tables", 'rule = 1\nrules = []\n[rule]\n')
write("non_ascii_outside_strings", '[[rule]]\nname = Zo\xc3\xab\n'.encode("latin-1"))
write("header_without_name", "[&]\n[[ #x]]\n")
# toml++ quotes the character it stumbled on raw: here a newline, which an
# error line must not carry (the first libFuzzer run found it).
write("parse_error_quotes_a_newline", '[[rule]]\nname = "x"\nunencrypted_only = f\n')
# toml++ 3.3 reaches undefined behaviour on these (found by policy_fuzz;
# refused by the pre-pass now).
write("number_then_non_ascii", b'r=5"\xce\xba')
write("backslash_then_non_ascii", b'"""\\\xd2\x83')
write("not_utf8", b'[[rule]]\nname = "\xcc"\n')
