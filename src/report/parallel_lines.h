// Lines of a report formatted on several threads and written in their
// order: the same bytes as formatting them one after the other. A million
// flow records are ~0.5 GB of jsonl; formatting is most of writing them.
#pragma once

#include <cstddef>
#include <functional>
#include <ostream>
#include <string>

namespace ph::report {

// Calls format(i, buf) for i in [0, n), each appending item i's text to
// `buf`, and writes the text to `out` in order of i. With threads > 1,
// chunks of consecutive items go to threads - 1 helper threads and the
// caller in turn (the caller also does the writing). `format` must be
// safe to call from several threads at once.
void write_in_order(size_t n, unsigned threads,
                    const std::function<void(size_t, std::string&)>& format, std::ostream& out);

}  // namespace ph::report
