// Escaping for the sinks that write markup (HTML, JUnit XML): text from
// the network becomes safe, well-formed character data or attribute values.
#pragma once

#include <string>
#include <string_view>

namespace ph::report {

// `s` as XML character data or (`attribute`) an attribute value: markup
// escaped, bytes that are not UTF-8 and control characters XML 1.0 forbids
// replaced by U+FFFD; line ends kept in character data. Also right for
// HTML text and quoted attribute values.
std::string xml(std::string_view s, bool attribute = true);

}  // namespace ph::report
