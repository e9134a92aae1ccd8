//! `/auth`: log in (password, then the second factor when enrolled), refresh,
//! log out. Failed logins are counted per account and per client address.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::json::Json;
use crate::app::AppState;
use crate::error::{ApiResult, Problem};
use crate::service::auth::{self, TokenResponse};

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

/// The client address failures are counted against: the peer, or the client
/// named by the proxy when eir sits behind a TLS-terminating proxy.
pub fn client_address(state: &AppState, req: &HttpRequest) -> String {
    if state.config.behind_tls_proxy {
        if let Some(ip) = req.connection_info().realip_remote_addr() {
            return ip.to_owned();
        }
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Log in with a login and password (and `totp_code` or `recovery_code` when a
/// second factor is enrolled). An unknown login, a wrong password, a wrong code
/// and a locked account or address all get the same answer, after the same work.
#[utoipa::path(
    post, path = "/api/v1/auth/token", operation_id = "log_in", tag = "auth",
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
    let credentials = auth::Credentials {
        login,
        password,
        totp_code,
        recovery_code,
        address: client_address(&state, &req),
    };
    let pair = AppState::call(&state, move |state| auth::log_in(state, credentials)).await?;
    Ok(HttpResponse::Ok().json(pair))
}

/// Exchange a refresh token for a new pair; the old refresh token is spent.
/// Presenting a spent token again revokes its whole family.
#[utoipa::path(
    post, path = "/api/v1/auth/refresh", operation_id = "refresh_tokens", tag = "auth",
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
    let presented = body.0.refresh_token;
    let pair = AppState::call(&state, move |state| auth::refresh(state, &presented)).await?;
    Ok(HttpResponse::Ok().json(pair))
}

/// Revoke a refresh token and its family (log out).
#[utoipa::path(
    post, path = "/api/v1/auth/logout", operation_id = "log_out", tag = "auth",
    request_body = RefreshRequest,
    responses((status = 204, description = "Logged out (also for an unknown token)")),
    security(())
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let presented = body.0.refresh_token;
    state
        .db(move |conn| auth::log_out(conn, &presented))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
