//! The OpenAPI 3.1 document, generated from the handlers' annotations. The copy in
//! `openapi/openapi.json` is checked against it by a test.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "eir — emergency medical information registry",
        description = "Care managers register elderly people's emergency information; ambulance crews look them up on scene; administrators measure the network.",
        license(name = "MIT"),
    ),
    paths(
        routes::health::healthz,
        routes::health::readyz,
        routes::health::openapi_json,
        routes::auth::token,
        routes::auth::refresh,
        routes::auth::logout,
        routes::admin::create_organization,
        routes::admin::list_organizations,
        routes::admin::update_organization,
        routes::admin::create_user,
        routes::admin::list_users,
        routes::admin::update_user,
        routes::admin::reset_password,
        routes::admin::put_districts,
        routes::admin::list_districts,
        routes::admin::list_audit,
        routes::registrants::create,
        routes::registrants::list,
        routes::registrants::get,
        routes::registrants::replace,
        routes::registrants::withdraw,
        routes::registrants::handover,
        routes::registrants::access_log,
        routes::care_decisions::list,
        routes::care_decisions::create,
        routes::stats::overview,
        routes::stats::hit_rate,
        routes::stats::districts,
        routes::stats::care_decisions,
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "auth", description = "Log in and out"),
        (name = "registrants", description = "Registrations (care managers)"),
        (name = "care-decisions", description = "医療・ケアについての意思決定 (care managers)"),
        (name = "admin", description = "Administration (admins)"),
        (name = "stats", description = "Statistics (admins): JSON, or CSV with `format=csv`"),
        (name = "operations", description = "Health and documentation"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The document as pretty JSON (what `openapi/openapi.json` holds).
pub fn document() -> String {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let mut s = doc.to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}
