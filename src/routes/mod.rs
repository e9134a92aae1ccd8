//! Thin HTTP handlers, one module per resource, and the route table.

pub mod admin;
pub mod auth;
pub mod care_decisions;
pub mod emergency;
pub mod health;
pub mod json;
pub mod mfa;
pub mod registrants;
pub mod stats;

use actix_web::web;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;
pub use crate::service::Page;

/// The route table: every path of the API is registered here.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::openapi_json)
        .service(
            web::scope("/api/v1")
                .service(auth::token)
                .service(auth::refresh)
                .service(auth::logout)
                .service(mfa::enroll)
                .service(mfa::confirm)
                .service(mfa::get_settings)
                .service(mfa::put_settings)
                .service(mfa::reset_totp)
                .service(admin::create_organization)
                .service(admin::list_organizations)
                .service(admin::update_organization)
                .service(admin::create_user)
                .service(admin::list_users)
                .service(admin::update_user)
                .service(admin::reset_password)
                .service(admin::put_districts)
                .service(admin::list_districts)
                .service(admin::list_audit)
                .service(registrants::create)
                .service(registrants::list)
                .service(registrants::get)
                .service(registrants::replace)
                .service(registrants::withdraw)
                .service(registrants::handover)
                .service(registrants::access_log)
                .service(care_decisions::list)
                .service(care_decisions::create)
                .service(emergency::search)
                .service(emergency::summary)
                .service(emergency::outcome)
                .service(stats::overview)
                .service(stats::hit_rate)
                .service(stats::districts)
                .service(stats::care_decisions),
        );
}

/// Paging parameters shared by list endpoints.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

impl Paging {
    /// Checked `(limit, offset)`.
    pub fn resolve(limit: Option<i64>, offset: Option<i64>) -> Result<(i64, i64), ApiError> {
        crate::service::page_bounds(limit, offset)
    }
}

/// Parses a UUID taken from a body field.
pub fn parse_uuid(field: &str, s: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(s).map_err(|_| ApiError::field(field, "must be a UUID"))
}
