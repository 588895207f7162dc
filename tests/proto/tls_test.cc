// TLS parser tests: ClientHello fields and fingerprints (JA3 against a
// Python-computed MD5, JA4 against the FoxIO spec's worked example),
// ServerHello, TLS 1.2 certificates (generated with OpenSSL), records and
// handshake messages split every way (the chunking harness), gaps,
// malformed input and limits; and the oracle: SNI, ALPN and JA3 of every
// ClientHello in the real captures against tshark.
#include "proto/tls/tls.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <thread>

#include "capture/source.h"
#include "fixture/payloads.h"
#include "pipeline/engine.h"
#include "proto/chunking.h"
#include "proto/tls/certificate.h"
#include "proto/tls/client_hello.h"
#include "support/support.h"

namespace ph::proto::tls {
namespace {

using test::Chunking;
using test::Collected;
using test::describe;
using test::Piece;
using test::run;

std::vector<std::string> values(const Message& m, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& f : m.fields)
    if (f.name == name) out.push_back(f.value);
  return out;
}

std::string value(const Message& m, std::string_view name) {
  const Field* f = m.find(name);
  return f ? f->value : "<absent>";
}

void put16(std::string& s, uint16_t v) {
  s += static_cast<char>(v >> 8);
  s += static_cast<char>(v);
}
void put24(std::string& s, uint32_t v) {
  s += static_cast<char>(v >> 16);
  put16(s, static_cast<uint16_t>(v));
}
std::string prefixed(int width, std::string_view body) {
  std::string s;
  if (width == 1) s += static_cast<char>(body.size());
  if (width == 2) put16(s, static_cast<uint16_t>(body.size()));
  if (width == 3) put24(s, static_cast<uint32_t>(body.size()));
  s += body;
  return s;
}
std::string record(uint8_t type, std::string_view body) {
  std::string s(1, static_cast<char>(type));
  put16(s, 0x0303);
  return s + prefixed(2, body);
}
std::string handshake(uint8_t type, std::string_view body) {
  return std::string(1, static_cast<char>(type)) + prefixed(3, body);
}
std::string u16s(std::initializer_list<uint16_t> v) {
  std::string s;
  for (uint16_t x : v) put16(s, x);
  return s;
}

// A ClientHello handshake body with the given suites and (type, body) extensions.
std::string hello_body(uint16_t version, const std::string& suites,
                       const std::vector<std::pair<uint16_t, std::string>>& exts) {
  fixture::Prng rng(7);
  std::string s;
  put16(s, version);
  s += rng.bytes(32);
  s += prefixed(1, "");
  s += prefixed(2, suites);
  s += prefixed(1, std::string(1, '\0'));
  std::string e;
  for (const auto& [type, body] : exts) {
    put16(e, type);
    e += prefixed(2, body);
  }
  if (!exts.empty()) s += prefixed(2, e);
  return s;
}

std::string sni_ext(std::string_view name) {
  return prefixed(2, std::string(1, '\0') + prefixed(2, name));
}
std::string server_hello_12(uint16_t cipher) {
  fixture::Prng rng(9);
  std::string s;
  put16(s, 0x0303);
  s += rng.bytes(32);
  s += prefixed(1, rng.bytes(32));
  put16(s, cipher);
  s += '\0';
  std::string e;
  put16(e, 0xff01);
  e += prefixed(2, std::string(1, '\0'));
  s += prefixed(2, e);
  return s;
}

// A self-signed certificate made at run time (generated names only).
std::string make_certificate_der(
    const std::string& sans =
        "DNS:device.example,DNS:*.cdn.example.net,IP:192.0.2.7,email:ops@example.org") {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, key);
  X509_NAME* subject = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Example Devices"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("device.example"), -1, -1, 0);
  X509_NAME* issuer = X509_NAME_new();
  X509_NAME_add_entry_by_txt(issuer, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Example Test CA"), -1, -1, 0);
  X509_set_issuer_name(x, issuer);
  X509_NAME_free(issuer);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, sans.c_str());
  X509_add_ext(x, san, -1);
  X509_EXTENSION_free(san);
  X509_sign(x, key, EVP_sha256());
  unsigned char* der = nullptr;
  int n = i2d_X509(x, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  X509_free(x);
  EVP_PKEY_free(key);
  return out;
}

std::string certificate_body(const std::vector<std::string>& ders) {
  std::string list;
  for (const auto& d : ders) list += prefixed(3, d);
  return prefixed(3, list);
}

// Every chunking gives the same messages; returns the whole run.
Collected check_chunkings(const std::vector<Piece>& pieces) {
  Collected whole = run(parser(), pieces, Chunking::kWhole);
  const std::string expected = describe(whole.messages);
  EXPECT_EQ(describe(run(parser(), pieces, Chunking::kByteByByte).messages), expected);
  for (uint32_t seed = 1; seed <= 8; ++seed)
    EXPECT_EQ(describe(run(parser(), pieces, Chunking::kRandom, seed).messages), expected)
        << "seed " << seed;
  return whole;
}

TEST(TlsClientHello, FixtureHelloFieldsJa3AndJa4) {
  fixture::Prng rng(1);
  std::string ch = fixture::tls_client_hello("api.example.com", {"h2", "http/1.1"}, rng);
  Collected c = check_chunkings({{Direction::kUp, ch}});
  ASSERT_EQ(c.messages.size(), 1u);
  const Message& m = c.messages[0];
  EXPECT_EQ(m.protocol, "tls");
  EXPECT_EQ(m.kind, "client_hello");
  EXPECT_EQ(value(m, "tls.sni"), "api.example.com");
  EXPECT_EQ(values(m, "tls.alpn"), (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(value(m, "tls.client_version"), "TLS 1.2");
  EXPECT_EQ(values(m, "tls.supported_version"), (std::vector<std::string>{"TLS 1.3", "TLS 1.2"}));
  EXPECT_EQ(value(m, "tls.ciphers"),
            "1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035");
  EXPECT_EQ(value(m, "tls.extensions"),
            "0000,0017,ff01,000a,000b,0023,0010,0005,000d,0033,002d,002b");
  EXPECT_EQ(value(m, "tls.ja3"),
            "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
            "0-23-65281-10-11-35-16-5-13-51-45-43,29-23-24,0");
  // hashlib.md5 / hashlib.sha256 of the strings, computed outside this code.
  EXPECT_EQ(value(m, "tls.ja3_hash"), "cafe522b1f077145bca328ed52621259");
  EXPECT_EQ(value(m, "tls.ja4"), "t13d1512h2_8daaf6152771_40271e0a5736");
  EXPECT_EQ(m.find("tls.ech"), nullptr);
  EXPECT_TRUE(c.anomalies.empty());
}

TEST(TlsClientHello, Ja4MatchesTheSpecWorkedExample) {
  // FoxIO JA4 spec, "Example": 15 ciphers, 16 extensions, ALPN h2.
  ClientHello ch;
  ch.legacy_version = 0x0303;
  ch.versions = {0x0a0a, 0x0304, 0x0303};
  ch.ciphers = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
  ch.extensions = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
                   0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015};
  ch.sig_algs = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
  ch.has_sni = true;
  ch.alpn = {"h2"};
  EXPECT_EQ(ja4(ch, 't'), "t13d1516h2_8daaf6152771_e5627efa2ab1");
  // GREASE anywhere changes nothing.
  ClientHello greased = ch;
  greased.ciphers.insert(greased.ciphers.begin(), 0x3a3a);
  greased.extensions.insert(greased.extensions.begin(), 0xdada);
  greased.extensions.push_back(0x1a1a);
  EXPECT_EQ(ja4(greased, 't'), ja4(ch, 't'));
  EXPECT_EQ(ja3_string(greased), ja3_string(ch));
  // "If there are no signature algorithms ... 6d807ffa2a79".
  ch.sig_algs.clear();
  EXPECT_EQ(ja4(ch, 'q'), "q13d1516h2_8daaf6152771_6d807ffa2a79");
  // No ciphers, no extensions: zero hashes; no SNI: 'i'; no ALPN: "00";
  // no supported_versions: the legacy version.
  ClientHello bare;
  bare.legacy_version = 0x0301;
  EXPECT_EQ(ja4(bare, 't'), "t10i000000_000000000000_000000000000");
}

TEST(TlsClientHello, Ja4AlpnCharacters) {
  // The spec's examples for non-alphanumeric first or last bytes.
  auto alpn = [](std::string p) {
    ClientHello ch;
    ch.legacy_version = 0x0303;
    ch.alpn = {std::move(p)};
    return ja4(ch, 't').substr(8, 2);
  };
  EXPECT_EQ(alpn("http/1.1"), "h1");
  EXPECT_EQ(alpn("h"), "hh");
  EXPECT_EQ(alpn("\xab"), "ab");
  EXPECT_EQ(alpn("\xab\xcd"), "ad");
  EXPECT_EQ(alpn("0\xab"), "3b");
  EXPECT_EQ(alpn("01\xab\xcd"), "3d");
  EXPECT_EQ(alpn("0\xab\xcd"
                 "1"),
            "01");
  EXPECT_EQ(alpn(""), "00");
}

TEST(TlsClientHello, GreaseEchNoSniAndNoExtensions) {
  std::string body = hello_body(0x0303, u16s({0x2a2a, 0x1301, 0xc02f}),
                                {{0x4a4a, ""},
                                 {0x000a, prefixed(2, u16s({0x8a8a, 0x001d}))},
                                 {0x000b, prefixed(1, std::string(1, '\0'))},
                                 {0xfe0d, "opaque-ech-payload"},
                                 {0x002b, prefixed(1, u16s({0x7a7a, 0x0304}))}});
  Collected c = check_chunkings({{Direction::kUp, record(22, handshake(1, body))}});
  ASSERT_EQ(c.messages.size(), 1u);
  const Message& m = c.messages[0];
  EXPECT_EQ(m.find("tls.sni"), nullptr);
  EXPECT_EQ(value(m, "tls.ech"), "present");
  EXPECT_EQ(value(m, "tls.ja3"), "771,4865-49199,10-11-65037-43,29,0");
  EXPECT_EQ(values(m, "tls.supported_version"), std::vector<std::string>{"TLS 1.3"});
  EXPECT_EQ(value(m, "tls.ja4").substr(0, 10), "t13i020400");

  // SSL 3.0 style: no extensions block at all.
  Collected old =
      run(parser(),
          {{Direction::kUp, record(22, handshake(1, hello_body(0x0300, u16s({0x000a}), {})))}},
          Chunking::kWhole);
  ASSERT_EQ(old.messages.size(), 1u);
  EXPECT_EQ(value(old.messages[0], "tls.ja3"), "768,10,,,");
  EXPECT_EQ(value(old.messages[0], "tls.ja4"), "ts3i010000_a8f3e973773c_000000000000");
}

TEST(TlsSession, Tls13HandshakeIsDoneAfterTheServerHello) {
  fixture::Prng rng(3);
  std::string ch = fixture::tls_client_hello("push.example.org", {"h2"}, rng);
  std::string sh = fixture::tls_server_hello_13(rng, fixture::tls_client_session_id(ch));
  std::vector<Piece> pieces = {
      {Direction::kUp, ch},
      {Direction::kDown,
       sh + fixture::tls_change_cipher_spec() + fixture::tls_application_data(300, rng)},
      {Direction::kUp, fixture::tls_change_cipher_spec() + fixture::tls_application_data(50, rng)}};
  Collected c = check_chunkings(pieces);
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(c.messages[1].kind, "server_hello");
  EXPECT_EQ(c.messages[1].dir, Direction::kDown);
  EXPECT_EQ(value(c.messages[1], "tls.server_version"), "TLS 1.3");
  EXPECT_EQ(value(c.messages[1], "tls.cipher"), "0x1301");

  Collected sink;
  Feeder f(parser().make(sink), sink);
  f.data(Direction::kUp, as_bytes(ch), 1, 1);
  EXPECT_FALSE(f.done());
  f.data(Direction::kDown, as_bytes(sh), 2, 2);
  EXPECT_TRUE(f.done());
  FlowFacts facts = f.session().facts();
  EXPECT_EQ(facts.app, "tls");
  EXPECT_EQ(facts.encrypted, true);
  EXPECT_EQ(facts.sni, "push.example.org");
}

TEST(TlsSession, Tls13DraftServerHelloHasNoSessionIdOrCompression) {
  fixture::Prng rng(12);
  std::string body;
  put16(body, 0x7f12);  // TLS 1.3 draft 18
  body += rng.bytes(32);
  put16(body, 0x1301);
  std::string e;
  put16(e, 0x0028);  // the drafts' key_share code point
  e += prefixed(2, rng.bytes(36));
  body += prefixed(2, e);
  std::string ch = fixture::tls_client_hello("draft.example", {"h2"}, rng);
  Collected c =
      check_chunkings({{Direction::kUp, ch}, {Direction::kDown, record(22, handshake(2, body))}});
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(value(c.messages[1], "tls.server_version"), "TLS 1.3 (draft 18)");
  EXPECT_EQ(value(c.messages[1], "tls.cipher"), "0x1301");
  EXPECT_TRUE(c.anomalies.empty());
}

TEST(TlsSession, HandshakeMessagesSplitAcrossRecords) {
  fixture::Prng rng(4);
  std::string rec = fixture::tls_client_hello("split.example", {"http/1.1"}, rng);
  std::string hs = rec.substr(5);
  // The same handshake message in three records, and two messages in one.
  std::string split =
      record(22, hs.substr(0, 3)) + record(22, hs.substr(3, 100)) + record(22, hs.substr(103));
  Collected a = check_chunkings({{Direction::kUp, split}});
  Collected b = run(parser(), {{Direction::kUp, rec}}, Chunking::kWhole);
  ASSERT_EQ(a.messages.size(), 1u);
  EXPECT_EQ(describe(a.messages), describe(b.messages));

  std::string two = record(22, handshake(2, server_hello_12(0xc02f)) + handshake(14, ""));
  Collected c = check_chunkings({{Direction::kUp, rec}, {Direction::kDown, two}});
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(value(c.messages[1], "tls.server_version"), "TLS 1.2");
}

TEST(TlsSession, Tls12CertificateAndDoneAfterBothChangeCipherSpecs) {
  fixture::Prng rng(5);
  const std::string der = make_certificate_der();
  std::string ch = fixture::tls_client_hello("device.example", {"http/1.1"}, rng);
  std::string server = record(22, handshake(2, server_hello_12(0xc02f))) +
                       record(22, handshake(11, certificate_body({der, "second-cert-ignored"}))) +
                       record(22, handshake(14, ""));
  std::string client_tail = record(22, handshake(16, prefixed(1, rng.bytes(65)))) +
                            fixture::tls_change_cipher_spec() + record(22, rng.bytes(40));
  std::vector<Piece> pieces = {{Direction::kUp, ch},
                               {Direction::kDown, server},
                               {Direction::kUp, client_tail},
                               {Direction::kDown, fixture::tls_change_cipher_spec()},
                               {Direction::kDown, record(22, rng.bytes(40))}};
  Collected c = check_chunkings(pieces);
  ASSERT_EQ(c.messages.size(), 3u) << describe(c.messages);
  const Message& cert = c.messages[2];
  EXPECT_EQ(cert.kind, "certificate");
  EXPECT_EQ(value(cert, "tls.cert.subject"), "CN=device.example,O=Example Devices");
  EXPECT_EQ(value(cert, "tls.cert.issuer"), "CN=Example Test CA");
  EXPECT_EQ(values(cert, "tls.cert.san"),
            (std::vector<std::string>{"device.example", "*.cdn.example.net", "192.0.2.7",
                                      "ops@example.org"}));
  EXPECT_TRUE(c.anomalies.empty()) << c.anomalies[0];

  Collected sink;
  Feeder f(parser().make(sink), sink);
  for (size_t i = 0; i < 3; ++i) f.data(pieces[i].dir, as_bytes(pieces[i].bytes), 1, 1);
  EXPECT_FALSE(f.done());  // only the client's ChangeCipherSpec so far
  f.data(Direction::kDown, as_bytes(pieces[3].bytes), 2, 2);
  EXPECT_TRUE(f.done());
}

TEST(TlsSession, GapLosesThatDirectionOnly) {
  fixture::Prng rng(6);
  std::string ch = fixture::tls_client_hello("gap.example", {"h2"}, rng);
  std::vector<Piece> pieces = {
      {Direction::kUp, ch.substr(0, 40)},
      {Direction::kUp, "", 30},
      {Direction::kUp, ch.substr(70)},
      {Direction::kDown, record(22, handshake(2, server_hello_12(0x009c)))}};
  Collected c = check_chunkings(pieces);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(c.messages[0].kind, "server_hello");
  EXPECT_TRUE(c.anomalies.empty());
}

TEST(TlsSession, MalformedAndTruncatedInput) {
  // Not TLS at all: the direction is malformed at once.
  {
    Collected sink;
    Feeder f(parser().make(sink), sink);
    f.data(Direction::kUp, as_bytes("GET / HTTP/1.1\r\n\r\n"), 1, 1);
    EXPECT_TRUE(f.failed(Direction::kUp));
    EXPECT_EQ(sink.anomalies, std::vector<std::string>{"tls.bad-record"});
  }
  // A record longer than TLS allows.
  {
    std::string big("\x16\x03\x03\x50\x00", 5);
    Collected c = run(parser(), {{Direction::kUp, big}}, Chunking::kWhole);
    EXPECT_EQ(c.anomalies, std::vector<std::string>{"tls.record-too-long"});
  }
  // A handshake message claiming more than the handshake limit.
  {
    std::string hs = "\x01";
    put24(hs, kMaxHandshake + 1);
    Collected c = run(parser(), {{Direction::kUp, record(22, hs + "abcd")}}, Chunking::kWhole);
    EXPECT_EQ(c.anomalies, std::vector<std::string>{"tls.handshake-too-long"});
    EXPECT_TRUE(c.messages.empty());
  }
  // Extension lengths that do not add up.
  {
    std::string body = hello_body(0x0303, u16s({0x1301}), {{0x0000, sni_ext("x.example")}});
    body[body.size() - 11] = '\x7f';  // the host name's length: far past the end
    Collected c =
        run(parser(), {{Direction::kUp, record(22, handshake(1, body))}}, Chunking::kWhole);
    EXPECT_EQ(c.anomalies, std::vector<std::string>{"tls.bad-client-hello"});
    EXPECT_TRUE(c.messages.empty());
  }
  // Every truncation of a real hello: no message, no anomaly (just incomplete).
  fixture::Prng rng(8);
  std::string ch = fixture::tls_client_hello("t.example", {"h2"}, rng);
  for (size_t n = 0; n < ch.size(); n += 7) {
    Collected c = run(parser(), {{Direction::kUp, ch.substr(0, n)}}, Chunking::kWhole);
    EXPECT_TRUE(c.messages.empty()) << n;
    EXPECT_TRUE(c.anomalies.empty()) << n;
  }
  // A certificate message that is not DER.
  {
    Collected c =
        run(parser(),
            {{Direction::kUp, ch},
             {Direction::kDown, record(22, handshake(2, server_hello_12(0xc02f)) +
                                               handshake(11, certificate_body({"junk"})))}},
            Chunking::kWhole);
    EXPECT_EQ(c.anomalies, std::vector<std::string>{"tls.bad-certificate"});
  }
}

TEST(TlsSession, SanLimit) {
  CertificateInfo info;
  // A certificate whose SAN list is over the limit.
  std::string sans;
  for (size_t i = 0; i < kMaxSans + 5; ++i)
    sans += (i ? ",DNS:h" : "DNS:h") + std::to_string(i) + ".example";
  const std::string d = make_certificate_der(sans);
  std::string body = certificate_body({d});
  ASSERT_TRUE(parse_first_certificate(as_bytes(body), info));
  EXPECT_EQ(info.sans.size(), kMaxSans);
  EXPECT_TRUE(info.sans_truncated);
}

TEST(TlsSession, CertificatesParsedOnSeveralThreadsAtOnce) {
  // --threads parses certificates in several pipelines at once. The decode
  // cache is per thread: shared, two threads filling and clearing it
  // corrupted the heap (a crash in one run of the bench capture in ~100;
  // here ASan reports the race's use after free). 5,000 distinct DERs (the
  // same certificate with other signature bytes: still well-formed) fill
  // the cache past its 4,096 entries, so it is also cleared under way.
  const std::string base = make_certificate_der();
  std::vector<std::string> bodies;
  for (size_t i = 0; i < 5000; ++i) {
    std::string d = base;
    d[d.size() - 1] = char(i & 0xff);
    d[d.size() - 2] = char(i >> 8);
    bodies.push_back(certificate_body({d}));
  }
  CertificateInfo want;
  ASSERT_TRUE(parse_first_certificate(as_bytes(bodies[0]), want));
  ASSERT_FALSE(want.sans.empty());
  std::atomic<size_t> wrong{0};
  auto work = [&](size_t offset) {
    for (size_t pass = 0; pass < 3; ++pass) {
      for (size_t i = 0; i < bodies.size(); ++i) {
        CertificateInfo info;
        const std::string& body = bodies[(i + offset) % bodies.size()];
        if (!parse_first_certificate(as_bytes(body), info) || info.sans != want.sans ||
            info.subject != want.subject || info.issuer != want.issuer)
          ++wrong;
      }
    }
  };
  std::thread other(work, 2500);
  work(0);
  other.join();
  EXPECT_EQ(wrong.load(), 0u);
}

TEST(TlsProbe, ByContent) {
  fixture::Prng rng(2);
  std::string ch = fixture::tls_client_hello("p.example", {}, rng);
  EXPECT_GE(parser().probe(Direction::kUp, as_bytes(ch), 9999), 80);
  EXPECT_GT(parser().probe(Direction::kUp, as_bytes(ch), 443),
            parser().probe(Direction::kUp, as_bytes(ch), 9999));
  EXPECT_EQ(parser().probe(Direction::kDown, as_bytes(ch), 443), 0);  // a server sends no hello 1
  std::string sh = fixture::tls_server_hello_13(rng, "");
  EXPECT_GT(parser().probe(Direction::kDown, as_bytes(sh), 443), 0);
  EXPECT_EQ(parser().probe(Direction::kUp, as_bytes("GET / HTTP/1.1\r\n"), 443), 0);
  EXPECT_EQ(
      parser().probe(Direction::kUp, as_bytes(std::string("\x16\x03\x05\x00\x10\x01", 6)), 443), 0);
  EXPECT_EQ(
      parser().probe(Direction::kUp, as_bytes(std::string("\x17\x03\x03\x00\x10\x01", 6)), 443), 0);
  EXPECT_EQ(
      parser().probe(Direction::kUp, as_bytes(std::string("\x16\x03\x01\xff\xff\x01", 6)), 443), 0);
}

// ---- Oracle: tshark on the real captures --------------------------------

struct Hello {
  std::string sni, alpn, ja3_hash;
  bool operator<(const Hello& o) const {
    return std::tie(sni, alpn, ja3_hash) < std::tie(o.sni, o.alpn, o.ja3_hash);
  }
  bool operator==(const Hello& o) const = default;
};

std::string text(const std::vector<Hello>& v) {
  std::string s;
  for (const auto& h : v) s += "  [" + h.sni + "] [" + h.alpn + "] " + h.ja3_hash + "\n";
  return s;
}

// Runs the TLS parser on every TCP flow whose first client bytes it claims,
// through the Engine (capture, decode, flow table and TCP reassembly).

std::vector<Hello> ours(const std::filesystem::path& file, Collected& sink) {
  EngineOptions opts;
  opts.consumer_factory = [&](const flow::Flow& f) -> std::unique_ptr<flow::FlowConsumer> {
    if (f.proto != 6) return nullptr;
    return std::make_unique<proto::test::OneParserConsumer>(parser(), sink, 443);
  };
  Engine engine(opts);
  auto src = capture::open_file(file.string());
  EXPECT_TRUE(static_cast<bool>(src));
  if (!src) return {};
  engine.run(**src);
  engine.finish();
  std::vector<Hello> out;
  for (const auto& m : sink.messages) {
    if (m.kind != "client_hello") continue;
    Hello h;
    if (const Field* f = m.find("tls.sni")) h.sni = f->value;
    for (const auto& a : values(m, "tls.alpn")) h.alpn += (h.alpn.empty() ? "" : ",") + a;
    h.ja3_hash = value(m, "tls.ja3_hash");
    out.push_back(h);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Hello> theirs(const std::filesystem::path& file) {
  std::string out = ::ph::test::run_command(
      "tshark -r " + ::ph::test::shell_quote(file.string()) +
      " -Y tls.handshake.type==1 -T fields -e tls.handshake.extensions_server_name"
      " -e tls.handshake.extensions_alpn_str -e tls.handshake.ja3 2>/dev/null");
  std::vector<Hello> v;
  for (const std::string& line : ::ph::test::split_lines(out)) {
    size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    if (t1 == std::string::npos || t2 == std::string::npos) continue;
    v.push_back({line.substr(0, t1), line.substr(t1 + 1, t2 - t1 - 1), line.substr(t2 + 1)});
  }
  std::sort(v.begin(), v.end());
  return v;
}

// "version cipher" of each ServerHello, sorted: the selected version
// (supported_versions when present) by name, as phonehome reports it.
std::vector<std::string> server_hellos_theirs(const std::filesystem::path& file) {
  std::string out = ::ph::test::run_command(
      "tshark -r " + ::ph::test::shell_quote(file.string()) +
      " -Y tls.handshake.type==2 -T fields -e tls.handshake.version"
      " -e tls.handshake.extensions.supported_version -e tls.handshake.ciphersuite 2>/dev/null");
  std::vector<std::string> v;
  for (const std::string& line : ::ph::test::split_lines(out)) {
    size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    if (t1 == std::string::npos || t2 == std::string::npos) continue;
    std::string version = line.substr(t1 + 1, t2 - t1 - 1);
    if (version.empty()) version = line.substr(0, t1);
    v.push_back(version_name(static_cast<uint16_t>(std::stoul(version, nullptr, 16))) + " " +
                line.substr(t2 + 1));
  }
  std::sort(v.begin(), v.end());
  return v;
}

// The DNS names in the subjectAltName of each Certificate message, sorted.
// tshark lists those of every certificate in the chain; CA certificates
// carry none in these captures, so that is the first (server) certificate's.
std::vector<std::string> certificate_sans_theirs(const std::filesystem::path& file) {
  std::string out = ::ph::test::run_command("tshark -r " + ::ph::test::shell_quote(file.string()) +
                                            " -Y tls.handshake.type==11 -T fields"
                                            " -e x509ce.dNSName 2>/dev/null");
  std::vector<std::string> v = ::ph::test::split_lines(out);
  std::sort(v.begin(), v.end());
  return v;
}

class TlsOracle : public ::testing::TestWithParam<std::string> {};

TEST_P(TlsOracle, ClientHellosMatchTshark) {
  PH_REQUIRE_SHARED_CAPTURES();
  PH_REQUIRE_TSHARK();
  const auto file = ::ph::test::shared_captures() / GetParam();
  ASSERT_TRUE(std::filesystem::exists(file)) << file;
  Collected sink;
  std::vector<Hello> mine = ours(file, sink);
  std::vector<Hello> ts = theirs(file);
  std::string anomalies;
  for (const auto& a : sink.anomalies) anomalies += a + " ";
  EXPECT_TRUE(sink.anomalies.empty()) << anomalies;
  std::vector<std::string> my_servers;
  for (const auto& m : sink.messages)
    if (m.kind == "server_hello")
      my_servers.push_back(value(m, "tls.server_version") + " " + value(m, "tls.cipher"));
  std::sort(my_servers.begin(), my_servers.end());
  EXPECT_EQ(my_servers, server_hellos_theirs(file));
  std::vector<std::string> my_sans;
  for (const auto& m : sink.messages) {
    if (m.kind != "certificate") continue;
    std::string joined;
    for (const auto& san : values(m, "tls.cert.san")) joined += (joined.empty() ? "" : ",") + san;
    my_sans.push_back(joined);
  }
  std::sort(my_sans.begin(), my_sans.end());
  EXPECT_EQ(my_sans, certificate_sans_theirs(file));
  if (GetParam().find("P12_") != std::string::npos) {
    // JA4 against an independent implementation: nDPI's published result for
    // this capture (ntop/nDPI tests/cfgs/default/result/tls_with_huge_ch.pcapng.out)
    // says t13d1811h2_f71e3e15ae0d_5c3a8cf9b2bc. Both hashes and counts agree;
    // the SNI letter differs because this hello has no server_name extension
    // at all (tshark lists its extension types as 45,13,35,10,51,43,11,16,
    // 65281,23,21), for which the FoxIO spec says 'i'; nDPI writes 'd'.
    ASSERT_FALSE(sink.messages.empty());
    EXPECT_EQ(value(sink.messages[0], "tls.ja4"), "t13i1811h2_f71e3e15ae0d_5c3a8cf9b2bc");
    EXPECT_EQ(sink.messages[0].find("tls.sni"), nullptr);
  }
  EXPECT_EQ(mine, ts) << GetParam() << "\nphonehome:\n" << text(mine) << "tshark:\n" << text(ts);
  if (GetParam().find("P14_") != std::string::npos) {
    // The ClientHello's middle segment is missing from the capture: neither
    // tool reads it (phonehome drops the direction at the gap).
    EXPECT_TRUE(mine.empty());
  } else {
    EXPECT_FALSE(mine.empty()) << "no ClientHello found";
  }
}

INSTANTIATE_TEST_SUITE_P(Captures, TlsOracle,
                         ::testing::Values("proto/P08_tls13_client_hello.pcap",
                                           "proto/P09_tls12_openssl.pcap",
                                           "proto/P10_tls_ch_split_tcp_segments.pcap",
                                           "proto/P11_tls_pq_kyber_large_ch.pcap",
                                           "proto/P12_tls_huge_ch.pcapng", "proto/P13_tls_ech.pcap",
                                           "proto/P14_tls_missing_ch_fragment.pcap",
                                           "proto/P22_tls_gquic_over_ipv6.pcap",
                                           "leak/L20_android_capptain_deviceid.pcap",
                                           "leak/L21_android_dhcp_hostname_androidid.pcapng"),
                         [](const auto& info) {
                           std::string n = info.param.substr(info.param.find('/') + 1, 3);
                           return n;
                         });

}  // namespace
}  // namespace ph::proto::tls
