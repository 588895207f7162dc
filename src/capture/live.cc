// Live capture through libpcap: create, configure, activate, filter, then
// pcap_next_ex per packet. libpcap's own read timeout does not make
// pcap_next_ex return on Linux (it polls again), so the handle is
// non-blocking and next() polls it for poll_ms itself, returning kIdle so
// the pipeline can expire flows while the link is quiet. interrupt() wakes
// that poll through an eventfd (write() is async-signal-safe).
#include <pcap/pcap.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "capture/source.h"

namespace ph::capture {
namespace {

// pcap_datalink() answers in DLT_* numbers; Packet.linktype is LINKTYPE_*.
// They differ only for a few old values (pcap-common.c, Linux numbering).
uint32_t dlt_to_linktype(int dlt) {
  switch (dlt) {
    case 11:
      return 100;  // ATM_RFC1483
    case 12:
      return 101;  // RAW
    case 15:
      return 102;  // SLIP_BSDOS
    case 16:
      return 103;  // PPP_BSDOS
    case 19:
      return 106;  // ATM_CLIP
    default:
      return static_cast<uint32_t>(dlt);
  }
}

class LiveSource final : public Source {
 public:
  LiveSource(pcap_t* pcap, InputInfo info, bool nano, int poll_ms)
      : pcap_(pcap),
        info_(std::move(info)),
        nano_(nano),
        poll_ms_(poll_ms),
        fd_(pcap_get_selectable_fd(pcap)),
        wake_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~LiveSource() override {
    pcap_close(pcap_);
    if (wake_ >= 0) close(wake_);
  }

  ReadStatus next(Packet& out) override {
    if (done_) return ReadStatus::kEnd;
    pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    int r = pcap_next_ex(pcap_, &h, &data);
    if (r == 0 && !interrupted_) {
      pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_, POLLIN, 0}};
      if (poll(fds, wake_ >= 0 ? 2 : 1, poll_ms_) > 0 && !interrupted_) {
        r = pcap_next_ex(pcap_, &h, &data);
      }
    }
    if (r == 1) {
      out.ts = static_cast<Timestamp>(h->ts.tv_sec) * kNsPerSec +
               static_cast<Timestamp>(h->ts.tv_usec) * (nano_ ? 1 : 1000);
      out.caplen = h->caplen;
      out.origlen = h->len;
      out.linktype = info_.linktype;
      out.interface_id = 0;
      out.offset = 0;  // no byte stream behind a live capture
      out.data = data;
      ++info_.packets;
      info_.bytes += h->caplen;
      return ReadStatus::kPacket;
    }
    if (interrupted_ || r == PCAP_ERROR_BREAK) {  // interrupt() asked us to stop
      done_ = true;
      return ReadStatus::kEnd;
    }
    if (r == 0) return ReadStatus::kIdle;
    done_ = true;
    info_.errors.push_back(info_.path + ": " + pcap_geterr(pcap_));
    info_.damaged = true;
    return ReadStatus::kEnd;
  }

  const InputInfo& info() const override { return info_; }
  void interrupt() override {
    interrupted_ = true;
    pcap_breakloop(pcap_);
    uint64_t one = 1;
    if (wake_ >= 0) [[maybe_unused]]
      auto n = write(wake_, &one, sizeof one);
  }

 private:
  pcap_t* pcap_;
  InputInfo info_;
  bool nano_;
  int poll_ms_;
  int fd_;
  int wake_;
  bool done_ = false;
  std::atomic<bool> interrupted_{false};  // lock-free: safe from a signal handler
};

}  // namespace

Result<std::unique_ptr<Source>> open_live(const LiveOptions& options) {
  const std::string& name = options.interface;
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_create(name.c_str(), err);
  if (!p) return make_error("live capture on " + name + ": " + err);
  auto fail = [&](const std::string& what) {
    std::string msg = "live capture on " + name + ": " + what;
    pcap_close(p);
    return make_error(msg);
  };
  pcap_set_snaplen(p, options.snaplen);
  pcap_set_promisc(p, options.promiscuous ? 1 : 0);
  pcap_set_immediate_mode(p, 1);
  pcap_set_timeout(p, options.poll_ms);  // for platforms that honour it; we poll anyway
  pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);  // falls back to µs if refused
  int r = pcap_activate(p);
  InputInfo info;
  info.path = name;
  info.format = "live";
  if (r < 0) {
    std::string detail = pcap_geterr(p);
    std::string status = pcap_statustostr(r);
    return fail(r == PCAP_ERROR || detail.empty() ? (detail.empty() ? status : detail)
                                                  : status + " (" + detail + ")");
  }
  if (r > 0) info.warnings.push_back(name + ": " + pcap_statustostr(r) + " " + pcap_geterr(p));
  if (!options.bpf.empty()) {
    bpf_program prog;
    if (pcap_compile(p, &prog, options.bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) < 0) {
      return fail("bad filter \"" + options.bpf + "\": " + pcap_geterr(p));
    }
    int s = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (s < 0) return fail("cannot set filter: " + std::string(pcap_geterr(p)));
  }
  if (pcap_setnonblock(p, 1, err) < 0) return fail(std::string("cannot set non-blocking: ") + err);
  if (pcap_get_selectable_fd(p) < 0) return fail("no selectable descriptor");
  info.linktype = dlt_to_linktype(pcap_datalink(p));
  bool nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
  return std::unique_ptr<Source>(
      std::make_unique<LiveSource>(p, std::move(info), nano, options.poll_ms));
}

}  // namespace ph::capture
