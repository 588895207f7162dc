// Test support for the oracle tests of the MQTT, RADIUS and EAPOL parsers:
// walks a real capture with libpcap, decodes every frame with
// ph::decode::decode_frame, reassembles IP fragments, runs TCP and UDP
// packets through a ph::flow::FlowTable with the test's consumers, and hands
// frames without IP (EAPOL and the like) to a callback with their ethertype
// and link payload. Header-only so that it needs no build change.
#pragma once

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <functional>
#include <string>

#include "decode/decode.h"
#include "flow/defrag.h"
#include "flow/flow_table.h"
#include "model/stats.h"

namespace ph::proto::test {

// A frame without IP: its number, time, ethertype, and what follows the
// link header.
using L2Callback =
    std::function<void(uint64_t frame, Timestamp ts, const decode::PacketView& view)>;

// Returns the number of frames read (0 when the file could not be opened,
// which also fails the test).
inline uint64_t walk_capture(const std::string& path, flow::FlowTable::ConsumerFactory factory,
                             const L2Callback& on_l2 = {}) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* pc = pcap_open_offline(path.c_str(), err);
  EXPECT_NE(pc, nullptr) << err;
  if (!pc) return 0;
  const uint32_t linktype = uint32_t(pcap_datalink(pc));
  Stats stats;
  flow::Defragmenter defrag({}, stats);
  uint64_t frame = 0;
  {
    flow::FlowTable table(flow::FlowLimits{}, stats, std::move(factory), [](flow::Flow&) {});
    pcap_pkthdr* h;
    const u_char* data;
    Timestamp ts = 0;
    while (pcap_next_ex(pc, &h, &data) == 1) {
      ++frame;
      ts = Timestamp(h->ts.tv_sec) * kNsPerSec + Timestamp(h->ts.tv_usec) * 1000;
      decode::PacketView v;
      decode::Status st =
          decode::decode_frame(linktype, Bytes(data, h->caplen), v, stats.anomalies);
      if (st == decode::Status::kNotIp) {
        if (on_l2) on_l2(frame, ts, v);
        continue;
      }
      if (st == decode::Status::kFragment) {
        auto dg = defrag.add(v, ts);
        if (!dg) continue;
        decode::PacketView whole = v;
        if (decode::decode_ip(*dg, whole, stats.anomalies) != decode::Status::kOk) continue;
        v = whole;
      } else if (st != decode::Status::kOk) {
        continue;
      }
      if (v.l4proto == 6 || v.l4proto == 17) table.on_packet(v, ts, frame, h->len);
    }
    table.flush_all(ts);
  }
  pcap_close(pc);
  return frame;
}

}  // namespace ph::proto::test
