//! `/registrants` (care managers): register, read, list, replace with `If-Match`,
//! withdraw, hand over, and the access log. A registrant of another organization
//! is answered with 404, exactly like one that does not exist.

use actix_web::http::header;
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::json::{Json, Query};
use super::{Page, Paging};
use crate::app::AppState;
use crate::auth::AuthUser;
use crate::domain::registrant::{Registrant, RegistrantInput, RegistrantSummary};
use crate::domain::{RegistrantStatus, Role};
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::registrants::{self, AccessLogEntry, HandoverResult};

/// The ETag of a version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The version named by an `If-Match` header; `None` when absent.
fn if_match(req: &HttpRequest) -> Result<Option<i32>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let v = value.to_str().unwrap_or("").trim();
    let v = v.strip_prefix("W/").unwrap_or(v);
    v.trim_matches('"')
        .parse::<i32>()
        .map(Some)
        .map_err(|_| ApiError::PreconditionFailed)
}

fn ok_with_etag(status: actix_web::http::StatusCode, r: &Registrant) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(r.version)))
        .json(r)
}

/// Register a person.
#[utoipa::path(
    post, path = "/api/v1/registrants", operation_id = "register_registrant", tag = "registrants",
    request_body = RegistrantInput,
    responses(
        (status = 201, description = "Registered; `Location` and `ETag` set", body = Registrant),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a care manager", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/registrants")]
pub async fn create(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Json<RegistrantInput>,
) -> ApiResult<HttpResponse> {
    let today = state.today();
    let registrant = state
        .db(move |conn| registrants::register(conn, &auth, body.0, today))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/registrants/{}", registrant.id),
        ))
        .insert_header((header::ETAG, etag(registrant.version)))
        .json(registrant))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Part of the name in kanji (spaces ignored).
    pub name: Option<String>,
    /// Part of the reading in kana (hiragana or katakana).
    pub kana: Option<String>,
    pub status: Option<RegistrantStatus>,
    pub district_code: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// List the registrants your organization manages.
#[utoipa::path(
    get, path = "/api/v1/registrants", operation_id = "list_registrants", tag = "registrants",
    params(ListQuery),
    responses(
        (status = 200, description = "A page, ordered by kana", body = Page<RegistrantSummary>),
        (status = 400, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a care manager", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/registrants")]
pub async fn list(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: Query<ListQuery>,
) -> ApiResult<HttpResponse> {
    let q = q.0;
    let query = registrants::ListQuery {
        name: q.name,
        kana: q.kana,
        status: q.status,
        district_code: q.district_code,
        limit: q.limit,
        offset: q.offset,
    };
    let page = state
        .db(move |conn| registrants::list(conn, &auth, query))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Read one registrant (audited).
#[utoipa::path(
    get, path = "/api/v1/registrants/{id}", operation_id = "get_registrant", tag = "registrants",
    params(("id" = Uuid, Path, description = "Registrant id")),
    responses(
        (status = 200, description = "The record; `ETag` set", body = Registrant),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a care manager", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registrant in your organization", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/registrants/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let r = state
        .db(move |conn| registrants::read(conn, &auth, id))
        .await?;
    Ok(ok_with_etag(actix_web::http::StatusCode::OK, &r))
}

/// Replace a registrant's record. `If-Match` must carry the current ETag; a stale
/// one gets 412 and changes nothing.
#[utoipa::path(
    put, path = "/api/v1/registrants/{id}", operation_id = "replace_registrant", tag = "registrants",
    params(
        ("id" = Uuid, Path, description = "Registrant id"),
        ("If-Match" = String, Header, description = "ETag of the version being replaced"),
    ),
    request_body = RegistrantInput,
    responses(
        (status = 200, description = "Replaced; new `ETag`", body = Registrant),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a care manager", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registrant in your organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Registration is withdrawn", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/registrants/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    auth: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: Json<RegistrantInput>,
) -> ApiResult<HttpResponse> {
    // A caller of another role hears 403 before anything about If-Match.
    auth.require(Role::CareManager)?;
    let id = path.into_inner();
    let expected = if_match(&req)?.ok_or(ApiError::PreconditionRequired)?;
    let today = state.today();
    let r = state
        .db(move |conn| registrants::replace(conn, &auth, id, expected, body.0, today))
        .await?;
    Ok(ok_with_etag(actix_web::http::StatusCode::OK, &r))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WithdrawQuery {
    /// `withdrawn` (default) or `deceased`.
    pub reason: Option<RegistrantStatus>,
}

/// Withdraw a registration (the record is kept; crews no longer find it).
#[utoipa::path(
    delete, path = "/api/v1/registrants/{id}", operation_id = "withdraw_registrant", tag = "registrants",
    params(
        ("id" = Uuid, Path, description = "Registrant id"),
        ("If-Match" = Option<String>, Header, description = "ETag; when given it must be current"),
        WithdrawQuery,
    ),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 400, description = "Bad reason", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a care manager", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registrant in your organization", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale version", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/registrants/{id}")]
pub async fn withdraw(
    state: web::Data<AppState>,
    auth: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    q: Query<WithdrawQuery>,
) -> ApiResult<HttpResponse> {
    // A caller of another role hears 403 before anything about If-Match.
    auth.require(Role::CareManager)?;
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let status = q.0.reason.unwrap_or(RegistrantStatus::Withdrawn);
    state
        .db(move |conn| registrants::withdraw(conn, &auth, id, expected, status))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverRequest {
    /// The organization that manages the registrant from now on.
    pub organization_id: Uuid,
}

/// Hand a registrant over to another organization (施設入所時の引継ぎ): the record
/// and its care decisions move; your organization no longer sees it.
#[utoipa::path(
    post, path = "/api/v1/registrants/{id}/handover", operation_id = "hand_over_registrant", tag = "registrants",
    params(("id" = Uuid, Path, description = "Registrant id")),
    request_body = HandoverRequest,
    responses(
        (status = 200, description = "Handed over", body = HandoverResult),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a care manager", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registrant in your organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Registration not active", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Target organization cannot take it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/registrants/{id}/handover")]
pub async fn handover(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<Uuid>,
    body: Json<HandoverRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let target = body.0.organization_id;
    let result = state
        .db(move |conn| registrants::hand_over(conn, &auth, id, target))
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Who opened or changed this person's record, when, and for which incident.
#[utoipa::path(
    get, path = "/api/v1/registrants/{id}/access-log", operation_id = "get_registrant_access_log", tag = "registrants",
    params(("id" = Uuid, Path, description = "Registrant id"), Paging),
    responses(
        (status = 200, description = "Newest first", body = Vec<AccessLogEntry>),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a care manager", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registrant in your organization", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/registrants/{id}/access-log")]
pub async fn access_log(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<Uuid>,
    q: Query<Paging>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let limit = q.0.limit;
    let entries = state
        .db(move |conn| registrants::access_log(conn, &auth, id, limit))
        .await?;
    Ok(HttpResponse::Ok().json(entries))
}
