// The SSH identification-string session (see ssh.h).
#include "proto/ssh/ssh.h"

#include <string_view>

namespace ph::proto::ssh {
namespace {

constexpr std::string_view kPrefix = "SSH-";

class Session : public proto::Session {
 public:
  explicit Session(MessageSink& sink) : sink_(sink) {}

  Consumed on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
    const int d = index(dir);
    if (seen_[d] || lost_[d]) return {data.size(), status()};
    std::string_view text = as_string(data);
    size_t pos = 0;
    while (!seen_[d]) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) {
        if (text.size() - pos > kMaxLine) return fail(d, "ssh.line-too-long", data.size());
        return {pos, Status::kNeedMore};
      }
      std::string_view line = text.substr(pos, nl - pos);
      pos = nl + 1;
      if (line.size() + 1 > kMaxLine) return fail(d, "ssh.line-too-long", data.size());
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.substr(0, kPrefix.size()) != kPrefix) {
        if (++preamble_[d] > kMaxPreamble) return fail(d, "ssh.no-banner", data.size());
        continue;
      }
      banner(dir, line, ts, frame);
      seen_[d] = true;
    }
    // What follows the banner is the binary key exchange: not read.
    return {data.size(), status()};
  }

  void on_gap(Direction dir, uint64_t) override { lost_[index(dir)] = true; }

  FlowFacts facts() const override {
    FlowFacts f;
    f.app = "ssh";
    f.encrypted = true;
    return f;
  }

 private:
  Status status() const {
    return (seen_[0] || lost_[0]) && (seen_[1] || lost_[1]) ? Status::kDone : Status::kOk;
  }
  Consumed fail(int d, std::string_view what, size_t n) {
    sink_.on_anomaly(what);
    lost_[d] = true;
    return {n, status() == Status::kDone ? Status::kDone : Status::kMalformed};
  }
  void banner(Direction dir, std::string_view line, Timestamp ts, uint64_t frame) {
    Message m;
    m.protocol = "ssh";
    m.kind = "banner";
    m.dir = dir;
    m.ts = ts;
    m.frame = frame;
    m.add("ssh.banner", std::string(line));
    std::string_view rest = line.substr(kPrefix.size());
    size_t dash = rest.find('-');
    m.add("ssh.protocol", std::string(rest.substr(0, dash)));
    if (dash != std::string_view::npos) {
      std::string_view sw = rest.substr(dash + 1);
      size_t sp = sw.find(' ');
      m.add("ssh.software", std::string(sw.substr(0, sp)));
      if (sp != std::string_view::npos) m.add("ssh.comment", std::string(sw.substr(sp + 1)));
    }
    sink_.on_message(std::move(m));
  }

  MessageSink& sink_;
  bool seen_[2] = {false, false};
  bool lost_[2] = {false, false};
  int preamble_[2] = {0, 0};
};

int probe(Direction, Bytes first, uint16_t server_port) {
  // Undecided until "SSH-2.0-" / "SSH-1.99" is complete: the dispatcher
  // probes again as more bytes arrive.
  std::string_view s = as_string(first);
  if (s.size() < 8 || s.substr(0, kPrefix.size()) != kPrefix) return 0;
  std::string_view version = s.substr(4, 4);
  if (version != "2.0-" && version != "1.99") return 0;
  return server_port == 22 ? 95 : 90;
}

std::unique_ptr<proto::Session> make(MessageSink& sink) { return std::make_unique<Session>(sink); }

}  // namespace

const Parser& parser() {
  static const Parser p{"ssh", Transport::kStream, probe, make};
  return p;
}

}  // namespace ph::proto::ssh
