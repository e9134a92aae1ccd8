//! `TestApp`: a real eir server on port 0 over a fresh database — a new SQLite file
//! or a new PostgreSQL schema — and helpers to talk to it over HTTP.

use std::io::Write;

use actix_web::HttpServer;
use serde_json::{json, Value};

use eir::config::{Config, Secret};

/// Which backend a test runs on.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

impl Backend {
    /// The PostgreSQL backend when `EIR_TEST_POSTGRES_URL` is set; otherwise says
    /// so on the terminal (not captured) and returns `None`.
    pub fn postgres(test: &str) -> Option<Backend> {
        match std::env::var("EIR_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Some(Backend::Postgres(url)),
            _ => {
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED postgres::{test}: set EIR_TEST_POSTGRES_URL to run it on PostgreSQL"
                );
                None
            }
        }
    }
}

/// Runs each named async test function on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    if let Some(b) = $crate::common::Backend::postgres(stringify!($name)) {
                        super::$name(b).await
                    }
                }
            )*
        }
    };
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: awc::http::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Asserts a problem document with `status` naming `field` (when given).
    #[track_caller]
    pub fn assert_problem(&self, status: u16, field: Option<&str>) {
        assert_eq!(self.status, status, "body: {}", self.text);
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "body: {}",
            self.text
        );
        assert_eq!(self.body["status"], status);
        if let Some(field) = field {
            let fields: Vec<&str> = self.body["errors"]
                .as_array()
                .map(|a| a.iter().filter_map(|e| e["field"].as_str()).collect())
                .unwrap_or_default();
            assert!(
                fields.contains(&field),
                "expected field {field} in {fields:?}: {}",
                self.text
            );
        }
    }
}

pub const ADMIN_LOGIN: &str = "root.admin";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";
pub const PASSWORD: &str = "a long enough password 1";

/// A running server and its database.
pub struct TestApp {
    pub base: String,
    pub client: awc::Client,
    pub backend: Backend,
    pub database_url: String,
    /// The configuration the server was started with.
    pub config: Config,
    _dir: tempfile::TempDir,
    schema: Option<String>,
}

impl TestApp {
    /// Starts a server over a fresh database of `backend`.
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Like [`TestApp::spawn`], with configuration changes.
    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let (database_url, schema) = match &backend {
            Backend::Sqlite => (dir.path().join("eir.sqlite3").display().to_string(), None),
            Backend::Postgres(base) => {
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                run_psql(base, &format!("CREATE SCHEMA {schema}"));
                let sep = if base.contains('?') { '&' } else { '?' };
                (
                    format!("{base}{sep}options=-csearch_path%3D{schema}"),
                    Some(schema),
                )
            }
        };
        let mut config = Config {
            database_url: Some(database_url.clone()),
            data_dir: dir.path().to_path_buf(),
            jwt_secret: Some(Secret::new("test-secret-test-secret-test-secret-0123")),
            admin_login: Some(ADMIN_LOGIN.into()),
            admin_password: Some(Secret::new(ADMIN_PASSWORD)),
            db_pool_size: 4,
            ..Config::default()
        };
        tweak(&mut config);
        let base = start_server(config.clone());
        TestApp {
            base,
            config,
            client: awc::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .finish(),
            backend,
            database_url,
            _dir: dir,
            schema,
        }
    }

    /// Another server (another "instance") over the same database and keys.
    pub fn sibling(&self) -> String {
        start_server(self.config.clone())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    async fn finish<S>(mut res: awc::ClientResponse<S>) -> Resp
    where
        S: futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>
            + Unpin,
    {
        let bytes = res.body().limit(64 * 1024 * 1024).await.unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Resp {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        }
    }

    /// Sends a request with an optional token, JSON body and extra headers.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        self.try_call(method, path, token, body, headers)
            .await
            .unwrap_or_else(|| panic!("{method} {path}: no answer"))
    }

    /// Like [`TestApp::call`]; `None` when the connection fails (a killed server).
    pub async fn try_call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Option<Resp> {
        let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        let mut res = match body {
            Some(b) => req.send_json(b).await,
            None => req.send().await,
        }
        .ok()?;
        let bytes = res.body().limit(64 * 1024 * 1024).await.ok()?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Some(Resp {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        })
    }

    /// Sends a raw body with a content type.
    pub async fn send_raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Resp {
        let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .client
            .request(method, self.url(path))
            .insert_header(("Content-Type", content_type));
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        Self::finish(req.send_body(body).await.unwrap()).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.call("GET", path, Some(token), None, &[]).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Resp {
        self.call("POST", path, Some(token), Some(body), &[]).await
    }

    /// Logs in; panics unless it succeeds.
    pub async fn login(&self, login: &str, password: &str) -> String {
        let r = self
            .call(
                "POST",
                "/api/v1/auth/token",
                None,
                Some(&json!({"login": login, "password": password})),
                &[],
            )
            .await;
        assert_eq!(r.status, 200, "login {login}: {}", r.text);
        r.body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn admin_token(&self) -> String {
        self.login(ADMIN_LOGIN, ADMIN_PASSWORD).await
    }

    /// A direct database connection (for checks a user cannot make).
    pub fn db(&self) -> eir::db::PooledConn {
        let target = eir::db::DatabaseTarget::parse(&self.database_url).unwrap();
        eir::db::build_pool(&target, 1).unwrap().get().unwrap()
    }

    /// A world: districts, two care offices (A, B), a fire department, and one
    /// user of each role, logged in.
    pub async fn world(&self) -> World {
        let admin = self.admin_token().await;
        let csv = "code,name,population_total,population_65plus\nD01,北見中央,12000,4100\nD02,端野,3000,1300\nD03,留辺蘂,6000,2600\n";
        let r = self
            .send_raw(
                "PUT",
                "/api/v1/districts",
                Some(&admin),
                "text/csv",
                csv.into(),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let org_a = self.org(&admin, "ケアプランセンターA", "care_office").await;
        let org_b = self.org(&admin, "ケアプランセンターB", "care_office").await;
        let fire = self
            .org(&admin, "北見地区消防組合", "fire_department")
            .await;
        self.user(&admin, "cm.a", "care_manager", &org_a).await;
        self.user(&admin, "cm.b", "care_manager", &org_b).await;
        self.user(&admin, "medic.1", "paramedic", &fire).await;
        World {
            cm_a: self.login("cm.a", PASSWORD).await,
            cm_b: self.login("cm.b", PASSWORD).await,
            medic: self.login("medic.1", PASSWORD).await,
            admin,
            org_a,
            org_b,
            fire,
        }
    }

    pub async fn org(&self, admin: &str, name: &str, kind: &str) -> String {
        let r = self
            .post(
                "/api/v1/organizations",
                admin,
                &json!({"name": name, "kind": kind, "district_code": "D01"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body["id"].as_str().unwrap().to_owned()
    }

    pub async fn user(&self, admin: &str, login: &str, role: &str, org: &str) -> String {
        let r = self
            .post(
                "/api/v1/users",
                admin,
                &json!({"login": login, "password": PASSWORD, "role": role,
                        "organization_id": org, "display_name": login}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body["id"].as_str().unwrap().to_owned()
    }

    /// Registers `person` as the care manager with `token`; returns the body.
    pub async fn register(&self, token: &str, person: &Value) -> Value {
        let r = self.post("/api/v1/registrants", token, person).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body
    }

    /// Counts rows of a table directly.
    pub fn count(&self, table: &str) -> i64 {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.db();
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .get_result::<N>(&mut *conn)
            .unwrap()
            .n
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let (Backend::Postgres(base), Some(schema)) = (&self.backend, &self.schema) {
            run_psql(base, &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// Starts an in-process server for `config` on a free port; returns its base URL.
fn start_server(config: Config) -> String {
    let state = eir::bootstrap::build_state(config).expect("state");
    eir::bootstrap::ensure_first_admin(&state.pool, &state.config).expect("admin");
    let server = HttpServer::new(move || eir::app::build_app(state.clone()))
        .workers(1)
        .bind("127.0.0.1:0")
        .unwrap();
    let addr = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    format!("http://{addr}")
}

/// Runs SQL directly (tests that tamper with the database).
pub fn run_sql(app: &TestApp, sql: &str) {
    use diesel::connection::SimpleConnection;
    let mut conn = app.db();
    conn.batch_execute(sql).expect("sql");
}

fn run_psql(url: &str, sql: &str) {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let mut c = diesel::PgConnection::establish(url).expect("connect to EIR_TEST_POSTGRES_URL");
    c.batch_execute(sql).expect("psql");
}

/// Tokens and ids of [`TestApp::world`].
pub struct World {
    pub admin: String,
    pub cm_a: String,
    pub cm_b: String,
    pub medic: String,
    pub org_a: String,
    pub org_b: String,
    pub fire: String,
}

/// The design's example registrant.
pub fn hanako() -> Value {
    json!({
      "family_name": "佐藤", "given_name": "花子", "family_name_kana": "サトウ", "given_name_kana": "ハナコ",
      "birth_date": "1940-03-02", "sex": "female",
      "address": {"postal_code": "090-0024", "line": "北見市北4条東3丁目1-1", "district_code": "D01"},
      "phones": ["0157-23-0000", "090-0000-0000"],
      "living_situation": "alone",
      "care_level": "care_2",
      "family_doctors": [{"institution": "北見中央クリニック", "doctor": "山田 太郎", "department": "内科", "phone": "0157-24-0000"}],
      "emergency_contacts": [{"priority": 1, "name": "佐藤 一郎", "kana": "サトウ イチロウ", "relationship": "長男", "phones": ["090-1111-2222"], "notes": "日中は仕事"}],
      "medical": {"conditions": ["心不全"], "medications": ["フロセミド錠20mg 1日1回"], "allergies": ["ペニシリン"],
                  "devices_and_procedures": ["pacemaker"], "notes": "難聴あり"},
      "consent": {"obtained_on": "2026-04-01", "by": "proxy", "proxy_name": "佐藤 一郎", "proxy_relationship": "長男"}
    })
}

/// A first care decision.
pub fn decision(kind: &str) -> Value {
    json!({
      "kind": kind, "discussed_on": "2026-05-10",
      "participants": {"self": true, "family": ["佐藤 一郎（長男）"], "family_doctor": true, "care_manager": true},
      "wishes": {"cpr": "not_wanted", "intubation": "not_wanted", "hospital_transport": "wanted", "artificial_nutrition": "undecided"},
      "preferred_place_of_care": "home", "preferred_place_of_death": "home",
      "shared_with_family": true,
      "physician_instructions": "心停止時は蘇生処置を行わず主治医に連絡",
      "advance_directive": {"exists": true, "location": "冷蔵庫の扉の内側"},
      "own_words": "最期まで家で過ごしたい",
      "review_due": "2027-05-10"
    })
}
