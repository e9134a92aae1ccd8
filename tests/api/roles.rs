//! The role matrix: each role against each endpoint group, answered as the design
//! says (allowed, 401 without a token, 403 for a role that may not, 404 for an
//! object of another organization).

use serde_json::json;

use crate::both_backends;
use crate::common::{decision, hanako, Backend, TestApp};

both_backends!(each_role_gets_what_the_design_allows);

async fn each_role_gets_what_the_design_allows(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let reg = app.register(&w.cm_a, &hanako()).await;
    let id = reg["id"].as_str().unwrap().to_owned();
    let rid = uuid::Uuid::new_v4();
    let org_body = json!({"name": "新しい事業所", "kind": "care_office"});
    let user_body = json!({"login": "x.y", "password": "a long enough password 9", "role": "care_manager", "organization_id": w.org_a, "display_name": "x"});
    // (method, path, body, expected for [admin, care_manager, paramedic])
    let reg_path = format!("/api/v1/registrants/{id}");
    let cases: Vec<(&str, String, Option<serde_json::Value>, [u16; 3])> = vec![
        ("GET", "/api/v1/organizations".into(), None, [200, 403, 403]),
        (
            "POST",
            "/api/v1/organizations".into(),
            Some(org_body),
            [201, 403, 403],
        ),
        (
            "PATCH",
            format!("/api/v1/organizations/{}", w.org_b),
            Some(json!({"name": "B"})),
            [200, 403, 403],
        ),
        ("GET", "/api/v1/users".into(), None, [200, 403, 403]),
        (
            "POST",
            "/api/v1/users".into(),
            Some(user_body),
            [201, 403, 403],
        ),
        (
            "PATCH",
            format!("/api/v1/users/{rid}"),
            Some(json!({"display_name": "n"})),
            [404, 403, 403],
        ),
        (
            "POST",
            format!("/api/v1/users/{rid}/password"),
            Some(json!({"password": "a long enough password 8"})),
            [404, 403, 403],
        ),
        ("GET", "/api/v1/districts".into(), None, [200, 200, 200]),
        ("GET", "/api/v1/audit".into(), None, [200, 403, 403]),
        ("GET", "/api/v1/registrants".into(), None, [403, 200, 403]),
        (
            "POST",
            "/api/v1/registrants".into(),
            Some(hanako()),
            [403, 201, 403],
        ),
        ("GET", reg_path.clone(), None, [403, 200, 403]),
        (
            "GET",
            format!("{reg_path}/access-log"),
            None,
            [403, 200, 403],
        ),
        (
            "GET",
            format!("{reg_path}/care-decisions"),
            None,
            [403, 200, 403],
        ),
        (
            "POST",
            format!("{reg_path}/care-decisions"),
            Some(decision("new")),
            [403, 201, 403],
        ),
        ("PUT", reg_path.clone(), Some(hanako()), [403, 200, 403]),
        (
            "POST",
            format!("{reg_path}/handover"),
            Some(json!({"organization_id": w.org_b})),
            [403, 200, 403],
        ),
        ("DELETE", reg_path.clone(), None, [403, 404, 403]), // handed over: no longer A's
    ];
    for (method, path, body, expected) in &cases {
        // Without a token: 401 everywhere.
        let anon = app
            .call(method, path, None, body.as_ref(), &[("If-Match", "\"1\"")])
            .await;
        assert_eq!(anon.status, 401, "anonymous {method} {path}");
        for (token, want, who) in [
            (&w.admin, expected[0], "admin"),
            (&w.cm_a, expected[1], "care_manager"),
            (&w.medic, expected[2], "paramedic"),
        ] {
            let r = app
                .call(
                    method,
                    path,
                    Some(token),
                    body.as_ref(),
                    &[("If-Match", "\"1\"")],
                )
                .await;
            assert_eq!(r.status, want, "{who} {method} {path}: {}", r.text);
        }
    }
    // The other office sees A's registrant as absent.
    let other = app.register(&w.cm_a, &hanako()).await;
    let p = format!("/api/v1/registrants/{}", other["id"].as_str().unwrap());
    assert_eq!(app.get(&p, &w.cm_b).await.status, 404);
    assert_eq!(app.get(&p, &w.cm_a).await.status, 200);
}
