//! Attacks on authentication over HTTP: forged, tampered, expired and revoked
//! tokens, key rotation, the second factor, and login abuse (per account and per
//! client address, across instances).

use jsonwebtoken::{encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{json, Value};

use crate::both_backends;
use crate::common::{Backend, Resp, TestApp, ADMIN_LOGIN, ADMIN_PASSWORD, PASSWORD};
use eir::auth::jwt::key_id;
use eir::auth::totp;
use eir::config::Secret;

const SECRET: &str = "test-secret-test-secret-test-secret-0123";
const RSA_KEY: &[u8] = include_bytes!("../fixtures/attacker_rsa_key.pem");
const RSA_PUB: &[u8] = include_bytes!("../fixtures/attacker_rsa_pub.pem");

both_backends!(
    forged_and_stale_tokens_are_all_refused_alike,
    deactivated_user_and_password_reset_end_tokens,
    refresh_token_reuse_revokes_the_family,
    retired_keys_verify_by_kid_and_unlisted_keys_do_not,
    totp_enrolment_then_login_needs_the_code,
    recovery_codes_work_once,
    admin_requires_a_second_factor_per_role,
    unknown_login_wrong_password_and_locked_account_look_the_same,
    failures_per_address_lock_the_address_across_instances,
);

/// The claims of a token this server issued (read with the known test key).
fn claims_of(token: &str, secret: &str) -> Value {
    let mut v = Validation::new(Algorithm::HS256);
    v.set_audience(&["eir-api"]);
    jsonwebtoken::decode::<Value>(token, &DecodingKey::from_secret(secret.as_bytes()), &v)
        .unwrap()
        .claims
}

fn sign_hs(claims: &Value, secret: &[u8], kid: Option<String>) -> String {
    let mut h = Header::new(Algorithm::HS256);
    h.kid = kid;
    encode(&h, claims, &EncodingKey::from_secret(secret)).unwrap()
}

fn b64(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// Every way a bearer token can be wrong, as the attacker would send it.
fn forged_tokens(valid: &str) -> Vec<(&'static str, String)> {
    let claims = claims_of(valid, SECRET);
    let kid = Some(key_id(SECRET.as_bytes()));
    let now = chrono::Utc::now().timestamp();
    let with = |k: &str, v: Value| {
        let mut c = claims.clone();
        c[k] = v;
        c
    };
    let none_header =
        b64(&serde_json::to_vec(&json!({"alg": "none", "typ": "JWT", "kid": kid})).unwrap());
    let payload = b64(&serde_json::to_vec(&claims).unwrap());
    let mut rs_header = Header::new(Algorithm::RS256);
    rs_header.kid = kid.clone();
    let rs256 = encode(
        &rs_header,
        &claims,
        &EncodingKey::from_rsa_pem(RSA_KEY).unwrap(),
    )
    .unwrap();
    // Change the payload but keep the signature.
    let parts: Vec<&str> = valid.split('.').collect();
    let changed = b64(&serde_json::to_vec(&with("jti", json!(uuid::Uuid::new_v4()))).unwrap());
    let tampered = format!("{}.{}.{}", parts[0], changed, parts[2]);
    vec![
        ("malformed", "not-a-jwt".to_owned()),
        ("three garbage parts", "a.b.c".to_owned()),
        ("alg none", format!("{none_header}.{payload}.")),
        (
            "another key",
            sign_hs(
                &claims,
                b"another-secret-another-secret-0123456",
                kid.clone(),
            ),
        ),
        ("another key, its own kid", {
            let other = b"another-secret-another-secret-0123456";
            sign_hs(&claims, other, Some(key_id(other)))
        }),
        ("no kid", sign_hs(&claims, SECRET.as_bytes(), None)),
        (
            "unknown kid",
            sign_hs(&claims, SECRET.as_bytes(), Some("0badc0ffee00".into())),
        ),
        ("RS256 with the attacker's key", rs256),
        (
            "HS256 keyed with a public key",
            sign_hs(&claims, RSA_PUB, kid.clone()),
        ),
        ("tampered payload", tampered),
        (
            "expired",
            sign_hs(
                &with("exp", json!(now - 3600)),
                SECRET.as_bytes(),
                kid.clone(),
            ),
        ),
        (
            "not yet valid",
            sign_hs(
                &with("nbf", json!(now + 3600)),
                SECRET.as_bytes(),
                kid.clone(),
            ),
        ),
        (
            "wrong issuer",
            sign_hs(&with("iss", json!("evil")), SECRET.as_bytes(), kid.clone()),
        ),
        (
            "wrong audience",
            sign_hs(
                &with("aud", json!("other-api")),
                SECRET.as_bytes(),
                kid.clone(),
            ),
        ),
        (
            "unknown user",
            sign_hs(
                &with("sub", json!(uuid::Uuid::new_v4())),
                SECRET.as_bytes(),
                kid.clone(),
            ),
        ),
        (
            "unknown scope",
            sign_hs(
                &with("scope", json!("superuser")),
                SECRET.as_bytes(),
                kid.clone(),
            ),
        ),
        (
            "stale password version",
            sign_hs(&with("pwv", json!(1)), SECRET.as_bytes(), kid),
        ),
    ]
}

/// Asserts 401 with exactly the body of a request without a token.
#[track_caller]
fn assert_refused_like(r: &Resp, reference: &Resp, what: &str) {
    assert_eq!(r.status, 401, "{what}: {}", r.text);
    assert_eq!(r.body, reference.body, "{what}: the body must not differ");
    assert_eq!(
        r.header("www-authenticate").as_deref(),
        Some("Bearer"),
        "{what}"
    );
}

async fn forged_and_stale_tokens_are_all_refused_alike(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = app.admin_token().await;
    let no_token = app.call("GET", "/api/v1/users", None, None, &[]).await;
    no_token.assert_problem(401, None);
    // The unmodified token works: every refusal below is due to the change made.
    assert_eq!(app.get("/api/v1/users", &admin).await.status, 200);
    for (what, token) in forged_tokens(&admin) {
        let r = app.get("/api/v1/users", &token).await;
        assert_refused_like(&r, &no_token, what);
    }
    let other_scheme = format!("Token {admin}");
    for header in [
        "Basic YWRtaW46YWRtaW4=",
        "Bearer",
        "Bearer ",
        other_scheme.as_str(),
    ] {
        let r = app
            .call(
                "GET",
                "/api/v1/users",
                None,
                None,
                &[("Authorization", header)],
            )
            .await;
        assert_refused_like(&r, &no_token, header);
    }
}

async fn deactivated_user_and_password_reset_end_tokens(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let no_token = app
        .call("GET", "/api/v1/registrants", None, None, &[])
        .await;
    let spare = app
        .user(&w.admin, "cm.spare", "care_manager", &w.org_a)
        .await;
    let t = app.login("cm.spare", PASSWORD).await;
    assert_eq!(app.get("/api/v1/registrants", &t).await.status, 200);
    let r = app
        .call(
            "POST",
            &format!("/api/v1/users/{spare}/password"),
            Some(&w.admin),
            Some(&json!({"password": "another long password 2"})),
            &[],
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_refused_like(
        &app.get("/api/v1/registrants", &t).await,
        &no_token,
        "password reset",
    );

    let t = app.login("cm.spare", "another long password 2").await;
    assert_eq!(app.get("/api/v1/registrants", &t).await.status, 200);
    let r = app
        .call(
            "PATCH",
            &format!("/api/v1/users/{spare}"),
            Some(&w.admin),
            Some(&json!({"active": false})),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_refused_like(
        &app.get("/api/v1/registrants", &t).await,
        &no_token,
        "deactivated",
    );
    // A deactivated organization ends its users' tokens too.
    let r = app
        .call(
            "PATCH",
            &format!("/api/v1/organizations/{}", w.org_b),
            Some(&w.admin),
            Some(&json!({"active": false})),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_refused_like(
        &app.get("/api/v1/registrants", &w.cm_b).await,
        &no_token,
        "organization deactivated",
    );
}

async fn refresh_token_reuse_revokes_the_family(b: Backend) {
    let app = TestApp::spawn(b).await;
    let login = app
        .call(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({"login": ADMIN_LOGIN, "password": ADMIN_PASSWORD})),
            &[],
        )
        .await;
    let r1 = login.body["refresh_token"].as_str().unwrap().to_owned();
    let refresh = |t: String| {
        let app = &app;
        async move {
            app.call(
                "POST",
                "/api/v1/auth/refresh",
                None,
                Some(&json!({"refresh_token": t})),
                &[],
            )
            .await
        }
    };
    let second = refresh(r1.clone()).await;
    assert_eq!(second.status, 200, "{}", second.text);
    let r2 = second.body["refresh_token"].as_str().unwrap().to_owned();
    // The thief replays the spent token: refused, and the whole family ends.
    let replay = refresh(r1).await;
    replay.assert_problem(401, None);
    let legit = refresh(r2).await;
    legit.assert_problem(401, None);
    assert_eq!(replay.body, legit.body);
    refresh("eirr_00".into()).await.assert_problem(401, None);
}

async fn retired_keys_verify_by_kid_and_unlisted_keys_do_not(b: Backend) {
    const OLD: &str = "the-old-signing-key-retired-in-2026-abcdef";
    const GONE: &str = "a-key-retired-long-ago-and-removed-0123456";
    let app = TestApp::spawn_with(b, |c| {
        c.jwt_previous_secrets = vec![Secret::new(OLD)];
    })
    .await;
    let admin = app.admin_token().await;
    let claims = claims_of(&admin, SECRET);
    assert_eq!(
        jsonwebtoken::decode_header(&admin).unwrap().kid,
        Some(key_id(SECRET.as_bytes())),
        "the active key signs"
    );
    let by_old = sign_hs(&claims, OLD.as_bytes(), Some(key_id(OLD.as_bytes())));
    assert_eq!(app.get("/api/v1/users", &by_old).await.status, 200);
    let by_gone = sign_hs(&claims, GONE.as_bytes(), Some(key_id(GONE.as_bytes())));
    app.get("/api/v1/users", &by_gone)
        .await
        .assert_problem(401, None);
    // The old key's kid with another key's signature is still refused.
    let mixed = sign_hs(&claims, GONE.as_bytes(), Some(key_id(OLD.as_bytes())));
    app.get("/api/v1/users", &mixed)
        .await
        .assert_problem(401, None);
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Enrols the user of `token`; returns the key and the recovery codes.
async fn enrol(app: &TestApp, token: &str) -> (Vec<u8>, Vec<String>) {
    let r = app
        .call("POST", "/api/v1/auth/totp/enroll", Some(token), None, &[])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let secret = r.body["secret"].as_str().unwrap().to_owned();
    let uri = r.body["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/eir%3A") && uri.contains(&format!("secret={secret}")),
        "{uri}"
    );
    let key = totp::base32_decode(&secret).unwrap();
    let wrong = app
        .post(
            "/api/v1/auth/totp/confirm",
            token,
            &json!({"code": "12345"}),
        )
        .await;
    wrong.assert_problem(400, Some("code"));
    let r = app
        .post(
            "/api/v1/auth/totp/confirm",
            token,
            &json!({"code": totp::totp(&key, now(), 6)}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let codes: Vec<String> = r.body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    (key, codes)
}

async fn login_with(app: &TestApp, login: &str, password: &str, extra: Value) -> Resp {
    let mut body = json!({"login": login, "password": password});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    app.call("POST", "/api/v1/auth/token", None, Some(&body), &[])
        .await
}

async fn totp_enrolment_then_login_needs_the_code(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let (key, _) = enrol(&app, &w.cm_a).await;
    // Enrolling twice is refused; the secret is never shown again.
    let again = app
        .call("POST", "/api/v1/auth/totp/enroll", Some(&w.cm_a), None, &[])
        .await;
    again.assert_problem(409, None);

    let no_code = login_with(&app, "cm.a", PASSWORD, json!({})).await;
    no_code.assert_problem(401, None);
    assert_eq!(
        no_code.body["type"],
        "https://eir.example/problems/mfa-required"
    );
    let bad = login_with(&app, "cm.a", PASSWORD, json!({"totp_code": "000000"})).await;
    bad.assert_problem(401, None);
    let wrong_password = login_with(&app, "cm.a", "wrong password wrong", json!({})).await;
    assert_eq!(
        bad.body, wrong_password.body,
        "a wrong code looks like a wrong password"
    );
    // The code of the next step: the confirmation spent the current one.
    let code = totp::totp(&key, now() + 30, 6);
    let ok = login_with(&app, "cm.a", PASSWORD, json!({"totp_code": code})).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["mfa_enrolment_required"], false);
    let token = ok.body["access_token"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/registrants", token).await.status, 200);
    // A code is accepted once.
    let replay = login_with(&app, "cm.a", PASSWORD, json!({"totp_code": code})).await;
    replay.assert_problem(401, None);
    // A wrong password with a right code is still refused.
    let code = totp::totp(&key, now() + 30, 6);
    login_with(
        &app,
        "cm.a",
        "wrong password wrong",
        json!({"totp_code": code}),
    )
    .await
    .assert_problem(401, None);
    let audit = app.get("/api/v1/audit", &w.admin).await;
    assert!(audit.text.contains("auth.totp_enrolled"), "{}", audit.text);
    assert!(
        !audit.text.contains(&totp::base32_encode(&key)),
        "secret never in the audit log"
    );
}

async fn recovery_codes_work_once(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let (_, codes) = enrol(&app, &w.medic).await;
    let ok = login_with(
        &app,
        "medic.1",
        PASSWORD,
        json!({"recovery_code": codes[3].to_uppercase()}),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    login_with(
        &app,
        "medic.1",
        PASSWORD,
        json!({"recovery_code": codes[3]}),
    )
    .await
    .assert_problem(401, None);
    login_with(
        &app,
        "medic.1",
        PASSWORD,
        json!({"recovery_code": "aaaa-bbbb-cccc"}),
    )
    .await
    .assert_problem(401, None);
    assert_eq!(
        login_with(
            &app,
            "medic.1",
            PASSWORD,
            json!({"recovery_code": codes[4]})
        )
        .await
        .status,
        200
    );
    // Only hashes are stored.
    let stored = app.count("recovery_codes");
    assert_eq!(stored, 10);
    let medic_id = claims_of(&w.medic, SECRET)["sub"]
        .as_str()
        .unwrap()
        .to_owned();
    // An admin resets a lost factor: the password alone works again.
    let r = app
        .call(
            "DELETE",
            &format!("/api/v1/users/{medic_id}/totp"),
            Some(&w.admin),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(
        login_with(&app, "medic.1", PASSWORD, json!({}))
            .await
            .status,
        200
    );
    assert_eq!(app.count("recovery_codes"), 0);
}

async fn admin_requires_a_second_factor_per_role(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let r = app
        .call(
            "PUT",
            "/api/v1/settings/mfa",
            Some(&w.admin),
            Some(&json!({"required_roles": ["paramedic"]})),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["required_roles"], json!(["paramedic"]));
    assert_eq!(
        app.get("/api/v1/settings/mfa", &w.admin).await.body["required_roles"],
        json!(["paramedic"])
    );
    app.call(
        "PUT",
        "/api/v1/settings/mfa",
        Some(&w.cm_a),
        Some(&json!({"required_roles": []})),
        &[],
    )
    .await
    .assert_problem(403, None);

    // Care managers are not affected.
    let cm = login_with(&app, "cm.a", PASSWORD, json!({})).await;
    assert_eq!(cm.body["mfa_enrolment_required"], false);
    // A paramedic without a factor gets a token that can only enrol.
    let medic = login_with(&app, "medic.1", PASSWORD, json!({})).await;
    assert_eq!(medic.status, 200, "{}", medic.text);
    assert_eq!(medic.body["mfa_enrolment_required"], true);
    let limited = medic.body["access_token"].as_str().unwrap().to_owned();
    let refused = app.get("/api/v1/districts", &limited).await;
    refused.assert_problem(403, None);
    assert_eq!(
        refused.body["type"],
        "https://eir.example/problems/mfa-enrolment-required"
    );
    assert!(refused.body["detail"]
        .as_str()
        .unwrap()
        .contains("/api/v1/auth/totp/enroll"));
    // Refreshing does not lift the limit.
    let refreshed = app
        .call(
            "POST",
            "/api/v1/auth/refresh",
            None,
            Some(&json!({"refresh_token": medic.body["refresh_token"]})),
            &[],
        )
        .await;
    assert_eq!(
        refreshed.body["mfa_enrolment_required"], true,
        "{}",
        refreshed.text
    );
    let (key, _) = enrol(&app, &limited).await;
    let full = login_with(
        &app,
        "medic.1",
        PASSWORD,
        json!({"totp_code": totp::totp(&key, now() + 30, 6)}),
    )
    .await;
    assert_eq!(full.status, 200, "{}", full.text);
    assert_eq!(full.body["mfa_enrolment_required"], false);
    let token = full.body["access_token"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/districts", token).await.status, 200);
}

async fn unknown_login_wrong_password_and_locked_account_look_the_same(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.max_failed_logins = 3).await;
    let w = app.world().await;
    let _ = w;
    let unknown = login_with(&app, "nobody.here", PASSWORD, json!({})).await;
    unknown.assert_problem(401, None);
    for _ in 0..3 {
        let wrong = login_with(&app, "cm.a", "wrong password wrong", json!({})).await;
        assert_eq!((wrong.status, &wrong.body), (unknown.status, &unknown.body));
    }
    // Locked now: the right password gets the same answer.
    let locked = login_with(&app, "cm.a", PASSWORD, json!({})).await;
    assert_eq!(
        (locked.status, &locked.body),
        (unknown.status, &unknown.body)
    );
    assert_eq!(
        locked.header("content-type"),
        unknown.header("content-type")
    );
    // Other accounts are not affected.
    assert_eq!(
        login_with(&app, "cm.b", PASSWORD, json!({})).await.status,
        200
    );
}

async fn failures_per_address_lock_the_address_across_instances(b: Backend) {
    let mut app = TestApp::spawn_with(b, |c| {
        c.max_failed_logins_per_address = 4;
        c.max_failed_logins = 100;
    })
    .await;
    assert_eq!(
        login_with(&app, ADMIN_LOGIN, ADMIN_PASSWORD, json!({}))
            .await
            .status,
        200
    );
    let first = app.base.clone();
    let second = app.sibling();
    // Failures spread over two instances and many logins add up per address.
    for i in 0..4 {
        app.base = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        let r = login_with(&app, &format!("guess.{i}"), "password guess 123", json!({})).await;
        r.assert_problem(401, None);
    }
    for base in [&first, &second] {
        app.base = base.clone();
        let r = login_with(&app, ADMIN_LOGIN, ADMIN_PASSWORD, json!({})).await;
        r.assert_problem(401, None);
    }
    assert_eq!(app.count("login_failures"), 1);
}
