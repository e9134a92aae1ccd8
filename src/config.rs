//! Typed configuration: defaults, then an optional TOML file (`EIR_CONFIG` or
//! `--config`), then environment variables. Validated once at start; an invalid
//! setting stops the start with a message naming it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::db::{self, DatabaseTarget};

/// A secret value that never prints.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    /// The secret itself; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// How strictly the start is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunMode {
    Development,
    Production,
}

/// Every setting, with the names used in TOML; the environment variable is the
/// same name upper-cased with an `EIR_` prefix (`DATABASE_URL` has none).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// `EIR_LISTEN`: address and port to serve on.
    pub listen: String,
    /// `DATABASE_URL`: `postgres://…`, or a SQLite file path (`sqlite://` optional).
    pub database_url: Option<String>,
    /// `EIR_DATA_DIR`: where the SQLite file and generated keys live.
    pub data_dir: PathBuf,
    /// `EIR_JWT_SECRET`: HS256 signing key, at least 32 bytes; generated into the
    /// data directory when unset.
    pub jwt_secret: Option<Secret>,
    /// `EIR_ACCESS_TOKEN_TTL_SECS`: access token lifetime.
    pub access_token_ttl_secs: u64,
    /// `EIR_REFRESH_TOKEN_TTL_SECS`: refresh token lifetime.
    pub refresh_token_ttl_secs: u64,
    /// `EIR_ADMIN_LOGIN`, `EIR_ADMIN_PASSWORD`: first admin for automated deployments.
    pub admin_login: Option<String>,
    pub admin_password: Option<Secret>,
    /// `EIR_TLS_CERT`, `EIR_TLS_KEY`: PEM files; both set = HTTPS.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// `EIR_LOG_FORMAT`: `text` or `json`.
    pub log_format: LogFormat,
    /// `EIR_DB_POOL_SIZE`: database connections per instance.
    pub db_pool_size: u32,
    /// `EIR_BODY_LIMIT_BYTES`: largest accepted request body.
    pub body_limit_bytes: usize,
    /// `EIR_WORKERS`: HTTP worker threads (default: one per core).
    pub workers: Option<usize>,
    /// `EIR_SEARCH_RATE_PER_MINUTE`: crew searches one user may make per minute.
    pub search_rate_per_minute: u32,
    /// `EIR_LOOKUP_TTL_MINUTES`: how long a lookup may be used to open a summary.
    pub lookup_ttl_minutes: u32,
    /// `EIR_ENV`: `development` or `production`; production refuses a missing or
    /// weak signing key and plain HTTP unless `EIR_BEHIND_TLS_PROXY=true`.
    pub env: RunMode,
    /// `EIR_BEHIND_TLS_PROXY`: a TLS-terminating proxy sits in front of eir.
    pub behind_tls_proxy: bool,
    /// `EIR_JWT_PREVIOUS_SECRETS`: retired signing keys (e.g. `["old key …"]`)
    /// that still verify tokens issued before a rotation; each is named by `kid`.
    pub jwt_previous_secrets: Vec<Secret>,
    /// `EIR_MAX_FAILED_LOGINS`: failed logins before an account is locked.
    pub max_failed_logins: i32,
    /// `EIR_MAX_FAILED_LOGINS_PER_ADDRESS`: failed logins from one client address
    /// within `EIR_LOGIN_LOCK_SECS` before that address is locked.
    pub max_failed_logins_per_address: i32,
    /// `EIR_LOGIN_LOCK_SECS`: how long a locked account or address stays locked
    /// (also the window in which an address's failures are counted).
    pub login_lock_secs: u64,
    /// `EIR_REQUEST_TIMEOUT_SECS`: time a client has to send a request's head.
    pub request_timeout_secs: u64,
    /// `EIR_KEEP_ALIVE_SECS`: idle keep-alive connections are closed after this.
    pub keep_alive_secs: u64,
    /// `EIR_MAX_CONNECTIONS`: concurrent connections per worker.
    pub max_connections: usize,
    /// `EIR_JSON_MAX_DEPTH`: deepest nesting of arrays and objects in a JSON body.
    pub json_max_depth: usize,
    /// `EIR_TIMEZONE`: the zone statistics' dates and months are in: `Asia/Tokyo`,
    /// `UTC` or a fixed offset like `+09:00` (see [`crate::stats::period`]).
    pub timezone: String,
    /// `EIR_WEB_SESSION_IDLE_SECS`: a web session unused this long is ended.
    pub web_session_idle_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            database_url: None,
            data_dir: PathBuf::from("./data"),
            jwt_secret: None,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 12 * 60 * 60,
            admin_login: None,
            admin_password: None,
            tls_cert: None,
            tls_key: None,
            log_format: LogFormat::Text,
            db_pool_size: 8,
            body_limit_bytes: 256 * 1024,
            workers: None,
            search_rate_per_minute: 30,
            lookup_ttl_minutes: 12 * 60,
            env: RunMode::Development,
            behind_tls_proxy: false,
            jwt_previous_secrets: Vec::new(),
            max_failed_logins: 10,
            max_failed_logins_per_address: 50,
            login_lock_secs: 15 * 60,
            request_timeout_secs: 10,
            keep_alive_secs: 30,
            max_connections: 10_000,
            json_max_depth: 32,
            timezone: "Asia/Tokyo".into(),
            web_session_idle_secs: 30 * 60,
        }
    }
}

/// A setting that stopped the start.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Loads defaults, the TOML file (if any) and the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let file = file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("EIR_CONFIG").map(PathBuf::from));
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError(format!(
                    "EIR_CONFIG: no such file {}",
                    path.display()
                )));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        let config: Config = figment
            .merge(Env::prefixed("EIR_").ignore(&["config"]).split("__"))
            .merge(Env::raw().only(&["database_url"]))
            .extract()
            .map_err(|e| ConfigError(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks every setting, naming the first one that is wrong.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let fail = |name: &str, why: String| Err(ConfigError(format!("{name}: {why}")));
        if self.listen.parse::<SocketAddr>().is_err() {
            return fail(
                "EIR_LISTEN",
                format!(
                    "{:?} is not an address and port like 127.0.0.1:8080",
                    self.listen
                ),
            );
        }
        if let Some(url) = &self.database_url {
            if let Err(why) = DatabaseTarget::parse(url) {
                return fail("DATABASE_URL", why);
            }
        }
        if let Some(secret) = &self.jwt_secret {
            if secret.expose().len() < 32 {
                return fail("EIR_JWT_SECRET", "must be at least 32 bytes".into());
            }
        }
        if !(30..=24 * 3600).contains(&self.access_token_ttl_secs) {
            return fail(
                "EIR_ACCESS_TOKEN_TTL_SECS",
                "must be between 30 and 86400".into(),
            );
        }
        if !(60..=90 * 24 * 3600).contains(&self.refresh_token_ttl_secs) {
            return fail(
                "EIR_REFRESH_TOKEN_TTL_SECS",
                "must be between 60 and 7776000".into(),
            );
        }
        match (&self.admin_login, &self.admin_password) {
            (Some(_), None) | (None, Some(_)) => {
                return fail(
                    "EIR_ADMIN_LOGIN",
                    "EIR_ADMIN_LOGIN and EIR_ADMIN_PASSWORD must be set together".into(),
                )
            }
            (Some(_), Some(p)) if p.expose().chars().count() < 12 => {
                return fail(
                    "EIR_ADMIN_PASSWORD",
                    "must be at least 12 characters".into(),
                )
            }
            _ => {}
        }
        match (&self.tls_cert, &self.tls_key) {
            (Some(c), Some(k)) => {
                if !c.is_file() {
                    return fail("EIR_TLS_CERT", format!("no such file {}", c.display()));
                }
                if !k.is_file() {
                    return fail("EIR_TLS_KEY", format!("no such file {}", k.display()));
                }
            }
            (Some(_), None) => return fail("EIR_TLS_KEY", "must be set with EIR_TLS_CERT".into()),
            (None, Some(_)) => return fail("EIR_TLS_CERT", "must be set with EIR_TLS_KEY".into()),
            (None, None) => {}
        }
        if !(1..=256).contains(&self.db_pool_size) {
            return fail("EIR_DB_POOL_SIZE", "must be between 1 and 256".into());
        }
        if !(1024..=16 * 1024 * 1024).contains(&self.body_limit_bytes) {
            return fail(
                "EIR_BODY_LIMIT_BYTES",
                "must be between 1024 and 16777216".into(),
            );
        }
        if !(1..=1_000_000).contains(&self.search_rate_per_minute) {
            return fail(
                "EIR_SEARCH_RATE_PER_MINUTE",
                "must be between 1 and 1000000".into(),
            );
        }
        if !(1..=7 * 24 * 60).contains(&self.lookup_ttl_minutes) {
            return fail(
                "EIR_LOOKUP_TTL_MINUTES",
                "must be between 1 and 10080".into(),
            );
        }
        if self.workers == Some(0) {
            return fail("EIR_WORKERS", "must be at least 1".into());
        }
        if let Err(why) = crate::stats::period::parse_timezone(&self.timezone) {
            return fail("EIR_TIMEZONE", why);
        }
        for p in &self.jwt_previous_secrets {
            if p.expose().len() < 32 {
                return fail(
                    "EIR_JWT_PREVIOUS_SECRETS",
                    "each key must be at least 32 bytes".into(),
                );
            }
        }
        if !(1..=1000).contains(&self.max_failed_logins) {
            return fail("EIR_MAX_FAILED_LOGINS", "must be between 1 and 1000".into());
        }
        if !(1..=100_000).contains(&self.max_failed_logins_per_address) {
            return fail(
                "EIR_MAX_FAILED_LOGINS_PER_ADDRESS",
                "must be between 1 and 100000".into(),
            );
        }
        if !(1..=24 * 3600).contains(&self.login_lock_secs) {
            return fail("EIR_LOGIN_LOCK_SECS", "must be between 1 and 86400".into());
        }
        if !(1..=600).contains(&self.request_timeout_secs) {
            return fail(
                "EIR_REQUEST_TIMEOUT_SECS",
                "must be between 1 and 600".into(),
            );
        }
        if !(1..=3600).contains(&self.keep_alive_secs) {
            return fail("EIR_KEEP_ALIVE_SECS", "must be between 1 and 3600".into());
        }
        if !(1..=1_000_000).contains(&self.max_connections) {
            return fail(
                "EIR_MAX_CONNECTIONS",
                "must be between 1 and 1000000".into(),
            );
        }
        if !(2..=1000).contains(&self.json_max_depth) {
            return fail("EIR_JSON_MAX_DEPTH", "must be between 2 and 1000".into());
        }
        if !(10..=24 * 3600).contains(&self.web_session_idle_secs) {
            return fail(
                "EIR_WEB_SESSION_IDLE_SECS",
                "must be between 10 and 86400".into(),
            );
        }
        if self.env == RunMode::Production {
            self.validate_production()?;
        }
        Ok(())
    }

    /// What production adds: a strong configured signing key, and TLS (here or
    /// at a proxy in front).
    fn validate_production(&self) -> Result<(), ConfigError> {
        let fail =
            |name: &str, why: &str| Err(ConfigError(format!("{name}: {why} (EIR_ENV=production)")));
        match &self.jwt_secret {
            None => {
                return fail(
                    "EIR_JWT_SECRET",
                    "must be set; a key generated into the data directory is not allowed",
                )
            }
            Some(s) if !strong_key(s.expose()) => {
                return fail(
                    "EIR_JWT_SECRET",
                    "is weak: use at least 32 random bytes (e.g. `openssl rand -hex 32`)",
                )
            }
            Some(_) => {}
        }
        if self.tls_cert.is_none() && !self.behind_tls_proxy {
            return fail(
                "EIR_TLS_CERT",
                "set EIR_TLS_CERT and EIR_TLS_KEY, or EIR_BEHIND_TLS_PROXY=true when a proxy terminates TLS",
            );
        }
        Ok(())
    }

    /// The statistics time zone as a UTC offset (validated at start).
    pub fn utc_offset(&self) -> chrono::FixedOffset {
        use chrono::Offset;
        crate::stats::period::parse_timezone(&self.timezone).unwrap_or_else(|_| chrono::Utc.fix())
    }

    /// The database to use: `DATABASE_URL`, or the SQLite file under the data dir.
    pub fn database(&self) -> DatabaseTarget {
        match &self.database_url {
            Some(url) => DatabaseTarget::parse(url).unwrap_or_else(|_| {
                DatabaseTarget::Sqlite(db::default_sqlite_path(&self.data_dir))
            }),
            None => DatabaseTarget::Sqlite(db::default_sqlite_path(&self.data_dir)),
        }
    }
}

/// At least 32 bytes with at least 12 distinct characters (rules out
/// `aaaa…`, `0123…0123` and similar placeholders).
fn strong_key(key: &str) -> bool {
    let distinct: std::collections::HashSet<u8> = key.bytes().collect();
    key.len() >= 32 && distinct.len() >= 12
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn bad_settings_are_named() {
        let c = Config {
            listen: "localhost".into(),
            ..Config::default()
        };
        assert!(c.validate().unwrap_err().0.starts_with("EIR_LISTEN"));
        let c = Config {
            jwt_secret: Some(Secret::new("short")),
            ..Config::default()
        };
        assert!(c.validate().unwrap_err().0.starts_with("EIR_JWT_SECRET"));
        let c = Config {
            database_url: Some("postgress://x".into()),
            ..Config::default()
        };
        assert!(c.validate().unwrap_err().0.starts_with("DATABASE_URL"));
        let c = Config {
            tls_cert: Some("/nonexistent".into()),
            ..Config::default()
        };
        assert!(c.validate().unwrap_err().0.starts_with("EIR_TLS_KEY"));
        let c = Config {
            timezone: "Europe/Berlin".into(),
            ..Config::default()
        };
        assert!(c.validate().unwrap_err().0.starts_with("EIR_TIMEZONE"));
    }

    #[test]
    fn production_needs_a_strong_key_and_tls() {
        let strong = Secret::new("c2b5f0e6a91d47b38e7a0f6d2c4b9e81a7d3f5c6");
        let base = Config {
            env: RunMode::Production,
            jwt_secret: Some(strong.clone()),
            behind_tls_proxy: true,
            ..Config::default()
        };
        base.validate().unwrap();
        let c = Config {
            jwt_secret: None,
            ..base.clone()
        };
        assert!(c.validate().unwrap_err().0.starts_with("EIR_JWT_SECRET"));
        let c = Config {
            jwt_secret: Some(Secret::new("a".repeat(40))),
            ..base.clone()
        };
        assert!(c.validate().unwrap_err().0.starts_with("EIR_JWT_SECRET"));
        let c = Config {
            behind_tls_proxy: false,
            ..base.clone()
        };
        assert!(c.validate().unwrap_err().0.starts_with("EIR_TLS_CERT"));
        let c = Config {
            env: RunMode::Development,
            jwt_secret: None,
            behind_tls_proxy: false,
            ..base
        };
        c.validate().unwrap();
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("hunter2hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
