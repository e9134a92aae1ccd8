//! The use cases, one module per resource: what every interface calls. Each
//! function takes a connection, the caller, typed ids and domain inputs, checks
//! the caller's role and their right to the object, applies the rules, and
//! returns domain results or one [`ApiError`](crate::error::ApiError). Every
//! write runs in [`tx::write`], the one audited transaction. HTTP handlers, the
//! command line and start-up call these functions and nothing below them.

pub mod admin;
pub mod auth;
pub mod care_decisions;
pub mod emergency;
pub mod registrants;
pub mod settings;
pub mod stats;
pub mod tx;

use serde::Serialize;

use crate::error::ApiError;
use utoipa::ToSchema;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// Checked `(limit, offset)` of a page: 1 to 200 items (default 50) after
/// skipping 0 to 10⁹ (default 0).
pub fn page_bounds(limit: Option<i64>, offset: Option<i64>) -> Result<(i64, i64), ApiError> {
    let limit = limit.unwrap_or(50);
    let offset = offset.unwrap_or(0);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::field("limit", "must be between 1 and 200"));
    }
    if !(0..=1_000_000_000).contains(&offset) {
        return Err(ApiError::field(
            "offset",
            "must be between 0 and 1000000000",
        ));
    }
    Ok((limit, offset))
}
