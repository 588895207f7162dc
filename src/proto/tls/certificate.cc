// First-certificate extraction from a TLS Certificate message (see
// certificate.h). OpenSSL does the DER; we only walk the TLS framing.
#include "proto/tls/certificate.h"

#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <memory>
#include <string_view>
#include <unordered_map>

#include "model/ip.h"
#include "proto/tls/tls.h"

namespace ph::proto::tls {
namespace {

struct Free {
  void operator()(X509* x) const { X509_free(x); }
  void operator()(BIO* b) const { BIO_free(b); }
  void operator()(GENERAL_NAMES* g) const { GENERAL_NAMES_free(g); }
  void operator()(X509_NAME* n) const { X509_NAME_free(n); }
};

uint32_t be24(const uint8_t* p) { return uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2]; }

std::string name_string(const X509_NAME* name) {
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  if (!bio || !name) return {};
  // RFC 2253 order and escaping, but UTF-8 kept as bytes (not \XX escapes).
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

std::string asn1_text(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

// The same few server certificates come back in connection after
// connection. So results are kept per DER, in a small cache per thread
// (the only mutable static in the parsers; cleared when full). Per thread:
// with --threads, pipelines parse certificates at the same time, and one
// cache shared without a lock corrupted the heap.
class CertificateCache {
 public:
  static constexpr size_t kMaxEntries = 4096;
  const CertificateInfo* find(std::string_view der) {
    auto it = map_.find(std::string(der));
    return it == map_.end() ? nullptr : &it->second;
  }
  void put(std::string_view der, const CertificateInfo& info) {
    if (map_.size() >= kMaxEntries) map_.clear();
    map_.emplace(std::string(der), info);
  }

 private:
  std::unordered_map<std::string, CertificateInfo> map_;
};

CertificateCache& cache() {
  thread_local CertificateCache c;
  return c;
}

bool decode_certificate(const unsigned char* p, size_t cert_len, CertificateInfo& out);

}  // namespace

bool parse_first_certificate(Bytes body, CertificateInfo& out) {
  if (body.size() < 6) return false;
  size_t list_len = be24(body.data());
  if (list_len + 3 != body.size()) return false;
  size_t cert_len = be24(body.data() + 3);
  if (cert_len == 0 || cert_len + 6 > body.size()) return false;
  std::string_view der = as_string(body.subspan(6, cert_len));
  if (const CertificateInfo* known = cache().find(der)) {
    out = *known;
    return true;
  }
  if (!decode_certificate(body.data() + 6, cert_len, out)) return false;
  cache().put(der, out);
  return true;
}

namespace {

// One DER element as OpenSSL's ASN1_get_object reads it.
struct Tlv {
  int tag = 0;
  int cls = 0;
  const unsigned char* start = nullptr;  // the identifier octet
  const unsigned char* content = nullptr;
  long length = 0;  // of the content
  long total() const { return static_cast<long>(content - start) + length; }
};

// Reads the element at `p` (advancing past it); false when malformed or
// indefinite-length (not DER).
bool next_tlv(const unsigned char*& p, const unsigned char* end, Tlv& t) {
  if (p >= end) return false;
  t.start = p;
  int r = ASN1_get_object(&p, &t.length, &t.tag, &t.cls, static_cast<long>(end - p));
  if ((r & 0x80) || (r & 1) || t.length > end - p) return false;
  t.content = p;
  p += t.length;
  return true;
}

bool is(const Tlv& t, int cls, int tag) { return t.cls == cls && t.tag == tag; }

std::unique_ptr<X509_NAME, Free> read_name(const Tlv& t) {
  const unsigned char* q = t.start;
  return std::unique_ptr<X509_NAME, Free>(d2i_X509_NAME(nullptr, &q, t.total()));
}

// The subject alternative names of an extensions list ([3] EXPLICIT
// SEQUENCE OF Extension).
void read_sans(const Tlv& extensions, CertificateInfo& out) {
  static constexpr unsigned char kSanOid[] = {0x06, 0x03, 0x55, 0x1d, 0x11};  // 2.5.29.17
  const unsigned char* p = extensions.content;
  const unsigned char* end = p + extensions.length;
  Tlv list;
  if (!next_tlv(p, end, list) || !is(list, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE)) return;
  p = list.content;
  end = p + list.length;
  Tlv ext;
  while (next_tlv(p, end, ext)) {
    const unsigned char* q = ext.content;
    const unsigned char* ext_end = q + ext.length;
    Tlv oid, value;
    if (!next_tlv(q, ext_end, oid) || oid.total() != long(sizeof kSanOid) ||
        std::memcmp(oid.start, kSanOid, sizeof kSanOid) != 0)
      continue;
    if (!next_tlv(q, ext_end, value)) return;
    if (is(value, V_ASN1_UNIVERSAL, V_ASN1_BOOLEAN) && !next_tlv(q, ext_end, value)) return;
    if (!is(value, V_ASN1_UNIVERSAL, V_ASN1_OCTET_STRING)) return;
    const unsigned char* v = value.content;
    std::unique_ptr<GENERAL_NAMES, Free> names(d2i_GENERAL_NAMES(nullptr, &v, value.length));
    if (!names) return;
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
      if (out.sans.size() >= kMaxSans) {
        out.sans_truncated = true;
        break;
      }
      const GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), i);
      switch (g->type) {
        case GEN_DNS:
          out.sans.push_back(asn1_text(g->d.dNSName));
          break;
        case GEN_EMAIL:
          out.sans.push_back(asn1_text(g->d.rfc822Name));
          break;
        case GEN_IPADD: {
          int len = ASN1_STRING_length(g->d.iPAddress);
          const unsigned char* a = ASN1_STRING_get0_data(g->d.iPAddress);
          if (len == 4) out.sans.push_back(IpAddr::v4(a).to_string());
          if (len == 16) out.sans.push_back(IpAddr::v6(a).to_string());
          break;
        }
        default:
          break;
      }
    }
    return;
  }
}

// Walks Certificate -> TBSCertificate with OpenSSL's DER reader and decodes
// only the issuer and subject Names and the SAN extension: d2i_X509 would
// also decode the public key, which costs more than all the rest of a TLS
// flow, for nothing we report.
//   TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber,
//     signature, issuer, validity, subject, subjectPublicKeyInfo,
//     [1] issuerUniqueID OPTIONAL, [2] subjectUniqueID OPTIONAL,
//     [3] extensions OPTIONAL }
bool decode_certificate(const unsigned char* p, size_t cert_len, CertificateInfo& out) {
  const unsigned char* end = p + cert_len;
  Tlv cert, tbs;
  if (!next_tlv(p, end, cert) || !is(cert, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE)) return false;
  p = cert.content;
  end = p + cert.length;
  if (!next_tlv(p, end, tbs) || !is(tbs, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE)) return false;
  p = tbs.content;
  end = p + tbs.length;
  Tlv t[6];  // serialNumber .. subjectPublicKeyInfo
  Tlv first;
  if (!next_tlv(p, end, first)) return false;
  size_t n = 0;
  if (!is(first, V_ASN1_CONTEXT_SPECIFIC, 0)) t[n++] = first;
  for (; n < 6; ++n)
    if (!next_tlv(p, end, t[n])) return false;
  const Tlv &serial = t[0], &issuer = t[2], &subject = t[4];
  if (!is(serial, V_ASN1_UNIVERSAL, V_ASN1_INTEGER)) return false;
  for (size_t i : {1, 2, 3, 4, 5})
    if (!is(t[i], V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE)) return false;
  auto issuer_name = read_name(issuer);
  auto subject_name = read_name(subject);
  if (!issuer_name || !subject_name) return false;
  out.subject = name_string(subject_name.get());
  out.issuer = name_string(issuer_name.get());
  Tlv rest;
  while (next_tlv(p, end, rest)) {
    if (is(rest, V_ASN1_CONTEXT_SPECIFIC, 3)) {
      read_sans(rest, out);
      break;
    }
  }
  return true;
}

}  // namespace

}  // namespace ph::proto::tls
