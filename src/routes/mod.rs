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

/// Writes the route table once: [`configure`] serves these handlers and
/// [`Operations`] documents the same list, so a served route cannot be missing
/// from the OpenAPI document or the other way round.
macro_rules! route_table {
    (public: [$($pm:ident :: $pf:ident),* $(,)?], api_v1: [$($m:ident :: $f:ident),* $(,)?] $(,)?) => {
        /// The route table: every path of the API is registered here.
        pub fn configure(cfg: &mut web::ServiceConfig) {
            cfg$(.service($pm::$pf))*
                .service(web::scope("/api/v1")$(.service($m::$f))*);
        }

        /// The documented operations: the same list as [`configure`] serves.
        #[derive(utoipa::OpenApi)]
        #[openapi(paths($($pm::$pf,)* $($m::$f,)*))]
        pub struct Operations;
    };
}

route_table! {
    public: [health::healthz, health::readyz, health::openapi_json],
    api_v1: [
        auth::token,
        auth::refresh,
        auth::logout,
        mfa::enroll,
        mfa::confirm,
        mfa::get_settings,
        mfa::put_settings,
        mfa::reset_totp,
        admin::create_organization,
        admin::list_organizations,
        admin::update_organization,
        admin::create_user,
        admin::list_users,
        admin::update_user,
        admin::reset_password,
        admin::put_districts,
        admin::list_districts,
        admin::list_audit,
        registrants::create,
        registrants::list,
        registrants::get,
        registrants::replace,
        registrants::withdraw,
        registrants::handover,
        registrants::access_log,
        care_decisions::list,
        care_decisions::create,
        emergency::search,
        emergency::summary,
        emergency::outcome,
        stats::overview,
        stats::hit_rate,
        stats::districts,
        stats::care_decisions,
    ],
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
