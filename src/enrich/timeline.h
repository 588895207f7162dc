// The timeline of a report: per device and destination (the host name when
// one is known, else the server address; with the port and transport), when
// it was first and last contacted, how often, and whether on a schedule
// (periodicity.h). Made from the flow records alone, after the capture was
// read: nothing is kept per packet.
#pragma once

#include <deque>
#include <vector>

#include "enrich/periodicity.h"
#include "model/records.h"

namespace ph::enrich {

// Flows with their device and destination set -> one ContactRecord per
// (device, destination), ordered by device, then first contact.
std::vector<ContactRecord> contacts(const std::deque<FlowRecord>& flows,
                                    const PeriodOptions& options = {});

}  // namespace ph::enrich
