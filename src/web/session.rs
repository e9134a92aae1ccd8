//! Sign-in, sign-out and the cookie session. The browser holds only a random id
//! in an `HttpOnly`, `SameSite=Strict` cookie (`Secure` under TLS); the session
//! itself is a database row (its SHA-256 is the key), so several instances can
//! serve one user. A session ends at sign-out, after `EIR_WEB_SESSION_IDLE_SECS`
//! without use, and when the user's password is reset (it remembers the password
//! version, checked by the same function that checks bearer tokens).
//!
//! CSRF: every state-changing request must come from this origin
//! (`Sec-Fetch-Site: same-origin`, or a matching `Origin`) and carry the
//! session's token in the form; the sign-in form carries a token bound to a
//! short-lived cookie of its own.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Duration;
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{home_of, redirect, render, Errors, Layout, WebError, WebResult};
use crate::app::AppState;
use crate::auth::extractor::{load_caller, password_version};
use crate::auth::jwt::SCOPE_MFA_ENROL;
use crate::auth::AuthUser;
use crate::db::web_sessions::{self, WebSessionRow};
use crate::db::{self, users};
use crate::error::ApiError;
use crate::routes::auth::client_address;
use crate::service::auth::{self as auth_service, Credentials};

/// Name of the session cookie.
pub const COOKIE: &str = "eir_session";
/// Name of the sign-in form's cookie (CSRF before a session exists).
const LOGIN_COOKIE: &str = "eir_login";

fn random_token() -> String {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    hex::encode(raw)
}

fn hash(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

fn secure(state: &AppState) -> bool {
    state.config.tls_cert.is_some() || state.config.behind_tls_proxy
}

fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build(COOKIE, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure(state))
        .finish()
}

/// A cookie that removes the session cookie.
pub fn removal_cookie() -> Cookie<'static> {
    Cookie::build(COOKIE, "").path("/").finish()
}

/// Constant-time comparison of two tokens.
fn same_token(a: &str, b: &str) -> bool {
    !a.is_empty()
        && aws_lc_rs::constant_time::verify_slices_are_equal(a.as_bytes(), b.as_bytes()).is_ok()
}

/// Whether a state-changing request comes from a page of this site.
pub fn same_origin(req: &HttpRequest) -> bool {
    if let Some(site) = req.headers().get("sec-fetch-site") {
        return site.as_bytes() == b"same-origin";
    }
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let info = req.connection_info();
        let expected = format!("{}://{}", info.scheme(), info.host());
        return origin.as_bytes() == expected.as_bytes();
    }
    // Neither header: not a browser that could be tricked into sending the
    // cookie; the form token still has to match.
    true
}

/// A signed-in user of the web pages.
#[derive(Debug, Clone)]
pub struct Signed {
    pub user: AuthUser,
    /// The token every form of this session carries.
    pub csrf: String,
    /// Only the second-factor enrolment is open.
    pub enrol_only: bool,
    token_hash: String,
}

impl Signed {
    /// Refuses a form that did not come from this session's page on this site.
    pub fn check_csrf(&self, req: &HttpRequest, given: &str) -> Result<(), WebError> {
        if same_origin(req) && same_token(&self.csrf, given) {
            Ok(())
        } else {
            tracing::warn!(path = req.path(), "web form refused: CSRF check failed");
            Err(WebError::Csrf)
        }
    }
}

impl FromRequest for Signed {
    type Error = WebError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        signed(req, false)
    }
}

/// A session that may be one that can only enrol a second factor.
pub struct Enrolling(pub Signed);

impl FromRequest for Enrolling {
    type Error = WebError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let fut = signed(req, true);
        Box::pin(async move { fut.await.map(Enrolling) })
    }
}

/// Where to come back to after signing in: this page for a GET, else home.
fn next_of(req: &HttpRequest) -> String {
    if req.method() == actix_web::http::Method::GET {
        req.uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into())
    } else {
        "/".into()
    }
}

fn signed(
    req: &HttpRequest,
    allow_enrol: bool,
) -> Pin<Box<dyn Future<Output = Result<Signed, WebError>>>> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let raw = req.cookie(COOKIE).map(|c| c.value().to_owned());
    let next = next_of(req);
    Box::pin(async move {
        let state =
            state.ok_or_else(|| WebError::Api(ApiError::internal("application state missing")))?;
        let sign_in = |expired| WebError::SignIn {
            next: next.clone(),
            expired,
        };
        let raw = raw
            .filter(|r| !r.is_empty())
            .ok_or_else(|| sign_in(false))?;
        let token_hash = hash(&raw);
        let idle =
            Duration::seconds(i64::try_from(state.config.web_session_idle_secs).unwrap_or(1800));
        let max_age =
            Duration::seconds(i64::try_from(state.config.refresh_token_ttl_secs).unwrap_or(43_200));
        let h = token_hash.clone();
        let row = state
            .db(move |conn| {
                let Some(row) = web_sessions::find(conn, &h)? else {
                    return Ok(Err(false));
                };
                let now = db::now();
                if row.last_seen_at + idle < now || row.created_at + max_age < now {
                    web_sessions::delete(conn, &h)?;
                    return Ok(Err(true));
                }
                // One write a minute at most, not one per page.
                if row.last_seen_at + Duration::seconds(60) < now {
                    web_sessions::touch(conn, &h, now)?;
                }
                Ok(Ok(row))
            })
            .await?
            .map_err(sign_in)?;
        let user_id = Uuid::parse_str(&row.user_id).map_err(ApiError::internal)?;
        let user = match load_caller(&state, user_id, row.password_version).await {
            Ok(user) => user,
            Err(ApiError::Unauthorized(_)) => {
                let h = token_hash.clone();
                state
                    .db(move |conn| Ok(web_sessions::delete(conn, &h)?))
                    .await?;
                return Err(sign_in(true));
            }
            Err(other) => return Err(other.into()),
        };
        if row.enrol_only && !allow_enrol {
            return Err(WebError::Enrol);
        }
        Ok(Signed {
            user,
            csrf: row.csrf_token,
            enrol_only: row.enrol_only,
            token_hash,
        })
    })
}

/// A path of this site to continue to after signing in (never another site).
fn safe_next(next: Option<&str>) -> Option<String> {
    let n = next?.trim();
    let ok = n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && n.len() < 512;
    (ok && !n.starts_with("/login")).then(|| n.to_owned())
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    token: String,
    next: String,
    login: String,
    /// Ask for the second factor (the password was right).
    ask_code: bool,
    message: Option<&'static str>,
    info: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
    signed_out: Option<String>,
}

fn login_response(status: StatusCode, state: &AppState, page: LoginPage) -> HttpResponse {
    let cookie = Cookie::build(LOGIN_COOKIE, page.token.clone())
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure(state))
        .finish();
    let mut res = render(status, &page);
    let _ = res.add_cookie(&cookie);
    res
}

/// `GET /login`.
pub async fn login_page(state: web::Data<AppState>, q: web::Query<LoginQuery>) -> HttpResponse {
    let info = if q.expired.is_some() {
        Some("一定時間操作がなかったため、サインアウトしました。もう一度サインインしてください。")
    } else if q.signed_out.is_some() {
        Some("サインアウトしました。")
    } else {
        None
    };
    login_response(
        StatusCode::OK,
        &state,
        LoginPage {
            l: Layout::public("サインイン"),
            token: random_token(),
            next: safe_next(q.next.as_deref()).unwrap_or_default(),
            login: String::new(),
            ask_code: false,
            message: None,
            info,
        },
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

/// `POST /login`: the API's login check, then a cookie session.
pub async fn login_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> WebResult {
    let form = form.into_inner();
    let cookie_token = req.cookie(LOGIN_COOKIE).map(|c| c.value().to_owned());
    if !same_origin(&req) || !cookie_token.is_some_and(|t| same_token(&t, &form.csrf)) {
        return Err(WebError::Csrf);
    }
    let code = form.code.trim().to_owned();
    let (totp_code, recovery_code) = if code.is_empty() {
        (None, None)
    } else if code.chars().all(|c| c.is_ascii_digit()) {
        (Some(code), None)
    } else {
        (None, Some(code))
    };
    let credentials = Credentials {
        login: form.login.trim().to_owned(),
        password: form.password.clone(),
        totp_code,
        recovery_code,
        address: client_address(&state, &req),
    };
    let st = state.clone();
    let outcome = web::block(move || {
        auth_service::log_in_with(&st, credentials, |st, conn, user, scope| {
            let raw = random_token();
            let now = db::now();
            let idle =
                Duration::seconds(i64::try_from(st.config.web_session_idle_secs).unwrap_or(1800));
            web_sessions::delete_idle(conn, now - idle)?;
            web_sessions::insert(
                conn,
                &WebSessionRow {
                    token_hash: hash(&raw),
                    user_id: user.id.clone(),
                    password_version: password_version(user.password_changed_at),
                    csrf_token: random_token(),
                    enrol_only: scope == Some(SCOPE_MFA_ENROL),
                    created_at: now,
                    last_seen_at: now,
                },
            )?;
            let role = crate::domain::Role::parse(&user.role)
                .ok_or_else(|| ApiError::internal("stored role invalid"))?;
            Ok((raw, role, scope == Some(SCOPE_MFA_ENROL)))
        })
    })
    .await
    .map_err(ApiError::from)?;
    let again = |status, message, ask_code| {
        login_response(
            status,
            &state,
            LoginPage {
                l: Layout::public("サインイン"),
                token: random_token(),
                next: safe_next(Some(&form.next)).unwrap_or_default(),
                login: form.login.clone(),
                ask_code,
                message: Some(message),
                info: None,
            },
        )
    };
    match outcome {
        Ok((raw, role, enrol_only)) => {
            let to = if enrol_only {
                "/mfa".to_owned()
            } else {
                safe_next(Some(&form.next)).unwrap_or_else(|| home_of(role).to_owned())
            };
            let mut res = redirect(&to);
            let _ = res.add_cookie(&session_cookie(&state, raw));
            let _ = res.add_removal_cookie(&Cookie::build(LOGIN_COOKIE, "").path("/login").finish());
            Ok(res)
        }
        Err(ApiError::MfaRequired) => Ok(again(
            StatusCode::UNAUTHORIZED,
            "このアカウントは二段階認証を使っています。パスワードをもう一度入力し、認証アプリの6桁の確認コード（または回復コード）を入力してください。",
            true,
        )),
        Err(ApiError::Unauthorized(_)) => Ok(again(
            StatusCode::UNAUTHORIZED,
            "ログインID、パスワードまたは確認コードが正しくないか、アカウントがロックされています。",
            !form.code.trim().is_empty(),
        )),
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// `POST /logout`: ends the session.
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed: Enrolling,
    form: web::Form<CsrfOnly>,
) -> WebResult {
    let signed = signed.0;
    signed.check_csrf(&req, &form.csrf)?;
    let h = signed.token_hash.clone();
    state
        .db(move |conn| Ok(web_sessions::delete(conn, &h)?))
        .await?;
    let mut res = redirect("/login?signed_out=1");
    let _ = res.add_removal_cookie(&removal_cookie());
    Ok(res)
}

#[derive(Template)]
#[template(path = "mfa.html")]
struct MfaPage {
    l: Layout,
    enrolled: bool,
    required: bool,
    secret: Option<String>,
    otpauth_uri: Option<String>,
    recovery_codes: Vec<String>,
    errors: Errors,
}

async fn mfa_status(state: &AppState, user: &AuthUser) -> Result<bool, WebError> {
    let id = user.id.to_string();
    Ok(state
        .db(move |conn| {
            Ok(crate::db::security::totp_get(conn, &id)?.is_some_and(|t| t.confirmed_at.is_some()))
        })
        .await?)
}

/// `GET /mfa`: the second factor: enrolled or not, and how to enrol.
pub async fn mfa_page(state: web::Data<AppState>, signed: Enrolling) -> WebResult {
    let signed = signed.0;
    let enrolled = mfa_status(&state, &signed.user).await?;
    Ok(super::ok(&MfaPage {
        l: Layout::new("二段階認証", &signed, "/mfa"),
        enrolled,
        required: signed.enrol_only,
        secret: None,
        otpauth_uri: None,
        recovery_codes: Vec::new(),
        errors: Errors::default(),
    }))
}

/// `POST /mfa/enrol`: starts an enrolment and shows the secret.
pub async fn mfa_enrol(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed: Enrolling,
    form: web::Form<CsrfOnly>,
) -> WebResult {
    let signed = signed.0;
    signed.check_csrf(&req, &form.csrf)?;
    let user = signed.user.clone();
    let started = state
        .db(move |conn| auth_service::enrol_totp(conn, &user))
        .await?;
    Ok(super::ok(&MfaPage {
        l: Layout::new("二段階認証", &signed, "/mfa"),
        enrolled: false,
        required: signed.enrol_only,
        secret: Some(started.secret),
        otpauth_uri: Some(started.otpauth_uri),
        recovery_codes: Vec::new(),
        errors: Errors::default(),
    }))
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    otpauth_uri: String,
}

/// `POST /mfa/confirm`: confirms with a current code; shows the recovery codes once.
pub async fn mfa_confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed: Enrolling,
    form: web::Form<ConfirmForm>,
) -> WebResult {
    let signed = signed.0;
    signed.check_csrf(&req, &form.csrf)?;
    let form = form.into_inner();
    let user = signed.user.clone();
    let code = form.code.trim().to_owned();
    match state
        .db(move |conn| auth_service::confirm_totp(conn, &user, &code))
        .await
    {
        Ok(codes) => {
            let h = signed.token_hash.clone();
            state
                .db(move |conn| Ok(web_sessions::finish_enrolment(conn, &h)?))
                .await?;
            let mut open = signed.clone();
            open.enrol_only = false;
            Ok(super::ok(&MfaPage {
                l: Layout::new("二段階認証", &open, "/mfa"),
                enrolled: true,
                required: false,
                secret: None,
                otpauth_uri: None,
                recovery_codes: codes.recovery_codes,
                errors: Errors::default(),
            }))
        }
        Err(ApiError::BadRequest { .. }) => {
            let mut errors = Errors::default();
            errors.add("code", "確認コードが正しくありません。認証アプリに表示されている現在の6桁を入力してください。");
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &MfaPage {
                    l: Layout::new("二段階認証", &signed, "/mfa"),
                    enrolled: false,
                    required: signed.enrol_only,
                    secret: Some(form.secret),
                    otpauth_uri: Some(form.otpauth_uri),
                    recovery_codes: Vec::new(),
                    errors,
                },
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// Ends every web session of `user_id` (used after a password reset by the
/// pages; the password version check ends them anyway).
pub async fn end_all(state: &AppState, user_id: Uuid) -> Result<(), ApiError> {
    let id = user_id.to_string();
    state
        .db(move |conn| {
            users::get(conn, &id)?;
            web_sessions::delete_for_user(conn, &id)?;
            Ok(())
        })
        .await
}
