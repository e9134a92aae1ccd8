#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The command line on a SQLite file: migrate, user add, audit verify, and a
//! refused configuration naming its setting.

use std::process::Command;

fn eir(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_eir"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("EIR_DATA_DIR", dir)
        .env("EIR_LOG_FORMAT", "json");
    c
}

#[test]
fn migrate_user_add_and_audit_verify_work_on_a_fresh_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = eir(dir.path()).arg("migrate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("eir.sqlite3").exists());

    // An organization to put the user in.
    let org = uuid::Uuid::new_v4();
    {
        let target = eir::db::DatabaseTarget::Sqlite(dir.path().join("eir.sqlite3"));
        let pool = eir::db::build_pool(&target, 1).unwrap();
        let now = eir::db::now();
        eir::db::organizations::insert(
            &mut pool.get().unwrap(),
            &eir::db::organizations::OrganizationRow {
                id: org.to_string(),
                kind: "care_office".into(),
                name: "テスト事業所".into(),
                district_code: None,
                active: true,
                created_at: now,
                updated_at: now,
            },
        )
        .unwrap();
    }
    let out = eir(dir.path())
        .args([
            "user",
            "add",
            "--login",
            "cm.cli",
            "--role",
            "care_manager",
            "--organization",
            &org.to_string(),
            "--display-name",
            "CLI",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("created user cm.cli (care_manager)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("one-time password (shown once): "),
        "{stdout}"
    );
    // A role that does not fit the organization is refused with the reason.
    let out = eir(dir.path())
        .args([
            "user",
            "add",
            "--login",
            "medic.cli",
            "--role",
            "paramedic",
            "--organization",
            &org.to_string(),
            "--display-name",
            "CLI",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("role"));

    let out = eir(dir.path()).args(["audit", "verify"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    // The time zone stored at the first start, then the user.
    assert!(stdout.contains("audit chain intact: 2 events"), "{stdout}");
}

#[test]
fn invalid_configuration_stops_the_start_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let out = eir(dir.path())
        .env("EIR_LISTEN", "nowhere")
        .arg("serve")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("EIR_LISTEN"));
    let out = eir(dir.path())
        .env("DATABASE_URL", "postgress://x/y")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL"));
    // The mistyped URL did not silently become a SQLite file.
    assert!(!dir.path().join("eir.sqlite3").exists());
}
