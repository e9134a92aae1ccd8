//! Operations: health, readiness, the served OpenAPI document, request ids and
//! headers every response carries.

use crate::both_backends;
use crate::common::{Backend, TestApp};

both_backends!(
    health_readiness_and_documents_answer,
    unknown_routes_get_problem_documents,
    every_documented_operation_is_served,
);

async fn health_readiness_and_documents_answer(b: Backend) {
    let pg = matches!(b, Backend::Postgres(_));
    let app = TestApp::spawn(b).await;
    let h = app.call("GET", "/healthz", None, None, &[]).await;
    assert_eq!(h.status, 200);
    assert_eq!(h.body["status"], "ok");
    let r = app.call("GET", "/readyz", None, None, &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["database"], "ok");
    assert_eq!(r.body["backend"], if pg { "postgres" } else { "sqlite" });
    let doc = app.call("GET", "/openapi.json", None, None, &[]).await;
    assert_eq!(doc.status, 200);
    assert_eq!(doc.text, eir::openapi::document());
    // Every response has a request id and the basic security headers.
    let id = h.header("x-request-id").unwrap();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    assert_ne!(r.header("x-request-id"), Some(id));
    assert_eq!(
        h.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
}

async fn unknown_routes_get_problem_documents(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.call("GET", "/api/v1/nothing-here", None, None, &[])
        .await
        .assert_problem(404, None);
    // Outside the API too, for clients that do not ask for HTML (`/` itself is
    // the web application; browsers get an HTML 404 page, see tests/api/web.rs).
    app.call("GET", "/no-such-page", None, None, &[])
        .await
        .assert_problem(404, None);
}

/// The route table serves what the document lists (both come from one list in
/// `routes/mod.rs`; this catches a handler whose served path differs from its
/// documented one). An unserved path or method would get the 404 of unknown routes.
async fn every_documented_operation_is_served(b: Backend) {
    let app = TestApp::spawn(b).await;
    let doc: serde_json::Value = serde_json::from_str(&eir::openapi::document()).unwrap();
    let mut ids = std::collections::HashSet::new();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .split('/')
            .map(|part| {
                if part.starts_with('{') {
                    uuid::Uuid::new_v4().to_string()
                } else {
                    part.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            assert!(ids.insert(id.to_owned()), "operationId {id} is used twice");
            let r = app
                .call(&method.to_uppercase(), &concrete, None, None, &[])
                .await;
            assert!(
                r.status != 404 && r.status != 405,
                "{method} {path} is documented but not served: {} {}",
                r.status,
                r.text
            );
            operations += 1;
        }
    }
    assert!(operations >= 37, "{operations} operations documented");
}
