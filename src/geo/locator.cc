// The per-run cache in front of the databases: one lookup an address.
#include "geo/geo.h"

namespace ph::geo {

void Locator::locate(DestinationRecord& d) {
  if (d.ip.version == 0) return;  // no IP layer (EAPOL)
  auto [it, fresh] = cache_.try_emplace(d.ip);
  Entry& e = it->second;
  if (fresh) {
    const Scope scope = scope_of(d.ip);
    e.scope = name(scope);
    if (scope == Scope::kPublic && db_) {
      ++lookups_;
      Place p = db_->lookup(embedded_v4(d.ip));
      e.country = strings_.intern(p.country);
      e.asn = p.asn;
      e.org = strings_.intern(p.org);
    }
  }
  d.scope = e.scope;
  d.country = e.country;
  d.asn = e.asn;
  d.org = e.org;
}

}  // namespace ph::geo
