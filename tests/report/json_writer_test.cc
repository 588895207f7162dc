#include "report/json_writer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>

#include "report/report.h"

namespace ph::report {
namespace {

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(JsonWriter, EscapesControlAndQuoteCharacters) {
  EXPECT_EQ(quoted("a\"b\\c\n\t\x01"), R"("a\"b\\c\n\t\u0001")");
}

// Every byte value, at every position of a string (the plain runs around it
// are copied whole), is escaped as one byte alone must be.
TEST(JsonWriter, EscapesEveryByteAtEveryPosition) {
  auto escaped = [](unsigned char c) -> std::string {
    switch (c) {
      case '"':
        return "\\\"";
      case '\\':
        return "\\\\";
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      default:
        break;
    }
    char buf[8];
    if (c < 0x20 || c == 0x7f) {
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      return buf;
    }
    if (c >= 0x80) return "\\ufffd";  // a lone byte >= 0x80 is not UTF-8
    return std::string(1, char(c));
  };
  for (int c = 0; c < 256; ++c) {
    for (size_t at = 0; at < 20; ++at) {
      std::string s(20, 'a');
      s[at] = char(c);
      std::string want =
          "\"" + s.substr(0, at) + escaped(static_cast<unsigned char>(c)) + s.substr(at + 1) + "\"";
      ASSERT_EQ((quoted)(s), want) << "byte " << c << " at " << at;
    }
  }
}

TEST(JsonWriter, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(quoted("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(quoted("a\xff"
                   "b"),
            R"("a\ufffdb")");
  EXPECT_EQ(quoted("\xc3"), R"("\ufffd")");                      // cut sequence
  EXPECT_EQ(quoted("\xc0\xaf"), R"("\ufffd\ufffd")");            // overlong '/'
  EXPECT_EQ(quoted("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");  // surrogate
}

TEST(JsonWriter, NestedStructuresParseBack) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("n", uint64_t(18446744073709551615ull)).field("s", "x\xff");
  w.key("a").begin_array().value(true).null().value(int64_t(-3)).end_array();
  w.key("o").begin_object().end_object();
  w.key("d").value(1.5, 3);
  w.end_object();
  EXPECT_EQ(out, R"({"n":18446744073709551615,"s":"x\ufffd","a":[true,null,-3],"o":{},"d":1.500})");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(out).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(uint64_t(doc["n"]), 18446744073709551615ull);
}

TEST(JsonWriter, OutputLongerThanTheStageArrivesWholeAndInOrder) {
  // Many small pieces, values longer than the writer's stage, and escapes
  // straddling its edge: the text must equal the one built by hand.
  std::string out, want = "{";
  {
    JsonWriter w(out);
    w.begin_object();
    for (int i = 0; i < 600; ++i) {
      std::string v(size_t(i * 7 % 1500), char('a' + i % 26));
      if (i % 5 == 0) v += "\"\n";
      w.field("k" + std::to_string(i), v);
      if (i) want += ",";
      want += "\"k" + std::to_string(i) + "\":";
      append_json_string(want, v);
    }
    w.key("n").value(uint64_t(7));
    w.end_object();
    want += ",\"n\":7}";
    // Complete once the outermost object ends, with the writer still alive.
    EXPECT_EQ(out, want);
  }
  EXPECT_EQ(out, want);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(out).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(uint64_t(doc["n"]), 7u);
}

TEST(JsonWriter, RawValuesAndFlush) {
  std::string out;
  JsonWriter w(out);
  w.begin_array().value("a").raw("[1,2]").value(true);
  w.flush();  // mid-array: what was written so far
  EXPECT_EQ(out, R"(["a",[1,2],true)");
  w.end_array();
  EXPECT_EQ(out, R"(["a",[1,2],true])");
}

TEST(JsonWriter, PlainValuesAreWhatEscapedValuesWouldBe) {
  // plain() skips the escaper for text known to need none (timestamps,
  // addresses): the same bytes as value() writes, commas included.
  for (std::string_view s : {"", "2019-05-01T08:00:00.000001Z", "2001:db8::1", "10.0.0.1",
                             "printable ASCII ~!@#$%^&*()_+{}|:<>?"}) {
    std::string plain, escaped;
    {
      JsonWriter w(plain);
      w.begin_object().key("a").plain(s).key("b").begin_array().plain(s).plain(s);
      w.end_array().end_object();
    }
    {
      JsonWriter w(escaped);
      w.begin_object().key("a").value(s).key("b").begin_array().value(s).value(s);
      w.end_array().end_object();
    }
    EXPECT_EQ(plain, escaped) << s;
  }
}

TEST(JsonWriter, DecimalsAsPrintfWritesThem) {
  // printf is the oracle: the writer uses std::to_chars, which must round
  // the same way (both round the exact binary value).
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const double d = double(int64_t(x % 2000000001) - 1000000000) / double(1 + x % 100000);
    const int decimals = int(x >> 60) % 7;
    std::string out;
    { JsonWriter(out).value(d, decimals); }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, d);
    ASSERT_EQ(out, buf) << "decimals " << decimals;
  }
  std::string out;
  { JsonWriter(out).value(0.0005, 3); }
  EXPECT_EQ(out, "0.001");
}

TEST(Redact, MasksTheMiddleOfIdentifiers) {
  EXPECT_EQ(redact("354785123456754"), "354785*******54");
  EXPECT_EQ(redact("abcd"), "****");
  EXPECT_EQ(redact("abcdefgh"), "abc***gh");
  EXPECT_EQ(redact_mac(MacAddr{{0xa4, 0x5e, 0x60, 0x12, 0x34, 0x56}}), "a4:5e:60:**:**:56");
}

}  // namespace
}  // namespace ph::report
