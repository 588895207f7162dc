// What the readers of the user's configuration files (the device profile,
// the policy) share: reading a small text file whole, the pre-pass that keeps
// Debian's toml++ 3.3 away from input it crashes on, and "did you mean"
// suggestions for misspelt names.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace ph {

// Reads `path` whole; `what` names the file in messages ("profile",
// "policy"). Larger than `max_bytes` is an error.
Result<std::string> read_config_file(const std::string& path, std::string_view what,
                                     size_t max_bytes);

struct TextProblem {
  size_t line = 0;  // 1-based
  size_t column = 0;
  std::string message;
};

// toml++ 3.3 (Debian 12) reaches __builtin_unreachable on some bytes outside
// strings and comments (upstream issues #190, #295: non-ASCII characters it
// asks "is this whitespace?" about) and fails an assertion on a table header
// that does not start with a key (#294: "[&]", "[ #x]"). Such files are not
// TOML anyway; this pass finds them first and says where, so toml++ only
// sees files it handles. Also rejects what is not UTF-8. `what` names the
// file in messages ("a profile"), `header` is an example table header of
// that file ("[home]").
std::optional<TextProblem> toml_guard(std::string_view text, std::string_view what,
                                      std::string_view header);

// A parser's message made one printable line: toml++ quotes the character
// it stumbled on ("saw '\n'") raw, which would break a message a line.
// Control characters become \n, \t, \r or \xNN.
std::string one_line(std::string_view message);

// " (did you mean 'imei'?)" when one of `known` is within two edits of
// `word`, else " (known: a b c)".
std::string suggestion(std::string_view word, std::span<const std::string_view> known);

}  // namespace ph
