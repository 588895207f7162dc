// A small streaming JSON writer for the report sinks: objects, arrays,
// strings (escaped; bytes that are not valid UTF-8 become U+FFFD so the
// output is always valid JSON), numbers, booleans, null. Keys are written
// in the order given, so output is deterministic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ph::report {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  // A key written in the code: copied without looking for characters to
  // escape (it must have none; checked in debug builds).
  template <size_t N>
  JsonWriter& key(const char (&k)[N]) {
    return literal_key(std::string_view(k, N - 1));
  }
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(uint64_t n);
  JsonWriter& value(int64_t n);
  JsonWriter& value(int n) { return value(static_cast<int64_t>(n)); }
  JsonWriter& value(unsigned n) { return value(static_cast<uint64_t>(n)); }
  JsonWriter& value(double d, int decimals);
  JsonWriter& value(bool b);
  JsonWriter& null();
  // Shorthand: key + value.
  template <class T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }
  template <size_t N, class T>
  JsonWriter& field(const char (&k)[N], const T& v) {
    key(k);
    return value(v);
  }

 private:
  JsonWriter& literal_key(std::string_view k);
  void separate();
  std::string& out_;
  bool need_comma_ = false;
};

// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), or 0
// when invalid (overlong forms, surrogates, past U+10FFFF, cut short).
size_t utf8_sequence(std::string_view s, size_t i);

// Appends `s` as a JSON string literal (with quotes) to `out`.
void append_json_string(std::string& out, std::string_view s);

}  // namespace ph::report
