// The TLS stream session (see tls.h). Records are parsed in place from the
// bytes the Feeder presents; an incomplete record is left unconsumed. A
// handshake message spread over several records is the one thing kept
// across calls (hs_), bounded by kMaxHandshake.
#include "proto/tls/tls.h"

#include <string>

#include "proto/tls/certificate.h"
#include "proto/tls/client_hello.h"

namespace ph::proto::tls {
namespace {

enum : uint8_t {
  kChangeCipherSpec = 20,
  kAlert = 21,
  kHandshake = 22,
  kApplicationData = 23,
  kHeartbeat = 24,
};
enum : uint8_t { kClientHello = 1, kServerHello = 2, kCertificate = 11 };

uint32_t be24(const uint8_t* p) { return uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2]; }

bool plausible_header(const uint8_t* p) {
  return p[0] >= kChangeCipherSpec && p[0] <= kHeartbeat && p[1] == 3 && p[2] <= 4 &&
         load_be16(p + 3) <= kMaxRecord;
}

class Session : public proto::Session {
 public:
  explicit Session(MessageSink& sink) : sink_(sink) {}

  Consumed on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
    const int d = index(dir);
    if (lost_[d]) return {data.size(), finished() ? Status::kDone : Status::kOk};
    size_t pos = 0;
    while (data.size() - pos >= 5) {
      const uint8_t* h = data.data() + pos;
      if (!plausible_header(h)) {
        sink_.on_anomaly(h[0] >= kChangeCipherSpec && h[0] <= kHeartbeat && h[1] == 3
                             ? "tls.record-too-long"
                             : "tls.bad-record");
        return {pos, Status::kMalformed};
      }
      const size_t len = load_be16(h + 3);
      if (data.size() - pos - 5 < len) break;
      Bytes fragment = data.subspan(pos + 5, len);
      pos += 5 + len;
      switch (h[0]) {
        case kChangeCipherSpec:
          ccs_[d] = true;
          hs_[d].clear();
          break;
        case kHandshake:
          // After ChangeCipherSpec the handshake (Finished) is encrypted.
          if (!ccs_[d] && !handshake(dir, fragment, ts, frame)) {
            lost_[d] = true;
            return {data.size(), finished() ? Status::kDone : Status::kOk};
          }
          break;
        case kApplicationData:
          app_data_ = true;
          break;
        case kAlert:
        case kHeartbeat:
        default:
          break;
      }
      if (finished()) return {pos, Status::kDone};
    }
    return {pos, pos == data.size() ? Status::kOk : Status::kNeedMore};
  }

  void on_gap(Direction dir, uint64_t) override {
    // Record boundaries are lost with the bytes: this direction is not
    // parsed any further (the other one still is).
    lost_[index(dir)] = true;
    hs_[index(dir)].clear();
  }

  FlowFacts facts() const override { return {"tls", true, sni_, {}}; }

 private:
  bool finished() const {
    return app_data_ || (ccs_[0] && ccs_[1]) || tls13_done_ || (lost_[0] && lost_[1]);
  }

  // One handshake record's fragment. False when the direction cannot be
  // followed any further (anomaly reported).
  bool handshake(Direction dir, Bytes fragment, Timestamp ts, uint64_t frame) {
    std::string& buf = hs_[index(dir)];
    Bytes input = fragment;
    if (!buf.empty()) {
      buf.append(as_string(fragment));
      input = as_bytes(buf);
    }
    size_t pos = 0;
    while (input.size() - pos >= 4) {
      const uint8_t type = input[pos];
      const size_t len = be24(input.data() + pos + 1);
      if (len > kMaxHandshake) {
        sink_.on_anomaly("tls.handshake-too-long");
        buf.clear();
        return false;
      }
      if (input.size() - pos - 4 < len) break;
      message(dir, type, input.subspan(pos + 4, len), ts, frame);
      pos += 4 + len;
    }
    if (buf.empty()) {
      buf.assign(as_string(input.subspan(pos)));
    } else {
      buf.erase(0, pos);
    }
    return true;
  }

  void message(Direction dir, uint8_t type, Bytes body, Timestamp ts, uint64_t frame) {
    Message m;
    m.protocol = "tls";
    m.dir = dir;
    m.ts = ts;
    m.frame = frame;
    if (type == kClientHello && dir == Direction::kUp) {
      ClientHello ch;
      if (!parse_client_hello(body, ch)) {
        sink_.on_anomaly("tls.bad-client-hello");
        return;
      }
      if (ch.truncated_lists) sink_.on_anomaly("tls.list-limit");
      if (sni_.empty()) sni_ = ch.sni;
      m.kind = "client_hello";
      add_client_hello_fields(ch, 't', m);
    } else if (type == kServerHello && dir == Direction::kDown) {
      ServerHello sh;
      if (!parse_server_hello(body, sh)) {
        sink_.on_anomaly("tls.bad-server-hello");
        return;
      }
      m.kind = "server_hello";
      m.add("tls.server_version", version_name(sh.selected_version));
      m.add("tls.cipher", hex16(sh.cipher));
      if (sh.hello_retry) m.add("tls.hello_retry", "true");
      if (sh.selected_version == 0x0304 || is_tls13_draft(sh.selected_version)) {
        tls13_ = true;
        // Everything after a TLS 1.3 ServerHello is encrypted.
        if (!sh.hello_retry) tls13_done_ = true;
      }
    } else if (type == kCertificate && dir == Direction::kDown && !tls13_) {
      CertificateInfo cert;
      if (!parse_first_certificate(body, cert)) {
        sink_.on_anomaly("tls.bad-certificate");
        return;
      }
      if (cert.sans_truncated) sink_.on_anomaly("tls.san-limit");
      m.kind = "certificate";
      m.add("tls.cert.subject", std::move(cert.subject));
      m.add("tls.cert.issuer", std::move(cert.issuer));
      for (auto& san : cert.sans) m.add("tls.cert.san", std::move(san));
    } else {
      return;
    }
    sink_.on_message(std::move(m));
  }

  MessageSink& sink_;
  std::string hs_[2];  // a handshake message spread over records
  bool ccs_[2] = {false, false};
  bool lost_[2] = {false, false};
  bool app_data_ = false;
  bool tls13_ = false;
  bool tls13_done_ = false;
  std::string sni_;
};

int probe(Direction dir, Bytes first, uint16_t server_port) {
  if (first.size() < 5 || first[0] != kHandshake || !plausible_header(first.data())) return 0;
  if (load_be16(first.data() + 3) < 4) return 0;
  int score = 60;
  if (first.size() >= 6) {
    const uint8_t want = dir == Direction::kUp ? kClientHello : kServerHello;
    if (first[5] != want) return 0;
    score = 85;
  }
  if (server_port == 443 || server_port == 853 || server_port == 8443) score += 5;
  return score;
}

std::unique_ptr<proto::Session> make(MessageSink& sink) { return std::make_unique<Session>(sink); }

}  // namespace

const Parser& parser() {
  static const Parser kParser{"tls", Transport::kStream, probe, make};
  return kParser;
}

}  // namespace ph::proto::tls
