// QUIC Initial packet protection (RFC 9001 section 5, RFC 9369 section 3.3):
// long header parsing, initial secrets from the client's Destination
// Connection ID (HKDF with the version's salt), header protection removal
// (AES-128-ECB mask) and payload decryption (AES-128-GCM), all with OpenSSL.
// Also the variable-length integers of RFC 9000 section 16.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"

namespace ph::proto::quic {

inline constexpr uint32_t kVersion1 = 0x00000001;
inline constexpr uint32_t kVersion2 = 0x6b3343cf;

enum class PacketType : uint8_t { kInitial, kZeroRtt, kHandshake, kRetry };

struct LongHeader {
  uint8_t first = 0;
  uint32_t version = 0;
  Bytes dcid, scid, token;
  PacketType type = PacketType::kInitial;
  size_t pn_offset = 0;    // where the (protected) packet number starts
  size_t packet_size = 0;  // bytes of this packet within the datagram
};

// Reads a variable-length integer; false at the end of the data.
bool read_varint(ByteReader& r, uint64_t& v);

// Parses the long header at the start of `packet` (a datagram may hold
// several coalesced packets). Version negotiation (version 0) parses with
// packet_size = the whole rest. False when malformed or not a long header.
bool parse_long_header(Bytes packet, LongHeader& out);

// True for the versions whose Initial protection is known (v1, v2, and
// the drafts 23 to 32 that real captures still hold).
bool known_version(uint32_t version);

struct Keys {
  uint8_t key[16];
  uint8_t iv[12];
  uint8_t hp[16];
};

// HKDF-Extract(salt, ikm) with SHA-256.
bool hkdf_extract(Bytes salt, Bytes ikm, uint8_t out[32]);
// HKDF-Expand-Label (RFC 8446 7.1) with an empty context, SHA-256.
bool hkdf_expand_label(Bytes secret, std::string_view label, uint8_t* out, size_t length);

// The client's (or server's) Initial keys for `dcid` under `version`.
// False for an unknown version.
bool initial_keys(uint32_t version, Bytes dcid, bool client, Keys& out);

// Removes header protection and decrypts one Initial (or any long header)
// packet in place. `packet` holds exactly the packet (packet_size bytes);
// `largest_pn` is the largest packet number seen so far in the space (-1
// for none). On success `payload` views the plaintext inside `packet`.
bool open_packet(std::vector<uint8_t>& packet, size_t pn_offset, const Keys& keys,
                 int64_t largest_pn, uint64_t& pn, Bytes& payload);

// The inverse, for tests and fuzzing: `packet` holds the header with the
// packet number (pn_len bytes at pn_offset) in clear, then the plaintext,
// then 16 bytes of room for the tag. Encrypts and applies header protection.
bool seal_packet(std::vector<uint8_t>& packet, size_t pn_offset, size_t pn_len, const Keys& keys,
                 uint64_t pn);

}  // namespace ph::proto::quic
