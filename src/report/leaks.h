// The report's answer in a person's terms, shared by the text and HTML
// sinks: findings grouped per device into rows of data type x destination
// (with the strongest evidence of each row), and a one-line headline
// ("1 of 3 devices sent personal data: #1 Nokia-7-plus sent imei, iccid
// unencrypted to China").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/records.h"

namespace ph::report {

// The findings of one device with one data type to one destination (host
// name, else address, and port), encrypted or not.
struct LeakRow {
  uint64_t device = 0;
  std::string_view data_type;
  std::optional<bool> encrypted;
  const FindingRecord* first = nullptr;      // the earliest (its destination and time)
  const FindingRecord* strongest = nullptr;  // the best evidence: confidence, method, time
  size_t findings = 0;                       // messages
  size_t values = 0;                         // distinct values
  uint64_t count = 0;                        // occurrences, summed over the messages
};

// Rows in order of device, then of first appearance. Low-confidence
// findings only with `with_low`.
std::vector<LeakRow> leak_rows(const Report& report, bool with_low);

// The device with `id` (ids are 1..n in order, so usually at id - 1).
const DeviceRecord* find_device(const Report& report, uint64_t id);

// "#1 Nokia-7-plus", "#2 f8:ad:cb:**:**:9b", "#3 192.0.2.7": a device as a
// reader recognises it (its host name, else its MAC, else an address).
std::string device_label(const DeviceRecord& device, bool reveal);

// The report in one sentence per device that sent something (no values,
// so no redaction is needed): "1 of 1 device sent personal data: #1
// Nokia-7-plus sent imei, iccid, imsi, mac, cell_id unencrypted to China."
std::string headline(const Report& report, bool reveal);

}  // namespace ph::report
