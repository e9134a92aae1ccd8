//! Logging in (password, then the second factor when enrolled), refreshing and
//! logging out, and enrolling a second factor. Failed logins are counted per
//! account and per client address, in the database, so every instance sees them.

use chrono::Duration;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::tx::{self, Tx};
use crate::app::AppState;
use crate::auth::extractor::password_version;
use crate::auth::jwt::SCOPE_MFA_ENROL;
use crate::auth::{password, totp, AuthUser};
use crate::db::audit::Event;
use crate::db::tokens::{self, RefreshTokenRow};
use crate::db::users::{self, UserRow};
use crate::db::{self, organizations, security, DbConn};
use crate::domain::Role;
use crate::error::ApiError;

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

/// A login attempt.
#[derive(Debug)]
pub struct Credentials {
    pub login: String,
    pub password: String,
    /// The current code of the authenticator app.
    pub totp_code: Option<String>,
    /// One unused recovery code, instead of `totp_code`.
    pub recovery_code: Option<String>,
    /// The client address failures are counted against.
    pub address: String,
}

/// A started enrolment: put the secret into an authenticator app.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolment {
    /// Base32 secret (RFC 4648, no padding).
    pub secret: String,
    /// `otpauth://totp/…` URI for a QR code.
    pub otpauth_uri: String,
}

/// Recovery codes, shown this once; each works once instead of a TOTP code.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// The answer to every refused login, whatever the reason.
pub const BAD_LOGIN: &str = "login or password is incorrect, or the account is locked";
/// The answer to every refused refresh.
pub const BAD_REFRESH: &str = "the refresh token is invalid, expired or spent";

fn hash_token(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

/// Issues an access token and a new refresh token of `family` for `user`.
fn issue_pair(
    state: &AppState,
    conn: &mut DbConn,
    user: &UserRow,
    family: String,
    scope: Option<&str>,
) -> Result<TokenResponse, ApiError> {
    let user_id = Uuid::parse_str(&user.id).map_err(ApiError::internal)?;
    let org_id = Uuid::parse_str(&user.organization_id).map_err(ApiError::internal)?;
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

/// Whether the user and their organization may log in now.
fn may_log_in(conn: &mut DbConn, user: &UserRow) -> Result<bool, ApiError> {
    let org = organizations::get(conn, &user.organization_id)?;
    let locked = user.locked_until.is_some_and(|t| t > db::now());
    Ok(user.active && org.active && !locked)
}

/// What a login attempt came to inside its transaction.
enum Outcome<T> {
    Issued(T),
    Refused,
    NeedsSecondFactor,
}

/// Logs in. An unknown login, a wrong password, a wrong code and a locked
/// account or address all get the same answer, after the same work. Takes the
/// state rather than a connection: the password is checked (tens of
/// milliseconds) without holding one.
pub fn log_in(state: &AppState, c: Credentials) -> Result<TokenResponse, ApiError> {
    log_in_with(state, c, |state, tx, user, scope| {
        issue_pair(state, tx, user, Uuid::new_v4().to_string(), scope)
    })
}

/// [`log_in`] with the credential a successful login turns into made by
/// `issue` inside the login's transaction: a token pair for the API, a cookie
/// session for the web pages. `scope` is `mfa_enrol` when the role requires a
/// second factor the user has not enrolled.
pub fn log_in_with<T>(
    state: &AppState,
    c: Credentials,
    mut issue: impl FnMut(&AppState, &mut DbConn, &UserRow, Option<&'static str>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    if c.login.len() > 64
        || c.password.len() > 4 * password::MAX_LEN
        || c.totp_code.as_ref().is_some_and(|s| s.len() > 16)
        || c.recovery_code.as_ref().is_some_and(|s| s.len() > 64)
    {
        return Err(ApiError::Unauthorized(BAD_LOGIN));
    }
    let (user, address_locked) = {
        let mut conn = state.pool.get()?;
        let user = users::find_by_login(&mut conn, &c.login)?;
        let locked = security::address_locked(&mut conn, &c.address, db::now())?;
        (user, locked)
    };
    // Verify even for an unknown login or a locked address, so all take the same time.
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_owned());
    let password_ok = password::verify(&c.password, &hash);
    if address_locked {
        return Err(ApiError::Unauthorized(BAD_LOGIN));
    }
    let mut conn = state.pool.get()?;
    let outcome = tx::write(&mut conn, None, |tx| {
        let config = &state.config;
        let now = db::now();
        let lock = Duration::seconds(i64::try_from(config.login_lock_secs).unwrap_or(900));
        let fail = |tx: &mut Tx<'_>, user: Option<&UserRow>| -> Result<Outcome<T>, ApiError> {
            if let Some(user) = user {
                users::record_failed_login(tx, &user.id, config.max_failed_logins, now + lock)?;
            }
            security::address_failed(
                tx,
                &c.address,
                now,
                lock,
                config.max_failed_logins_per_address,
                now + lock,
            )?;
            Ok(Outcome::Refused)
        };
        let Some(user) = &user else {
            return fail(tx, None);
        };
        if !may_log_in(tx, user)? {
            return fail(tx, None);
        }
        if !password_ok {
            return fail(tx, Some(user));
        }
        let scope = match security::totp_get(tx, &user.id)? {
            Some(t) if t.confirmed_at.is_some() => {
                let passed = match (&c.totp_code, &c.recovery_code) {
                    (None, None) => return Ok(Outcome::NeedsSecondFactor),
                    (Some(code), _) => {
                        let key = totp::base32_decode(&t.secret)
                            .ok_or_else(|| ApiError::internal("stored TOTP secret invalid"))?;
                        match totp::verify(&key, code, now.and_utc().timestamp(), t.last_step) {
                            Some(step) => security::totp_use_step(tx, &user.id, step)?,
                            None => false,
                        }
                    }
                    (None, Some(code)) => {
                        let hash = totp::hash_recovery_code(code);
                        let used = security::recovery_spend(tx, &user.id, &hash, now)?;
                        if used {
                            tx.audit(Event {
                                action: "auth.recovery_code_used",
                                target_id: Some(user.id.clone()),
                                ..Default::default()
                            })?;
                        }
                        used
                    }
                };
                if !passed {
                    return fail(tx, Some(user));
                }
                None
            }
            _ => scope_without_factor(tx, user)?,
        };
        users::record_login(tx, &user.id)?;
        issue(state, tx, user, scope).map(Outcome::Issued)
    })?;
    match outcome {
        Outcome::Issued(pair) => Ok(pair),
        Outcome::Refused => Err(ApiError::Unauthorized(BAD_LOGIN)),
        Outcome::NeedsSecondFactor => Err(ApiError::MfaRequired),
    }
}

/// Exchanges a refresh token for a new pair; the old one is spent. A spent token
/// presented again revokes its whole family (assumed stolen).
pub fn refresh(state: &AppState, refresh_token: &str) -> Result<TokenResponse, ApiError> {
    let hash = hash_token(refresh_token);
    let mut conn = state.pool.get()?;
    tx::write(&mut conn, None, |tx| {
        let Some(row) = tokens::find_by_hash(tx, &hash)? else {
            return Ok(None);
        };
        let now = db::now();
        if row.used_at.is_some() && row.revoked_at.is_none() {
            tokens::revoke_family(tx, &row.family_id, now)?;
            tx.audit(Event {
                action: "auth.refresh_reuse",
                target_id: Some(row.user_id.clone()),
                ..Default::default()
            })?;
            return Ok(None);
        }
        if row.revoked_at.is_some() || row.expires_at <= now || !tokens::spend(tx, &row.id, now)? {
            return Ok(None);
        }
        let user = users::get(tx, &row.user_id)?;
        if !may_log_in(tx, &user)? {
            return Ok(None);
        }
        let scope = scope_without_factor(tx, &user)?;
        issue_pair(state, tx, &user, row.family_id, scope).map(Some)
    })?
    .ok_or(ApiError::Unauthorized(BAD_REFRESH))
}

/// Revokes a refresh token and its family; an unknown token changes nothing.
pub fn log_out(conn: &mut DbConn, refresh_token: &str) -> Result<(), ApiError> {
    let hash = hash_token(refresh_token);
    tx::write(conn, None, |tx| {
        if let Some(row) = tokens::find_by_hash(tx, &hash)? {
            tokens::revoke_family(tx, &row.family_id, db::now())?;
        }
        Ok(())
    })
}

/// Starts enrolling a TOTP second factor (or restarts an unconfirmed one).
pub fn enrol_totp(conn: &mut DbConn, caller: &AuthUser) -> Result<TotpEnrolment, ApiError> {
    let user_id = caller.id.to_string();
    let secret = totp::new_secret();
    let login = tx::write(conn, Some(caller.actor()), |tx| {
        if security::totp_get(tx, &user_id)?.is_some_and(|t| t.confirmed_at.is_some()) {
            return Err(ApiError::Conflict(
                "a second factor is already enrolled; an admin can reset it".into(),
            ));
        }
        security::totp_start(
            tx,
            &security::TotpRow {
                user_id: user_id.clone(),
                secret: secret.clone(),
                confirmed_at: None,
                last_step: 0,
                created_at: db::now(),
            },
        )?;
        Ok(users::get(tx, &user_id)?.login)
    })?;
    Ok(TotpEnrolment {
        otpauth_uri: totp::otpauth_uri(&secret, &login),
        secret,
    })
}

/// Confirms the enrolment with a current code; answers the recovery codes once.
pub fn confirm_totp(
    conn: &mut DbConn,
    caller: &AuthUser,
    code: &str,
) -> Result<RecoveryCodes, ApiError> {
    let user_id = caller.id.to_string();
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::hash_recovery_code(c)).collect();
    tx::write(conn, Some(caller.actor()), |tx| {
        let t = match security::totp_get(tx, &user_id)? {
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
        let step = totp::verify(&key, code, now.and_utc().timestamp(), 0)
            .ok_or_else(|| ApiError::field("code", "is not the current code"))?;
        security::totp_confirm(tx, &user_id, step, now)?;
        security::recovery_replace(tx, &user_id, &hashes)?;
        tx.audit(Event {
            action: "auth.totp_enrolled",
            target_id: Some(user_id.clone()),
            ..Default::default()
        })?;
        Ok(())
    })?;
    Ok(RecoveryCodes {
        recovery_codes: codes,
    })
}
