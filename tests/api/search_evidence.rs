//! The crew search uses all the evidence a crew has: the address and the family
//! name on the nameplate, how common a name is, a reading one kana off, mixed
//! scripts, the incident district; and a bad card code next to other fields.

use serde_json::{json, Value};

use crate::both_backends;
use crate::common::{hanako, Backend, TestApp, World};

both_backends!(
    family_name_and_address_find_the_household_and_tell_its_members_apart,
    every_written_form_of_the_address_finds_the_household,
    names_are_weighed_by_how_common_they_are_in_the_registry,
    one_kana_wrong_inserted_or_dropped_still_finds_the_person,
    mixed_scripts_find_the_person,
    incident_district_orders_indistinguishable_namesakes,
    bad_card_code_next_to_other_fields_is_ignored_and_said,
);

#[allow(clippy::too_many_arguments)]
fn person(
    family: &str,
    given: &str,
    fkana: &str,
    gkana: &str,
    birth: &str,
    sex: &str,
    address: &str,
    district: &str,
) -> Value {
    let mut p = hanako();
    p["family_name"] = json!(family);
    p["given_name"] = json!(given);
    p["family_name_kana"] = json!(fkana);
    p["given_name_kana"] = json!(gkana);
    p["birth_date"] = json!(birth);
    p["sex"] = json!(sex);
    p["address"] = json!({"postal_code": "090-0024", "line": address, "district_code": district});
    p["phones"] = json!([]);
    p
}

async fn search(app: &TestApp, w: &World, query: Value) -> Value {
    search_in(app, w, "D01", query).await
}

async fn search_in(app: &TestApp, w: &World, district: &str, query: Value) -> Value {
    let r = app
        .post(
            "/api/v1/emergency/search",
            &w.medic,
            &json!({"incident_id": "2026-120201", "incident_district_code": district, "query": query}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

fn ids(body: &Value) -> Vec<String> {
    body["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["registrant_id"].as_str().unwrap().to_owned())
        .collect()
}

fn id(p: &Value) -> String {
    p["id"].as_str().unwrap().to_owned()
}

async fn family_name_and_address_find_the_household_and_tell_its_members_apart(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let home = "北見市北4条東3丁目1-1";
    let wife = app
        .register(
            &w.cm_a,
            &person(
                "佐藤",
                "花子",
                "サトウ",
                "ハナコ",
                "1940-03-02",
                "female",
                home,
                "D01",
            ),
        )
        .await;
    let husband = app
        .register(
            &w.cm_a,
            &person(
                "佐藤",
                "一郎",
                "サトウ",
                "イチロウ",
                "1937-08-15",
                "male",
                home,
                "D01",
            ),
        )
        .await;
    // Another 佐藤 household, and a neighbour with another name at the same address.
    let elsewhere = app
        .register(
            &w.cm_a,
            &person(
                "佐藤",
                "花子",
                "サトウ",
                "ハナコ",
                "1941-01-09",
                "female",
                "北見市北5条東3丁目1-1",
                "D01",
            ),
        )
        .await;
    app.register(
        &w.cm_a,
        &person(
            "高橋",
            "恵子",
            "タカハシ",
            "ケイコ",
            "1939-05-05",
            "female",
            home,
            "D01",
        ),
    )
    .await;

    // The family name on the nameplate and the dispatch address: the household,
    // both members listed, nobody matched, nobody from elsewhere.
    let r = search(
        &app,
        &w,
        json!({"name": "サトウ", "address": "北4条東3丁目1番1号"}),
    )
    .await;
    assert_eq!(r["outcome"], "candidates", "{r}");
    let found = ids(&r);
    assert_eq!(found.len(), 2, "{r}");
    assert!(found.contains(&id(&wife)) && found.contains(&id(&husband)));
    assert!(!found.contains(&id(&elsewhere)));
    // The crew sees a woman: the wife first, still not a match.
    let r = search(
        &app,
        &w,
        json!({"name": "佐藤", "address": "北4条東3-1-1", "sex": "female"}),
    )
    .await;
    assert_eq!(r["outcome"], "candidates", "{r}");
    assert_eq!(ids(&r)[0], id(&wife));
    // A man of about 89: the husband first.
    let r = search(
        &app,
        &w,
        json!({"name": "さとう", "address": "北4条東3-1-1", "sex": "male", "age": 89}),
    )
    .await;
    assert_eq!(ids(&r)[0], id(&husband), "{r}");
    // The given name tells them apart for sure.
    let r = search(
        &app,
        &w,
        json!({"name": "さとう いちろう", "address": "北4条東3-1-1"}),
    )
    .await;
    assert_eq!(r["outcome"], "match", "{r}");
    assert_eq!(ids(&r), vec![id(&husband)]);
    // An address alone, or a family name alone, shows nobody.
    let r = search(
        &app,
        &w,
        json!({"address": "北4条東3-1-1", "sex": "female"}),
    )
    .await;
    assert_eq!(r["outcome"], "no_match", "{r}");
    let r = search(&app, &w, json!({"name": "佐藤", "sex": "female"})).await;
    assert_eq!(r["outcome"], "no_match", "{r}");
    // A family name not living there finds nobody at that address.
    let r = search(
        &app,
        &w,
        json!({"name": "スギモト", "address": "北4条東3-1-1"}),
    )
    .await;
    assert_eq!(r["outcome"], "no_match", "{r}");
}

async fn every_written_form_of_the_address_finds_the_household(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let p = app
        .register(
            &w.cm_a,
            &person(
                "杉本",
                "敬三",
                "スギモト",
                "ケイゾウ",
                "1950-04-25",
                "male",
                "北見市西浜3丁目24番6号",
                "D02",
            ),
        )
        .await;
    for address in [
        "西浜3丁目24番6号",
        "西浜3-24-6",
        "西浜３－２４－６",
        "西浜三丁目二十四番六号",
        "北海道北見市西浜3-24-6",
        "〒090-0024 西浜3-24-6",
        "西浜3-24-6 ハイツ西浜201号室",
        "西浜3丁目24-6-201",
    ] {
        let r = search(
            &app,
            &w,
            json!({"name": "ｽｷﾞﾓﾄ", "address": address, "sex": "male"}),
        )
        .await;
        assert_eq!(ids(&r).first(), Some(&id(&p)), "{address}: {r}");
    }
    // Another block or another town is not the household.
    for address in ["西浜3-24-7", "東浜3-24-6", "西浜3-4-6"] {
        let r = search(
            &app,
            &w,
            json!({"name": "ｽｷﾞﾓﾄ", "address": address, "sex": "male"}),
        )
        .await;
        assert_eq!(r["outcome"], "no_match", "{address}: {r}");
    }
    // The postal code with the full name and birth year also finds him.
    let r = search(
        &app,
        &w,
        json!({"name": "杉本 敬三", "birth_date": "1950", "address": "〒0900024"}),
    )
    .await;
    assert_eq!(ids(&r).first(), Some(&id(&p)), "{r}");
}

async fn names_are_weighed_by_how_common_they_are_in_the_registry(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    // A crew asks for サトウ チエコ born 1941-05-06. Two people are close: サトウ
    // ハナコ (family name agrees) and スギモト チエコ (given name agrees), both born
    // that day. Whoever shares the rarer name in this registry comes first.
    let sato = app
        .register(
            &w.cm_a,
            &person(
                "佐藤",
                "花子",
                "サトウ",
                "ハナコ",
                "1941-05-06",
                "female",
                "北見市港1-1-1",
                "D01",
            ),
        )
        .await;
    let chieko = app
        .register(
            &w.cm_a,
            &person(
                "杉本",
                "千恵子",
                "スギモト",
                "チエコ",
                "1941-05-06",
                "female",
                "北見市港2-2-2",
                "D01",
            ),
        )
        .await;
    let query = json!({"name": "サトウ チエコ", "birth_date": "1941-05-06", "sex": "female"});
    // Many サトウ registered: the given name チエコ is the rarer evidence.
    for i in 0..12 {
        let birth = format!("19{}-0{}-1{}", 30 + i, 1 + i % 9, i % 10);
        app.register(
            &w.cm_a,
            &person(
                "佐藤",
                "一郎",
                "サトウ",
                "イチロウ",
                &birth,
                "male",
                "北見市港9-9-9",
                "D01",
            ),
        )
        .await;
    }
    let r = search(&app, &w, query.clone()).await;
    assert_eq!(ids(&r)[0], id(&chieko), "{r}");
    // Then many チエコ: now the family name サトウ is the rarer one... once the
    // サトウ are withdrawn and the チエコ registered.
    let listed: Value = app.get("/api/v1/registrants?limit=100", &w.cm_a).await.body;
    for item in listed["items"].as_array().unwrap() {
        if item["given_name_kana"] == "イチロウ" {
            let path = format!("/api/v1/registrants/{}", item["id"].as_str().unwrap());
            let r = app.call("DELETE", &path, Some(&w.cm_a), None, &[]).await;
            assert!(r.status < 300, "{}", r.text);
        }
    }
    for i in 0..24 {
        let birth = format!("19{}-0{}-1{}", 30 + i % 20, 1 + i % 9, i % 10);
        app.register(
            &w.cm_a,
            &person(
                "田中",
                "千恵子",
                "タナカ",
                "チエコ",
                &birth,
                "female",
                "北見市港8-8-8",
                "D01",
            ),
        )
        .await;
    }
    let r = search(&app, &w, query).await;
    assert_eq!(ids(&r)[0], id(&sato), "{r}");
    // The counts behind the weights follow the registry.
    use diesel::prelude::*;
    use eir::db::schema::name_counts::dsl as n;
    let count = |value: &str| -> i64 {
        n::name_counts
            .filter(n::value.eq(value))
            .select(n::n)
            .first(&mut *app.db())
            .unwrap_or(0)
    };
    assert_eq!(count("g:チエコ"), 25);
    assert_eq!(count("f:サト"), 1, "withdrawn registrants are not counted");
    assert_eq!(count("t:"), 26);
}

async fn one_kana_wrong_inserted_or_dropped_still_finds_the_person(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let yukiko = app
        .register(
            &w.cm_a,
            &person(
                "早田",
                "幸子",
                "ハヤタ",
                "ユキコ",
                "1942-07-28",
                "female",
                "北見市港1-1-1",
                "D01",
            ),
        )
        .await;
    let saito = app
        .register(
            &w.cm_a,
            &person(
                "今浦",
                "紀子",
                "イマウラ",
                "ノリコ",
                "1935-02-11",
                "female",
                "北見市港2-2-2",
                "D01",
            ),
        )
        .await;
    app.register(
        &w.cm_a,
        &person(
            "早田",
            "一郎",
            "ハヤタ",
            "イチロウ",
            "1940-01-01",
            "male",
            "北見市港1-1-1",
            "D01",
        ),
    )
    .await;
    for (query, who) in [
        // one kana wrong, with the birth year
        (
            json!({"name": "ハヤタ ユリコ", "birth_date": "1942"}),
            &yukiko,
        ),
        // one kana wrong, with an age, no space
        (
            json!({"name": "はやたゆきけ", "age": 84, "sex": "female"}),
            &yukiko,
        ),
        // a kana inserted in the family name, with the full date
        (
            json!({"name": "ハヤマタ ユキコ", "birth_date": "S17.7.28"}),
            &yukiko,
        ),
        // one wrong in the given name, with an age
        (
            json!({"name": "いまうら なりこ", "age": 91, "sex": "female"}),
            &saito,
        ),
        // a kana dropped
        (
            json!({"name": "イマウ ノリコ", "birth_date": "1935"}),
            &saito,
        ),
    ] {
        let r = search(&app, &w, query.clone()).await;
        assert_eq!(ids(&r).first(), Some(&id(who)), "{query}: {r}");
        assert_ne!(r["outcome"], "no_match", "{query}");
    }
}

async fn mixed_scripts_find_the_person(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let p = app
        .register(
            &w.cm_a,
            &person(
                "田中",
                "花子",
                "タナカ",
                "ハナコ",
                "1938-10-10",
                "female",
                "北見市港1-1-1",
                "D01",
            ),
        )
        .await;
    app.register(
        &w.cm_a,
        &person(
            "田中",
            "和子",
            "タナカ",
            "カズコ",
            "1938-12-12",
            "female",
            "北見市港3-1-1",
            "D01",
        ),
    )
    .await;
    for query in [
        json!({"name": "田中 はなこ", "age": 88}),
        json!({"name": "田中はなこ", "birth_date": "1938"}),
        json!({"name": "ﾀﾅｶ 花子", "birth_date": "昭和13年"}),
        json!({"name": "たなか花子"}),
    ] {
        let r = search(&app, &w, query.clone()).await;
        assert_eq!(ids(&r).first(), Some(&id(&p)), "{query}: {r}");
    }
}

async fn incident_district_orders_indistinguishable_namesakes(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let d1 = app
        .register(
            &w.cm_a,
            &person(
                "鈴木",
                "節子",
                "スズキ",
                "セツコ",
                "1939-04-01",
                "female",
                "北見市港1-1-1",
                "D01",
            ),
        )
        .await;
    let d2 = app
        .register(
            &w.cm_a,
            &person(
                "鈴木",
                "節子",
                "スズキ",
                "セツコ",
                "1939-09-30",
                "female",
                "北見市港5-5-5",
                "D02",
            ),
        )
        .await;
    let query = json!({"name": "スズキ セツコ", "birth_date": "1939"});
    for (district, first) in [("D01", &d1), ("D02", &d2)] {
        let r = search_in(&app, &w, district, query.clone()).await;
        // weak evidence: it orders the list, it never makes a match
        assert_eq!(r["outcome"], "candidates", "{r}");
        assert_eq!(
            ids(&r),
            vec![id(first), id(if district == "D01" { &d2 } else { &d1 })]
        );
        assert_eq!(r["candidates"][0]["age"], 87, "{r}");
    }
}

async fn bad_card_code_next_to_other_fields_is_ignored_and_said(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let p = app.register(&w.cm_a, &hanako()).await;
    let card = p["card_code"].as_str().unwrap().to_owned();
    // Break the check symbol (last character).
    let last = card.chars().last().unwrap();
    let wrong = if last == 'X' { 'Y' } else { 'X' };
    let bad = format!("{}{wrong}", &card[..card.len() - 1]);
    // With other fields: searched on those, and the answer says so.
    let r = search(
        &app,
        &w,
        json!({"card_code": bad, "name": "さとう はなこ", "birth_date": "1940-03-02"}),
    )
    .await;
    assert_eq!(r["outcome"], "match", "{r}");
    assert_eq!(ids(&r), vec![id(&p)]);
    assert_eq!(r["ignored"][0]["field"], "query.card_code", "{r}");
    // A good query says nothing is ignored.
    let r = search(
        &app,
        &w,
        json!({"name": "さとう はなこ", "birth_date": "1940-03-02"}),
    )
    .await;
    assert_eq!(r["ignored"], json!([]));
    // Alone (or with sex only), it is a problem on the field, as before.
    for query in [
        json!({"card_code": bad}),
        json!({"card_code": bad, "sex": "female"}),
    ] {
        let r = app
            .post(
                "/api/v1/emergency/search",
                &w.medic,
                &json!({"incident_id": "2026-120201", "query": query}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert!(r.text.contains("query.card_code"), "{}", r.text);
    }
}
