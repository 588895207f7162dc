// Google Benchmark of the content decoder chain on the values it sees most:
// a short word (the quick rejection), a header-like value, a URL query, a
// 2 KB JSON body, base64 of JSON (the motivating case) and gzip of JSON.
// One Decoder per benchmark, reused across iterations as the Engine will.
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <string>

#include "content/decoder.h"

namespace {

struct CountingSink : ph::content::LeafSink {
  size_t leaves = 0, bytes = 0;
  void on_leaf(const ph::content::Leaf& leaf) override {
    ++leaves;
    bytes += leaf.value.size();
  }
};

std::string json_2k() {
  std::string j =
      "{\"device\":{\"IMEI1\":\"350000112345678\",\"model\":\"X-1\",\"os\":\"13\"},\"events\":[";
  for (int i = 0; j.size() < 2000; ++i) {
    if (i) j += ',';
    j += "{\"t\":" + std::to_string(1700000000 + i) + ",\"name\":\"screen_view_" +
         std::to_string(i) + "\",\"lat\":48.8566" + std::to_string(i % 10) + ",\"ok\":true}";
  }
  return j + "]}";
}

std::string base64(const std::string& in) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += abc[(v >> s) & 63];
    if ((out.size() + 2) % 78 == 0) out += "\r\n";  // 76 columns
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16 | (i + 1 < in.size() ? uint8_t(in[i + 1]) << 8 : 0);
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    out += i + 1 < in.size() ? std::string(1, abc[(v >> 6) & 63]) + "=" : "==";
  }
  return out;
}

std::string gzip(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

void run(benchmark::State& state, const std::string& input, std::string_view media) {
  ph::Counters cuts;
  ph::content::Decoder decoder({}, cuts);
  CountingSink sink;
  for (auto _ : state) {
    decoder.decode(input, media, "", "", sink);
    benchmark::DoNotOptimize(sink.leaves);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
  state.counters["leaves/call"] =
      static_cast<double>(sink.leaves) / static_cast<double>(state.iterations());
}

void BM_ShortWord(benchmark::State& s) { run(s, "keep-alive", ""); }
void BM_HeaderValue(benchmark::State& s) {
  run(s, "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36", "");
}
void BM_HexId(benchmark::State& s) { run(s, "d41d8cd98f00b204e9800998ecf8427e", ""); }
void BM_UrlQuery(benchmark::State& s) {
  run(s,
      "/api/v2/boot?di=350000112345678&ver=13.2.1&mcc=001&mnc=01&lang=en-US&ts=1700000000&"
      "sig=Zm9vYmFyYmF6cXV4&model=X-1",
      "");
}
void BM_Json2k(benchmark::State& s) { run(s, json_2k(), "application/json"); }
void BM_Json2kSniffed(benchmark::State& s) { run(s, json_2k(), ""); }
void BM_Base64Json(benchmark::State& s) { run(s, base64(json_2k()), ""); }
void BM_GzipJson(benchmark::State& s) { run(s, gzip(json_2k()), ""); }

BENCHMARK(BM_ShortWord);
BENCHMARK(BM_HeaderValue);
BENCHMARK(BM_HexId);
BENCHMARK(BM_UrlQuery);
BENCHMARK(BM_Json2k);
BENCHMARK(BM_Json2kSniffed);
BENCHMARK(BM_Base64Json);
BENCHMARK(BM_GzipJson);

}  // namespace
