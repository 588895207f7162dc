// The registry: every parser phonehome knows, and recognition by content.
#include "proto/registry.h"

#include <array>

#include "proto/dhcp/dhcp.h"
#include "proto/dns/dns.h"
#include "proto/http/http.h"
#include "proto/mqtt/mqtt.h"
#include "proto/ntp/ntp.h"
#include "proto/quic/quic.h"
#include "proto/radius/radius.h"
#include "proto/sip/sip.h"
#include "proto/ssdp/ssdp.h"
#include "proto/ssh/ssh.h"
#include "proto/tls/tls.h"
#include "proto/wireguard/wireguard.h"

namespace ph::proto {

std::span<const Parser* const> parsers() {
  // EAPOL is not here: it has no IP layer and is chosen by its ethertype
  // (the Engine feeds it), and its 4-byte header is too weak a sign for
  // recognising UDP datagrams by content.
  static const std::array<const Parser*, 17> kParsers = {
      &sip::parser(),       &sip::tcp_parser(), &ssdp::parser(),      &dhcp::parser(),
      &dhcp::v6_parser(),   &dns::parser(),     &dns::tcp_parser(),   &dns::mdns_parser(),
      &dns::llmnr_parser(), &http::parser(),    &tls::parser(),       &quic::parser(),
      &ssh::parser(),       &ntp::parser(),     &wireguard::parser(), &mqtt::parser(),
      &radius::parser(),
  };
  return kParsers;
}

const Parser* identify(Transport transport, Direction dir, Bytes first, uint16_t server_port) {
  const Parser* best = nullptr;
  int best_score = 0;
  for (const Parser* p : parsers()) {
    if (p->transport != transport) continue;
    int score = p->probe(dir, first, server_port);
    if (score > best_score) {
      best = p;
      best_score = score;
    }
  }
  return best;
}

}  // namespace ph::proto
