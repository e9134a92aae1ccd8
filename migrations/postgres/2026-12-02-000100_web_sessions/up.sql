-- Web sessions: the browser holds only a random id in an HttpOnly cookie; the
-- session (its user, the password version it was opened under, the CSRF token,
-- when it was last used) lives here, so any instance can serve any request.
CREATE TABLE web_sessions (
  token_hash TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id),
  password_version BIGINT NOT NULL,
  csrf_token TEXT NOT NULL,
  enrol_only BOOLEAN NOT NULL,
  created_at TIMESTAMP NOT NULL,
  last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions(user_id);
CREATE INDEX web_sessions_last_seen ON web_sessions(last_seen_at);
