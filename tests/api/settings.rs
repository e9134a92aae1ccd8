//! One time zone for the whole deployment, stored in the database: the first
//! start stores `EIR_TIMEZONE`; an instance configured with another zone uses
//! the stored one; `eir timezone` (service::settings::set_time_zone) changes it.

use crate::both_backends;
use crate::common::{Backend, TestApp};

both_backends!(instances_configured_differently_share_the_stored_time_zone);

async fn instances_configured_differently_share_the_stored_time_zone(b: Backend) {
    let app = TestApp::spawn(b).await;
    assert_eq!(app.config.timezone, "Asia/Tokyo");
    let stored = |app: &TestApp| eir::service::settings::time_zone(&mut app.db()).unwrap();
    assert_eq!(stored(&app).name, "Asia/Tokyo");

    // Another instance configured for UTC counts Tokyo's days all the same.
    let mut other = app.config.clone();
    other.timezone = "UTC".into();
    let state = eir::bootstrap::build_state(other.clone()).unwrap();
    assert_eq!(state.zone.name, "Asia/Tokyo");
    assert_eq!(state.zone.offset.local_minus_utc(), 9 * 3600);
    assert_eq!(stored(&app).name, "Asia/Tokyo");

    // Changed on purpose: stored, audited, and the next start uses it.
    let zone = eir::service::settings::set_time_zone(&mut app.db(), "+00:00").unwrap();
    assert_eq!(zone.offset.local_minus_utc(), 0);
    let state = eir::bootstrap::build_state(app.config.clone()).unwrap();
    assert_eq!(state.zone.name, "+00:00");
    let admin = app.admin_token().await;
    let log = app.get("/api/v1/audit?limit=500", &admin).await;
    let changes: Vec<&str> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "settings.timezone")
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert_eq!(changes, ["timezone=+00:00", "timezone=Asia/Tokyo"]);

    // A zone eir cannot use is refused and changes nothing.
    assert!(eir::service::settings::set_time_zone(&mut app.db(), "Mars/Olympus").is_err());
    assert_eq!(stored(&app).name, "+00:00");
}
