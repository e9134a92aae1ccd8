//! Second factor: TOTP enrolment and confirmation by any user, the per-role
//! requirement set by admins, and an admin's reset of a user's lost factor.

use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::json::Json;
use crate::app::AppState;
use crate::auth::extractor::{AuthUser, EnrollingUser};
use crate::auth::totp;
use crate::db::audit::{self, Event};
use crate::db::{self, security, users};
use crate::domain::Role;
use crate::error::{ApiError, ApiResult, Problem};

/// A started enrolment: put the secret into an authenticator app.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolment {
    /// Base32 secret (RFC 4648, no padding).
    pub secret: String,
    /// `otpauth://totp/…` URI for a QR code.
    pub otpauth_uri: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpConfirm {
    /// The current 6-digit code.
    #[schema(example = "123456")]
    pub code: String,
}

/// Recovery codes, shown this once; each works once instead of a TOTP code.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// Roles whose users must log in with a second factor.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaSettings {
    pub required_roles: Vec<Role>,
}

/// Start enrolling a TOTP second factor (or restart an unconfirmed one).
#[utoipa::path(
    post, path = "/api/v1/auth/totp/enroll", tag = "auth",
    responses(
        (status = 200, description = "Secret and otpauth URI", body = TotpEnrolment),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A second factor is already enrolled", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/totp/enroll")]
pub async fn enroll(state: web::Data<AppState>, auth: EnrollingUser) -> ApiResult<HttpResponse> {
    let user_id = auth.0.id.to_string();
    let secret = totp::new_secret();
    let s = secret.clone();
    let login = state
        .tx(move |conn| {
            if security::totp_get(conn, &user_id)?.is_some_and(|t| t.confirmed_at.is_some()) {
                return Err(ApiError::Conflict(
                    "a second factor is already enrolled; an admin can reset it".into(),
                ));
            }
            security::totp_start(
                conn,
                &security::TotpRow {
                    user_id: user_id.clone(),
                    secret: s,
                    confirmed_at: None,
                    last_step: 0,
                    created_at: db::now(),
                },
            )?;
            Ok(users::get(conn, &user_id)?.login)
        })
        .await?;
    Ok(HttpResponse::Ok().json(TotpEnrolment {
        otpauth_uri: totp::otpauth_uri(&secret, &login),
        secret,
    }))
}

/// Confirm the enrolment with a current code; answers the recovery codes once.
#[utoipa::path(
    post, path = "/api/v1/auth/totp/confirm", tag = "auth",
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
    auth: EnrollingUser,
    body: Json<TotpConfirm>,
) -> ApiResult<HttpResponse> {
    let actor = auth.0.actor();
    let user_id = auth.0.id.to_string();
    let code = body.0.code;
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::hash_recovery_code(c)).collect();
    state
        .tx(move |conn| {
            let t = match security::totp_get(conn, &user_id)? {
                Some(t) if t.confirmed_at.is_none() => t,
                Some(_) => {
                    return Err(ApiError::Conflict(
                        "the second factor is already confirmed".into(),
                    ))
                }
                None => {
                    return Err(ApiError::Conflict(
                        "start with POST /api/v1/auth/totp/enroll".into(),
                    ))
                }
            };
            let key = totp::base32_decode(&t.secret)
                .ok_or_else(|| ApiError::internal("stored TOTP secret invalid"))?;
            let now = db::now();
            let step = totp::verify(&key, &code, now.and_utc().timestamp(), 0)
                .ok_or_else(|| ApiError::field("code", "is not the current code"))?;
            security::totp_confirm(conn, &user_id, step, now)?;
            security::recovery_replace(conn, &user_id, &hashes)?;
            audit::record(
                conn,
                Some(&actor),
                Event {
                    action: "auth.totp_enrolled",
                    target_id: Some(user_id.clone()),
                    ..Default::default()
                },
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Ok().json(RecoveryCodes {
        recovery_codes: codes,
    }))
}

/// Roles that must use a second factor.
#[utoipa::path(
    get, path = "/api/v1/settings/mfa", tag = "admin",
    responses(
        (status = 200, description = "The policy", body = MfaSettings),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/settings/mfa")]
pub async fn get_settings(state: web::Data<AppState>, auth: AuthUser) -> ApiResult<HttpResponse> {
    auth.require(Role::Admin)?;
    let roles = state
        .db(|conn| Ok(security::mfa_required_roles(conn)?))
        .await?;
    Ok(HttpResponse::Ok().json(MfaSettings {
        required_roles: roles.iter().filter_map(|r| Role::parse(r)).collect(),
    }))
}

/// Set the roles that must use a second factor. Users of such a role without
/// one can afterwards only enrol until they have.
#[utoipa::path(
    put, path = "/api/v1/settings/mfa", tag = "admin",
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
    auth.require(Role::Admin)?;
    let actor = auth.actor();
    let required = body.0.required_roles;
    let detail = {
        let mut names: Vec<&str> = required.iter().map(|r| r.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names.join(",")
    };
    let req = required.clone();
    state
        .tx(move |conn| {
            let now = db::now();
            for role in [Role::Admin, Role::CareManager, Role::Paramedic] {
                security::mfa_set(conn, role.as_str(), req.contains(&role), now)?;
            }
            audit::record(
                conn,
                Some(&actor),
                Event {
                    action: "settings.mfa",
                    detail: Some(format!("required_roles={detail}")),
                    ..Default::default()
                },
            )?;
            Ok(())
        })
        .await?;
    let mut required = required;
    required.sort_by_key(|r| r.as_str());
    required.dedup();
    Ok(HttpResponse::Ok().json(MfaSettings {
        required_roles: required,
    }))
}

/// Remove a user's second factor and recovery codes (a lost device).
#[utoipa::path(
    delete, path = "/api/v1/users/{id}/totp", tag = "admin",
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
    auth.require(Role::Admin)?;
    let actor = auth.actor();
    let id = path.into_inner().to_string();
    state
        .tx(move |conn| {
            users::get(conn, &id)?;
            security::totp_remove(conn, &id)?;
            audit::record(
                conn,
                Some(&actor),
                Event {
                    action: "user.totp_reset",
                    target_id: Some(id.clone()),
                    ..Default::default()
                },
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
