//! `/auth`: log in, refresh, log out.

use actix_web::{post, web, HttpResponse};
use chrono::Duration;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::json::Json;
use crate::app::AppState;
use crate::auth::extractor::password_version;
use crate::auth::password;
use crate::db::tokens::{self, RefreshTokenRow};
use crate::db::users::{self, UserRow};
use crate::db::{self, audit, organizations, DbConn};
use crate::domain::Role;
use crate::error::{ApiError, ApiResult, Problem};

/// Failed logins before an account is locked.
pub const MAX_FAILED_LOGINS: i32 = 10;
/// How long a locked account stays locked.
pub const LOCK_MINUTES: i64 = 15;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "admin")]
    pub login: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// A token pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub refresh_token: String,
    pub role: Role,
}

fn hash_token(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

const BAD_LOGIN: &str = "login or password is incorrect, or the account is locked";

/// Issues an access token and a new refresh token of `family` for `user`.
fn issue_pair(
    state: &AppState,
    conn: &mut DbConn,
    user: &UserRow,
    family: String,
) -> Result<TokenResponse, ApiError> {
    let user_id = super::parse_uuid("user", &user.id).map_err(ApiError::internal)?;
    let org_id =
        super::parse_uuid("organization", &user.organization_id).map_err(ApiError::internal)?;
    let role = Role::parse(&user.role).ok_or_else(|| ApiError::internal("stored role invalid"))?;
    let access_token = state
        .jwt
        .issue(
            user_id,
            role.as_str(),
            org_id,
            password_version(user.password_changed_at),
        )
        .map_err(ApiError::internal)?;
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    let refresh_token = format!("eirr_{}", hex::encode(raw));
    let now = db::now();
    let ttl = i64::try_from(state.config.refresh_token_ttl_secs).unwrap_or(43_200);
    tokens::insert(
        conn,
        &RefreshTokenRow {
            id: Uuid::new_v4().to_string(),
            user_id: user.id.clone(),
            family_id: family,
            token_hash: hash_token(&refresh_token),
            issued_at: now,
            expires_at: now + Duration::seconds(ttl),
            used_at: None,
            revoked_at: None,
        },
    )?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.jwt.access_ttl_secs,
        refresh_token,
        role,
    })
}

/// Whether the user and their organization may log in now.
fn may_log_in(conn: &mut DbConn, user: &UserRow) -> Result<bool, ApiError> {
    let org = organizations::get(conn, &user.organization_id)?;
    let locked = user.locked_until.is_some_and(|t| t > db::now());
    Ok(user.active && org.active && !locked)
}

/// Log in with a login and password.
#[utoipa::path(
    post, path = "/api/v1/auth/token", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Token pair", body = TokenResponse),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong login or password, or locked", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/token")]
pub async fn token(
    state: web::Data<AppState>,
    body: Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let LoginRequest { login, password } = body.0;
    if login.len() > 64 || password.len() > 4 * password::MAX_LEN {
        return Err(ApiError::Unauthorized(BAD_LOGIN));
    }
    let st = state.clone();
    let user = state
        .db(move |conn| Ok(users::find_by_login(conn, &login)?))
        .await?;
    // Verify even for an unknown login, so both take the same time.
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_owned());
    let ok = web::block(move || password::verify(&password, &hash)).await?;
    let Some(user) = user else {
        return Err(ApiError::Unauthorized(BAD_LOGIN));
    };
    let pair = state
        .tx(move |conn| {
            if !may_log_in(conn, &user)? {
                return Ok(None);
            }
            if !ok {
                let until = db::now() + Duration::minutes(LOCK_MINUTES);
                users::record_failed_login(conn, &user.id, MAX_FAILED_LOGINS, until)?;
                return Ok(None);
            }
            users::record_login(conn, &user.id)?;
            issue_pair(&st, conn, &user, Uuid::new_v4().to_string()).map(Some)
        })
        .await?;
    match pair {
        Some(pair) => Ok(HttpResponse::Ok().json(pair)),
        None => Err(ApiError::Unauthorized(BAD_LOGIN)),
    }
}

const BAD_REFRESH: &str = "the refresh token is invalid, expired or spent";

/// Exchange a refresh token for a new pair; the old refresh token is spent.
/// Presenting a spent token again revokes its whole family.
#[utoipa::path(
    post, path = "/api/v1/auth/refresh", tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New token pair", body = TokenResponse),
        (status = 401, description = "Invalid, expired or spent", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let hash = hash_token(&body.0.refresh_token);
    let st = state.clone();
    let result = state
        .tx(move |conn| {
            let Some(row) = tokens::find_by_hash(conn, &hash)? else {
                return Ok(Err(()));
            };
            let now = db::now();
            if row.used_at.is_some() && row.revoked_at.is_none() {
                // A spent token presented again: assume theft, end the family.
                tokens::revoke_family(conn, &row.family_id, now)?;
                audit::record(
                    conn,
                    None,
                    audit::Event {
                        action: "auth.refresh_reuse",
                        target_id: Some(row.user_id.clone()),
                        ..Default::default()
                    },
                )?;
                return Ok(Err(()));
            }
            if row.revoked_at.is_some()
                || row.expires_at <= now
                || !tokens::spend(conn, &row.id, now)?
            {
                return Ok(Err(()));
            }
            let user = users::get(conn, &row.user_id)?;
            if !may_log_in(conn, &user)? {
                return Ok(Err(()));
            }
            issue_pair(&st, conn, &user, row.family_id).map(Ok)
        })
        .await?;
    match result {
        Ok(pair) => Ok(HttpResponse::Ok().json(pair)),
        Err(()) => Err(ApiError::Unauthorized(BAD_REFRESH)),
    }
}

/// Revoke a refresh token and its family (log out).
#[utoipa::path(
    post, path = "/api/v1/auth/logout", tag = "auth",
    request_body = RefreshRequest,
    responses((status = 204, description = "Logged out (also for an unknown token)")),
    security(())
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let hash = hash_token(&body.0.refresh_token);
    state
        .tx(move |conn| {
            if let Some(row) = tokens::find_by_hash(conn, &hash)? {
                tokens::revoke_family(conn, &row.family_id, db::now())?;
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
