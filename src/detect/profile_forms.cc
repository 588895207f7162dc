// The forms of one profile value (see profile_matcher.h). Each type lists
// its renderings as text (separators, case, phone formats), which are
// searched as they are and URL-encoded; and the exact strings that SDKs
// encode or hash (lower- and upper-case MACs, the IMEI's digits, the e-mail
// address in lower case...), which are searched as base64, base64url, hex,
// and as MD5/SHA-1/SHA-256/SHA-512 digests in hex, base64, base64url and raw
// bytes.
#include <algorithm>
#include <set>
#include <utility>

#include "base/crypto.h"
#include "base/encode.h"
#include "detect/profile_matcher.h"
#include "detect/validators.h"

namespace ph::detect {
namespace {

std::string digits_only(std::string_view s) {
  std::string r;
  for (char c : s)
    if (is_digit(c)) r.push_back(c);
  return r;
}

// RFC 3986: everything but unreserved characters as %XX.
std::string percent_encode(std::string_view s) {
  std::string r;
  for (char c : s) {
    if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      r.push_back(c);
    } else {
      r.push_back('%');
      r.append(hex_encode(std::string_view(&c, 1), true));
    }
  }
  return r;
}

std::string_view type_label(DataType t) {
  switch (t) {
    case DataType::kImei:
      return "IMEI";
    case DataType::kImsi:
      return "IMSI";
    case DataType::kIccid:
      return "ICCID";
    case DataType::kMsisdn:
      return "phone number";
    case DataType::kMac:
      return "MAC address";
    case DataType::kAndroidId:
      return "Android ID";
    case DataType::kAdId:
      return "advertising ID";
    case DataType::kSerial:
      return "serial number";
    case DataType::kEmail:
      return "e-mail address";
    case DataType::kName:
      return "name";
    default:
      return "value";
  }
}

struct Text {
  std::string text;
  std::string label;  // "with dashes", "upper case with colons"; "" for the plain form
};

struct Digest {
  const EVP_MD* (*md)();
  std::string_view name;   // the encoding name: "sha256"
  std::string_view label;  // "SHA-256"
};
const Digest kDigests[] = {
    {crypto::md5, "md5", "MD5"},
    {crypto::sha1, "sha1", "SHA-1"},
    {crypto::sha256, "sha256", "SHA-256"},
    {crypto::sha512, "sha512", "SHA-512"},
};

enum class Kind { kText, kBase64, kDigest };

class Forms {
 public:
  explicit Forms(DataType type) : type_(type) {}

  // A rendering as text, and URL-encoded when that differs.
  void text(const Text& t, bool caseless) {
    add(t.text, caseless, Kind::kText, describe(t.label, ""), {});
    std::string url = percent_encode(t.text);
    if (url != t.text) add(url, true, Kind::kText, describe(t.label, "URL-encoded"), {"percent"});
  }
  // A string SDKs encode or hash: base64, base64url, hex, and digests.
  void encoded(const Text& t) {
    base64(t.text, t.label, "", {});
    add(hex_encode(t.text), true, Kind::kText, describe(t.label, "as hex"), {"hex"});
    for (const Digest& d : kDigests) digest(t.text, t.label, d);
  }
  // Only digests (one word of a name, lower case).
  void digest(std::string_view text, std::string_view label, const Digest& d) {
    std::string bytes = crypto::digest(d.md(), text);
    if (bytes.empty()) return;
    std::string how = "as " + std::string(d.label);
    add(hex_encode(bytes), true, Kind::kDigest, describe(label, how + " hex"), {d.name});
    base64(bytes, label, d.label, d.name);
    add(bytes, false, Kind::kDigest, describe(label, how + " bytes"), {d.name});
  }
  // Raw bytes as they are (a MAC's six bytes in a binary message).
  void raw(std::string bytes, std::string_view how) {
    add(std::move(bytes), false, Kind::kDigest, describe("", how), {});
  }
  std::vector<ProfileForm> take() { return std::move(forms_); }

 private:
  void base64(std::string_view bytes, std::string_view label, std::string_view digest_label,
              std::string_view digest) {
    std::string how = "as " + (digest_label.empty() ? "" : std::string(digest_label) + " ");
    // Without padding: the form is found whether the '=' follow or not.
    std::string std64 = base64_encode(bytes, false, false);
    std::string url64 = base64_encode(bytes, true, false);
    auto encodings = [&](std::string_view b64) {
      return digest.empty() ? std::array<std::string_view, 2>{b64}
                            : std::array<std::string_view, 2>{b64, digest};
    };
    add(std64, false, Kind::kBase64, describe(label, how + "base64"), encodings("base64"));
    if (url64 != std64)
      add(url64, false, Kind::kBase64, describe(label, how + "base64url"), encodings("base64url"));
  }

  std::string describe(std::string_view label, std::string_view how) const {
    std::string d = "your ";
    d.append(type_label(type_));
    if (!label.empty()) d.append(" (").append(label).append(")");
    if (!how.empty()) d.append(" ").append(how);
    return d;
  }

  Boundary boundary(std::string_view bytes, Kind kind) const {
    if (kind == Kind::kBase64) return Boundary::kBase64;
    if (kind == Kind::kDigest) return Boundary::kNone;
    if (type_ == DataType::kName) return Boundary::kWord;
    if (type_ == DataType::kEmail && bytes.find('@') != std::string_view::npos)
      return Boundary::kEmail;
    if (all_digits(bytes)) return Boundary::kDigits;
    // Short forms occur by chance inside longer words and tokens.
    return bytes.size() < 12 ? Boundary::kWord : Boundary::kNone;
  }

  void add(std::string bytes, bool caseless, Kind kind, std::string description,
           std::array<std::string_view, 2> encodings) {
    if (bytes.empty()) return;
    std::string key = (caseless ? "i:" : "s:") + (caseless ? to_lower(bytes) : bytes);
    if (!seen_.insert(std::move(key)).second) return;
    ProfileForm f;
    f.boundary = boundary(bytes, kind);
    f.caseless = caseless && std::any_of(bytes.begin(), bytes.end(), is_alpha);
    f.bytes = std::move(bytes);
    f.description = std::move(description);
    f.encodings = encodings;
    forms_.push_back(std::move(f));
  }

  DataType type_;
  std::vector<ProfileForm> forms_;
  std::set<std::string> seen_;
};

// "35-846710-123456-3": the grouping of 3GPP TS 23.003 (reporting body,
// rest of the TAC, serial, check digit).
std::string imei_grouped(const std::string& d, char sep) {
  return d.substr(0, 2) + sep + d.substr(2, 6) + sep + d.substr(8, 6) + sep + d.substr(14);
}

std::string grouped(std::string_view d, size_t n, char sep) {
  std::string r;
  for (size_t i = 0; i < d.size(); i += n) {
    if (i) r.push_back(sep);
    r.append(d.substr(i, n));
  }
  return r;
}

void phone(Forms& f, const std::string& e164) {
  auto p = phone_forms(e164, "");
  if (!p) {
    f.text({e164, ""}, false);
    f.encoded({e164, ""});
    return;
  }
  const std::string cc_nsn = p->country_code + p->significant;
  const std::string national_digits = digits_only(p->national);
  std::string dashed = p->rfc3966;
  if (dashed.rfind("tel:", 0) == 0) dashed.erase(0, 4);
  dashed = dashed.substr(0, dashed.find(';'));  // extensions and parameters
  const Text texts[] = {
      {p->e164, ""},
      {cc_nsn, "without +"},
      {"00" + cc_nsn, "with 00"},
      {p->international, "international format"},
      {dashed, "with dashes"},
      {p->national, "national format"},
      {national_digits, "national digits"},
      {p->significant, "national significant number"},
  };
  for (const Text& t : texts) f.text(t, false);
  f.encoded({p->e164, ""});
  f.encoded({cc_nsn, "without +"});
  f.encoded({national_digits, "national digits"});
}

void mac(Forms& f, const std::string& colons) {
  auto m = parse_mac(colons);
  if (!m) return;
  std::string bare = colons;
  std::erase(bare, ':');
  std::string dashes = colons;
  std::replace(dashes.begin(), dashes.end(), ':', '-');
  std::string dotted = bare.substr(0, 4) + "." + bare.substr(4, 4) + "." + bare.substr(8);
  f.text({colons, ""}, true);
  f.text({dashes, "with dashes"}, true);
  f.text({dotted, "dotted"}, true);
  f.text({bare, "without separators"}, true);
  f.encoded({colons, "lower case with colons"});
  f.encoded({to_upper(colons), "upper case with colons"});
  f.encoded({bare, "lower case without separators"});
  f.encoded({to_upper(bare), "upper case without separators"});
  f.raw(std::string(reinterpret_cast<const char*>(m->data()), m->size()), "as 6 bytes");
}

void name(Forms& f, const std::string& n) {
  std::vector<std::string> words;
  for (size_t i = 0; i < n.size();) {
    size_t sp = n.find(' ', i);
    if (sp == std::string::npos) sp = n.size();
    words.push_back(n.substr(i, sp - i));
    i = sp + 1;
  }
  auto joined = [&](std::string_view sep) {
    std::string r;
    for (const auto& w : words) r += (r.empty() ? "" : std::string(sep)) + w;
    return r;
  };
  f.text({n, ""}, true);
  if (words.size() > 1) {
    f.text({joined("+"), "form-encoded"}, true);
    f.text({joined("_"), "with underscores"}, true);
    f.text({joined("."), "with dots"}, true);
    f.text({joined(""), "without spaces"}, true);
    std::string last_first = words.back() + ",";
    for (size_t i = 0; i + 1 < words.size(); ++i) last_first += " " + words[i];
    f.text({last_first, "last name first"}, true);
  }
  f.encoded({n, ""});
  f.encoded({to_lower(n), "lower case"});
  if (words.size() > 1) {
    for (const auto& w : words) {
      if (w.size() < 2) continue;
      for (const Digest& d : kDigests) f.digest(to_lower(w), "one word of it, lower case", d);
    }
  }
}

}  // namespace

std::vector<ProfileForm> profile_forms(const ProfileValue& value) {
  Forms f(value.type);
  const std::string& v = value.value;
  switch (value.type) {
    case DataType::kImei:
      f.text({v, ""}, false);
      if (v.size() == 15) {
        f.text({imei_grouped(v, '-'), "with dashes"}, false);
        f.text({imei_grouped(v, ' '), "with spaces"}, false);
      }
      f.encoded({v, ""});
      break;
    case DataType::kImsi: {
      f.text({v, ""}, false);
      if (auto op = lookup_mcc_mnc(v)) {
        size_t mnc = op->mnc.size();
        f.text({v.substr(0, 3) + "-" + v.substr(3, mnc) + "-" + v.substr(3 + mnc), "with dashes"},
               false);
        f.text({v.substr(0, 3) + " " + v.substr(3, mnc) + " " + v.substr(3 + mnc), "with spaces"},
               false);
      }
      f.encoded({v, ""});
      break;
    }
    case DataType::kIccid:
      f.text({v, ""}, false);
      f.text({grouped(v, 4, ' '), "in groups of four"}, false);
      f.encoded({v, ""});
      break;
    case DataType::kMsisdn:
      phone(f, v);
      break;
    case DataType::kMac:
      mac(f, v);
      break;
    case DataType::kAndroidId:
      f.text({v, ""}, true);
      f.encoded({v, ""});
      f.encoded({to_upper(v), "upper case"});
      break;
    case DataType::kAdId: {
      std::string bare = v;
      std::erase(bare, '-');
      f.text({v, ""}, true);
      f.text({bare, "without dashes"}, true);
      f.encoded({v, ""});
      f.encoded({to_upper(v), "upper case"});
      f.encoded({bare, "without dashes"});
      break;
    }
    case DataType::kSerial:
      f.text({v, ""}, true);
      f.encoded({v, ""});
      f.encoded({to_upper(v), "upper case"});
      f.encoded({to_lower(v), "lower case"});
      break;
    case DataType::kEmail:
      f.text({v, ""}, true);
      f.encoded({v, ""});
      break;
    case DataType::kName:
      name(f, v);
      break;
    default:
      break;
  }
  return f.take();
}

}  // namespace ph::detect
