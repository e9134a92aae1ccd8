//! Writes that share rows, run at the same time, many rounds: none may answer 5xx.
//! Every write takes the audit chain's head first, so two transactions never lock
//! the same rows in opposite orders; a deadlock or serialization failure that
//! still happens is retried, never answered with 500.

use futures_util::future::{join, join_all};
use serde_json::{json, Value};

use crate::both_backends;
use crate::common::{decision, hanako, Backend, Resp, TestApp, PASSWORD};
use crate::tamper::audit_verify;

both_backends!(
    spent_refresh_token_replayed_while_admin_deactivates_the_user,
    writes_to_one_registrant_at_once_never_fail,
    opening_and_reporting_one_lookup_at_once_never_fail,
    account_and_settings_writes_at_once_never_fail,
);

/// Rounds of the refresh/deactivate race (the issue saw 126 of 200 answer 500).
const ROUNDS: usize = 200;
/// Rounds of the other races.
const SHORT_ROUNDS: usize = 40;

/// Counts 5xx answers by label and says which.
#[derive(Default)]
struct Tally {
    rounds: usize,
    failed_rounds: usize,
    failures: Vec<String>,
}

impl Tally {
    fn round(&mut self, answers: &[(&str, &Resp)]) {
        self.rounds += 1;
        let bad: Vec<String> = answers
            .iter()
            .filter(|(_, r)| r.status >= 500)
            .map(|(what, r)| format!("{what}: {} {}", r.status, r.text))
            .collect();
        if !bad.is_empty() {
            self.failed_rounds += 1;
            self.failures.extend(bad);
        }
    }

    #[track_caller]
    fn assert_clean(&self, race: &str) {
        eprintln!(
            "{race}: {} rounds, {} with a 5xx ({} answers)",
            self.rounds,
            self.failed_rounds,
            self.failures.len()
        );
        assert!(
            self.failures.is_empty(),
            "{race}: {} of {} rounds answered 5xx, first: {:?}",
            self.failed_rounds,
            self.rounds,
            self.failures.first()
        );
    }
}

async fn login_pair(app: &TestApp, login: &str) -> Value {
    let r = app
        .call(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({"login": login, "password": PASSWORD})),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

async fn refresh(app: &TestApp, token: &str) -> Resp {
    app.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(&json!({"refresh_token": token})),
        &[],
    )
    .await
}

async fn patch(app: &TestApp, path: &str, token: &str, body: Value) -> Resp {
    app.call("PATCH", path, Some(token), Some(&body), &[]).await
}

async fn spent_refresh_token_replayed_while_admin_deactivates_the_user(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let user = app
        .user(&w.admin, "cm.race", "care_manager", &w.org_a)
        .await;
    let user_path = format!("/api/v1/users/{user}");
    let mut tally = Tally::default();
    for _ in 0..ROUNDS {
        let first = login_pair(&app, "cm.race").await;
        let spent = first["refresh_token"].as_str().unwrap();
        let next = refresh(&app, spent).await;
        assert_eq!(next.status, 200, "{}", next.text);
        let (replay, deactivate) = join(
            refresh(&app, spent),
            patch(&app, &user_path, &w.admin, json!({"active": false})),
        )
        .await;
        tally.round(&[("refresh", &replay), ("deactivate", &deactivate)]);
        if replay.status < 500 {
            assert_eq!(
                replay.status, 401,
                "a spent token is refused: {}",
                replay.text
            );
        }
        if deactivate.status < 500 {
            assert_eq!(deactivate.status, 200, "{}", deactivate.text);
        }
        // The replay revoked the family and the deactivation every token: the
        // token issued by the first refresh no longer works either way.
        let after = refresh(&app, next.body["refresh_token"].as_str().unwrap()).await;
        assert_eq!(after.status, 401, "{}", after.text);
        let back = patch(&app, &user_path, &w.admin, json!({"active": true})).await;
        assert_eq!(back.status, 200, "{}", back.text);
    }
    tally.assert_clean("refresh replay / deactivate");
    let (intact, out) = audit_verify(&app);
    assert!(intact, "{out}");
}

async fn writes_to_one_registrant_at_once_never_fail(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let mut tally = Tally::default();
    for i in 0..SHORT_ROUNDS {
        let mut person = hanako();
        person["given_name"] = json!(format!("花子{i}"));
        let reg = app.register(&w.cm_a, &person).await;
        let id = reg["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/registrants/{id}");
        let mut changed = person.clone();
        changed["care_level"] = json!("care_3");
        let decisions = format!("{path}/care-decisions");
        let handover = format!("{path}/handover");
        let first = decision("new");
        let target = json!({"organization_id": w.org_b});
        let answers = join_all([
            Box::pin(app.call(
                "PUT",
                &path,
                Some(&w.cm_a),
                Some(&changed),
                &[("If-Match", "\"1\"")],
            )) as std::pin::Pin<Box<dyn std::future::Future<Output = Resp>>>,
            Box::pin(app.post(&decisions, &w.cm_a, &first)),
            Box::pin(app.post(&decisions, &w.cm_a, &first)),
            Box::pin(app.get(&path, &w.cm_a)),
            Box::pin(if i % 2 == 0 {
                app.call("DELETE", &path, Some(&w.cm_a), None, &[])
            } else {
                app.call("POST", &handover, Some(&w.cm_a), Some(&target), &[])
            }),
        ])
        .await;
        let labels = [
            "replace",
            "decision",
            "decision",
            "read",
            "withdraw/handover",
        ];
        let pairs: Vec<(&str, &Resp)> = labels.iter().copied().zip(answers.iter()).collect();
        tally.round(&pairs);
        for (what, r) in &pairs {
            assert!(
                r.status >= 500 || r.status < 300 || [404, 409, 412, 422].contains(&r.status),
                "{what}: {} {}",
                r.status,
                r.text
            );
        }
    }
    tally.assert_clean("registrant writes");
    let (intact, out) = audit_verify(&app);
    assert!(intact, "{out}");
}

async fn opening_and_reporting_one_lookup_at_once_never_fail(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.search_rate_per_minute = 1000).await;
    let w = app.world().await;
    let reg = app.register(&w.cm_a, &hanako()).await;
    let id = reg["id"].as_str().unwrap().to_owned();
    let mut tally = Tally::default();
    for i in 0..SHORT_ROUNDS {
        let r = app
            .post(
                "/api/v1/emergency/search",
                &w.medic,
                &json!({"incident_id": format!("INC-{i}"), "query": {"card_code": reg["card_code"]}}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let lookup = r.body["lookup_id"].as_str().unwrap().to_owned();
        let summary = format!("/api/v1/emergency/registrants/{id}?lookup_id={lookup}");
        let outcome = format!("/api/v1/emergency/lookups/{lookup}/outcome");
        let confirmed = json!({"result": "confirmed"});
        let wrong = json!({"result": "wrong_person"});
        let answers = join_all([
            Box::pin(app.get(&summary, &w.medic))
                as std::pin::Pin<Box<dyn std::future::Future<Output = Resp>>>,
            Box::pin(app.get(&summary, &w.medic)),
            Box::pin(app.post(&outcome, &w.medic, &confirmed)),
            Box::pin(app.post(&outcome, &w.medic, &wrong)),
        ])
        .await;
        let labels = ["summary", "summary", "outcome", "outcome"];
        let pairs: Vec<(&str, &Resp)> = labels.iter().copied().zip(answers.iter()).collect();
        tally.round(&pairs);
        for (what, r) in &pairs {
            assert!(r.status >= 500 || r.status < 300, "{what}: {}", r.text);
        }
    }
    tally.assert_clean("summary / outcome");
    let (intact, out) = audit_verify(&app);
    assert!(intact, "{out}");
}

async fn account_and_settings_writes_at_once_never_fail(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let user = app
        .user(&w.admin, "cm.acct", "care_manager", &w.org_a)
        .await;
    let user_path = format!("/api/v1/users/{user}");
    let password_path = format!("{user_path}/password");
    let mut tally = Tally::default();
    for i in 0..SHORT_ROUNDS {
        let bad = json!({"login": "cm.acct", "password": "not the password at all"});
        let new_login = json!({"login": format!("cm.dup{i}"), "password": PASSWORD,
            "role": "care_manager", "organization_id": w.org_a, "display_name": "dup"});
        let mfa = json!({"required_roles": if i % 2 == 0 { json!(["admin"]) } else { json!([]) }});
        let new_password = json!({"password": PASSWORD});
        let answers = join_all([
            Box::pin(app.call("POST", "/api/v1/auth/token", None, Some(&bad), &[]))
                as std::pin::Pin<Box<dyn std::future::Future<Output = Resp>>>,
            Box::pin(app.call("POST", "/api/v1/auth/token", None, Some(&bad), &[])),
            Box::pin(app.post("/api/v1/users", &w.admin, &new_login)),
            Box::pin(app.post("/api/v1/users", &w.admin, &new_login)),
            Box::pin(app.call(
                "PUT",
                "/api/v1/settings/mfa",
                Some(&w.admin),
                Some(&mfa),
                &[],
            )),
            Box::pin(app.call(
                "PUT",
                "/api/v1/settings/mfa",
                Some(&w.admin),
                Some(&mfa),
                &[],
            )),
            Box::pin(app.post(&password_path, &w.admin, &new_password)),
            Box::pin(patch(
                &app,
                &user_path,
                &w.admin,
                json!({"display_name": format!("n{i}")}),
            )),
        ])
        .await;
        let labels = [
            "failed login",
            "failed login",
            "create user",
            "create user",
            "mfa settings",
            "mfa settings",
            "password reset",
            "rename user",
        ];
        let pairs: Vec<(&str, &Resp)> = labels.iter().copied().zip(answers.iter()).collect();
        tally.round(&pairs);
        let created = answers[2..4].iter().filter(|r| r.status == 201).count();
        let taken = answers[2..4].iter().filter(|r| r.status == 409).count();
        if answers[2..4].iter().all(|r| r.status < 500) {
            assert_eq!((created, taken), (1, 1), "one login, one user");
        }
    }
    // Leave MFA off so the admin can still log in below.
    let off = json!({"required_roles": []});
    let r = app
        .call(
            "PUT",
            "/api/v1/settings/mfa",
            Some(&w.admin),
            Some(&off),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    tally.assert_clean("account and settings writes");
    let (intact, out) = audit_verify(&app);
    assert!(intact, "{out}");
}
