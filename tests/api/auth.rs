//! Logging in, refresh-token rotation, logout, and tokens that must stop working.

use serde_json::json;

use crate::both_backends;
use crate::common::{Backend, TestApp, ADMIN_LOGIN, ADMIN_PASSWORD, PASSWORD};

both_backends!(
    login_returns_a_token_pair,
    wrong_password_and_unknown_login_get_the_same_answer,
    refresh_rotates_and_a_spent_token_revokes_the_family,
    logout_revokes_the_refresh_token,
    deactivated_user_and_reset_password_end_access_tokens,
    requests_without_a_valid_token_get_401,
    account_locks_after_repeated_failures,
);

async fn login_returns_a_token_pair(b: Backend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .call(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({"login": ADMIN_LOGIN, "password": ADMIN_PASSWORD})),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["role"], "admin");
    assert!(r.body["expires_in"].as_u64().unwrap() > 0);
    assert!(r.body["refresh_token"]
        .as_str()
        .unwrap()
        .starts_with("eirr_"));
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    // The refresh token is stored hashed, never as given.
    let raw = r.body["refresh_token"].as_str().unwrap();
    use diesel::prelude::*;
    use eir::db::schema::refresh_tokens::dsl::*;
    let hashes: Vec<String> = refresh_tokens
        .select(token_hash)
        .load(&mut *app.db())
        .unwrap();
    assert_eq!(hashes.len(), 1);
    assert_ne!(hashes[0], raw);
}

async fn wrong_password_and_unknown_login_get_the_same_answer(b: Backend) {
    let app = TestApp::spawn(b).await;
    let wrong = app
        .call(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({"login": ADMIN_LOGIN, "password": "not the password"})),
            &[],
        )
        .await;
    let unknown = app
        .call(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({"login": "nobody", "password": "not the password"})),
            &[],
        )
        .await;
    wrong.assert_problem(401, None);
    unknown.assert_problem(401, None);
    assert_eq!(wrong.body["detail"], unknown.body["detail"]);
}

async fn refresh_rotates_and_a_spent_token_revokes_the_family(b: Backend) {
    let app = TestApp::spawn(b).await;
    let first = app
        .call(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({"login": ADMIN_LOGIN, "password": ADMIN_PASSWORD})),
            &[],
        )
        .await;
    let rt1 = first.body["refresh_token"].as_str().unwrap().to_owned();
    let second = app
        .call(
            "POST",
            "/api/v1/auth/refresh",
            None,
            Some(&json!({"refresh_token": rt1})),
            &[],
        )
        .await;
    assert_eq!(second.status, 200, "{}", second.text);
    let rt2 = second.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rt1, rt2);
    // The new access token works.
    let at2 = second.body["access_token"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/organizations", at2).await.status, 200);
    // Replaying the spent token fails and revokes the family, including rt2.
    let replay = app
        .call(
            "POST",
            "/api/v1/auth/refresh",
            None,
            Some(&json!({"refresh_token": rt1})),
            &[],
        )
        .await;
    replay.assert_problem(401, None);
    let after = app
        .call(
            "POST",
            "/api/v1/auth/refresh",
            None,
            Some(&json!({"refresh_token": rt2})),
            &[],
        )
        .await;
    after.assert_problem(401, None);
}

async fn logout_revokes_the_refresh_token(b: Backend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .call(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({"login": ADMIN_LOGIN, "password": ADMIN_PASSWORD})),
            &[],
        )
        .await;
    let rt = r.body["refresh_token"].as_str().unwrap().to_owned();
    let out = app
        .call(
            "POST",
            "/api/v1/auth/logout",
            None,
            Some(&json!({"refresh_token": rt})),
            &[],
        )
        .await;
    assert_eq!(out.status, 204);
    app.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(&json!({"refresh_token": rt})),
        &[],
    )
    .await
    .assert_problem(401, None);
}

async fn deactivated_user_and_reset_password_end_access_tokens(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let cm_b_id = {
        let users = app.get("/api/v1/users?limit=200", &w.admin).await;
        users.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["login"] == "cm.b")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let cm_a_id = {
        let users = app.get("/api/v1/users?limit=200", &w.admin).await;
        users.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["login"] == "cm.a")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(app.get("/api/v1/registrants", &w.cm_a).await.status, 200);
    // Password reset: the old token dies, the new password works at once.
    let reset = app
        .post(
            &format!("/api/v1/users/{cm_a_id}/password"),
            &w.admin,
            &json!({"password": "another long password 2"}),
        )
        .await;
    assert_eq!(reset.status, 204, "{}", reset.text);
    app.get("/api/v1/registrants", &w.cm_a)
        .await
        .assert_problem(401, None);
    let fresh = app.login("cm.a", "another long password 2").await;
    assert_eq!(app.get("/api/v1/registrants", &fresh).await.status, 200);
    // Deactivation: the token dies and logging in fails.
    let off = app
        .call(
            "PATCH",
            &format!("/api/v1/users/{cm_b_id}"),
            Some(&w.admin),
            Some(&json!({"active": false})),
            &[],
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.text);
    assert_eq!(off.body["active"], false);
    app.get("/api/v1/registrants", &w.cm_b)
        .await
        .assert_problem(401, None);
    app.call(
        "POST",
        "/api/v1/auth/token",
        None,
        Some(&json!({"login": "cm.b", "password": PASSWORD})),
        &[],
    )
    .await
    .assert_problem(401, None);
}

async fn requests_without_a_valid_token_get_401(b: Backend) {
    let app = TestApp::spawn(b).await;
    let none = app
        .call("GET", "/api/v1/organizations", None, None, &[])
        .await;
    none.assert_problem(401, None);
    assert_eq!(none.header("www-authenticate").as_deref(), Some("Bearer"));
    app.get("/api/v1/organizations", "garbage")
        .await
        .assert_problem(401, None);
    // A token signed with another key.
    let other = eir::auth::jwt::JwtKeys::new(&[9u8; 32], 60)
        .issue(uuid::Uuid::new_v4(), "admin", uuid::Uuid::new_v4(), 0)
        .unwrap();
    app.get("/api/v1/organizations", &other)
        .await
        .assert_problem(401, None);
}

async fn account_locks_after_repeated_failures(b: Backend) {
    let app = TestApp::spawn(b).await;
    for _ in 0..eir::config::Config::default().max_failed_logins {
        app.call(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({"login": ADMIN_LOGIN, "password": "wrong password!!"})),
            &[],
        )
        .await
        .assert_problem(401, None);
    }
    // Now even the right password is refused, with the same answer.
    app.call(
        "POST",
        "/api/v1/auth/token",
        None,
        Some(&json!({"login": ADMIN_LOGIN, "password": ADMIN_PASSWORD})),
        &[],
    )
    .await
    .assert_problem(401, None);
}
