// Reading the user's configuration files (see config_file.h).
#include "base/config_file.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <vector>

namespace ph {

Result<std::string> read_config_file(const std::string& path, std::string_view what,
                                     size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot read " + std::string(what) + " " + path);
  std::string text;
  text.resize(max_bytes + 1);
  in.read(text.data(), std::streamsize(text.size()));
  text.resize(size_t(in.gcount()));
  if (in.bad()) return make_error("cannot read " + std::string(what) + " " + path);
  if (text.size() > max_bytes)
    return make_error(path + ": a " + std::string(what) + " is at most " +
                      std::to_string(max_bytes >> 20) + " MiB");
  return text;
}

std::optional<TextProblem> toml_guard(std::string_view t, std::string_view what,
                                      std::string_view header) {
  enum class State { kNormal, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };
  State state = State::kNormal;
  size_t line = 1, line_start = 0, depth = 0;
  bool blank_so_far = true;  // only spaces and tabs before, on this line
  bool in_value = false;     // after '=' (until the line ends outside brackets)
  auto problem = [&](size_t i, std::string message) {
    return TextProblem{line, i - line_start + 1, std::move(message)};
  };
  auto is_digit = [](uint8_t c) { return c >= '0' && c <= '9'; };
  auto token_end = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ']' || c == '}' ||
           c == '#';
  };
  auto bare_or_quote = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '"' || c == '\'';
  };
  // toml++ also trips over a non-ASCII character right after a backslash
  // ('"""' then a backslash and U+0483, found by policy_fuzz); TOML's
  // escapes are ASCII.
  static constexpr const char* kEscape = "a backslash before a non-ASCII character (not an escape)";
  for (size_t i = 0; i < t.size(); ++i) {
    const auto c = uint8_t(t[i]);
    if (c >= 0x80) {
      // One UTF-8 sequence: a lead byte, 1-3 continuation bytes, no
      // overlong form, no surrogate, nothing above U+10FFFF.
      const size_t n = c >= 0xc2 && c <= 0xdf   ? 1
                       : c >= 0xe0 && c <= 0xef ? 2
                       : c >= 0xf0 && c <= 0xf4 ? 3
                                                : 0;
      bool ok = n > 0 && i + n < t.size();
      for (size_t k = 1; ok && k <= n; ++k) ok = (uint8_t(t[i + k]) & 0xc0) == 0x80;
      if (ok) {
        const auto c1 = uint8_t(t[i + 1]);
        ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 > 0x9f) && !(c == 0xf0 && c1 < 0x90) &&
             !(c == 0xf4 && c1 > 0x8f);
      }
      if (!ok) return problem(i, "not UTF-8 (" + std::string(what) + " is a UTF-8 text file)");
      if (state == State::kNormal)
        return problem(i, "a character outside a quoted string that TOML does not allow");
      i += n;
      blank_so_far = false;
      continue;
    }
    if (c == '\n') {
      ++line;
      line_start = i + 1;
      blank_so_far = true;
      if (state != State::kMultiBasic && state != State::kMultiLiteral && depth == 0)
        in_value = false;
      if (state == State::kComment || state == State::kBasic || state == State::kLiteral)
        state = State::kNormal;
      continue;
    }
    const bool was_blank = blank_so_far;
    if (c != ' ' && c != '\t') blank_so_far = false;
    switch (state) {
      case State::kComment:
        break;
      case State::kBasic:
        if (c == '\\' && i + 1 < t.size() && uint8_t(t[i + 1]) >= 0x80) return problem(i, kEscape);
        if (c == '\\' && i + 1 < t.size())
          ++i;  // an escape (whatever it is, it is not the closing quote)
        else if (c == '"')
          state = State::kNormal;
        break;
      case State::kLiteral:
        if (c == '\'') state = State::kNormal;
        break;
      case State::kMultiBasic:
        if (c == '\\') {
          // A line-ending backslash trims the whitespace after it; toml++
          // trips over a non-ASCII character that ends it.
          size_t j = i + 1;
          while (j < t.size() && (t[j] == ' ' || t[j] == '\t' || t[j] == '\r' || t[j] == '\n')) ++j;
          if (j == i + 1 && j < t.size() && uint8_t(t[j]) >= 0x80) return problem(i, kEscape);
          if (j > i + 1 && j < t.size() && uint8_t(t[j]) >= 0x80)
            return problem(i, "a non-ASCII character right after a line-ending backslash");
          if (j == i + 1 && j < t.size() && uint8_t(t[j]) < 0x80) ++i;  // skip what it escapes
        } else if (t.substr(i, 3) == "\"\"\"") {
          i += 2;
          while (i + 1 < t.size() && t[i + 1] == '"') ++i;  // up to two quotes of content
          state = State::kNormal;
        }
        break;
      case State::kMultiLiteral:
        if (t.substr(i, 3) == "'''") {
          i += 2;
          while (i + 1 < t.size() && t[i + 1] == '\'') ++i;
          state = State::kNormal;
        }
        break;
      case State::kNormal:
        if (in_value && (is_digit(c) || c == '+' || c == '-')) {
          // A number or date: toml++ scans the whole token, quotes and
          // backslashes included, and reaches the same undefined behaviour
          // on a non-ASCII character in it ('r=5"\xce\xba', found by
          // policy_fuzz). Valid TOML has none there.
          size_t j = i;
          for (; j < t.size() && !token_end(t[j]); ++j) {
            if (uint8_t(t[j]) >= 0x80)
              return problem(j, "a character outside a quoted string that TOML does not allow");
          }
          i = j - 1;
        } else if (c == '=') {
          in_value = true;
        } else if (c == '#') {
          state = State::kComment;
        } else if (c == '"') {
          state = t.substr(i, 3) == "\"\"\"" ? State::kMultiBasic : State::kBasic;
          if (state == State::kMultiBasic) i += 2;
        } else if (c == '\'') {
          state = t.substr(i, 3) == "'''" ? State::kMultiLiteral : State::kLiteral;
          if (state == State::kMultiLiteral) i += 2;
        } else if (c == '[' && depth == 0 && was_blank) {
          // A table header: [key] or [[key]], the key right after.
          size_t j = i + 1;
          if (j < t.size() && t[j] == '[') ++j;
          while (j < t.size() && (t[j] == ' ' || t[j] == '\t')) ++j;
          if (j < t.size() && !bare_or_quote(t[j]) && t[j] != ']')
            return problem(j, "a table header starts with its name: " + std::string(header));
          i = j - 1;
        } else if (c == '[' || c == '{') {
          ++depth;
        } else if ((c == ']' || c == '}') && depth > 0) {
          --depth;
        }
        break;
    }
  }
  return std::nullopt;
}

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string one_line(std::string_view message) {
  std::string out;
  for (char c : message) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out.append("\\x").push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string suggestion(std::string_view word, std::span<const std::string_view> known) {
  std::string_view best;
  size_t best_d = 3;
  for (std::string_view k : known) {
    size_t d = edit_distance(word, k);
    if (d < best_d) best_d = d, best = k;
  }
  // Appended piece by piece: GCC 12 at -O2 warns (-Wrestrict, a false
  // positive) on a chain of operator+ that starts with a literal.
  std::string msg;
  if (!best.empty()) {
    msg.append(" (did you mean '").append(best).append("'?)");
    return msg;
  }
  msg = " (known:";
  for (std::string_view k : known) msg.append(" ").append(k);
  return msg.append(")");
}

}  // namespace ph
