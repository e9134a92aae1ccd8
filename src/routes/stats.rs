//! Statistics for administrators (admin only): overview, hit rate, district skew
//! and care decisions, as JSON or (`?format=csv`) CSV. Dates are local dates in
//! the configured time zone (`EIR_TIMEZONE`); the work is done by the database.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::json::Query;
use crate::app::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiResult, Problem};
use crate::service::stats;
use crate::stats::csv;
use crate::stats::load::GroupBy;
use crate::stats::period::Period;
use crate::stats::report::{CareDecisions, Districts, HitRate, Overview};

/// Response format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Json,
    /// UTF-8 with a byte-order mark and a header row.
    Csv,
}

/// A period and a format.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day (inclusive, local date). Default: the first day of the month
    /// eleven months before `to`.
    pub from: Option<NaiveDate>,
    /// Last day (inclusive, local date). Default: today.
    pub to: Option<NaiveDate>,
    /// `json` (default) or `csv`.
    #[param(inline)]
    pub format: Option<Format>,
}

/// A period, a grouping and a format.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HitRateQuery {
    /// First day (inclusive, local date). Default: the first day of the month
    /// eleven months before `to`.
    pub from: Option<NaiveDate>,
    /// Last day (inclusive, local date). Default: today.
    pub to: Option<NaiveDate>,
    /// `month` (default), `district` or `unit`.
    #[param(inline)]
    pub group_by: Option<GroupBy>,
    /// `json` (default) or `csv`.
    #[param(inline)]
    pub format: Option<Format>,
}

/// The answer in the requested format (CSV as a download).
pub fn respond<T: Serialize>(
    format: Option<Format>,
    name: &str,
    period: &Period,
    value: &T,
    to_csv: fn(&T) -> String,
) -> HttpResponse {
    match format.unwrap_or_default() {
        Format::Json => HttpResponse::Ok().json(value),
        Format::Csv => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"eir-{name}-{}-{}.csv\"",
                    period.from, period.to
                ),
            ))
            .body(to_csv(value)),
    }
}

/// Participation: registrants by status, organizations taking part by kind,
/// users by role, registrants with a care decision, new registrations per month
/// and lookups in the period.
#[utoipa::path(
    get, path = "/api/v1/stats/overview", operation_id = "get_stats_overview", tag = "stats",
    params(PeriodQuery),
    responses(
        (status = 200, description = "The overview (JSON, or CSV with `format=csv`)", content((Overview = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Bad parameter (named)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats/overview")]
pub async fn overview(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: Query<PeriodQuery>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone();
    let (from, to) = (q.0.from, q.0.to);
    let (p, value) = state
        .db(move |conn| stats::overview(conn, &auth, &zone, from, to))
        .await?;
    Ok(respond(q.0.format, "overview", &p, &value, csv::overview))
}

/// Hit rate per incident and per search, outcomes and crew-reported results,
/// grouped by month, incident district or unit.
#[utoipa::path(
    get, path = "/api/v1/stats/hit-rate", operation_id = "get_stats_hit_rate", tag = "stats",
    params(HitRateQuery),
    responses(
        (status = 200, description = "Hit rate (JSON, or CSV with `format=csv`)", content((HitRate = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Bad parameter (named)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats/hit-rate")]
pub async fn hit_rate(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: Query<HitRateQuery>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone();
    let (from, to) = (q.0.from, q.0.to);
    let group_by = q.0.group_by.unwrap_or_default();
    let (p, value) = state
        .db(move |conn| stats::hit_rate(conn, &auth, &zone, from, to, group_by))
        .await?;
    Ok(respond(q.0.format, "hit-rate", &p, &value, csv::hit_rate))
}

/// Registration skew across districts: coverage of the 65+ population, shares,
/// searches by incident district, Gini, coefficient of variation, chi-square and
/// under-covered districts; registrants without a known district are shown apart.
#[utoipa::path(
    get, path = "/api/v1/stats/districts", operation_id = "get_stats_districts", tag = "stats",
    params(PeriodQuery),
    responses(
        (status = 200, description = "District skew (JSON, or CSV with `format=csv`)", content((Districts = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Bad parameter (named)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats/districts")]
pub async fn districts(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: Query<PeriodQuery>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone();
    let (from, to) = (q.0.from, q.0.to);
    let (p, value) = state
        .db(move |conn| stats::districts(conn, &auth, &zone, from, to))
        .await?;
    Ok(respond(q.0.format, "districts", &p, &value, csv::districts))
}

/// Care decisions: registrants with a current decision (overall and by
/// organization), reviews within 12 months, overdue reviews, sharing with family,
/// entries by kind per month and who recorded them in the period.
#[utoipa::path(
    get, path = "/api/v1/stats/care-decisions", operation_id = "get_stats_care_decisions", tag = "stats",
    params(PeriodQuery),
    responses(
        (status = 200, description = "Care-decision figures (JSON, or CSV with `format=csv`)", content((CareDecisions = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Bad parameter (named)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats/care-decisions")]
pub async fn care_decisions(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: Query<PeriodQuery>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone();
    let (from, to) = (q.0.from, q.0.to);
    let (p, value) = state
        .db(move |conn| stats::care_decisions(conn, &auth, &zone, from, to))
        .await?;
    Ok(respond(
        q.0.format,
        "care-decisions",
        &p,
        &value,
        csv::care_decisions,
    ))
}
