//! `/auth`: log in (password, then the second factor when enrolled), refresh,
//! log out. Failed logins are counted per account and per client address.

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::Duration;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::json::Json;
use crate::app::AppState;
use crate::auth::extractor::password_version;
use crate::auth::jwt::SCOPE_MFA_ENROL;
use crate::auth::{password, totp};
use crate::db::tokens::{self, RefreshTokenRow};
use crate::db::users::{self, UserRow};
use crate::db::{self, audit, organizations, security, DbConn};
use crate::domain::Role;
use crate::error::{ApiError, ApiResult, Problem};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "admin")]
    pub login: String,
    pub password: String,
    /// The current 6-digit code of the authenticator app, when a second factor
    /// is enrolled.
    #[serde(default)]
    pub totp_code: Option<String>,
    /// One unused recovery code, instead of `totp_code`.
    #[serde(default)]
    pub recovery_code: Option<String>,
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
    /// True when the role requires a second factor the user has not enrolled:
    /// the access token then only allows `/auth/totp/enroll` and `/confirm`.
    pub mfa_enrolment_required: bool,
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
    scope: Option<&str>,
) -> Result<TokenResponse, ApiError> {
    let user_id = super::parse_uuid("user", &user.id).map_err(ApiError::internal)?;
    let org_id =
        super::parse_uuid("organization", &user.organization_id).map_err(ApiError::internal)?;
    let role = Role::parse(&user.role).ok_or_else(|| ApiError::internal("stored role invalid"))?;
    let access_token = state
        .jwt
        .issue_scoped(
            user_id,
            role.as_str(),
            org_id,
            password_version(user.password_changed_at),
            scope,
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
        mfa_enrolment_required: scope == Some(SCOPE_MFA_ENROL),
    })
}

/// The scope a token for `user` gets when no second factor was presented:
/// enrolment only, when the role requires one and the user has none.
fn scope_without_factor(
    conn: &mut DbConn,
    user: &UserRow,
) -> Result<Option<&'static str>, ApiError> {
    let enrolled = security::totp_get(conn, &user.id)?.is_some_and(|t| t.confirmed_at.is_some());
    if !enrolled && security::mfa_required_for(conn, &user.role)? {
        Ok(Some(SCOPE_MFA_ENROL))
    } else {
        Ok(None)
    }
}

/// The client address failures are counted against: the peer, or the client
/// named by the proxy when eir sits behind a TLS-terminating proxy.
fn client_address(state: &AppState, req: &HttpRequest) -> String {
    if state.config.behind_tls_proxy {
        if let Some(ip) = req.connection_info().realip_remote_addr() {
            return ip.to_owned();
        }
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// What a login attempt came to.
enum LoginOutcome {
    Issued(TokenResponse),
    Refused,
    NeedsSecondFactor,
}

/// Whether the user and their organization may log in now.
fn may_log_in(conn: &mut DbConn, user: &UserRow) -> Result<bool, ApiError> {
    let org = organizations::get(conn, &user.organization_id)?;
    let locked = user.locked_until.is_some_and(|t| t > db::now());
    Ok(user.active && org.active && !locked)
}

/// Log in with a login and password (and `totp_code` or `recovery_code` when a
/// second factor is enrolled). An unknown login, a wrong password, a wrong code
/// and a locked account or address all get the same answer, after the same work.
#[utoipa::path(
    post, path = "/api/v1/auth/token", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Token pair", body = TokenResponse),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong login, password or code, or locked; or the second factor is missing (type mfa-required)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/token")]
pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let LoginRequest {
        login,
        password,
        totp_code,
        recovery_code,
    } = body.0;
    if login.len() > 64
        || password.len() > 4 * password::MAX_LEN
        || totp_code.as_ref().is_some_and(|c| c.len() > 16)
        || recovery_code.as_ref().is_some_and(|c| c.len() > 64)
    {
        return Err(ApiError::Unauthorized(BAD_LOGIN));
    }
    let address = client_address(&state, &req);
    let st = state.clone();
    let addr = address.clone();
    let (user, address_locked) = state
        .db(move |conn| {
            let user = users::find_by_login(conn, &login)?;
            let locked = security::address_locked(conn, &addr, db::now())?;
            Ok((user, locked))
        })
        .await?;
    // Verify even for an unknown login or a locked address, so all take the same time.
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_owned());
    let ok = web::block(move || password::verify(&password, &hash)).await?;
    if address_locked {
        return Err(ApiError::Unauthorized(BAD_LOGIN));
    }
    let outcome = state
        .tx(move |conn| {
            let config = &st.config;
            let now = db::now();
            let lock = Duration::seconds(i64::try_from(config.login_lock_secs).unwrap_or(900));
            let fail =
                |conn: &mut DbConn, user: Option<&UserRow>| -> Result<LoginOutcome, ApiError> {
                    if let Some(user) = user {
                        users::record_failed_login(
                            conn,
                            &user.id,
                            config.max_failed_logins,
                            now + lock,
                        )?;
                    }
                    security::address_failed(
                        conn,
                        &address,
                        now,
                        lock,
                        config.max_failed_logins_per_address,
                        now + lock,
                    )?;
                    Ok(LoginOutcome::Refused)
                };
            let Some(user) = user else {
                return fail(conn, None);
            };
            if !may_log_in(conn, &user)? {
                return fail(conn, None);
            }
            if !ok {
                return fail(conn, Some(&user));
            }
            let scope = match security::totp_get(conn, &user.id)? {
                Some(t) if t.confirmed_at.is_some() => {
                    let passed = match (&totp_code, &recovery_code) {
                        (None, None) => return Ok(LoginOutcome::NeedsSecondFactor),
                        (Some(code), _) => {
                            let key = totp::base32_decode(&t.secret)
                                .ok_or_else(|| ApiError::internal("stored TOTP secret invalid"))?;
                            match totp::verify(&key, code, now.and_utc().timestamp(), t.last_step) {
                                Some(step) => security::totp_use_step(conn, &user.id, step)?,
                                None => false,
                            }
                        }
                        (None, Some(code)) => {
                            let used = security::recovery_spend(
                                conn,
                                &user.id,
                                &totp::hash_recovery_code(code),
                                now,
                            )?;
                            if used {
                                audit::record(
                                    conn,
                                    None,
                                    audit::Event {
                                        action: "auth.recovery_code_used",
                                        target_id: Some(user.id.clone()),
                                        ..Default::default()
                                    },
                                )?;
                            }
                            used
                        }
                    };
                    if !passed {
                        return fail(conn, Some(&user));
                    }
                    None
                }
                _ => scope_without_factor(conn, &user)?,
            };
            users::record_login(conn, &user.id)?;
            issue_pair(&st, conn, &user, Uuid::new_v4().to_string(), scope)
                .map(LoginOutcome::Issued)
        })
        .await?;
    match outcome {
        LoginOutcome::Issued(pair) => Ok(HttpResponse::Ok().json(pair)),
        LoginOutcome::Refused => Err(ApiError::Unauthorized(BAD_LOGIN)),
        LoginOutcome::NeedsSecondFactor => Err(ApiError::MfaRequired),
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
            let scope = scope_without_factor(conn, &user)?;
            issue_pair(&st, conn, &user, row.family_id, scope).map(Ok)
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
