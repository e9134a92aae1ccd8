//! `/emergency` (paramedics): search on scene, open one emergency summary through
//! the lookup that listed it, report the outcome. Every search is recorded as a
//! lookup and every opened summary as an audit event, durably, before answering.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::json::{Json, Query};
use crate::app::AppState;
use crate::auth::AuthUser;
use crate::domain::emergency::{EmergencySummary, OutcomeReport, SearchRequest, SearchResponse};
use crate::error::{ApiResult, Problem};
use crate::service::emergency;

/// Search for a person on scene.
#[utoipa::path(
    post, path = "/api/v1/emergency/search", operation_id = "search_on_scene", tag = "emergency",
    request_body = SearchRequest,
    responses(
        (status = 200, description = "`match` (one person), `candidates` (up to 5) or `no_match`; recorded as a lookup", body = SearchResponse),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a paramedic", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (e.g. an impossible era date)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many searches; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/emergency/search")]
pub async fn search(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Json<SearchRequest>,
) -> ApiResult<HttpResponse> {
    let response = emergency::search(&state, &auth, body.0).await?;
    Ok(HttpResponse::Ok().json(response))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SummaryQuery {
    /// The lookup (by the same user) that listed this registrant.
    pub lookup_id: Uuid,
}

/// Open one person's emergency summary (audited with the incident id).
#[utoipa::path(
    get, path = "/api/v1/emergency/registrants/{id}", operation_id = "open_emergency_summary", tag = "emergency",
    params(("id" = Uuid, Path, description = "Registrant id from the lookup"), SummaryQuery),
    responses(
        (status = 200, description = "The emergency summary, most urgent first", body = EmergencySummary),
        (status = 400, description = "lookup_id missing or malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a paramedic", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not listed by a recent lookup of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/emergency/registrants/{id}")]
pub async fn summary(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<Uuid>,
    q: Query<SummaryQuery>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let lookup_id = q.0.lookup_id;
    let rules = emergency::LookupRules::of(&state);
    let summary = state
        .db(move |conn| emergency::summary(conn, &auth, id, lookup_id, rules))
        .await?;
    Ok(HttpResponse::Ok().json(summary))
}

/// Report what the crew found after the lookup (the last report counts).
#[utoipa::path(
    post, path = "/api/v1/emergency/lookups/{lookup_id}/outcome", operation_id = "report_lookup_outcome", tag = "emergency",
    params(("lookup_id" = Uuid, Path, description = "Lookup id from the search")),
    request_body = OutcomeReport,
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, description = "Bad result", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a paramedic", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a lookup of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/emergency/lookups/{lookup_id}/outcome")]
pub async fn outcome(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<Uuid>,
    body: Json<OutcomeReport>,
) -> ApiResult<HttpResponse> {
    let lookup_id = path.into_inner();
    let result = body.0.result;
    let offset = state.zone.offset;
    state
        .db(move |conn| emergency::report_outcome(conn, &auth, lookup_id, result, offset))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
