// Small text helpers of the HTTP parser: percent-decoding, base64 (for
// Basic credentials), case-insensitive comparison, trimming. Pure
// functions over bytes; nothing here allocates except the outputs.
#pragma once

#include <string>
#include <string_view>

namespace ph::proto::http {

// %XX decoded; an invalid escape is kept as written. With `plus_is_space`
// (query strings, RFC 1866 forms) '+' becomes ' '.
std::string percent_decode(std::string_view s, bool plus_is_space);

// Standard or URL-safe base64, padding optional, whitespace ignored.
// False on any other character or an impossible length.
bool base64_decode(std::string_view s, std::string& out);

bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);
// Strips spaces and tabs (HTTP's OWS) at both ends.
std::string_view trim(std::string_view s);

// RFC 9110 tchar.
inline bool is_tchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

}  // namespace ph::proto::http
