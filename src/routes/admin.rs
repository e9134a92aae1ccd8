//! Administration (admin only): organizations, users, districts and the audit log.

use actix_web::{get, patch, post, put, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::json::{read_body, Json, Query};
use super::{Page, Paging};
use crate::app::AppState;
use crate::auth::AuthUser;
use crate::domain::district_csv::{self, District};
use crate::domain::Role;
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::admin::{
    self, AuditPage, CreateOrganization, CreateUser, Organization, UpdateOrganization, UpdateUser,
    User,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    pub password: String,
}

/// Create an organization.
#[utoipa::path(
    post, path = "/api/v1/organizations", tag = "admin",
    request_body = CreateOrganization,
    responses(
        (status = 201, description = "Created", body = Organization),
        (status = 400, description = "Malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/organizations")]
pub async fn create_organization(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Json<CreateOrganization>,
) -> ApiResult<HttpResponse> {
    let org = state
        .db(move |conn| admin::create_organization(conn, &auth, body.0))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/organizations/{}", org.id)))
        .json(org))
}

/// List organizations.
#[utoipa::path(
    get, path = "/api/v1/organizations", tag = "admin",
    params(Paging),
    responses(
        (status = 200, description = "A page", body = Page<Organization>),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations")]
pub async fn list_organizations(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: Query<Paging>,
) -> ApiResult<HttpResponse> {
    let page = state
        .db(move |conn| admin::list_organizations(conn, &auth, q.0.limit, q.0.offset))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Rename, move or (de)activate an organization.
#[utoipa::path(
    patch, path = "/api/v1/organizations/{id}", tag = "admin",
    params(("id" = Uuid, Path, description = "Organization id")),
    request_body = UpdateOrganization,
    responses(
        (status = 200, description = "Updated", body = Organization),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would deactivate the last admin's organization", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/organizations/{id}")]
pub async fn update_organization(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<Uuid>,
    body: Json<UpdateOrganization>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let org = state
        .db(move |conn| admin::update_organization(conn, &auth, id, body.0))
        .await?;
    Ok(HttpResponse::Ok().json(org))
}

/// Create a user with a role in an organization.
#[utoipa::path(
    post, path = "/api/v1/users", tag = "admin",
    request_body = CreateUser,
    responses(
        (status = 201, description = "Created", body = User),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Login taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Json<CreateUser>,
) -> ApiResult<HttpResponse> {
    let user = state
        .db(move |conn| admin::create_user_as_admin(conn, &auth, body.0))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/users/{}", user.id)))
        .json(user))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UserListQuery {
    /// Only users of this organization.
    pub organization_id: Option<Uuid>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// List users.
#[utoipa::path(
    get, path = "/api/v1/users", tag = "admin",
    params(UserListQuery),
    responses(
        (status = 200, description = "A page", body = Page<User>),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: Query<UserListQuery>,
) -> ApiResult<HttpResponse> {
    let q = q.0;
    let page = state
        .db(move |conn| admin::list_users(conn, &auth, q.organization_id, q.limit, q.offset))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Change a user's role or name, or (de)activate them. Deactivation ends their
/// sessions at once.
#[utoipa::path(
    patch, path = "/api/v1/users/{id}", tag = "admin",
    params(("id" = Uuid, Path, description = "User id")),
    request_body = UpdateUser,
    responses(
        (status = 200, description = "Updated", body = User),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would leave no active admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<Uuid>,
    body: Json<UpdateUser>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let user = state
        .db(move |conn| admin::update_user(conn, &auth, id, body.0))
        .await?;
    Ok(HttpResponse::Ok().json(user))
}

/// Set a new password for a user; their tokens issued before stop working.
#[utoipa::path(
    post, path = "/api/v1/users/{id}/password", operation_id = "reset_user_password", tag = "admin",
    params(("id" = Uuid, Path, description = "User id")),
    request_body = ResetPassword,
    responses(
        (status = 204, description = "Password replaced"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Password refused by policy", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/password")]
pub async fn reset_password(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<Uuid>,
    body: Json<ResetPassword>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let password = body.0.password;
    state
        .db(move |conn| admin::reset_password(conn, &auth, id, &password))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace all districts from a CSV `code,name,population_total,population_65plus`.
/// A bad row rejects the whole file, naming its line; nothing is imported then.
#[utoipa::path(
    put, path = "/api/v1/districts", operation_id = "replace_districts", tag = "admin",
    request_body(content = String, content_type = "text/csv",
        example = "code,name,population_total,population_65plus\nD01,北見中央,12000,4100\n"),
    responses(
        (status = 200, description = "The districts now loaded", body = Vec<District>),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not text/csv", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad row, with its line number", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/districts")]
pub async fn put_districts(
    state: web::Data<AppState>,
    auth: AuthUser,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Admin)?;
    let is_csv = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start().to_ascii_lowercase().starts_with("text/csv")
                || v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("text/plain")
        });
    if !is_csv {
        return Err(ApiError::UnsupportedMediaType(
            "send the districts as text/csv".into(),
        ));
    }
    let mut inner = payload.into_inner();
    let body = read_body(&req, &mut inner).await?;
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::field("body", "must be UTF-8"))?;
    let list = district_csv::parse(text)
        .map_err(|e| ApiError::invalid(format!("line {}", e.line), e.message))?;
    let stored = state
        .db(move |conn| admin::replace_districts(conn, &auth, list))
        .await?;
    Ok(HttpResponse::Ok().json(stored))
}

/// List districts (any signed-in user; they are public statistics).
#[utoipa::path(
    get, path = "/api/v1/districts", tag = "admin",
    responses(
        (status = 200, description = "All districts", body = Vec<District>),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/districts")]
pub async fn list_districts(state: web::Data<AppState>, auth: AuthUser) -> ApiResult<HttpResponse> {
    let list = state
        .db(move |conn| admin::list_districts(conn, &auth))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only events by this user.
    pub user_id: Option<Uuid>,
    /// Only events about this registrant.
    pub registrant_id: Option<Uuid>,
    /// From this date (inclusive, UTC).
    pub from: Option<NaiveDate>,
    /// To this date (inclusive, UTC).
    pub to: Option<NaiveDate>,
    /// Only events older than this sequence number (for the next page).
    pub before_seq: Option<i64>,
    /// At most this many events, 1 to 500 (default 100).
    pub limit: Option<i64>,
}

/// Read the audit log.
#[utoipa::path(
    get, path = "/api/v1/audit", operation_id = "list_audit_events", tag = "admin",
    params(AuditQuery),
    responses(
        (status = 200, description = "Events, newest first", body = AuditPage),
        (status = 400, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: Query<AuditQuery>,
) -> ApiResult<HttpResponse> {
    let q = q.0;
    let query = admin::AuditQuery {
        user_id: q.user_id,
        registrant_id: q.registrant_id,
        from: q.from,
        to: q.to,
        before_seq: q.before_seq,
        limit: q.limit,
    };
    let page = state
        .db(move |conn| admin::audit_log(conn, &auth, query))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
