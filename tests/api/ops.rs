//! Operations: health, readiness, the served OpenAPI document, request ids and
//! headers every response carries.

use crate::both_backends;
use crate::common::{Backend, TestApp};

both_backends!(
    health_readiness_and_documents_answer,
    unknown_routes_get_problem_documents
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
    app.call("GET", "/", None, None, &[])
        .await
        .assert_problem(404, None);
}
