// OpenSSL algorithms fetched once per process. With OpenSSL 3, passing
// EVP_md5()/EVP_sha256()/EVP_aes_* to an init call fetches the
// implementation again every time, under a global lock; explicitly fetched
// objects skip that. They are immutable and live until exit.
#pragma once

#include <openssl/evp.h>

#include <string>
#include <string_view>

#include "base/encode.h"

namespace ph::crypto {

inline const EVP_MD* md5() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md;
}
inline const EVP_MD* sha1() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  return md;
}
inline const EVP_MD* sha256() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}
inline const EVP_MD* sha512() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  return md;
}

inline const EVP_CIPHER* aes128_ecb() {
  static EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-128-ECB", nullptr);
  return c;
}
inline const EVP_CIPHER* aes128_gcm() {
  static EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  return c;
}

// The digest of `data` as raw bytes (empty if OpenSSL fails).
inline std::string digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), out, &n, md, nullptr) != 1) return {};
  return std::string(reinterpret_cast<const char*>(out), n);
}

// Lower-case hex of the digest of `data`; empty if OpenSSL fails.
inline std::string digest_hex(const EVP_MD* md, std::string_view data) {
  return hex_encode(digest(md, data));
}

}  // namespace ph::crypto
