// Cross-check of the decoder (and IP reassembly) against tshark on real
// public captures from ../shared/captures: every frame is read with libpcap
// (the project's own readers are tested elsewhere), decoded, fragments are
// reassembled, and the number of TCP and UDP packets is compared with
// `tshark -r F -Y tcp` / `-Y udp`. Where the counts differ by design, the
// difference is asserted and explained per file. Skipped when the captures
// or tshark are absent.
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "decode/decode.h"
#include "flow/defrag.h"
#include "support/support.h"

namespace ph::decode {
namespace {

struct Counts {
  long tcp = 0, udp = 0;
  long malformed = 0, unsupported = 0, not_ip = 0, fragments = 0, reassembled = 0;
  Stats stats;
};

std::string captures_dir() { return PHONEHOME_SHARED_CAPTURES; }

using ph::test::have_tshark;

// Frames whose protocol stack (frame.protocols) contains tcp / udp: what
// `-Y tcp` / `-Y udp` select, in one tshark run.
bool tshark_counts(const std::string& file, long& tcp, long& udp) {
  std::string cmd = "tshark -n -r '" + file + "' -T fields -e frame.protocols 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return false;
  tcp = udp = 0;
  std::string line;
  int ch;
  auto finish = [&] {
    std::string padded = ":" + line + ":";
    if (padded.find(":tcp:") != std::string::npos) ++tcp;
    if (padded.find(":udp:") != std::string::npos) ++udp;
    line.clear();
  };
  while ((ch = std::fgetc(p)) != EOF) {
    if (ch == '\n') {
      finish();
    } else {
      line += char(ch);
    }
  }
  if (!line.empty()) finish();
  return pclose(p) == 0;
}

Counts decode_file(const std::string& path) {
  Counts c;
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* pc = pcap_open_offline(path.c_str(), err);
  EXPECT_NE(pc, nullptr) << err;
  if (!pc) return c;
  uint32_t linktype = uint32_t(pcap_datalink(pc));
  flow::Defragmenter defrag({}, c.stats);
  pcap_pkthdr* h;
  const u_char* data;
  auto count = [&c](const PacketView& v) {
    if (v.l4proto == 6) ++c.tcp;
    if (v.l4proto == 17) ++c.udp;
  };
  while (pcap_next_ex(pc, &h, &data) == 1) {
    PacketView v;
    Timestamp ts = Timestamp(h->ts.tv_sec) * kNsPerSec + Timestamp(h->ts.tv_usec) * 1000;
    Status s = decode_frame(linktype, Bytes(data, h->caplen), v, c.stats.anomalies);
    switch (s) {
      case Status::kOk:
        count(v);
        break;
      case Status::kFragment: {
        ++c.fragments;
        if (auto dg = defrag.add(v, ts)) {
          ++c.reassembled;
          PacketView whole = v;
          if (decode_ip(*dg, whole, c.stats.anomalies) == Status::kOk) count(whole);
        }
        break;
      }
      case Status::kMalformed:
        ++c.malformed;
        break;
      case Status::kUnsupported:
        ++c.unsupported;
        break;
      case Status::kNotIp:
        ++c.not_ip;
        break;
    }
  }
  pcap_close(pc);
  return c;
}

struct Case {
  const char* file;
  long tcp_delta;  // ours - tshark
  long udp_delta;
  const char* why;                // why a delta is not zero
  const char* anomaly = nullptr;  // an anomaly the file must raise
  uint64_t anomaly_count = 0;
  long reassembled = 0;  // datagrams completed by the Defragmenter
};

// Deltas found by running this test and reading each differing frame in
// tshark. The differences are by design:
//  - tshark counts TCP/UDP headers quoted inside ICMP errors; the decoder
//    reports those packets as ICMP (l4proto 1/58).
//  - tshark counts the outer UDP of VXLAN; the decoder reports the inner one.
//  - tshark still shows a TCP layer for a header it flags as bogus or cut;
//    the decoder returns kMalformed and counts an anomaly.
const Case kCases[] = {
    {"leak/L01_android_1kxun_adids.pcap", 0, 0, ""},
    {"leak/L18_http_response_email_json_ipv6_loopback.pcap", 0, 0, "NULL link type, IPv6"},
    {"leak/L20_android_capptain_deviceid.pcap", 0, 0, "raw IP"},
    {"leak/L21_android_dhcp_hostname_androidid.pcapng", -2, 0, "2 ICMP errors quote a TCP header"},
    {"proto/P07_gquic_rawip.pcap", 0, 0, ""},
    {"proto/P30_ipv4_fragments.pcap", 0, 0, "fragments of incomplete datagrams"},
    {"proto/P31_ipv6_fragmented_dns.pcap", 0, 0, "", nullptr, 0, 1},
    {"proto/P32_ipv6_atomic_frag_http.pcap", 0, 0, ""},
    {"proto/P33_dns_fragmented_udp.pcap", 0, 0, "", nullptr, 0, 7},
    {"proto/P36_vlan_qinq.pcap", 0, 0, "ARP only"},
    {"proto/P37_vlan_qinqinq.pcap", 0, 0, ""},
    {"proto/P38_vlan_mpls_mixed.pcap", 0, 0, ""},
    {"proto/P39_http_vlan.pcap", 0, 0, ""},
    {"proto/P40_sll2_linux_cooked_v2.pcap", 0, 0, ""},
    {"proto/P41_sll_nanosecond.pcap", 0, 0, ""},
    {"proto/P42_rawip_ipv4.pcap", 0, 0, ""},
    {"proto/P43_rawip_ipv6.pcap", 0, 0, ""},
    {"proto/P44_linktype_ipv4_228.pcap", 0, 0, ""},
    {"proto/P45_linktype_ipv6_229.pcap", 0, 0, ""},
    {"proto/P46_pppoe.pcap", 0, 0, ""},
    {"proto/P48_bigendian.pcap", 0, 0, ""},
    {"proto/P49_6in4_tunnel.pcap", -2, 0, "2 ICMPv6 errors quote a TCP header"},
    {"proto/P50_vxlan.pcap", 0, -119,
     "tshark counts the outer VXLAN UDP of the 119 frames whose inner packet is TCP"},
    {"proto/P51_gre.pcap", 0, -2, "2 ICMP errors (inside GRE) quote a UDP header"},
    {"proto/P67_80211_radiotap_http.pcap", 0, 0, ""},
    {"proto/P68_pcap_sll_example.pcap", 0, 0, ""},
    {"malformed/M04_linktype_ipv4_invalid.pcap", 0, -1,
     "an IPv6 packet on LINKTYPE_IPV4: malformed here, decoded by tshark", "ipv4.bad-version", 1},
    {"malformed/M07_ip6_frag_asan.pcap", 0, 0, "", "ipv6.truncated", 1},
    {"malformed/M08_ipv4_invalid_total_length.pcap", 0, 0, ""},
    {"malformed/M09_ipv6_jumbogram.pcap", 0, 0, "ICMPv6 jumbogram"},
    {"malformed/M11_timestamp_invalid_nano.pcap", 0, 0, ""},
    {"malformed/M12_ip_fragmented_garbage.pcap", -2, 0,
     "2 reassembled datagrams carry a TCP data offset < 5", "tcp.bad-data-offset", 2, 4},
    {"malformed/M25_trunc_ipv4_header.pcap", 0, 0, "", "ipv4.bad-total-length", 1},
    {"malformed/M26_udp_contents_truncated.pcap", 0, 0, ""},
    {"malformed/M28_tcp_truncated_header.pcap", -1, 0, "one TCP header cut by the capture",
     "tcp.truncated", 1},
    {"malformed/M30_ipv6_malformed_fragments.pcap", 0, 0, "", "ip.frag-too-big", 1},
};

TEST(DecodeCaptures, TcpUdpCountsMatchTshark) {
  if (!std::filesystem::exists(captures_dir()))
    GTEST_SKIP() << "shared captures not found at " << captures_dir();
  if (!have_tshark()) GTEST_SKIP() << "tshark not installed";
  for (const Case& k : kCases) {
    std::string path = captures_dir() + "/" + k.file;
    if (!std::filesystem::exists(path)) {
      ADD_FAILURE() << "missing capture " << path;
      continue;
    }
    Counts c = decode_file(path);
    long ts_tcp = -1, ts_udp = -1;
    ASSERT_TRUE(tshark_counts(path, ts_tcp, ts_udp)) << path;
    std::string anomalies;
    for (const auto& [name, n] : c.stats.anomalies.all())
      anomalies += name + "=" + std::to_string(n) + " ";
    std::printf(
        "%-55s tcp %5ld/%5ld udp %5ld/%5ld mal %ld unsup %ld notip %ld frag %ld re %ld  %s\n",
        k.file, c.tcp, ts_tcp, c.udp, ts_udp, c.malformed, c.unsupported, c.not_ip, c.fragments,
        c.reassembled, anomalies.c_str());
    EXPECT_EQ(c.tcp - ts_tcp, k.tcp_delta) << k.file << ": " << k.why;
    EXPECT_EQ(c.udp - ts_udp, k.udp_delta) << k.file << ": " << k.why;
    EXPECT_EQ(c.reassembled, k.reassembled) << k.file;
    if (k.anomaly) {
      EXPECT_EQ(c.stats.anomalies.get(k.anomaly), k.anomaly_count) << k.file;
    }
  }
}

}  // namespace
}  // namespace ph::decode
