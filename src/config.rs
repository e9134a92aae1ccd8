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
    /// `EIR_TIMEZONE`: the zone statistics' dates and months are in: `Asia/Tokyo`,
    /// `UTC` or a fixed offset like `+09:00` (see [`crate::stats::period`]).
    pub timezone: String,
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
            timezone: "Asia/Tokyo".into(),
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
        if self.workers == Some(0) {
            return fail("EIR_WORKERS", "must be at least 1".into());
        }
        if let Err(why) = crate::stats::period::parse_timezone(&self.timezone) {
            return fail("EIR_TIMEZONE", why);
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
    fn secrets_do_not_print() {
        let s = Secret::new("hunter2hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
