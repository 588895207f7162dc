// Fuzz target for the capture readers: opens the input from memory (plain,
// gzip or zstd; pcap or pcapng) and reads every packet, touching each byte
// so a bad pointer or length shows up under ASan.
#include <cstddef>
#include <cstdint>

#include "capture/memory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto source = ph::capture::open_memory({data, size}, "fuzz");
  if (!source) return 0;
  ph::capture::Packet packet;
  unsigned sum = 0;
  while ((*source)->next(packet) == ph::capture::ReadStatus::kPacket) {
    for (uint32_t i = 0; i < packet.caplen; ++i) sum += packet.data[i];
  }
  (*source)->info();
  return static_cast<int>(sum & 0);
}
