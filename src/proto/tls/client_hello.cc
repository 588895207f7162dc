// ClientHello/ServerHello parsing and the JA3/JA4 fingerprints (see
// client_hello.h).
#include "proto/tls/client_hello.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>

#include "base/crypto.h"
#include "base/encode.h"

namespace ph::proto::tls {
namespace {

constexpr uint16_t kExtServerName = 0x0000;
constexpr uint16_t kExtSupportedGroups = 0x000a;
constexpr uint16_t kExtPointFormats = 0x000b;
constexpr uint16_t kExtSignatureAlgorithms = 0x000d;
constexpr uint16_t kExtAlpn = 0x0010;
constexpr uint16_t kExtSupportedVersions = 0x002b;
constexpr uint16_t kExtEch = 0xfe0d;

// A length-prefixed vector: `width` bytes of length, then that many bytes.
bool vec(ByteReader& r, int width, Bytes& out) {
  size_t n = 0;
  if (width == 1) {
    uint8_t v;
    if (!r.u8(v)) return false;
    n = v;
  } else {
    uint16_t v;
    if (!r.be16(v)) return false;
    n = v;
  }
  return r.take(n, out);
}

// A list of 16-bit values (whole body, even length).
bool u16_list(Bytes body, std::vector<uint16_t>& out, bool& truncated) {
  if (body.size() % 2 != 0) return false;
  for (size_t i = 0; i + 1 < body.size(); i += 2) {
    if (out.size() >= kMaxListEntries) {
      truncated = true;
      break;
    }
    out.push_back(load_be16(body.data() + i));
  }
  return true;
}

bool parse_extension(uint16_t type, Bytes body, ClientHello& ch) {
  ByteReader r(body);
  Bytes list;
  switch (type) {
    case kExtServerName: {
      ch.has_sni = true;
      if (body.empty()) return true;  // a server's echo is empty; a client's should not be
      if (!vec(r, 2, list)) return false;
      ByteReader names(list);
      while (!names.empty()) {
        uint8_t name_type;
        Bytes name;
        if (!names.u8(name_type) || !vec(names, 2, name)) return false;
        if (name_type == 0 && ch.sni.empty()) ch.sni.assign(as_string(name));
      }
      return true;
    }
    case kExtAlpn: {
      ch.has_alpn = true;
      if (!vec(r, 2, list)) return false;
      ByteReader protos(list);
      while (!protos.empty()) {
        Bytes p;
        if (!vec(protos, 1, p)) return false;
        if (ch.alpn.size() >= kMaxAlpn) {
          ch.truncated_lists = true;
          continue;
        }
        ch.alpn.emplace_back(as_string(p));
      }
      return true;
    }
    case kExtSupportedGroups:
      return vec(r, 2, list) && u16_list(list, ch.groups, ch.truncated_lists);
    case kExtSignatureAlgorithms:
      return vec(r, 2, list) && u16_list(list, ch.sig_algs, ch.truncated_lists);
    case kExtSupportedVersions:
      return vec(r, 1, list) && u16_list(list, ch.versions, ch.truncated_lists);
    case kExtPointFormats:
      if (!vec(r, 1, list)) return false;
      for (uint8_t f : list) {
        if (ch.point_formats.size() >= kMaxListEntries) {
          ch.truncated_lists = true;
          break;
        }
        ch.point_formats.push_back(f);
      }
      return true;
    case kExtEch:
      ch.ech = true;
      return true;
    default:
      return true;
  }
}

const char kHex[] = "0123456789abcdef";

void append_hex4(std::string& s, uint16_t v) {
  s += kHex[v >> 12];
  s += kHex[(v >> 8) & 15];
  s += kHex[(v >> 4) & 15];
  s += kHex[v & 15];
}

// Comma-joined 4-digit hex of the non-GREASE values, optionally sorted and
// without some values.
std::string hex_list(std::vector<uint16_t> v, bool sort,
                     std::initializer_list<uint16_t> skip = {}) {
  std::erase_if(v, [&](uint16_t x) {
    return is_grease(x) || std::find(skip.begin(), skip.end(), x) != skip.end();
  });
  if (sort) std::sort(v.begin(), v.end());
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ',';
    append_hex4(s, v[i]);
  }
  return s;
}

template <class T>
void append_decimal_list(std::string& s, const std::vector<T>& v, bool skip_grease) {
  bool first = true;
  for (T x : v) {
    if (skip_grease && is_grease(static_cast<uint16_t>(x))) continue;
    if (!first) s += '-';
    first = false;
    s += std::to_string(x);
  }
}

size_t count_non_grease(const std::vector<uint16_t>& v) {
  return static_cast<size_t>(
      std::count_if(v.begin(), v.end(), [](uint16_t x) { return !is_grease(x); }));
}

void append_count2(std::string& s, size_t n) {
  n = std::min<size_t>(n, 99);
  s += static_cast<char>('0' + n / 10);
  s += static_cast<char>('0' + n % 10);
}

bool alnum(uint8_t c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

}  // namespace

bool parse_client_hello(Bytes body, ClientHello& ch) {
  ByteReader r(body);
  Bytes random, session_id, suites, compression;
  if (!r.be16(ch.legacy_version) || !r.take(32, random) || !vec(r, 1, session_id) ||
      !vec(r, 2, suites) || !vec(r, 1, compression))
    return false;
  if (!u16_list(suites, ch.ciphers, ch.truncated_lists)) return false;
  if (r.empty()) return true;  // no extensions (SSL 3.0 style)
  Bytes exts;
  if (!vec(r, 2, exts)) return false;
  ByteReader e(exts);
  while (!e.empty()) {
    uint16_t type;
    Bytes ext_body;
    if (!e.be16(type) || !vec(e, 2, ext_body)) return false;
    if (ch.extensions.size() < kMaxListEntries) {
      ch.extensions.push_back(type);
    } else {
      ch.truncated_lists = true;
    }
    if (!parse_extension(type, ext_body, ch)) return false;
  }
  return true;
}

bool parse_server_hello(Bytes body, ServerHello& sh) {
  // RFC 8446 4.1.3: the random of a HelloRetryRequest is SHA-256("HelloRetryRequest").
  static const uint8_t kHrr[32] = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
                                   0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
                                   0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
  ByteReader r(body);
  Bytes random, session_id;
  uint8_t compression;
  if (!r.be16(sh.legacy_version) || !r.take(32, random)) return false;
  if (is_tls13_draft(sh.legacy_version)) {
    // TLS 1.3 drafts before 22 had neither session id nor compression.
    if (!r.be16(sh.cipher)) return false;
  } else if (!vec(r, 1, session_id) || !r.be16(sh.cipher) || !r.u8(compression)) {
    return false;
  }
  sh.hello_retry = std::equal(random.begin(), random.end(), kHrr);
  sh.selected_version = sh.legacy_version;
  if (r.empty()) return true;
  Bytes exts;
  if (!vec(r, 2, exts)) return false;
  ByteReader e(exts);
  while (!e.empty()) {
    uint16_t type;
    Bytes ext_body;
    if (!e.be16(type) || !vec(e, 2, ext_body)) return false;
    if (type == kExtSupportedVersions && ext_body.size() == 2)
      sh.selected_version = load_be16(ext_body.data());
  }
  return true;
}

std::string version_name(uint16_t v) {
  switch (v) {
    case 0x0002:
      return "SSL 2.0";
    case 0x0300:
      return "SSL 3.0";
    case 0x0301:
      return "TLS 1.0";
    case 0x0302:
      return "TLS 1.1";
    case 0x0303:
      return "TLS 1.2";
    case 0x0304:
      return "TLS 1.3";
    default:
      if (is_tls13_draft(v)) return "TLS 1.3 (draft " + std::to_string(v & 0xff) + ")";
      return hex16(v);
  }
}

std::string hex16(uint16_t v) {
  std::string s = "0x";
  append_hex4(s, v);
  return s;
}

std::string ja3_string(const ClientHello& ch) {
  std::string s = std::to_string(ch.legacy_version);
  s += ',';
  append_decimal_list(s, ch.ciphers, true);
  s += ',';
  append_decimal_list(s, ch.extensions, true);
  s += ',';
  append_decimal_list(s, ch.groups, true);
  s += ',';
  append_decimal_list(s, ch.point_formats, false);
  return s;
}

std::string md5_hex(std::string_view s) { return crypto::digest_hex(crypto::md5(), s); }

std::string ja4(const ClientHello& ch, char transport) {
  std::string a(1, transport);
  uint16_t version = ch.legacy_version;
  if (!ch.versions.empty()) {
    version = 0;
    for (uint16_t v : ch.versions)
      if (!is_grease(v)) version = std::max(version, v);
  }
  switch (version) {
    case 0x0304:
      a += "13";
      break;
    case 0x0303:
      a += "12";
      break;
    case 0x0302:
      a += "11";
      break;
    case 0x0301:
      a += "10";
      break;
    case 0x0300:
      a += "s3";
      break;
    case 0x0002:
      a += "s2";
      break;
    case 0xfeff:
      a += "d1";
      break;
    case 0xfefd:
      a += "d2";
      break;
    case 0xfefc:
      a += "d3";
      break;
    default:
      a += "00";
      break;
  }
  a += ch.has_sni ? 'd' : 'i';
  append_count2(a, count_non_grease(ch.ciphers));
  append_count2(a, count_non_grease(ch.extensions));
  if (ch.alpn.empty() || ch.alpn[0].empty()) {
    a += "00";
  } else {
    const std::string& p = ch.alpn[0];
    uint8_t first = static_cast<uint8_t>(p.front()), last = static_cast<uint8_t>(p.back());
    if (alnum(first) && alnum(last)) {
      a += static_cast<char>(first);
      a += static_cast<char>(last);
    } else {
      a += kHex[first >> 4];
      a += kHex[last & 15];
    }
  }
  std::string ciphers = hex_list(ch.ciphers, true);
  std::string exts = hex_list(ch.extensions, true, {kExtServerName, kExtAlpn});
  std::string sigs = hex_list(ch.sig_algs, false);
  if (!sigs.empty()) exts += "_" + sigs;
  auto part = [](const std::string& s) {
    return s.empty() ? std::string(12, '0') : crypto::digest_hex(crypto::sha256(), s).substr(0, 12);
  };
  // An empty extension list stays "000000000000" even with signature algorithms
  // (there can be none without the extension that carries them).
  std::string c = hex_list(ch.extensions, true, {kExtServerName, kExtAlpn}).empty()
                      ? std::string(12, '0')
                      : part(exts);
  return a + "_" + part(ciphers) + "_" + c;
}

void add_client_hello_fields(const ClientHello& ch, char transport, Message& m) {
  if (ch.has_sni && !ch.sni.empty()) m.add("tls.sni", ch.sni);
  for (const auto& p : ch.alpn) m.add("tls.alpn", p);
  m.add("tls.client_version", version_name(ch.legacy_version));
  for (uint16_t v : ch.versions)
    if (!is_grease(v)) m.add("tls.supported_version", version_name(v));
  m.add("tls.ciphers", hex_list(ch.ciphers, false));
  m.add("tls.extensions", hex_list(ch.extensions, false));
  std::string ja3 = ja3_string(ch);
  m.add("tls.ja3_hash", md5_hex(ja3));
  m.add("tls.ja3", std::move(ja3));
  m.add("tls.ja4", ja4(ch, transport));
  if (ch.ech) m.add("tls.ech", "present");
}

}  // namespace ph::proto::tls
