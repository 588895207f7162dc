// First-certificate extraction from a TLS Certificate message (see
// certificate.h). OpenSSL does the DER; we only walk the TLS framing.
#include "proto/tls/certificate.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string_view>
#include <unordered_map>

#include "proto/tls/tls.h"

namespace ph::proto::tls {
namespace {

struct Free {
  void operator()(X509* x) const { X509_free(x); }
  void operator()(BIO* b) const { BIO_free(b); }
  void operator()(GENERAL_NAMES* g) const { GENERAL_NAMES_free(g); }
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

// Decoding a certificate with OpenSSL also decodes its public key, which
// costs far more than everything else phonehome does with a TLS flow, and
// the same few server certificates come back in connection after
// connection. So results are kept per DER, in a small process-wide cache
// (the only mutable static in the parsers; cleared when full).
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
  static CertificateCache c;
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

bool decode_certificate(const unsigned char* p, size_t cert_len, CertificateInfo& out) {
  std::unique_ptr<X509, Free> cert(d2i_X509(nullptr, &p, static_cast<long>(cert_len)));
  if (!cert) return false;
  out.subject = name_string(X509_get_subject_name(cert.get()));
  out.issuer = name_string(X509_get_issuer_name(cert.get()));
  std::unique_ptr<GENERAL_NAMES, Free> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)));
  if (names) {
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
          char buf[INET6_ADDRSTRLEN] = {};
          int len = ASN1_STRING_length(g->d.iPAddress);
          const unsigned char* a = ASN1_STRING_get0_data(g->d.iPAddress);
          if ((len == 4 && inet_ntop(AF_INET, a, buf, sizeof buf)) ||
              (len == 16 && inet_ntop(AF_INET6, a, buf, sizeof buf)))
            out.sans.emplace_back(buf);
          break;
        }
        default:
          break;
      }
    }
  }
  return true;
}

}  // namespace

}  // namespace ph::proto::tls
