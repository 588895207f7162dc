// How reports say things, shared by the sinks meant for people (text,
// HTML): sizes, times, durations, places, transports and explanations.
// None of these print a personal value; callers redact values themselves.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/records.h"

namespace ph::report {

std::string human_bytes(uint64_t n);                    // "1.5 KB"
std::string endpoint(const IpAddr& ip, uint16_t port);  // "[2001:db8::1]:443"
std::string short_time(Timestamp ts);                   // "2019-05-01 08:00:00"
// The time of day alone when `ts` falls on the same day as `day`, else
// date and time.
std::string time_on(Timestamp ts, Timestamp day);
std::string human_duration(double seconds);  // "45 s", "1.5 s", "60 min", "2 h"
std::string since(double seconds);           // "+4.5 s", "+2.1 min" (after the device appeared)

// A country's English name from its code ("China"); the code when unknown.
std::string country_name(std::string_view code);
// "China, AS4812 China Telecom" for a public address with data, its scope
// ("private", "link-local") otherwise.
std::string place(const DestinationRecord& d);
// The flow table's short form: "CN AS4812", "private".
std::string short_place(const DestinationRecord& d);
// Where findings went, in a sentence: the country of a public destination,
// else "a private address", else "the local link".
std::string place_in_words(const DestinationRecord& destination);
// "SIM of Telenor, Norway (MCC 242 MNC 01); data sent to China" (findings
// with a MobileContext only).
std::string mobile_line(const FindingRecord& f);

// "every 60 min ± 1 min, 5×" for a periodic contact, else empty.
std::string schedule(const ContactRecord& c);
// Why a finding was flagged and where in the message it was.
std::string explanation(const FindingRecord& f);
std::string transport(
    const std::optional<bool>& encrypted);  // "encrypted", "UNENCRYPTED", "unknown"

// "host:port" when the server has a name, else the address and port;
// "(link layer)" without an IP (EAPOL).
std::string destination_name(const DestinationRecord& d);
// "1 device", "3 devices".
std::string counted(size_t n, const char* noun);

std::string join(const std::vector<std::string>& items, const char* sep = ", ");
std::string join_words(const std::vector<std::string>& items);  // "a, b and c"

}  // namespace ph::report
