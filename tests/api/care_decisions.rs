//! Care decisions: an append-only history, newest first, never edited.

use serde_json::json;

use crate::both_backends;
use crate::common::{decision, hanako, Backend, TestApp};

both_backends!(
    decisions_form_an_append_only_history_newest_first,
    decision_kind_must_fit_the_history,
    decisions_cannot_be_edited_or_deleted,
    invalid_decision_names_the_field,
);

async fn decisions_form_an_append_only_history_newest_first(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let r = app.register(&w.cm_a, &hanako()).await;
    let path = format!(
        "/api/v1/registrants/{}/care-decisions",
        r["id"].as_str().unwrap()
    );
    let first = app.post(&path, &w.cm_a, &decision("new")).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.body["seq"], 1);
    assert_eq!(first.body["participants"]["self"], true);
    assert_eq!(first.body["wishes"]["cpr"], "not_wanted");
    let mut revised = decision("revised");
    revised["wishes"]["hospital_transport"] = json!("not_wanted");
    revised["discussed_on"] = json!("2026-08-01");
    assert_eq!(app.post(&path, &w.cm_a, &revised).await.status, 201);
    let mut again = decision("reconfirmed");
    again["discussed_on"] = json!("2026-11-01");
    assert_eq!(app.post(&path, &w.cm_a, &again).await.status, 201);
    let hist = app.get(&path, &w.cm_a).await;
    assert_eq!(hist.status, 200);
    let kinds: Vec<&str> = hist
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["reconfirmed", "revised", "new"]);
    // The first entry is unchanged by the later ones.
    assert_eq!(hist.body[2]["wishes"]["hospital_transport"], "wanted");
    assert_eq!(hist.body[2]["own_words"], "最期まで家で過ごしたい");
}

async fn decision_kind_must_fit_the_history(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let r = app.register(&w.cm_a, &hanako()).await;
    let path = format!(
        "/api/v1/registrants/{}/care-decisions",
        r["id"].as_str().unwrap()
    );
    app.post(&path, &w.cm_a, &decision("revised"))
        .await
        .assert_problem(422, Some("kind"));
    assert_eq!(app.post(&path, &w.cm_a, &decision("new")).await.status, 201);
    app.post(&path, &w.cm_a, &decision("new"))
        .await
        .assert_problem(422, Some("kind"));
    assert_eq!(app.count("care_decisions"), 1);
}

async fn decisions_cannot_be_edited_or_deleted(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let r = app.register(&w.cm_a, &hanako()).await;
    let path = format!(
        "/api/v1/registrants/{}/care-decisions",
        r["id"].as_str().unwrap()
    );
    let d = app.post(&path, &w.cm_a, &decision("new")).await;
    let one = format!("{path}/{}", d.body["id"].as_str().unwrap());
    for method in ["PUT", "PATCH", "DELETE"] {
        let res = app
            .call(method, &one, Some(&w.cm_a), Some(&decision("revised")), &[])
            .await;
        assert!(
            res.status == 404 || res.status == 405,
            "{method}: {}",
            res.status
        );
        let res = app
            .call(
                method,
                &path,
                Some(&w.cm_a),
                Some(&decision("revised")),
                &[],
            )
            .await;
        assert!(
            res.status == 404 || res.status == 405,
            "{method}: {}",
            res.status
        );
    }
    assert_eq!(app.count("care_decisions"), 1);
}

async fn invalid_decision_names_the_field(b: Backend) {
    let app = TestApp::spawn(b).await;
    let w = app.world().await;
    let r = app.register(&w.cm_a, &hanako()).await;
    let path = format!(
        "/api/v1/registrants/{}/care-decisions",
        r["id"].as_str().unwrap()
    );
    let mut d = decision("new");
    d["wishes"]["cpr"] = json!("maybe");
    app.post(&path, &w.cm_a, &d)
        .await
        .assert_problem(400, Some("wishes.cpr"));
    let mut d = decision("new");
    d["discussed_on"] = json!("2099-01-01");
    app.post(&path, &w.cm_a, &d)
        .await
        .assert_problem(422, Some("discussed_on"));
    let mut d = decision("new");
    d["review_due"] = json!("2020-01-01");
    app.post(&path, &w.cm_a, &d)
        .await
        .assert_problem(422, Some("review_due"));
    let mut d = decision("new");
    d["advance_directive"] = json!({"exists": true});
    app.post(&path, &w.cm_a, &d)
        .await
        .assert_problem(422, Some("advance_directive.location"));
    let mut d = decision("new");
    d["participants"]["neighbour"] = json!(true);
    app.post(&path, &w.cm_a, &d)
        .await
        .assert_problem(400, Some("participants.neighbour"));
    assert_eq!(app.count("care_decisions"), 0);
}
