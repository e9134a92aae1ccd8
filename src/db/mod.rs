//! Storage: one connection type over SQLite and PostgreSQL, the pool, migrations and
//! one repository module per table. Repository functions take `&mut DbConn` and return
//! `QueryResult`, so callers compose them inside one transaction.

pub mod audit;
pub mod care_decisions;
pub mod deployment;
pub mod districts;
pub mod hit_rollup;
pub mod lookup_writer;
pub mod lookups;
pub mod name_counts;
pub mod organizations;
pub mod registrants;
pub mod schema;
pub mod search;
pub mod security;
pub mod tokens;
pub mod users;
pub mod web_sessions;

use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend; queries written against it run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Which backend a database URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    /// `postgres://` or `postgresql://` URL, passed to libpq as is.
    Postgres(String),
    /// A SQLite file.
    Sqlite(PathBuf),
}

impl DatabaseTarget {
    /// Reads the backend from the URL scheme. A URL with any other scheme is refused so
    /// that a mistyped PostgreSQL URL never silently becomes a SQLite file.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("sqlite:// needs a file path".into());
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if url.is_empty() {
            return Err("is empty".into());
        }
        if url.contains("://") || url.starts_with("postgres") {
            return Err(format!(
                "unsupported scheme in {:?}: use postgres://… or a SQLite file path",
                redact_url(url)
            ));
        }
        Ok(Self::Sqlite(PathBuf::from(url)))
    }

    /// A printable form without credentials.
    pub fn describe(&self) -> String {
        match self {
            Self::Postgres(url) => format!("postgres ({})", redact_url(url)),
            Self::Sqlite(path) => format!("sqlite ({})", path.display()),
        }
    }
}

/// Removes a password from a URL for logs and messages.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{}:***@{}", &url[..s], user, &url[at + 1..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Opens connections of the backend chosen by [`DatabaseTarget`], with SQLite's
/// WAL, foreign keys and busy timeout turned on for every connection.
#[derive(Debug, Clone)]
pub struct Manager {
    target: DatabaseTarget,
}

impl Manager {
    /// A manager for `target`.
    pub fn new(target: DatabaseTarget) -> Self {
        Self { target }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match &self.target {
            DatabaseTarget::Postgres(url) => {
                let mut conn =
                    diesel::PgConnection::establish(url).map_err(r2d2::Error::ConnectionError)?;
                // The statistics group a year of lookups per incident: with the
                // default 4 MB, those aggregates spill to disk.
                conn.batch_execute("SET work_mem = '64MB'")
                    .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Postgres(conn))
            }
            DatabaseTarget::Sqlite(path) => {
                let path = path.to_string_lossy();
                let mut conn = diesel::SqliteConnection::establish(&path)
                    .map_err(r2d2::Error::ConnectionError)?;
                // An 8 MiB page cache per connection: SQLite empties it whenever
                // another connection has written (every crew search writes a
                // lookup), so a larger one would only hold memory.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                     PRAGMA temp_store = MEMORY; PRAGMA cache_size = -8192;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

/// The connection pool handed to request handlers.
pub type DbPool = r2d2::Pool<Manager>;

/// A connection checked out of the pool.
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// Builds a pool for `target`, creating the SQLite file's folder when needed.
pub fn build_pool(target: &DatabaseTarget, max_size: u32) -> Result<DbPool, String> {
    if let DatabaseTarget::Sqlite(path) = target {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
    }
    // A SQLite connection to a local file does not break: checking it with a
    // query on every checkout would only add work to every request.
    let check_connections = matches!(target, DatabaseTarget::Postgres(_));
    r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .test_on_check_out(check_connections)
        .connection_timeout(Duration::from_secs(5))
        .build(Manager {
            target: target.clone(),
        })
        .map_err(|e| format!("cannot connect to {}: {e}", target.describe()))
}

/// Applies the embedded migrations of the connection's backend; returns how many ran.
pub fn run_migrations(conn: &mut DbConn) -> Result<usize, String> {
    let applied = match conn {
        DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| format!("migration failed: {e}"))?;
    Ok(applied.len())
}

/// Default SQLite file under the data directory.
pub fn default_sqlite_path(data_dir: &Path) -> PathBuf {
    data_dir.join("eir.sqlite3")
}

/// Current UTC time truncated to microseconds, the precision both backends keep,
/// so that a value read back equals the value written (the audit chain hashes it).
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// Takes SQLite's write lock at the start of a write transaction (like `BEGIN
/// IMMEDIATE`): a deferred transaction that reads first and writes later fails at
/// once with `SQLITE_BUSY` when another writer committed in between, whatever the
/// busy timeout. PostgreSQL needs nothing here.
pub fn write_lock(conn: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Sqlite(_) = conn {
        diesel::sql_query("UPDATE audit_head SET seq = seq WHERE id = 1").execute(conn)?;
    }
    Ok(())
}

/// `sql`, written with `?` placeholders, for the connection's backend:
/// PostgreSQL numbers them (`$1`, `$2`, …). No `?` may appear elsewhere in the SQL.
pub fn sql_for(conn: &DbConn, sql: &str) -> String {
    match conn {
        DbConn::Sqlite(_) => sql.to_owned(),
        DbConn::Postgres(_) => numbered(sql),
    }
}

fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a diesel error is a unique-constraint violation.
pub fn is_unique_violation(err: &diesel::result::Error) -> bool {
    matches!(
        err,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_is_chosen_from_the_scheme() {
        assert!(matches!(
            DatabaseTarget::parse("postgres://u:p@h/db"),
            Ok(DatabaseTarget::Postgres(_))
        ));
        assert_eq!(
            DatabaseTarget::parse("sqlite://data/x.db"),
            Ok(DatabaseTarget::Sqlite(PathBuf::from("data/x.db")))
        );
        assert_eq!(
            DatabaseTarget::parse("data/x.db"),
            Ok(DatabaseTarget::Sqlite(PathBuf::from("data/x.db")))
        );
        assert!(DatabaseTarget::parse("postgress://h/db").is_err());
        assert!(DatabaseTarget::parse("mysql://h/db").is_err());
        assert!(DatabaseTarget::parse("").is_err());
    }

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(numbered("a = ? AND b < ?"), "a = $1 AND b < $2");
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://eir:secret@db:5432/eir"),
            "postgres://eir:***@db:5432/eir"
        );
    }
}
