// The HTTP/1.x parser: requests and responses built from hand-written bytes
// with generated values, each exchange fed whole, byte by byte and in
// random chunks (same messages required), with gaps, truncated and
// malformed inputs, smuggling-style framing, content codings and every
// limit. Then the oracle: the real captures in ../shared/captures read
// with libpcap, reassembled by the flow table and parsed, compared with
// tshark's HTTP method / host / URI / status code.
#include "proto/http/http.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "content/brotli_bomb.h"
#include "decode/decode.h"
#include "flow/defrag.h"
#include "flow/flow_table.h"
#include "proto/chunking.h"
#include "proto/http/content_coding.h"
#include "support/support.h"

namespace ph::proto::test {
namespace {

using http::Limits;
constexpr Direction kUp = Direction::kUp;
constexpr Direction kDown = Direction::kDown;

// A parser entry with tunable limits (a function pointer cannot capture).
Limits g_limits;
const Parser kLimited{"http", Transport::kStream, http::parser().probe,
                      [](MessageSink& s) { return http::make_session(s, g_limits); }};

// Runs the exchange whole, byte by byte and in random chunks and requires
// the same messages and the same anomalies; returns the whole run.
Collected run_all(const std::vector<Piece>& pieces, const Parser& p = http::parser()) {
  Collected whole = run(p, pieces, Chunking::kWhole);
  std::string want = describe(whole.messages);
  Collected bytewise = run(p, pieces, Chunking::kByteByByte);
  EXPECT_EQ(describe(bytewise.messages), want) << "byte by byte";
  EXPECT_EQ(bytewise.anomalies, whole.anomalies) << "byte by byte";
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    Collected r = run(p, pieces, Chunking::kRandom, seed);
    EXPECT_EQ(describe(r.messages), want) << "seed " << seed;
    EXPECT_EQ(r.anomalies, whole.anomalies) << "seed " << seed;
  }
  return whole;
}

std::string field(const Message& m, std::string_view name, std::string_view key = {}) {
  const Field* f = m.find(name, key);
  return f ? f->value : "<absent>";
}

size_t count(const std::vector<std::string>& v, std::string_view what) {
  return size_t(std::count(v.begin(), v.end(), what));
}

std::string deflate_with(const std::string& in, int window_bits) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, uLong(in.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = uInt(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = uInt(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}
std::string gzip(const std::string& in) { return deflate_with(in, 15 + 16); }
std::string zlib(const std::string& in) { return deflate_with(in, 15); }
std::string raw_deflate(const std::string& in) { return deflate_with(in, -15); }
std::string zstd(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}
// Brotli (quality 9) of kBrotliPlain, made once with libbrotlienc.
const std::string kBrotliPlain =
    R"({"device":"test-device-0001","note":"brotli brotli brotli brotli"})";
const std::string kBrotli(
    "\x1b\x41\x00\x00\x04\xb2\x6d\xa9\xca\x65\x1f\x66\xfd\x16\x05\x83\x20\x08\xba\x26\xc2\x44"
    "\x4e\xc0\x5b\x66\x1d\xdc\x9e\x4f\x76\xfa\x88\x0f\x89\xc7\x75\x48\x48\x6a\x54\xf6\x85\x23"
    "\x49\x3f\xdb\x6b\x16\xf0\x01",
    51);

std::string response_with(const std::string& encoding, const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
         "Content-Encoding: " +
         encoding + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(Http, RequestFieldsQueryCookiesAuthorization) {
  // Generated test values: user "alice", password "s3cr:et" (colon inside).
  std::string req =
      "GET /api/v1/r%C3%A9gister?imei=490154203237518&name=J%C3%B6rg+M&flag&=empty&a%20b=c%3Dd "
      "HTTP/1.1\r\n"
      "Host: Example.test:8080\r\n"
      "User-Agent: TestAgent/1.0 (generated)\r\n"
      "Cookie: sid=abc123; theme=\"dark\";  lone\r\n"
      "Authorization: Basic YWxpY2U6czNjcjpldA==\r\n"
      "X-Folded: first\r\n"
      "  second\r\n"
      "\r\n";
  Collected c = run_all({{kUp, req}});
  ASSERT_EQ(c.messages.size(), 1u);
  const Message& m = c.messages[0];
  EXPECT_EQ(m.protocol, "http");
  EXPECT_EQ(m.kind, "request");
  EXPECT_EQ(field(m, "http.method"), "GET");
  EXPECT_EQ(field(m, "http.uri"),
            "/api/v1/r%C3%A9gister?imei=490154203237518&name=J%C3%B6rg+M&flag&=empty&a%20b=c%3Dd");
  EXPECT_EQ(field(m, "http.version"), "HTTP/1.1");
  EXPECT_EQ(field(m, "http.host"), "Example.test:8080");
  EXPECT_EQ(field(m, "http.path"), "/api/v1/r\xC3\xA9gister");
  EXPECT_EQ(field(m, "http.query", "imei"), "490154203237518");
  EXPECT_EQ(field(m, "http.query", "name"), "J\xC3\xB6rg M");
  EXPECT_EQ(field(m, "http.query", "flag"), "");
  EXPECT_EQ(field(m, "http.query", "a b"), "c=d");
  // "=empty": an empty name is kept (find() with an empty key matches any).
  size_t empty_name = 0;
  for (const auto& f : m.fields)
    if (f.name == "http.query" && f.key.empty() && f.value == "empty") ++empty_name;
  EXPECT_EQ(empty_name, 1u);
  EXPECT_EQ(field(m, "http.header", "host"), "Example.test:8080");
  EXPECT_EQ(field(m, "http.header", "user-agent"), "TestAgent/1.0 (generated)");
  EXPECT_EQ(field(m, "http.header", "x-folded"), "first second");
  EXPECT_EQ(field(m, "http.user_agent"), "TestAgent/1.0 (generated)");
  EXPECT_EQ(field(m, "http.cookie", "sid"), "abc123");
  EXPECT_EQ(field(m, "http.cookie", "theme"), "dark");
  EXPECT_EQ(field(m, "http.authorization"), "Basic YWxpY2U6czNjcjpldA==");
  EXPECT_EQ(field(m, "http.basic_user"), "alice");
  EXPECT_EQ(field(m, "http.basic_password"), "s3cr:et");
  EXPECT_EQ(count(c.anomalies, "http.obs-fold"), 1u);
  EXPECT_TRUE(m.body.empty());
}

TEST(Http, FlowFactsHostOfFirstRequest) {
  Collected sink;
  Feeder f(http::parser().make(sink), sink);
  f.data(kUp,
         as_bytes("GET / HTTP/1.1\r\nHost: first.example:81\r\n\r\n"
                  "GET / HTTP/1.1\r\nHost: second.example\r\n\r\n"),
         1, 1);
  FlowFacts facts = f.session().facts();
  EXPECT_EQ(facts.app, "http");
  EXPECT_EQ(facts.encrypted, std::optional<bool>(false));
  EXPECT_EQ(facts.host, "first.example");
  EXPECT_EQ(sink.messages.size(), 2u);
}

TEST(Http, AbsoluteFormTargetGivesHostPathAndQuery) {
  Collected c = run_all({{kUp, "GET http://user@proxy.example:3128/p/a?x=1 HTTP/1.1\r\n\r\n"}});
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(field(c.messages[0], "http.host"), "proxy.example:3128");
  EXPECT_EQ(field(c.messages[0], "http.path"), "/p/a");
  EXPECT_EQ(field(c.messages[0], "http.query", "x"), "1");
}

TEST(Http, ResponseStatusHeadersSetCookieBody) {
  std::string rsp =
      "HTTP/1.1 404 Not Found\r\n"
      "Content-Type: Text/HTML; charset=ISO-8859-1\r\n"
      "Set-Cookie: session=\"xyz789\"; Path=/; HttpOnly\r\n"
      "Set-Cookie: other=1\r\n"
      "Content-Length: 5\r\n"
      "\r\n"
      "hello";
  Collected c = run_all({{kUp, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n"}, {kDown, rsp}});
  ASSERT_EQ(c.messages.size(), 2u);
  const Message& m = c.messages[1];
  EXPECT_EQ(m.kind, "response");
  EXPECT_EQ(m.dir, kDown);
  EXPECT_EQ(field(m, "http.status"), "404");
  EXPECT_EQ(field(m, "http.reason"), "Not Found");
  EXPECT_EQ(field(m, "http.version"), "HTTP/1.1");
  EXPECT_EQ(field(m, "http.set_cookie", "session"), "xyz789");
  EXPECT_EQ(field(m, "http.set_cookie", "other"), "1");
  EXPECT_EQ(m.content_type, "text/html");
  EXPECT_EQ(m.body, "hello");
  EXPECT_TRUE(m.encodings.empty());
  EXPECT_TRUE(c.anomalies.empty());
}

TEST(Http, PipelinedRequestsBeforeResponsesHeadHasNoBody) {
  std::string reqs =
      "GET /one HTTP/1.1\r\nHost: h\r\n\r\n"
      "HEAD /two HTTP/1.1\r\nHost: h\r\n\r\n"
      "\r\n"  // a stray empty line between messages is allowed
      "POST /three HTTP/1.1\r\nHost: h\r\nContent-Length: 7\r\n\r\nk=v&x=y"
      "GET /four HTTP/1.0\r\n\r\n";
  std::string rsps =
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
      "HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n"  // HEAD: no body follows
      "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\n"
      "HTTP/1.0 204 No Content\r\nContent-Length: 10\r\n\r\n";
  Collected c = run_all({{kUp, reqs}, {kDown, rsps}});
  ASSERT_EQ(c.messages.size(), 8u);
  EXPECT_EQ(field(c.messages[0], "http.path"), "/one");
  EXPECT_EQ(field(c.messages[2], "http.path"), "/three");
  EXPECT_EQ(c.messages[2].body, "k=v&x=y");
  EXPECT_EQ(field(c.messages[3], "http.version"), "HTTP/1.0");
  EXPECT_EQ(c.messages[4].body, "abc");
  EXPECT_EQ(field(c.messages[5], "http.status"), "200");
  EXPECT_TRUE(c.messages[5].body.empty());
  EXPECT_EQ(c.messages[6].body, "xyz");
  EXPECT_EQ(c.messages[6].encodings, std::vector<std::string>{"http-chunked"});
  EXPECT_EQ(field(c.messages[7], "http.status"), "204");
  EXPECT_TRUE(c.anomalies.empty());
}

TEST(Http, ChunkedWithExtensionsAndTrailers) {
  std::string rsp =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
      "5;name=value;other=\"q\"\r\nhello\r\n"
      "00000006 \r\n world\r\n"
      "A\n0123456789\n"  // bare LF line endings are tolerated
      "0\r\n"
      "X-Checksum: 1234\r\n"
      "Expires: never\r\n"
      "\r\n"
      "HTTP/1.1 304 Not Modified\r\nContent-Length: 12\r\n\r\n";
  Collected c = run_all({{kDown, rsp}});
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(c.messages[0].body, "hello world0123456789");
  EXPECT_EQ(field(c.messages[0], "http.trailer", "x-checksum"), "1234");
  EXPECT_EQ(field(c.messages[0], "http.trailer", "expires"), "never");
  EXPECT_EQ(field(c.messages[1], "http.status"), "304");
  EXPECT_TRUE(c.messages[1].body.empty());
  EXPECT_TRUE(c.anomalies.empty());
}

TEST(Http, ReadUntilCloseIsDeliveredAtTheEnd) {
  Collected c = run_all({{kUp, "GET / HTTP/1.0\r\n\r\n"},
                         {kDown, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nline 1\n"},
                         {kDown, "line 2\n"}});
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(c.messages[1].body, "line 1\nline 2\n");
  EXPECT_EQ(c.messages[1].content_type, "text/plain");
  EXPECT_FALSE(c.messages[1].body_truncated);
  EXPECT_TRUE(c.anomalies.empty());
}

TEST(Http, InterimResponsesDoNotAnswerTheRequest) {
  Collected c =
      run_all({{kUp, "PUT /f HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"},
               {kDown, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n"},
               {kUp, "data"},
               {kDown, "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"}});
  ASSERT_EQ(c.messages.size(), 4u);
  EXPECT_EQ(field(c.messages[0], "http.status"), "100");
  EXPECT_EQ(field(c.messages[1], "http.status"), "102");
  EXPECT_EQ(c.messages[2].body, "data");
  EXPECT_EQ(field(c.messages[3], "http.status"), "201");
  EXPECT_EQ(c.messages[3].body, "ok");
}

TEST(Http, ConnectEstablishedStopsParsing) {
  Collected sink;
  Feeder f(http::parser().make(sink), sink);
  f.data(kUp, as_bytes("CONNECT api.example:443 HTTP/1.1\r\nHost: api.example:443\r\n\r\n"), 1, 1);
  f.data(kUp, as_bytes("\x16\x03\x01\x02\x00"), 2, 2);  // the client did not wait
  EXPECT_FALSE(f.done());
  f.data(kDown, as_bytes("HTTP/1.1 200 Connection established\r\n\r\n"), 3, 3);
  EXPECT_TRUE(f.done());
  f.data(kDown, as_bytes("\x16\x03\x03\x00\x10"), 4, 4);
  f.end(5);
  ASSERT_EQ(sink.messages.size(), 2u);
  EXPECT_EQ(field(sink.messages[0], "http.method"), "CONNECT");
  EXPECT_EQ(field(sink.messages[0], "http.host"), "api.example:443");
  EXPECT_EQ(field(sink.messages[1], "http.status"), "200");
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(Http, RefusedConnectGoesOnWithHttp) {
  Collected c = run_all({{kUp, "CONNECT a.example:443 HTTP/1.1\r\n\r\n"},
                         {kDown,
                          "HTTP/1.1 407 Proxy Authentication Required\r\n"
                          "Content-Length: 0\r\n\r\n"},
                         {kUp,
                          "CONNECT a.example:443 HTTP/1.1\r\n"
                          "Proxy-Authorization: Basic Ym9iOmh1bnRlcjI=\r\n\r\n"}});
  ASSERT_EQ(c.messages.size(), 3u);
  EXPECT_EQ(field(c.messages[1], "http.status"), "407");
  EXPECT_EQ(field(c.messages[2], "http.basic_user"), "bob");
  EXPECT_EQ(field(c.messages[2], "http.basic_password"), "hunter2");
}

TEST(Http, UpgradeSwitchingProtocolsIsDone) {
  Collected c = run_all({{kUp,
                          "GET /chat HTTP/1.1\r\nHost: ws.example\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\n\r\n"},
                         {kDown,
                          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
                          "\x81\x05hello"},
                         {kUp, "\x81\x85\x01\x02\x03\x04garbage"}});
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(field(c.messages[1], "http.status"), "101");
  EXPECT_TRUE(c.anomalies.empty());  // the websocket frames were never parsed as HTTP
}

TEST(Http, ContentCodingsAreRemoved) {
  const std::string plain = R"({"imei":"490154203237518","pad":")" + std::string(300, 'a') + "\"}";
  struct Case {
    std::string label, body;
    std::vector<std::string> encodings;
  } cases[] = {
      {"gzip", gzip(plain), {"gzip"}},
      {"x-gzip", gzip(plain), {"gzip"}},
      {"deflate", zlib(plain), {"deflate"}},
      {"deflate", raw_deflate(plain), {"deflate"}},
      {"zstd", zstd(plain), {"zstd"}},
      {"gzip, gzip", gzip(gzip(plain)), {"gzip", "gzip"}},
      {"identity, gzip, identity", gzip(plain), {"gzip"}},
      {"deflate, zstd", zstd(zlib(plain)), {"zstd", "deflate"}},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.label);
    Collected c = run_all({{kDown, response_with(k.label, k.body)}});
    ASSERT_EQ(c.messages.size(), 1u);
    EXPECT_EQ(c.messages[0].body, plain);
    EXPECT_EQ(c.messages[0].encodings, k.encodings);
    EXPECT_EQ(c.messages[0].content_type, "application/json");
    EXPECT_FALSE(c.messages[0].body_truncated);
    EXPECT_TRUE(c.anomalies.empty());
  }
  Collected br = run_all({{kDown, response_with("br", kBrotli)}});
  ASSERT_EQ(br.messages.size(), 1u);
  EXPECT_EQ(br.messages[0].body, kBrotliPlain);
  EXPECT_EQ(br.messages[0].encodings, std::vector<std::string>{"br"});
}

TEST(Http, ChunkedAndGzipTogether) {
  std::string z = gzip("chunked then gzip");
  std::string rsp =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n";
  for (size_t i = 0; i < z.size(); i += 7) {
    std::string part = z.substr(i, 7);
    char size[8];
    std::snprintf(size, sizeof size, "%zx", part.size());
    rsp += std::string(size) + "\r\n" + part + "\r\n";
  }
  rsp += "0\r\n\r\n";
  Collected c = run_all({{kDown, rsp}});
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(c.messages[0].body, "chunked then gzip");
  EXPECT_EQ(c.messages[0].encodings, (std::vector<std::string>{"http-chunked", "gzip"}));
}

TEST(Http, BodyLabelledGzipThatIsNotKeepsTheRawBody) {
  std::string json = R"({"device_id":"490154203237518"})";
  std::string req =
      "POST /init HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Type: application/json"
      "\r\nContent-Length: " +
      std::to_string(json.size()) + "\r\n\r\n" + json;
  Collected c = run_all({{kUp, req}});
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(c.messages[0].body, json);
  EXPECT_TRUE(c.messages[0].encodings.empty());
  EXPECT_EQ(c.anomalies, std::vector<std::string>{"http.content-decoding-failed"});
  // A coding we do not know is reported and left as it is.
  Collected u = run_all({{kDown, response_with("compress", "xyz")}});
  ASSERT_EQ(u.messages.size(), 1u);
  EXPECT_EQ(u.messages[0].body, "xyz");
  EXPECT_EQ(u.anomalies, std::vector<std::string>{"http.unknown-content-coding"});
  // A gzip body cut short: what decodes is handed on, and the cut reported.
  std::string z = gzip(std::string(5000, 'q') + "tail");
  Collected t = run_all({{kDown, response_with("gzip", z.substr(0, z.size() - 12))}});
  ASSERT_EQ(t.messages.size(), 1u);
  EXPECT_TRUE(t.messages[0].body_truncated);
  EXPECT_GT(t.messages[0].body.size(), 0u);
  EXPECT_EQ(t.anomalies, std::vector<std::string>{"http.content-decoding-incomplete"});
}

TEST(Http, DecodedSizeAndRatioCaps) {
  std::string zeros = gzip(std::string(200000, '\0'));  // ~200 bytes -> 200 kB
  g_limits = Limits{};
  g_limits.max_decoded = 10000;
  Collected size_cut = run_all({{kDown, response_with("gzip", zeros)}}, kLimited);
  ASSERT_EQ(size_cut.messages.size(), 1u);
  EXPECT_EQ(size_cut.messages[0].body.size(), 10000u);
  EXPECT_TRUE(size_cut.messages[0].body_truncated);
  EXPECT_EQ(size_cut.anomalies, std::vector<std::string>{"http.decoded-cap"});

  g_limits = Limits{};  // 1000:1 ratio: ~200 bytes may become ~200 kB at most
  Collected ok = run_all({{kDown, response_with("gzip", zeros)}}, kLimited);
  ASSERT_EQ(ok.messages.size(), 1u);
  EXPECT_EQ(ok.messages[0].body.size(), 200000u);
  g_limits.max_ratio = 100;
  Collected ratio_cut = run_all({{kDown, response_with("gzip", zeros)}}, kLimited);
  ASSERT_EQ(ratio_cut.messages.size(), 1u);
  EXPECT_EQ(ratio_cut.messages[0].body.size(), zeros.size() * 100);
  EXPECT_TRUE(ratio_cut.messages[0].body_truncated);
  EXPECT_EQ(ratio_cut.anomalies, std::vector<std::string>{"http.decoded-ratio"});
  g_limits = Limits{};
}

// A sink that lends the session a decoded-bytes budget, as the pipeline's
// shards do (model/decode_budget.h).
struct BudgetSink : MessageSink {
  Counters cuts;
  DecodeBudget budget;
  std::vector<Message> messages;
  std::vector<std::string> anomalies;
  explicit BudgetSink(uint64_t floor) : budget(&cuts, floor) {}
  void on_message(Message&& m) override { messages.push_back(std::move(m)); }
  void on_anomaly(std::string_view what) override { anomalies.emplace_back(what); }
  DecodeBudget* decode_budget() override { return &budget; }
};

TEST(Http, DecodedBytesBudgetCutsTheBodyWhereItEnds) {
  const std::string text = std::string(50000, 'a');
  const std::string z = gzip(text);  // ~100 bytes: within the 1000:1 ratio
  BudgetSink sink(10000);
  Feeder feeder(http::parser().make(sink), sink);
  const std::string two = response_with("gzip", z) + response_with("gzip", z);
  feeder.data(kDown, as_bytes(two), 1, 1);
  ASSERT_EQ(sink.messages.size(), 2u);
  EXPECT_EQ(sink.messages[0].body, text.substr(0, 10000));
  EXPECT_TRUE(sink.messages[0].body_truncated);
  EXPECT_EQ(sink.messages[0].encodings, std::vector<std::string>{"gzip"});
  // Nothing left: the second body stays as it came.
  EXPECT_EQ(sink.messages[1].body, z);
  EXPECT_TRUE(sink.messages[1].body_truncated);
  EXPECT_TRUE(sink.messages[1].encodings.empty());
  EXPECT_EQ(sink.budget.left(), 0u);
  EXPECT_EQ(sink.cuts.get("content.decode-budget"), 2u);
  EXPECT_TRUE(sink.anomalies.empty());  // neither the size nor the ratio cap

  // Within the budget: decoded whole, charged what it decoded.
  BudgetSink roomy(1 << 20);
  Feeder f2(http::parser().make(roomy), roomy);
  f2.data(kDown, as_bytes(response_with("gzip, gzip", gzip(z))), 1, 1);
  ASSERT_EQ(roomy.messages.size(), 1u);
  EXPECT_EQ(roomy.messages[0].body, text);
  EXPECT_FALSE(roomy.messages[0].body_truncated);
  EXPECT_EQ((1u << 20) - roomy.budget.left(), z.size() + text.size());  // both layers
  EXPECT_EQ(roomy.cuts.get("content.decode-budget"), 0u);
}

TEST(Http, DecodedBytesBudgetLeavesTheInnerLayerHalf) {
  // Letters that do not compress much: the outer layer's output alone
  // would use the whole budget.
  std::string text;
  uint32_t x = 12345;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1103515245 + 12345;
    text.push_back(char('a' + (x >> 16) % 26));
  }
  const std::string zz = gzip(gzip(text));
  ASSERT_GT(zz.size(), 50000u);
  BudgetSink sink(20000);
  Feeder feeder(http::parser().make(sink), sink);
  feeder.data(kDown, as_bytes(response_with("gzip, gzip", zz)), 1, 1);
  ASSERT_EQ(sink.messages.size(), 1u);
  // 10000 bytes of the inner stream, decoded up to the other 10000.
  EXPECT_EQ(sink.messages[0].body, text.substr(0, 10000));
  EXPECT_EQ(sink.messages[0].encodings, (std::vector<std::string>{"gzip", "gzip"}));
  EXPECT_TRUE(sink.messages[0].body_truncated);
  EXPECT_EQ(sink.budget.left(), 0u);
  EXPECT_EQ(sink.cuts.get("content.decode-budget"), 1u);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(Http, RawBodyCapKeepsFramingAndReportsTheCut) {
  g_limits = Limits{};
  g_limits.max_body = 10;
  Collected c = run_all({{kUp,
                          "POST /a HTTP/1.1\r\nContent-Length: 25\r\n\r\n"
                          "0123456789abcdefghijklmno"
                          "POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "8\r\n01234567\r\n8\r\n89abcdef\r\n0\r\n\r\n"
                          "GET /c HTTP/1.1\r\n\r\n"}},
                        kLimited);
  ASSERT_EQ(c.messages.size(), 3u);
  EXPECT_EQ(c.messages[0].body, "0123456789");
  EXPECT_TRUE(c.messages[0].body_truncated);
  EXPECT_EQ(c.messages[1].body, "0123456789");
  EXPECT_TRUE(c.messages[1].body_truncated);
  EXPECT_EQ(field(c.messages[2], "http.path"), "/c");
  EXPECT_FALSE(c.messages[2].body_truncated);
  EXPECT_EQ(count(c.anomalies, "http.body-cap"), 2u);
  g_limits = Limits{};
}

// A sink that does not want the contents of what servers send (the
// pipeline's, which scans only what clients send): responses are still
// framed (a gzip body, a chunked one, a 2 MiB one past the body cap, each
// followed by the next), with their status lines, but their header lines
// make no fields and their bodies are neither kept nor decoded, nor counted
// against the caps; requests keep theirs.
TEST(Http, UnwantedContentsAreFramedButNotKept) {
  struct UpOnly : Collected {
    bool keeps_contents(Direction dir) override { return dir == kUp; }
  } sink;
  Feeder feeder(http::parser().make(sink), sink);
  const std::string zipped = gzip(std::string(5000, 'z'));
  feeder.data(kUp,
              as_bytes(std::string("POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
                                   "GET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n")),
              1, 1);
  const std::string big(2 << 20, 'x');
  const std::string down =
      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " +
      std::to_string(zipped.size()) + "\r\n\r\n" + zipped +
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: " +
      std::to_string(big.size()) + "\r\n\r\n" + big;
  for (size_t at = 0; at < down.size(); at += 1500)
    feeder.data(kDown, as_bytes(std::string_view(down).substr(at, 1500)), 2, 2);
  ASSERT_EQ(sink.messages.size(), 6u);
  EXPECT_EQ(sink.messages[0].body, "abc");
  std::vector<std::string> statuses;
  for (const Message& m : sink.messages) {
    if (m.dir != kDown) continue;
    statuses.push_back(field(m, "http.status"));
    EXPECT_EQ(m.body, "");
    EXPECT_FALSE(m.body_truncated);
  }
  EXPECT_EQ(statuses, (std::vector<std::string>{"200", "200", "200"}));
  // The media type is known; the header lines are not fields.
  EXPECT_EQ(sink.messages.back().content_type, "image/png");
  EXPECT_EQ(field(sink.messages.back(), "http.header", "content-type"), "<absent>");
  EXPECT_EQ(field(sink.messages[0], "http.header", "content-length"), "3");
  EXPECT_EQ(sink.anomalies, std::vector<std::string>{});
}

TEST(Http, HeadFieldAndPipelineLimits) {
  g_limits = Limits{};
  g_limits.max_head = 200;
  Collected big =
      run_all({{kUp, "GET / HTTP/1.1\r\nX-Long: " + std::string(300, 'x') + "\r\n\r\n"}}, kLimited);
  EXPECT_TRUE(big.messages.empty());
  // Over the cap is said as such, not as a malformed request (issue #7).
  EXPECT_EQ(big.anomalies, std::vector<std::string>{"http.head-cap"});
  Collected big_down = run_all(
      {{kDown, "HTTP/1.1 200 OK\r\nSet-Cookie: " + std::string(300, 'x') + "\r\n\r\n"}}, kLimited);
  EXPECT_TRUE(big_down.messages.empty());
  EXPECT_EQ(big_down.anomalies, std::vector<std::string>{"http.head-cap"});

  g_limits = Limits{};
  g_limits.max_fields = 5;
  Collected many = run_all({{kUp, "GET /?a=1&b=2&c=3&d=4 HTTP/1.1\r\nHost: h\r\n\r\n"}}, kLimited);
  ASSERT_EQ(many.messages.size(), 1u);
  EXPECT_EQ(many.messages[0].fields.size(), 5u);
  EXPECT_EQ(many.anomalies, std::vector<std::string>{"http.too-many-fields"});

  g_limits = Limits{};
  g_limits.max_pipeline = 2;
  Collected piped = run_all({{kUp,
                              "HEAD /1 HTTP/1.1\r\n\r\nHEAD /2 HTTP/1.1\r\n\r\n"
                              "HEAD /3 HTTP/1.1\r\n\r\n"},
                             {kDown,
                              "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"
                              "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"}},
                            kLimited);
  EXPECT_EQ(piped.messages.size(), 5u);
  EXPECT_EQ(piped.anomalies, std::vector<std::string>{"http.pipeline-cap"});
  g_limits = Limits{};
}

// Request smuggling shapes (as in ../shared/captures/malformed M19..M23),
// framed by RFC 9112 6.3.
TEST(Http, TransferEncodingChunkedWinsOverContentLength) {
  Collected c = run_all({{kUp,
                          "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                          "Content-Length: 50\r\n\r\n0\r\n\r\n"
                          "GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n"}});
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(field(c.messages[1], "http.path"), "/smuggled");
  EXPECT_EQ(c.anomalies, std::vector<std::string>{"http.te-and-content-length"});
}

TEST(Http, ObsFoldedTransferEncodingIsUnfolded) {
  Collected c = run_all({{kUp,
                          "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding:\r\n chunked\r\n\r\n"
                          "0\r\n\r\nGET /after HTTP/1.1\r\nHost: t\r\n\r\n"}});
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(field(c.messages[0], "http.header", "transfer-encoding"), "chunked");
  EXPECT_EQ(field(c.messages[1], "http.path"), "/after");
  EXPECT_EQ(c.anomalies, std::vector<std::string>{"http.obs-fold"});
}

TEST(Http, RequestWhoseLastTransferCodingIsNotChunkedIsMalformed) {
  Collected c = run_all({{kUp,
                          "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, identity"
                          "\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n"}});
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(field(c.messages[0], "http.method"), "POST");
  EXPECT_EQ(c.anomalies, std::vector<std::string>{"http.te-not-chunked"});
  // A response in that case is read until the connection closes.
  Collected r = run_all({{kDown, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc"}});
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].body, "abc");
}

TEST(Http, InvalidContentLengthIsMalformed) {
  for (const char* cl : {"-1", "1x", "", "5, 6", "99999999999999999999999"}) {
    SCOPED_TRACE(cl);
    Collected c = run_all({{kUp, std::string("POST / HTTP/1.1\r\nContent-Length: ") + cl +
                                     "\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n"}});
    ASSERT_EQ(c.messages.size(), 1u);
    EXPECT_EQ(field(c.messages[0], "http.method"), "POST");
    EXPECT_EQ(c.anomalies, std::vector<std::string>{"http.bad-content-length"});
  }
  // Repeated identical values are one length (RFC 9112 6.3 (5)).
  Collected same = run_all({{kUp,
                             "POST / HTTP/1.1\r\nContent-Length: 3, 3\r\nContent-Length: 3"
                             "\r\n\r\nabcGET / HTTP/1.1\r\n\r\n"}});
  ASSERT_EQ(same.messages.size(), 2u);
  EXPECT_EQ(same.messages[0].body, "abc");
}

TEST(Http, ChunkSizeOverflowIsAnAnomalyNotAWrap) {
  // 2^64 would wrap to 0 and end the body early in a 64-bit parser.
  Collected c = run_all({{kUp,
                          "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "10000000000000000\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n"}});
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_TRUE(c.messages[0].body_truncated);
  EXPECT_EQ(c.anomalies, std::vector<std::string>{"http.chunk-size-overflow"});
  // The largest 64-bit size is taken as it is (and never completes).
  Collected big = run_all({{kDown,
                            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "ffffffffffffffff\r\nabc"}});
  ASSERT_EQ(big.messages.size(), 1u);
  EXPECT_EQ(big.messages[0].body, "abc");
  EXPECT_EQ(big.anomalies, std::vector<std::string>{"http.incomplete-body"});
}

TEST(Http, BadChunkFraming) {
  const std::string long_extension = "5;" + std::string(5000, 'x') + "\r\nhello\r\n0\r\n\r\n";
  for (const std::string& body : {std::string("xyz\r\n"), std::string("5\r\nhelloXX"),
                                  std::string("5 junk\r\nhello\r\n0\r\n\r\n"), long_extension}) {
    SCOPED_TRACE(body);
    Collected c = run_all(
        {{kDown, std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") + body}});
    EXPECT_EQ(c.messages.size(), 1u);
    ASSERT_EQ(c.anomalies.size(), 1u);
    EXPECT_TRUE(c.anomalies[0] == "http.bad-chunk-size" || c.anomalies[0] == "http.bad-chunk-end");
  }
}

TEST(Http, NotHttpIsMalformedAtOnce) {
  Collected up = run_all({{kUp, std::string("\x16\x03\x01\x00\xa5\x01\x00", 7)}});
  EXPECT_TRUE(up.messages.empty());
  EXPECT_EQ(up.anomalies, std::vector<std::string>{"http.bad-request"});
  Collected down = run_all({{kDown, "SSH-2.0-OpenSSH_9.0\r\n"}});
  EXPECT_EQ(down.anomalies, std::vector<std::string>{"http.bad-response"});
  Collected line = run_all({{kUp, "GET /\r\n\r\n"}});
  EXPECT_EQ(line.anomalies, std::vector<std::string>{"http.bad-request-line"});
  Collected status = run_all({{kDown, "HTTP/1.1 2x0 OK\r\n\r\n"}});
  EXPECT_EQ(status.anomalies, std::vector<std::string>{"http.bad-status-line"});
}

TEST(Http, TruncatedExchangesNeverCrashAndGiveAPrefix) {
  std::string z = gzip("payload");
  std::string up =
      "POST /p?q=1 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;e=1\r\nabcd\r\n0\r\nT: 1\r\n\r\nGET /g HTTP/1.1\r\n\r\n";
  std::string down =
      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + std::to_string(z.size()) +
      "\r\n\r\n" + z + "HTTP/1.1 200 OK\r\n\r\nrest";
  Collected full = run(http::parser(), {{kUp, up}, {kDown, down}}, Chunking::kWhole);
  ASSERT_EQ(full.messages.size(), 4u);
  for (size_t n = 0; n <= up.size(); ++n) {
    Collected c = run(http::parser(), {{kUp, up.substr(0, n)}}, Chunking::kRandom, uint32_t(n));
    ASSERT_LE(c.messages.size(), 2u) << n;
    if (!c.messages.empty()) {
      EXPECT_EQ(field(c.messages[0], "http.uri"), "/p?q=1");
    }
  }
  for (size_t n = 0; n <= down.size(); ++n) {
    Collected c = run(http::parser(), {{kDown, down.substr(0, n)}}, Chunking::kRandom, uint32_t(n));
    ASSERT_LE(c.messages.size(), 2u) << n;
    if (!c.messages.empty()) {
      EXPECT_EQ(field(c.messages[0], "http.status"), "200");
    }
  }
}

TEST(Http, GapInsideABodyKeepsTheFraming) {
  std::vector<Piece> pieces = {
      {kUp, "POST /a HTTP/1.1\r\nContent-Length: 20\r\n\r\n0123"},
      {kUp, "", 10},
      {kUp, "456789GET /b HTTP/1.1\r\n\r\n"},
  };
  Collected c = run_all(pieces);
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(c.messages[0].body, "0123456789");
  EXPECT_TRUE(c.messages[0].body_truncated);
  EXPECT_EQ(field(c.messages[1], "http.path"), "/b");
  EXPECT_EQ(c.anomalies, std::vector<std::string>{"http.body-gap"});
}

TEST(Http, GapAcrossAMessageBoundaryResynchronises) {
  std::vector<Piece> pieces = {
      {kUp, "GET /first HTTP/1.1\r\nHost: h\r\n\r\nGET /sec"},
      {kUp, "", 40},  // the rest of the second request is lost
      {kUp, "ond-tail HTTP/1.1\r\nHost: h\r\nX: GET /fake\r\n\r\nGET /third HTTP/1.1\r\n\r\n"},
      {kDown, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"},
      {kDown, "", 200},
      {kDown, "more junk\r\nHTTP/1.1 204 No Content\r\n\r\n"},
  };
  Collected c = run_all(pieces);
  ASSERT_EQ(c.messages.size(), 4u);
  EXPECT_EQ(field(c.messages[0], "http.path"), "/first");
  EXPECT_EQ(field(c.messages[1], "http.path"), "/third");
  EXPECT_EQ(c.messages[2].body, "partial");
  EXPECT_TRUE(c.messages[2].body_truncated);
  EXPECT_EQ(field(c.messages[3], "http.status"), "204");
}

TEST(Http, ResponseJoinedMidBodyResynchronises) {
  // The capture starts inside a response body (its head was never seen);
  // the flow has shown HTTP, so the parser skips to the next response.
  Collected c = run_all({{kUp, "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"},
                         {kDown, std::string("\x89PNG\x00\x01 tail of an image HTTP/2 ", 28) +
                                     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}});
  ASSERT_EQ(c.messages.size(), 3u);
  EXPECT_EQ(field(c.messages[2], "http.status"), "200");
  EXPECT_EQ(c.messages[2].body, "ok");
  EXPECT_EQ(c.anomalies, std::vector<std::string>{"http.bad-response"});
}

TEST(Http, RequestAfterALostBodyIsFoundWithoutALineBreak) {
  std::vector<Piece> pieces = {
      {kUp, "POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\n01"},
      {kUp, "", 50},  // more than the body: the boundary is lost
      {kUp, "{\"k\":\"FAKE / HTTP/1.1\"}GET /next?x=1 HTTP/1.1\r\nHost: h\r\n\r\n"},
  };
  Collected c = run_all(pieces);
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(c.messages[0].body, "01");
  EXPECT_TRUE(c.messages[0].body_truncated);
  EXPECT_EQ(field(c.messages[1], "http.uri"), "/next?x=1");
  EXPECT_EQ(field(c.messages[1], "http.method"), "GET");
  EXPECT_EQ(c.anomalies, std::vector<std::string>{"http.body-gap"});
}

TEST(Http, ResynchronisingGivesUpAfterItsBudget) {
  Collected sink;
  Feeder f(http::parser().make(sink), sink);
  f.data(kUp, as_bytes("GET / HTTP/1.1\r\n\r\n"), 1, 1);
  std::string junk(64 * 1024, '\x07');
  for (int i = 0; i < 300 && !f.failed(kDown); ++i) f.data(kDown, as_bytes(junk), 2, 2);
  EXPECT_TRUE(f.failed(kDown));
  EXPECT_EQ(sink.anomalies, (std::vector<std::string>{"http.bad-response", "http.resync-failed"}));
}

TEST(Http, IncompleteBodyAtTheEndIsHandedOnAndReported) {
  Collected c = run_all({{kUp, "POST /up HTTP/1.1\r\nContent-Length: 100\r\n\r\nimei=4901"}});
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(c.messages[0].body, "imei=4901");
  EXPECT_TRUE(c.messages[0].body_truncated);
  EXPECT_EQ(c.anomalies, std::vector<std::string>{"http.incomplete-body"});
}

TEST(Http, ProbeByContentPortsOnlyBreakTies) {
  auto probe = http::parser().probe;
  EXPECT_EQ(http::parser().name, "http");
  EXPECT_EQ(http::parser().transport, Transport::kStream);
  int on_9999 = probe(kUp, as_bytes("POST /reg HTTP/1.1\r\nHost: x\r\n"), 9999);
  int on_80 = probe(kUp, as_bytes("POST /reg HTTP/1.1\r\nHost: x\r\n"), 80);
  EXPECT_GE(on_9999, 80);
  EXPECT_GT(on_80, on_9999);
  EXPECT_GE(probe(kUp, as_bytes("PROPFIND /dav HTTP/1.1\r\n"), 4000), 80);
  // A request line longer than the probe window.
  EXPECT_GT(probe(kUp, as_bytes("GET /" + std::string(600, 'a')), 1234), 0);
  EXPECT_GE(probe(kDown, as_bytes("HTTP/1.1 200 OK\r\n"), 9999), 80);
  EXPECT_EQ(probe(kUp, as_bytes("HTTP/1.1 200 OK\r\n"), 80), 0);
  EXPECT_EQ(probe(kDown, as_bytes("GET / HTTP/1.1\r\n"), 80), 0);
  EXPECT_EQ(probe(kUp, as_bytes("\x16\x03\x01\x00\xa5\x01"), 80), 0);
  EXPECT_EQ(probe(kUp, as_bytes("SSH-2.0-x\r\n"), 80), 0);
  EXPECT_EQ(probe(kUp, as_bytes("hello world\r\n"), 80), 0);
  EXPECT_EQ(probe(kDown, as_bytes("HTTP/2"), 80), 0);
}

TEST(HttpContentCoding, DecodeStatuses) {
  std::string out;
  EXPECT_EQ(http::decode(http::Coding::kGzip, gzip("abc") + gzip("def"), out, 100),
            http::DecodeStatus::kOk);
  EXPECT_EQ(out, "abcdef");  // two gzip members
  EXPECT_EQ(http::decode(http::Coding::kGzip, "plain text", out, 100), http::DecodeStatus::kFailed);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(http::decode(http::Coding::kZstd, "plain text", out, 100), http::DecodeStatus::kFailed);
  // Cut short: nothing decodes from the first bytes, part from more.
  EXPECT_EQ(http::decode(http::Coding::kBrotli, kBrotli.substr(0, 10), out, 1000),
            http::DecodeStatus::kFailed);
  EXPECT_EQ(http::decode(http::Coding::kBrotli, kBrotli.substr(0, 40), out, 1000),
            http::DecodeStatus::kPartial);
  EXPECT_EQ(out, kBrotliPlain.substr(0, out.size()));
  EXPECT_EQ(http::decode(http::Coding::kZstd, zstd(std::string(1000, 'z')), out, 10),
            http::DecodeStatus::kCut);
  EXPECT_EQ(out, std::string(10, 'z'));
  // What follows a complete stream is ignored (the content decoders, which
  // guess codings without labels, ask for padding only); a zlib stream
  // labelled gzip decodes.
  EXPECT_EQ(http::decode(http::Coding::kGzip, gzip("abc") + "trailing junk", out, 100),
            http::DecodeStatus::kOk);
  EXPECT_EQ(out, "abc");
  EXPECT_EQ(http::decode(http::Coding::kGzip, deflate_with("zlib body", 15), out, 100),
            http::DecodeStatus::kOk);
  EXPECT_EQ(out, "zlib body");
  EXPECT_EQ(http::decode(http::Coding::kDeflate, deflate_with("raw body", -15), out, 100),
            http::DecodeStatus::kOk);
  EXPECT_EQ(out, "raw body");
  EXPECT_EQ(http::coding_from_name("X-GZIP"), http::Coding::kGzip);
  EXPECT_EQ(http::coding_from_name("compress"), http::Coding::kUnknown);
}

// A brotli bomb (1 GiB of zeros, 16 MiB window) asked for 4 KB is cut before
// any output rather than decoding its window; asked for 2 MiB (16 times that
// covers the window), it decodes up to that. A small stream after the
// refusal decodes as before.
TEST(HttpContentCoding, BrotliWindowFarBeyondTheCapIsACutBeforeAnyOutput) {
  std::string bomb;
  const std::string_view hex = content::testing::kBrotliBombHex;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    bomb.push_back(char(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  std::string out = "stale";
  EXPECT_EQ(http::decode(http::Coding::kBrotli, bomb, out, 4096), http::DecodeStatus::kCut);
  EXPECT_EQ(out, "");
  EXPECT_EQ(http::decode(http::Coding::kBrotli, kBrotli, out, 1000), http::DecodeStatus::kOk);
  EXPECT_EQ(out, kBrotliPlain);
  EXPECT_EQ(http::decode(http::Coding::kBrotli, bomb, out, 2u << 20), http::DecodeStatus::kCut);
  EXPECT_EQ(out.size(), 2u << 20);
  EXPECT_EQ(out.find_first_not_of('\0'), std::string::npos);
}

// ---------------------------------------------------------------------------
// Oracle: tshark on the real captures.

// One HTTP message as both sides name it: "request METHOD HOST URI" or
// "response CODE", with the frame that completed it.
struct Seen {
  uint64_t frame = 0;
  std::string text;
  bool at_end = false;      // handed on at the end of the flow (read until close)
  bool incomplete = false;  // the capture ended inside its body
};

struct FileResult {
  std::vector<Seen> messages;
  std::vector<Message> full;
  std::vector<std::string> anomalies;
  std::vector<FlowFacts> facts;
};

class ResultSink : public MessageSink {
 public:
  explicit ResultSink(FileResult& r) : r_(r) {}
  void on_message(Message&& m) override {
    Seen s{m.frame, {}, at_end_, incomplete_};
    incomplete_ = false;
    if (m.kind == "request") {
      const Field* host = m.find("http.header", "host");  // tshark's http.host
      s.text = "request " + field(m, "http.method") + " " + (host ? host->value : "") + " " +
               field(m, "http.uri");
    } else {
      s.text = "response " + field(m, "http.status");
    }
    r_.messages.push_back(s);
    r_.full.push_back(std::move(m));
  }
  void on_anomaly(std::string_view what) override {
    r_.anomalies.emplace_back(what);
    if (what == "http.incomplete-body") incomplete_ = true;  // said of the next message
  }
  bool at_end_ = false;

 private:
  FileResult& r_;
  bool incomplete_ = false;
};

// Per TCP flow: probe the first bytes by content (as the engine will); an
// HTTP flow gets a session behind a Feeder.
class HttpConsumer : public flow::FlowConsumer {
 public:
  HttpConsumer(uint16_t server_port, FileResult& r) : port_(server_port), r_(r), sink_(r) {}
  ~HttpConsumer() override {
    if (feeder_) r_.facts.push_back(feeder_->session().facts());
  }
  void on_data(Direction d, Bytes data, Timestamp ts, uint64_t frame) override {
    if (!decided_) {
      decided_ = true;
      if (http::parser().probe(d, data.first(std::min<size_t>(data.size(), 512)), port_) > 0)
        feeder_ = std::make_unique<Feeder>(http::parser().make(sink_), sink_);
    }
    if (feeder_) feeder_->data(d, data, ts, frame);
  }
  void on_gap(Direction d, uint64_t length) override {
    if (feeder_) feeder_->gap(d, length);
  }
  void on_end(Timestamp ts) override {
    sink_.at_end_ = true;
    if (feeder_) feeder_->end(ts);
  }
  bool done() const override { return decided_ && (!feeder_ || feeder_->done()); }

 private:
  uint16_t port_;
  FileResult& r_;
  ResultSink sink_;
  bool decided_ = false;
  std::unique_ptr<Feeder> feeder_;
};

FileResult parse_capture(const std::string& path) {
  FileResult r;
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* pc = pcap_open_offline(path.c_str(), err);
  EXPECT_NE(pc, nullptr) << err;
  if (!pc) return r;
  uint32_t linktype = uint32_t(pcap_datalink(pc));
  Stats stats;
  flow::Defragmenter defrag({}, stats);
  {
    flow::FlowTable table(
        flow::FlowLimits{}, stats,
        [&r](const flow::Flow& f) -> std::unique_ptr<flow::FlowConsumer> {
          if (f.proto != 6) return nullptr;
          return std::make_unique<HttpConsumer>(f.server.port, r);
        },
        [](flow::Flow&) {});
    pcap_pkthdr* h;
    const u_char* data;
    uint64_t frame = 0;
    Timestamp ts = 0;
    while (pcap_next_ex(pc, &h, &data) == 1) {
      ++frame;
      ts = Timestamp(h->ts.tv_sec) * kNsPerSec + Timestamp(h->ts.tv_usec) * 1000;
      decode::PacketView v;
      decode::Status st =
          decode::decode_frame(linktype, Bytes(data, h->caplen), v, stats.anomalies);
      if (st == decode::Status::kFragment) {
        auto dg = defrag.add(v, ts);
        if (!dg) continue;
        decode::PacketView whole = v;
        if (decode::decode_ip(*dg, whole, stats.anomalies) != decode::Status::kOk) continue;
        v = whole;
      } else if (st != decode::Status::kOk) {
        continue;
      }
      if (v.l4proto == 6) table.on_packet(v, ts, frame, h->len);
    }
    table.flush_all(ts);
  }
  pcap_close(pc);
  return r;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

// tshark's messages; several in one frame are joined by the aggregator.
std::vector<Seen> tshark_http(const std::string& path) {
  std::string out = ph::test::run_command(
      "tshark -n -r " + ph::test::shell_quote(path) +
      " -Y http -T fields -E aggregator=$(printf '\\037') -e frame.number"
      " -e http.request.method -e http.host -e http.request.uri -e http.response.code"
      " 2>/dev/null");
  std::vector<Seen> seen;
  for (const std::string& line : split(out, '\n')) {
    std::vector<std::string> col = split(line, '\t');
    if (col.size() != 5) continue;
    uint64_t frame = std::stoull(col[0]);
    std::vector<std::string> methods = split(col[1], '\x1f'), hosts = split(col[2], '\x1f'),
                             uris = split(col[3], '\x1f'), codes = split(col[4], '\x1f');
    for (size_t i = 0; i < methods.size(); ++i) {
      if (methods[i].empty()) continue;
      seen.push_back({frame, "request " + methods[i] + " " + (i < hosts.size() ? hosts[i] : "") +
                                 " " + (i < uris.size() ? uris[i] : "")});
    }
    for (const std::string& c : codes)
      if (!c.empty()) seen.push_back({frame, "response " + c});
  }
  return seen;
}

// Each explained difference: a message only one side has, by its text.
struct Explained {
  std::vector<std::string> only_ours, only_tshark;
  const char* reason;
};

const std::map<std::string, Explained>& explained() {
  static const std::map<std::string, Explained> kExplained = {
      {"M21_http_te_obs_fold.pcap",
       {{"request GET target /smuggled-obsfold (frame 4)"},
        {},
        "the Transfer-Encoding value is obs-folded onto the next line; RFC 9112 5.2 replaces "
        "the fold by a space, so the request is chunked (body \"0\") and a second request "
        "follows; tshark does not unfold it, takes no body and no further request"}},
      {"M22_http_multi_value_te.pcap",
       {{},
        {"request GET target /smuggled-multi-te (frame 4)"},
        "Transfer-Encoding \"chunked, identity\": chunked is not the final coding of a "
        "request, which RFC 9112 6.3 (4) makes unframeable (a 400 and close), so phonehome "
        "stops that direction (anomaly http.te-not-chunked); tshark reads the second request"}},
      {"M23_http_cl_negative.pcap",
       {{},
        {"request GET target /smuggled-cl-negative (frame 4)"},
        "Content-Length -1 is invalid (RFC 9112 6.3 (5): unrecoverable, 400 and close), so "
        "phonehome stops that direction (anomaly http.bad-content-length); tshark ignores "
        "the value and reads the second request"}},
  };
  return kExplained;
}

// What the bodies of some captures must decode to.
struct BodyCheck {
  const char* what;
  bool (*ok)(const Message&);
};
const std::map<std::string, BodyCheck>& body_checks() {
  using V = std::vector<std::string>;
  static const std::map<std::string, BodyCheck> kChecks = {
      {"P15_http_chunked_gzip.pcap",
       {"a chunked gzip response decoded to its text (\"AB\", as tshark's http.file_data)",
        [](const Message& m) {
          return m.encodings == V{"http-chunked", "gzip"} && m.body == "AB" &&
                 m.content_type == "text/plain";
        }}},
      {"P16_http_stacked_content_encodings.pcap",
       {"gzip three times (identity skipped) decoded to the text",
        [](const Message& m) {
          return m.encodings == V{"gzip", "gzip", "gzip"} && m.body.find("Hi john") == 0;
        }}},
      {"P17_http_deflate_no_zlib_header.pcap",
       {"raw deflate (no zlib header) decoded to JavaScript",
        [](const Message& m) {
          return m.encodings == V{"deflate"} && m.body.find("function") != m.body.npos;
        }}},
      {"P18_http_gzip_xml.pcap",
       {"gzip decoded to XML",
        [](const Message& m) {
          return m.encodings == V{"gzip"} && m.body.find("<?xml") == 0 &&
                 m.content_type.find("xml") != std::string::npos;
        }}},
      {"L03_android_sdk_deviceid_json_gzip_label.pcap",
       {"the JSON labelled gzip handed on raw",
        [](const Message& m) {
          return m.kind == "request" && m.encodings.empty() &&
                 m.body.find("\"device_id\":") != m.body.npos &&
                 m.content_type == "application/json";
        }}},
  };
  return kChecks;
}

// The anomalies each malformed capture must raise.
const std::map<std::string, std::vector<std::string>>& required_anomalies() {
  static const std::map<std::string, std::vector<std::string>> kRequired = {
      {"M19_http_chunk_2pow64_overflow.pcap", {"http.chunk-size-overflow"}},
      {"M20_http_te_cl_desync.pcap", {"http.te-and-content-length"}},
      {"M21_http_te_obs_fold.pcap", {"http.obs-fold"}},
      {"M22_http_multi_value_te.pcap", {"http.te-not-chunked"}},
      {"M23_http_cl_negative.pcap", {"http.bad-content-length"}},
      {"M24_http_inner_te_reproducer.pcap", {"http.content-decoding-incomplete"}},
      {"L03_android_sdk_deviceid_json_gzip_label.pcap", {"http.content-decoding-failed"}},
  };
  return kRequired;
}

class HttpOracle : public ::testing::TestWithParam<std::string> {};

TEST_P(HttpOracle, MethodHostUriAndStatusMatchTshark) {
  PH_REQUIRE_SHARED_CAPTURES();
  PH_REQUIRE_TSHARK();
  const std::string path = (ph::test::shared_captures() / GetParam()).string();
  const std::string name = std::filesystem::path(path).filename().string();
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  FileResult ours = parse_capture(path);
  std::vector<Seen> theirs = tshark_http(path);
  ASSERT_FALSE(theirs.empty()) << "tshark finds no HTTP in " << name;

  // Match each message to tshark's with the same text in the same frame.
  std::multimap<std::string, uint64_t> left;  // tshark's, not matched yet
  for (const auto& t : theirs) left.emplace(t.text, t.frame);
  auto take = [&left](const std::string& text, auto&& pred) {
    auto range = left.equal_range(text);
    for (auto i = range.first; i != range.second; ++i) {
      if (pred(i->second)) {
        left.erase(i);
        return true;
      }
    }
    return false;
  };
  std::vector<std::string> only_ours, only_tshark;
  size_t until_close = 0, cut_by_end = 0;
  for (const Seen& m : ours.messages) {
    if (take(m.text, [&](uint64_t f) { return f == m.frame; })) continue;
    // A body read until the connection closes ends with the flow: tshark
    // dates it at the FIN, phonehome at its last data (on_end has no frame).
    if (m.at_end && !m.incomplete && take(m.text, [&](uint64_t f) { return f > m.frame; })) {
      ++until_close;
      continue;
    }
    // The capture ends inside the body: phonehome hands on the head and
    // what came of the body (anomaly http.incomplete-body); tshark's HTTP
    // waits for the whole body and shows nothing.
    if (m.incomplete) {
      ++cut_by_end;
      continue;
    }
    only_ours.push_back(m.text + " (frame " + std::to_string(m.frame) + ")");
  }
  for (const auto& [text, frame] : left)
    only_tshark.push_back(text + " (frame " + std::to_string(frame) + ")");
  EXPECT_EQ(cut_by_end, count(ours.anomalies, "http.incomplete-body"));

  auto it = explained().find(name);
  Explained none{{}, {}, ""};
  const Explained& want = it == explained().end() ? none : it->second;
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += "  " + x + "\n";
    return s;
  };
  EXPECT_EQ(only_ours, want.only_ours) << name << ": only phonehome has\n"
                                       << join(only_ours) << "explained: " << want.reason;
  EXPECT_EQ(only_tshark, want.only_tshark) << name << ": only tshark has\n"
                                           << join(only_tshark) << "explained: " << want.reason;
  EXPECT_GT(ours.messages.size(), 0u);
  std::fprintf(stderr,
               "%s: %zu messages, %zu as tshark, %zu read until close, %zu cut by the "
               "end of the capture\n",
               name.c_str(), ours.messages.size(),
               ours.messages.size() - until_close - cut_by_end - only_ours.size(), until_close,
               cut_by_end);

  auto check = body_checks().find(name);
  if (check != body_checks().end()) {
    EXPECT_TRUE(std::any_of(ours.full.begin(), ours.full.end(), check->second.ok))
        << name << ": no message with " << check->second.what;
  }
  auto req = required_anomalies().find(name);
  if (req != required_anomalies().end()) {
    for (const auto& what : req->second)
      EXPECT_GE(count(ours.anomalies, what), 1u) << name << " must report " << what;
  }
  for (const FlowFacts& f : ours.facts) {
    EXPECT_EQ(f.app, "http");
    EXPECT_EQ(f.encrypted, std::optional<bool>(false));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Captures, HttpOracle,
    ::testing::Values(
        "leak/L01_android_1kxun_adids.pcap", "leak/L03_android_sdk_deviceid_json_gzip_label.pcap",
        "leak/L06_iot_fitbit_aria_serial_ssid.pcap", "proto/P15_http_chunked_gzip.pcap",
        "proto/P16_http_stacked_content_encodings.pcap",
        "proto/P17_http_deflate_no_zlib_header.pcap", "proto/P18_http_gzip_xml.pcap",
        "proto/P19_http_chunked_gzip_sticky.pcap", "proto/P20_http_headers_split_segments.pcapng",
        "proto/P21_http_lines_split.pcap", "proto/P23_http_multipart_form.pcap",
        "proto/P39_http_vlan.pcap", "proto/P71_http_ipv6.pcap",
        "malformed/M19_http_chunk_2pow64_overflow.pcap", "malformed/M20_http_te_cl_desync.pcap",
        "malformed/M21_http_te_obs_fold.pcap", "malformed/M22_http_multi_value_te.pcap",
        "malformed/M23_http_cl_negative.pcap", "malformed/M24_http_inner_te_reproducer.pcap"),
    [](const ::testing::TestParamInfo<std::string>& info) {
      std::string n = std::filesystem::path(info.param).stem().string();
      for (char& c : n)
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });

}  // namespace
}  // namespace ph::proto::test
