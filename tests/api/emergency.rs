//! On-scene lookup: Japanese-aware matching over HTTP, the emergency summary, and
//! every lookup recorded.

use serde_json::{json, Value};

use crate::both_backends;
use crate::common::{decision, hanako, Backend, TestApp, World};

both_backends!(
    misheard_kana_and_era_date_find_the_person,
    every_noise_kind_still_finds_the_person,
    weak_or_unregistered_queries_show_nobody,
    namesakes_are_candidates_not_a_match,
    summary_opens_only_through_own_lookup,
    summary_puts_first_minute_information_first,
    outcome_is_recorded_on_own_lookups,
    withdrawn_and_updated_registrants_are_searched_as_they_are_now,
    search_input_is_checked,
    searches_are_rate_limited_per_user,
);

fn person(family: &str, given: &str, fkana: &str, gkana: &str, birth: &str, sex: &str) -> Value {
    let mut p = hanako();
    p["family_name"] = json!(family);
    p["given_name"] = json!(given);
    p["family_name_kana"] = json!(fkana);
    p["given_name_kana"] = json!(gkana);
    p["birth_date"] = json!(birth);
    p["sex"] = json!(sex);
    p
}

/// A few registrants, including near neighbours of Hanako.
async fn populate(app: &TestApp, w: &World) -> Vec<Value> {
    let people = [
        person("佐藤", "花子", "サトウ", "ハナコ", "1940-03-02", "female"),
        person("佐藤", "花江", "サトウ", "ハナエ", "1941-05-20", "female"),
        person(
            "高橋",
            "恭子",
            "タカハシ",
            "キョウコ",
            "1938-11-05",
            "female",
        ),
        person("大野", "勇", "オオノ", "イサム", "1935-07-14", "male"),
        person("山崎", "清", "ヤマザキ", "キヨシ", "1944-01-23", "male"),
        person("斎藤", "和子", "サイトウ", "カズコ", "1939-09-09", "female"),
    ];
    let mut out = Vec::new();
    for p in &people {
        out.push(app.register(&w.cm_a, p).await);
    }
    out
}

async fn search(app: &TestApp, token: &str, query: Value) -> Value {
    let r = app
        .post(
            "/api/v1/emergency/search",
            token,
            &json!({"incident_id": "2026-112301", "incident_district_code": "D01", "query": query}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

/// The id the search found first (as match or top candidate).
fn top(body: &Value) -> Option<String> {
    body["candidates"][0]["registrant_id"]
        .as_str()
        .map(str::to_owned)
}

async fn misheard_kana_and_era_date_find_the_person(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let people = populate(&app, &w).await;
    let ono = people[3]["id"].as_str().unwrap();
    // オオノ heard and typed as "おーの", 昭和10年7月14日 given as S10.7.14.
    let r = search(
        &app,
        &w.medic,
        json!({"name": "おーの いさむ", "birth_date": "S10.7.14"}),
    )
    .await;
    assert_eq!(r["outcome"], "match", "{r}");
    assert_eq!(top(&r).as_deref(), Some(ono));
    assert_eq!(r["candidates"].as_array().unwrap().len(), 1);
    // The lookup is stored before the answer, without the raw query text.
    use diesel::prelude::*;
    use eir::db::schema::lookups::dsl as l;
    let rows: Vec<(String, String, String, i32, Option<String>, i64)> = l::lookups
        .select((
            l::id,
            l::query_kind,
            l::outcome,
            l::candidate_count,
            l::incident_district_code,
            l::latency_us,
        ))
        .load(&mut *app.db())
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, r["lookup_id"].as_str().unwrap());
    assert_eq!(rows[0].1, "birth_date+name");
    assert_eq!(rows[0].2, "match");
    assert_eq!(rows[0].3, 1);
    assert_eq!(rows[0].4.as_deref(), Some("D01"));
    assert!(rows[0].5 > 0);
}

async fn every_noise_kind_still_finds_the_person(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let people = populate(&app, &w).await;
    let id = |i: usize| people[i]["id"].as_str().unwrap().to_owned();
    let card = people[0]["card_code"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .replace('-', "");
    let cases: Vec<(&str, Value, usize, bool)> = vec![
        (
            "kanji, ISO date",
            json!({"name": "佐藤花子", "birth_date": "1940-03-02"}),
            0,
            true,
        ),
        (
            "hiragana",
            json!({"name": "さとう はなこ", "birth_date": "1940-03-02"}),
            0,
            true,
        ),
        (
            "half-width katakana",
            json!({"name": "ｻﾄｳ ﾊﾅｺ", "birth_date": "1940-03-02"}),
            0,
            true,
        ),
        (
            "full-width space",
            json!({"name": "サトウ　ハナコ", "birth_date": "昭和15年3月2日"}),
            0,
            true,
        ),
        (
            "era letter, full-width digits",
            json!({"name": "サトウハナコ", "birth_date": "Ｓ１５．３．２"}),
            0,
            true,
        ),
        (
            "small kana written large",
            json!({"name": "タカハシ キヨウコ", "birth_date": "1938-11-05"}),
            2,
            true,
        ),
        (
            "long vowel",
            json!({"name": "オーノ イサム", "birth_date": "1935-07-14"}),
            3,
            true,
        ),
        (
            "long vowel dropped",
            json!({"name": "おの いさむ", "birth_date": "1935-07-14"}),
            3,
            false,
        ),
        (
            "voicing dropped",
            json!({"name": "やまさき きよし", "birth_date": "1944-01-23"}),
            4,
            false,
        ),
        (
            "variant kanji",
            json!({"name": "髙橋 恭子", "birth_date": "1938-11-05"}),
            2,
            true,
        ),
        (
            "variant kanji 齋",
            json!({"name": "齋藤和子", "birth_date": "1939-09-09"}),
            5,
            true,
        ),
        (
            "day and month swapped",
            json!({"name": "さとう はなこ", "birth_date": "1940-02-03"}),
            0,
            false,
        ),
        (
            "one digit wrong",
            json!({"name": "さとう はなこ", "birth_date": "1940-03-08"}),
            0,
            false,
        ),
        (
            "age instead of date",
            json!({"name": "オオノ イサム", "age": 91, "sex": "male"}),
            3,
            false,
        ),
        (
            "phone with full-width digits",
            json!({"phone": "０１５７－２３－００００", "birth_date": "1940-03-02", "name": "佐藤花子"}),
            0,
            true,
        ),
        (
            "card code, lower case, no hyphens",
            json!({"card_code": card}),
            0,
            true,
        ),
    ];
    for (what, query, who, must_match) in cases {
        let r = search(&app, &w.medic, query).await;
        assert_eq!(top(&r), Some(id(who)), "{what}: {r}");
        if must_match {
            assert_eq!(r["outcome"], "match", "{what}: {r}");
        } else {
            assert_ne!(r["outcome"], "no_match", "{what}: {r}");
        }
    }
}

async fn weak_or_unregistered_queries_show_nobody(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    populate(&app, &w).await;
    for query in [
        json!({"name": "佐藤"}),
        json!({"birth_date": "1940"}),
        json!({"sex": "female"}),
        json!({"age": 86}),
        json!({"name": "さとう", "sex": "female"}),
        json!({"name": "鈴木 一郎", "birth_date": "1950-06-01"}),
        json!({"name": "タナカ ミチコ", "birth_date": "1951-08-30"}),
    ] {
        let r = search(&app, &w.medic, query.clone()).await;
        assert_eq!(r["outcome"], "no_match", "{query}: {r}");
        assert_eq!(r["candidates"], json!([]), "{query}");
    }
    assert_eq!(app.count("lookups"), 7);
}

async fn namesakes_are_candidates_not_a_match(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let a = app.register(&w.cm_a, &hanako()).await;
    let b2 = app.register(&w.cm_b, &hanako()).await;
    let r = search(
        &app,
        &w.medic,
        json!({"name": "サトウ ハナコ", "birth_date": "1940-03-02"}),
    )
    .await;
    assert_eq!(r["outcome"], "candidates", "{r}");
    let ids: Vec<&str> = r["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["registrant_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&a["id"].as_str().unwrap()) && ids.contains(&b2["id"].as_str().unwrap()));
    // Candidates carry only what tells people apart.
    let keys: Vec<&String> = r["candidates"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 10, "{keys:?}"); // with the age today
    assert!(
        r["candidates"][0].get("medical").is_none() && r["candidates"][0].get("phones").is_none()
    );
    // With the phone number as well, one of them is a match.
    let mut other = hanako();
    other["phones"] = json!(["0157-99-1234"]);
    let c = app.register(&w.cm_a, &other).await;
    let r = search(
        &app,
        &w.medic,
        json!({"name": "サトウ ハナコ", "birth_date": "1940-03-02", "phone": "0157991234"}),
    )
    .await;
    assert_eq!(r["outcome"], "match", "{r}");
    assert_eq!(top(&r).as_deref(), c["id"].as_str());
}

async fn summary_opens_only_through_own_lookup(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let people = populate(&app, &w).await;
    let hanako_id = people[0]["id"].as_str().unwrap();
    let other_id = people[3]["id"].as_str().unwrap();
    let r = search(
        &app,
        &w.medic,
        json!({"name": "佐藤花子", "birth_date": "1940-03-02"}),
    )
    .await;
    let lookup = r["lookup_id"].as_str().unwrap();
    let ok = app
        .get(
            &format!("/api/v1/emergency/registrants/{hanako_id}?lookup_id={lookup}"),
            &w.medic,
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.header("cache-control").as_deref(), Some("no-store"));
    // A registrant the lookup did not list: 404.
    app.get(
        &format!("/api/v1/emergency/registrants/{other_id}?lookup_id={lookup}"),
        &w.medic,
    )
    .await
    .assert_problem(404, None);
    // Another crew member's lookup: 404.
    let admin = &w.admin;
    let _ = app.user(admin, "medic.2", "paramedic", &w.fire).await;
    let medic2 = app.login("medic.2", crate::common::PASSWORD).await;
    app.get(
        &format!("/api/v1/emergency/registrants/{hanako_id}?lookup_id={lookup}"),
        &medic2,
    )
    .await
    .assert_problem(404, None);
    // No lookup at all: 400 naming lookup_id; an unknown lookup: 404.
    app.get(
        &format!("/api/v1/emergency/registrants/{hanako_id}"),
        &w.medic,
    )
    .await
    .assert_problem(400, Some("lookup_id"));
    app.get(
        &format!(
            "/api/v1/emergency/registrants/{hanako_id}?lookup_id={}",
            uuid::Uuid::new_v4()
        ),
        &w.medic,
    )
    .await
    .assert_problem(404, None);
    // Care managers and admins cannot use the emergency routes.
    app.get(
        &format!("/api/v1/emergency/registrants/{hanako_id}?lookup_id={lookup}"),
        &w.cm_a,
    )
    .await
    .assert_problem(403, None);
    // The opening is in the registrant's access log with the incident id, and in the lookup.
    let log = app
        .get(
            &format!("/api/v1/registrants/{hanako_id}/access-log"),
            &w.cm_a,
        )
        .await;
    let reads: Vec<&Value> = log
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "emergency.read")
        .collect();
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0]["incident_id"], "2026-112301");
    assert_eq!(reads[0]["lookup_id"], lookup);
    use diesel::prelude::*;
    use eir::db::schema::lookups::dsl as l;
    let opened: Option<String> = l::lookups
        .find(lookup)
        .select(l::opened_registrant_id)
        .first(&mut *app.db())
        .unwrap();
    assert_eq!(opened.as_deref(), Some(hanako_id));
}

async fn summary_puts_first_minute_information_first(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let mut p = hanako();
    p["emergency_contacts"] = json!([
        {"priority": 2, "name": "佐藤 二郎", "relationship": "次男", "phones": ["090-3333-4444"]},
        {"priority": 1, "name": "佐藤 一郎", "relationship": "長男", "phones": ["090-1111-2222"]}
    ]);
    let reg = app.register(&w.cm_a, &p).await;
    let id = reg["id"].as_str().unwrap();
    let path = format!("/api/v1/registrants/{id}/care-decisions");
    app.post(&path, &w.cm_a, &decision("new")).await;
    let mut revised = decision("revised");
    revised["wishes"]["hospital_transport"] = json!("not_wanted");
    app.post(&path, &w.cm_a, &revised).await;
    let r = search(
        &app,
        &w.medic,
        json!({"name": "佐藤 花子", "birth_date": "昭和15年3月2日"}),
    )
    .await;
    let s = app
        .get(
            &format!(
                "/api/v1/emergency/registrants/{id}?lookup_id={}",
                r["lookup_id"].as_str().unwrap()
            ),
            &w.medic,
        )
        .await;
    assert_eq!(s.status, 200, "{}", s.text);
    // The order of the document is the order a crew reads it in.
    let order = [
        "\"registrant_id\"",
        "\"identity\"",
        "\"care_decision\"",
        "\"family_doctors\"",
        "\"emergency_contacts\"",
        "\"medical\"",
        "\"living_situation\"",
    ];
    let at: Vec<usize> = order.iter().map(|k| s.text.find(k).unwrap()).collect();
    assert!(at.windows(2).all(|p| p[0] < p[1]), "{at:?}");
    let cd = &s.body["care_decision"];
    assert_eq!(cd["kind"], "revised");
    assert_eq!(cd["earlier_entries"], 1);
    assert_eq!(cd["wishes"]["cpr"], "not_wanted");
    assert_eq!(cd["wishes"]["hospital_transport"], "not_wanted");
    assert_eq!(cd["advance_directive"]["location"], "冷蔵庫の扉の内側");
    assert_eq!(cd["shared_with_family"], true);
    assert_eq!(s.body["identity"]["birth_date"], "1940-03-02");
    assert!(s.body["identity"]["age"].as_u64().unwrap() >= 86);
    assert_eq!(s.body["emergency_contacts"][0]["name"], "佐藤 一郎");
    assert_eq!(s.body["family_doctors"][0]["phone"], "0157-24-0000");
    assert_eq!(
        s.body["medical"]["devices_and_procedures"],
        json!(["pacemaker"])
    );
}

async fn outcome_is_recorded_on_own_lookups(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    populate(&app, &w).await;
    let r = search(
        &app,
        &w.medic,
        json!({"name": "佐藤花子", "birth_date": "1940-03-02"}),
    )
    .await;
    let path = format!(
        "/api/v1/emergency/lookups/{}/outcome",
        r["lookup_id"].as_str().unwrap()
    );
    let ok = app
        .post(&path, &w.medic, &json!({"result": "confirmed"}))
        .await;
    assert_eq!(ok.status, 204, "{}", ok.text);
    app.post(&path, &w.medic, &json!({"result": "maybe"}))
        .await
        .assert_problem(400, Some("result"));
    let _ = app.user(&w.admin, "medic.3", "paramedic", &w.fire).await;
    let medic3 = app.login("medic.3", crate::common::PASSWORD).await;
    app.post(&path, &medic3, &json!({"result": "wrong_person"}))
        .await
        .assert_problem(404, None);
    app.post(&path, &w.cm_a, &json!({"result": "wrong_person"}))
        .await
        .assert_problem(403, None);
    use diesel::prelude::*;
    use eir::db::schema::lookups::dsl as l;
    let result: Option<String> = l::lookups
        .find(r["lookup_id"].as_str().unwrap())
        .select(l::crew_result)
        .first(&mut *app.db())
        .unwrap();
    assert_eq!(result.as_deref(), Some("confirmed"));
}

async fn withdrawn_and_updated_registrants_are_searched_as_they_are_now(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let people = populate(&app, &w).await;
    let id = people[0]["id"].as_str().unwrap();
    // Renamed (e.g. a corrected reading): the new name finds her, the old does not match.
    let mut renamed = person("佐藤", "華子", "サトウ", "ハナコ", "1940-03-02", "female");
    renamed["given_name"] = json!("華子");
    let put = app
        .call(
            "PUT",
            &format!("/api/v1/registrants/{id}"),
            Some(&w.cm_a),
            Some(&renamed),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    let r = search(
        &app,
        &w.medic,
        json!({"name": "佐藤華子", "birth_date": "1940-03-02"}),
    )
    .await;
    assert_eq!(r["outcome"], "match");
    assert_eq!(top(&r).as_deref(), Some(id));
    // Withdrawn: nobody is found any more.
    assert_eq!(
        app.call(
            "DELETE",
            &format!("/api/v1/registrants/{id}"),
            Some(&w.cm_a),
            None,
            &[]
        )
        .await
        .status,
        204
    );
    let r = search(
        &app,
        &w.medic,
        json!({"name": "佐藤華子", "birth_date": "1940-03-02"}),
    )
    .await;
    assert_eq!(r["outcome"], "no_match", "{r}");
}

async fn search_input_is_checked(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let post = |body: Value| {
        let app = &app;
        let t = w.medic.clone();
        async move { app.post("/api/v1/emergency/search", &t, &body).await }
    };
    post(json!({"query": {"name": "佐藤花子"}}))
        .await
        .assert_problem(400, Some("incident_id"));
    post(json!({"incident_id": "", "query": {"name": "佐藤花子"}}))
        .await
        .assert_problem(422, Some("incident_id"));
    post(json!({"incident_id": "i-1", "query": {}}))
        .await
        .assert_problem(422, Some("query"));
    post(json!({"incident_id": "i-1", "query": {"name": "佐藤花子", "birth_date": "昭和65年1月1日"}})).await.assert_problem(422, Some("query.birth_date"));
    post(json!({"incident_id": "i-1", "query": {"name": "佐藤花子", "birth_date": "2099-01-01"}}))
        .await
        .assert_problem(422, Some("query.birth_date"));
    post(json!({"incident_id": "i-1", "query": {"card_code": "not-a-card"}}))
        .await
        .assert_problem(422, Some("query.card_code"));
    post(json!({"incident_id": "i-1", "query": {"name": "x", "nickname": "y"}}))
        .await
        .assert_problem(400, Some("query.nickname"));
    post(json!({"incident_id": "i-1", "incident_district_code": "D99", "query": {"name": "佐藤花子", "birth_date": "1940-03-02"}})).await.assert_problem(422, Some("incident_district_code"));
    post(json!({"incident_id": "i-1", "query": {"age": 300}}))
        .await
        .assert_problem(422, Some("query.age"));
    assert_eq!(app.count("lookups"), 0);
    app.post(
        "/api/v1/emergency/search",
        &w.cm_a,
        &json!({"incident_id": "i-1", "query": {"name": "佐藤花子"}}),
    )
    .await
    .assert_problem(403, None);
}

async fn searches_are_rate_limited_per_user(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.search_rate_per_minute = 3).await;
    let w = app.world().await;
    for _ in 0..3 {
        search(
            &app,
            &w.medic,
            json!({"name": "佐藤花子", "birth_date": "1940-03-02"}),
        )
        .await;
    }
    let r = app
        .post("/api/v1/emergency/search", &w.medic, &json!({"incident_id": "i-1", "query": {"name": "佐藤花子", "birth_date": "1940-03-02"}}))
        .await;
    r.assert_problem(429, None);
    assert_eq!(r.header("retry-after").as_deref(), Some("60"));
    assert_eq!(app.count("lookups"), 3);
}
