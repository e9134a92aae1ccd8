//! Second factor: TOTP enrolment and confirmation by any user, the per-role
//! requirement set by admins, and an admin's reset of a user's lost factor.

use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::json::Json;
use crate::app::AppState;
use crate::auth::extractor::{AuthUser, EnrollingUser};
use crate::error::{ApiResult, Problem};
use crate::service::admin::{self, MfaSettings};
use crate::service::auth::{self, RecoveryCodes, TotpEnrolment};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpConfirm {
    /// The current 6-digit code.
    #[schema(example = "123456")]
    pub code: String,
}

/// Start enrolling a TOTP second factor (or restart an unconfirmed one).
#[utoipa::path(
    post, path = "/api/v1/auth/totp/enroll", operation_id = "enrol_totp", tag = "auth",
    responses(
        (status = 200, description = "Secret and otpauth URI", body = TotpEnrolment),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A second factor is already enrolled", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/totp/enroll")]
pub async fn enroll(state: web::Data<AppState>, caller: EnrollingUser) -> ApiResult<HttpResponse> {
    let enrolment = state
        .db(move |conn| auth::enrol_totp(conn, &caller.0))
        .await?;
    Ok(HttpResponse::Ok().json(enrolment))
}

/// Confirm the enrolment with a current code; answers the recovery codes once.
#[utoipa::path(
    post, path = "/api/v1/auth/totp/confirm", operation_id = "confirm_totp", tag = "auth",
    request_body = TotpConfirm,
    responses(
        (status = 200, description = "Enrolled; recovery codes shown once", body = RecoveryCodes),
        (status = 400, description = "Malformed body or wrong code", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No enrolment started, or already confirmed", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/totp/confirm")]
pub async fn confirm(
    state: web::Data<AppState>,
    caller: EnrollingUser,
    body: Json<TotpConfirm>,
) -> ApiResult<HttpResponse> {
    let code = body.0.code;
    let codes = state
        .db(move |conn| auth::confirm_totp(conn, &caller.0, &code))
        .await?;
    Ok(HttpResponse::Ok().json(codes))
}

/// Roles that must use a second factor.
#[utoipa::path(
    get, path = "/api/v1/settings/mfa", operation_id = "get_mfa_settings", tag = "admin",
    responses(
        (status = 200, description = "The policy", body = MfaSettings),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/settings/mfa")]
pub async fn get_settings(state: web::Data<AppState>, auth: AuthUser) -> ApiResult<HttpResponse> {
    let settings = state
        .db(move |conn| admin::mfa_settings(conn, &auth))
        .await?;
    Ok(HttpResponse::Ok().json(settings))
}

/// Set the roles that must use a second factor. Users of such a role without
/// one can afterwards only enrol until they have.
#[utoipa::path(
    put, path = "/api/v1/settings/mfa", operation_id = "set_mfa_settings", tag = "admin",
    request_body = MfaSettings,
    responses(
        (status = 200, description = "The new policy", body = MfaSettings),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/settings/mfa")]
pub async fn put_settings(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Json<MfaSettings>,
) -> ApiResult<HttpResponse> {
    let settings = state
        .db(move |conn| admin::set_mfa_settings(conn, &auth, body.0))
        .await?;
    Ok(HttpResponse::Ok().json(settings))
}

/// Remove a user's second factor and recovery codes (a lost device).
#[utoipa::path(
    delete, path = "/api/v1/users/{id}/totp", operation_id = "reset_user_totp", tag = "admin",
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/users/{id}/totp")]
pub async fn reset_totp(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    state
        .db(move |conn| admin::reset_totp(conn, &auth, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
