//! No acknowledged write is lost: `eir serve` runs as a child process, takes
//! concurrent registrations and care decisions (and emergency searches once that
//! route exists), is killed with SIGKILL mid-stream and restarted; every request
//! answered 2xx must be in the database and the audit chain must verify.
//! Also: concurrent PUTs with the same If-Match, exactly one wins.

use std::cell::{Cell, RefCell};
use std::process::{Child, Command, Stdio};

use futures_util::future::join_all;
use serde_json::json;

use crate::both_backends;
use crate::common::{decision, hanako, Backend, TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};
use crate::tamper::audit_verify;

both_backends!(
    acknowledged_writes_survive_sigkill,
    concurrent_puts_with_the_same_if_match_one_wins,
);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `eir serve` over the app's database; returns the child and its base URL.
async fn start_eir(app: &TestApp) -> (Child, String) {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_eir"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &app.database_url)
        .env("EIR_DATA_DIR", &app.config.data_dir)
        .env("EIR_LISTEN", format!("127.0.0.1:{port}"))
        .env("EIR_JWT_SECRET", "test-secret-test-secret-test-secret-0123")
        .env("EIR_ADMIN_LOGIN", ADMIN_LOGIN)
        .env("EIR_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("EIR_WORKERS", "2")
        .env("EIR_DB_POOL_SIZE", "4")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start eir serve");
    let base = format!("http://127.0.0.1:{port}");
    let client = awc::Client::default();
    for _ in 0..600 {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await {
            if r.status().is_success() {
                return (child, base);
            }
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("eir serve did not become ready on {base}");
}

async fn acknowledged_writes_survive_sigkill(b: Backend) {
    let mut app = TestApp::spawn(b).await;
    let w = app.world().await;
    let searches = eir::openapi::document().contains("\"/api/v1/emergency/search\"");
    let (child, base) = start_eir(&app).await;
    app.base = base;
    let child = RefCell::new(Some(child));
    let acked = Cell::new(0usize);
    let registrations: RefCell<Vec<(String, String)>> = RefCell::new(Vec::new());
    let decisions: RefCell<Vec<(String, String)>> = RefCell::new(Vec::new());
    let lookups: RefCell<Vec<String>> = RefCell::new(Vec::new());
    let unacked = Cell::new(0usize);
    const KILL_AFTER: usize = 40;

    let writer = |n: usize| {
        let (app, w) = (&app, &w);
        let (acked, registrations, decisions, lookups, unacked) =
            (&acked, &registrations, &decisions, &lookups, &unacked);
        async move {
            for i in 0..200 {
                let mut person = hanako();
                person["given_name"] = json!(format!("花子{n}x{i}"));
                let r = app.try_call(
                    "POST",
                    "/api/v1/registrants",
                    Some(&w.cm_a),
                    Some(&person),
                    &[],
                );
                let r = match r.await {
                    Some(r) if r.status == 201 => r,
                    Some(r) if r.status >= 500 => panic!("5xx before the kill: {}", r.text),
                    _ => {
                        unacked.set(unacked.get() + 1);
                        return;
                    }
                };
                let id = r.body["id"].as_str().unwrap().to_owned();
                let card = r.body["card_code"].as_str().unwrap_or_default().to_owned();
                registrations.borrow_mut().push((id.clone(), card.clone()));
                acked.set(acked.get() + 1);
                let path = format!("/api/v1/registrants/{id}/care-decisions");
                let body = decision("new");
                let d = app.try_call("POST", &path, Some(&w.cm_a), Some(&body), &[]);
                match d.await {
                    Some(d) if d.status == 201 => {
                        let did = d.body["id"].as_str().unwrap().to_owned();
                        decisions.borrow_mut().push((id.clone(), did));
                        acked.set(acked.get() + 1);
                    }
                    _ => {
                        unacked.set(unacked.get() + 1);
                        return;
                    }
                }
                if searches {
                    let body = json!({"incident_id": format!("INC-{n}-{i}"), "query": {"card_code": card}});
                    let s = app.try_call(
                        "POST",
                        "/api/v1/emergency/search",
                        Some(&w.medic),
                        Some(&body),
                        &[],
                    );
                    match s.await {
                        Some(s) if s.status < 300 => {
                            lookups
                                .borrow_mut()
                                .push(s.body["lookup_id"].as_str().unwrap_or_default().to_owned());
                            acked.set(acked.get() + 1);
                        }
                        _ => {
                            unacked.set(unacked.get() + 1);
                            return;
                        }
                    }
                }
            }
        }
    };
    let killer = async {
        while acked.get() < KILL_AFTER {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        if let Some(mut c) = child.borrow_mut().take() {
            c.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix.
            c.wait().unwrap();
        }
    };
    let writers = join_all((0..6).map(writer));
    futures_util::future::join(writers, killer).await;
    assert!(acked.get() >= KILL_AFTER);
    assert!(unacked.get() > 0, "the kill must interrupt the stream");

    // Restart on the same database and look for every acknowledged write.
    let (mut child, base) = start_eir(&app).await;
    app.base = base;
    let registrations = registrations.borrow().clone();
    let decisions = decisions.borrow().clone();
    for (id, _) in registrations.iter() {
        let r = app.get(&format!("/api/v1/registrants/{id}"), &w.cm_a).await;
        assert_eq!(
            r.status, 200,
            "acknowledged registration {id} lost: {}",
            r.text
        );
    }
    for (id, did) in decisions.iter() {
        let r = app
            .get(&format!("/api/v1/registrants/{id}/care-decisions"), &w.cm_a)
            .await;
        assert!(
            r.text.contains(did.as_str()),
            "acknowledged care decision {did} lost"
        );
    }
    for lookup in lookups.borrow().iter() {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let n = diesel::sql_query(format!(
            "SELECT COUNT(*) AS n FROM lookups WHERE id = '{lookup}'"
        ))
        .get_result::<N>(&mut *app.db())
        .unwrap()
        .n;
        assert_eq!(n, 1, "acknowledged lookup {lookup} lost");
    }
    // The restarted service takes writes again.
    app.register(&w.cm_a, &hanako()).await;
    child.kill().unwrap();
    child.wait().unwrap();
    let (ok, out) = audit_verify(&app);
    assert!(ok, "audit chain after the crash: {out}");
}

async fn concurrent_puts_with_the_same_if_match_one_wins(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let reg = app.register(&w.cm_a, &hanako()).await;
    let path = format!("/api/v1/registrants/{}", reg["id"].as_str().unwrap());
    let puts = (0..8).map(|i| {
        let mut body = hanako();
        body["given_name"] = json!(format!("花子{i}"));
        let (app, token, path) = (&app, &w.cm_a, &path);
        async move {
            app.call(
                "PUT",
                path,
                Some(token),
                Some(&body),
                &[("If-Match", "\"1\"")],
            )
            .await
        }
    });
    let answers = join_all(puts).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 412).count(),
        7,
        "{statuses:?}"
    );
    let got = app.get(&path, &w.cm_a).await;
    assert_eq!(got.header("etag").as_deref(), Some("\"2\""));
}
