//! `/registrants` (care managers): register, read, list, replace with `If-Match`,
//! withdraw, hand over, and the access log. A registrant of another organization
//! is answered with 404, exactly like one that does not exist.

use actix_web::http::header;
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::json::{Json, Query};
use super::{Page, Paging};
use crate::app::AppState;
use crate::auth::AuthUser;
use crate::db::audit::{self, Chain, Event};
use crate::db::registrants::{self, ListFilter, RegistrantRow};
use crate::db::{self, districts, organizations, DbConn};
use crate::domain::registrant::{Registrant, RegistrantInput, RegistrantSummary};
use crate::domain::{OrganizationKind, RegistrantStatus, Role};
use crate::error::{ApiError, ApiResult, Problem};
use crate::matching;

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

/// Loads a registrant the caller's organization manages, or 404. A refused
/// access to another organization's registrant is itself audited.
pub(crate) fn load_own(
    conn: &mut DbConn,
    chain: &mut Chain,
    auth: &AuthUser,
    id: Uuid,
    denied_action: &'static str,
) -> Result<Option<RegistrantRow>, ApiError> {
    match registrants::find(conn, id)? {
        Some(row) if row.managing_organization_id == auth.organization_id.to_string() => {
            Ok(Some(row))
        }
        Some(_) => {
            chain.append(
                conn,
                Some(&auth.actor()),
                Event {
                    action: denied_action,
                    registrant_id: Some(id),
                    ..Default::default()
                },
            )?;
            Ok(None)
        }
        None => Ok(None),
    }
}

fn check_district(conn: &mut DbConn, input: &RegistrantInput) -> Result<(), ApiError> {
    if let Some(code) = &input.address.district_code {
        if !districts::exists(conn, code)? {
            return Err(ApiError::invalid(
                "address.district_code",
                format!("unknown district {code:?}"),
            ));
        }
    }
    Ok(())
}

/// A new card code not yet in use.
fn new_card_code(conn: &mut DbConn) -> Result<String, ApiError> {
    for _ in 0..8 {
        let mut bytes = [0u8; 8];
        rand::rng().fill_bytes(&mut bytes);
        let code = matching::card::format_card_code(&matching::card::generate_card_code(bytes));
        if !registrants::card_code_taken(conn, &code)? {
            return Ok(code);
        }
    }
    Err(ApiError::internal("could not find a free card code"))
}

fn ok_with_etag(status: actix_web::http::StatusCode, r: &Registrant) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(r.version)))
        .json(r)
}

/// Register a person.
#[utoipa::path(
    post, path = "/api/v1/registrants", tag = "registrants",
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
    auth.require(Role::CareManager)?;
    let input = body.0.validate(state.today())?;
    let registrant = state
        .tx(move |conn| {
            let mut chain = Chain::begin(conn)?;
            check_district(conn, &input)?;
            let id = Uuid::new_v4();
            let card_code = new_card_code(conn)?;
            let row = RegistrantRow::new(
                id,
                card_code,
                auth.organization_id,
                auth.id,
                &input,
                db::now(),
            )?;
            registrants::insert(conn, &row)?;
            registrants::index_keys(conn, &row)?;
            chain.append(
                conn,
                Some(&auth.actor()),
                Event {
                    action: "registrant.create",
                    registrant_id: Some(id),
                    ..Default::default()
                },
            )?;
            Ok(row.to_registrant()?)
        })
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
    get, path = "/api/v1/registrants", tag = "registrants",
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
    auth.require(Role::CareManager)?;
    let q = q.0;
    let (limit, offset) = Paging::resolve(q.limit, q.offset)?;
    for (field, value) in [
        ("name", &q.name),
        ("kana", &q.kana),
        ("district_code", &q.district_code),
    ] {
        if value.as_ref().is_some_and(|v| v.chars().count() > 50) {
            return Err(ApiError::field(field, "must be at most 50 characters"));
        }
    }
    let filter = ListFilter {
        organization_id: auth.organization_id.to_string(),
        name: q.name.filter(|s| !s.trim().is_empty()),
        kana: q.kana.filter(|s| !s.trim().is_empty()),
        status: q.status,
        district_code: q.district_code.filter(|s| !s.trim().is_empty()),
        limit,
        offset,
    };
    let (rows, total) = state
        .tx(move |conn| {
            let mut chain = Chain::begin(conn)?;
            let (rows, total) = registrants::list(conn, &filter)?;
            chain.append(
                conn,
                Some(&auth.actor()),
                Event {
                    action: "registrant.list",
                    detail: Some(format!("returned={}", rows.len())),
                    ..Default::default()
                },
            )?;
            Ok((rows, total))
        })
        .await?;
    let items = rows
        .iter()
        .map(RegistrantRow::to_summary)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        limit,
        offset,
    }))
}

/// Read one registrant (audited).
#[utoipa::path(
    get, path = "/api/v1/registrants/{id}", tag = "registrants",
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
    auth.require(Role::CareManager)?;
    let id = path.into_inner();
    let found = state
        .tx(move |conn| {
            let mut chain = Chain::begin(conn)?;
            let Some(row) = load_own(conn, &mut chain, &auth, id, "registrant.access_denied")?
            else {
                return Ok(None);
            };
            chain.append(
                conn,
                Some(&auth.actor()),
                Event {
                    action: "registrant.read",
                    registrant_id: Some(id),
                    ..Default::default()
                },
            )?;
            Ok(Some(row.to_registrant()?))
        })
        .await?;
    let r = found.ok_or(ApiError::NotFound)?;
    Ok(ok_with_etag(actix_web::http::StatusCode::OK, &r))
}

/// Replace a registrant's record. `If-Match` must carry the current ETag; a stale
/// one gets 412 and changes nothing.
#[utoipa::path(
    put, path = "/api/v1/registrants/{id}", tag = "registrants",
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
    auth.require(Role::CareManager)?;
    let id = path.into_inner();
    let expected = if_match(&req)?.ok_or(ApiError::PreconditionRequired)?;
    let input = body.0.validate(state.today())?;
    let updated = state
        .tx(move |conn| {
            let mut chain = Chain::begin(conn)?;
            let Some(mut row) = load_own(conn, &mut chain, &auth, id, "registrant.access_denied")?
            else {
                return Ok(None);
            };
            if row.version != expected {
                return Err(ApiError::PreconditionFailed);
            }
            if row.status()? != RegistrantStatus::Active {
                return Err(ApiError::Conflict(
                    "the registration is no longer active".into(),
                ));
            }
            check_district(conn, &input)?;
            row.apply(&input)?;
            row.version += 1;
            row.updated_at = db::now();
            row.updated_by = auth.id.to_string();
            if !registrants::update_if_version(conn, &row, expected)? {
                return Err(ApiError::PreconditionFailed);
            }
            registrants::index_keys(conn, &row)?;
            chain.append(
                conn,
                Some(&auth.actor()),
                Event {
                    action: "registrant.update",
                    registrant_id: Some(id),
                    detail: Some(format!("version={}", row.version)),
                    ..Default::default()
                },
            )?;
            Ok(Some(row.to_registrant()?))
        })
        .await?;
    let r = updated.ok_or(ApiError::NotFound)?;
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
    delete, path = "/api/v1/registrants/{id}", tag = "registrants",
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
    auth.require(Role::CareManager)?;
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let status = q.0.reason.unwrap_or(RegistrantStatus::Withdrawn);
    if status == RegistrantStatus::Active {
        return Err(ApiError::field(
            "reason",
            "must be `withdrawn` or `deceased`",
        ));
    }
    let done = state
        .tx(move |conn| {
            let mut chain = Chain::begin(conn)?;
            let Some(mut row) = load_own(conn, &mut chain, &auth, id, "registrant.access_denied")?
            else {
                return Ok(false);
            };
            if expected.is_some_and(|v| v != row.version) {
                return Err(ApiError::PreconditionFailed);
            }
            let previous = row.version;
            let now = db::now();
            row.status = status.as_str().to_owned();
            row.status_changed_at = Some(now);
            row.version += 1;
            row.updated_at = now;
            row.updated_by = auth.id.to_string();
            if !registrants::update_if_version(conn, &row, previous)? {
                return Err(ApiError::PreconditionFailed);
            }
            registrants::index_keys(conn, &row)?;
            chain.append(
                conn,
                Some(&auth.actor()),
                Event {
                    action: "registrant.withdraw",
                    registrant_id: Some(id),
                    detail: Some(format!("status={}", status.as_str())),
                    ..Default::default()
                },
            )?;
            Ok(true)
        })
        .await?;
    if done {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverRequest {
    /// The organization that manages the registrant from now on.
    pub organization_id: Uuid,
}

/// The outcome of a handover.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandoverResult {
    pub id: Uuid,
    pub managing_organization_id: Uuid,
    pub version: i32,
}

/// Hand a registrant over to another organization (施設入所時の引継ぎ): the record
/// and its care decisions move; your organization no longer sees it.
#[utoipa::path(
    post, path = "/api/v1/registrants/{id}/handover", tag = "registrants",
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
    auth.require(Role::CareManager)?;
    let id = path.into_inner();
    let target = body.0.organization_id;
    let result = state
        .tx(move |conn| {
            let mut chain = Chain::begin(conn)?;
            let Some(mut row) = load_own(conn, &mut chain, &auth, id, "registrant.access_denied")?
            else {
                return Ok(None);
            };
            if row.status()? != RegistrantStatus::Active {
                return Err(ApiError::Conflict(
                    "the registration is no longer active".into(),
                ));
            }
            if target == auth.organization_id {
                return Err(ApiError::invalid(
                    "organization_id",
                    "your organization already manages this registrant",
                ));
            }
            let org = organizations::find(conn, &target.to_string())?
                .ok_or_else(|| ApiError::invalid("organization_id", "no such organization"))?;
            let kind =
                OrganizationKind::parse(&org.kind).ok_or_else(|| ApiError::internal("bad kind"))?;
            if !org.active || !kind.manages_registrants() {
                return Err(ApiError::invalid(
                    "organization_id",
                    "must be an active care office, clinic, hospital or facility",
                ));
            }
            let previous = row.version;
            row.managing_organization_id = org.id.clone();
            row.version += 1;
            row.updated_at = db::now();
            row.updated_by = auth.id.to_string();
            if !registrants::update_if_version(conn, &row, previous)? {
                return Err(ApiError::PreconditionFailed);
            }
            chain.append(
                conn,
                Some(&auth.actor()),
                Event {
                    action: "registrant.handover",
                    registrant_id: Some(id),
                    target_id: Some(org.id),
                    ..Default::default()
                },
            )?;
            Ok(Some(HandoverResult {
                id,
                managing_organization_id: target,
                version: row.version,
            }))
        })
        .await?;
    result
        .map(|r| HttpResponse::Ok().json(r))
        .ok_or(ApiError::NotFound)
}

/// One entry of a registrant's access log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLogEntry {
    #[serde(serialize_with = "crate::domain::utc::serialize")]
    pub at: NaiveDateTime,
    /// What was done: `registrant.read`, `registrant.update`, `care_decision.create`, …
    pub action: String,
    pub user_id: Option<String>,
    pub role: Option<String>,
    pub organization_id: Option<String>,
    /// For crews: the incident the record was opened for.
    pub incident_id: Option<String>,
    pub lookup_id: Option<String>,
}

/// Who opened or changed this person's record, when, and for which incident.
#[utoipa::path(
    get, path = "/api/v1/registrants/{id}/access-log", tag = "registrants",
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
    auth.require(Role::CareManager)?;
    let id = path.into_inner();
    let (limit, _) = Paging::resolve(q.0.limit.or(Some(200)), None)?;
    let org = auth.organization_id.to_string();
    let events = state
        .db(move |conn| {
            match registrants::find(conn, id)? {
                Some(row) if row.managing_organization_id == org => {}
                _ => return Err(ApiError::NotFound),
            }
            Ok(audit::list(
                conn,
                &audit::Filter {
                    registrant_id: Some(id),
                    limit,
                    ..Default::default()
                },
            )?)
        })
        .await?;
    let entries: Vec<AccessLogEntry> = events
        .into_iter()
        .map(|e| AccessLogEntry {
            at: e.at,
            action: e.action,
            user_id: e.actor_user_id,
            role: e.actor_role,
            organization_id: e.actor_organization_id,
            incident_id: e.incident_id,
            lookup_id: e.lookup_id,
        })
        .collect();
    Ok(HttpResponse::Ok().json(entries))
}
