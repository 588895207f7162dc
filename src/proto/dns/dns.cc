// DNS message decoding (see dns.h): names with compression and its limits,
// the sections, the record types worth a field, the probes and the
// datagram/stream sessions.
#include "proto/dns/dns.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <string_view>

#include "model/ip.h"

namespace ph::proto::dns {
namespace {

constexpr size_t kHeader = 12;
constexpr size_t kMaxName = 255;  // RFC 1035 2.3.4, length bytes included
constexpr int kMaxPointers = 32;  // compression jumps in one name
constexpr uint16_t kMaxQuestions = 64;
constexpr uint32_t kMaxRecords = 512;  // all three sections together
constexpr size_t kMaxFields = 4096;
// A direction of a datagram flow that never yields one good message in this
// many datagrams is not DNS: stop parsing it.
constexpr int kMaxBadStreak = 16;

enum class Flavor : uint8_t { kDns, kMdns, kLlmnr };

enum class NameResult : uint8_t { kOk, kTruncated, kBadLabel, kBadPointer, kLoop, kTooLong };

const char* anomaly_for(NameResult r) {
  switch (r) {
    case NameResult::kTruncated:
      return "dns.truncated";
    case NameResult::kBadLabel:
      return "dns.bad-label";
    case NameResult::kBadPointer:
      return "dns.bad-pointer";
    case NameResult::kLoop:
      return "dns.name-loop";
    case NameResult::kTooLong:
      return "dns.name-too-long";
    case NameResult::kOk:
      break;
  }
  return "dns.malformed";
}

// Where the name at `pos` ends in the message as written (after its last
// label or its first pointer), without following pointers.
NameResult skip_name(Bytes msg, size_t pos, size_t& next) {
  size_t p = pos;
  for (;;) {
    if (p >= msg.size()) return NameResult::kTruncated;
    uint8_t len = msg[p];
    if ((len & 0xC0) == 0xC0) {
      if (p + 2 > msg.size()) return NameResult::kTruncated;
      next = p + 2;
      return NameResult::kOk;
    }
    if (len & 0xC0) return NameResult::kBadLabel;  // 0x40/0x80: obsolete label types
    if (len == 0) {
      next = p + 1;
      return NameResult::kOk;
    }
    p += 1 + size_t(len);
  }
}

// The text of the name at `pos`, following compression pointers. Pointers
// may go anywhere inside the message; the jump count and the 255-byte
// length bound the work whatever the bytes (loops included).
NameResult read_name(Bytes msg, size_t pos, std::string& out) {
  out.clear();
  size_t p = pos;
  size_t wire = 1;  // the final zero byte
  int jumps = 0;
  for (;;) {
    if (p >= msg.size()) return NameResult::kTruncated;
    uint8_t len = msg[p];
    if ((len & 0xC0) == 0xC0) {
      if (p + 2 > msg.size()) return NameResult::kTruncated;
      if (++jumps > kMaxPointers) return NameResult::kLoop;
      size_t target = size_t(len & 0x3F) << 8 | msg[p + 1];
      if (target >= msg.size()) return NameResult::kBadPointer;
      p = target;
      continue;
    }
    if (len & 0xC0) return NameResult::kBadLabel;
    if (len == 0) break;
    if (p + 1 + len > msg.size()) return NameResult::kTruncated;
    wire += 1 + size_t(len);
    if (wire > kMaxName) return NameResult::kTooLong;
    if (!out.empty()) out += '.';
    out.append(reinterpret_cast<const char*>(msg.data() + p + 1), len);
    p += 1 + size_t(len);
  }
  if (out.empty()) out = ".";
  return NameResult::kOk;
}

std::string type_name(uint16_t t) {
  switch (t) {
    case 1:
      return "A";
    case 2:
      return "NS";
    case 5:
      return "CNAME";
    case 6:
      return "SOA";
    case 12:
      return "PTR";
    case 13:
      return "HINFO";
    case 15:
      return "MX";
    case 16:
      return "TXT";
    case 28:
      return "AAAA";
    case 33:
      return "SRV";
    case 35:
      return "NAPTR";
    case 41:
      return "OPT";
    case 43:
      return "DS";
    case 46:
      return "RRSIG";
    case 47:
      return "NSEC";
    case 48:
      return "DNSKEY";
    case 64:
      return "SVCB";
    case 65:
      return "HTTPS";
    case 99:
      return "SPF";
    case 252:
      return "AXFR";
    case 255:
      return "ANY";
    case 257:
      return "CAA";
    default:
      return "TYPE" + std::to_string(t);
  }
}

std::string rcode_name(unsigned rc) {
  static constexpr std::array<const char*, 11> kNames = {
      "NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
      "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE"};
  return rc < kNames.size() ? kNames[rc] : std::to_string(rc);
}

bool iequals_suffix(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  s = s.substr(s.size() - suffix.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char a = s[i], b = suffix[i];
    if (a >= 'A' && a <= 'Z') a = char(a - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

// "<instance>._svc._tcp.<domain>": splits off the instance (which may
// itself contain dots) and the service type. False for other names.
bool split_instance(std::string_view name, std::string_view& instance, std::string_view& service) {
  size_t proto = name.find("._tcp.");
  if (proto == std::string_view::npos) proto = name.find("._udp.");
  if (proto == std::string_view::npos || proto == 0) return false;
  size_t dot = name.rfind('.', proto - 1);
  if (dot == std::string_view::npos || dot == 0) return false;
  if (name[dot + 1] != '_') return false;
  instance = name.substr(0, dot);
  service = name.substr(dot + 1);
  return !instance.empty() && instance[0] != '_';
}

// Builds one Message from one DNS message.
class Decoder {
 public:
  Decoder(Bytes msg, Flavor flavor, MessageSink& sink, Message& out)
      : msg_(msg), flavor_(flavor), sink_(sink), out_(out) {}

  // False when the header itself is unusable (nothing emitted).
  bool run() {
    if (msg_.size() < kHeader) {
      sink_.on_anomaly("dns.short");
      return false;
    }
    const uint8_t* h = msg_.data();
    uint16_t id = load_be16(h), flags = load_be16(h + 2);
    uint16_t qd = load_be16(h + 4), an = load_be16(h + 6), ns = load_be16(h + 8),
             ar = load_be16(h + 10);
    bool response = flags & 0x8000;
    out_.protocol = "dns";
    out_.kind = response ? "response" : "query";
    add("dns.id", std::to_string(id));
    unsigned opcode = (flags >> 11) & 0xF;
    if (opcode != 0) add("dns.opcode", std::to_string(opcode));
    if (response) add("dns.rcode", rcode_name(flags & 0xF));
    size_t pos = kHeader;
    if (!questions(qd, pos)) return true;
    uint32_t records = uint32_t(an) + ns + ar;
    if (records > kMaxRecords) {
      sink_.on_anomaly("dns.too-many-records");
      records = kMaxRecords;
    }
    for (uint32_t i = 0; i < records; ++i)
      if (!record(pos)) break;
    return true;
  }

 private:
  void add(const char* name, std::string value, std::string key = {}) {
    if (out_.fields.size() >= kMaxFields) {
      if (!fields_capped_) sink_.on_anomaly("dns.too-many-fields");
      fields_capped_ = true;
      return;
    }
    out_.add(name, std::move(value), std::move(key));
  }

  // A name whose wire extent is known; its text may still be unreadable
  // (loop, bad pointer, too long): then the anomaly is reported and `ok`
  // is false, but parsing goes on after it.
  bool name_at(size_t pos, size_t limit, size_t& next, std::string& text, bool& ok) {
    NameResult r = skip_name(msg_.first(limit), pos, next);
    if (r != NameResult::kOk) {
      sink_.on_anomaly(anomaly_for(r));
      return false;
    }
    r = read_name(msg_, pos, text);
    ok = r == NameResult::kOk;
    if (!ok) sink_.on_anomaly(anomaly_for(r));
    return true;
  }

  bool questions(uint16_t qd, size_t& pos) {
    if (qd > kMaxQuestions) {
      sink_.on_anomaly("dns.too-many-questions");
      qd = kMaxQuestions;
    }
    std::string name;
    for (uint16_t i = 0; i < qd; ++i) {
      size_t next;
      bool ok;
      if (!name_at(pos, msg_.size(), next, name, ok)) return false;
      if (next + 4 > msg_.size()) {
        sink_.on_anomaly("dns.truncated");
        return false;
      }
      uint16_t qtype = load_be16(msg_.data() + next);
      pos = next + 4;
      if (!ok) continue;
      add("dns.qname", name);
      add("dns.qtype", type_name(qtype), name);
    }
    return true;
  }

  bool record(size_t& pos) {
    size_t next;
    bool owner_ok;
    std::string owner;
    if (!name_at(pos, msg_.size(), next, owner, owner_ok)) return false;
    if (next + 10 > msg_.size()) {
      sink_.on_anomaly("dns.truncated");
      return false;
    }
    const uint8_t* p = msg_.data() + next;
    uint16_t type = load_be16(p), rdlen = load_be16(p + 8);
    size_t rd = next + 10;
    if (rd + rdlen > msg_.size()) {
      sink_.on_anomaly("dns.truncated");
      return false;
    }
    pos = rd + rdlen;
    if (type == 41) {
      opt(rd, rdlen);
    } else if (owner_ok) {
      rdata(type, owner, rd, rdlen);
    }
    return true;
  }

  // A name inside rdata: it must end within the rdata.
  bool rdata_name(size_t pos, size_t end, size_t& next, std::string& text) {
    bool ok;
    if (!name_at(pos, end, next, text, ok)) {
      return false;
    }
    return ok;
  }

  void bad_rdata() { sink_.on_anomaly("dns.bad-rdata"); }

  void rdata(uint16_t type, const std::string& owner, size_t rd, size_t rdlen) {
    const uint8_t* p = msg_.data() + rd;
    size_t end = rd + rdlen;
    std::string target;
    size_t next;
    switch (type) {
      case 1:  // A
        if (rdlen != 4) return bad_rdata();
        add("dns.answer.a", IpAddr::v4(p).to_string(), owner);
        return;
      case 28:  // AAAA
        if (rdlen != 16) return bad_rdata();
        add("dns.answer.aaaa", IpAddr::v6(p).to_string(), owner);
        return;
      case 2:   // NS
      case 5:   // CNAME
      case 12:  // PTR
        if (!rdata_name(rd, end, next, target)) return;
        add(type == 2   ? "dns.answer.ns"
            : type == 5 ? "dns.answer.cname"
                        : "dns.answer.ptr",
            target, owner);
        if (type == 12) instance_from_ptr(owner, target);
        return;
      case 15:  // MX
        if (rdlen < 3) return bad_rdata();
        if (!rdata_name(rd + 2, end, next, target)) return;
        add("dns.answer.mx", target, owner);
        return;
      case 16:  // TXT
        txt(owner, rd, end);
        return;
      case 33: {  // SRV
        if (rdlen < 7) return bad_rdata();
        uint16_t port = load_be16(p + 4);
        if (!rdata_name(rd + 6, end, next, target)) return;
        add("dns.answer.srv", target + ":" + std::to_string(port), owner);
        instance_from_owner(owner);
        return;
      }
      case 64:  // SVCB
      case 65:  // HTTPS
        svcb(type, owner, rd, end);
        return;
      default:
        return;
    }
  }

  void txt(const std::string& owner, size_t rd, size_t end) {
    bool dnssd = flavor_ == Flavor::kMdns || owner.find("._tcp.") != std::string::npos ||
                 owner.find("._udp.") != std::string::npos;
    if (dnssd) instance_from_owner(owner);
    size_t p = rd;
    while (p < end) {
      size_t len = msg_[p];
      if (p + 1 + len > end) return bad_rdata();
      std::string_view s(reinterpret_cast<const char*>(msg_.data() + p + 1), len);
      p += 1 + len;
      if (s.empty()) continue;  // RFC 6763 6.1: a lone empty string means "no data"
      add("dns.answer.txt", std::string(s), owner);
      if (!dnssd) continue;
      size_t eq = s.find('=');
      if (eq == std::string_view::npos || eq == 0) continue;  // no key, or a boolean attribute
      add("dns.txt", std::string(s.substr(eq + 1)), std::string(s.substr(0, eq)));
    }
  }

  // RFC 9460: priority, target (never compressed, but read like any name),
  // then (key, length, value) parameters in increasing key order.
  void svcb(uint16_t type, const std::string& owner, size_t rd, size_t end) {
    if (end - rd < 3) return bad_rdata();
    std::string target;
    size_t p;
    if (!rdata_name(rd + 2, end, p, target)) return;
    add(type == 65 ? "dns.answer.https" : "dns.answer.svcb", target, owner);
    while (p < end) {
      if (end - p < 4) return bad_rdata();
      uint16_t key = load_be16(msg_.data() + p), len = load_be16(msg_.data() + p + 2);
      p += 4;
      if (end - p < len) return bad_rdata();
      const uint8_t* v = msg_.data() + p;
      p += len;
      switch (key) {
        case 1: {  // alpn: length-prefixed protocol ids
          size_t i = 0;
          while (i < len) {
            size_t n = v[i];
            if (i + 1 + n > len) return bad_rdata();
            add("dns.svcb.alpn", std::string(reinterpret_cast<const char*>(v + i + 1), n), owner);
            i += 1 + n;
          }
          break;
        }
        case 3:  // port
          if (len != 2) return bad_rdata();
          add("dns.svcb.port", std::to_string(load_be16(v)), owner);
          break;
        case 4:  // ipv4hint
          if (len % 4 != 0) return bad_rdata();
          for (size_t i = 0; i < len; i += 4)
            add("dns.svcb.ipv4hint", IpAddr::v4(v + i).to_string(), owner);
          break;
        case 5:  // ech: an ECHConfigList; its presence is what matters
          add("dns.svcb.ech", std::to_string(len), owner);
          break;
        case 6:  // ipv6hint
          if (len % 16 != 0) return bad_rdata();
          for (size_t i = 0; i < len; i += 16)
            add("dns.svcb.ipv6hint", IpAddr::v6(v + i).to_string(), owner);
          break;
        default:
          break;
      }
    }
  }

  // EDNS options (RFC 6891); Client Subnet (RFC 7871) tells where the
  // client is, so it is a field.
  void opt(size_t rd, size_t rdlen) {
    size_t p = rd, end = rd + rdlen;
    while (p < end) {
      if (end - p < 4) return bad_rdata();
      uint16_t code = load_be16(msg_.data() + p), len = load_be16(msg_.data() + p + 2);
      p += 4;
      if (end - p < len) return bad_rdata();
      const uint8_t* v = msg_.data() + p;
      p += len;
      if (code != 8 || len < 4) continue;
      uint16_t family = load_be16(v);
      unsigned prefix = v[2];
      size_t alen = (prefix + 7) / 8;
      size_t max = family == 1 ? 4 : family == 2 ? 16 : 0;
      if (max == 0 || prefix > max * 8 || len - 4u != alen) {
        bad_rdata();
        continue;
      }
      uint8_t addr[16] = {};
      for (size_t i = 0; i < alen; ++i) addr[i] = v[4 + i];
      IpAddr a = family == 1 ? IpAddr::v4(addr) : IpAddr::v6(addr);
      add("dns.edns.ecs", a.to_string() + "/" + std::to_string(prefix));
    }
  }

  void instance(std::string_view inst, std::string_view service) {
    for (const auto& f : out_.fields)
      if (f.name == "dns.instance" && f.key == service && f.value == inst) return;
    add("dns.instance", std::string(inst), std::string(service));
  }

  // PTR "_svc._tcp.local" -> "<instance>._svc._tcp.local".
  void instance_from_ptr(const std::string& owner, const std::string& target) {
    if (owner.empty() || owner[0] != '_' || target.size() <= owner.size() + 1) return;
    size_t cut = target.size() - owner.size() - 1;
    if (target[cut] != '.' || target.compare(cut + 1, std::string::npos, owner) != 0) return;
    std::string_view inst, service;
    if (split_instance(target, inst, service) && service == owner) instance(inst, service);
  }

  void instance_from_owner(const std::string& owner) {
    std::string_view inst, service;
    if (split_instance(owner, inst, service)) instance(inst, service);
  }

  Bytes msg_;
  Flavor flavor_;
  MessageSink& sink_;
  Message& out_;
  bool fields_capped_ = false;
};

class Session final : public proto::Session {
 public:
  Session(MessageSink& sink, Flavor flavor, bool stream)
      : sink_(sink), flavor_(flavor), stream_(stream) {}

  Consumed on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
    return stream_ ? on_stream(dir, data, ts, frame) : on_datagram(dir, data, ts, frame);
  }

  void on_gap(Direction dir, uint64_t) override { resync_[index(dir)] = true; }

  FlowFacts facts() const override {
    FlowFacts f;
    f.app = flavor_ == Flavor::kMdns ? "mdns" : flavor_ == Flavor::kLlmnr ? "llmnr" : "dns";
    f.encrypted = false;
    return f;
  }

 private:
  bool parse(Direction dir, Bytes msg, Timestamp ts, uint64_t frame) {
    Message m;
    m.dir = dir;
    m.ts = ts;
    m.frame = frame;
    if (!Decoder(msg, flavor_, sink_, m).run()) return false;
    sink_.on_message(std::move(m));
    return true;
  }

  Consumed on_datagram(Direction dir, Bytes data, Timestamp ts, uint64_t frame) {
    int& streak = bad_streak_[index(dir)];
    if (parse(dir, data, ts, frame)) {
      streak = -1;  // this direction has carried DNS: never give up on it
    } else if (streak >= 0 && ++streak >= kMaxBadStreak) {
      sink_.on_anomaly("dns.not-dns");
      return {data.size(), Status::kMalformed};
    }
    return {data.size(), Status::kOk};
  }

  Consumed on_stream(Direction dir, Bytes data, Timestamp ts, uint64_t frame) {
    size_t used = 0;
    while (data.size() - used >= 2) {
      size_t len = load_be16(data.data() + used);
      if (resync_[index(dir)]) {
        // After a hole the next bytes must look like a framed message, or
        // the framing is lost for good.
        if (data.size() - used < 2 + kHeader) break;
        if (len < kHeader ||
            content_score(data.subspan(used + 2, std::min(len, data.size() - used - 2)), false) ==
                0) {
          sink_.on_anomaly("dns.gap-desync");
          return {used, Status::kMalformed};
        }
        resync_[index(dir)] = false;
      }
      if (len < kHeader) {
        sink_.on_anomaly("dns.bad-length");
        return {used, Status::kMalformed};
      }
      if (data.size() - used < 2 + len) break;
      parse(dir, data.subspan(used + 2, len), ts, frame);
      used += 2 + len;
    }
    return {used, used == data.size() ? Status::kOk : Status::kNeedMore};
  }

  MessageSink& sink_;
  Flavor flavor_;
  bool stream_;
  bool resync_[2] = {false, false};
  int bad_streak_[2] = {0, 0};
};

// The first question's (or, without one, the first record's) name decoded,
// for the mDNS content hint.
bool first_name(Bytes msg, std::string& name) {
  if (msg.size() < kHeader) return false;
  return read_name(msg, kHeader, name) == NameResult::kOk;
}

bool looks_mdns(Bytes msg) {
  if (msg.size() < kHeader || load_be16(msg.data()) != 0) return false;
  std::string name;
  if (!first_name(msg, name)) return false;
  return iequals_suffix(name, ".local") || iequals_suffix(name, ".arpa");
}

int probe_dns(Direction, Bytes first, uint16_t port) {
  int s = content_score(first, true);
  if (s == 0) return 0;
  return s + (port == 53 ? 25 : 0);
}

int probe_tcp(Direction, Bytes first, uint16_t port) {
  if (first.size() < 2 + kHeader) return 0;
  size_t len = load_be16(first.data());
  if (len < kHeader) return 0;
  Bytes msg = first.subspan(2, std::min(len, first.size() - 2));
  int s = content_score(msg, msg.size() == len);
  if (s == 0) return 0;
  return s + (port == 53 ? 25 : 0);
}

int probe_mdns(Direction, Bytes first, uint16_t port) {
  int s = content_score(first, true);
  if (s == 0) return 0;
  if (port == 5353) return s + 30;
  return looks_mdns(first) ? s + 5 : 0;
}

int probe_llmnr(Direction, Bytes first, uint16_t port) {
  int s = content_score(first, true);
  return s != 0 && port == 5355 ? s + 30 : 0;
}

template <Flavor F, bool Stream>
std::unique_ptr<proto::Session> make(MessageSink& sink) {
  return std::make_unique<Session>(sink, F, Stream);
}

}  // namespace

int content_score(Bytes msg, bool complete) {
  if (msg.size() < kHeader) return 0;
  const uint8_t* h = msg.data();
  uint16_t flags = load_be16(h + 2);
  uint16_t qd = load_be16(h + 4), an = load_be16(h + 6), ns = load_be16(h + 8),
           ar = load_be16(h + 10);
  bool response = flags & 0x8000;
  if (((flags >> 11) & 0xF) != 0) return 0;       // opcode: standard query only
  if (!response && (flags & 0xF) != 0) return 0;  // a query has no rcode
  if (qd > 16 || an > 256 || ns > 256 || ar > 256) return 0;
  if (qd == 0 && (!response || an + ns + ar == 0)) return 0;
  // Each question takes at least 5 bytes, each record 11. A datagram the
  // capture cut short (snap length) fails this, so it lowers the score
  // rather than ruling DNS out.
  int penalty = 0;
  if (complete && size_t(qd) * 5 + size_t(an + ns + ar) * 11 > msg.size() - kHeader) penalty = 25;
  size_t next;
  NameResult r = skip_name(msg, kHeader, next);
  if (r == NameResult::kTruncated && !complete) return 40;
  if (r != NameResult::kOk) return 0;
  std::string name;
  if (read_name(msg, kHeader, name) != NameResult::kOk) return 0;
  if (next + 4 > msg.size()) return complete ? 0 : 40;
  uint16_t type = load_be16(msg.data() + next), klass = load_be16(msg.data() + next + 2) & 0x7FFF;
  if (type == 0 || (klass != 1 && klass != 3 && klass != 4 && klass != 254 && klass != 255))
    return 0;
  // NetBIOS Name Service (RFC 1002) shares the wire format; its names are
  // one 32-byte label of half-bytes spelled 'A'..'P'.
  if (msg[kHeader] == 32 && name.size() >= 32 &&
      std::all_of(name.begin(), name.begin() + 32, [](char c) { return c >= 'A' && c <= 'P'; }))
    return 0;
  int score = 50 - penalty;
  bool printable = true;
  for (char c : name) printable &= c >= 0x20 && c < 0x7F;
  if (printable) score += 10;
  if (qd == 1) score += 10;
  return score;
}

const Parser& parser() {
  static const Parser p{"dns", Transport::kDatagram, probe_dns, make<Flavor::kDns, false>};
  return p;
}
const Parser& tcp_parser() {
  static const Parser p{"dns", Transport::kStream, probe_tcp, make<Flavor::kDns, true>};
  return p;
}
const Parser& mdns_parser() {
  static const Parser p{"mdns", Transport::kDatagram, probe_mdns, make<Flavor::kMdns, false>};
  return p;
}
const Parser& llmnr_parser() {
  static const Parser p{"llmnr", Transport::kDatagram, probe_llmnr, make<Flavor::kLlmnr, false>};
  return p;
}

}  // namespace ph::proto::dns
