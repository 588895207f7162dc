// NTP recognition (see ntp.h).
#include "proto/ntp/ntp.h"

#include <string>

namespace ph::proto::ntp {
namespace {

constexpr std::string_view kModes[] = {"reserved", "symmetric_active", "symmetric_passive",
                                       "client",   "server",           "broadcast",
                                       "control",  "private"};

// A plausible NTPv1-4 packet: 48 bytes of header, then optional extension
// fields and a MAC (key id + 16/20-byte digest), so 48, 68, 72 or more in
// steps of 4. Mode 6/7 (control/private) have other layouts: not claimed.
bool plausible(Bytes d) {
  if (d.size() < 48 || d.size() % 4 != 0 || d.size() > 1024) return false;
  const int version = (d[0] >> 3) & 7, mode = d[0] & 7;
  if (version < 1 || version > 4 || mode == 0 || mode > 5) return false;
  const uint8_t stratum = d[1];
  if (mode == 4 && stratum > 16) return false;
  // Poll interval is a log2 of seconds: RFC 5905 allows 4..17, real
  // clients send 0..17 and some write 0.
  const int8_t poll = int8_t(d[2]);
  return poll >= 0 && poll <= 17;
}

class Session : public proto::Session {
 public:
  explicit Session(MessageSink& sink) : sink_(sink) {}
  Consumed on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
    if (!plausible(data)) {
      sink_.on_anomaly("ntp.bad-packet");
      return {data.size(), Status::kMalformed};
    }
    const int mode = data[0] & 7;
    Message m;
    m.protocol = "ntp";
    m.kind = std::string(kModes[mode]);
    m.dir = dir;
    m.ts = ts;
    m.frame = frame;
    m.add("ntp.version", std::to_string((data[0] >> 3) & 7));
    m.add("ntp.mode", std::string(kModes[mode]));
    if (mode == 4) m.add("ntp.stratum", std::to_string(data[1]));
    sink_.on_message(std::move(m));
    // A request and its reply say all there is.
    seen_[index(dir)] = true;
    return {data.size(), seen_[0] && seen_[1] ? Status::kDone : Status::kOk};
  }
  FlowFacts facts() const override {
    FlowFacts f;
    f.app = "ntp";
    f.encrypted = false;
    return f;
  }

 private:
  MessageSink& sink_;
  bool seen_[2] = {false, false};
};

int probe(Direction, Bytes first, uint16_t server_port) {
  if (!plausible(first)) return 0;
  // 48 bytes with a few small header values is a weak shape on its own:
  // the port makes it likely.
  return server_port == 123 ? 70 : 20;
}

std::unique_ptr<proto::Session> make(MessageSink& sink) { return std::make_unique<Session>(sink); }

}  // namespace

const Parser& parser() {
  static const Parser p{"ntp", Transport::kDatagram, probe, make};
  return p;
}

}  // namespace ph::proto::ntp
