//! Start-up: data directory, database, migrations, signing key, first admin.
//! Shared by `eir serve`, the other commands and the tests.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use actix_web::web;

use crate::app::AppState;
use crate::auth::jwt::JwtKeys;
use crate::auth::password;
use crate::config::{Config, Secret};
use crate::db::{self, users, DatabaseTarget, DbPool};
use crate::stats::period::Zone;

/// Opens the database named by the configuration and applies pending migrations.
pub fn open_database(config: &Config) -> Result<DbPool, String> {
    let target = config.database();
    if let DatabaseTarget::Sqlite(_) = target {
        create_data_dir(config)?;
    }
    let pool = db::build_pool(&target, config.db_pool_size)?;
    let mut conn = pool
        .get()
        .map_err(|e| format!("cannot connect to {}: {e}", target.describe()))?;
    prepare(&mut conn, config, &target)?;
    Ok(pool)
}

/// One migrated connection without a pool, for short commands. A pool's
/// background threads may still be closing PostgreSQL connections while the
/// process exits, which can crash libpq during its exit-time cleanup; a plain
/// connection is closed before `main` returns.
pub fn connect_migrated(config: &Config) -> Result<db::DbConn, String> {
    use diesel::r2d2::ManageConnection;
    let target = config.database();
    if let DatabaseTarget::Sqlite(_) = target {
        create_data_dir(config)?;
    }
    let mut conn = db::Manager::new(target.clone())
        .connect()
        .map_err(|e| format!("cannot connect to {}: {e}", target.describe()))?;
    prepare(&mut conn, config, &target)?;
    Ok(conn)
}

/// Creates the data directory (SQLite file, generated signing key).
fn create_data_dir(config: &Config) -> Result<(), String> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        format!(
            "EIR_DATA_DIR: cannot create {}: {e}",
            config.data_dir.display()
        )
    })
}

/// Applies pending migrations, stores the configured time zone at the first
/// start (afterwards the stored one is used), then builds the hit-rate roll-up
/// for that zone when it is missing or was built for another one.
fn prepare(conn: &mut db::DbConn, config: &Config, target: &DatabaseTarget) -> Result<(), String> {
    let applied = db::run_migrations(conn)?;
    if applied > 0 {
        tracing::info!(applied, database = %target.describe(), "migrations applied");
    }
    let zone = time_zone(conn, config)?;
    let rebuilt = db::hit_rollup::ensure(conn, zone.offset)
        .map_err(|e| format!("cannot build the hit-rate roll-up: {e}"))?;
    if rebuilt {
        tracing::info!(timezone = %zone.name, "hit-rate roll-up built from the lookups");
    }
    Ok(())
}

/// The deployment's time zone (stored at the first start from `EIR_TIMEZONE`).
pub fn time_zone(conn: &mut db::DbConn, config: &Config) -> Result<Zone, String> {
    crate::service::settings::adopt_time_zone(conn, &config.timezone)
        .map_err(|e| format!("time zone: {}", e.problem().detail))
}

/// The HS256 secret: configured, or generated once into the data directory.
pub fn signing_secret(config: &Config) -> Result<Secret, String> {
    if let Some(s) = &config.jwt_secret {
        return Ok(s.clone());
    }
    let path = config.data_dir.join("jwt_secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_owned();
        if existing.len() >= 32 {
            return Ok(Secret::new(existing));
        }
        return Err(format!("{}: key file is too short", path.display()));
    }
    create_data_dir(config)?;
    let mut raw = [0u8; 48];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut raw);
    let secret = hex::encode(raw);
    write_private(&path, &secret).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a JWT signing key");
    Ok(Secret::new(secret))
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(content.as_bytes())?;
    f.sync_all()
}

/// Builds the application state (database migrated, keys loaded).
pub fn build_state(config: Config) -> Result<web::Data<AppState>, String> {
    let pool = open_database(&config)?;
    let zone = {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        time_zone(&mut conn, &config)?
    };
    let secret = signing_secret(&config)?;
    let previous: Vec<&[u8]> = config
        .jwt_previous_secrets
        .iter()
        .map(|s| s.expose().as_bytes())
        .collect();
    let jwt = JwtKeys::with_previous(
        secret.expose().as_bytes(),
        &previous,
        config.access_token_ttl_secs,
    );
    let lookups = crate::db::lookup_writer::LookupWriter::start(pool.clone(), zone.offset);
    Ok(web::Data::new(AppState {
        zone,
        lookups,
        pool,
        config: Arc::new(config),
        jwt,
    }))
}

/// What happened when the first admin was ensured.
#[derive(Debug, PartialEq, Eq)]
pub enum FirstAdmin {
    /// An active admin already exists.
    Exists,
    /// Created from `EIR_ADMIN_LOGIN` / `EIR_ADMIN_PASSWORD`.
    Configured(String),
    /// Created with a generated one-time password, to be shown once.
    Generated { login: String, password: String },
}

/// Creates the first admin (and the city organization it belongs to) when the
/// database has no active admin.
pub fn ensure_first_admin(pool: &DbPool, config: &Config) -> Result<FirstAdmin, String> {
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    if users::count_active_admins(&mut conn).map_err(|e| e.to_string())? > 0 {
        return Ok(FirstAdmin::Exists);
    }
    let (login, password, generated) = match (&config.admin_login, &config.admin_password) {
        (Some(l), Some(p)) => (l.clone(), p.expose().to_owned(), false),
        _ => ("admin".to_owned(), password::generate(), true),
    };
    let hash = password::hash(&password)?;
    let created = crate::service::admin::create_first_admin(&mut conn, &login, &hash)
        .map_err(|e| format!("cannot create the first admin: {e}"))?;
    Ok(if !created {
        FirstAdmin::Exists
    } else if generated {
        FirstAdmin::Generated { login, password }
    } else {
        FirstAdmin::Configured(login)
    })
}
