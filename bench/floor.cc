// The throughput floor: the cheapest possible pass over a capture with
// libpcap (open, pcap_next_ex every packet, sum caplen so the loop cannot be
// optimised away). phonehome's MB/s is reported as a ratio of this, measured
// in the same run on the same file. Prints one JSON object:
//   {"packets":N,"bytes":N,"seconds":S}
// where bytes is the sum of captured lengths and seconds covers open to close.
#include <pcap/pcap.h>

#include <chrono>
#include <cstdint>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fputs("usage: bench_floor FILE.pcap\n", stderr);
    return 2;
  }
  auto start = std::chrono::steady_clock::now();
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline(argv[1], err);
  if (!p) {
    std::fprintf(stderr, "bench_floor: %s\n", err);
    return 1;
  }
  uint64_t packets = 0, bytes = 0;
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  int rc;
  while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
    ++packets;
    bytes += h->caplen;
  }
  if (rc == PCAP_ERROR) std::fprintf(stderr, "bench_floor: %s\n", pcap_geterr(p));
  pcap_close(p);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"packets\":%llu,\"bytes\":%llu,\"seconds\":%.6f}\n",
              static_cast<unsigned long long>(packets), static_cast<unsigned long long>(bytes),
              seconds);
  return rc == PCAP_ERROR ? 1 : 0;
}
