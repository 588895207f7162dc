// The SIP message reader (see message.h). Header values are read in place
// (views into the head); a folded header is the only one copied before it
// becomes a field.
#include "proto/sip/message.h"

#include <array>

#include "proto/http/text.h"

namespace ph::proto::sip {
namespace {

using http::iequals;
using http::to_lower;
using http::trim;
using namespace std::string_view_literals;

// Elements read from one list-valued header (Contact, P-*-Identity); more
// are counted and ignored.
constexpr size_t kMaxElements = 32;
constexpr size_t kMaxSdpAddresses = 64;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 3261 7.3.3 compact forms (and those of later RFCs, from the IANA
// "Header Fields" registry), by their lowercased letter.
std::string_view expand_compact(char c) {
  switch (c) {
    case 'a':
      return "accept-contact";
    case 'b':
      return "referred-by";
    case 'c':
      return "content-type";
    case 'd':
      return "request-disposition";
    case 'e':
      return "content-encoding";
    case 'f':
      return "from";
    case 'i':
      return "call-id";
    case 'j':
      return "reject-contact";
    case 'k':
      return "supported";
    case 'l':
      return "content-length";
    case 'm':
      return "contact";
    case 'n':
      return "identity-info";
    case 'o':
      return "event";
    case 'r':
      return "refer-to";
    case 's':
      return "subject";
    case 't':
      return "to";
    case 'u':
      return "allow-events";
    case 'v':
      return "via";
    case 'x':
      return "session-expires";
    case 'y':
      return "identity";
    default:
      return {};
  }
}

// Takes the next line of `s` (CRLF or bare LF), without its line break.
std::string_view take_line(std::string_view& s) {
  size_t nl = s.find('\n');
  std::string_view line = s.substr(0, nl);
  s.remove_prefix(nl == std::string_view::npos ? s.size() : nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Calls f(element) for each element of a comma-separated list, splitting
// only outside quoted strings and <...> (URIs may hold commas).
template <class F>
size_t for_each_element(std::string_view list, F&& f) {
  size_t count = 0, start = 0;
  bool quoted = false;
  int angle = 0;
  for (size_t i = 0; i <= list.size(); ++i) {
    if (i < list.size()) {
      char c = list[i];
      if (quoted) {
        if (c == '\\')
          ++i;
        else if (c == '"')
          quoted = false;
        continue;
      }
      if (c == '"')
        quoted = true;
      else if (c == '<')
        ++angle;
      else if (c == '>' && angle > 0)
        --angle;
      if (c != ',' || angle > 0) continue;
    }
    std::string_view e = trim(list.substr(start, i - start));
    if (!e.empty()) {
      if (count == kMaxElements) return count + 1;  // the caller reports
      f(e);
      ++count;
    }
    start = i + 1;
  }
  return count;
}

// "\"a \\\"b\\\"\"" -> "a \"b\"".
std::string unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  std::string out;
  s = s.substr(1, s.size() - 2);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out.push_back(s[i]);
  }
  return out;
}

class HeadReader {
 public:
  HeadReader(MessageSink& sink, Message& msg) : sink_(sink), msg_(msg) {}

  void header(std::string_view key, std::string_view value, Framing& framing);

 private:
  void add(std::string_view name, std::string_view value, std::string_view key = {}) {
    msg_.add(std::string(name), std::string(value), std::string(key));
  }
  // The whole value as `name`, then .uri/.user/.display per element (a list
  // when `list`); `instance` adds the +sip.instance parameter.
  void name_addr_fields(std::string_view name, std::string_view value, bool list, bool instance);
  void credentials(std::string_view value);

  MessageSink& sink_;
  Message& msg_;
};

void HeadReader::name_addr_fields(std::string_view name, std::string_view value, bool list,
                                  bool instance) {
  add(name, value);
  auto one = [&](std::string_view element) {
    NameAddr na;
    if (!parse_name_addr(element, na)) {
      sink_.on_anomaly("sip.bad-name-addr");
      return;
    }
    std::string n(name);
    const size_t base = n.size();
    if (!na.display.empty()) add(n.append(".display"), na.display);
    n.resize(base);
    add(n.append(".uri"), na.uri);
    n.resize(base);
    std::string_view user = uri_user(na.uri);
    if (!user.empty()) add(n.append(".user"), user);
    n.resize(base);
    bool found = false;
    std::string inst = instance ? param_value(na.params, "+sip.instance", found) : std::string();
    if (found) {
      std::string_view v = inst;
      if (v.size() >= 2 && v.front() == '<' && v.back() == '>') v = v.substr(1, v.size() - 2);
      add(n.append(".instance"), v);
    }
  };
  if (!list) {
    one(value);
    return;
  }
  if (trim(value) == "*") return;  // Contact: * (REGISTER removing all bindings)
  if (for_each_element(value, one) > kMaxElements) sink_.on_anomaly("sip.too-many-elements");
}

void HeadReader::credentials(std::string_view value) {
  // credentials = auth-scheme LWS auth-param *(COMMA auth-param)
  std::string_view v = trim(value);
  size_t sp = v.find_first_of(" \t");
  if (sp == std::string_view::npos) return;
  for_each_element(v.substr(sp + 1), [&](std::string_view param) {
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) return;
    std::string key = to_lower(trim(param.substr(0, eq)));
    if (key == "username" || key == "realm" || key == "uri")
      add("sip.authorization", unquote(trim(param.substr(eq + 1))), key);
  });
}

void HeadReader::header(std::string_view key, std::string_view value, Framing& framing) {
  if (key == "content-length") {
    // At most 15 digits: no overflow, and far beyond any body we keep.
    uint64_t n = 0;
    bool ok = !value.empty() && value.size() <= 15;
    for (size_t i = 0; ok && i < value.size(); ++i) {
      ok = is_digit(value[i]);
      n = n * 10 + uint64_t(value[i] - '0');
    }
    if (!ok) {
      sink_.on_anomaly("sip.bad-content-length");
    } else if (framing.has_length && n != framing.content_length) {
      sink_.on_anomaly("sip.conflicting-content-length");  // the first one frames
    } else {
      framing.has_length = true;
      framing.content_length = n;
    }
  } else if (key == "content-type") {
    if (msg_.content_type.empty()) {
      msg_.content_type = to_lower(trim(value.substr(0, value.find(';'))));
    }
  } else if (key == "from" || key == "to") {
    name_addr_fields(key == "from" ? "sip.from" : "sip.to", value, false, false);
  } else if (key == "contact") {
    name_addr_fields("sip.contact", value, true, true);
  } else if (key == "p-asserted-identity") {
    name_addr_fields("sip.p_asserted_identity", value, true, false);
  } else if (key == "p-preferred-identity") {
    name_addr_fields("sip.p_preferred_identity", value, true, false);
  } else if (key == "call-id") {
    add("sip.call_id", value);
  } else if (key == "user-agent") {
    add("sip.user_agent", value);
  } else if (key == "server") {
    add("sip.server", value);
  } else if (key == "authorization" || key == "proxy-authorization") {
    credentials(value);
  }
  add("sip.header", value, key);
}

}  // namespace

std::string_view first_line(std::string_view s, bool& complete) {
  size_t nl = s.find('\n');
  complete = nl != std::string_view::npos;
  std::string_view line = s.substr(0, nl);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool parse_request_line(std::string_view line, std::string_view& method, std::string_view& uri) {
  size_t sp1 = line.find(' ');
  if (sp1 == 0 || sp1 == std::string_view::npos) return false;
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return false;
  if (!iequals(line.substr(sp2 + 1), "SIP/2.0")) return false;
  method = line.substr(0, sp1);
  for (char c : method)
    if (!http::is_tchar(static_cast<unsigned char>(c))) return false;
  uri = line.substr(sp1 + 1, sp2 - sp1 - 1);
  // A URI has a scheme ("sip:", "tel:", "urn:"...).
  size_t colon = uri.find(':');
  return colon != std::string_view::npos && colon > 0;
}

bool parse_status_line(std::string_view line, std::string_view& code, std::string_view& reason) {
  if (line.size() < 11 || !iequals(line.substr(0, 8), "SIP/2.0 ") || !is_digit(line[8]) ||
      !is_digit(line[9]) || !is_digit(line[10]) || (line.size() > 11 && line[11] != ' '))
    return false;
  code = line.substr(8, 3);
  reason = line.size() > 12 ? line.substr(12) : std::string_view();
  return true;
}

bool parse_head(std::string_view head, const Limits& limits, MessageSink& sink, Message& msg,
                Framing& framing) {
  std::string_view line = take_line(head);
  std::string_view a, b;
  if (parse_request_line(line, a, b)) {
    framing.request = true;
    msg.kind = "request";
    msg.add("sip.method", std::string(a));
    msg.add("sip.request_uri", std::string(b));
    std::string_view user = uri_user(b);
    if (!user.empty()) msg.add("sip.request_uri.user", std::string(user));
  } else if (parse_status_line(line, a, b)) {
    msg.kind = "response";
    msg.add("sip.status", std::string(a));
    msg.add("sip.reason", std::string(b));
  } else {
    return false;
  }
  msg.protocol = "sip";

  HeadReader reader(sink, msg);
  size_t count = 0;
  bool over = false;
  std::string joined;  // a folded header's value
  while (!head.empty()) {
    line = take_line(head);
    if (line.empty()) break;  // (only when a caller passed the empty line too)
    if (line.front() == ' ' || line.front() == '\t') {
      sink.on_anomaly("sip.fold-without-header");
      continue;
    }
    size_t colon = line.find(':');
    std::string_view name = colon == std::string_view::npos ? ""sv : trim(line.substr(0, colon));
    std::string_view value = colon == std::string_view::npos ? ""sv : trim(line.substr(colon + 1));
    size_t length = line.size();
    bool folded = false;
    // LWS: a line starting with SP/HTAB continues the value (RFC 3261 7.3.1).
    while (!head.empty() && (head.front() == ' ' || head.front() == '\t')) {
      std::string_view more = trim(take_line(head));
      length += more.size() + 1;
      if (length > limits.max_line) continue;
      if (!folded) joined.assign(value);
      folded = true;
      if (!more.empty()) {
        if (!joined.empty()) joined += ' ';
        joined += more;
      }
    }
    if (folded) value = joined;
    if (name.empty()) {
      sink.on_anomaly("sip.bad-header-line");
      continue;
    }
    if (length > limits.max_line) {
      sink.on_anomaly("sip.line-too-long");
      continue;
    }
    std::string key;
    if (name.size() == 1) {
      std::string_view full = expand_compact(char(name[0] | 0x20));
      key = full.empty() ? to_lower(name) : std::string(full);
    } else {
      key = to_lower(name);
    }
    if (++count > limits.max_headers) {
      if (!over) sink.on_anomaly("sip.too-many-headers");
      over = true;
      // Past the cap only the framing is still read.
      if (key != "content-length") continue;
      Message scratch;
      HeadReader(sink, scratch).header(key, value, framing);
      continue;
    }
    reader.header(key, value, framing);
  }
  return true;
}

void parse_body(MessageSink& sink, Message& msg) {
  const std::string_view type = msg.content_type;
  if (type != "application/sdp" && type.substr(0, 10) != "multipart/") return;
  // In a multipart body the SDP part's lines are found the same way: a
  // "c=" line names network and address type first, which nothing else does.
  std::string_view body = msg.body;
  size_t count = 0;
  while (!body.empty()) {
    std::string_view line = take_line(body);
    if (line.size() < 2 || line[0] != 'c' || line[1] != '=') continue;
    // c=<nettype> <addrtype> <connection-address>[/ttl][/number]
    std::string_view rest = line.substr(2);
    size_t sp1 = rest.find(' ');
    size_t sp2 = sp1 == std::string_view::npos ? sp1 : rest.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) {
      sink.on_anomaly("sip.bad-sdp-connection");
      continue;
    }
    std::string_view addr = trim(rest.substr(sp2 + 1));
    addr = addr.substr(0, addr.find('/'));
    if (addr.empty()) continue;
    if (++count > kMaxSdpAddresses) {
      sink.on_anomaly("sip.too-many-sdp-addresses");
      return;
    }
    msg.add("sip.sdp.c", std::string(addr));
  }
}

bool parse_name_addr(std::string_view value, NameAddr& out) {
  std::string_view v = trim(value);
  out = NameAddr{};
  size_t lt = std::string_view::npos;
  if (!v.empty() && v.front() == '"') {
    // quoted display name, then <URI>
    size_t i = 1;
    for (; i < v.size() && v[i] != '"'; ++i)
      if (v[i] == '\\') ++i;
    if (i >= v.size()) return false;
    out.display = unquote(v.substr(0, i + 1));
    lt = v.find('<', i + 1);
    if (lt == std::string_view::npos) return false;
  } else {
    lt = v.find('<');
    // An addr-spec has no '<'; a '<' after a ';' belongs to a parameter.
    size_t semi = v.find(';');
    if (lt != std::string_view::npos && semi != std::string_view::npos && semi < lt)
      lt = std::string_view::npos;
    if (lt != std::string_view::npos) out.display = std::string(trim(v.substr(0, lt)));
  }
  if (lt != std::string_view::npos) {
    size_t gt = v.find('>', lt + 1);
    if (gt == std::string_view::npos) return false;
    out.uri = trim(v.substr(lt + 1, gt - lt - 1));
    out.params = trim(v.substr(gt + 1));
  } else {
    // addr-spec: its parameters are the header's (RFC 3261 20.10).
    size_t semi = v.find(';');
    out.uri = trim(v.substr(0, semi));
    out.params = semi == std::string_view::npos ? std::string_view() : v.substr(semi);
  }
  return !out.uri.empty();
}

std::string_view uri_user(std::string_view uri) {
  size_t colon = uri.find(':');
  if (colon == std::string_view::npos) return {};
  std::string_view scheme = uri.substr(0, colon), rest = uri.substr(colon + 1);
  if (iequals(scheme, "tel")) return rest.substr(0, rest.find(';'));
  if (!iequals(scheme, "sip") && !iequals(scheme, "sips")) return {};
  // userinfo ends at the '@' before the host; '@' cannot occur raw in the
  // host, parameters or headers, so the first one is it.
  size_t at = rest.find('@');
  if (at == std::string_view::npos) return {};
  std::string_view userinfo = rest.substr(0, at);
  return userinfo.substr(0, userinfo.find(':'));  // without a password
}

std::string param_value(std::string_view params, std::string_view name, bool& found) {
  found = false;
  // Split at ';' outside quoted strings.
  size_t i = 0;
  while (i < params.size()) {
    size_t start = i;
    bool quoted = false;
    for (; i < params.size(); ++i) {
      char c = params[i];
      if (quoted) {
        if (c == '\\')
          ++i;
        else if (c == '"')
          quoted = false;
      } else if (c == '"') {
        quoted = true;
      } else if (c == ';') {
        break;
      }
    }
    std::string_view p = trim(params.substr(start, std::min(i, params.size()) - start));
    ++i;
    size_t eq = p.find('=');
    if (!iequals(trim(p.substr(0, eq)), name)) continue;
    found = true;
    return eq == std::string_view::npos ? std::string() : unquote(trim(p.substr(eq + 1)));
  }
  return {};
}

}  // namespace ph::proto::sip
