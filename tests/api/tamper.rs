//! The audit log is tamper-evident: `eir audit verify` (the real binary) passes
//! on an intact chain and names the entry after a row is altered, deleted or
//! cut off the end directly in the database; no API route changes the log.

use std::process::Command;

use serde_json::json;

use crate::both_backends;
use crate::common::{decision, hanako, run_sql, Backend, TestApp};

both_backends!(
    audit_verify_names_an_altered_entry,
    audit_verify_names_a_deleted_entry,
    audit_verify_detects_entries_cut_off_the_end,
    no_route_changes_the_audit_log,
);

/// Runs `eir audit verify` against the app's database: (success, stdout).
pub fn audit_verify(app: &TestApp) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_eir"))
        .args(["audit", "verify"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &app.database_url)
        .env("EIR_DATA_DIR", &app.config.data_dir)
        .env("EIR_JWT_SECRET", "test-secret-test-secret-test-secret-0123")
        .output()
        .expect("run eir audit verify");
    let stdout =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), stdout)
}

/// An app with a few audited writes; returns the number of audit events.
async fn audited(b: Backend) -> (TestApp, i64) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let reg = app.register(&w.cm_a, &hanako()).await;
    let id = reg["id"].as_str().unwrap();
    let r = app
        .post(
            &format!("/api/v1/registrants/{id}/care-decisions"),
            &w.cm_a,
            &decision("new"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        app.get(&format!("/api/v1/registrants/{id}"), &w.cm_a)
            .await
            .status,
        200
    );
    let n = app.count("audit_events");
    assert!(n >= 5, "{n} events");
    let (ok, out) = audit_verify(&app);
    assert!(ok, "intact chain must verify: {out}");
    assert!(out.contains(&format!("intact: {n} events")), "{out}");
    (app, n)
}

async fn audit_verify_names_an_altered_entry(b: Backend) {
    let (app, _) = audited(b).await;
    run_sql(
        &app,
        "UPDATE audit_events SET actor_user_id = 'someone-else' WHERE seq = 3",
    );
    let (ok, out) = audit_verify(&app);
    assert!(!ok, "{out}");
    assert!(
        out.contains("BROKEN at entry 3") && out.contains("altered"),
        "{out}"
    );
}

async fn audit_verify_names_a_deleted_entry(b: Backend) {
    let (app, _) = audited(b).await;
    run_sql(&app, "DELETE FROM audit_events WHERE seq = 4");
    let (ok, out) = audit_verify(&app);
    assert!(!ok, "{out}");
    assert!(
        out.contains("BROKEN at entry 4") && out.contains("missing"),
        "{out}"
    );
}

async fn audit_verify_detects_entries_cut_off_the_end(b: Backend) {
    let (app, n) = audited(b).await;
    run_sql(&app, &format!("DELETE FROM audit_events WHERE seq = {n}"));
    let (ok, out) = audit_verify(&app);
    assert!(!ok, "{out}");
    assert!(out.contains(&format!("BROKEN at entry {n}")), "{out}");
}

async fn no_route_changes_the_audit_log(b: Backend) {
    let (app, n) = audited(b).await;
    let admin = app.admin_token().await;
    let before = app.get("/api/v1/audit", &admin).await;
    assert_eq!(before.status, 200);
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        for path in ["/api/v1/audit", "/api/v1/audit/1"] {
            let r = app
                .call(
                    method,
                    path,
                    Some(&admin),
                    Some(&json!({"action": "x"})),
                    &[],
                )
                .await;
            assert!(
                r.status == 404 || r.status == 405,
                "{method} {path} must not exist: {} {}",
                r.status,
                r.text
            );
        }
    }
    // Reading the log is itself not a change; the chain still verifies.
    assert!(app.count("audit_events") >= n);
    let (ok, out) = audit_verify(&app);
    assert!(ok, "{out}");
}
