#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The committed `openapi/openapi.json` must equal what the code generates.
//! Regenerate with `EIR_UPDATE_OPENAPI=1 cargo test --test openapi`.

#[test]
fn committed_openapi_document_is_current() {
    let generated = eir::openapi::document();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    if std::env::var_os("EIR_UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `EIR_UPDATE_OPENAPI=1 cargo test --test openapi` and commit it"
    );
    let doc: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
}

#[test]
fn every_operation_documents_its_responses() {
    let doc: serde_json::Value = serde_json::from_str(&eir::openapi::document()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 15);
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path} has no documented responses"
            );
        }
    }
}
