// A small streaming JSON writer for the report sinks: objects, arrays,
// strings (escaped; bytes that are not valid UTF-8 become U+FFFD so the
// output is always valid JSON), numbers, booleans, null. Keys are written
// in the order given, so output is deterministic.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ph::report {

class JsonWriter {
 public:
  // Writes to `out`. Text is staged in the writer and appended to `out` in
  // runs (a record's fields are many small pieces): `out` is complete when
  // the outermost object or array ends, at flush(), and when the writer is
  // destroyed.
  explicit JsonWriter(std::string& out) : out_(out) {}
  ~JsonWriter() { flush(); }
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

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
  // A string value that needs no escaping (printable ASCII without '"' or
  // '\\': timestamps, addresses), quoted without looking at its bytes
  // (checked in debug builds).
  JsonWriter& plain(std::string_view s);
  // A value that is JSON text already (not checked).
  JsonWriter& raw(std::string_view json);
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
  // Appends what is staged to `out`.
  void flush() {
    if (n_) out_.append(stage_, n_);
    n_ = 0;
  }

 private:
  static constexpr size_t kStage = 1024;
  JsonWriter& literal_key(std::string_view k);
  void separate() {
    if (need_comma_) put(',');
    need_comma_ = true;
  }
  void put(char c) {
    if (n_ == kStage) flush();
    stage_[n_++] = c;
  }
  void put(const char* p, size_t n) {
    if (n > kStage - n_) {
      flush();
      if (n > kStage / 2) {
        out_.append(p, n);
        return;
      }
    }
    if (n) std::memcpy(stage_ + n_, p, n);  // p may be null when n is 0
    n_ += n;
  }
  void put(std::string_view s) { put(s.data(), s.size()); }
  void put_string(std::string_view s);  // quoted and escaped
  void closed() {
    need_comma_ = true;
    if (--depth_ == 0) flush();
  }

  std::string& out_;
  bool need_comma_ = false;
  int depth_ = 0;
  size_t n_ = 0;
  char stage_[kStage];
};

// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), or 0
// when invalid (overlong forms, surrogates, past U+10FFFF, cut short).
size_t utf8_sequence(std::string_view s, size_t i);

// Appends `s` as a JSON string literal (with quotes) to `out`.
void append_json_string(std::string& out, std::string_view s);

}  // namespace ph::report
