// The SSDP session and probe (see ssdp.h). A datagram is read in place:
// the start line, then header lines up to the empty line (or the end of
// the datagram: some stacks omit it). A body, which SSDP does not use, is
// ignored.
#include "proto/ssdp/ssdp.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "proto/http/text.h"

namespace ph::proto::ssdp {
namespace {

using http::iequals;
using http::to_lower;
using http::trim;
using namespace std::string_view_literals;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view take_line(std::string_view& s) {
  size_t nl = s.find('\n');
  std::string_view line = s.substr(0, nl);
  s.remove_prefix(nl == std::string_view::npos ? s.size() : nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool is_version(std::string_view v) {
  return v.size() == 8 && v.substr(0, 5) == "HTTP/" && is_digit(v[5]) && v[6] == '.' &&
         is_digit(v[7]);
}

// "METHOD SP target SP HTTP/x.y".
bool parse_request_line(std::string_view line, std::string_view& method, std::string_view& target) {
  size_t sp1 = line.find(' ');
  size_t sp2 = line.rfind(' ');
  if (sp1 == 0 || sp1 == std::string_view::npos || sp2 == sp1) return false;
  method = line.substr(0, sp1);
  target = trim(line.substr(sp1 + 1, sp2 - sp1 - 1));
  for (char c : method)
    if (!http::is_tchar(static_cast<unsigned char>(c))) return false;
  return !target.empty() && is_version(line.substr(sp2 + 1));
}

// "HTTP/x.y SP 3DIGIT [SP reason]".
bool parse_status_line(std::string_view line, std::string_view& code, std::string_view& reason) {
  if (line.size() < 12 || !is_version(line.substr(0, 8)) || line[8] != ' ' || !is_digit(line[9]) ||
      !is_digit(line[10]) || !is_digit(line[11]) || (line.size() > 12 && line[12] != ' '))
    return false;
  code = line.substr(9, 3);
  reason = line.size() > 13 ? line.substr(13) : std::string_view();
  return true;
}

// Does a header section (after the start line) carry a header only SSDP
// uses? Names compared case-insensitively, as HTTP's are.
bool has_ssdp_header(std::string_view rest) {
  while (!rest.empty()) {
    std::string_view line = take_line(rest);
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim(line.substr(0, colon));
    if (iequals(name, "usn") || iequals(name, "st") || iequals(name, "nt") ||
        iequals(name, "nts") || iequals(name, "man"))
      return true;
  }
  return false;
}

class SsdpSession final : public Session {
 public:
  SsdpSession(MessageSink& sink, const Limits& limits) : sink_(sink), limits_(limits) {}

  Consumed on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override;
  FlowFacts facts() const override { return {"ssdp", false, {}, {}}; }

 private:
  void header(Message& m, std::string key, std::string_view value);

  MessageSink& sink_;
  Limits limits_;
};

void SsdpSession::header(Message& m, std::string key, std::string_view value) {
  const std::string_view k = key;  // lengths compared first (see http/session.cc)
  std::string_view named;
  if (k == "server" || k == "location" || k == "usn" || k == "nt" || k == "nts" || k == "st") {
    named = key;
  } else if (k == "user-agent") {
    named = "user_agent";
  }
  if (!named.empty()) m.add("ssdp." + std::string(named), std::string(value));
  if (k == "usn" && value.substr(0, 5) == "uuid:") {
    std::string_view uuid = value.substr(5);
    m.add("ssdp.uuid", std::string(uuid.substr(0, uuid.find("::"))));
  }
  m.add("ssdp.header", std::string(value), std::move(key));
}

Consumed SsdpSession::on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) {
  const Consumed all{data.size(), Status::kOk};
  std::string_view in = as_string(data);
  size_t start = in.find_first_not_of("\r\n"sv);
  if (start == std::string_view::npos) return all;
  in.remove_prefix(start);

  Message m;
  m.protocol = "ssdp";
  m.dir = dir;
  m.ts = ts;
  m.frame = frame;
  std::string_view line = take_line(in);
  std::string_view a, b;
  if (parse_status_line(line, a, b)) {
    m.kind = "response";
    m.add("ssdp.status", std::string(a));
    m.add("ssdp.reason", std::string(b));
  } else if (parse_request_line(line, a, b)) {
    m.kind = "request";
    m.add("ssdp.method", std::string(a));
    m.add("ssdp.uri", std::string(b));
  } else {
    sink_.on_anomaly("ssdp.bad-start-line");
    return all;
  }

  size_t count = 0;
  std::string joined;
  while (!in.empty()) {
    line = take_line(in);
    if (line.empty()) break;  // the end of the headers; a body is ignored
    if (line.front() == ' ' || line.front() == '\t') {
      sink_.on_anomaly("ssdp.fold-without-header");
      continue;
    }
    size_t colon = line.find(':');
    std::string_view name = colon == std::string_view::npos ? ""sv : trim(line.substr(0, colon));
    std::string_view value = colon == std::string_view::npos ? ""sv : trim(line.substr(colon + 1));
    size_t length = line.size();
    bool folded = false;
    while (!in.empty() && (in.front() == ' ' || in.front() == '\t')) {
      std::string_view more = trim(take_line(in));
      length += more.size() + 1;
      if (length > limits_.max_line) continue;
      if (!folded) joined.assign(value);
      folded = true;
      if (!more.empty()) {
        if (!joined.empty()) joined += ' ';
        joined += more;
      }
    }
    if (folded) value = joined;
    if (name.empty()) {
      sink_.on_anomaly("ssdp.bad-header-line");
      continue;
    }
    if (length > limits_.max_line) {
      sink_.on_anomaly("ssdp.line-too-long");
      continue;
    }
    if (++count > limits_.max_headers) {
      sink_.on_anomaly("ssdp.too-many-headers");
      break;
    }
    header(m, to_lower(name), value);
  }
  sink_.on_message(std::move(m));
  return all;
}

int probe(Direction, Bytes first, uint16_t server_port) {
  std::string_view s = as_string(first);
  size_t start = s.find_first_not_of("\r\n"sv);
  if (start == std::string_view::npos) return 0;
  s.remove_prefix(start);
  std::string_view line = take_line(s);
  std::string_view a, b;
  int score = 0;
  // Plain HTTP's probe gives at most 95 (a start line, +5 on port 80/8080):
  // SSDP content scores above it.
  if (parse_request_line(line, a, b)) {
    if (b == "*" && (a == "M-SEARCH" || a == "NOTIFY")) {
      score = 97;
    } else if (b == "*" && has_ssdp_header(s)) {
      score = 90;  // another method in SSDP's form
    } else {
      return 0;
    }
  } else if (parse_status_line(line, a, b)) {
    if (has_ssdp_header(s)) {
      score = 96;
    } else if (server_port == 1900) {
      score = 50;  // a response on SSDP's port without its headers
    } else {
      return 0;
    }
  } else {
    return 0;
  }
  if (server_port == 1900) score += 3;
  return std::min(score, 100);
}

std::unique_ptr<Session> make_default(MessageSink& sink) {
  return std::make_unique<SsdpSession>(sink, Limits{});
}

}  // namespace

const Parser& parser() {
  static const Parser kParser{"ssdp", Transport::kDatagram, probe, make_default};
  return kParser;
}

std::unique_ptr<Session> make_session(MessageSink& sink, const Limits& limits) {
  return std::make_unique<SsdpSession>(sink, limits);
}

}  // namespace ph::proto::ssdp
