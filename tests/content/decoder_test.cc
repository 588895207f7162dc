// The content decoder chain, layer by layer and in the nestings seen in
// practice: the motivating case (base64 wrapped at 76 columns of JSON with
// IMEI1/SIM1ICCID), compressed JSON, JSON in a query parameter, protobuf,
// XML, multipart; plus malformed layers, which are counted while the value
// they came from is still emitted.
#include "content/decoder.h"

#include <gtest/gtest.h>

#include "brotli_bomb.h"
#include "content_support.h"

namespace ph::content::testing {
namespace {

std::string motivating_json() {
  return R"({"IMEI1":")" + kImei + R"(","SIM1ICCID":")" + kIccid + R"(","SIM1LTEIMSI":")" + kImsi +
         R"(","SIM1CELLID":"0x1A2B3C","MACID":"02:00:5e:10:00:01","model":"X-1"})";
}

TEST(ContentDecoder, InputItselfIsTheFirstLeaf) {
  Decoded r("hello", {}, {}, "http.header", "X-Thing");
  ASSERT_EQ(r.sink.leaves.size(), 1u);
  EXPECT_EQ(r.sink.leaves[0].path, "http.header");
  EXPECT_EQ(r.sink.leaves[0].key, "X-Thing");
  EXPECT_EQ(r.sink.leaves[0].value, "hello");
  EXPECT_EQ(r.sink.leaves[0].encodings, "");
  EXPECT_TRUE(r.cuts.all().empty());
}

TEST(ContentDecoder, MotivatingCaseBase64WrappedAt76ColumnsOfJson) {
  std::string body = base64(motivating_json(), false, 76);
  ASSERT_NE(body.find("\r\n"), std::string::npos);  // really wrapped
  Decoded r(body);
  const Recorded* imei = r.sink.at("$.IMEI1");
  ASSERT_NE(imei, nullptr);
  EXPECT_EQ(imei->key, "IMEI1");
  EXPECT_EQ(imei->value, kImei);
  EXPECT_EQ(imei->encodings, "base64,json");
  const Recorded* iccid = r.sink.at("$.SIM1ICCID");
  ASSERT_NE(iccid, nullptr);
  EXPECT_EQ(iccid->value, kIccid);
  EXPECT_EQ(iccid->encodings, "base64,json");
  ASSERT_NE(r.sink.at("$.SIM1LTEIMSI"), nullptr);
  EXPECT_EQ(r.sink.at("$.MACID")->value, "02:00:5e:10:00:01");
  // The decoded JSON text itself is a leaf too, between the two.
  ASSERT_GE(r.sink.leaves.size(), 2u);
  EXPECT_EQ(r.sink.leaves[1].value, motivating_json());
  EXPECT_EQ(r.sink.leaves[1].encodings, "base64");
  EXPECT_TRUE(r.cuts.all().empty());
}

TEST(ContentDecoder, MotivatingBodyLabelledAsAForm) {
  std::string json = motivating_json();
  for (const std::string& body :
       {base64(json, false, 76), base64(json + " "), base64(json + "  ")}) {
    Decoded r(body, "application/x-www-form-urlencoded");
    ASSERT_NE(r.sink.at("$.IMEI1"), nullptr) << body.substr(body.size() - 4);
    EXPECT_EQ(r.sink.at("$.IMEI1")->encodings, "base64,json");
  }
  // A real form with a base64 value still is a form, even when the '+' of
  // the base64 was not escaped (a run of '>' encodes to '+' at any alignment).
  std::string b64 = base64(R"({"p":">>>>>",)" + json.substr(1));
  ASSERT_NE(b64.find('+'), std::string::npos);
  Decoded f("d=" + b64 + "&v=1", "application/x-www-form-urlencoded");
  ASSERT_NE(f.sink.at("form.d.$.IMEI1"), nullptr);
  EXPECT_EQ(f.sink.at("form.d.$.IMEI1")->encodings, "form,base64,json");
  EXPECT_NE(f.sink.at("form.d")->value.find(' '), std::string::npos);  // the form's own reading
}

TEST(ContentDecoder, Base64VariantsMissingPaddingTrailingNulUrlAlphabetBinary) {
  std::string json = motivating_json();
  for (const auto& [input, chain] : std::vector<std::pair<std::string, std::string>>{
           {base64(json + " ", false, 0, false), "base64,json"},  // every padding length
           {base64(json + "  ", false, 0, false), "base64,json"},
           {base64(json + "   ", false, 0, false), "base64,json"},
           {base64(json) + std::string(3, '\0'), "base64,json"},
           // A run of five '?' encodes to '_' at any alignment: URL alphabet.
           {base64(R"({"pad":"?????",)" + json.substr(1), true, 0, false), "base64url,json"},
           {base64("\xfb\xff" + json.substr(2), false, 64), "base64"},
       }) {
    SCOPED_TRACE(input.substr(0, 20));
    Decoded r(input);
    ASSERT_GE(r.sink.leaves.size(), 2u);
    EXPECT_EQ(r.sink.leaves[1].encodings, chain.substr(0, chain.find(',')));
    if (chain.find("json") != std::string::npos) {
      ASSERT_NE(r.sink.at("$.IMEI1"), nullptr);
      EXPECT_EQ(r.sink.at("$.IMEI1")->encodings, chain);
    }
  }
  // The URL alphabet is recognised as such when it uses '-' or '_'.
  std::string with_url_chars = "\xfb\xef\xbe" + motivating_json();
  Decoded u(base64(with_url_chars, true));
  ASSERT_GE(u.sink.leaves.size(), 2u);
  EXPECT_EQ(u.sink.leaves[1].encodings, "base64url");
}

TEST(ContentDecoder, JsonPathsKeysAndScalars) {
  Decoded r(R"({"user":{"IMEI1":"a\"b","ids":[1,2,359000000000000],"lat":48.85661,
            "ok":true,"none":null,"empty":""},"list":[{"k":"v"}]})");
  EXPECT_EQ(r.sink.at("$.user.IMEI1")->value, "a\"b");
  EXPECT_EQ(r.sink.at("$.user.IMEI1")->key, "IMEI1");
  EXPECT_EQ(r.sink.at("$.user.ids[2]")->value, "359000000000000");
  EXPECT_EQ(r.sink.at("$.user.ids[2]")->key, "ids");
  EXPECT_EQ(r.sink.at("$.user.lat")->value, "48.85661");
  EXPECT_EQ(r.sink.at("$.list[0].k")->value, "v");
  EXPECT_EQ(r.sink.at("$.user.ok"), nullptr);  // flags carry nothing
  EXPECT_EQ(r.sink.at("$.user.none"), nullptr);
  EXPECT_EQ(r.sink.at("$.user.empty"), nullptr);
  EXPECT_EQ(r.sink.at("$.list[0].k")->encodings, "json");
}

TEST(ContentDecoder, JsonNumbersKeepTheirTextWhateverTheirSize) {
  // A 20-digit ICCID sent as a number does not fit 64 bits: it must come out
  // exactly, and must not spoil the rest of the document.
  std::string iccid20 = luhn("8944000012345678901");
  Decoded r(R"({"iccid":)" + iccid20 + R"(,"big":1e400,"neg":-0.5e-3,"imei":")" + kImei + "\"}");
  ASSERT_NE(r.sink.at("$.iccid"), nullptr);
  EXPECT_EQ(r.sink.at("$.iccid")->value, iccid20);
  EXPECT_EQ(r.sink.at("$.big")->value, "1e400");
  EXPECT_EQ(r.sink.at("$.neg")->value, "-0.5e-3");
  EXPECT_EQ(r.sink.at("$.imei")->value, kImei);
  EXPECT_TRUE(r.cuts.all().empty());
  // A broken number is malformed JSON; what came before it stays emitted.
  Decoded bad(R"({"a":"first","b":01,"c":"never"})");
  EXPECT_NE(bad.sink.at("$.a"), nullptr);
  EXPECT_EQ(bad.sink.at("$.c"), nullptr);
  EXPECT_EQ(bad.cuts.get("content.json-malformed"), 1u);
  Decoded trailing(R"({"a":"x"} {"b":"y"})");
  EXPECT_EQ(trailing.cuts.get("content.json-malformed"), 1u);
}

TEST(ContentDecoder, JsonUnderAHintAndInsideJsonStrings) {
  std::string inner = R"({"imei":")" + kImei + R"("})";
  std::string outer = R"({"payload":")" + base64(inner) + R"(","raw":"{\"x\":\"y\"}"})";
  Decoded r(outer, "application/json; charset=utf-8", {}, "", "");
  EXPECT_EQ(r.sink.at("$.payload.$.imei")->value, kImei);
  EXPECT_EQ(r.sink.at("$.payload.$.imei")->encodings, "json,base64,json");
  EXPECT_EQ(r.sink.at("$.raw.$.x")->encodings, "json,json");
}

TEST(ContentDecoder, GzipZlibRawDeflateZstdBrotliOfJson) {
  std::string json = motivating_json();
  struct Case {
    std::string input, media, chain;
  };
  for (const auto& c : std::vector<Case>{
           {gzip(json), "", "gzip,json"},
           {deflate_with(json, 15), "", "deflate,json"},
           {deflate_with(json, -15), "", "deflate,json"},
           {zstd(json), "", "zstd,json"},
           {gzip(json), "application/gzip", "gzip,json"},
       }) {
    SCOPED_TRACE(c.chain);
    Decoded r(c.input, c.media);
    ASSERT_NE(r.sink.at("$.IMEI1"), nullptr);
    EXPECT_EQ(r.sink.at("$.IMEI1")->encodings, c.chain);
    EXPECT_EQ(r.sink.at("$.IMEI1")->value, kImei);
    EXPECT_TRUE(r.cuts.all().empty());
  }
  std::string br(reinterpret_cast<const char*>(kBrotliJson), sizeof kBrotliJson);
  for (std::string_view media : {"", "application/x-brotli"}) {
    Decoded r(br, media);
    ASSERT_NE(r.sink.at("$.device"), nullptr) << media;
    EXPECT_EQ(r.sink.at("$.device")->encodings, "br,json");
    EXPECT_EQ(r.sink.leaves[1].value, kBrotliJsonPlain);
  }
}

TEST(ContentDecoder, Base64OfGzipOfJson) {
  Decoded r(base64(gzip(motivating_json()), false, 76));
  ASSERT_NE(r.sink.at("$.SIM1ICCID"), nullptr);
  EXPECT_EQ(r.sink.at("$.SIM1ICCID")->encodings, "base64,gzip,json");
  EXPECT_EQ(r.sink.at("$.SIM1ICCID")->value, kIccid);
}

TEST(ContentDecoder, JsonInAQueryParameterOfAUrl) {
  std::string url =
      "http://reg.example/api/boot?v=2&d=%7B%22imei%22%3A%22" + kImei + "%22%7D&n=a+b#frag";
  Decoded r(url);
  ASSERT_NE(r.sink.at("query.d.$.imei"), nullptr);
  EXPECT_EQ(r.sink.at("query.d.$.imei")->value, kImei);
  EXPECT_EQ(r.sink.at("query.d.$.imei")->encodings, "query,json");
  EXPECT_EQ(r.sink.at("query.d")->key, "d");
  EXPECT_EQ(r.sink.at("query.n")->value, "a b");
  EXPECT_EQ(r.sink.at("query.v")->value, "2");
  // A path-only target too.
  Decoded p("/x?imei=" + kImei);
  EXPECT_EQ(p.sink.at("query.imei")->value, kImei);
  // The value of a query parameter the HTTP parser already split: the
  // caller's path and key lead.
  Decoded v(R"({"imei":")" + kImei + R"("})", {}, {}, "d", "d");
  EXPECT_EQ(v.sink.at("d.$.imei")->value, kImei);
  EXPECT_EQ(v.sink.at("d.$.imei")->encodings, "json");
}

TEST(ContentDecoder, FormBodiesByHintAndSniffed) {
  std::string body = "name=J%C3%B6rg+M&imei=" + kImei + "&blob=" + base64(motivating_json());
  Decoded hinted(body, "application/x-www-form-urlencoded");
  EXPECT_EQ(hinted.sink.at("form.name")->value, "J\xc3\xb6rg M");
  EXPECT_EQ(hinted.sink.at("form.name")->key, "name");
  EXPECT_EQ(hinted.sink.at("form.imei")->value, kImei);
  EXPECT_EQ(hinted.sink.at("form.imei")->encodings, "form");
  EXPECT_EQ(hinted.sink.at("form.blob.$.IMEI1")->encodings, "form,base64,json");
  Decoded sniffed(body);
  EXPECT_EQ(sniffed.sink.at("form.imei")->value, kImei);
  // A hint accepts what sniffing would not (a key without a value).
  Decoded loose("flag&k=v w", "application/x-www-form-urlencoded");
  EXPECT_EQ(loose.sink.at("form.k")->value, "v w");
  Decoded not_form("k=v w");
  EXPECT_EQ(not_form.sink.leaves.size(), 1u);
}

TEST(ContentDecoder, PercentEncodedValue) {
  Decoded r("imei%3D" + kImei + "%26x%3D1");
  ASSERT_NE(r.sink.at("form.imei"), nullptr);
  EXPECT_EQ(r.sink.at("form.imei")->encodings, "percent,form");
  Decoded plain("a%2Fb%20c");
  ASSERT_EQ(plain.sink.leaves.size(), 2u);
  EXPECT_EQ(plain.sink.leaves[1].value, "a/b c");
  EXPECT_EQ(plain.sink.leaves[1].encodings, "percent");
  // '+' alone is not percent-encoding outside a form; a stray '%' neither.
  EXPECT_EQ(Decoded("a+b+c").sink.leaves.size(), 1u);
  EXPECT_EQ(Decoded("100% sure").sink.leaves.size(), 1u);
}

TEST(ContentDecoder, HexOfTextAndOfGzip) {
  Decoded r(hex(R"({"imei":")" + kImei + R"("})"));
  ASSERT_NE(r.sink.at("$.imei"), nullptr);
  EXPECT_EQ(r.sink.at("$.imei")->encodings, "hex,json");
  Decoded g(hex(gzip("imei=" + kImei)));
  ASSERT_NE(g.sink.at("form.imei"), nullptr);
  EXPECT_EQ(g.sink.at("form.imei")->encodings, "hex,gzip,form");
}

TEST(ContentDecoder, ProtobufWithNestedStrings) {
  std::string device = pb_bytes(1, kImei) + pb_uint(2, 7) + pb_bytes(3, "model-x");
  std::string msg = pb_uint(1, 150) + pb_bytes(2, "hello") + pb_bytes(3, device) +
                    pb_bytes(4, R"({"iccid":")" + kIccid + R"("})") + pb_uint(5, 1ull << 40);
  for (std::string_view media : {"", "application/x-protobuf"}) {
    SCOPED_TRACE(media);
    Decoded r(msg, media);
    ASSERT_NE(r.sink.at("pb.1"), nullptr);
    EXPECT_EQ(r.sink.at("pb.1")->value, "150");
    EXPECT_EQ(r.sink.at("pb.1")->key, "1");
    EXPECT_EQ(r.sink.at("pb.2")->value, "hello");
    EXPECT_EQ(r.sink.at("pb.3.1")->value, kImei);
    EXPECT_EQ(r.sink.at("pb.3.1")->encodings, "protobuf");
    EXPECT_EQ(r.sink.at("pb.3.2")->value, "7");
    EXPECT_EQ(r.sink.at("pb.4.$.iccid")->encodings, "protobuf,json");
    EXPECT_EQ(r.sink.at("pb.5")->value, "1099511627776");
  }
  // Base64 of a protobuf message (no text at all inside) is plausible.
  std::string numbers =
      pb_uint(1, 1234567) + pb_uint(2, 99) + pb_uint(3, 5) + pb_uint(4, 1ull << 40);
  ASSERT_GE(base64(numbers).size(), 16u);
  Decoded b(base64(numbers));
  ASSERT_NE(b.sink.at("pb.1"), nullptr);
  EXPECT_EQ(b.sink.at("pb.1")->encodings, "base64,protobuf");
  // One byte short: not a message; under a protobuf hint that is counted.
  Decoded bad(msg.substr(0, msg.size() - 1), "application/x-protobuf");
  EXPECT_EQ(bad.sink.at("pb.1"), nullptr);
  EXPECT_EQ(bad.cuts.get("content.protobuf-malformed"), 1u);
}

TEST(ContentDecoder, XmlElementsAndAttributes) {
  std::string doc = R"(<?xml version="1.0"?><reg ver="2"><dev id="7"><imei>)" + kImei +
                    R"(</imei><note>  a &amp; b </note></dev><b64>)" + base64(motivating_json()) +
                    "</b64></reg>";
  for (std::string_view media : {"", "text/xml"}) {
    Decoded r(doc, media);
    ASSERT_NE(r.sink.at("xml.reg.dev.imei"), nullptr);
    EXPECT_EQ(r.sink.at("xml.reg.dev.imei")->value, kImei);
    EXPECT_EQ(r.sink.at("xml.reg.dev.imei")->key, "imei");
    EXPECT_EQ(r.sink.at("xml.reg.dev.imei")->encodings, "xml");
    EXPECT_EQ(r.sink.at("xml.reg.dev@id")->value, "7");
    EXPECT_EQ(r.sink.at("xml.reg@ver")->key, "ver");
    EXPECT_EQ(r.sink.at("xml.reg.dev.note")->value, "a & b");
    EXPECT_EQ(r.sink.at("xml.reg.b64.$.IMEI1")->encodings, "xml,base64,json");
    EXPECT_TRUE(r.cuts.all().empty());
  }
}

TEST(ContentDecoder, MultipartPartsWithTheirOwnTypes) {
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\n"
      "Content-Type: application/json\r\n\r\n"
      R"({"imei":")" +
      kImei +
      "\"}\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n"
      "line one\r\nline two\r\n"
      "--XyZ--\r\n";
  for (std::string_view media : {"multipart/form-data; boundary=XyZ", ""}) {
    SCOPED_TRACE(media);
    Decoded r(body, media);
    ASSERT_NE(r.sink.at("multipart.meta.$.imei"), nullptr);
    EXPECT_EQ(r.sink.at("multipart.meta.$.imei")->encodings, "multipart,json");
    EXPECT_EQ(r.sink.at("multipart.meta")->key, "meta");
    EXPECT_EQ(r.sink.at("multipart.file")->value, "line one\r\nline two");
    EXPECT_TRUE(r.cuts.all().empty());
  }
  Decoded quoted(body, "multipart/form-data; boundary=\"XyZ\"");
  EXPECT_NE(quoted.sink.at("multipart.meta.$.imei"), nullptr);
  // Missing closing delimiter: parts still emitted, the cut counted.
  Decoded open(body.substr(0, body.size() - 9), "multipart/form-data; boundary=XyZ");
  EXPECT_NE(open.sink.at("multipart.file"), nullptr);
  EXPECT_EQ(open.cuts.get("content.multipart-malformed"), 1u);
}

TEST(ContentDecoder, MalformedLayersAreCountedAndTheInputStillEmitted) {
  {
    // Walked up to the error: what came before it is emitted.
    Decoded r(R"({"imei": 35, "x": })");
    ASSERT_EQ(r.sink.leaves.size(), 2u);
    EXPECT_EQ(r.sink.at("$.imei")->value, "35");
    EXPECT_EQ(r.cuts.get("content.json-malformed"), 1u);
  }
  {
    Decoded r(std::string("\x1f\x8b\x08\x00garbage-after-a-gzip-magic", 31));
    EXPECT_EQ(r.sink.leaves.size(), 1u);
    EXPECT_EQ(r.cuts.get("content.gzip-malformed"), 1u);
  }
  {
    // A truncated gzip stream: what came out is emitted, not parsed, counted.
    std::string z = gzip(motivating_json());
    Decoded r(z.substr(0, z.size() - 12));
    ASSERT_EQ(r.sink.leaves.size(), 2u);
    EXPECT_EQ(r.sink.leaves[1].encodings, "gzip");
    EXPECT_EQ(motivating_json().rfind(r.sink.leaves[1].value, 0), 0u);
    EXPECT_EQ(r.cuts.get("content.gzip-malformed"), 1u);
  }
  {
    Decoded r("<a><b>text</a>");
    EXPECT_EQ(r.sink.leaves.size(), 1u);
    EXPECT_EQ(r.cuts.get("content.xml-malformed"), 1u);
  }
  {
    Decoded r(std::string("\x28\xb5\x2f\xfd") + "not zstd at all....");
    EXPECT_EQ(r.sink.leaves.size(), 1u);
    EXPECT_EQ(r.cuts.get("content.zstd-malformed"), 1u);
  }
  {
    Decoded r("not json", "application/json");
    EXPECT_EQ(r.sink.leaves.size(), 1u);
    EXPECT_EQ(r.cuts.get("content.json-malformed"), 1u);
  }
}

TEST(ContentDecoder, DecoderIsReusableAcrossCalls) {
  Counters cuts;
  Decoder decoder({}, cuts);
  std::string b64 = base64(motivating_json(), false, 76);
  for (int i = 0; i < 3; ++i) {
    Collector a, b;
    decoder.decode(b64, {}, "", "", a);
    decoder.decode(gzip("imei=" + kImei), {}, "body", "", b);
    ASSERT_NE(a.at("$.IMEI1"), nullptr);
    EXPECT_EQ(a.at("$.IMEI1")->value, kImei);
    ASSERT_NE(b.at("body.form.imei"), nullptr);
    EXPECT_EQ(b.at("body.form.imei")->encodings, "gzip,form");
  }
  EXPECT_TRUE(cuts.all().empty());
}

}  // namespace
}  // namespace ph::content::testing
