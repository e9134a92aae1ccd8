//! `AuthUser`: the caller of a request, from a bearer token checked against the
//! database on every request (a deactivated user, a user of a deactivated
//! organization, or a token issued before a password reset is refused).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use uuid::Uuid;

use crate::app::AppState;
use crate::db::audit::Actor;
use crate::db::users;
use crate::domain::{OrganizationKind, Role};
use crate::error::ApiError;

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: Uuid,
    pub role: Role,
    pub organization_id: Uuid,
    pub organization_kind: OrganizationKind,
}

impl AuthUser {
    /// Fails with 403 unless the caller has `role`.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role == role {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// The caller as recorded in the audit log.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            role: self.role.as_str(),
            organization_id: self.organization_id,
        }
    }
}

/// Microseconds since the epoch of a password change, the token's `pwv`.
pub fn password_version(at: chrono::NaiveDateTime) -> i64 {
    at.and_utc().timestamp_micros()
}

const INVALID: &str = "a valid bearer token is required";

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        authenticate(req, false)
    }
}

/// A caller who may be holding a token that only allows enrolling a second
/// factor (the enrolment routes take this; every other route takes [`AuthUser`],
/// which answers such a token with 403 telling the user to enrol).
#[derive(Debug, Clone)]
pub struct EnrollingUser(pub AuthUser);

impl FromRequest for EnrollingUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let fut = authenticate(req, true);
        Box::pin(async move { fut.await.map(EnrollingUser) })
    }
}

fn authenticate(
    req: &HttpRequest,
    allow_enrol_scope: bool,
) -> Pin<Box<dyn Future<Output = Result<AuthUser, ApiError>>>> {
    {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_owned());
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = token.ok_or(ApiError::Unauthorized(INVALID))?;
            let claims = state
                .jwt
                .verify(&token)
                .ok_or(ApiError::Unauthorized(INVALID))?;
            match claims.scope.as_deref() {
                None => {}
                Some(crate::auth::jwt::SCOPE_MFA_ENROL) if allow_enrol_scope => {}
                Some(crate::auth::jwt::SCOPE_MFA_ENROL) => {
                    return Err(ApiError::MfaEnrolmentRequired)
                }
                Some(_) => return Err(ApiError::Unauthorized(INVALID)),
            }
            load_caller(&state, claims.sub, claims.pwv).await
        })
    }
}

/// The caller `user_id`, when the user and their organization are active and the
/// password has not changed since the credential was issued (`pwv`). Bearer
/// tokens and web sessions are both checked by this.
pub async fn load_caller(state: &AppState, user_id: Uuid, pwv: i64) -> Result<AuthUser, ApiError> {
    let (user, org) = state
        .db(move |conn| Ok(users::get_with_organization(conn, &user_id.to_string())?))
        .await
        .map_err(|e| match e {
            ApiError::NotFound => ApiError::Unauthorized(INVALID),
            other => other,
        })?;
    if !user.active || !org.active || password_version(user.password_changed_at) != pwv {
        return Err(ApiError::Unauthorized(INVALID));
    }
    let role = Role::parse(&user.role).ok_or(ApiError::Unauthorized(INVALID))?;
    let organization_kind =
        OrganizationKind::parse(&org.kind).ok_or(ApiError::Unauthorized(INVALID))?;
    let organization_id = Uuid::parse_str(&org.id).map_err(|_| ApiError::Unauthorized(INVALID))?;
    tracing::Span::current().record("user_id", tracing::field::display(user_id));
    Ok(AuthUser {
        id: user_id,
        role,
        organization_id,
        organization_kind,
    })
}
