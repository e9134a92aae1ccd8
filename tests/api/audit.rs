//! Audit: every read and write of a registrant or care decision is recorded, shown
//! in the access log, and chained so that tampering is detectable.

use serde_json::json;

use crate::both_backends;
use crate::common::{decision, hanako, Backend, TestApp};

both_backends!(
    reads_and_writes_appear_in_the_access_log,
    admins_read_the_audit_log_with_filters,
    audit_chain_verifies_and_detects_tampering,
);

async fn reads_and_writes_appear_in_the_access_log(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let r = app.register(&w.cm_a, &hanako()).await;
    let id = r["id"].as_str().unwrap();
    app.get(&format!("/api/v1/registrants/{id}"), &w.cm_a).await;
    app.post(
        &format!("/api/v1/registrants/{id}/care-decisions"),
        &w.cm_a,
        &decision("new"),
    )
    .await;
    app.get(&format!("/api/v1/registrants/{id}/care-decisions"), &w.cm_a)
        .await;
    app.call(
        "PUT",
        &format!("/api/v1/registrants/{id}"),
        Some(&w.cm_a),
        Some(&hanako()),
        &[("If-Match", "\"1\"")],
    )
    .await;
    // A refused attempt by another office is recorded too.
    app.get(&format!("/api/v1/registrants/{id}"), &w.cm_b).await;
    let log = app
        .get(&format!("/api/v1/registrants/{id}/access-log"), &w.cm_a)
        .await;
    assert_eq!(log.status, 200, "{}", log.text);
    let actions: Vec<&str> = log
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "registrant.access_denied",
            "registrant.update",
            "care_decision.read",
            "care_decision.create",
            "registrant.read",
            "registrant.create",
        ]
    );
    assert_eq!(log.body[0]["organization_id"], w.org_b.as_str());
    assert_eq!(log.body[1]["role"], "care_manager");
}

async fn admins_read_the_audit_log_with_filters(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let r = app.register(&w.cm_a, &hanako()).await;
    let id = r["id"].as_str().unwrap();
    app.register(&w.cm_b, &hanako()).await;
    let all = app.get("/api/v1/audit?limit=500", &w.admin).await;
    assert_eq!(all.status, 200);
    let n = all.body["items"].as_array().unwrap().len();
    assert!(n >= 8, "{n}");
    let mine = app
        .get(&format!("/api/v1/audit?registrant_id={id}"), &w.admin)
        .await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(mine.body["items"][0]["action"], "registrant.create");
    let page = app.get("/api/v1/audit?limit=2", &w.admin).await;
    let next = page.body["next_before_seq"].as_i64().unwrap();
    let page2 = app
        .get(
            &format!("/api/v1/audit?limit=2&before_seq={next}"),
            &w.admin,
        )
        .await;
    assert!(page2.body["items"][0]["seq"].as_i64().unwrap() < next);
    app.get("/api/v1/audit?from=yesterday", &w.admin)
        .await
        .assert_problem(400, Some("from"));
    // Nobody can change the log through the API.
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        let res = app
            .call(
                method,
                "/api/v1/audit",
                Some(&w.admin),
                Some(&json!({})),
                &[],
            )
            .await;
        assert!(
            res.status == 404 || res.status == 405,
            "{method} {}",
            res.status
        );
    }
}

async fn audit_chain_verifies_and_detects_tampering(b: Backend) {
    use diesel::prelude::*;
    use eir::db::audit::{verify, Verification};
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let r = app.register(&w.cm_a, &hanako()).await;
    app.get(
        &format!("/api/v1/registrants/{}", r["id"].as_str().unwrap()),
        &w.cm_a,
    )
    .await;
    let mut conn = app.db();
    let Verification::Intact { events } = verify(&mut conn).unwrap() else {
        panic!("chain should be intact")
    };
    assert!(events >= 8);
    // Removing the newest entry is caught by the chain head.
    diesel::sql_query(format!("DELETE FROM audit_events WHERE seq = {events}"))
        .execute(&mut *conn)
        .unwrap();
    assert!(
        matches!(verify(&mut conn).unwrap(), Verification::Broken { seq, .. } if seq == events)
    );
    // Removing one in the middle names it.
    diesel::sql_query("DELETE FROM audit_events WHERE seq = 5")
        .execute(&mut *conn)
        .unwrap();
    assert!(matches!(
        verify(&mut conn).unwrap(),
        Verification::Broken { seq: 5, .. }
    ));
    // Altering an earlier one names that one first.
    diesel::sql_query("UPDATE audit_events SET detail = 'role=admin' WHERE seq = 3")
        .execute(&mut *conn)
        .unwrap();
    assert!(matches!(
        verify(&mut conn).unwrap(),
        Verification::Broken { seq: 3, .. }
    ));
}
