// The SQL schema of a phonehome database, version store::kSchemaVersion.
// docs/sqlite-schema.md explains every table; keep the two in step, and
// bump kSchemaVersion (with a migration) for any change.
#pragma once

namespace ph::store {

inline constexpr const char* kSchemaSql = R"sql(
CREATE TABLE captures (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL
);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  inputs_sha256 TEXT UNIQUE,
  imported_at TEXT NOT NULL,
  phonehome_version TEXT NOT NULL,
  revealed INTEGER NOT NULL,
  duration_s REAL NOT NULL,
  packets INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  ip_packets INTEGER NOT NULL,
  tcp_packets INTEGER NOT NULL,
  udp_packets INTEGER NOT NULL,
  icmp_packets INTEGER NOT NULL,
  other_packets INTEGER NOT NULL,
  warnings TEXT NOT NULL,
  data_sources TEXT NOT NULL
);
CREATE TABLE run_counters (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  kind TEXT NOT NULL CHECK (kind IN ('anomaly', 'drop', 'message')),
  name TEXT NOT NULL,
  value INTEGER NOT NULL,
  PRIMARY KEY (run_id, kind, name)
);
CREATE TABLE inputs (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  position INTEGER NOT NULL,
  capture_id INTEGER REFERENCES captures(id),
  path TEXT NOT NULL,
  opened INTEGER NOT NULL,
  format TEXT,
  linktype INTEGER NOT NULL,
  packets INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  damaged INTEGER NOT NULL,
  errors TEXT NOT NULL,
  warnings TEXT NOT NULL,
  PRIMARY KEY (run_id, position)
);
CREATE TABLE devices (
  id INTEGER PRIMARY KEY,
  identity_sha256 TEXT NOT NULL UNIQUE,
  mac TEXT,
  vendor TEXT,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  first_seen_ns INTEGER NOT NULL,
  last_seen_ns INTEGER NOT NULL
);
CREATE TABLE run_devices (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  number INTEGER NOT NULL,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  mac TEXT,
  vendor TEXT,
  ips TEXT NOT NULL,
  ip_history TEXT NOT NULL,
  hostname TEXT,
  hostname_spans TEXT NOT NULL,
  dhcp_vendor_class TEXT,
  dhcp_vendor_class_spans TEXT NOT NULL,
  dhcp_client_id TEXT,
  names TEXT NOT NULL,
  models TEXT NOT NULL,
  ssdp_servers TEXT NOT NULL,
  user_agents TEXT NOT NULL,
  user_agents_more INTEGER NOT NULL,
  ja4 TEXT NOT NULL,
  ja4_more INTEGER NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  first_seen_ns INTEGER NOT NULL,
  last_seen_ns INTEGER NOT NULL,
  flows INTEGER NOT NULL,
  PRIMARY KEY (run_id, number)
);
CREATE TABLE flows (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  number INTEGER NOT NULL,
  device INTEGER NOT NULL,
  device_id INTEGER REFERENCES devices(id),
  proto TEXT NOT NULL,
  vlan INTEGER,
  src_ip TEXT NOT NULL,
  src_port INTEGER NOT NULL,
  dst_ip TEXT,
  dst_port INTEGER NOT NULL,
  dst_host TEXT,
  dst_country TEXT,
  dst_asn INTEGER,
  dst_org TEXT,
  dst_scope TEXT,
  app TEXT NOT NULL,
  sni TEXT,
  looks_like TEXT,
  encrypted INTEGER,
  packets_up INTEGER NOT NULL,
  packets_down INTEGER NOT NULL,
  bytes_up INTEGER NOT NULL,
  bytes_down INTEGER NOT NULL,
  payload_up INTEGER NOT NULL,
  payload_down INTEGER NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  first_seen_ns INTEGER NOT NULL,
  last_seen_ns INTEGER NOT NULL,
  first_frame INTEGER NOT NULL,
  input INTEGER NOT NULL,
  notes TEXT NOT NULL,
  PRIMARY KEY (run_id, number)
);
CREATE TABLE findings (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  number INTEGER NOT NULL,
  device INTEGER NOT NULL,
  device_id INTEGER REFERENCES devices(id),
  flow INTEGER,
  ts TEXT NOT NULL,
  ts_ns INTEGER NOT NULL,
  since_device_first_seen_s REAL NOT NULL,
  frame INTEGER NOT NULL,
  input INTEGER NOT NULL,
  data_type TEXT NOT NULL,
  value TEXT NOT NULL,
  value_sha256 TEXT NOT NULL,
  encodings TEXT NOT NULL,
  seen_in TEXT NOT NULL,
  path TEXT,
  method TEXT NOT NULL,
  confidence TEXT NOT NULL,
  rule TEXT NOT NULL,
  count INTEGER NOT NULL,
  dst_ip TEXT,
  dst_port INTEGER NOT NULL,
  dst_host TEXT,
  dst_country TEXT,
  dst_asn INTEGER,
  dst_org TEXT,
  dst_scope TEXT,
  has_operator INTEGER NOT NULL,
  operator_mcc TEXT,
  operator_mnc TEXT,
  operator_country TEXT,
  operator_name TEXT,
  protocol TEXT NOT NULL,
  encrypted INTEGER,
  PRIMARY KEY (run_id, number)
);
CREATE TABLE contacts (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  position INTEGER NOT NULL,
  device INTEGER NOT NULL,
  device_id INTEGER REFERENCES devices(id),
  proto TEXT NOT NULL,
  dst_ip TEXT,
  dst_port INTEGER NOT NULL,
  dst_host TEXT,
  dst_country TEXT,
  dst_asn INTEGER,
  dst_org TEXT,
  dst_scope TEXT,
  addresses INTEGER NOT NULL,
  app TEXT NOT NULL,
  first_contact TEXT NOT NULL,
  last_contact TEXT NOT NULL,
  first_contact_ns INTEGER NOT NULL,
  last_contact_ns INTEGER NOT NULL,
  flows INTEGER NOT NULL,
  contacts INTEGER NOT NULL,
  period_s REAL,
  jitter_s REAL,
  periodic_contacts INTEGER NOT NULL,
  missed_beats INTEGER NOT NULL,
  PRIMARY KEY (run_id, position)
);
CREATE TABLE live_findings (
  id INTEGER PRIMARY KEY,
  session TEXT NOT NULL,
  run_id INTEGER REFERENCES runs(id),
  ts TEXT NOT NULL,
  ts_ns INTEGER NOT NULL,
  since_device_first_seen_s REAL NOT NULL,
  device TEXT NOT NULL,
  data_type TEXT NOT NULL,
  value TEXT NOT NULL,
  value_sha256 TEXT NOT NULL,
  seen_in TEXT NOT NULL,
  path TEXT,
  method TEXT NOT NULL,
  confidence TEXT NOT NULL,
  rule TEXT NOT NULL,
  dst_ip TEXT,
  dst_port INTEGER NOT NULL,
  dst_host TEXT,
  dst_country TEXT,
  dst_asn INTEGER,
  dst_org TEXT,
  protocol TEXT NOT NULL,
  encrypted INTEGER
);
CREATE INDEX findings_by_device ON findings(device_id, data_type);
CREATE INDEX findings_by_value ON findings(value_sha256);
CREATE INDEX flows_by_device ON flows(device_id);
CREATE VIEW leaks AS
  SELECT device_id, data_type, value_sha256, dst_host, dst_ip, dst_port, dst_country, dst_org,
         protocol, encrypted,
         COUNT(*) AS findings, COUNT(DISTINCT run_id) AS runs,
         MIN(ts) AS first_ts, MAX(ts) AS last_ts
  FROM findings
  GROUP BY device_id, data_type, value_sha256, dst_host, dst_ip, dst_port, protocol, encrypted;
)sql";

}  // namespace ph::store
