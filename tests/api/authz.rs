//! Authorization everywhere: every operation of the OpenAPI document is called
//! without a token and as admin, paramedic, a care manager of another office and
//! the owning care manager, and the answer is checked against this table. An
//! operation in the document without a row here fails the test.

use std::collections::{BTreeSet, HashMap};

use serde_json::{json, Value};

use crate::both_backends;
use crate::common::{decision, hanako, Backend, TestApp, World, ADMIN_LOGIN, ADMIN_PASSWORD};

both_backends!(every_documented_operation_answers_each_caller_as_the_table_says);

/// What a caller gets: an exact status, or any 2xx (routes whose success code
/// this branch cannot know yet).
#[derive(Debug, Clone, Copy)]
enum Want {
    Is(u16),
    Ok2xx,
}

use Want::{Is, Ok2xx};

/// Callers, in the order they call (the owner last, so destructive calls
/// succeed for it after everyone else was refused).
const CALLERS: [&str; 5] = [
    "anonymous",
    "admin",
    "paramedic",
    "care_manager_b",
    "care_manager_a",
];

enum Body {
    None,
    Json(Value),
    Csv(&'static str),
}

struct Row {
    /// `METHOD /path/{template}` as in the document.
    op: &'static str,
    body: Body,
    /// Query string appended to the path.
    query: &'static str,
    /// For anonymous, admin, paramedic, care manager of B, care manager of A.
    want: [Want; 5],
}

const ADMIN_ONLY: [Want; 5] = [Is(401), Is(200), Is(403), Is(403), Is(403)];
const ANY_ROLE: [Want; 5] = [Is(401), Is(200), Is(200), Is(200), Is(200)];
const PUBLIC: [Want; 5] = [Is(200); 5];
/// Another office's registrant does not exist for B (404, never 403).
const OWNER_ONLY: [Want; 5] = [Is(401), Is(403), Is(403), Is(404), Is(200)];
const PARAMEDIC_ONLY: [Want; 5] = [Is(401), Is(403), Ok2xx, Is(403), Is(403)];
const STATS: [Want; 5] = [Is(401), Ok2xx, Is(403), Is(403), Is(403)];

fn table(w: &World) -> Vec<Row> {
    let row = |op, body, want| Row {
        op,
        body,
        query: "",
        want,
    };
    vec![
        row("GET /healthz", Body::None, PUBLIC),
        row("GET /readyz", Body::None, PUBLIC),
        row("GET /openapi.json", Body::None, PUBLIC),
        row(
            "POST /api/v1/auth/token",
            Body::Json(json!({"login": ADMIN_LOGIN, "password": ADMIN_PASSWORD})),
            PUBLIC,
        ),
        row(
            "POST /api/v1/auth/refresh",
            Body::Json(json!({"refresh_token": "eirr_not_a_token"})),
            [Is(401); 5],
        ),
        row(
            "POST /api/v1/auth/logout",
            Body::Json(json!({"refresh_token": "eirr_not_a_token"})),
            [Is(204); 5],
        ),
        row("POST /api/v1/auth/totp/enroll", Body::None, ANY_ROLE),
        // Enrolment was started just above; "000000" is not the current code
        // (one chance in a million per step of being it).
        row(
            "POST /api/v1/auth/totp/confirm",
            Body::Json(json!({"code": "000000"})),
            [Is(401), Is(400), Is(400), Is(400), Is(400)],
        ),
        row("GET /api/v1/settings/mfa", Body::None, ADMIN_ONLY),
        row(
            "PUT /api/v1/settings/mfa",
            Body::Json(json!({"required_roles": []})),
            ADMIN_ONLY,
        ),
        row(
            "DELETE /api/v1/users/{id}/totp",
            Body::None,
            [Is(401), Is(204), Is(403), Is(403), Is(403)],
        ),
        row("GET /api/v1/organizations", Body::None, ADMIN_ONLY),
        row(
            "POST /api/v1/organizations",
            Body::Json(json!({"name": "新しい事業所", "kind": "care_office"})),
            [Is(401), Is(201), Is(403), Is(403), Is(403)],
        ),
        row(
            "PATCH /api/v1/organizations/{id}",
            Body::Json(json!({"name": "改名した事業所"})),
            ADMIN_ONLY,
        ),
        row("GET /api/v1/users", Body::None, ADMIN_ONLY),
        row(
            "POST /api/v1/users",
            Body::Json(json!({"login": "new.user", "password": "a long enough password 9",
                "role": "care_manager", "organization_id": w.org_a, "display_name": "n"})),
            [Is(401), Is(201), Is(403), Is(403), Is(403)],
        ),
        row(
            "PATCH /api/v1/users/{id}",
            Body::Json(json!({"display_name": "renamed"})),
            ADMIN_ONLY,
        ),
        row(
            "POST /api/v1/users/{id}/password",
            Body::Json(json!({"password": "a long enough password 8"})),
            [Is(401), Is(204), Is(403), Is(403), Is(403)],
        ),
        row(
            "PUT /api/v1/districts",
            Body::Csv("code,name,population_total,population_65plus\nD01,北見中央,12000,4100\nD02,端野,3000,1300\nD03,留辺蘂,6000,2600\n"),
            ADMIN_ONLY,
        ),
        row("GET /api/v1/districts", Body::None, ANY_ROLE),
        row("GET /api/v1/audit", Body::None, ADMIN_ONLY),
        row(
            "POST /api/v1/registrants",
            Body::Json(hanako()),
            [Is(401), Is(403), Is(403), Is(201), Is(201)],
        ),
        row(
            "GET /api/v1/registrants",
            Body::None,
            [Is(401), Is(403), Is(403), Is(200), Is(200)],
        ),
        row("GET /api/v1/registrants/{id}", Body::None, OWNER_ONLY),
        row("PUT /api/v1/registrants/{id}", Body::Json(hanako()), OWNER_ONLY),
        row(
            "DELETE /api/v1/registrants/{id}",
            Body::None,
            [Is(401), Is(403), Is(403), Is(404), Is(204)],
        ),
        row(
            "POST /api/v1/registrants/{id}/handover",
            Body::Json(json!({"organization_id": w.org_b})),
            OWNER_ONLY,
        ),
        row("GET /api/v1/registrants/{id}/access-log", Body::None, OWNER_ONLY),
        row("GET /api/v1/registrants/{id}/care-decisions", Body::None, OWNER_ONLY),
        row(
            "POST /api/v1/registrants/{id}/care-decisions",
            Body::Json(decision("new")),
            [Is(401), Is(403), Is(403), Is(404), Is(201)],
        ),
        // Routes being added on other branches: checked once they are in the document.
        row(
            "POST /api/v1/emergency/search",
            Body::Json(json!({"incident_id": "INC-AUTHZ-1", "query": {"card_code": "{card}"}})),
            PARAMEDIC_ONLY,
        ),
        Row {
            op: "GET /api/v1/emergency/registrants/{id}",
            body: Body::None,
            query: "?lookup_id={lookup}",
            want: PARAMEDIC_ONLY,
        },
        row(
            "POST /api/v1/emergency/lookups/{lookup_id}/outcome",
            Body::Json(json!({"result": "confirmed"})),
            PARAMEDIC_ONLY,
        ),
        row("GET /api/v1/stats/overview", Body::None, STATS),
        row("GET /api/v1/stats/hit-rate", Body::None, STATS),
        row("GET /api/v1/stats/districts", Body::None, STATS),
        row("GET /api/v1/stats/care-decisions", Body::None, STATS),
    ]
}

/// `METHOD /path` of every operation in the document.
fn documented_operations() -> BTreeSet<String> {
    let doc: Value = serde_json::from_str(&eir::openapi::document()).unwrap();
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in [
            "get", "put", "post", "delete", "patch", "head", "options", "trace",
        ] {
            if item.get(method).is_some() {
                ops.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    ops
}

async fn every_documented_operation_answers_each_caller_as_the_table_says(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let rows = table(&w);
    let documented = documented_operations();
    let listed: BTreeSet<String> = rows.iter().map(|r| r.op.to_owned()).collect();
    let missing: Vec<&String> = documented.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "operations in the OpenAPI document without a row in the authorization table: {missing:?}"
    );
    let tokens: HashMap<&str, Option<&str>> = HashMap::from([
        ("anonymous", None),
        ("admin", Some(w.admin.as_str())),
        ("paramedic", Some(w.medic.as_str())),
        ("care_manager_b", Some(w.cm_b.as_str())),
        ("care_manager_a", Some(w.cm_a.as_str())),
    ]);
    let mut checked = 0;
    for row in rows.iter().filter(|r| documented.contains(r.op)) {
        let (method, template) = row.op.split_once(' ').unwrap();
        // Fresh objects per row, so a destructive call does not affect the next.
        let reg = app.register(&w.cm_a, &hanako()).await;
        let reg_id = reg["id"].as_str().unwrap().to_owned();
        let card = reg["card_code"].as_str().unwrap_or_default().to_owned();
        let spare = app
            .user(
                &w.admin,
                &format!("spare.{checked}"),
                "care_manager",
                &w.org_a,
            )
            .await;
        let spare_org = app
            .org(&w.admin, &format!("事業所{checked}"), "care_office")
            .await;
        let lookup = if template.starts_with("/api/v1/emergency/") && !template.ends_with("/search")
        {
            let r = app
                .post(
                    "/api/v1/emergency/search",
                    &w.medic,
                    &json!({"incident_id": format!("INC-AUTHZ-{checked}"), "query": {"card_code": card}}),
                )
                .await;
            assert!(r.status < 300, "search for the fixture: {}", r.text);
            r.body["lookup_id"].as_str().unwrap_or_default().to_owned()
        } else {
            String::new()
        };
        let id = if template.starts_with("/api/v1/users/") {
            spare.clone()
        } else if template.starts_with("/api/v1/organizations/") {
            spare_org.clone()
        } else {
            reg_id.clone()
        };
        let path = template
            .replace("{lookup_id}", &lookup)
            .replace("{id}", &id)
            + &row.query.replace("{lookup}", &lookup);
        for (caller, want) in CALLERS.iter().zip(row.want) {
            let token = tokens[caller];
            let r = match &row.body {
                Body::Csv(csv) => {
                    app.send_raw(method, &path, token, "text/csv", csv.as_bytes().to_vec())
                        .await
                }
                Body::Json(v) => {
                    let v: Value =
                        serde_json::from_str(&v.to_string().replace("{card}", &card)).unwrap();
                    app.call(method, &path, token, Some(&v), &[("If-Match", "\"1\"")])
                        .await
                }
                Body::None => {
                    app.call(method, &path, token, None, &[("If-Match", "\"1\"")])
                        .await
                }
            };
            let ok = match want {
                Is(s) => r.status == s,
                Ok2xx => (200..300).contains(&r.status),
            };
            assert!(
                ok,
                "{caller} {} (row {}): want {want:?}, got {}: {}",
                path, row.op, r.status, r.text
            );
            if r.status >= 400 {
                assert_eq!(
                    r.header("content-type").as_deref(),
                    Some("application/problem+json"),
                    "{caller} {path}"
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} operations checked");
}
