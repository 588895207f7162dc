// Values that must NOT be decoded: ids, hashes, words, numbers, UUIDs,
// versions, tokens. Each must come out as exactly one leaf (the input
// itself) with nothing counted. This is the explicit base64/hex rule of
// codecs.h at work, and the quick rejection in front of every layer.
#include <gtest/gtest.h>

#include "content/codecs.h"
#include "content/decoder.h"
#include "content_support.h"

namespace ph::content::testing {
namespace {

TEST(ContentDecoys, AreNotDecoded) {
  const std::vector<std::string> decoys = {
      // hex-looking ids and hashes (hex of binary is not hex of text)
      "3f2a9c0e1b7d4a65",
      "3F2A9C0E1B7D4A65",
      "d41d8cd98f00b204e9800998ecf8427e",
      "da39a3ee5e6b4b0d3255bfef95601890afd80709",
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      // UUIDs are in the base64url alphabet: never base64
      "550e8400-e29b-41d4-a716-446655440000",
      "550E8400-E29B-41D4-A716-446655440000",
      "{550e8400-e29b-41d4-a716-446655440000}",
      // words and identifiers
      "Authorization",
      "Internationalization",
      "ApplicationConfiguration",
      "ThisIsAVeryLongIdentifierName",
      "com_example_android_application",
      "AndroidDeviceManagerService",
      "SamsungGalaxyNotificationListener",
      "keep-alive",
      "application/json",
      "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36",
      // numbers and versions
      "12345678901234567890",
      "1699999999999",
      "3.14159265358979",
      "v1.2.3-beta.4+build.5",
      "-122.419416",
      // other everyday values
      "Tue, 15 Nov 1994 08:12:31 GMT",
      "en-US,en;q=0.9",
      "gzip, deflate, br",
      "no-cache",
      "max-age=0",  // a single key=value is a form, but "max-age=0" is not base64 either
      "<3 you",
      "{user}",
  };
  for (const auto& d : decoys) {
    SCOPED_TRACE(d);
    Decoded r(d);
    if (d == "max-age=0") {
      // Decoded as a form pair (harmless), never as base64.
      for (const auto& l : r.sink.leaves) EXPECT_EQ(l.encodings.find("base64"), std::string::npos);
      continue;
    }
    EXPECT_EQ(r.sink.leaves.size(), 1u)
        << (r.sink.leaves.size() > 1 ? r.sink.leaves[1].encodings : "");
    if (d != "{user}" && d != "{550e8400-e29b-41d4-a716-446655440000}") {
      EXPECT_TRUE(r.cuts.all().empty());
    }
  }
}

TEST(ContentDecoys, RandomAlphanumericTokensAreNotBase64UnlessLongAndMixed) {
  // Session-like tokens of 16..63 symbols decode to random bytes: rejected.
  uint32_t x = 12345;
  const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  int accepted = 0;
  for (int n = 16; n < 64; ++n) {
    for (int k = 0; k < 20; ++k) {
      std::string t;
      for (int i = 0; i < n; ++i) {
        x = x * 1103515245 + 12345;
        t += abc[(x >> 16) % 62];
      }
      Decoded r(t);
      accepted += r.sink.leaves.size() > 1;
    }
  }
  // Random bytes parse as a protobuf message now and then; rarely.
  EXPECT_LE(accepted, 960 / 100);
}

TEST(ContentDecoys, Base64RuleExplicitly) {
  std::string out;
  // Shape: too short, hex only, UUID, mixed alphabets, bad padding.
  EXPECT_EQ(base64_decode("QUJDREVGR0g=", out), Base64::kNo);  // 11 symbols
  EXPECT_EQ(base64_decode("0123456789abcdef0123", out), Base64::kNo);
  EXPECT_EQ(base64_decode("550e8400-e29b-41d4-a716-446655440000", out), Base64::kNo);
  EXPECT_EQ(base64_decode("QUJD+EVGR0hJSktM_05P", out), Base64::kNo);
  EXPECT_EQ(base64_decode("QUJDREVGR0hJSktMTU5P===", out), Base64::kNo);
  EXPECT_EQ(base64_decode("QUJDREVGR0hJSktMTU5PU", out), Base64::kNo);  // 21 % 4 == 1
  EXPECT_EQ(base64_decode("QUJDREVG=0hJSktMTU5P", out), Base64::kNo);   // '=' inside
  // Accepted shapes, and what they decode to.
  EXPECT_EQ(base64_decode("QUJDREVGR0hJSktMTU5P", out), Base64::kStd);
  EXPECT_EQ(out, "ABCDEFGHIJKLMNO");
  EXPECT_EQ(base64_decode("QUJDREVGR0hJSktMTU5PUA", out), Base64::kStd);  // no padding
  EXPECT_EQ(out, "ABCDEFGHIJKLMNOP");
  EXPECT_EQ(base64_decode("QUJDREVGR0hJ\r\nSktMTU5PUA==\r\n", out), Base64::kStd);
  EXPECT_EQ(out, "ABCDEFGHIJKLMNOP");
  EXPECT_EQ(base64_decode("-_-_QUJDREVGR0hJSktM", out), Base64::kUrl);
  // Plausibility: text, magic, protobuf, or long and mixed.
  uint32_t mixed = kUpper | kLower | kDigit;
  EXPECT_TRUE(base64_plausible(mixed, 20, "plain text"));
  EXPECT_TRUE(base64_plausible(mixed, 20, std::string("\x1f\x8b\x08\x00", 4)));
  EXPECT_TRUE(base64_plausible(mixed, 20, pb_uint(1, 300) + pb_uint(2, 5)));
  EXPECT_FALSE(base64_plausible(mixed, 20, std::string("\xff\x00\xfe\x01\x80", 5)));
  EXPECT_TRUE(base64_plausible(mixed, 64, std::string("\xff\x00\xfe\x01\x80", 5)));
  EXPECT_FALSE(base64_plausible(kUpper | kLower, 64, std::string("\xff\x00\xfe\x01\x80", 5)));
}

TEST(ContentDecoys, HexRuleExplicitly) {
  std::string out;
  EXPECT_FALSE(hex_decode("414243444546474", out));   // odd
  EXPECT_FALSE(hex_decode("41424344454647", out));    // < 16
  EXPECT_FALSE(hex_decode("4142434445464g48", out));  // not hex
  EXPECT_TRUE(hex_decode("4142434445464748", out));
  EXPECT_EQ(out, "ABCDEFGH");
  Decoded text(hex("ABCDEFGH"));
  ASSERT_EQ(text.sink.leaves.size(), 2u);
  EXPECT_EQ(text.sink.leaves[1].encodings, "hex");
  EXPECT_EQ(Decoded("3f2a9c0e1b7d4a65").sink.leaves.size(), 1u);  // binary: an id
}

TEST(ContentDecoys, TextChecks) {
  EXPECT_TRUE(is_text("plain\ttext\r\n"));
  EXPECT_TRUE(is_text("J\xc3\xb6rg \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_text(std::string("a\0b", 3)));
  EXPECT_FALSE(is_text("\xc3"));          // truncated
  EXPECT_FALSE(is_text("\xc0\xaf"));      // over-long
  EXPECT_FALSE(is_text("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(is_text(""));
}

TEST(ContentDecoys, MediaTypes) {
  EXPECT_EQ(media_of("application/json; charset=utf-8"), Media::kJson);
  EXPECT_EQ(media_of("Application/Vnd.Api+JSON"), Media::kJson);
  EXPECT_EQ(media_of("application/x-www-form-urlencoded"), Media::kForm);
  EXPECT_EQ(media_of("multipart/form-data; boundary=x"), Media::kMultipart);
  EXPECT_EQ(media_of("application/soap+xml"), Media::kXml);
  EXPECT_EQ(media_of("application/x-protobuf"), Media::kProtobuf);
  EXPECT_EQ(media_of("application/octet-stream"), Media::kNone);
  EXPECT_EQ(media_of("image/png"), Media::kOther);
  EXPECT_EQ(media_of(""), Media::kNone);
  EXPECT_EQ(media_boundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(media_boundary("multipart/form-data; charset=x; BOUNDARY=\"a b\"; x=y"), "a b");
  EXPECT_EQ(media_boundary("multipart/form-data"), "");
}

}  // namespace
}  // namespace ph::content::testing
