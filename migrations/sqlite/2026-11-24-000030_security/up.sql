-- Second factor (TOTP), recovery codes, the per-role MFA policy and failed
-- logins per client address (shared by every instance).
CREATE TABLE totp_credentials (
  user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id),
  secret TEXT NOT NULL,
  confirmed_at TIMESTAMP,
  last_step BIGINT NOT NULL DEFAULT 0,
  created_at TIMESTAMP NOT NULL
);
CREATE TABLE recovery_codes (
  id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id),
  code_hash TEXT NOT NULL,
  used_at TIMESTAMP
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);
CREATE TABLE mfa_policy (
  role TEXT PRIMARY KEY NOT NULL,
  required BOOLEAN NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
CREATE TABLE login_failures (
  address TEXT PRIMARY KEY NOT NULL,
  failures INTEGER NOT NULL,
  first_at TIMESTAMP NOT NULL,
  locked_until TIMESTAMP
);
