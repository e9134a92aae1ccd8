//! Registrations: create, read, list, replace with If-Match, withdraw, hand over,
//! validation, and organization boundaries.

use serde_json::{json, Value};

use crate::both_backends;
use crate::common::{hanako, Backend, TestApp};

both_backends!(
    registering_returns_201_with_location_etag_and_card_code,
    care_manager_cannot_read_other_offices_registrant,
    list_is_own_organization_filtered_and_paginated,
    stale_if_match_gets_412_and_changes_nothing,
    put_without_if_match_gets_428,
    withdraw_keeps_the_record_and_blocks_updates,
    handover_moves_the_record_and_its_decisions,
    bad_input_names_the_field_and_writes_nothing,
    oversized_body_gets_413,
);

async fn registering_returns_201_with_location_etag_and_card_code(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let mut person = hanako();
    person["given_name_kana"] = json!("はなこ"); // hiragana is stored as katakana
    let r = app.post("/api/v1/registrants", &w.cm_a, &person).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_str().unwrap();
    assert_eq!(
        r.header("location"),
        Some(format!("/api/v1/registrants/{id}"))
    );
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(r.body["status"], "active");
    assert_eq!(r.body["version"], 1);
    assert_eq!(r.body["given_name_kana"], "ハナコ");
    assert_eq!(r.body["managing_organization_id"], w.org_a.as_str());
    let card = r.body["card_code"].as_str().unwrap();
    assert_eq!(card.len(), 11);
    assert!(eir::matching::card::normalize_card_code(card).is_some());
    // Reading it back gives the same record.
    let got = app.get(&format!("/api/v1/registrants/{id}"), &w.cm_a).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(got.body, r.body);
    assert_eq!(got.body["emergency_contacts"][0]["name"], "佐藤 一郎");
    assert_eq!(
        got.body["medical"]["devices_and_procedures"],
        json!(["pacemaker"])
    );
}

async fn care_manager_cannot_read_other_offices_registrant(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let r = app.register(&w.cm_a, &hanako()).await;
    let id = r["id"].as_str().unwrap();
    let path = format!("/api/v1/registrants/{id}");
    app.get(&path, &w.cm_b).await.assert_problem(404, None);
    let missing = app
        .get(
            &format!("/api/v1/registrants/{}", uuid::Uuid::new_v4()),
            &w.cm_b,
        )
        .await;
    missing.assert_problem(404, None);
    // "Not yours" and "does not exist" look the same.
    assert_eq!(app.get(&path, &w.cm_b).await.text, missing.text);
    app.call(
        "PUT",
        &path,
        Some(&w.cm_b),
        Some(&hanako()),
        &[("If-Match", "\"1\"")],
    )
    .await
    .assert_problem(404, None);
    app.call("DELETE", &path, Some(&w.cm_b), None, &[])
        .await
        .assert_problem(404, None);
    app.get(&format!("{path}/care-decisions"), &w.cm_b)
        .await
        .assert_problem(404, None);
    app.get(&format!("{path}/access-log"), &w.cm_b)
        .await
        .assert_problem(404, None);
    app.post(
        &format!("{path}/handover"),
        &w.cm_b,
        &json!({"organization_id": w.org_b}),
    )
    .await
    .assert_problem(404, None);
    // A malformed id is also just "not found".
    app.get("/api/v1/registrants/not-a-uuid", &w.cm_a)
        .await
        .assert_problem(404, None);
}

async fn list_is_own_organization_filtered_and_paginated(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let people = [
        ("佐藤", "花子", "サトウ", "ハナコ", "D01"),
        ("佐藤", "一郎", "サトウ", "イチロウ", "D02"),
        ("鈴木", "和子", "スズキ", "カズコ", "D01"),
    ];
    for (f, g, fk, gk, d) in people {
        let mut p = hanako();
        p["family_name"] = json!(f);
        p["given_name"] = json!(g);
        p["family_name_kana"] = json!(fk);
        p["given_name_kana"] = json!(gk);
        p["address"]["district_code"] = json!(d);
        app.register(&w.cm_a, &p).await;
    }
    app.register(&w.cm_b, &hanako()).await;

    let all = app.get("/api/v1/registrants", &w.cm_a).await;
    assert_eq!(all.body["total"], 3);
    let kana: Vec<&str> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["given_name_kana"].as_str().unwrap())
        .collect();
    assert_eq!(kana, vec!["イチロウ", "ハナコ", "カズコ"]); // ordered by reading
    let by_kana = app
        .get(
            "/api/v1/registrants?kana=%E3%81%95%E3%81%A8%E3%81%86",
            &w.cm_a,
        )
        .await; // さとう
    assert_eq!(by_kana.body["total"], 2);
    let by_name = app
        .get(
            "/api/v1/registrants?name=%E4%BD%90%E8%97%A4%20%E8%8A%B1%E5%AD%90",
            &w.cm_a,
        )
        .await; // 佐藤 花子
    assert_eq!(by_name.body["total"], 1);
    let by_district = app
        .get("/api/v1/registrants?district_code=D02", &w.cm_a)
        .await;
    assert_eq!(by_district.body["total"], 1);
    assert_eq!(by_district.body["items"][0]["given_name"], "一郎");
    let page = app
        .get("/api/v1/registrants?limit=2&offset=2", &w.cm_a)
        .await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(page.body["total"], 3);
    app.get("/api/v1/registrants?status=sleeping", &w.cm_a)
        .await
        .assert_problem(400, Some("status"));
    app.get("/api/v1/registrants?limit=0", &w.cm_a)
        .await
        .assert_problem(400, Some("limit"));
    let other = app.get("/api/v1/registrants", &w.cm_b).await;
    assert_eq!(other.body["total"], 1);
}

async fn stale_if_match_gets_412_and_changes_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let r = app.register(&w.cm_a, &hanako()).await;
    let path = format!("/api/v1/registrants/{}", r["id"].as_str().unwrap());
    let mut changed = hanako();
    changed["care_level"] = json!("care_3");
    let ok = app
        .call(
            "PUT",
            &path,
            Some(&w.cm_a),
            Some(&changed),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(ok.body["care_level"], "care_3");
    assert_eq!(ok.body["card_code"], r["card_code"]);
    let mut again = hanako();
    again["care_level"] = json!("care_5");
    app.call(
        "PUT",
        &path,
        Some(&w.cm_a),
        Some(&again),
        &[("If-Match", "\"1\"")],
    )
    .await
    .assert_problem(412, None);
    app.call(
        "PUT",
        &path,
        Some(&w.cm_a),
        Some(&again),
        &[("If-Match", "garbage")],
    )
    .await
    .assert_problem(412, None);
    let now = app.get(&path, &w.cm_a).await;
    assert_eq!(now.body["care_level"], "care_3");
    assert_eq!(now.body["version"], 2);
}

async fn put_without_if_match_gets_428(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let r = app.register(&w.cm_a, &hanako()).await;
    let path = format!("/api/v1/registrants/{}", r["id"].as_str().unwrap());
    app.call("PUT", &path, Some(&w.cm_a), Some(&hanako()), &[])
        .await
        .assert_problem(428, None);
}

async fn withdraw_keeps_the_record_and_blocks_updates(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let r = app.register(&w.cm_a, &hanako()).await;
    let path = format!("/api/v1/registrants/{}", r["id"].as_str().unwrap());
    let del = app
        .call(
            "DELETE",
            &path,
            Some(&w.cm_a),
            None,
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(del.status, 204, "{}", del.text);
    let got = app.get(&path, &w.cm_a).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body["status"], "withdrawn");
    assert_eq!(got.body["family_name"], "佐藤");
    app.call(
        "PUT",
        &path,
        Some(&w.cm_a),
        Some(&hanako()),
        &[("If-Match", "\"2\"")],
    )
    .await
    .assert_problem(409, None);
    // No blocking keys remain for a withdrawn registrant.
    assert_eq!(app.count("registrant_keys"), 0);
    let deceased = app.register(&w.cm_a, &hanako()).await;
    let p2 = format!(
        "/api/v1/registrants/{}?reason=deceased",
        deceased["id"].as_str().unwrap()
    );
    assert_eq!(
        app.call("DELETE", &p2, Some(&w.cm_a), None, &[])
            .await
            .status,
        204
    );
    let listed = app
        .get("/api/v1/registrants?status=deceased", &w.cm_a)
        .await;
    assert_eq!(listed.body["total"], 1);
}

async fn handover_moves_the_record_and_its_decisions(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let r = app.register(&w.cm_a, &hanako()).await;
    let id = r["id"].as_str().unwrap();
    let d = app
        .post(
            &format!("/api/v1/registrants/{id}/care-decisions"),
            &w.cm_a,
            &crate::common::decision("new"),
        )
        .await;
    assert_eq!(d.status, 201, "{}", d.text);
    // Not to a fire department.
    app.post(
        &format!("/api/v1/registrants/{id}/handover"),
        &w.cm_a,
        &json!({"organization_id": w.fire}),
    )
    .await
    .assert_problem(422, Some("organization_id"));
    let h = app
        .post(
            &format!("/api/v1/registrants/{id}/handover"),
            &w.cm_a,
            &json!({"organization_id": w.org_b}),
        )
        .await;
    assert_eq!(h.status, 200, "{}", h.text);
    assert_eq!(h.body["managing_organization_id"], w.org_b.as_str());
    app.get(&format!("/api/v1/registrants/{id}"), &w.cm_a)
        .await
        .assert_problem(404, None);
    let now = app.get(&format!("/api/v1/registrants/{id}"), &w.cm_b).await;
    assert_eq!(now.status, 200);
    assert_eq!(now.body["managing_organization_id"], w.org_b.as_str());
    let hist = app
        .get(&format!("/api/v1/registrants/{id}/care-decisions"), &w.cm_b)
        .await;
    assert_eq!(hist.body.as_array().unwrap().len(), 1);
}

fn with(mut v: Value, path: &[&str], value: Value) -> Value {
    let mut cur = &mut v;
    for p in &path[..path.len() - 1] {
        cur = match p.parse::<usize>() {
            Ok(i) => &mut cur[i],
            Err(_) => &mut cur[*p],
        };
    }
    cur[path[path.len() - 1]] = value;
    v
}

async fn bad_input_names_the_field_and_writes_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let before = (app.count("registrants"), app.count("audit_events"));
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            with(hanako(), &["nickname"], json!("はな")),
            400,
            "nickname",
        ),
        (
            with(hanako(), &["family_name_kana"], json!("佐藤")),
            422,
            "family_name_kana",
        ),
        (
            with(hanako(), &["given_name_kana"], json!("Hanako")),
            422,
            "given_name_kana",
        ),
        (
            with(hanako(), &["birth_date"], json!("2099-01-01")),
            422,
            "birth_date",
        ),
        (
            with(hanako(), &["birth_date"], json!("1940-02-30")),
            400,
            "birth_date",
        ),
        (with(hanako(), &["sex"], json!("f")), 400, "sex"),
        (
            with(hanako(), &["care_level"], json!("care_6")),
            400,
            "care_level",
        ),
        (
            with(
                hanako(),
                &["medical", "devices_and_procedures"],
                json!(["jetpack"]),
            ),
            400,
            "medical.devices_and_procedures[0]",
        ),
        (
            with(hanako(), &["address", "postal_code"], json!("12")),
            422,
            "address.postal_code",
        ),
        (
            with(hanako(), &["address", "district_code"], json!("D99")),
            422,
            "address.district_code",
        ),
        (
            with(hanako(), &["address", "extra"], json!(1)),
            400,
            "address.extra",
        ),
        (
            with(hanako(), &["family_name"], json!("あ".repeat(51))),
            422,
            "family_name",
        ),
        (
            with(hanako(), &["family_name"], json!("")),
            422,
            "family_name",
        ),
        (
            with(hanako(), &["phones"], json!(["call me"])),
            422,
            "phones[0]",
        ),
        (
            with(hanako(), &["phones"], json!(vec!["0157-23-0000"; 6])),
            422,
            "phones",
        ),
        (
            with(
                hanako(),
                &["emergency_contacts", "0", "kana"],
                json!("一郎"),
            ),
            422,
            "emergency_contacts[0].kana",
        ),
        (
            with(hanako(), &["emergency_contacts", "0", "priority"], json!(0)),
            422,
            "emergency_contacts[0].priority",
        ),
        (
            with(hanako(), &["consent", "obtained_on"], json!("2099-01-01")),
            422,
            "consent.obtained_on",
        ),
        (
            with(hanako(), &["consent", "proxy_name"], Value::Null),
            422,
            "consent.proxy_name",
        ),
        (
            with(hanako(), &["birth_date"], json!(19400302)),
            400,
            "birth_date",
        ),
        (json!([1, 2, 3]), 400, "body"),
    ];
    for (body, status, field) in cases {
        let r = app.post("/api/v1/registrants", &w.cm_a, &body).await;
        r.assert_problem(status, Some(field));
    }
    let r = app
        .send_raw(
            "POST",
            "/api/v1/registrants",
            Some(&w.cm_a),
            "application/json",
            b"{not json".to_vec(),
        )
        .await;
    r.assert_problem(400, None);
    let r = app
        .send_raw(
            "POST",
            "/api/v1/registrants",
            Some(&w.cm_a),
            "text/plain",
            b"{}".to_vec(),
        )
        .await;
    r.assert_problem(415, None);
    assert_eq!(
        (app.count("registrants"), app.count("audit_events")),
        before
    );
}

async fn oversized_body_gets_413(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let mut p = hanako();
    p["medical"]["notes"] = json!("あ".repeat(300_000));
    app.post("/api/v1/registrants", &w.cm_a, &p)
        .await
        .assert_problem(413, None);
    assert_eq!(app.count("registrants"), 0);
}
