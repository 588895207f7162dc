// QUIC Initial protection with OpenSSL (see initial.h).
#include "proto/quic/initial.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>
#include <memory>

#include "base/crypto.h"

namespace ph::proto::quic {
namespace {

// RFC 9001 5.2, RFC 9369 3.3.1, and the drafts' salts (draft-ietf-quic-tls).
constexpr uint8_t kSaltV1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
constexpr uint8_t kSaltV2[20] = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                                 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
constexpr uint8_t kSaltDraft29[20] = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
                                      0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};
constexpr uint8_t kSaltDraft23[20] = {0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
                                      0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02};

// Draft versions are 0xff0000NN.
int draft_number(uint32_t version) {
  return (version & 0xffffff00u) == 0xff000000u ? static_cast<int>(version & 0xff) : 0;
}

const uint8_t* salt_for(uint32_t version) {
  if (version == kVersion1) return kSaltV1;
  if (version == kVersion2) return kSaltV2;
  int draft = draft_number(version);
  if (draft >= 29 && draft <= 32) return kSaltDraft29;
  if (draft >= 23 && draft <= 28) return kSaltDraft23;
  return nullptr;
}

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

bool aes_ecb_block(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  return ctx && EVP_EncryptInit_ex(ctx.get(), crypto::aes128_ecb(), nullptr, key, nullptr) == 1 &&
         EVP_CIPHER_CTX_set_padding(ctx.get(), 0) == 1 &&
         EVP_EncryptUpdate(ctx.get(), out, &n, in, 16) == 1 && n == 16;
}

bool aes_gcm_open(const Keys& k, const uint8_t nonce[12], Bytes aad, uint8_t* data, size_t len,
                  const uint8_t tag[16]) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), crypto::aes128_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, k.key, nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), data, &n, data, static_cast<int>(len)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, const_cast<uint8_t*>(tag)) != 1)
    return false;
  int tail = 0;
  return EVP_DecryptFinal_ex(ctx.get(), data + n, &tail) == 1;
}

void make_nonce(const Keys& k, uint64_t pn, uint8_t nonce[12]) {
  std::memcpy(nonce, k.iv, 12);
  for (int i = 0; i < 8; ++i) nonce[11 - i] ^= static_cast<uint8_t>(pn >> (8 * i));
}

}  // namespace

bool read_varint(ByteReader& r, uint64_t& v) {
  uint8_t b;
  if (!r.u8(b)) return false;
  const size_t extra = (size_t(1) << (b >> 6)) - 1;
  v = b & 0x3f;
  Bytes more;
  if (!r.take(extra, more)) return false;
  for (uint8_t x : more) v = v << 8 | x;
  return true;
}

bool known_version(uint32_t version) { return salt_for(version) != nullptr; }

bool parse_long_header(Bytes packet, LongHeader& h) {
  ByteReader r(packet);
  uint8_t dcid_len, scid_len;
  if (!r.u8(h.first) || (h.first & 0x80) == 0 || !r.be32(h.version) || !r.u8(dcid_len) ||
      dcid_len > 20 || !r.take(dcid_len, h.dcid) || !r.u8(scid_len) || scid_len > 20 ||
      !r.take(scid_len, h.scid))
    return false;
  h.token = {};
  if (h.version == 0) {  // version negotiation: the rest is the version list
    h.packet_size = packet.size();
    return true;
  }
  const uint8_t bits = (h.first >> 4) & 3;
  if (h.version == kVersion2) {
    static constexpr PacketType kV2[4] = {PacketType::kRetry, PacketType::kInitial,
                                          PacketType::kZeroRtt, PacketType::kHandshake};
    h.type = kV2[bits];
  } else {
    h.type = static_cast<PacketType>(bits);
  }
  if (h.type == PacketType::kRetry) {
    h.packet_size = packet.size();
    return true;
  }
  uint64_t length;
  if (h.type == PacketType::kInitial) {
    uint64_t token_len;
    if (!read_varint(r, token_len) || token_len > r.remaining() || !r.take(token_len, h.token))
      return false;
  }
  if (!read_varint(r, length) || length > r.remaining()) return false;
  h.pn_offset = r.position();
  h.packet_size = h.pn_offset + length;
  return true;
}

bool hkdf_extract(Bytes salt, Bytes ikm, uint8_t out[32]) {
  unsigned int n = 0;
  return HMAC(crypto::sha256(), salt.data(), static_cast<int>(salt.size()), ikm.data(), ikm.size(),
              out, &n) != nullptr &&
         n == 32;
}

bool hkdf_expand_label(Bytes secret, std::string_view label, uint8_t* out, size_t length) {
  // HkdfLabel = length(2) || "tls13 " + label (1-byte length) || context (empty)
  // and, every output here being <= 32 bytes, one HMAC block: T(1) = HMAC(secret, info || 1).
  if (length > 32 || label.size() > 200) return false;
  uint8_t info[2 + 1 + 6 + 200 + 1 + 1];
  size_t n = 0;
  info[n++] = static_cast<uint8_t>(length >> 8);
  info[n++] = static_cast<uint8_t>(length);
  info[n++] = static_cast<uint8_t>(6 + label.size());
  std::memcpy(info + n, "tls13 ", 6);
  n += 6;
  std::memcpy(info + n, label.data(), label.size());
  n += label.size();
  info[n++] = 0;  // context length
  info[n++] = 1;  // block counter
  uint8_t block[32];
  unsigned int len = 0;
  if (HMAC(crypto::sha256(), secret.data(), static_cast<int>(secret.size()), info, n, block,
           &len) == nullptr ||
      len != 32)
    return false;
  std::memcpy(out, block, length);
  return true;
}

bool initial_keys(uint32_t version, Bytes dcid, bool client, Keys& out) {
  const uint8_t* salt = salt_for(version);
  if (!salt) return false;
  uint8_t initial[32], secret[32];
  if (!hkdf_extract(Bytes(salt, 20), dcid, initial) ||
      !hkdf_expand_label(Bytes(initial, 32), client ? "client in" : "server in", secret, 32))
    return false;
  const bool v2 = version == kVersion2;
  const Bytes s(secret, 32);
  return hkdf_expand_label(s, v2 ? "quicv2 key" : "quic key", out.key, 16) &&
         hkdf_expand_label(s, v2 ? "quicv2 iv" : "quic iv", out.iv, 12) &&
         hkdf_expand_label(s, v2 ? "quicv2 hp" : "quic hp", out.hp, 16);
}

bool open_packet(std::vector<uint8_t>& packet, size_t pn_offset, const Keys& keys,
                 int64_t largest_pn, uint64_t& pn, Bytes& payload) {
  // The sample starts 4 bytes after the packet number's start (RFC 9001 5.4.2).
  if (pn_offset + 4 + 16 > packet.size()) return false;
  uint8_t mask[16];
  if (!aes_ecb_block(keys.hp, packet.data() + pn_offset + 4, mask)) return false;
  packet[0] ^= mask[0] & 0x0f;  // long header: 4 protected bits
  const size_t pn_len = (packet[0] & 3) + 1;
  uint64_t truncated = 0;
  for (size_t i = 0; i < pn_len; ++i) {
    packet[pn_offset + i] ^= mask[1 + i];
    truncated = truncated << 8 | packet[pn_offset + i];
  }
  // RFC 9000 A.3: the packet number closest to the next expected one.
  const uint64_t expected = static_cast<uint64_t>(largest_pn + 1);
  const uint64_t win = uint64_t(1) << (pn_len * 8), hwin = win / 2, mask_bits = win - 1;
  uint64_t candidate = (expected & ~mask_bits) | truncated;
  if (candidate + hwin <= expected && candidate < (uint64_t(1) << 62) - win) {
    candidate += win;
  } else if (candidate > expected + hwin && candidate >= win) {
    candidate -= win;
  }
  pn = candidate;
  const size_t header_len = pn_offset + pn_len;
  if (header_len + 16 > packet.size()) return false;
  uint8_t nonce[12];
  make_nonce(keys, pn, nonce);
  uint8_t* body = packet.data() + header_len;
  const size_t body_len = packet.size() - header_len - 16;
  if (!aes_gcm_open(keys, nonce, Bytes(packet.data(), header_len), body, body_len,
                    packet.data() + packet.size() - 16))
    return false;
  payload = Bytes(body, body_len);
  return true;
}

bool seal_packet(std::vector<uint8_t>& packet, size_t pn_offset, size_t pn_len, const Keys& keys,
                 uint64_t pn) {
  const size_t header_len = pn_offset + pn_len;
  if (pn_len < 1 || pn_len > 4 || header_len + 16 > packet.size() ||
      pn_offset + 4 + 16 > packet.size())
    return false;
  uint8_t nonce[12];
  make_nonce(keys, pn, nonce);
  uint8_t* body = packet.data() + header_len;
  const int body_len = static_cast<int>(packet.size() - header_len - 16);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), crypto::aes128_gcm(), nullptr, keys.key, nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &n, packet.data(), static_cast<int>(header_len)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), body, &n, body, body_len) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), body + n, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, body + body_len) != 1)
    return false;
  uint8_t mask[16];
  if (!aes_ecb_block(keys.hp, packet.data() + pn_offset + 4, mask)) return false;
  packet[0] ^= mask[0] & 0x0f;
  for (size_t i = 0; i < pn_len; ++i) packet[pn_offset + i] ^= mask[1 + i];
  return true;
}

}  // namespace ph::proto::quic
