// The run's decoded-bytes budget (model/decode_budget.h) as the content
// decoder chain takes from it: what fits is decoded and emitted, what does
// not stays as it came (still emitted), the cut is counted once per call,
// and a budget that is large enough changes nothing.
#include <gtest/gtest.h>

#include "content/decoder.h"
#include "content_support.h"
#include "model/decode_budget.h"

namespace ph::content::testing {
namespace {

TEST(DecodeBudget, FloorPlusWhatIsCapturedMinusWhatIsDecoded) {
  Counters cuts;
  DecodeBudget b(&cuts, 100);
  EXPECT_EQ(b.left(), 100u);
  b.earn(10);
  EXPECT_EQ(b.left(), 100u + 10 * DecodeBudget::kPerByte);
  b.spend(100);
  EXPECT_EQ(b.left(), 10 * DecodeBudget::kPerByte);
  b.spend(1000);  // past it: nothing left, never negative
  EXPECT_EQ(b.left(), 0u);
  b.earn(1);
  EXPECT_EQ(b.left(), 0u);  // the debt is paid first
  EXPECT_EQ(b.cuts(), 0u);
  b.cut();
  b.cut();
  EXPECT_EQ(b.cuts(), 2u);
  EXPECT_EQ(cuts.get("content.decode-budget"), 2u);
  DecodeBudget d;  // the default floor; cuts counted nowhere
  EXPECT_EQ(d.left(), DecodeBudget::kFloor);
  d.cut();
  EXPECT_EQ(d.cuts(), 1u);
}

// Decodes `input` with `budget`, leaves and the decoder's own cuts kept.
struct Budgeted {
  Counters cuts;
  Collector sink;
  Budgeted(std::string_view input, DecodeBudget& budget, std::string_view media = {}) {
    Decoder decoder(Limits{}, cuts);
    decoder.set_budget(&budget);
    decoder.decode(input, media, {}, {}, sink);
  }
};

TEST(DecodeBudget, GzipIsInflatedUpToWhatIsLeftAndTheCutCounted) {
  const std::string text =
      "{\"imei\":\"" + kImei + "\",\"pad\":\"" + std::string(100000, 'x') + "\"}";
  const std::string z = gzip(text);
  Counters counted;
  DecodeBudget budget(&counted, 1000);
  Budgeted r(z, budget);
  ASSERT_EQ(r.sink.leaves.size(), 2u);  // the input, then what fits of it inflated
  EXPECT_EQ(r.sink.leaves[1].encodings, "gzip");
  EXPECT_EQ(r.sink.leaves[1].value, text.substr(0, 1000));  // cut: not parsed as JSON
  EXPECT_EQ(budget.left(), 0u);
  EXPECT_EQ(counted.get("content.decode-budget"), 1u);
  EXPECT_EQ(r.cuts.get("content.inflate-cap"), 0u);  // not one of the per-call caps

  // Nothing left: the next gzip value is emitted as it is, not inflated.
  Budgeted again(z, budget);
  ASSERT_EQ(again.sink.leaves.size(), 1u);
  EXPECT_EQ(again.sink.leaves[0].value, z);
  EXPECT_EQ(counted.get("content.decode-budget"), 2u);
}

TEST(DecodeBudget, OverTheBudgetValuesStayAsSentAndTheRestIsStillRead) {
  Counters counted;
  DecodeBudget empty(&counted, 0);
  // A form whose first value is percent-encoded, its second plain, its
  // third base64: the first and third as sent, all three emitted, one cut.
  const std::string b64 = base64("{\"imsi\":\"" + kImsi + "\"}");
  Budgeted r("a=x%20y&imei=" + kImei + "&blob=" + b64, empty, "application/x-www-form-urlencoded");
  ASSERT_NE(r.sink.at("form.a"), nullptr);
  EXPECT_EQ(r.sink.at("form.a")->value, "x%20y");
  ASSERT_NE(r.sink.at("form.imei"), nullptr);
  EXPECT_EQ(r.sink.at("form.imei")->value, kImei);
  ASSERT_NE(r.sink.at("form.blob"), nullptr);
  EXPECT_EQ(r.sink.at("form.blob")->value, b64);
  EXPECT_EQ(r.sink.at("form.blob.$.imsi"), nullptr);
  EXPECT_EQ(counted.get("content.decode-budget"), 1u);  // once per call
}

TEST(DecodeBudget, ALargeEnoughBudgetChangesNothingAndIsChargedWhatWasDecoded) {
  const std::string inner = "{\"imsi\":\"" + kImsi + "\",\"note\":\"hello\"}";
  const std::string input = "q=" + base64(gzip(inner), true) + "&r=x%41y";
  Decoded plain(input, "application/x-www-form-urlencoded");
  Counters counted;
  DecodeBudget budget(&counted, 1 << 20);
  Budgeted r(input, budget, "application/x-www-form-urlencoded");
  ASSERT_EQ(r.sink.leaves.size(), plain.sink.leaves.size());
  for (size_t i = 0; i < r.sink.leaves.size(); ++i) {
    EXPECT_EQ(r.sink.leaves[i].path, plain.sink.leaves[i].path);
    EXPECT_EQ(r.sink.leaves[i].value, plain.sink.leaves[i].value);
    EXPECT_EQ(r.sink.leaves[i].encodings, plain.sink.leaves[i].encodings);
  }
  ASSERT_NE(r.sink.at("form.q.$.imsi"), nullptr);
  // Charged: "xAy" (3), the base64's bytes (the gzip stream) and the JSON text.
  EXPECT_EQ((1u << 20) - budget.left(), 3 + gzip(inner).size() + inner.size());
  EXPECT_EQ(counted.get("content.decode-budget"), 0u);
}

}  // namespace
}  // namespace ph::content::testing
