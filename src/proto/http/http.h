// HTTP/1.0 and 1.1 over a byte stream (RFC 9110, RFC 9112), both
// directions: requests and responses as Messages of kind "request" and
// "response", with keep-alive and pipelining, Content-Length, chunked
// (extensions, trailers), read-until-close, bodies without content (HEAD,
// 1xx, 204, 304), CONNECT and Upgrade (parsing stops: kDone), and the
// content codings gzip / deflate / br / zstd removed under size and ratio
// caps. Framing follows RFC 9112 6.3: Transfer-Encoding wins over
// Content-Length; an invalid Content-Length or a request whose last
// transfer coding is not chunked cannot be framed (anomaly, kMalformed).
//
// Fields of a request: http.method, http.uri (the request target as
// sent), http.version, http.host (Host header, else the authority of an
// absolute URI), http.path (percent-decoded), http.query (key = decoded
// name, value = decoded value), http.header (key = lowercased name, value
// as sent, obs-folds joined by a space), http.trailer (the same for
// chunked trailers), http.cookie (key = cookie name), http.authorization,
// http.basic_user / http.basic_password (Basic credentials, also from
// Proxy-Authorization), http.user_agent. A response: http.version,
// http.status, http.reason, http.header, http.trailer, http.set_cookie
// (key = cookie name, value = its value). Message::body is the decoded
// body, content_type its media type (lowercased, no parameters),
// encodings the codings removed, outermost first ("http-chunked",
// "gzip", ...).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "proto/protocol.h"

namespace ph::proto::http {

struct Limits {
  size_t max_head = 64 * 1024;           // start line + header section (and trailers)
  size_t max_fields = 512;               // headers, query parameters and cookies per message
  size_t max_body = 1024 * 1024;         // raw (de-chunked, still encoded) body kept per message
  size_t max_decoded = 8 * 1024 * 1024;  // decoded body per message
  uint64_t max_ratio = 1000;             // decoded : raw
  size_t max_pipeline = 64;              // requests waiting for their response
};

// The registry entry ("http", stream, probe by content, default limits).
const Parser& parser();

// A session with other limits (tests, and callers that tune memory).
std::unique_ptr<Session> make_session(MessageSink& sink, const Limits& limits);

}  // namespace ph::proto::http
