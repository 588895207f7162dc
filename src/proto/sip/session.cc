// The SIP sessions (see sip.h) and the probe. Over UDP each datagram is one
// message: its body is what follows the head, cut to Content-Length. Over
// TCP a direction alternates between a head (left unconsumed until its
// empty line has arrived, so the Feeder re-presents it) and a body of
// Content-Length bytes consumed as they come; a hole or a line that cannot
// start a message sends it looking for the next start line.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "proto/http/text.h"
#include "proto/sip/message.h"
#include "proto/sip/sip.h"

namespace ph::proto::sip {
namespace {

using namespace std::string_view_literals;

// Bytes skipped while looking for a start line before giving up on a TCP
// direction (it is probably not SIP any more).
constexpr uint64_t kResyncBudget = 1024 * 1024;

// Finds the end of the head at the start of `in` (just after its empty
// line), searching from `from`; npos when it has not arrived yet.
size_t find_head_end(std::string_view in, size_t from) {
  size_t i = from;
  while ((i = in.find('\n', i)) != std::string_view::npos) {
    if (i + 1 < in.size() && in[i + 1] == '\n') return i + 2;
    if (i + 2 < in.size() && in[i + 1] == '\r' && in[i + 2] == '\n') return i + 3;
    ++i;
  }
  return std::string_view::npos;
}

// The host of a sip:/sips: URI when it is a name (not an address literal).
std::string uri_host_name(std::string_view uri) {
  size_t colon = uri.find(':');
  if (colon == std::string_view::npos) return {};
  std::string_view scheme = uri.substr(0, colon);
  if (!http::iequals(scheme, "sip") && !http::iequals(scheme, "sips")) return {};
  std::string_view rest = uri.substr(colon + 1);
  size_t at = rest.find('@');
  if (at != std::string_view::npos) rest.remove_prefix(at + 1);
  rest = rest.substr(0, rest.find_first_of(";?"));
  if (rest.empty() || rest.front() == '[') return {};
  rest = rest.substr(0, rest.find(':'));
  bool letter = false;
  for (char c : rest) letter = letter || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return letter ? std::string(rest) : std::string();
}

class SessionBase : public Session {
 public:
  SessionBase(MessageSink& sink, const Limits& limits) : sink_(sink), limits_(limits) {}
  FlowFacts facts() const override { return {"sip", false, {}, host_}; }

 protected:
  // Hands a message on after reading its body's fields.
  void emit(Message&& m, Direction dir, Timestamp ts, uint64_t frame) {
    parse_body(sink_, m);
    if (host_.empty() && !request_seen_ && m.kind == "request") {
      if (const Field* uri = m.find("sip.request_uri")) host_ = uri_host_name(uri->value);
    }
    if (m.kind == "request") request_seen_ = true;
    m.dir = dir;
    m.ts = ts;
    m.frame = frame;
    sink_.on_message(std::move(m));
  }
  // Appends to the body up to the cap.
  void add_body(Message& m, std::string_view bytes) {
    size_t room = limits_.max_body > m.body.size() ? limits_.max_body - m.body.size() : 0;
    if (bytes.size() > room) {
      if (!m.body_truncated) sink_.on_anomaly("sip.body-cap");
      m.body_truncated = true;
      bytes = bytes.substr(0, room);
    }
    m.body.append(bytes);
  }

  MessageSink& sink_;
  Limits limits_;
  std::string host_;
  bool request_seen_ = false;
};

// STUN keep-alives share the SIP flow (RFC 5626 4.4.2): binding messages
// with the magic cookie. Not SIP, not an anomaly.
bool is_stun(std::string_view d) {
  return d.size() >= 20 && (uint8_t(d[0]) & 0xC0) == 0 && d[4] == '\x21' && d[5] == '\x12' &&
         d[6] == '\xA4' && d[7] == '\x42';
}

class UdpSession final : public SessionBase {
 public:
  using SessionBase::SessionBase;

  Consumed on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
    std::string_view in = as_string(data);
    const Consumed all{data.size(), Status::kOk};
    // Keep-alives: CRLFs (RFC 5626 4.4.1), or bytes of zeros some phones send.
    size_t start = in.find_first_not_of("\r\n \t\0"sv);
    if (start == std::string_view::npos || is_stun(in)) return all;
    in.remove_prefix(start);
    size_t end = find_head_end(in, 0);
    std::string_view head = in.substr(0, end);
    if (end == std::string_view::npos) {
      // Headers not closed by an empty line: a cut datagram. Read what is there.
      while (!head.empty() && (head.back() == '\n' || head.back() == '\r')) head.remove_suffix(1);
    }
    if (head.size() > limits_.max_head) {
      sink_.on_anomaly("sip.head-too-long");
      return all;
    }
    Message m;
    Framing framing;
    if (!parse_head(head, limits_, sink_, m, framing)) {
      sink_.on_anomaly("sip.bad-start-line");
      return all;
    }
    std::string_view body;
    if (end == std::string_view::npos) {
      sink_.on_anomaly("sip.no-end-of-headers");
      m.body_truncated = true;
    } else {
      body = in.substr(end);
    }
    // RFC 3261 18.3: bytes past Content-Length are discarded; fewer than it
    // says is a cut message.
    if (framing.has_length && framing.content_length < body.size()) {
      body = body.substr(0, size_t(framing.content_length));
    } else if (framing.has_length && framing.content_length > body.size()) {
      sink_.on_anomaly("sip.body-short");
      m.body_truncated = true;
    }
    add_body(m, body);
    emit(std::move(m), dir, ts, frame);
    return all;
  }
};

class TcpSession final : public SessionBase {
 public:
  using SessionBase::SessionBase;

  Consumed on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override;
  void on_gap(Direction dir, uint64_t length) override;
  void on_end(Timestamp ts) override;

 private:
  enum class State : uint8_t { kHead, kBody, kResync, kStopped };
  struct Side {
    State state = State::kHead;
    size_t scan = 0;         // bytes of the unconsumed head already searched
    bool skip_line = false;  // resync: the current line is known not to start a message
    uint64_t skipped = 0;    // bytes skipped while resyncing
    uint64_t remaining = 0;  // body bytes to come
    Message msg;
  };

  void resync(Side& s, bool skip_line) {
    s.state = State::kResync;
    s.skip_line = skip_line;
    s.scan = 0;
  }

  Side side_[2];
  Timestamp last_ts_ = 0;
  uint64_t last_frame_ = 0;
};

Consumed TcpSession::on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) {
  last_ts_ = ts;
  last_frame_ = frame;
  Side& s = side_[index(dir)];
  const std::string_view in = as_string(data);
  size_t pos = 0;
  while (pos < in.size()) {
    std::string_view rest = in.substr(pos);
    switch (s.state) {
      case State::kStopped:
        return {pos, Status::kMalformed};
      case State::kResync: {
        size_t nl = rest.find('\n');
        if (nl == std::string_view::npos) {
          // A start line longer than a header line may be is not one.
          if (!s.skip_line && rest.size() <= limits_.max_line) return {pos, Status::kNeedMore};
          s.skip_line = true;
          s.skipped += rest.size();
          pos = in.size();
        } else {
          // (a start line longer than a header line may be is skipped,
          // however the bytes were split)
          bool complete;
          std::string_view line = first_line(rest, complete);
          if (!s.skip_line && line.size() <= limits_.max_line && is_start_line(line)) {
            s.state = State::kHead;
            s.skipped = 0;
            break;
          }
          s.skip_line = false;
          s.skipped += nl + 1;
          pos += nl + 1;
        }
        if (s.skipped > kResyncBudget) {
          sink_.on_anomaly("sip.resync-failed");
          s.state = State::kStopped;
          return {pos, Status::kMalformed};
        }
        break;
      }
      case State::kHead: {
        if (s.scan == 0) {
          // CRLF keep-alives between messages (RFC 5626 3.5.1).
          size_t start = rest.find_first_not_of("\r\n"sv);
          if (start == std::string_view::npos) return {in.size(), Status::kOk};
          pos += start;
          rest.remove_prefix(start);
        }
        // Fail fast on a first line that cannot start a message.
        bool complete;
        std::string_view line = first_line(rest, complete);
        if (line.size() > limits_.max_line || (complete && !is_start_line(line))) {
          sink_.on_anomaly("sip.bad-start-line");
          resync(s, true);
          break;
        }
        size_t end = find_head_end(rest, s.scan > 3 ? s.scan - 3 : 0);
        if (end == std::string_view::npos ? rest.size() > limits_.max_head
                                          : end > limits_.max_head) {
          sink_.on_anomaly("sip.head-too-long");
          resync(s, true);
          break;
        }
        if (end == std::string_view::npos) {
          s.scan = rest.size();
          return {pos, Status::kNeedMore};
        }
        s.scan = 0;
        Message m;
        Framing framing;
        parse_head(rest.substr(0, end), limits_, sink_, m, framing);  // the start line is valid
        pos += end;
        if (!framing.has_length) {
          // Required over a stream (RFC 3261 20.14): without it, no body.
          sink_.on_anomaly("sip.no-content-length");
        }
        if (framing.content_length == 0) {
          emit(std::move(m), dir, ts, frame);
        } else {
          s.msg = std::move(m);
          s.remaining = framing.content_length;
          s.state = State::kBody;
        }
        break;
      }
      case State::kBody: {
        size_t n = size_t(std::min<uint64_t>(s.remaining, rest.size()));
        add_body(s.msg, rest.substr(0, n));
        pos += n;
        s.remaining -= n;
        if (s.remaining == 0) {
          emit(std::move(s.msg), dir, ts, frame);
          s.msg = Message{};
          s.state = State::kHead;
        }
        break;
      }
    }
  }
  return {pos, Status::kOk};
}

void TcpSession::on_gap(Direction dir, uint64_t length) {
  Side& s = side_[index(dir)];
  switch (s.state) {
    case State::kStopped:
      return;
    case State::kBody:
      if (!s.msg.body_truncated) sink_.on_anomaly("sip.body-gap");
      s.msg.body_truncated = true;
      if (length < s.remaining) {
        s.remaining -= length;
        return;
      }
      emit(std::move(s.msg), dir, last_ts_, last_frame_);
      s.msg = Message{};
      if (length == s.remaining) {
        s.state = State::kHead;
        s.scan = 0;
        return;
      }
      break;
    case State::kHead:
    case State::kResync:
      break;
  }
  // The hole may have swallowed a message boundary: find the next start line.
  resync(s, false);
}

void TcpSession::on_end(Timestamp ts) {
  for (Direction dir : {Direction::kUp, Direction::kDown}) {
    Side& s = side_[index(dir)];
    if (s.state != State::kBody) continue;
    sink_.on_anomaly("sip.incomplete-body");
    s.msg.body_truncated = true;
    emit(std::move(s.msg), dir, ts, last_frame_);
    s.msg = Message{};
    s.state = State::kHead;
  }
}

constexpr std::array<std::string_view, 14> kMethods = {
    "INVITE", "REGISTER", "ACK",  "BYE",   "CANCEL", "OPTIONS", "SUBSCRIBE",
    "NOTIFY", "MESSAGE",  "INFO", "PRACK", "UPDATE", "REFER",   "PUBLISH"};

int probe(Direction, Bytes first, uint16_t server_port) {
  std::string_view s = as_string(first);
  size_t start = s.find_first_not_of("\r\n"sv);
  if (start == std::string_view::npos) return 0;
  s.remove_prefix(start);
  bool complete;
  std::string_view line = first_line(s, complete);
  std::string_view a, b;
  int score = 0;
  if (parse_status_line(line, a, b)) {
    score = 95;
  } else if (complete && parse_request_line(line, a, b)) {
    const bool sip_uri = b.size() > 4 && (http::iequals(b.substr(0, 4), "sip:") ||
                                          http::iequals(b.substr(0, 5), "sips:") ||
                                          http::iequals(b.substr(0, 4), "tel:"));
    score = sip_uri ? 95 : 80;
  } else if (!complete && line.size() < 1024) {
    // A request line longer than what has arrived: a SIP method and URI.
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return 0;
    std::string_view method = line.substr(0, sp), uri = line.substr(sp + 1);
    if (std::find(kMethods.begin(), kMethods.end(), method) == kMethods.end()) return 0;
    if (uri.find(' ') != std::string_view::npos) return 0;
    // (the URI's scheme may still be arriving too)
    auto scheme = [&uri](std::string_view s) {
      return uri.substr(0, s.size()) == s.substr(0, std::min(uri.size(), s.size()));
    };
    if (uri.empty() || (!scheme("sip:") && !scheme("sips:") && !scheme("tel:"))) return 0;
    score = 70;
  }
  if (score > 0 && (server_port == 5060 || server_port == 5061)) score += 5;
  return std::min(score, 100);
}

std::unique_ptr<Session> make_udp(MessageSink& sink) {
  return std::make_unique<UdpSession>(sink, Limits{});
}
std::unique_ptr<Session> make_tcp(MessageSink& sink) {
  return std::make_unique<TcpSession>(sink, Limits{});
}

}  // namespace

const Parser& parser() {
  static const Parser kParser{"sip", Transport::kDatagram, probe, make_udp};
  return kParser;
}

const Parser& tcp_parser() {
  static const Parser kParser{"sip", Transport::kStream, probe, make_tcp};
  return kParser;
}

std::unique_ptr<Session> make_session(MessageSink& sink, const Limits& limits, bool stream) {
  if (stream) return std::make_unique<TcpSession>(sink, limits);
  return std::make_unique<UdpSession>(sink, limits);
}

}  // namespace ph::proto::sip
