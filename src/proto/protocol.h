// The one parser interface (../shared/DESIGN.md, "The parser contract").
//
// A Session parses one protocol in one flow. It is fed the flow's bytes:
// for stream protocols (TCP) the reassembled bytes of each direction in
// order, with holes reported by on_gap(); for datagram protocols (UDP, and
// frames without IP such as EAPOL) one datagram per call.
//
// on_data() returns how many bytes it consumed and a status. Bytes it did
// not consume (kNeedMore: an incomplete message) are presented again, with
// whatever follows, on the next call: the caller keeps them, so a session
// never has to buffer a partial message itself. The views are borrowed for
// the call only; keep longer = copy.
//
// Malformed input is a status (and an anomaly the caller counts), never an
// exception. Results leave as Messages with named Fields, handed to the
// MessageSink given at construction.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "model/decode_budget.h"
#include "model/direction.h"
#include "model/time.h"

namespace ph::proto {

// One named value of a message: "http.method" = "GET", "dns.qname" =
// "example.com", "tls.sni" = "example.com", "http.query" with key "imei".
// Names are "<protocol>.<field>"; `key` holds a sub-key where there is one
// (a query parameter's or header's name, a JSON-like path).
struct Field {
  std::string name;
  std::string key;
  std::string value;  // bytes as seen (after transfer/content decoding for bodies)
};

struct Message {
  std::string protocol;  // "http", "dns", "tls", ...
  std::string kind;      // "request", "response", "query", "answer", "client_hello", ...
  Direction dir = Direction::kUp;
  Timestamp ts = 0;    // time of the packet that completed the message
  uint64_t frame = 0;  // its frame number in the input
  std::vector<Field> fields;
  // A body handed on to the content decoders (HTTP bodies, MQTT payloads,
  // raw payloads), with its media type when known, and the encodings
  // already removed (e.g. "http-chunked", "gzip").
  std::string body;
  std::string content_type;
  std::vector<std::string> encodings;
  bool body_truncated = false;  // a limit cut it (counted)

  void add(std::string name, std::string value, std::string key = {}) {
    fields.push_back({std::move(name), std::move(key), std::move(value)});
  }
  // First field with this name (and key, when given), or nullptr.
  const Field* find(std::string_view name, std::string_view key = {}) const {
    for (const auto& f : fields)
      if (f.name == name && (key.empty() || f.key == key)) return &f;
    return nullptr;
  }
};

class MessageSink {
 public:
  virtual ~MessageSink() = default;
  virtual void on_message(Message&& message) = 0;
  // Malformed input: `what` is a short dotted name ("http.bad-chunk-size"),
  // counted by the caller. Never carries packet contents.
  virtual void on_anomaly(std::string_view what) = 0;
  // The decoded-bytes budget decoders of this flow take from (null: none,
  // only the per-message caps).
  virtual DecodeBudget* decode_budget() { return nullptr; }
  // Whether the contents of messages sent this way are wanted. When not, a
  // parser still reads the messages (start line, framing) but need not keep,
  // decode or cap their bodies (Message::body stays empty) nor make fields
  // of their other header lines. The pipeline scans only what clients send,
  // so server responses' headers and bodies (downloads) are not kept.
  virtual bool keeps_contents(Direction dir) { return true; }
};

enum class Status : uint8_t {
  kOk,         // consumed what it could; more may follow
  kNeedMore,   // the unconsumed bytes are an incomplete message: present them again
  kMalformed,  // cannot parse this direction any further (anomaly already reported)
  kDone,       // nothing more to learn from this flow: the caller may bypass it
};

struct Consumed {
  size_t bytes = 0;
  Status status = Status::kOk;
};

// What a session knows about its flow after parsing (for the flow record).
struct FlowFacts {
  std::string app;                // "http", "tls", ... (the protocol's name)
  std::optional<bool> encrypted;  // true for TLS/QUIC/SSH..., false for cleartext
  std::string sni;                // TLS/QUIC server name
  std::string host;               // HTTP Host (a name for the destination)
};

class Session {
 public:
  virtual ~Session() = default;
  virtual Consumed on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) = 0;
  virtual void on_gap(Direction dir, uint64_t length) {}
  virtual void on_end(Timestamp ts) {}
  virtual FlowFacts facts() const = 0;
};

// Transport a parser works on.
enum class Transport : uint8_t { kStream, kDatagram };

// A registry entry: how to recognise a protocol by content and make a session.
struct Parser {
  std::string_view name;
  Transport transport;
  // Looks at the first bytes of a direction (the first datagram, or the
  // first up to 512 bytes of a stream) and the server port; returns a score:
  // 0 = not this protocol, 100 = certain. Content first: ports only break ties.
  int (*probe)(Direction dir, Bytes first, uint16_t server_port);
  std::unique_ptr<Session> (*make)(MessageSink& sink);
};

}  // namespace ph::proto
