//! Administration: organizations, users, districts.

use serde_json::json;

use crate::both_backends;
use crate::common::{Backend, TestApp, PASSWORD};

both_backends!(
    organizations_are_created_listed_renamed_and_deactivated,
    users_are_created_listed_and_checked,
    districts_csv_replaces_all_or_nothing,
    last_admin_cannot_be_deactivated,
);

async fn organizations_are_created_listed_renamed_and_deactivated(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let list = app.get("/api/v1/organizations", &w.admin).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["total"], 4); // the city + A + B + fire department
    let kinds: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"fire_department") && kinds.contains(&"city"));

    let path = format!("/api/v1/organizations/{}", w.org_b);
    let renamed = app
        .call(
            "PATCH",
            &path,
            Some(&w.admin),
            Some(&json!({"name": "ケアプランセンターB北", "district_code": "D02"})),
            &[],
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.body["name"], "ケアプランセンターB北");
    assert_eq!(renamed.body["district_code"], "D02");
    // Unknown district and unknown kind are refused, naming the field.
    app.call(
        "PATCH",
        &path,
        Some(&w.admin),
        Some(&json!({"district_code": "D99"})),
        &[],
    )
    .await
    .assert_problem(422, Some("district_code"));
    app.post(
        "/api/v1/organizations",
        &w.admin,
        &json!({"name": "x", "kind": "bank"}),
    )
    .await
    .assert_problem(400, Some("kind"));
    // Deactivating an organization ends its users' access.
    let off = app
        .call(
            "PATCH",
            &path,
            Some(&w.admin),
            Some(&json!({"active": false})),
            &[],
        )
        .await;
    assert_eq!(off.body["active"], false);
    app.get("/api/v1/registrants", &w.cm_b)
        .await
        .assert_problem(401, None);
    // Unknown organization: 404.
    app.call(
        "PATCH",
        &format!("/api/v1/organizations/{}", uuid::Uuid::new_v4()),
        Some(&w.admin),
        Some(&json!({"name": "y"})),
        &[],
    )
    .await
    .assert_problem(404, None);
}

async fn users_are_created_listed_and_checked(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let list = app
        .get(
            &format!("/api/v1/users?organization_id={}", w.org_a),
            &w.admin,
        )
        .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["login"], "cm.a");
    assert!(list.body["items"][0].get("password_hash").is_none());
    // Taken login: 409. Weak password: 422. Role that does not fit the organization: 422.
    let dup = json!({"login": "cm.a", "password": PASSWORD, "role": "care_manager", "organization_id": w.org_a, "display_name": "x"});
    app.post("/api/v1/users", &w.admin, &dup)
        .await
        .assert_problem(409, None);
    let weak = json!({"login": "cm.c", "password": "short", "role": "care_manager", "organization_id": w.org_a, "display_name": "x"});
    app.post("/api/v1/users", &w.admin, &weak)
        .await
        .assert_problem(422, Some("password"));
    let misfit = json!({"login": "cm.d", "password": PASSWORD, "role": "paramedic", "organization_id": w.org_a, "display_name": "x"});
    app.post("/api/v1/users", &w.admin, &misfit)
        .await
        .assert_problem(422, Some("role"));
    let bad_login = json!({"login": "Bad Login", "password": PASSWORD, "role": "care_manager", "organization_id": w.org_a, "display_name": "x"});
    app.post("/api/v1/users", &w.admin, &bad_login)
        .await
        .assert_problem(422, Some("login"));
    // Paging is bounded.
    app.get("/api/v1/users?limit=100000", &w.admin)
        .await
        .assert_problem(400, Some("limit"));
}

async fn districts_csv_replaces_all_or_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = app.admin_token().await;
    let good = "code,name,population_total,population_65plus\nD01,北見中央,12000,4100\nD02,端野,3000,1300\n";
    let r = app
        .send_raw(
            "PUT",
            "/api/v1/districts",
            Some(&admin),
            "text/csv",
            good.into(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body.as_array().unwrap().len(), 2);
    // Line 3 is bad: nothing of this file is imported; the old districts stay.
    let bad = "code,name,population_total,population_65plus\nD05,a,100,30\nD06,b,many,3\n";
    let r = app
        .send_raw(
            "PUT",
            "/api/v1/districts",
            Some(&admin),
            "text/csv",
            bad.into(),
        )
        .await;
    r.assert_problem(422, Some("line 3"));
    let now = app.get("/api/v1/districts", &admin).await;
    let codes: Vec<&str> = now
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["D01", "D02"]);
    assert_eq!(now.body[0]["population_65plus"], 4100);
    // Wrong media type.
    app.send_raw(
        "PUT",
        "/api/v1/districts",
        Some(&admin),
        "application/json",
        b"{}".to_vec(),
    )
    .await
    .assert_problem(415, None);
}

async fn last_admin_cannot_be_deactivated(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = app.admin_token().await;
    let users = app.get("/api/v1/users", &admin).await;
    let id = users.body["items"][0]["id"].as_str().unwrap().to_owned();
    app.call(
        "PATCH",
        &format!("/api/v1/users/{id}"),
        Some(&admin),
        Some(&json!({"active": false})),
        &[],
    )
    .await
    .assert_problem(409, None);
}
