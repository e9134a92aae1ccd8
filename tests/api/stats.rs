//! Statistics (`/stats/*`): a known world — registrants spread unevenly over
//! districts, care decisions, scripted lookups at Asia/Tokyo month boundaries —
//! and every figure checked against values worked out by hand below.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde_json::{json, Value};

use crate::both_backends;
use crate::common::{decision, hanako, Backend, TestApp, World, PASSWORD};

both_backends!(
    overview_counts_participation,
    hit_rate_by_month_district_and_unit,
    districts_show_skew_and_unknown_districts,
    care_decisions_count_current_entries,
    csv_has_bom_header_and_rows,
    ratios_are_null_without_denominator,
    bad_parameters_are_named,
    only_admins_read_statistics,
);

const PERIOD: &str = "from=2026-03-01&to=2026-04-30";

fn ts(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap()
}

/// Today in Tokyo, as the server computes it.
fn today() -> NaiveDate {
    (chrono::Utc::now() + Duration::hours(9)).date_naive()
}

#[track_caller]
fn close(v: &Value, expected: f64) {
    let x = v
        .as_f64()
        .unwrap_or_else(|| panic!("expected {expected}, got {v}"));
    assert!((x - expected).abs() < 1e-9, "expected {expected}, got {x}");
}

fn sql(app: &TestApp, q: &str) {
    use diesel::RunQueryDsl;
    let mut conn = app.db();
    diesel::sql_query(q).execute(&mut *conn).unwrap();
}

fn person(district: Option<&str>, i: usize) -> Value {
    let mut p = hanako();
    p["given_name"] = json!(format!("花子{i}"));
    p["address"]["district_code"] = json!(district);
    p
}

/// The known world (on top of `TestApp::world`: districts D01 65+ 4100, D02 1300,
/// D03 2600; offices A and B; fire department "fire"; city org of the admin).
struct Known {
    w: World,
    /// r[0..9]: r1..r9 below.
    r: Vec<String>,
    fire2: String,
}

/// Registrants (A = office A via cm.a, B = office B via cm.b):
///   r1 A D01, r2 A D01, r3 A D01, r4 A D01, r5 A D02, r6 A (no district),
///   r7 B D02, r8 B D03 → withdrawn, r9 B D01 → deceased.
/// Active: r1–r7 = 7 (A 6, B 1). Districts of active: D01 4, D02 2, D03 0, unknown 1.
async fn known_world(app: &TestApp) -> Known {
    let w = app.world().await;
    let cm_a2_org = w.org_a.clone();
    app.user(&w.admin, "cm.a2", "care_manager", &cm_a2_org)
        .await;
    let fire2 = app.org(&w.admin, "第二消防", "fire_department").await;
    app.user(&w.admin, "medic.2", "paramedic", &fire2).await;
    // A clinic with no user and no registrant: not taking part.
    app.org(&w.admin, "休眠クリニック", "clinic").await;
    let mut r = Vec::new();
    let plan = [
        (&w.cm_a, Some("D01")),
        (&w.cm_a, Some("D01")),
        (&w.cm_a, Some("D01")),
        (&w.cm_a, Some("D01")),
        (&w.cm_a, Some("D02")),
        (&w.cm_a, None),
        (&w.cm_b, Some("D02")),
        (&w.cm_b, Some("D03")),
        (&w.cm_b, Some("D01")),
    ];
    for (i, (token, district)) in plan.iter().enumerate() {
        let body = app.register(token, &person(*district, i + 1)).await;
        r.push(body["id"].as_str().unwrap().to_owned());
    }
    Known { w, r, fire2 }
}

fn user_id(app: &TestApp, login: &str) -> String {
    use diesel::prelude::*;
    use eir::db::schema::users;
    let mut conn = app.db();
    users::table
        .filter(users::login.eq(login))
        .select(users::id)
        .first(&mut *conn)
        .unwrap()
}

/// Care decisions (T = today in Tokyo):
///   r1: new (discussed T-400, due T-30, shared) then reconfirmed (T-100, due T+200, not shared)
///   r2: new by cm.a2 (T-400, due T-1, shared)
///   r5: new (T-10, no due date, shared)
///   r7: new by cm.b (T-20, due T, not shared) then revised (T-5, due T+365, shared)
///   r8: new by cm.b (T-3), later withdrawn
/// recorded_at is then set to: r1 new 2026-02-28 15:00 UTC (Mar 1 Tokyo),
/// r1 reconfirmed 2026-03-31 15:00 UTC (Apr 1), r2 new 2026-04-15 03:00 (Apr),
/// r5 new 2026-04-30 15:30 UTC (May 1, outside), r7 new 2026-02-20 (Feb, outside),
/// r7 revised 2026-02-28 15:00 UTC (Mar 1), r8 new 2026-02-28 14:00 UTC (Feb 28, outside).
async fn record_decisions(app: &TestApp, k: &Known) {
    let t = today();
    let cm_a2 = app.login("cm.a2", PASSWORD).await;
    let day = |d: i64| (t + Duration::days(d)).to_string();
    let entry = |kind: &str, discussed: i64, due: Option<i64>, shared: bool| {
        let mut d = decision(kind);
        d["discussed_on"] = json!(day(discussed));
        d["review_due"] = json!(due.map(day));
        d["shared_with_family"] = json!(shared);
        d
    };
    let steps = [
        (
            0,
            &k.w.cm_a,
            entry("new", -400, Some(-30), true),
            "2026-02-28 15:00:00",
        ),
        (
            0,
            &k.w.cm_a,
            entry("reconfirmed", -100, Some(200), false),
            "2026-03-31 15:00:00",
        ),
        (
            1,
            &cm_a2,
            entry("new", -400, Some(-1), true),
            "2026-04-15 03:00:00",
        ),
        (
            4,
            &k.w.cm_a,
            entry("new", -10, None, true),
            "2026-04-30 15:30:00",
        ),
        (
            6,
            &k.w.cm_b,
            entry("new", -20, Some(0), false),
            "2026-02-20 00:00:00",
        ),
        (
            6,
            &k.w.cm_b,
            entry("revised", -5, Some(365), true),
            "2026-02-28 15:00:00",
        ),
        (
            7,
            &k.w.cm_b,
            entry("new", -3, None, true),
            "2026-02-28 14:00:00",
        ),
    ];
    for (i, token, body, at) in steps {
        let res = app
            .post(
                &format!("/api/v1/registrants/{}/care-decisions", k.r[i]),
                token,
                &body,
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        let id = res.body["id"].as_str().unwrap();
        sql(
            app,
            &format!("UPDATE care_decisions SET recorded_at = '{at}' WHERE id = '{id}'"),
        );
    }
}

/// Withdraws r8, marks r9 deceased, sets creation times:
/// r1 2026-02-28 15:00 UTC (Mar 1 Tokyo), r2 2026-02-28 14:59:59.999999 (Feb 28),
/// r3 2026-04-30 14:59:59 (Apr 30), r4 2026-04-30 15:00 (May 1), r8 2026-03-15 (Mar),
/// the rest 2025-06-01. In the period: March r1, r8 = 2; April r3 = 1.
async fn finish_registrants(app: &TestApp, k: &Known) {
    for (i, reason) in [(7, "withdrawn"), (8, "deceased")] {
        let p = format!("/api/v1/registrants/{}?reason={reason}", k.r[i]);
        assert_eq!(
            app.call("DELETE", &p, Some(&k.w.cm_b), None, &[])
                .await
                .status,
            204
        );
    }
    let created = [
        "2026-02-28 15:00:00",
        "2026-02-28 14:59:59.999999",
        "2026-04-30 14:59:59",
        "2026-04-30 15:00:00",
        "2025-06-01 00:00:00",
        "2025-06-01 00:00:00",
        "2025-06-01 00:00:00",
        "2026-03-15 00:00:00",
        "2025-06-01 00:00:00",
    ];
    for (id, at) in k.r.iter().zip(created) {
        sql(
            app,
            &format!("UPDATE registrants SET created_at = '{at}' WHERE id = '{id}'"),
        );
    }
}

/// Lookups (fire = unit 1, fire2 = unit 2); period 2026-03-01..04-30 Tokyo is
/// UTC [2026-02-28 15:00, 2026-04-30 15:00):
///   L1 I1 fire  D01 2026-02-28 15:00:00 no_match                       (Mar)
///   L2 I1 fire  D01 2026-02-28 15:05:00 match      opened r1 confirmed (Mar)
///   L3 I2 fire  D02 2026-03-31 15:30:00 candidates opened r5 wrong_person (Apr)
///   L4 I3 fire2 D01 2026-04-10 00:00:00 no_match   not_registered      (Apr)
///   L5 I4 fire2 —   2026-04-20 00:00:00 candidates                     (Apr)
///   L6 I5 fire  D03 2026-02-28 14:59:59 match      opened r2 confirmed (Feb: outside)
///   L7 I6 fire  D01 2026-04-30 15:00:00 match      opened r3           (May: outside)
///   L8 I7 fire  D02 2026-03-31 14:00:00 no_match                       (Mar)
///   L9 I7 fire2 D02 2026-03-31 15:10:00 match      opened r7 confirmed (Apr)
/// (incident, paramedic 1?, district, created at, outcome, opened registrant, crew result)
type LookupSpec<'a> = (
    &'a str,
    bool,
    Option<&'a str>,
    &'a str,
    &'a str,
    Option<String>,
    Option<&'a str>,
);

fn insert_lookups(app: &TestApp, k: &Known) {
    let medic1 = user_id(app, "medic.1");
    let medic2 = user_id(app, "medic.2");
    let r = |i: usize| Some(k.r[i].clone());
    let rows: [LookupSpec; 9] = [
        (
            "I1",
            true,
            Some("D01"),
            "2026-02-28 15:00:00",
            "no_match",
            None,
            None,
        ),
        (
            "I1",
            true,
            Some("D01"),
            "2026-02-28 15:05:00",
            "match",
            r(0),
            Some("confirmed"),
        ),
        (
            "I2",
            true,
            Some("D02"),
            "2026-03-31 15:30:00",
            "candidates",
            r(4),
            Some("wrong_person"),
        ),
        (
            "I3",
            false,
            Some("D01"),
            "2026-04-10 00:00:00",
            "no_match",
            None,
            Some("not_registered"),
        ),
        (
            "I4",
            false,
            None,
            "2026-04-20 00:00:00",
            "candidates",
            None,
            None,
        ),
        (
            "I5",
            true,
            Some("D03"),
            "2026-02-28 14:59:59",
            "match",
            r(1),
            Some("confirmed"),
        ),
        (
            "I6",
            true,
            Some("D01"),
            "2026-04-30 15:00:00",
            "match",
            r(2),
            None,
        ),
        (
            "I7",
            true,
            Some("D02"),
            "2026-03-31 14:00:00",
            "no_match",
            None,
            None,
        ),
        (
            "I7",
            false,
            Some("D02"),
            "2026-03-31 15:10:00",
            "match",
            r(6),
            Some("confirmed"),
        ),
    ];
    let mut conn = app.db();
    for (incident, unit1, district, at, outcome, opened, result) in rows {
        let at = ts(at);
        let row = eir::db::lookups::LookupRow {
            id: uuid::Uuid::new_v4().to_string(),
            incident_id: incident.into(),
            user_id: if unit1 {
                medic1.clone()
            } else {
                medic2.clone()
            },
            unit_organization_id: if unit1 {
                k.w.fire.clone()
            } else {
                k.fire2.clone()
            },
            incident_district_code: district.map(str::to_owned),
            query_kind: "name+birth_date".into(),
            outcome: outcome.into(),
            candidate_count: i32::from(outcome != "no_match"),
            candidate_ids: "[]".into(),
            opened_at: opened.as_ref().map(|_| at + Duration::seconds(20)),
            opened_registrant_id: opened,
            crew_result: result.map(str::to_owned),
            crew_result_at: result.map(|_| at + Duration::minutes(10)),
            latency_us: 1500,
            created_at: at,
        };
        let tokyo = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
        eir::db::hit_rollup::insert_lookups(&mut conn, &[row], tokyo).unwrap();
    }
}

async fn full_world(app: &TestApp) -> Known {
    let k = known_world(app).await;
    record_decisions(app, &k).await;
    finish_registrants(app, &k).await;
    insert_lookups(app, &k);
    // cm.b is deactivated: office B still takes part through its active registrant r7.
    let cm_b = user_id(app, "cm.b");
    let res = app
        .call(
            "PATCH",
            &format!("/api/v1/users/{cm_b}"),
            Some(&k.w.admin),
            Some(&json!({"active": false})),
            &[],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    k
}

async fn overview_counts_participation(b: Backend) {
    let app = TestApp::spawn(b).await;
    let k = full_world(&app).await;
    let o = app
        .get(&format!("/api/v1/stats/overview?{PERIOD}"), &k.w.admin)
        .await;
    assert_eq!(o.status, 200, "{}", o.text);
    let b = &o.body;
    assert_eq!(
        b["period"],
        json!({"from": "2026-03-01", "to": "2026-04-30", "timezone": "Asia/Tokyo"})
    );
    // r1–r7 active, r8 withdrawn, r9 deceased.
    assert_eq!(
        b["registrants_by_status"],
        json!({"active": 7, "withdrawn": 1, "deceased": 1})
    );
    // care_office: A (cm.a, cm.a2) and B (no active user, but active r7) = 2 of 2;
    // clinic: 0 of 1; fire_department: fire (medic.1), fire2 (medic.2) = 2 of 2;
    // city: the admin's = 1 of 1. Taking part: 2 + 0 + 2 + 1 = 5.
    let kinds = b["organizations_by_kind"].as_array().unwrap();
    let kind = |k: &str| kinds.iter().find(|x| x["kind"] == k).unwrap().clone();
    assert_eq!(
        kind("care_office"),
        json!({"kind": "care_office", "organizations": 2, "taking_part": 2})
    );
    assert_eq!(
        kind("clinic"),
        json!({"kind": "clinic", "organizations": 1, "taking_part": 0})
    );
    assert_eq!(
        kind("hospital"),
        json!({"kind": "hospital", "organizations": 0, "taking_part": 0})
    );
    assert_eq!(
        kind("facility"),
        json!({"kind": "facility", "organizations": 0, "taking_part": 0})
    );
    assert_eq!(kind("fire_department")["taking_part"], 2);
    assert_eq!(
        kind("city"),
        json!({"kind": "city", "organizations": 1, "taking_part": 1})
    );
    assert_eq!(b["organizations_taking_part"], 5);
    // Active users: admin; cm.a, cm.a2 (cm.b deactivated); medic.1, medic.2.
    assert_eq!(
        b["active_users_by_role"],
        json!({"care_manager": 2, "paramedic": 2, "admin": 1})
    );
    // Active registrants with a decision: r1, r2, r5, r7 = 4 of 7 (r8 is withdrawn).
    assert_eq!(b["registrants_with_care_decision"], 4);
    close(&b["registrants_with_care_decision_share"], 4.0 / 7.0);
    // Created in March (Tokyo): r1 (Feb 28 15:00 UTC), r8; April: r3 (Apr 30 14:59:59 UTC).
    assert_eq!(
        b["new_registrations_by_month"],
        json!([{"month": "2026-03", "count": 2}, {"month": "2026-04", "count": 1}])
    );
    assert_eq!(b["new_registrations"], 3);
    // L1, L2, L3, L4, L5, L8, L9.
    assert_eq!(b["lookups"], 7);
}

#[track_caller]
fn hit_row(row: &Value, counts: [i64; 11], rates: [Option<f64>; 3]) {
    let names = [
        "incidents",
        "incidents_opened",
        "searches",
        "outcome_match",
        "outcome_candidates",
        "outcome_no_match",
        "searches_opened",
        "result_confirmed",
        "result_wrong_person",
        "result_not_registered",
        "results_reported",
    ];
    for (name, n) in names.iter().zip(counts) {
        assert_eq!(row[*name], n, "{name} in {row}");
    }
    for (name, rate) in ["incident_hit_rate", "search_hit_rate", "confirmed_rate"]
        .iter()
        .zip(rates)
    {
        match rate {
            Some(x) => close(&row[*name], x),
            None => assert!(row[*name].is_null(), "{name} in {row}"),
        }
    }
}

async fn hit_rate_by_month_district_and_unit(b: Backend) {
    let app = TestApp::spawn(b).await;
    let k = full_world(&app).await;
    // Totals: incidents I1, I2, I3, I4, I7 = 5 (I7 once, though in two months and units);
    // opened I1, I2, I7 = 3 → 3/5. Searches 7: match L2, L9; candidates L3, L5;
    // no_match L1, L4, L8; opened L2, L3, L9 = 3 → 3/7; confirmed L2, L9, wrong L3,
    // not_registered L4 → reported 4, confirmed 2/4.
    let total = [5, 3, 7, 2, 2, 3, 3, 2, 1, 1, 4];
    let total_rates = [Some(0.6), Some(3.0 / 7.0), Some(0.5)];

    let m = app
        .get(&format!("/api/v1/stats/hit-rate?{PERIOD}"), &k.w.admin)
        .await;
    assert_eq!(m.status, 200, "{}", m.text);
    assert_eq!(m.body["group_by"], "month");
    let g = m.body["groups"].as_array().unwrap();
    assert_eq!(g.len(), 2);
    // March: L1, L2 (I1), L8 (I7) → incidents 2, opened 1 (I1; I7 opened in April);
    // match 1, no_match 2; opened 1/3; confirmed 1 of 1 reported.
    assert_eq!(g[0]["key"], "2026-03");
    hit_row(
        &g[0],
        [2, 1, 3, 1, 0, 2, 1, 1, 0, 0, 1],
        [Some(0.5), Some(1.0 / 3.0), Some(1.0)],
    );
    // April: L3 (I2), L4 (I3), L5 (I4), L9 (I7) → incidents 4, opened 2 (I2, I7);
    // match 1, candidates 2, no_match 1; opened 2/4; confirmed 1 of 3 reported.
    assert_eq!(g[1]["key"], "2026-04");
    hit_row(
        &g[1],
        [4, 2, 4, 1, 2, 1, 2, 1, 1, 1, 3],
        [Some(0.5), Some(0.5), Some(1.0 / 3.0)],
    );
    hit_row(&m.body["total"], total, total_rates);
    assert!(m.body["total"]["key"].is_null());

    let d = app
        .get(
            &format!("/api/v1/stats/hit-rate?{PERIOD}&group_by=district"),
            &k.w.admin,
        )
        .await;
    assert_eq!(d.status, 200, "{}", d.text);
    let g = d.body["groups"].as_array().unwrap();
    let keys: Vec<&Value> = g.iter().map(|r| &r["key"]).collect();
    assert_eq!(
        keys,
        [&json!("D01"), &json!("D02"), &json!("D03"), &Value::Null]
    );
    assert_eq!(g[0]["label"], "北見中央");
    // D01: L1, L2 (I1), L4 (I3): incidents 2, opened 1; match 1, no_match 2; opened 1/3;
    // confirmed 1, not_registered 1 → 1/2.
    hit_row(
        &g[0],
        [2, 1, 3, 1, 0, 2, 1, 1, 0, 1, 2],
        [Some(0.5), Some(1.0 / 3.0), Some(0.5)],
    );
    // D02: L3 (I2), L8, L9 (I7): incidents 2, opened 2; match 1, candidates 1, no_match 1;
    // opened 2/3; confirmed 1, wrong 1 → 1/2.
    hit_row(
        &g[1],
        [2, 2, 3, 1, 1, 1, 2, 1, 1, 0, 2],
        [Some(1.0), Some(2.0 / 3.0), Some(0.5)],
    );
    // D03: nothing in the period (L6 is February) → ratios null.
    hit_row(&g[2], [0; 11], [None, None, None]);
    // No district: L5 (I4): 1 incident, not opened; no result reported.
    hit_row(
        &g[3],
        [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0],
        [Some(0.0), Some(0.0), None],
    );
    hit_row(&d.body["total"], total, total_rates);

    let u = app
        .get(
            &format!("/api/v1/stats/hit-rate?{PERIOD}&group_by=unit"),
            &k.w.admin,
        )
        .await;
    assert_eq!(u.status, 200, "{}", u.text);
    let g = u.body["groups"].as_array().unwrap();
    assert_eq!(g.len(), 2);
    let unit = |id: &str| g.iter().find(|r| r["key"] == id).unwrap().clone();
    // fire: L1, L2 (I1), L3 (I2), L8 (I7): incidents 3, opened 2 (I1, I2);
    // match 1, candidates 1, no_match 2; opened 2/4; confirmed 1, wrong 1 → 1/2.
    let fire = unit(&k.w.fire);
    assert_eq!(fire["label"], "北見地区消防組合");
    hit_row(
        &fire,
        [3, 2, 4, 1, 1, 2, 2, 1, 1, 0, 2],
        [Some(2.0 / 3.0), Some(0.5), Some(0.5)],
    );
    // fire2: L4 (I3), L5 (I4), L9 (I7): incidents 3, opened 1 (I7);
    // match 1, candidates 1, no_match 1; opened 1/3; confirmed 1, not_registered 1 → 1/2.
    hit_row(
        &unit(&k.fire2),
        [3, 1, 3, 1, 1, 1, 1, 1, 0, 1, 2],
        [Some(1.0 / 3.0), Some(1.0 / 3.0), Some(0.5)],
    );
    hit_row(&u.body["total"], total, total_rates);

    // The roll-up kept on every write equals one rebuilt from the lookups.
    sql(&app, "DELETE FROM hit_rollup_state");
    let tokyo = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
    assert!(eir::db::hit_rollup::ensure(&mut app.db(), tokyo).unwrap());
    for (query, kept) in [("", &m), ("&group_by=district", &d), ("&group_by=unit", &u)] {
        let rebuilt = app
            .get(
                &format!("/api/v1/stats/hit-rate?{PERIOD}{query}"),
                &k.w.admin,
            )
            .await;
        assert_eq!(rebuilt.body, kept.body, "group_by{query}");
    }
    // Built for Tokyo: nothing to do. Started with another zone: rebuilt on that
    // zone's days. I2 (00:30) and I7 (00:10) searched on April 1 in Tokyo, which
    // is March 31 in UTC.
    let searches_on = |day: &str, zone: chrono::FixedOffset| {
        let d = day.parse().unwrap();
        let p = eir::stats::period::Period::resolve(Some(d), Some(d), today(), zone).unwrap();
        eir::stats::queries::hit_counts(&mut app.db(), &p, eir::stats::queries::HitGroup::Total)
            .unwrap()
            .iter()
            .map(|r| r.searches)
            .sum::<i64>()
    };
    assert!(!eir::db::hit_rollup::ensure(&mut app.db(), tokyo).unwrap());
    assert_eq!(searches_on("2026-04-01", tokyo), 2);
    let utc = chrono::FixedOffset::east_opt(0).unwrap();
    assert!(eir::db::hit_rollup::ensure(&mut app.db(), utc).unwrap());
    assert_eq!(searches_on("2026-04-01", utc), 0);
    assert_eq!(searches_on("2026-03-31", utc), 3);
}

async fn districts_show_skew_and_unknown_districts(b: Backend) {
    let app = TestApp::spawn(b).await;
    let k = full_world(&app).await;
    let res = app
        .get(&format!("/api/v1/stats/districts?{PERIOD}"), &k.w.admin)
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let d = res.body["districts"].as_array().unwrap();
    assert_eq!(d.len(), 3);
    // Active: D01 4 (r1–r4), D02 2 (r5, r7), D03 0 (r8 withdrawn); unknown 1 (r6).
    // Listed total 6; 65+ population 4100 + 1300 + 2600 = 8000.
    let (c1, c2, c3) = (4.0 * 1000.0 / 4100.0, 2.0 * 1000.0 / 1300.0, 0.0);
    let expect = [
        (
            "D01",
            "北見中央",
            4,
            4100,
            c1,
            4.0 / 6.0,
            4100.0 / 8000.0,
            3,
            1,
        ),
        ("D02", "端野", 2, 1300, c2, 2.0 / 6.0, 1300.0 / 8000.0, 3, 2),
        ("D03", "留辺蘂", 0, 2600, c3, 0.0, 2600.0 / 8000.0, 0, 0),
    ];
    for (row, (code, name, reg, pop, cov, rs, ps, searches, opened)) in d.iter().zip(expect) {
        assert_eq!(row["code"], code);
        assert_eq!(row["name"], name);
        assert_eq!(row["active_registrants"], reg);
        assert_eq!(row["population_65plus"], pop);
        close(&row["coverage_per_1000"], cov);
        close(&row["registrant_share"], rs);
        close(&row["population_share"], ps);
        close(&row["share_ratio"], rs / ps);
        // Searches by incident district in the period: D01 L1, L2, L4 (opened L2);
        // D02 L3, L8, L9 (opened L3, L9); D03 none (L6 is February).
        assert_eq!(row["searches"], searches);
        assert_eq!(row["searches_opened"], opened);
        if searches == 0 {
            assert!(row["search_hit_rate"].is_null());
        } else {
            close(
                &row["search_hit_rate"],
                f64::from(opened) / f64::from(searches),
            );
        }
    }
    // Median coverage of (0, 0.9756, 1.5385) is c1; half of it is 0.4878: D03 is below.
    assert_eq!(d[0]["under_covered"], false);
    assert_eq!(d[2]["under_covered"], true);
    let u = &res.body["unknown_district"];
    assert_eq!(u["active_registrants"], 1);
    close(&u["share_of_active"], 1.0 / 7.0);
    // L5 had no incident district and opened nothing.
    assert_eq!(u["searches"], 1);
    assert_eq!(u["searches_opened"], 0);
    close(&u["search_hit_rate"], 0.0);

    let s = &res.body["summary"];
    assert_eq!(s["active_registrants"], 7);
    assert_eq!(s["active_registrants_in_listed_districts"], 6);
    assert_eq!(s["population_65plus"], 8000);
    close(&s["coverage_per_1000"], 6.0 * 1000.0 / 8000.0);
    close(&s["median_coverage_per_1000"], c1);
    // Gini, sorted (0, c1, c2), n = 3: Σ(2i − n − 1)x / (n Σx) = (−2·0 + 0·c1 + 2·c2) / (3 (c1 + c2)).
    close(&s["gini"], 2.0 * c2 / (3.0 * (c1 + c2)));
    // CV: population standard deviation / mean.
    let mean = (c1 + c2 + c3) / 3.0;
    let sd = (((c1 - mean).powi(2) + (c2 - mean).powi(2) + (c3 - mean).powi(2)) / 3.0).sqrt();
    close(&s["coefficient_of_variation"], sd / mean);
    // Chi-square: observed (4, 2, 0), expected 6 × (4100, 1300, 2600) / 8000 = (3.075, 0.975, 1.95):
    // 0.925²/3.075 + 1.025²/0.975 + 1.95²/1.95 = 0.278252… + 1.077564… + 1.95 = 3.305816…
    let chi = 0.925f64.powi(2) / 3.075 + 1.025f64.powi(2) / 0.975 + 1.95;
    close(&s["chi_square"]["statistic"], chi);
    assert_eq!(s["chi_square"]["degrees_of_freedom"], 2);
    // With 2 degrees of freedom the upper tail is exactly e^(−χ²/2) ≈ 0.1915.
    close(&s["chi_square"]["p_value"], (-chi / 2.0).exp());
    assert_eq!(s["under_covered"], json!(["D03"]));
}

async fn care_decisions_count_current_entries(b: Backend) {
    let app = TestApp::spawn(b).await;
    let k = full_world(&app).await;
    let res = app
        .get(
            &format!("/api/v1/stats/care-decisions?{PERIOD}"),
            &k.w.admin,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let c = &res.body;
    assert_eq!(c["as_of"], today().to_string());
    // Latest entries of active registrants: r1 reconfirmed (T-100, due T+200, not shared),
    // r2 new (T-400, due T-1, shared), r5 new (T-10, shared), r7 revised (T-5, due T+365,
    // shared). r8's entry does not count: r8 is withdrawn.
    assert_eq!(c["active_registrants"], 7);
    assert_eq!(c["with_decision"], 4);
    close(&c["with_decision_share"], 4.0 / 7.0);
    // Discussed within 12 months: r1, r5, r7 (r2's T-400 is older).
    assert_eq!(c["reviewed_within_12_months"], 3);
    close(&c["reviewed_within_12_months_share"], 3.0 / 4.0);
    // Overdue: r2 (due T-1). r1's earlier entry was overdue but is superseded; r7's
    // superseded entry was due T.
    assert_eq!(c["overdue_reviews"], 1);
    close(&c["overdue_reviews_share"], 1.0 / 4.0);
    // Shared with family: r2, r5, r7.
    assert_eq!(c["shared_with_family"], 3);
    close(&c["shared_with_family_share"], 3.0 / 4.0);
    // By organization: A has r1–r6 active, decisions r1, r2, r5 (reviewed r1, r5;
    // overdue r2; shared r2, r5); B has r7 (reviewed, shared).
    let orgs = c["by_organization"].as_array().unwrap();
    assert_eq!(orgs.len(), 2);
    let org = |id: &str| {
        orgs.iter()
            .find(|o| o["organization_id"] == id)
            .unwrap()
            .clone()
    };
    let a = org(&k.w.org_a);
    assert_eq!(
        (
            &a["active_registrants"],
            &a["with_decision"],
            &a["reviewed_within_12_months"],
            &a["overdue_reviews"],
            &a["shared_with_family"]
        ),
        (&json!(6), &json!(3), &json!(2), &json!(1), &json!(2))
    );
    close(&a["with_decision_share"], 0.5);
    let bo = org(&k.w.org_b);
    assert_eq!(
        (
            &bo["active_registrants"],
            &bo["with_decision"],
            &bo["reviewed_within_12_months"],
            &bo["overdue_reviews"],
            &bo["shared_with_family"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(0), &json!(1))
    );
    close(&bo["with_decision_share"], 1.0);
    // Entries in the period: March r1 new (Feb 28 15:00 UTC), r7 revised (Feb 28 15:00 UTC);
    // April r1 reconfirmed (Mar 31 15:00 UTC), r2 new. Outside: r5 (May 1 Tokyo),
    // r7 new (Feb 20), r8 (Feb 28 23:00 Tokyo).
    assert_eq!(
        c["entries_by_month"],
        json!([
            {"month": "2026-03", "new": 1, "revised": 1, "reconfirmed": 0, "total": 2},
            {"month": "2026-04", "new": 1, "revised": 0, "reconfirmed": 1, "total": 2},
        ])
    );
    // Recorders in the period: cm.a (r1), cm.a2 (r2), cm.b (r7) of offices A and B.
    assert_eq!(c["care_managers_recording"], 3);
    assert_eq!(c["organizations_recording"], 2);

    // Histories loaded in bulk (synthetic data) get the same current decisions.
    sql(
        &app,
        "UPDATE registrants SET decision_discussed_on = NULL, decision_review_due = NULL, \
         decision_shared_with_family = NULL",
    );
    eir::db::care_decisions::refresh_current(&mut app.db()).unwrap();
    let again = app
        .get(
            &format!("/api/v1/stats/care-decisions?{PERIOD}"),
            &k.w.admin,
        )
        .await;
    assert_eq!(again.body, res.body);
}

async fn csv_has_bom_header_and_rows(b: Backend) {
    let app = TestApp::spawn(b).await;
    let k = full_world(&app).await;
    let res = app
        .get(
            &format!("/api/v1/stats/hit-rate?{PERIOD}&format=csv"),
            &k.w.admin,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        res.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    assert!(res
        .header("content-disposition")
        .unwrap()
        .contains("eir-hit-rate-2026-03-01-2026-04-30.csv"));
    assert!(res.text.starts_with('\u{feff}'));
    let lines: Vec<&str> = res
        .text
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .collect();
    assert_eq!(
        lines[0],
        "group,key,label,incidents,incidents_opened,incident_hit_rate,searches,outcome_match,outcome_candidates,outcome_no_match,searches_opened,search_hit_rate,result_confirmed,result_wrong_person,result_not_registered,results_reported,confirmed_rate"
    );
    // The figures of hit_rate_by_month_district_and_unit.
    assert_eq!(
        lines[1],
        "month,2026-03,,2,1,0.5,3,1,0,2,1,0.3333333333333333,1,0,0,1,1"
    );
    assert_eq!(
        lines[2],
        "month,2026-04,,4,2,0.5,4,1,2,1,2,0.5,1,1,1,3,0.3333333333333333"
    );
    assert_eq!(
        lines[3],
        "total,,,5,3,0.6,7,2,2,3,3,0.42857142857142855,2,1,1,4,0.5"
    );
    assert_eq!(lines[4], "");

    let d = app
        .get(
            &format!("/api/v1/stats/hit-rate?{PERIOD}&group_by=district&format=csv"),
            &k.w.admin,
        )
        .await;
    // An empty district leaves its ratios empty, never 0 or NaN.
    assert!(
        d.text
            .contains("\r\ndistrict,D03,留辺蘂,0,0,,0,0,0,0,0,,0,0,0,0,\r\n"),
        "{}",
        d.text
    );

    let o = app
        .get(
            &format!("/api/v1/stats/overview?{PERIOD}&format=csv"),
            &k.w.admin,
        )
        .await;
    assert_eq!(o.status, 200);
    assert!(o.text.starts_with("\u{feff}section,key,metric,value\r\n"));
    for line in [
        "registrants_by_status,active,registrants,7",
        "organizations_by_kind,care_office,taking_part,2",
        "new_registrations_by_month,2026-03,registrations,2",
        "lookups,,lookups,7",
    ] {
        assert!(
            o.text.contains(&format!("\r\n{line}\r\n")),
            "{line} in {}",
            o.text
        );
    }
    let dist = app
        .get(
            &format!("/api/v1/stats/districts?{PERIOD}&format=csv"),
            &k.w.admin,
        )
        .await;
    for line in [
        "district,D01,name,北見中央",
        "district,D03,under_covered,true",
        "unknown_district,,active_registrants,1",
        "summary,,chi_square_degrees_of_freedom,2",
        "summary,,under_covered,D03",
    ] {
        assert!(
            dist.text.contains(&format!("\r\n{line}\r\n")),
            "{line} in {}",
            dist.text
        );
    }
    let cd = app
        .get(
            &format!("/api/v1/stats/care-decisions?{PERIOD}&format=csv"),
            &k.w.admin,
        )
        .await;
    for line in [
        "current,,with_decision,4",
        "entries_by_month,2026-04,reconfirmed,1",
        "period,,care_managers_recording,3",
    ] {
        assert!(
            cd.text.contains(&format!("\r\n{line}\r\n")),
            "{line} in {}",
            cd.text
        );
    }
}

async fn ratios_are_null_without_denominator(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let h = app
        .get(
            "/api/v1/stats/hit-rate?from=2020-01-01&to=2020-01-31",
            &w.admin,
        )
        .await;
    assert_eq!(h.status, 200, "{}", h.text);
    hit_row(&h.body["total"], [0; 11], [None, None, None]);
    hit_row(&h.body["groups"][0], [0; 11], [None, None, None]);
    let o = app.get("/api/v1/stats/overview", &w.admin).await;
    assert_eq!(o.status, 200, "{}", o.text);
    assert!(o.body["registrants_with_care_decision_share"].is_null());
    // The default period is twelve calendar months ending today.
    assert_eq!(
        o.body["new_registrations_by_month"]
            .as_array()
            .unwrap()
            .len(),
        12
    );
    assert_eq!(o.body["period"]["to"], today().to_string());
    let c = app.get("/api/v1/stats/care-decisions", &w.admin).await;
    assert_eq!(c.status, 200, "{}", c.text);
    for f in [
        "with_decision_share",
        "reviewed_within_12_months_share",
        "overdue_reviews_share",
        "shared_with_family_share",
    ] {
        assert!(c.body[f].is_null(), "{f}");
    }
    let d = app.get("/api/v1/stats/districts", &w.admin).await;
    assert_eq!(d.status, 200, "{}", d.text);
    assert!(d.body["unknown_district"]["share_of_active"].is_null());
    assert!(d.body["districts"][0]["registrant_share"].is_null());
    assert!(d.body["summary"]["chi_square"].is_null());
    assert!(d.body["summary"]["gini"].is_null());
    assert!(d.body["summary"]["coefficient_of_variation"].is_null());
    close(&d.body["districts"][0]["coverage_per_1000"], 0.0);
}

async fn bad_parameters_are_named(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let cases = [
        (
            "/api/v1/stats/hit-rate?from=2026-05-01&to=2026-04-30",
            "from",
        ),
        ("/api/v1/stats/hit-rate?group_by=week", "group_by"),
        ("/api/v1/stats/overview?from=2026-13-01", "from"),
        ("/api/v1/stats/districts?to=yesterday", "to"),
        ("/api/v1/stats/care-decisions?format=xml", "format"),
        ("/api/v1/stats/overview?group_by=month", "group_by"),
        ("/api/v1/stats/districts?colour=red", "colour"),
    ];
    for (path, field) in cases {
        app.get(path, &w.admin)
            .await
            .assert_problem(400, Some(field));
    }
}

async fn only_admins_read_statistics(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    for p in ["overview", "hit-rate", "districts", "care-decisions"] {
        let path = format!("/api/v1/stats/{p}");
        app.get(&path, &w.cm_a).await.assert_problem(403, None);
        app.get(&path, &w.medic).await.assert_problem(403, None);
        app.call("GET", &path, None, None, &[])
            .await
            .assert_problem(401, None);
        assert_eq!(app.get(&path, &w.admin).await.status, 200);
    }
}
