CREATE TABLE organizations (
  id TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  district_code TEXT,
  active BOOLEAN NOT NULL DEFAULT 1,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
CREATE TABLE users (
  id TEXT PRIMARY KEY NOT NULL,
  organization_id TEXT NOT NULL REFERENCES organizations(id),
  role TEXT NOT NULL,
  login TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  display_name TEXT NOT NULL,
  active BOOLEAN NOT NULL DEFAULT 1,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TIMESTAMP,
  password_changed_at TIMESTAMP NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_organization ON users(organization_id);
CREATE TABLE refresh_tokens (
  id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id),
  family_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  issued_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP NOT NULL,
  used_at TIMESTAMP,
  revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);
CREATE TABLE districts (
  code TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  population_total BIGINT NOT NULL,
  population_65plus BIGINT NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
CREATE TABLE registrants (
  id TEXT PRIMARY KEY NOT NULL,
  card_code TEXT NOT NULL UNIQUE,
  managing_organization_id TEXT NOT NULL REFERENCES organizations(id),
  status TEXT NOT NULL,
  version INTEGER NOT NULL,
  family_name TEXT NOT NULL,
  given_name TEXT NOT NULL,
  family_name_kana TEXT NOT NULL,
  given_name_kana TEXT NOT NULL,
  name_search TEXT NOT NULL,
  kana_search TEXT NOT NULL,
  birth_date DATE NOT NULL,
  sex TEXT NOT NULL,
  postal_code TEXT,
  address_line TEXT NOT NULL,
  district_code TEXT,
  living_situation TEXT NOT NULL,
  care_level TEXT NOT NULL,
  record TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  created_by TEXT NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  updated_by TEXT NOT NULL,
  status_changed_at TIMESTAMP
);
CREATE INDEX registrants_org_status ON registrants(managing_organization_id, status, kana_search);
CREATE INDEX registrants_district_status ON registrants(district_code, status);
CREATE INDEX registrants_status_created ON registrants(status, created_at);
CREATE TABLE registrant_keys (
  key TEXT NOT NULL,
  registrant_id TEXT NOT NULL REFERENCES registrants(id),
  PRIMARY KEY (key, registrant_id)
);
CREATE INDEX registrant_keys_registrant ON registrant_keys(registrant_id);
CREATE TABLE care_decisions (
  id TEXT PRIMARY KEY NOT NULL,
  registrant_id TEXT NOT NULL REFERENCES registrants(id),
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  discussed_on DATE NOT NULL,
  organization_id TEXT NOT NULL REFERENCES organizations(id),
  recorded_by TEXT NOT NULL REFERENCES users(id),
  recorded_at TIMESTAMP NOT NULL,
  review_due DATE,
  shared_with_family BOOLEAN NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (registrant_id, seq)
);
CREATE INDEX care_decisions_recorded ON care_decisions(recorded_at);
CREATE INDEX care_decisions_org ON care_decisions(organization_id, recorded_at);
CREATE TABLE lookups (
  id TEXT PRIMARY KEY NOT NULL,
  incident_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id),
  unit_organization_id TEXT NOT NULL REFERENCES organizations(id),
  incident_district_code TEXT,
  query_kind TEXT NOT NULL,
  outcome TEXT NOT NULL,
  candidate_count INTEGER NOT NULL,
  candidate_ids TEXT NOT NULL,
  opened_registrant_id TEXT,
  opened_at TIMESTAMP,
  crew_result TEXT,
  crew_result_at TIMESTAMP,
  latency_us BIGINT NOT NULL,
  created_at TIMESTAMP NOT NULL
);
CREATE INDEX lookups_created ON lookups(created_at);
CREATE INDEX lookups_incident ON lookups(incident_id);
CREATE INDEX lookups_district_created ON lookups(incident_district_code, created_at);
CREATE INDEX lookups_unit_created ON lookups(unit_organization_id, created_at);
CREATE TABLE audit_events (
  seq BIGINT PRIMARY KEY NOT NULL,
  id TEXT NOT NULL UNIQUE,
  at TIMESTAMP NOT NULL,
  actor_user_id TEXT,
  actor_role TEXT,
  actor_organization_id TEXT,
  action TEXT NOT NULL,
  registrant_id TEXT,
  target_id TEXT,
  incident_id TEXT,
  lookup_id TEXT,
  detail TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_events_registrant ON audit_events(registrant_id, seq);
CREATE INDEX audit_events_actor ON audit_events(actor_user_id, seq);
CREATE INDEX audit_events_at ON audit_events(at);
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY NOT NULL,
  seq BIGINT NOT NULL,
  last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
