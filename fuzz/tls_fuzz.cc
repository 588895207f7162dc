// Fuzzes the TLS stream parser through a Feeder. The input is a sequence of
// pieces: a control byte (bit 0: direction, bit 1: a gap instead of data),
// a 16-bit length, then that many bytes (the last piece takes what is left).
// The whole input also goes to the ClientHello and certificate parsers.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "proto/feeder.h"
#include "proto/tls/certificate.h"
#include "proto/tls/client_hello.h"
#include "proto/tls/tls.h"

namespace {

struct Sink : ph::proto::MessageSink {
  void on_message(ph::proto::Message&&) override {}
  void on_anomaly(std::string_view) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ph;
  Bytes all(data, size);
  proto::tls::ClientHello ch;
  if (proto::tls::parse_client_hello(all, ch)) {
    (void)proto::tls::ja3_string(ch);
    (void)proto::tls::ja4(ch, 't');
  }
  proto::tls::CertificateInfo cert;
  (void)proto::tls::parse_first_certificate(all, cert);

  Sink sink;
  proto::Feeder feeder(proto::tls::parser().make(sink), sink);
  size_t pos = 0;
  uint64_t frame = 0;
  while (pos < size && !feeder.done()) {
    const uint8_t ctrl = data[pos++];
    size_t len = size - pos;
    if (size - pos >= 2) {
      len = size_t(data[pos]) << 8 | data[pos + 1];
      pos += 2;
    }
    len = std::min(len, size - pos);
    const Direction dir = (ctrl & 1) ? Direction::kDown : Direction::kUp;
    if (ctrl & 2) {
      feeder.gap(dir, len + 1);
    } else if (len > 0) {
      ++frame;
      feeder.data(dir, all.subspan(pos, len), Timestamp(frame), frame);
      pos += len;
    }
  }
  (void)feeder.session().facts();
  feeder.end(Timestamp(frame + 1));
  return 0;
}
