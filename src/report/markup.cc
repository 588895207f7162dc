// Escaping for the sinks that write markup (HTML, JUnit XML).
#include "report/markup.h"

#include <algorithm>

#include "report/json_writer.h"

namespace ph::report {

// `s` as XML character data or (`attribute`) an attribute value: markup
// escaped, bytes that are not UTF-8 and control characters XML 1.0 forbids
// replaced by U+FFFD; line ends kept in character data.
std::string xml(std::string_view s, bool attribute) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = utf8_sequence(s, i);
    if (n == 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')) {
      out += "\xef\xbf\xbd";
      i += std::max<size_t>(n, 1);
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      default:
        out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

}  // namespace ph::report
