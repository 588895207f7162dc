// Opening a capture that is already in memory (fuzz targets, tests): the
// same detection and readers as open_file(), no file descriptor, no copy of
// plain input. `data` must outlive the Source.
#pragma once

#include <memory>
#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "capture/source.h"

namespace ph::capture {

Result<std::unique_ptr<Source>> open_memory(Bytes data, const std::string& name);

}  // namespace ph::capture
