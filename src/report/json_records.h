// Record fields shared by the JSON-based sinks (jsonl/json and SARIF).
#pragma once

#include "model/records.h"
#include "report/json_writer.h"
#include "report/report.h"

namespace ph::report {

// The fields of a `violation` record (README, "Policy gate"), without "kind".
void violation_fields(JsonWriter& w, const Report& r, const ViolationRecord& v, const Options& o);

}  // namespace ph::report
