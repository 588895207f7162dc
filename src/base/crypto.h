// OpenSSL algorithms fetched once per process. With OpenSSL 3, passing
// EVP_md5()/EVP_sha256()/EVP_aes_* to an init call fetches the
// implementation again every time, under a global lock; explicitly fetched
// objects skip that. They are immutable and live until exit.
#pragma once

#include <openssl/evp.h>

namespace ph::crypto {

inline const EVP_MD* md5() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md;
}
inline const EVP_MD* sha256() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
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

}  // namespace ph::crypto
