// The TLS ClientHello and ServerHello bodies, shared by TLS over TCP and
// QUIC (whose CRYPTO frames carry the same handshake messages): parsing
// into plain values, the JA3 string and MD5 hash, the JA4 fingerprint
// (FoxIO spec), and the fields the parsers emit. Everything here works on a
// complete handshake message body (after the 4-byte handshake header).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "proto/protocol.h"

namespace ph::proto::tls {

// Limits on what a hello may hold before the rest is ignored (counted).
inline constexpr size_t kMaxAlpn = 32;
inline constexpr size_t kMaxListEntries = 512;  // ciphers, extensions, groups, ...

inline bool is_grease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

// 0x7fNN: a TLS 1.3 draft version (real captures from 2017-2018 hold them).
inline bool is_tls13_draft(uint16_t v) { return (v >> 8) == 0x7f; }

struct ClientHello {
  uint16_t legacy_version = 0;
  std::vector<uint16_t> ciphers;     // as sent, GREASE included
  std::vector<uint16_t> extensions;  // as sent, GREASE included
  std::vector<uint16_t> groups;      // supported_groups (elliptic curves)
  std::vector<uint8_t> point_formats;
  std::vector<uint16_t> sig_algs;
  std::vector<uint16_t> versions;  // supported_versions, as sent
  bool has_sni = false;
  std::string sni;  // host_name entry of server_name (first one)
  bool has_alpn = false;
  std::vector<std::string> alpn;
  bool ech = false;              // encrypted_client_hello (0xfe0d)
  bool truncated_lists = false;  // a list limit was hit
};

// Parses a ClientHello body. False when it is malformed (lengths that do not
// add up); `out` then holds whatever was read before the fault.
bool parse_client_hello(Bytes body, ClientHello& out);

struct ServerHello {
  uint16_t legacy_version = 0;
  uint16_t selected_version = 0;  // supported_versions when present, else legacy
  uint16_t cipher = 0;
  bool hello_retry = false;  // the HelloRetryRequest random
};
bool parse_server_hello(Bytes body, ServerHello& out);

// "TLS 1.2", "SSL 3.0", or "0x7f1c" for anything else.
std::string version_name(uint16_t v);
// "0x1301".
std::string hex16(uint16_t v);

// JA3 (Salesforce): "version,ciphers,extensions,groups,point_formats" in
// decimal, GREASE values left out; and its lowercase hex MD5.
std::string ja3_string(const ClientHello& ch);
std::string md5_hex(std::string_view s);
// JA4 (FoxIO): `transport` is 't' (TCP), 'q' (QUIC) or 'd' (DTLS).
std::string ja4(const ClientHello& ch, char transport);

// Adds the client hello's fields (tls.sni, tls.alpn, tls.client_version,
// tls.supported_version, tls.ciphers, tls.extensions, tls.ja3,
// tls.ja3_hash, tls.ja4, tls.ech) to `m`.
void add_client_hello_fields(const ClientHello& ch, char transport, Message& m);

}  // namespace ph::proto::tls
