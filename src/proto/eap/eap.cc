// EAP packet decoding and the IMSI form of SIM/AKA identities (see eap.h).
#include "proto/eap/eap.h"

#include <string>

namespace ph::proto::eap {
namespace {

constexpr uint8_t kIdentity = 1;
constexpr uint8_t kSim = 18;
constexpr uint8_t kAka = 23;
constexpr uint8_t kAkaPrime = 50;
constexpr uint8_t kAtIdentity = 14;  // RFC 4186 10.5, RFC 4187 10.5
constexpr size_t kMaxAttributes = 64;

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

// The digits after `prefix` in a dot-separated label of `realm`, or empty.
std::string_view label_digits(std::string_view realm, std::string_view prefix) {
  size_t start = 0;
  while (start <= realm.size()) {
    size_t dot = realm.find('.', start);
    if (dot == std::string_view::npos) dot = realm.size();
    std::string_view label = realm.substr(start, dot - start);
    if (label.size() > prefix.size() && label.substr(0, prefix.size()) == prefix &&
        all_digits(label.substr(prefix.size())))
      return label.substr(prefix.size());
    start = dot + 1;
  }
  return {};
}

// EAP-SIM/AKA/AKA': subtype, 2 reserved bytes, then attributes of
// (type, length in 4-byte words, value). AT_IDENTITY's value is a 2-byte
// actual length, the identity, and padding.
void sim_aka_identity(Bytes data, Message& out, MessageSink& sink) {
  if (data.size() < 3) return;  // no attributes (a bare subtype)
  size_t pos = 3;
  for (size_t n = 0; pos < data.size(); ++n) {
    if (n == kMaxAttributes || data.size() - pos < 4) {
      sink.on_anomaly("eap.bad-attribute");
      return;
    }
    const uint8_t type = data[pos];
    const size_t len = size_t(data[pos + 1]) * 4;
    if (len == 0 || len > data.size() - pos) {
      sink.on_anomaly("eap.bad-attribute");
      return;
    }
    if (type == kAtIdentity) {
      const size_t actual = load_be16(&data[pos + 2]);
      if (actual > len - 4) {
        sink.on_anomaly("eap.bad-attribute");
        return;
      }
      std::string_view id = as_string(data.subspan(pos + 4, actual));
      out.add("eap.identity", std::string(id));
      std::string_view imsi = imsi_from_nai(id);
      if (!imsi.empty()) out.add("eap.imsi", std::string(imsi));
    }
    pos += len;
  }
}

}  // namespace

std::string_view code_name(uint8_t code) {
  switch (code) {
    case 1:
      return "request";
    case 2:
      return "response";
    case 3:
      return "success";
    case 4:
      return "failure";
    case 5:
      return "initiate";  // RFC 6696
    case 6:
      return "finish";
    default:
      return {};
  }
}

std::string_view type_name(uint8_t type) {
  switch (type) {
    case 1:
      return "identity";
    case 2:
      return "notification";
    case 3:
      return "nak";
    case 4:
      return "md5";
    case 5:
      return "otp";
    case 6:
      return "gtc";
    case 13:
      return "tls";
    case 17:
      return "leap";
    case 18:
      return "sim";
    case 21:
      return "ttls";
    case 23:
      return "aka";
    case 25:
      return "peap";
    case 26:
      return "mschapv2";
    case 43:
      return "fast";
    case 47:
      return "psk";
    case 49:
      return "ikev2";
    case 50:
      return "aka-prime";
    case 52:
      return "pwd";
    case 55:
      return "teap";
    case 254:
      return "expanded";
    default:
      return {};
  }
}

std::string_view imsi_from_nai(std::string_view identity) {
  const size_t at = identity.find('@');
  if (at == std::string_view::npos || at < 7) return {};
  const char prefix = identity[0];
  if (prefix != '0' && prefix != '1' && prefix != '6') return {};
  std::string_view imsi = identity.substr(1, at - 1);
  if (imsi.size() < 6 || imsi.size() > 15 || !all_digits(imsi)) return {};
  std::string_view realm = identity.substr(at + 1);
  std::string_view mcc = label_digits(realm, "mcc");
  std::string_view mnc = label_digits(realm, "mnc");
  if (mcc.size() != 3 || (mnc.size() != 2 && mnc.size() != 3)) return {};
  if (imsi.substr(0, 3) != mcc) return {};
  // The realm writes a 2-digit MNC with a leading zero ("mnc001" for 01).
  std::string_view rest = imsi.substr(3);
  if (rest.substr(0, mnc.size()) == mnc) return imsi;
  if (mnc.size() == 3 && mnc[0] == '0' && rest.substr(0, 2) == mnc.substr(1)) return imsi;
  return {};
}

Result parse(Bytes packet, Message& out, MessageSink& sink) {
  Result r;
  if (packet.size() < 4) {
    sink.on_anomaly("eap.short");
    return r;
  }
  const uint8_t code = packet[0];
  const size_t length = load_be16(&packet[2]);
  if (length < 4 || length > packet.size()) {
    sink.on_anomaly("eap.bad-length");
    return r;
  }
  r.ok = true;
  r.code = code;
  std::string_view cname = code_name(code);
  out.add("eap.code", cname.empty() ? std::to_string(code) : std::string(cname));
  // Success and Failure end at the header; Request, Response, Initiate and
  // Finish carry a type (RFC 3748 4.1, RFC 6696 5.3).
  if (code == 3 || code == 4 || length < 5) {
    if (code != 3 && code != 4) sink.on_anomaly("eap.short");
    return r;
  }
  const uint8_t type = packet[4];
  std::string_view tname = type_name(type);
  out.add("eap.type", tname.empty() ? std::to_string(type) : std::string(tname));
  Bytes data = packet.subspan(5, length - 5);
  if (code != 2) return r;  // identities travel in responses
  if (type == kIdentity) {
    if (!data.empty()) {
      std::string_view id = as_string(data);
      out.add("eap.identity", std::string(id));
      std::string_view imsi = imsi_from_nai(id);
      if (!imsi.empty()) out.add("eap.imsi", std::string(imsi));
    }
  } else if (type == kSim || type == kAka || type == kAkaPrime) {
    sim_aka_identity(data, out, sink);
  }
  return r;
}

}  // namespace ph::proto::eap
