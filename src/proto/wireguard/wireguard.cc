// WireGuard recognition (see wireguard.h).
#include "proto/wireguard/wireguard.h"

namespace ph::proto::wireguard {
namespace {

// Message type (first byte) followed by three reserved zero bytes; types
// 1-3 have fixed sizes, transport data is a 16-byte header plus at least
// the 16-byte tag of an AEAD-sealed (possibly empty keepalive) packet.
std::string_view message_name(Bytes d) {
  if (d.size() < 4 || d[1] != 0 || d[2] != 0 || d[3] != 0) return {};
  switch (d[0]) {
    case 1:
      return d.size() == 148 ? "handshake_initiation" : std::string_view{};
    case 2:
      return d.size() == 92 ? "handshake_response" : std::string_view{};
    case 3:
      return d.size() == 64 ? "cookie_reply" : std::string_view{};
    case 4:
      return d.size() >= 32 && d.size() % 16 == 0 ? "transport_data" : std::string_view{};
    default:
      return {};
  }
}

class Session : public proto::Session {
 public:
  explicit Session(MessageSink& sink) : sink_(sink) {}
  Consumed on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
    std::string_view name = message_name(data);
    if (name.empty()) {
      sink_.on_anomaly("wireguard.bad-message");
      return {data.size(), Status::kMalformed};
    }
    Message m;
    m.protocol = "wireguard";
    m.kind = "message";
    m.dir = dir;
    m.ts = ts;
    m.frame = frame;
    m.add("wireguard.message", std::string(name));
    sink_.on_message(std::move(m));
    return {data.size(), Status::kDone};
  }
  FlowFacts facts() const override {
    FlowFacts f;
    f.app = "wireguard";
    f.encrypted = true;
    return f;
  }

 private:
  MessageSink& sink_;
};

int probe(Direction, Bytes first, uint16_t server_port) {
  std::string_view name = message_name(first);
  if (name.empty()) return 0;
  // The handshake shapes are specific; transport data alone only says
  // "4, 0, 0, 0 and a multiple of 16", so it needs the port to count.
  int score = name == "transport_data" ? 15 : 60;
  if (server_port == 51820) score += 20;
  return score;
}

std::unique_ptr<proto::Session> make(MessageSink& sink) { return std::make_unique<Session>(sink); }

}  // namespace

const Parser& parser() {
  static const Parser p{"wireguard", Transport::kDatagram, probe, make};
  return p;
}

}  // namespace ph::proto::wireguard
