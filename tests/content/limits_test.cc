// The content decoder's limits: decompression bombs (gzip, nested gzip,
// brotli) stop at the cap quickly and are counted; nesting depth, leaves,
// output and JSON/XML/protobuf depth are cut and counted, never a crash.
#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>

#include "brotli_bomb.h"
#include "content/decoder.h"
#include "content_support.h"

namespace ph::content::testing {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A gzip stream of `mib` MiB of zero bytes, built without compressing them
// all: each MiB is deflated after a full flush, which makes every MiB's
// compressed bytes the same, so they are repeated.
std::string gzip_of_zeros(size_t mib) {
  const std::string zeros(1 << 20, '\0');
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  auto chunk = [&](int flush, std::string_view in) {
    std::string out(deflateBound(&zs, in.size()) + 64, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, flush);
    out.resize(out.size() - zs.avail_out);
    return out;
  };
  std::string first = chunk(Z_FULL_FLUSH, zeros);
  std::string next = chunk(Z_FULL_FLUSH, zeros);
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  out += first;
  for (size_t i = 1; i < mib; ++i) out += next;
  out += chunk(Z_FINISH, {});
  deflateEnd(&zs);
  uLong one = crc32(0, reinterpret_cast<const Bytef*>(zeros.data()), 1 << 20), crc = one;
  for (size_t i = 1; i < mib; ++i) crc = crc32_combine(crc, one, 1 << 20);
  uint32_t size = static_cast<uint32_t>((mib << 20) & 0xffffffff);
  for (int i = 0; i < 4; ++i) out += static_cast<char>((crc >> (8 * i)) & 0xff);
  for (int i = 0; i < 4; ++i) out += static_cast<char>((size >> (8 * i)) & 0xff);
  return out;
}

// Inflates fully without keeping the output: proves the construction.
uint64_t gunzip_size(const std::string& z) {
  z_stream zs{};
  inflateInit2(&zs, 15 + 16);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(z.data()));
  zs.avail_in = static_cast<uInt>(z.size());
  std::string buf(1 << 20, '\0');
  uint64_t total = 0;
  int r;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    r = inflate(&zs, Z_NO_FLUSH);
    total += buf.size() - zs.avail_out;
  } while (r == Z_OK);
  inflateEnd(&zs);
  return r == Z_STREAM_END ? total : 0;
}

TEST(ContentLimits, GzipConstructionOfTheBombIsValid) {
  EXPECT_EQ(gunzip_size(gzip_of_zeros(8)), 8u << 20);
}

TEST(ContentLimits, GzipBombOneGigabyteStopsAtTheInflateCap) {
  std::string bomb = gzip_of_zeros(1024);
  ASSERT_LT(bomb.size(), 1200u * 1024);  // ~1 MiB on the wire, 1 GiB inflated
  auto start = std::chrono::steady_clock::now();
  Decoded r(bomb);
  EXPECT_LT(seconds_since(start), 5.0);
  EXPECT_EQ(r.cuts.get("content.inflate-cap"), 1u);
  ASSERT_EQ(r.sink.leaves.size(), 2u);  // the input, and what fits under the cap
  EXPECT_EQ(r.sink.leaves[1].value.size(), Limits{}.max_inflate);
  EXPECT_EQ(r.sink.leaves[1].encodings, "gzip");
}

TEST(ContentLimits, NestedGzipBombOfOneKilobyteStopsAtTheRatioCap) {
  std::string bomb = gzip(gzip_of_zeros(1024));  // gzip of gzip: 1 GiB in a few KB
  ASSERT_LT(bomb.size(), 8u * 1024);
  auto start = std::chrono::steady_clock::now();
  Decoded r(bomb);
  EXPECT_LT(seconds_since(start), 5.0);
  EXPECT_EQ(r.cuts.get("content.inflate-ratio"), 1u);
  ASSERT_EQ(r.sink.leaves.size(), 2u);
  EXPECT_LE(r.sink.leaves[1].value.size(), static_cast<size_t>(200 * bomb.size()));
  EXPECT_GT(r.sink.leaves[1].value.size(), 0u);
}

// Brotli fills its window before it hands out a byte: this bomb's is
// 16 MiB, more than 16 times a cap of 809 * 200 bytes, so it is cut before
// any output (base/brotli.h) instead of decoding 16 MiB for 160 KB.
// Labelled, that is a counted cut and an empty leaf; unlabelled, it is not
// taken for brotli.
TEST(ContentLimits, BrotliBombBeyondTheCapIsCutBeforeItsWindowIsDecoded) {
  std::string bomb = from_hex(kBrotliBombHex);
  ASSERT_EQ(bomb.size(), 809u);
  auto start = std::chrono::steady_clock::now();
  Decoded labelled(bomb, "application/x-brotli");
  EXPECT_EQ(labelled.cuts.get("content.inflate-ratio"), 1u);  // 809 * 200 < 4 MiB
  ASSERT_EQ(labelled.sink.leaves.size(), 2u);
  EXPECT_EQ(labelled.sink.leaves[1].value, "");
  EXPECT_EQ(labelled.sink.leaves[1].encodings, "br");

  Decoded unlabelled(bomb, "");
  EXPECT_EQ(unlabelled.cuts.get("content.inflate-ratio"), 0u);
  for (const auto& leaf : unlabelled.sink.leaves)
    EXPECT_EQ(leaf.encodings.find("br"), std::string::npos) << leaf.encodings;
  EXPECT_LT(seconds_since(start), 1.0);

  // Without the ratio cap, the size cap (4 MiB) lets it fill its window,
  // and it stops at the cap.
  Limits no_ratio;
  no_ratio.max_ratio = 1e12;
  Decoded r(bomb, "application/x-brotli", no_ratio);
  EXPECT_EQ(r.cuts.get("content.inflate-cap"), 1u);
  ASSERT_EQ(r.sink.leaves.size(), 2u);
  EXPECT_EQ(r.sink.leaves[1].value.size(), no_ratio.max_inflate);
  EXPECT_EQ(r.sink.leaves[1].value.find_first_not_of('\0'), std::string::npos);
}

// A stream whose window is no larger than its content still decodes however
// small the cap: the decoder sizes its buffer to the content.
TEST(ContentLimits, SmallBrotliDecodesWithASmallCap) {
  const std::string br(reinterpret_cast<const char*>(kBrotliJson), sizeof kBrotliJson);
  Decoded whole(br, "application/x-brotli");
  ASSERT_GE(whole.sink.leaves.size(), 2u);
  EXPECT_EQ(whole.sink.leaves[1].value, kBrotliJsonPlain);
  Limits tiny;
  tiny.max_inflate = 10;
  Decoded cut(br, "application/x-brotli", tiny);
  EXPECT_EQ(cut.cuts.get("content.inflate-cap"), 1u);
  ASSERT_EQ(cut.sink.leaves.size(), 2u);
  EXPECT_EQ(cut.sink.leaves[1].value, std::string_view(kBrotliJsonPlain).substr(0, 10));
}

TEST(ContentLimits, JsonOneHundredThousandDeepIsCutAndCounted) {
  std::string deep = std::string(100000, '[') + "\"" + kImei + "\"" + std::string(100000, ']');
  Decoded r(deep);
  EXPECT_EQ(r.sink.leaves.size(), 1u);
  EXPECT_EQ(r.cuts.get("content.json-depth"), 1u);
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  objects += "1" + std::string(100000, '}');
  Decoded o(objects);
  EXPECT_EQ(o.cuts.get("content.json-depth"), 1u);
  // At the limit it still decodes.
  std::string ok = std::string(63, '[') + "\"x-value\"" + std::string(63, ']');
  Decoded fine(ok);
  EXPECT_EQ(fine.cuts.get("content.json-depth"), 0u);
  ASSERT_EQ(fine.sink.leaves.size(), 2u);
  EXPECT_EQ(fine.sink.leaves[1].value, "x-value");
}

TEST(ContentLimits, XmlAndProtobufNestingIsCut) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  deep += "x";
  for (int i = 0; i < 100000; ++i) deep += "</a>";
  Decoded r(deep);
  EXPECT_EQ(r.cuts.get("content.xml-depth"), 1u);
  std::string msg = pb_bytes(1, "leaf-text");
  for (int i = 0; i < 100; ++i) msg = pb_bytes(1, msg);
  Decoded p(msg);
  EXPECT_EQ(p.cuts.get("content.protobuf-depth"), 1u);
  EXPECT_GE(p.sink.leaves.size(), 2u);  // the deepest message is emitted as bytes
}

TEST(ContentLimits, ChainDepthIsCutAndCounted) {
  std::string v = R"({"imei":")" + kImei + R"("})";
  for (int i = 0; i < 9; ++i) v = base64(v);  // 9 base64 + json = 10 layers
  Decoded r(v);
  EXPECT_EQ(r.cuts.get("content.depth"), 1u);
  EXPECT_EQ(r.sink.leaves.size(), 9u);  // the input and 8 peeled layers
  EXPECT_EQ(r.sink.leaves.back().encodings,
            "base64,base64,base64,base64,base64,base64,base64,base64");
  Limits deeper;
  deeper.max_depth = 10;
  Decoded d(v, {}, deeper);
  EXPECT_EQ(d.cuts.get("content.depth"), 0u);
  EXPECT_NE(d.sink.at("$.imei"), nullptr);
}

TEST(ContentLimits, LeavesAndOutputCaps) {
  std::string many = "[";
  for (int i = 0; i < 100; ++i) many += std::to_string(i) + ",";
  many.back() = ']';
  Limits few;
  few.max_leaves = 10;
  Decoded r(many, {}, few);
  EXPECT_EQ(r.sink.leaves.size(), 10u);
  EXPECT_EQ(r.cuts.get("content.leaves-cap"), 1u);
  Limits small;
  small.max_output = 100;
  std::string big = "a=" + base64(std::string(300, 'x')) + "&b=" + base64(std::string(30, 'y'));
  Decoded o(big, {}, small);
  EXPECT_EQ(o.cuts.get("content.output-cap"), 1u);
  EXPECT_EQ(o.sink.at("form.b"), nullptr);  // nothing more after the budget ran out
  // Decompression stops at the budget left, counted as an output cut.
  Limits tight;
  tight.max_output = 1000;
  Decoded g(gzip(std::string(5000, 'z')), {}, tight);
  EXPECT_EQ(g.cuts.get("content.output-cap"), 1u);
  EXPECT_EQ(g.sink.leaves[1].value.size(), 1000u);
}

}  // namespace
}  // namespace ph::content::testing
