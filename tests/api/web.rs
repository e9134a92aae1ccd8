//! The web pages: security headers, cookie session (sign-in, idle timeout,
//! sign-out, password reset), CSRF refusal, the crew journey with its audit, and
//! per-object authorization shown as a 404 page; on SQLite and PostgreSQL.

use serde_json::json;

use crate::both_backends;
use crate::common::{decision, hanako, run_sql, Backend, TestApp, PASSWORD};

both_backends!(
    pages_are_japanese_with_strict_csp_and_no_store,
    an_unknown_page_is_an_html_404_for_browsers_and_json_for_the_api,
    sign_in_sets_an_httponly_strict_cookie_and_opens_the_roles_page,
    wrong_password_is_refused_and_counted_like_the_api,
    forms_without_token_or_from_another_origin_are_refused,
    an_idle_session_ends_and_asks_to_sign_in_again,
    sign_out_and_password_reset_end_the_session,
    crew_journey_in_the_browser_is_recorded_and_audited_with_the_incident,
    a_summary_not_listed_by_the_crews_lookup_is_a_404_page,
    every_page_answers_each_role_as_the_authorization_table_says,
);

/// A browser: keeps the cookies eir sets and sends forms as a page would.
struct Browser<'a> {
    app: &'a TestApp,
    /// Redirects are looked at, not followed.
    client: awc::Client,
    cookies: Vec<(String, String)>,
}

struct Page {
    status: u16,
    headers: awc::http::header::HeaderMap,
    text: String,
}

impl Page {
    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    /// The value of the first hidden input `name`.
    fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self
            .text
            .find(&marker)
            .unwrap_or_else(|| panic!("no {name} in {}", self.text))
            + marker.len();
        let end = self.text[start..].find('"').unwrap() + start;
        self.text[start..end].to_owned()
    }
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            client: awc::Client::builder().disable_redirects().finish(),
            cookies: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, headers: &awc::http::header::HeaderMap) {
        for v in headers.get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap();
            let (k, val) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !val.is_empty() {
                self.cookies.push((k.to_owned(), val.to_owned()));
            }
        }
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        form: Option<&[(&str, &str)]>,
        extra: &[(&str, &str)],
    ) -> Page {
        let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .client
            .request(method, self.app.url(path))
            .insert_header(("Accept", "text/html"))
            .insert_header(("Cookie", self.cookie_header()));
        for (k, v) in extra {
            req = req.insert_header((*k, *v));
        }
        let mut res = match form {
            Some(f) => req.send_form(&f.to_vec()).await.unwrap(),
            None => req.send().await.unwrap(),
        };
        let bytes = res.body().limit(8 * 1024 * 1024).await.unwrap();
        let headers = res.headers().clone();
        self.keep_cookies(&headers);
        Page {
            status: res.status().as_u16(),
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        self.send("GET", path, None, &[]).await
    }

    /// Posts a form as a page of this site does (same-origin fetch metadata).
    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        self.send(
            "POST",
            path,
            Some(form),
            &[("Sec-Fetch-Site", "same-origin")],
        )
        .await
    }

    async fn sign_in(&mut self, login: &str, password: &str) -> Page {
        let page = self.get("/login").await;
        let token = page.hidden("csrf");
        self.post(
            "/login",
            &[
                ("csrf", &token),
                ("login", login),
                ("password", password),
                ("next", ""),
            ],
        )
        .await
    }

    fn has_cookie(&self, name: &str) -> bool {
        self.cookies.iter().any(|(k, _)| k == name)
    }
}

async fn pages_are_japanese_with_strict_csp_and_no_store(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut browser = Browser::new(&app);
    let page = browser.get("/login").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("<html lang=\"ja\">"), "{}", page.text);
    let csp = page.header("content-security-policy");
    assert!(
        csp.contains("script-src 'self'") && csp.contains("style-src 'self'"),
        "{csp}"
    );
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("form-action 'self'"),
        "{csp}"
    );
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert_eq!(page.header("cache-control"), "no-store");
    assert_eq!(page.header("x-content-type-options"), "nosniff");
    assert_eq!(page.header("x-frame-options"), "DENY");
    assert!(
        !page.text.contains("<script>") && !page.text.contains("style=\""),
        "no inline script or style"
    );
    // The stylesheet is embedded in the binary and cacheable under its version.
    let css_path = {
        let start = page.text.find("/assets/").unwrap();
        let end = page.text[start..].find('"').unwrap() + start;
        page.text[start..end].to_owned()
    };
    assert!(css_path.ends_with("/app.css"), "{css_path}");
    let css = browser.get(&css_path).await;
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").starts_with("text/css"));
    assert!(css.header("cache-control").contains("immutable"));
}

async fn an_unknown_page_is_an_html_404_for_browsers_and_json_for_the_api(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut browser = Browser::new(&app);
    let page = browser.get("/no-such-page").await;
    assert_eq!(page.status, 404);
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(page.text.contains("ページが見つかりません"));
    let api = app
        .call("GET", "/api/v1/nothing-here", None, None, &[])
        .await;
    api.assert_problem(404, None);
}

async fn sign_in_sets_an_httponly_strict_cookie_and_opens_the_roles_page(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.world().await;
    let mut browser = Browser::new(&app);
    let signed = browser.sign_in("medic.1", PASSWORD).await;
    assert_eq!(signed.status, 303, "{}", signed.text);
    assert_eq!(signed.header("location"), "/crew");
    let set_cookie: Vec<String> = signed
        .headers
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned())
        .filter(|v| v.starts_with("eir_session="))
        .collect();
    assert_eq!(set_cookie.len(), 1, "{set_cookie:?}");
    assert!(set_cookie[0].contains("HttpOnly"), "{}", set_cookie[0]);
    assert!(
        set_cookie[0].contains("SameSite=Strict"),
        "{}",
        set_cookie[0]
    );
    // Only the hash of the cookie's value is stored.
    let (_, raw) = browser
        .cookies
        .iter()
        .find(|(k, _)| k == "eir_session")
        .unwrap()
        .clone();
    assert_eq!(app.count("web_sessions"), 1);
    let mut conn = app.db();
    {
        use diesel::prelude::*;
        use eir::db::schema::web_sessions;
        let stored: Vec<String> = web_sessions::table
            .select(web_sessions::token_hash)
            .load(&mut *conn)
            .unwrap();
        assert!(!stored.contains(&raw));
    }
    let crew = browser.get("/crew").await;
    assert_eq!(crew.status, 200);
    assert!(crew.text.contains("救急隊 検索"));
    // Another role's page answers with the forbidden page, not the data.
    let admin = browser.get("/admin").await;
    assert_eq!(admin.status, 403);
    // Not signed in: to the sign-in page, coming back afterwards.
    let mut stranger = Browser::new(&app);
    let page = stranger.get("/crew?card=K7Q-4MX-9PD").await;
    assert_eq!(page.status, 303);
    assert_eq!(
        page.header("location"),
        "/login?next=%2Fcrew%3Fcard%3DK7Q-4MX-9PD"
    );
}

async fn wrong_password_is_refused_and_counted_like_the_api(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.max_failed_logins = 3).await;
    app.world().await;
    let mut browser = Browser::new(&app);
    for _ in 0..3 {
        let page = browser.sign_in("medic.1", "wrong password").await;
        assert_eq!(page.status, 401);
        assert!(page.text.contains("正しくないか"));
        assert!(!browser.has_cookie("eir_session"));
    }
    // The account is now locked for the API too: one lock, whichever door.
    let r = app
        .call(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({"login": "medic.1", "password": PASSWORD})),
            &[],
        )
        .await;
    r.assert_problem(401, None);
    let page = browser.sign_in("medic.1", PASSWORD).await;
    assert_eq!(page.status, 401);
}

async fn forms_without_token_or_from_another_origin_are_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.world().await;
    let mut browser = Browser::new(&app);
    browser.sign_in("medic.1", PASSWORD).await;
    let page = browser.get("/crew").await;
    let csrf = page.hidden("csrf");
    let fields = [
        ("incident_id", "2026-1"),
        ("name", "佐藤 花子"),
        ("birth_date", "1940-03-02"),
    ];
    let lookups_before = app.count("lookups");
    let mut no_token = fields.to_vec();
    no_token.push(("csrf", "not-the-token"));
    let refused = browser.post("/crew/search", &no_token).await;
    assert_eq!(refused.status, 403);
    assert!(refused.text.contains("送信を受け付けられませんでした"));
    let mut with_token = fields.to_vec();
    with_token.push(("csrf", &csrf));
    let cross = browser
        .send(
            "POST",
            "/crew/search",
            Some(&with_token),
            &[("Sec-Fetch-Site", "cross-site")],
        )
        .await;
    assert_eq!(cross.status, 403);
    let other_origin = browser
        .send(
            "POST",
            "/crew/search",
            Some(&with_token),
            &[("Origin", "https://evil.example")],
        )
        .await;
    assert_eq!(other_origin.status, 403);
    // The sign-in form needs its own cookie-bound token too.
    let mut fresh = Browser::new(&app);
    let login = fresh
        .post(
            "/login",
            &[
                ("csrf", "guess"),
                ("login", "medic.1"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(login.status, 403);
    assert_eq!(app.count("lookups"), lookups_before, "nothing was searched");
    // With the token, from this site: searched.
    let ok = browser.post("/crew/search", &with_token).await;
    assert!(ok.status == 200 || ok.status == 303, "{}", ok.text);
    assert_eq!(app.count("lookups"), lookups_before + 1);
}

async fn an_idle_session_ends_and_asks_to_sign_in_again(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.web_session_idle_secs = 600).await;
    app.world().await;
    let mut browser = Browser::new(&app);
    browser.sign_in("medic.1", PASSWORD).await;
    assert_eq!(browser.get("/crew").await.status, 200);
    // Eleven minutes without use.
    run_sql(
        &app,
        match app.backend {
            Backend::Sqlite => {
                "UPDATE web_sessions SET last_seen_at = datetime(last_seen_at, '-11 minutes')"
            }
            Backend::Postgres(_) => {
                "UPDATE web_sessions SET last_seen_at = last_seen_at - INTERVAL '11 minutes'"
            }
        },
    );
    let page = browser.get("/crew").await;
    assert_eq!(page.status, 303);
    assert!(
        page.header("location").starts_with("/login?expired=1"),
        "{}",
        page.header("location")
    );
    assert_eq!(app.count("web_sessions"), 0, "the ended session is removed");
    let login = browser.get(&page.header("location")).await;
    assert!(login.text.contains("一定時間操作がなかったため"));
}

async fn sign_out_and_password_reset_end_the_session(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let mut browser = Browser::new(&app);
    browser.sign_in("medic.1", PASSWORD).await;
    let page = browser.get("/crew").await;
    let csrf = page.hidden("csrf");
    let kept = browser.cookies.clone();
    let out = browser.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.header("location"), "/login?signed_out=1");
    // The old cookie, replayed, opens nothing.
    browser.cookies = kept;
    assert_eq!(browser.get("/crew").await.status, 303);

    let mut browser = Browser::new(&app);
    browser.sign_in("medic.1", PASSWORD).await;
    assert_eq!(browser.get("/crew").await.status, 200);
    let users = app.get("/api/v1/users?limit=200", &w.admin).await;
    let id = users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "medic.1")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .post(
            &format!("/api/v1/users/{id}/password"),
            &w.admin,
            &json!({"password": "a new long password 2"}),
        )
        .await;
    assert!(r.status < 300, "{}", r.text);
    let page = browser.get("/crew").await;
    assert_eq!(page.status, 303, "a password reset ends the session");
}

async fn crew_journey_in_the_browser_is_recorded_and_audited_with_the_incident(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let person = app.register(&w.cm_a, &hanako()).await;
    let id = person["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/registrants/{id}/care-decisions"),
        &w.cm_a,
        &decision("new"),
    )
    .await;
    let mut browser = Browser::new(&app);
    browser.sign_in("medic.1", PASSWORD).await;
    let csrf = browser.get("/crew").await.hidden("csrf");
    let found = browser
        .post(
            "/crew/search",
            &[
                ("csrf", &csrf),
                ("incident_id", "INC-77"),
                ("name", "さとう はなこ"),
                ("birth_date", "昭和15年3月2日"),
            ],
        )
        .await;
    assert_eq!(found.status, 303, "{}", found.text);
    let summary_path = found.header("location");
    assert!(
        summary_path.contains(&format!("/registrants/{id}?incident=INC-77")),
        "{summary_path}"
    );
    let summary = browser.get(&summary_path).await;
    assert_eq!(summary.status, 200);
    assert_eq!(summary.header("cache-control"), "no-store");
    assert!(summary.text.contains("佐藤 花子"));
    assert!(summary.text.contains("tel:"), "tap-to-call links");
    // Audited exactly like the API: who, which person, which incident.
    let log = app
        .get(
            &format!("/api/v1/audit?registrant_id={id}&limit=50"),
            &w.admin,
        )
        .await;
    let reads: Vec<&serde_json::Value> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "emergency.read")
        .collect();
    assert_eq!(reads.len(), 1, "{}", log.text);
    assert_eq!(reads[0]["incident_id"], "INC-77");
    // One tap reports the outcome.
    let lookup_id = summary_path.split('/').nth(3).unwrap().to_owned();
    let reported = browser
        .post(
            &format!("/crew/lookups/{lookup_id}/outcome"),
            &[("csrf", &csrf), ("result", "confirmed")],
        )
        .await;
    assert_eq!(reported.status, 303);
    let stats = app.get("/api/v1/stats/hit-rate", &w.admin).await;
    assert_eq!(stats.body["total"]["result_confirmed"], 1, "{}", stats.text);
}

async fn a_summary_not_listed_by_the_crews_lookup_is_a_404_page(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let person = app.register(&w.cm_a, &hanako()).await;
    let id = person["id"].as_str().unwrap().to_owned();
    let mut browser = Browser::new(&app);
    browser.sign_in("medic.1", PASSWORD).await;
    let page = browser
        .get(&format!(
            "/crew/lookups/{}/registrants/{id}",
            uuid::Uuid::new_v4()
        ))
        .await;
    assert_eq!(page.status, 404);
    assert!(page.text.contains("ページが見つかりません"));
    assert!(!page.text.contains("花子"));
}

async fn every_page_answers_each_role_as_the_authorization_table_says(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let person = app.register(&w.cm_a, &hanako()).await;
    let id = person["id"].as_str().unwrap().to_owned();
    let mut browsers = Vec::new();
    for login in ["", "medic.1", "cm.a", "cm.b", crate::common::ADMIN_LOGIN] {
        let mut b = Browser::new(&app);
        if !login.is_empty() {
            let password = if login == crate::common::ADMIN_LOGIN {
                crate::common::ADMIN_PASSWORD
            } else {
                PASSWORD
            };
            let r = b.sign_in(login, password).await;
            assert_eq!(r.status, 303, "{login}: {}", r.text);
        }
        browsers.push(b);
    }
    // Expected status for: nobody, paramedic, care manager of the owning
    // office, care manager of another office, admin. 303 = to the sign-in page.
    let table: Vec<(String, [u16; 5])> = vec![
        ("/crew".into(), [303, 200, 403, 403, 403]),
        ("/registrants".into(), [303, 403, 200, 200, 403]),
        ("/registrants/new".into(), [303, 403, 200, 200, 403]),
        (format!("/registrants/{id}"), [303, 403, 200, 404, 403]),
        (format!("/registrants/{id}/edit"), [303, 403, 200, 404, 403]),
        (
            format!("/registrants/{id}/access-log"),
            [303, 403, 200, 404, 403],
        ),
        (
            format!("/registrants/{id}/decisions/new"),
            [303, 403, 200, 404, 403],
        ),
        ("/admin".into(), [303, 403, 403, 403, 200]),
        (
            "/admin/stats/districts.csv".into(),
            [303, 403, 403, 403, 200],
        ),
        ("/admin/organizations".into(), [303, 403, 403, 403, 200]),
        ("/admin/users".into(), [303, 403, 403, 403, 200]),
        ("/admin/districts".into(), [303, 403, 403, 403, 200]),
        ("/admin/audit".into(), [303, 403, 403, 403, 200]),
        ("/mfa".into(), [303, 200, 200, 200, 200]),
    ];
    for (path, expected) in &table {
        for (who, want) in expected.iter().enumerate() {
            let page = browsers[who].get(path).await;
            assert_eq!(page.status, *want, "{path} as browser {who}: {}", page.text);
            if *want == 404 || *want == 403 {
                assert!(
                    !page.text.contains("花子"),
                    "{path} as {who} shows the person"
                );
            }
        }
    }
}
