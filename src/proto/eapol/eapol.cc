// EAPOL frame decoding (see eapol.h). Frames are small and self-contained:
// the session keeps no state beyond a count of bad frames in a row.
#include "proto/eapol/eapol.h"

#include <string>

#include "proto/eap/eap.h"

namespace ph::proto::eapol {
namespace {

constexpr size_t kHeader = 4;
constexpr uint8_t kEapPacket = 0;
constexpr uint8_t kStart = 1;
constexpr uint8_t kLogoff = 2;
constexpr uint8_t kKey = 3;
constexpr uint8_t kMaxType = 8;  // 802.1X-2020: up to EAPOL-Announcement-Req
// A "flow" of frames none of which parses is not EAPOL: stop looking.
constexpr int kMaxBadStreak = 16;

bool header_ok(Bytes frame) {
  return frame.size() >= kHeader && frame[0] >= 1 && frame[0] <= 3 && frame[1] <= kMaxType &&
         load_be16(&frame[2]) <= frame.size() - kHeader;
}

std::string key_type_name(uint8_t t) {
  switch (t) {
    case 1:
      return "rc4";
    case 2:
      return "rsn";
    case 254:
      return "wpa";
    default:
      return std::to_string(t);
  }
}

class Session final : public proto::Session {
 public:
  explicit Session(MessageSink& sink) : sink_(sink) {}

  Consumed on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
    if (frame_one(dir, data, ts, frame)) {
      bad_streak_ = 0;
    } else if (++bad_streak_ >= kMaxBadStreak) {
      return {data.size(), Status::kMalformed};
    }
    return {data.size(), Status::kOk};
  }

  FlowFacts facts() const override { return {"eapol", false, {}, {}}; }

 private:
  bool frame_one(Direction dir, Bytes data, Timestamp ts, uint64_t frame) {
    if (data.size() < kHeader) {
      sink_.on_anomaly("eapol.short");
      return false;
    }
    if (data[0] < 1 || data[0] > 3) {
      sink_.on_anomaly("eapol.bad-version");
      return false;
    }
    const size_t length = load_be16(&data[2]);
    if (length > data.size() - kHeader) {
      sink_.on_anomaly("eapol.bad-length");
      return false;
    }
    // Bytes past `length` are Ethernet padding.
    Bytes body = data.subspan(kHeader, length);
    Message m;
    m.protocol = "eapol";
    m.dir = dir;
    m.ts = ts;
    m.frame = frame;
    switch (data[1]) {
      case kEapPacket: {
        eap::Result r = eap::parse(body, m, sink_);
        if (!r.ok) return false;
        std::string_view name = eap::code_name(r.code);
        m.kind = name.empty() ? "eap" : std::string(name);
        break;
      }
      case kStart:
        m.kind = "start";
        break;
      case kLogoff:
        m.kind = "logoff";
        break;
      case kKey:
        if (body.empty()) {
          sink_.on_anomaly("eapol.short");
          return false;
        }
        m.kind = "key";
        m.add("eapol.key_type", key_type_name(body[0]));
        break;
      default:
        return true;  // a valid frame of a type that names no one
    }
    sink_.on_message(std::move(m));
    return true;
  }

  MessageSink& sink_;
  int bad_streak_ = 0;
};

int probe(Direction, Bytes first, uint16_t) {
  if (!header_ok(first)) return 0;
  // An EAP packet must also look like one (code, length within the body).
  if (first[1] == kEapPacket) {
    const size_t length = load_be16(&first[2]);
    if (length < 4) return 0;
    const uint8_t code = first[4];
    const size_t eap_len = load_be16(&first[6]);
    if (code < 1 || code > 6 || eap_len < 4 || eap_len > length) return 0;
  }
  return 90;
}

std::unique_ptr<proto::Session> make(MessageSink& sink) { return std::make_unique<Session>(sink); }

}  // namespace

const Parser& parser() {
  static const Parser p{"eapol", Transport::kDatagram, probe, make};
  return p;
}

}  // namespace ph::proto::eapol
