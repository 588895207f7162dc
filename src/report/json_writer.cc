// JSON text generation for the jsonl/json sinks.
#include "report/json_writer.h"

#include <array>
#include <cassert>
#include <charconv>
#include <cstdio>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace ph::report {

size_t utf8_sequence(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) {
    n = 2;
    cp = c & 0x1f;
  } else if ((c & 0xf0) == 0xe0) {
    n = 3;
    cp = c & 0x0f;
  } else if ((c & 0xf8) == 0xf0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (cc & 0x3f);
  }
  // Reject overlong forms, surrogates and values past U+10FFFF.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
    return 0;
  return n;
}

namespace {

// Bytes that are copied as they are (printable ASCII but '"' and '\\').
constexpr auto kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x7f; ++c) t[size_t(c)] = c != '"' && c != '\\';
  return t;
}();

// The end of the run of plain bytes from s[i]. Reports are mostly plain
// text: sixteen bytes at a time where SSE2 is there (every x86-64).
size_t plain_run(std::string_view s, size_t i) {
#ifdef __SSE2__
  const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\'), del = _mm_set1_epi8(0x7f);
  while (i + 16 <= s.size()) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    // Signed: bytes from 0x80 up are negative, so below ' ' as controls are.
    const __m128i bad =
        _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, quote)),
                     _mm_or_si128(_mm_cmpeq_epi8(v, backslash), _mm_cmpeq_epi8(v, del)));
    if (const int mask = _mm_movemask_epi8(bad)) return i + size_t(__builtin_ctz(unsigned(mask)));
    i += 16;
  }
#endif
  while (i < s.size() && kPlain[static_cast<unsigned char>(s[i])]) ++i;
  return i;
}

// The escaping of a JSON string, quotes included, for any output `put`
// (const char*, size_t): a std::string or a writer's stage.
template <class Put>
void put_escaped(std::string_view s, Put&& put) {
  size_t i = plain_run(s, 0);
  put("\"", 1);
  put(s.data(), i);
  while (i < s.size()) {
    // Copy the longest run that needs no escaping in one go.
    size_t run = plain_run(s, i);
    put(s.data() + i, run - i);
    i = run;
    if (i == s.size()) break;
    auto c = static_cast<unsigned char>(s[i]);
    const char* esc = nullptr;
    switch (c) {
      case '"':
        esc = "\\\"";
        break;
      case '\\':
        esc = "\\\\";
        break;
      case '\n':
        esc = "\\n";
        break;
      case '\r':
        esc = "\\r";
        break;
      case '\t':
        esc = "\\t";
        break;
      default:
        break;
    }
    if (esc) {
      put(esc, 2);
      ++i;
      continue;
    }
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      put(buf, 6);
      ++i;
      continue;
    }
    size_t n = utf8_sequence(s, i);
    if (n == 0) {
      put("\\ufffd", 6);
      ++i;
    } else {
      put(s.data() + i, n);
      i += n;
    }
  }
  put("\"", 1);
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  put_escaped(s, [&](const char* p, size_t n) { out.append(p, n); });
}

void JsonWriter::put_string(std::string_view s) {
  put_escaped(s, [this](const char* p, size_t n) { put(p, n); });
}

JsonWriter& JsonWriter::begin_object() {
  separate();
  put('{');
  need_comma_ = false;
  ++depth_;
  return *this;
}
JsonWriter& JsonWriter::end_object() {
  put('}');
  closed();
  return *this;
}
JsonWriter& JsonWriter::begin_array() {
  separate();
  put('[');
  need_comma_ = false;
  ++depth_;
  return *this;
}
JsonWriter& JsonWriter::end_array() {
  put(']');
  closed();
  return *this;
}
JsonWriter& JsonWriter::key(std::string_view k) {
  // Keys are names from the code ("id", "dst"), written for every field of
  // every record: copied whole when they need no escaping, as they all do.
  if (plain_run(k, 0) == k.size()) return literal_key(k);
  separate();
  put_string(k);
  put(':');
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::literal_key(std::string_view k) {
  assert(plain_run(k, 0) == k.size());
  if (need_comma_) put(',');
  put('"');
  put(k);
  put('"');
  put(':');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  separate();
  put_string(s);
  return *this;
}
JsonWriter& JsonWriter::value(uint64_t n) {
  separate();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  put(buf, size_t(r.ptr - buf));
  return *this;
}
JsonWriter& JsonWriter::value(int64_t n) {
  separate();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  put(buf, size_t(r.ptr - buf));
  return *this;
}
JsonWriter& JsonWriter::value(double d, int decimals) {
  separate();
  // Exactly printf's "%.*f" (both round the exact binary value), without
  // the format parsing.
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed, decimals);
  if (r.ec != std::errc()) {  // too long for the buffer: out of any range a report has
    put("null", 4);
    return *this;
  }
  put(buf, size_t(r.ptr - buf));
  return *this;
}
JsonWriter& JsonWriter::value(bool b) {
  separate();
  put(b ? std::string_view("true") : std::string_view("false"));
  return *this;
}
JsonWriter& JsonWriter::null() {
  separate();
  put("null", 4);
  return *this;
}
JsonWriter& JsonWriter::plain(std::string_view s) {
  assert(plain_run(s, 0) == s.size());
  separate();
  put('"');
  put(s);
  put('"');
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  separate();
  put(json);
  return *this;
}

}  // namespace ph::report
