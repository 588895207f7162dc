// The HTTP/1.x session (see http.h): a small state machine per direction
// that reads a head (start line and header section) once it is complete,
// then the body by its framing, and hands each message to the sink when
// its body ends. Heads and chunk lines that are not complete yet are left
// unconsumed (the Feeder presents them again); body bytes are consumed as
// they come, so nothing is buffered twice.
#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "proto/http/content_coding.h"
#include "proto/http/http.h"
#include "proto/http/text.h"

namespace ph::proto::http {
namespace {

using namespace std::string_view_literals;

enum class State : uint8_t {
  kHead,        // waiting for a complete start line + header section
  kLength,      // Content-Length body: `remaining` bytes to go
  kChunkSize,   // a chunk-size line
  kChunkData,   // `remaining` bytes of chunk data
  kChunkEnd,    // the CRLF after chunk data
  kTrailers,    // trailer lines up to an empty line
  kUntilClose,  // a response body delimited by the end of the connection
  kHold,        // after CONNECT or an Upgrade request: wait for the response
  kResync,      // after a hole or a bad head: skip to what may start a message
  kStopped,     // malformed: nothing more in this direction
};

// What a pending request tells the response that answers it.
enum RequestFlag : uint8_t { kHeadRequest = 1, kConnect = 2, kUpgrade = 4 };

struct Side {
  State state = State::kHead;
  size_t scan = 0;  // bytes of the unconsumed line/head already searched for its end
  uint64_t remaining = 0;
  size_t trailer_bytes = 0;
  bool resyncing = false;  // since a hole or a bad head, until a head parses
  uint64_t skipped = 0;    // bytes skipped while resyncing
  // The message being read (its head is parsed, its body is coming).
  Message msg;
  std::string body;
  std::string content_encoding;
  bool chunked = false;
  bool hold_after = false;    // a CONNECT/Upgrade request: hold this direction after it
  bool keep_contents = true;  // the sink wants this direction's headers and bodies
  size_t fields = 0;
};

struct Framing {
  std::string transfer_encoding;  // all Transfer-Encoding values, comma-joined
  bool has_te = false;
  std::string content_encoding;
  std::string content_type;
  std::string content_length;  // all Content-Length values, comma-joined
  bool has_cl = false;
  bool upgrade = false;
  bool host_seen = false;
};

constexpr std::array<std::string_view, 9> kMethods = {
    "GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "};

// Resynchronisation: the longest request target looked for, the bytes
// kept unconsumed while nothing is found (a start line may be completed by
// the next data: kept >= target + method + version), and how much may be
// skipped before giving up on the direction.
constexpr size_t kResyncTarget = 2000;
constexpr size_t kResyncKeep = 2048;
constexpr uint64_t kResyncBudget = 16 * 1024 * 1024;
constexpr size_t kMaxChunkLine = 4096;

enum class Match { kNo, kPartial, kYes };

// Does `s` begin with `prefix` (kPartial: `s` is a shorter prefix of it)?
Match match_prefix(std::string_view s, std::string_view prefix) {
  size_t n = std::min(s.size(), prefix.size());
  if (s.compare(0, n, prefix.substr(0, n)) != 0) return Match::kNo;
  return n == prefix.size() ? Match::kYes : Match::kPartial;
}

// Does `s` look like the start of a message in direction `dir`?
Match match_start(Direction dir, std::string_view s) {
  if (dir == Direction::kDown) return match_prefix(s, "HTTP/1.");
  Match best = Match::kNo;
  for (std::string_view m : kMethods) {
    Match r = match_prefix(s, m);
    if (r == Match::kYes) return r;
    if (r == Match::kPartial) best = r;
  }
  return best;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "1.2.3.4:80" -> "1.2.3.4", "[::1]:80" -> "::1", "name" -> "name".
std::string host_name(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close != std::string_view::npos) return std::string(host.substr(1, close - 1));
  }
  size_t colon = host.rfind(':');
  if (colon != std::string_view::npos && host.find(':') == colon) host = host.substr(0, colon);
  return std::string(host);
}

// "text/html; charset=utf-8" -> "text/html".
std::string media_type(std::string_view v) {
  size_t semi = v.find(';');
  if (semi != std::string_view::npos) v = v.substr(0, semi);
  return to_lower(trim(v));
}

// Comma-separated list elements, trimmed, empty ones skipped.
template <class F>
void for_each_element(std::string_view list, F&& f) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view e = trim(list.substr(0, comma));
    if (!e.empty()) f(e);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

class HttpSession final : public Session {
 public:
  HttpSession(MessageSink& sink, const Limits& limits) : sink_(sink), limits_(limits) {}

  Consumed on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override;
  void on_gap(Direction dir, uint64_t length) override;
  void on_end(Timestamp ts) override;
  FlowFacts facts() const override { return {"http", false, {}, host_}; }

 private:
  enum class HeadResult { kOk, kBadStart, kMalformed, kDone };

  // Finds the end of the head that starts `in` (after its empty line).
  enum class Scan { kFound, kIncomplete, kBad, kTooLong };
  Scan find_head_end(Direction dir, Side& s, std::string_view in, size_t& end);
  // Finds the next '\n' in `in` resuming at s.scan; npos when incomplete.
  static size_t find_line(Side& s, std::string_view in);

  HeadResult on_head(Direction dir, Side& s, std::string_view head, Timestamp ts, uint64_t frame);
  static bool parse_request_line(std::string_view line, std::string_view& method,
                                 std::string_view& target, std::string_view& version);
  static bool parse_status_line(std::string_view line, int& code);
  void add_target_fields(std::string_view target, Side& s, std::string& authority);
  void add_header(Direction dir, Side& s, std::string_view name, std::string_view value,
                  Framing& f);
  void add_field(Side& s, std::string name, std::string value, std::string key = {});
  // Decides the body framing after a head; false: cannot be framed.
  bool frame_body(Direction dir, Side& s, const Framing& f, bool is_request);

  void add_body(Side& s, std::string_view bytes);
  void decode_body(Side& s);
  // Emits the message being read; returns true when the flow is done.
  void finish(Direction dir, Side& s, Timestamp ts, uint64_t frame);
  // Emits what was read of a message cut by malformed framing, stops the direction.
  Consumed fail(Direction dir, Side& s, std::string_view anomaly, size_t pos, Timestamp ts,
                uint64_t frame);
  void truncated(Side& s, std::string_view anomaly);
  void reset(Side& s, State next);

  // A head that is not one: resynchronise (true) or stop the direction.
  bool start_bad(Side& s, size_t& pos);
  static size_t find_resync(Direction dir, std::string_view in);

  void push_request(uint8_t flags);
  uint8_t pop_request();

  MessageSink& sink_;
  Limits limits_;
  Side side_[2];
  // Requests whose response has not been read yet (a ring; pipelining).
  std::vector<uint8_t> pending_;
  size_t pending_head_ = 0, pending_count_ = 0;
  std::string host_;
  bool request_seen_ = false;
  uint64_t messages_ = 0;
  bool done_ = false;
  Timestamp last_ts_ = 0;
  uint64_t last_frame_ = 0;
};

void HttpSession::push_request(uint8_t flags) {
  if (pending_count_ == limits_.max_pipeline) {
    sink_.on_anomaly("http.pipeline-cap");
    return;
  }
  if (pending_.empty()) pending_.resize(limits_.max_pipeline);
  pending_[(pending_head_ + pending_count_) % pending_.size()] = flags;
  ++pending_count_;
}

uint8_t HttpSession::pop_request() {
  if (pending_count_ == 0) return 0;  // request not seen: assume a plain GET
  uint8_t flags = pending_[pending_head_];
  pending_head_ = (pending_head_ + 1) % pending_.size();
  --pending_count_;
  return flags;
}

size_t HttpSession::find_line(Side& s, std::string_view in) {
  size_t nl = in.find('\n', std::min(s.scan, in.size()));
  if (nl == std::string_view::npos) {
    s.scan = in.size();
    return nl;
  }
  s.scan = 0;
  return nl;
}

HttpSession::Scan HttpSession::find_head_end(Direction dir, Side& s, std::string_view in,
                                             size_t& end) {
  // Fail fast on what cannot begin a message (binary, another protocol),
  // however the bytes were split.
  if (dir == Direction::kDown) {
    if (match_prefix(in, "HTTP/"sv) == Match::kNo) return Scan::kBad;
  } else {
    size_t i = 0;
    while (i < in.size() && i < 32 && is_tchar(static_cast<unsigned char>(in[i]))) ++i;
    if (i < in.size() && (i == 0 || i == 32 || in[i] != ' ')) return Scan::kBad;
  }
  size_t i = s.scan;
  while ((i = in.find('\n', i)) != std::string_view::npos) {
    if (i + 1 < in.size() && in[i + 1] == '\n') {
      end = i + 2;
    } else if (i + 2 < in.size() && in[i + 1] == '\r' && in[i + 2] == '\n') {
      end = i + 3;
    } else if (i + 1 == in.size() || (i + 2 == in.size() && in[i + 1] == '\r')) {
      break;  // the next line has not arrived yet: look at this '\n' again
    } else {
      ++i;
      continue;
    }
    if (end > limits_.max_head) return Scan::kTooLong;
    s.scan = 0;
    return Scan::kFound;
  }
  s.scan = i == std::string_view::npos ? in.size() : i;
  return in.size() > limits_.max_head ? Scan::kTooLong : Scan::kIncomplete;
}

void HttpSession::add_field(Side& s, std::string name, std::string value, std::string key) {
  if (s.fields == limits_.max_fields) {
    sink_.on_anomaly("http.too-many-fields");
    ++s.fields;  // reported once per message
    return;
  }
  if (s.fields > limits_.max_fields) return;
  ++s.fields;
  s.msg.add(std::move(name), std::move(value), std::move(key));
}

bool HttpSession::parse_request_line(std::string_view line, std::string_view& method,
                                     std::string_view& target, std::string_view& version) {
  size_t sp1 = line.find(' ');
  size_t sp2 = line.rfind(' ');
  if (sp1 == 0 || sp1 == std::string_view::npos || sp2 == sp1) return false;
  method = line.substr(0, sp1);
  target = trim(line.substr(sp1 + 1, sp2 - sp1 - 1));
  version = line.substr(sp2 + 1);
  for (char c : method)
    if (!is_tchar(static_cast<unsigned char>(c))) return false;
  return !target.empty() && version.size() == 8 && version.substr(0, 5) == "HTTP/" &&
         is_digit(version[5]) && version[6] == '.' && is_digit(version[7]);
}

bool HttpSession::parse_status_line(std::string_view line, int& code) {
  // HTTP-version SP 3DIGIT SP [reason]; the SP before an empty reason is
  // often missing in practice.
  if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || !is_digit(line[5]) || line[6] != '.' ||
      !is_digit(line[7]) || line[8] != ' ' || !is_digit(line[9]) || !is_digit(line[10]) ||
      !is_digit(line[11]) || (line.size() > 12 && line[12] != ' '))
    return false;
  code = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  return true;
}

void HttpSession::add_target_fields(std::string_view target, Side& s, std::string& authority) {
  // absolute-form (proxies): scheme "://" authority path-abempty [ "?" query ]
  size_t scheme_end = target.find("://");
  if (!target.empty() && target.front() != '/' && scheme_end != std::string_view::npos &&
      scheme_end > 0 && target.substr(0, scheme_end).find('/') == std::string_view::npos) {
    std::string_view rest = target.substr(scheme_end + 3);
    size_t path_at = rest.find_first_of("/?#");
    authority = std::string(rest.substr(0, path_at));
    size_t at = authority.rfind('@');  // userinfo is not part of the host
    if (at != std::string::npos) authority.erase(0, at + 1);
    target = path_at == std::string_view::npos ? std::string_view() : rest.substr(path_at);
  } else if (target.empty() || target.front() != '/') {
    return;  // authority-form (CONNECT) or asterisk-form: no path, no query
  }
  target = target.substr(0, target.find('#'));
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  add_field(s, "http.path", percent_decode(path.empty() ? "/"sv : path, false));
  if (q == std::string_view::npos) return;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string_view name = pair.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? ""sv : pair.substr(eq + 1);
      add_field(s, "http.query", percent_decode(value, true), percent_decode(name, true));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
}

void HttpSession::add_header(Direction dir, Side& s, std::string_view name, std::string_view value,
                             Framing& f) {
  std::string key = to_lower(name);
  // Compared as a view: std::string == "literal" compares bytes before
  // lengths (a memcmp per comparison); a view compares lengths first.
  const std::string_view k = key;
  if (k == "content-length") {
    if (f.has_cl) f.content_length += ',';
    f.content_length += value;
    f.has_cl = true;
  } else if (k == "transfer-encoding") {
    if (f.has_te) f.transfer_encoding += ',';
    f.transfer_encoding += value;
    f.has_te = true;
  } else if (k == "content-encoding") {
    if (!f.content_encoding.empty()) f.content_encoding += ',';
    f.content_encoding += value;
  } else if (k == "content-type") {
    if (f.content_type.empty()) f.content_type = media_type(value);
  } else if (k == "upgrade") {
    f.upgrade = true;
  }
  if (!s.keep_contents) return;  // framing only: no one reads the fields
  const bool request = dir == Direction::kUp;
  if (request && k == "host") {
    if (f.host_seen) sink_.on_anomaly("http.multiple-host");
    if (!f.host_seen) {
      add_field(s, "http.host", std::string(value));
      if (!request_seen_ && host_.empty()) host_ = host_name(value);
    }
    f.host_seen = true;
  } else if (request && k == "user-agent") {
    add_field(s, "http.user_agent", std::string(value));
  } else if (request && (k == "authorization" || k == "proxy-authorization")) {
    if (k == "authorization") add_field(s, "http.authorization", std::string(value));
    std::string_view v = trim(value);
    size_t sp = v.find(' ');
    if (sp != std::string_view::npos && iequals(v.substr(0, sp), "basic")) {
      std::string plain;
      size_t colon;
      if (base64_decode(trim(v.substr(sp + 1)), plain) &&
          (colon = plain.find(':')) != std::string::npos) {
        add_field(s, "http.basic_user", plain.substr(0, colon));
        add_field(s, "http.basic_password", plain.substr(colon + 1));
      } else {
        sink_.on_anomaly("http.bad-basic-credentials");
      }
    }
  } else if (request && k == "cookie") {
    std::string_view list = value;
    while (!list.empty()) {
      size_t semi = list.find(';');
      std::string_view pair = trim(list.substr(0, semi));
      if (!pair.empty()) {
        size_t eq = pair.find('=');
        std::string_view n = eq == std::string_view::npos ? ""sv : trim(pair.substr(0, eq));
        std::string_view v = eq == std::string_view::npos ? pair : trim(pair.substr(eq + 1));
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        add_field(s, "http.cookie", std::string(v), std::string(n));
      }
      if (semi == std::string_view::npos) break;
      list.remove_prefix(semi + 1);
    }
  } else if (!request && k == "set-cookie") {
    std::string_view pair = trim(value.substr(0, value.find(';')));
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos) {
      std::string_view v = trim(pair.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      add_field(s, "http.set_cookie", std::string(v), std::string(trim(pair.substr(0, eq))));
    }
  }
  add_field(s, "http.header", std::string(value), std::move(key));
}

bool HttpSession::frame_body(Direction dir, Side& s, const Framing& f, bool is_request) {
  if (f.has_te) {
    std::string_view last;
    size_t count = 0;
    for_each_element(f.transfer_encoding, [&](std::string_view e) {
      last = trim(e.substr(0, e.find(';')));
      ++count;
    });
    if (f.has_cl) sink_.on_anomaly("http.te-and-content-length");
    if (iequals(last, "chunked")) {
      if (count > 1) sink_.on_anomaly("http.te-stacked");
      s.chunked = true;
      s.state = State::kChunkSize;
      return true;
    }
    // RFC 9112 6.3 (3): a request whose final coding is not chunked cannot
    // be framed; a response is then read until the connection closes.
    sink_.on_anomaly("http.te-not-chunked");
    if (is_request) return false;
    s.state = State::kUntilClose;
    return true;
  }
  if (f.has_cl) {
    // Several values (a list, or repeated headers) must all be the same
    // (RFC 9112 6.3 (5)); an empty element is invalid too.
    bool ok = true, first = true;
    uint64_t length = 0;
    std::string_view list = f.content_length;
    for (;;) {
      size_t comma = list.find(',');
      std::string_view e = trim(list.substr(0, comma));
      uint64_t n = 0;
      if (e.empty()) ok = false;
      for (char c : e) {
        if (!is_digit(c) || n > (uint64_t(1) << 56)) {
          ok = false;
          break;
        }
        n = n * 10 + uint64_t(c - '0');
      }
      if (!first && n != length) ok = false;
      length = n;
      first = false;
      if (comma == std::string_view::npos || !ok) break;
      list.remove_prefix(comma + 1);
    }
    if (!ok) {
      sink_.on_anomaly("http.bad-content-length");
      return false;
    }
    if (length == 0) return true;  // no body: state stays kHead
    s.remaining = length;
    s.state = State::kLength;
    return true;
  }
  if (!is_request) s.state = State::kUntilClose;
  return true;
}

HttpSession::HeadResult HttpSession::on_head(Direction dir, Side& s, std::string_view head,
                                             Timestamp ts, uint64_t frame) {
  const bool request = dir == Direction::kUp;
  s.keep_contents = sink_.keeps_contents(dir);
  s.msg.protocol = "http";
  s.msg.kind = request ? "request" : "response";
  s.msg.dir = dir;
  // Split into lines (CRLF or bare LF); the last two are the empty line.
  auto next_line = [&head](std::string_view& line) {
    size_t nl = head.find('\n');
    if (nl == std::string_view::npos) return false;
    line = head.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    head.remove_prefix(nl + 1);
    return true;
  };
  std::string_view line;
  next_line(line);
  int code = 0;
  std::string authority;
  std::string_view method, target, version;  // views into `head`
  if (request) {
    if (!parse_request_line(line, method, target, version)) {
      if (!s.resyncing) sink_.on_anomaly("http.bad-request-line");
      return HeadResult::kBadStart;
    }
    add_field(s, "http.method", std::string(method));
    add_field(s, "http.uri", std::string(target));
    add_field(s, "http.version", std::string(version));
    add_target_fields(target, s, authority);
    if (method == "CONNECT") authority = std::string(target);
  } else {
    if (!parse_status_line(line, code)) {
      if (!s.resyncing) sink_.on_anomaly("http.bad-status-line");
      return HeadResult::kBadStart;
    }
    add_field(s, "http.version", std::string(line.substr(0, 8)));
    add_field(s, "http.status", std::string(line.substr(9, 3)));
    add_field(s, "http.reason", std::string(line.size() > 13 ? line.substr(13) : ""sv));
  }

  // Header lines; an obs-fold (a line starting with SP/HTAB) continues the
  // previous value and is replaced by one space (RFC 9112 5.2).
  Framing f;
  std::string name, value;
  bool have = false;
  while (next_line(line) && !line.empty()) {
    if (line.front() == ' ' || line.front() == '\t') {
      sink_.on_anomaly("http.obs-fold");
      if (have) {
        if (!value.empty()) value += ' ';
        value += trim(line);
      }
      continue;
    }
    if (have) add_header(dir, s, name, value, f);
    have = false;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      sink_.on_anomaly("http.bad-header-line");
      continue;
    }
    std::string_view n = line.substr(0, colon);
    if (n.back() == ' ' || n.back() == '\t') {
      // RFC 9112 5.1 forbids it (a smuggling trick); read it as the name.
      sink_.on_anomaly("http.space-before-colon");
      n = trim(n);
    }
    name.assign(n);
    value.assign(trim(line.substr(colon + 1)));
    have = true;
  }
  if (have) add_header(dir, s, name, value, f);
  s.content_encoding = std::move(f.content_encoding);
  s.msg.content_type = std::move(f.content_type);

  if (request) {
    if (!f.host_seen && !authority.empty()) {
      add_field(s, "http.host", authority);
      if (!request_seen_ && host_.empty()) host_ = host_name(authority);
    }
    request_seen_ = true;
    uint8_t flags = method == "HEAD" ? kHeadRequest : method == "CONNECT" ? kConnect : 0;
    if (f.upgrade) flags |= kUpgrade;
    push_request(flags);
    // The bytes after CONNECT or an Upgrade request may be another protocol:
    // wait for the response to tell.
    s.hold_after = (flags & (kConnect | kUpgrade)) != 0;
    if (!frame_body(dir, s, f, true)) {
      finish(dir, s, ts, frame);
      return HeadResult::kMalformed;
    }
  } else {
    const bool interim = code >= 100 && code < 200 && code != 101;
    uint8_t flags = interim ? 0 : pop_request();
    Side& up = side_[index(Direction::kUp)];
    bool tunnel = code == 101 || ((flags & kConnect) && code >= 200 && code < 300);
    if (tunnel) {
      finish(dir, s, ts, frame);
      done_ = true;
      return HeadResult::kDone;
    }
    if ((flags & (kConnect | kUpgrade)) && up.state == State::kHold) up.state = State::kHead;
    // RFC 9112 6.3 (1): no content after HEAD, 1xx, 204, 304.
    bool no_body = interim || (flags & kHeadRequest) || code == 204 || code == 304;
    if (!no_body && !frame_body(dir, s, f, false)) {
      finish(dir, s, ts, frame);
      return HeadResult::kMalformed;
    }
  }
  if (s.state == State::kHead) finish(dir, s, ts, frame);
  return HeadResult::kOk;
}

void HttpSession::truncated(Side& s, std::string_view anomaly) {
  if (!s.msg.body_truncated || anomaly != "http.body-cap") sink_.on_anomaly(anomaly);
  s.msg.body_truncated = true;
}

void HttpSession::add_body(Side& s, std::string_view bytes) {
  if (!s.keep_contents) return;  // framed and skipped: no one reads it
  size_t room = limits_.max_body > s.body.size() ? limits_.max_body - s.body.size() : 0;
  if (bytes.size() > room) {
    if (!s.msg.body_truncated) truncated(s, "http.body-cap");
    s.msg.body_truncated = true;
    bytes = bytes.substr(0, room);
  }
  s.body.append(bytes);
}

void HttpSession::decode_body(Side& s) {
  Message& m = s.msg;
  if (s.chunked) m.encodings.emplace_back("http-chunked");
  std::vector<std::string_view> codings;
  for_each_element(s.content_encoding, [&](std::string_view e) { codings.push_back(e); });
  if (s.body.empty() || codings.empty()) {
    m.body = std::move(s.body);
    return;
  }
  // The ratio is to the raw body, for all codings together, so stacking
  // codings cannot multiply it.
  const uint64_t raw = std::max<uint64_t>(s.body.size(), 1);
  const uint64_t by_ratio =
      limits_.max_ratio > UINT64_MAX / raw ? UINT64_MAX : limits_.max_ratio * raw;
  const size_t cap = by_ratio < limits_.max_decoded ? size_t(by_ratio) : limits_.max_decoded;
  // The flow's share of the run's decoded-bytes budget: past it, the body
  // stays as far as it was decoded (as captured when not at all). A layer
  // with layers under it gets half of what is left, so that what it gives
  // can be decoded too: the start of the text.
  DecodeBudget* budget = sink_.decode_budget();
  bool cut_short = false;  // a layer stopped at the budget (counted once)
  size_t layers = 0;       // codings to undo after the one being undone
  for (std::string_view e : codings) {
    Coding c = coding_from_name(e);
    layers += c != Coding::kIdentity && c != Coding::kUnknown;
  }
  std::string current = std::move(s.body), out;
  // Codings are listed in the order they were applied: undo the last first.
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    Coding c = coding_from_name(*it);
    if (c == Coding::kIdentity) continue;
    if (c == Coding::kUnknown) {
      sink_.on_anomaly("http.unknown-content-coding");
      break;
    }
    --layers;
    uint64_t left = budget ? budget->left() : UINT64_MAX;
    if (budget && layers > 0) left /= 2;
    if (left == 0) {
      if (!cut_short) budget->cut();
      m.body_truncated = true;
      break;
    }
    const size_t layer_cap = left < cap ? size_t(left) : cap;
    DecodeStatus st = decode(c, current, out, layer_cap);
    if (budget) budget->spend(out.size());
    if (st == DecodeStatus::kFailed) {
      // Labelled but not so encoded: hand on what we have, which a
      // detector can still read (e.g. JSON sent with a gzip label).
      if (!cut_short) sink_.on_anomaly("http.content-decoding-failed");
      break;
    }
    current.swap(out);
    m.encodings.emplace_back(coding_name(c));
    if (st == DecodeStatus::kCut && layer_cap < cap) {
      if (!cut_short) budget->cut();
      cut_short = true;
      m.body_truncated = true;
      continue;  // the layers under it decode what it gave
    }
    if (st == DecodeStatus::kPartial && cut_short) break;  // it was given a cut stream
    if (st == DecodeStatus::kCut) {
      truncated(s, cap == limits_.max_decoded ? "http.decoded-cap" : "http.decoded-ratio");
      break;
    }
    if (st == DecodeStatus::kPartial) {
      truncated(s, "http.content-decoding-incomplete");
      break;
    }
  }
  m.body = std::move(current);
}

void HttpSession::reset(Side& s, State next) {
  s.msg = Message{};
  s.body.clear();
  s.body.shrink_to_fit();
  s.content_encoding.clear();
  s.chunked = false;
  s.hold_after = false;
  s.fields = 0;
  s.remaining = 0;
  s.trailer_bytes = 0;
  s.scan = 0;
  s.state = next;
}

void HttpSession::finish(Direction dir, Side& s, Timestamp ts, uint64_t frame) {
  decode_body(s);
  s.msg.ts = ts;
  s.msg.frame = frame;
  sink_.on_message(std::move(s.msg));
  ++messages_;
  reset(s, s.hold_after ? State::kHold : State::kHead);
}

Consumed HttpSession::fail(Direction dir, Side& s, std::string_view anomaly, size_t pos,
                           Timestamp ts, uint64_t frame) {
  sink_.on_anomaly(anomaly);
  s.msg.body_truncated = true;
  finish(dir, s, ts, frame);
  s.state = State::kStopped;
  return {pos, Status::kMalformed};
}

bool HttpSession::start_bad(Side& s, size_t& pos) {
  if (s.resyncing) {
    pos += 1;  // not this candidate: look further
  } else if (messages_ == 0) {
    s.state = State::kStopped;  // never was HTTP (or we joined mid-message): give up
    return false;
  }
  reset(s, State::kResync);
  s.resyncing = true;
  return true;
}

size_t HttpSession::find_resync(Direction dir, std::string_view in) {
  if (dir == Direction::kDown) return in.find("HTTP/1.");
  // A request line: METHOD SP target SP "HTTP/1.": find the version, walk
  // back over the target to a known method. The target may follow a body
  // without a line break, so the method's start is not a line start.
  for (size_t p = in.find(" HTTP/1."); p != std::string_view::npos;
       p = in.find(" HTTP/1.", p + 1)) {
    size_t t = p;
    while (t > 0 && p - t < kResyncTarget && in[t - 1] > ' ' && in[t - 1] < 0x7f) --t;
    if (t == p || t == 0 || in[t - 1] != ' ') continue;
    std::string_view before = in.substr(0, t - 1);
    for (std::string_view m : kMethods) {
      m.remove_suffix(1);  // the SP
      if (before.size() >= m.size() && before.substr(before.size() - m.size()) == m)
        return before.size() - m.size();
    }
  }
  return std::string_view::npos;
}

Consumed HttpSession::on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) {
  if (done_) return {data.size(), Status::kDone};
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
      case State::kHold:
        return {pos, Status::kNeedMore};
      case State::kResync: {
        size_t at = find_resync(dir, rest);
        if (at == std::string_view::npos) {
          // Keep the tail: a start line may be completed by what follows.
          size_t skip = rest.size() > kResyncKeep ? rest.size() - kResyncKeep : 0;
          pos += skip;
          s.skipped += skip;
        } else {
          pos += at;
          s.skipped += at;
        }
        if (s.skipped > kResyncBudget) {
          sink_.on_anomaly("http.resync-failed");
          s.state = State::kStopped;
          return {pos, Status::kMalformed};
        }
        if (at == std::string_view::npos) return {pos, Status::kNeedMore};
        s.state = State::kHead;
        s.scan = 0;
        break;
      }
      case State::kHead: {
        if (s.scan == 0) {  // empty lines between messages are ignored (RFC 9112 2.2)
          while (pos < in.size() && (in[pos] == '\r' || in[pos] == '\n')) ++pos;
          if (pos == in.size()) return {pos, Status::kOk};
          rest = in.substr(pos);
        }
        size_t end = 0;
        Scan r = find_head_end(dir, s, rest, end);
        if (r == Scan::kIncomplete) return {pos, Status::kNeedMore};
        if (r == Scan::kBad || r == Scan::kTooLong) {
          // Not a message (or one whose head is over the cap, said as such):
          // after a hole try the next candidate; in a flow that has shown
          // HTTP, skip to the next message; else give up.
          if (!s.resyncing) {
            sink_.on_anomaly(r == Scan::kTooLong     ? "http.head-cap"
                             : dir == Direction::kUp ? "http.bad-request"
                                                     : "http.bad-response");
          }
          if (!start_bad(s, pos)) return {pos, Status::kMalformed};
          break;
        }
        HeadResult h = on_head(dir, s, rest.substr(0, end), ts, frame);
        if (h == HeadResult::kBadStart) {
          if (!start_bad(s, pos)) return {pos, Status::kMalformed};
          break;
        }
        s.resyncing = false;
        s.skipped = 0;
        pos += end;
        if (h == HeadResult::kDone) return {pos, Status::kDone};
        if (h == HeadResult::kMalformed) {
          s.state = State::kStopped;
          return {pos, Status::kMalformed};
        }
        break;
      }
      case State::kLength:
      case State::kChunkData: {
        size_t n = size_t(std::min<uint64_t>(s.remaining, rest.size()));
        add_body(s, rest.substr(0, n));
        pos += n;
        s.remaining -= n;
        if (s.remaining == 0) {
          if (s.state == State::kChunkData) {
            s.state = State::kChunkEnd;
          } else {
            finish(dir, s, ts, frame);
          }
        }
        break;
      }
      case State::kChunkSize: {
        // A chunk-size line (with extensions) longer than kMaxChunkLine is
        // refused whether or not its end has arrived.
        size_t nl = find_line(s, rest);
        if (nl == std::string_view::npos ? rest.size() > kMaxChunkLine : nl > kMaxChunkLine)
          return fail(dir, s, "http.bad-chunk-size", pos, ts, frame);
        if (nl == std::string_view::npos) return {pos, Status::kNeedMore};
        std::string_view line = rest.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        line = trim(line);
        uint64_t size = 0;
        size_t i = 0;
        for (; i < line.size(); ++i) {
          char c = line[i];
          int v = is_digit(c)              ? c - '0'
                  : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                           : -1;
          if (v < 0) break;
          if (size > (UINT64_MAX >> 4))  // would wrap (e.g. 2^64)
            return fail(dir, s, "http.chunk-size-overflow", pos, ts, frame);
          size = size << 4 | uint64_t(v);
        }
        std::string_view ext = trim(line.substr(i));
        if (i == 0 || (!ext.empty() && ext.front() != ';'))
          return fail(dir, s, "http.bad-chunk-size", pos, ts, frame);
        pos += nl + 1;
        if (size == 0) {
          s.state = State::kTrailers;
        } else {
          s.remaining = size;
          s.state = State::kChunkData;
        }
        break;
      }
      case State::kChunkEnd: {
        if (rest[0] == '\n') {
          pos += 1;
        } else if (rest[0] == '\r' && rest.size() == 1) {
          return {pos, Status::kNeedMore};
        } else if (rest[0] == '\r' && rest[1] == '\n') {
          pos += 2;
        } else {
          return fail(dir, s, "http.bad-chunk-end", pos, ts, frame);
        }
        s.state = State::kChunkSize;
        break;
      }
      case State::kTrailers: {
        size_t nl = find_line(s, rest);
        if (nl == std::string_view::npos) {
          // (a lone CR may still be the empty line that ends the trailers)
          if (s.trailer_bytes + rest.size() > limits_.max_head && rest != "\r")
            return fail(dir, s, "http.trailers-too-long", pos, ts, frame);
          return {pos, Status::kNeedMore};
        }
        std::string_view line = rest.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos += nl + 1;
        s.trailer_bytes += nl + 1;
        if (line.empty()) {
          finish(dir, s, ts, frame);
          break;
        }
        if (s.trailer_bytes > limits_.max_head)
          return fail(dir, s, "http.trailers-too-long", pos, ts, frame);
        size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0 || line[0] == ' ' || line[0] == '\t') {
          sink_.on_anomaly("http.bad-trailer-line");
          break;
        }
        add_field(s, "http.trailer", std::string(trim(line.substr(colon + 1))),
                  to_lower(trim(line.substr(0, colon))));
        break;
      }
      case State::kUntilClose:
        add_body(s, rest);
        pos = in.size();
        break;
    }
  }
  return {pos, Status::kOk};
}

void HttpSession::on_gap(Direction dir, uint64_t length) {
  if (done_) return;
  Side& s = side_[index(dir)];
  s.scan = 0;
  switch (s.state) {
    case State::kLength:
    case State::kChunkData:
      truncated(s, "http.body-gap");
      if (length < s.remaining) {
        s.remaining -= length;
        return;
      }
      if (length == s.remaining) {
        s.remaining = 0;
        if (s.state == State::kChunkData) {
          s.state = State::kChunkEnd;
        } else {
          finish(dir, s, last_ts_, last_frame_);
        }
        return;
      }
      finish(dir, s, last_ts_, last_frame_);
      break;
    case State::kUntilClose:
      truncated(s, "http.body-gap");
      return;
    case State::kChunkSize:
    case State::kChunkEnd:
    case State::kTrailers:
      truncated(s, "http.body-gap");
      finish(dir, s, last_ts_, last_frame_);
      break;
    case State::kHead:
    case State::kResync:
      break;
    case State::kHold:
    case State::kStopped:
      return;
  }
  // The hole swallowed a message boundary: find the next message.
  s.state = State::kResync;
  s.resyncing = true;
}

void HttpSession::on_end(Timestamp ts) {
  if (done_) return;
  for (Direction dir : {Direction::kUp, Direction::kDown}) {
    Side& s = side_[index(dir)];
    switch (s.state) {
      case State::kUntilClose:
        finish(dir, s, ts, last_frame_);
        break;
      case State::kLength:
      case State::kChunkSize:
      case State::kChunkData:
      case State::kChunkEnd:
      case State::kTrailers:
        truncated(s, "http.incomplete-body");
        finish(dir, s, ts, last_frame_);
        break;
      default:
        break;
    }
  }
}

int probe(Direction dir, Bytes first, uint16_t server_port) {
  std::string_view s = as_string(first);
  int score = 0;
  if (dir == Direction::kDown) {
    if (match_prefix(s, "HTTP/1.") != Match::kYes) return 0;
    score = s.size() >= 12 && (s[7] == '0' || s[7] == '1') && s[8] == ' ' && is_digit(s[9]) &&
                    is_digit(s[10]) && is_digit(s[11])
                ? 90
                : 70;
  } else {
    size_t sp = 0;
    while (sp < s.size() && sp < 24 && is_tchar(static_cast<unsigned char>(s[sp]))) ++sp;
    if (sp == 0 || sp >= s.size() || s[sp] != ' ') return 0;
    size_t eol = s.find('\n');
    std::string_view line = s.substr(0, eol);
    size_t version = line.find(" HTTP/1.", sp);
    if (version != std::string_view::npos && version > sp + 1) {
      score = 90;
    } else if (eol == std::string_view::npos && match_start(dir, s) == Match::kYes &&
               s.size() > sp + 1 && s.find(' ', sp + 1) == std::string_view::npos) {
      score = 60;  // a known method and a request target longer than what we see
    } else {
      return 0;
    }
  }
  if (server_port == 80 || server_port == 8080) score += 5;
  return score;
}

std::unique_ptr<Session> make_default(MessageSink& sink) {
  return std::make_unique<HttpSession>(sink, Limits{});
}

}  // namespace

const Parser& parser() {
  static const Parser kParser{"http", Transport::kStream, probe, make_default};
  return kParser;
}

std::unique_ptr<Session> make_session(MessageSink& sink, const Limits& limits) {
  return std::make_unique<HttpSession>(sink, limits);
}

}  // namespace ph::proto::http
