// The QUIC datagram session (see quic.h). Only the client's Initial packets
// are opened; the CRYPTO stream of the Initial space is reassembled in
// crypto_ (ranges_ records which bytes are present) until the ClientHello
// is complete.
#include "proto/quic/quic.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "proto/quic/initial.h"
#include "proto/tls/client_hello.h"

namespace ph::proto::quic {
namespace {

std::string version_text(uint32_t v) {
  static const char kHex[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) s += kHex[(v >> shift) & 15];
  return s;
}

class Session : public proto::Session {
 public:
  explicit Session(MessageSink& sink) : sink_(sink) {}

  Consumed on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
    if (dir == Direction::kUp) ++client_datagrams_;
    size_t pos = 0;
    while (pos < data.size() && !done_) {
      Bytes rest = data.subspan(pos);
      if ((rest[0] & 0x80) == 0) {
        // A short header packet fills the rest of the datagram; zero bytes
        // after coalesced packets are padding, not a packet.
        if (rest[0] != 0) ++encrypted_packets_;
        break;
      }
      LongHeader h;
      if (!parse_long_header(rest, h)) {
        sink_.on_anomaly("quic.bad-header");
        break;
      }
      if (h.version == 0) break;  // version negotiation: the client starts again
      Bytes packet = rest.first(h.packet_size);
      if (h.type == PacketType::kInitial && dir == Direction::kUp) {
        client_initial(h, packet, ts, frame);
      } else {
        ++encrypted_packets_;
        // After a Retry the client's next Initial is keyed by its new DCID.
        if (h.type == PacketType::kRetry && dir == Direction::kDown) have_keys_ = false;
      }
      pos += h.packet_size;
    }
    if (!done_ && dir == Direction::kUp && client_datagrams_ >= kMaxClientInitialDatagrams) {
      sink_.on_anomaly("quic.no-client-hello");
      done_ = true;
    }
    return {data.size(), done_ ? Status::kDone : Status::kOk};
  }

  FlowFacts facts() const override { return {"quic", true, sni_, {}}; }

 private:
  bool open(const LongHeader& h, Bytes packet, const Keys& keys, uint64_t& pn, Bytes& payload) {
    scratch_.assign(packet.begin(), packet.end());
    return open_packet(scratch_, h.pn_offset, keys, largest_pn_, pn, payload);
  }

  void client_initial(const LongHeader& h, Bytes packet, Timestamp ts, uint64_t frame) {
    if (!known_version(h.version)) {
      if (!unknown_version_reported_) sink_.on_anomaly("quic.unknown-version");
      unknown_version_reported_ = true;
      return;
    }
    if (!have_keys_ || h.version != version_) {
      // The first Initial (or a restart after version negotiation or Retry).
      version_ = h.version;
      have_keys_ = initial_keys(h.version, h.dcid, /*client=*/true, keys_);
      crypto_.clear();
      ranges_.clear();
      if (!have_keys_) return;
    }
    uint64_t pn = 0;
    Bytes payload;
    bool ok = open(h, packet, keys_, pn, payload);
    if (!ok) {
      // A capture that missed the first Initial: try this packet's own DCID.
      Keys other;
      if (initial_keys(h.version, h.dcid, true, other) && open(h, packet, other, pn, payload)) {
        keys_ = other;
        ok = true;
      }
    }
    if (!ok) {
      sink_.on_anomaly("quic.decrypt-failed");
      return;
    }
    largest_pn_ = std::max<int64_t>(largest_pn_, static_cast<int64_t>(pn));
    if (!frames(payload)) sink_.on_anomaly("quic.bad-frame");
    client_hello(ts, frame);
  }

  // Walks the frames of a decrypted Initial; false at a frame that cannot
  // be in an Initial packet or does not parse.
  bool frames(Bytes payload) {
    ByteReader r(payload);
    while (!r.empty()) {
      uint64_t type;
      if (!read_varint(r, type)) return false;
      uint64_t a, b, c, n;
      Bytes skip;
      switch (type) {
        case 0x00:  // PADDING
          while (!r.empty() && r.rest()[0] == 0) r.skip(1);
          break;
        case 0x01:  // PING
          break;
        case 0x02:
        case 0x03:  // ACK (with ECN counts for 0x03)
          if (!read_varint(r, a) || !read_varint(r, b) || !read_varint(r, n) || !read_varint(r, c))
            return false;
          for (uint64_t i = 0; i < n; ++i)
            if (!read_varint(r, a) || !read_varint(r, b)) return false;
          if (type == 0x03 && !(read_varint(r, a) && read_varint(r, b) && read_varint(r, c)))
            return false;
          break;
        case 0x06:  // CRYPTO
          if (!read_varint(r, a) || !read_varint(r, b) || !r.take(b, skip)) return false;
          add_crypto(a, skip);
          break;
        case 0x1c:  // CONNECTION_CLOSE (transport)
        case 0x1d:  // CONNECTION_CLOSE (application)
          if (!read_varint(r, a) || (type == 0x1c && !read_varint(r, b)) || !read_varint(r, n) ||
              !r.take(n, skip))
            return false;
          break;
        default:
          return false;
      }
    }
    return true;
  }

  void add_crypto(uint64_t offset, Bytes data) {
    if (data.empty()) return;
    if (offset > kMaxCrypto || data.size() > kMaxCrypto - offset) {
      sink_.on_anomaly("quic.crypto-limit");
      done_ = true;
      return;
    }
    const uint64_t end = offset + data.size();
    if (crypto_.size() < end) crypto_.resize(end);
    std::memcpy(crypto_.data() + offset, data.data(), data.size());
    // Insert [offset, end) and merge overlapping or touching ranges.
    ranges_.emplace_back(offset, end);
    std::sort(ranges_.begin(), ranges_.end());
    std::vector<std::pair<uint64_t, uint64_t>> merged;
    for (const auto& r : ranges_) {
      if (!merged.empty() && r.first <= merged.back().second) {
        merged.back().second = std::max(merged.back().second, r.second);
      } else {
        merged.push_back(r);
      }
    }
    ranges_.swap(merged);
  }

  void client_hello(Timestamp ts, uint64_t frame) {
    if (done_ || ranges_.empty() || ranges_[0].first != 0) return;
    const uint64_t have = ranges_[0].second;
    if (have < 4) return;
    if (crypto_[0] != 1) {
      sink_.on_anomaly("quic.not-client-hello");
      done_ = true;
      return;
    }
    const size_t len = uint32_t(crypto_[1]) << 16 | uint32_t(crypto_[2]) << 8 | crypto_[3];
    if (len + 4 > kMaxCrypto) {
      sink_.on_anomaly("quic.crypto-limit");
      done_ = true;
      return;
    }
    if (have < len + 4) return;
    done_ = true;
    tls::ClientHello ch;
    if (!tls::parse_client_hello(Bytes(crypto_.data() + 4, len), ch)) {
      sink_.on_anomaly("quic.bad-client-hello");
      return;
    }
    if (ch.truncated_lists) sink_.on_anomaly("tls.list-limit");
    sni_ = ch.sni;
    Message m;
    m.protocol = "quic";
    m.kind = "client_hello";
    m.dir = Direction::kUp;
    m.ts = ts;
    m.frame = frame;
    m.add("quic.version", version_text(version_));
    tls::add_client_hello_fields(ch, 'q', m);
    sink_.on_message(std::move(m));
  }

  MessageSink& sink_;
  bool have_keys_ = false;
  bool done_ = false;
  bool unknown_version_reported_ = false;
  uint32_t version_ = 0;
  Keys keys_{};
  int64_t largest_pn_ = -1;
  std::vector<uint8_t> scratch_;  // the packet being opened (decrypted in place)
  std::vector<uint8_t> crypto_;   // the Initial space's CRYPTO stream
  std::vector<std::pair<uint64_t, uint64_t>> ranges_;  // present byte ranges, merged
  uint64_t client_datagrams_ = 0;
  uint64_t encrypted_packets_ = 0;  // packets not opened (counted, not parsed)
  std::string sni_;
};

int probe(Direction dir, Bytes first, uint16_t server_port) {
  LongHeader h;
  if (first.empty() || (first[0] & 0xc0) != 0xc0 || !parse_long_header(first, h)) return 0;
  if (h.version != kVersion1 && h.version != kVersion2) return known_version(h.version) ? 50 : 0;
  int score = 70;
  // A client's Initial is padded to at least 1200 bytes (RFC 9000 14.1).
  if (dir == Direction::kUp && h.type == PacketType::kInitial && first.size() >= 1200) score = 90;
  if (server_port == 443) score += 5;
  return score;
}

std::unique_ptr<proto::Session> make(MessageSink& sink) { return std::make_unique<Session>(sink); }

}  // namespace

const Parser& parser() {
  static const Parser kParser{"quic", Transport::kDatagram, probe, make};
  return kParser;
}

}  // namespace ph::proto::quic
