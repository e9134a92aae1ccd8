//! The `eir` command: serve, migrate, manage users, verify the audit chain.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use eir::bootstrap::{self, FirstAdmin};
use eir::config::Config;
use eir::db::audit::{self, Verification};
use eir::domain::Role;

#[derive(Parser)]
#[command(
    name = "eir",
    version,
    about = "Emergency medical information registry"
)]
struct Cli {
    /// TOML configuration file (also `EIR_CONFIG`).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Print the deployment's time zone, or set it (`Asia/Tokyo`, `UTC`, `+09:00`)
    /// and rebuild the hit-rate roll-up on its days; restart running instances.
    Timezone {
        /// The new zone; without it, the stored one is printed.
        zone: Option<String>,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Fill the database with a realistic synthetic population (demos, benchmarks).
    Seed {
        /// How many registrants.
        #[arg(long)]
        synthetic: u64,
        /// Random seed: the same seed gives the same people.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Create a user. The password is read from `EIR_NEW_PASSWORD`, or generated
    /// and printed once.
    Add {
        #[arg(long)]
        login: String,
        /// `care_manager`, `paramedic` or `admin`.
        #[arg(long)]
        role: String,
        /// Organization id (UUID).
        #[arg(long)]
        organization: uuid::Uuid,
        #[arg(long)]
        display_name: String,
    },
}

#[derive(Subcommand)]
enum AuditAction {
    /// Walk the hash chain and name the first broken entry.
    Verify,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("eir: {e}");
            return ExitCode::from(2);
        }
    };
    eir::telemetry::init(config.log_format);
    match run(cli.command.unwrap_or(Command::Serve), config) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("eir: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command, config: Config) -> Result<ExitCode, String> {
    match command {
        Command::Serve => serve(config),
        Command::Migrate => {
            drop(bootstrap::connect_migrated(&config)?);
            println!("database is up to date: {}", config.database().describe());
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            action:
                UserAction::Add {
                    login,
                    role,
                    organization,
                    display_name,
                },
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                format!("--role: {role:?} is not care_manager, paramedic or admin")
            })?;
            let (password, generated) = match std::env::var("EIR_NEW_PASSWORD") {
                Ok(p) => (p, false),
                Err(_) => (eir::auth::password::generate(), true),
            };
            let mut conn = bootstrap::connect_migrated(&config)?;
            let input = eir::service::admin::CreateUser {
                login: login.clone(),
                password: password.clone(),
                role,
                organization_id: organization,
                display_name,
            };
            let row = eir::service::admin::create_user(&mut conn, None, input)
                .map_err(|e| e.problem().detail)?;
            println!("created user {} ({}) id {}", row.login, row.role, row.id);
            if generated {
                println!("one-time password (shown once): {password}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            action: AuditAction::Verify,
        } => {
            let mut conn = bootstrap::connect_migrated(&config)?;
            match audit::verify(&mut conn).map_err(|e| e.to_string())? {
                Verification::Intact { events } => {
                    println!("audit chain intact: {events} events");
                    Ok(ExitCode::SUCCESS)
                }
                Verification::Broken { seq, reason } => {
                    println!("audit chain BROKEN at entry {seq}: {reason}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Seed { synthetic, seed } => {
            let pool = bootstrap::open_database(&config)?;
            println!(
                "seeding {synthetic} synthetic registrants into {}",
                config.database().describe()
            );
            let today = {
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                bootstrap::time_zone(&mut conn, &config)?.today()
            };
            let r = eir::seed::load(&pool, synthetic, seed, today)?;
            println!(
                "seeded {} registrants, {} search keys, {} care decisions in {:.1} s ({} skipped as invalid)",
                r.registrants, r.keys, r.decisions, r.seconds, r.skipped_invalid
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Timezone { zone } => {
            let mut conn = bootstrap::connect_migrated(&config)?;
            let zone = match zone {
                Some(name) => eir::service::settings::set_time_zone(&mut conn, &name),
                None => eir::service::settings::time_zone(&mut conn),
            }
            .map_err(|e| e.problem().detail)?;
            println!("time zone: {} (UTC{})", zone.name, zone.offset);
            Ok(ExitCode::SUCCESS)
        }
        Command::Openapi => {
            print!("{}", eir::openapi::document());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn serve(config: Config) -> Result<ExitCode, String> {
    let state = bootstrap::build_state(config)?;
    match bootstrap::ensure_first_admin(&state.pool, &state.config)? {
        FirstAdmin::Exists => {}
        FirstAdmin::Configured(login) => {
            tracing::info!(%login, "created the configured first admin")
        }
        FirstAdmin::Generated { login, password } => {
            println!("==============================================================");
            println!(" eir: created the first admin. This password is shown once.");
            println!("   login:    {login}");
            println!("   password: {password}");
            println!("==============================================================");
        }
    }
    tracing::info!(database = %state.config.database().describe(), "eir starting");
    actix_web::rt::System::new()
        .block_on(eir::app::serve(state))
        .map_err(|e| format!("EIR_LISTEN: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
