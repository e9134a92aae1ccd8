//! One error type for the API, rendered as `application/problem+json` (RFC 9457).
//! The cause of a 500 is logged once and never sent to the client.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::validate::FieldError;

/// The problem document every error response carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The invalid fields, for 400 and 422.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("malformed request: {detail}")]
    BadRequest {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("invalid fields")]
    Unprocessable(Vec<FieldError>),
    #[error("authentication required")]
    Unauthorized(&'static str),
    #[error("forbidden")]
    Forbidden,
    /// The password was right; the account's second factor is missing.
    #[error("second factor required")]
    MfaRequired,
    /// The role requires a second factor and the user has none yet.
    #[error("second factor enrolment required")]
    MfaEnrolmentRequired,
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("precondition required")]
    PreconditionRequired,
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("payload too large")]
    PayloadTooLarge(String),
    #[error("unsupported media type")]
    UnsupportedMediaType(String),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A deadlock or serialization failure: the write transaction runs again
    /// (see `service::tx`); when it keeps failing, 503 with `Retry-After`.
    #[error("write conflict: {0}")]
    Contention(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 400 naming one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        let field = field.into();
        ApiError::BadRequest {
            detail: format!("{field}: {message}"),
            errors: vec![FieldError { field, message }],
        }
    }

    /// A 422 naming one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Unprocessable(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    /// A 500 whose cause is logged, not returned.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }

    fn parts(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::BadRequest { .. } => ("bad-request", "Bad request"),
            ApiError::Unprocessable(_) => ("validation", "Invalid fields"),
            ApiError::Unauthorized(_) => ("unauthorized", "Authentication required"),
            ApiError::Forbidden => ("forbidden", "Forbidden"),
            ApiError::MfaRequired => ("mfa-required", "Second factor required"),
            ApiError::MfaEnrolmentRequired => {
                ("mfa-enrolment-required", "Second factor enrolment required")
            }
            ApiError::NotFound => ("not-found", "Not found"),
            ApiError::Conflict(_) => ("conflict", "Conflict"),
            ApiError::PreconditionRequired => ("precondition-required", "If-Match required"),
            ApiError::PreconditionFailed => ("precondition-failed", "Stale version"),
            ApiError::PayloadTooLarge(_) => ("payload-too-large", "Payload too large"),
            ApiError::UnsupportedMediaType(_) => {
                ("unsupported-media-type", "Unsupported media type")
            }
            ApiError::TooManyRequests { .. } => ("too-many-requests", "Too many requests"),
            ApiError::Unavailable(_) | ApiError::Contention(_) => {
                ("unavailable", "Service unavailable")
            }
            ApiError::Internal(_) => ("internal", "Internal server error"),
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::BadRequest { detail, .. } => detail.clone(),
            ApiError::Unprocessable(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            ApiError::Unauthorized(why) => (*why).to_owned(),
            ApiError::Forbidden => "your role may not use this resource".into(),
            ApiError::MfaRequired => {
                "this account has a second factor: log in again with totp_code (or a recovery_code)"
                    .into()
            }
            ApiError::MfaEnrolmentRequired => {
                "your role requires a second factor: enrol with POST /api/v1/auth/totp/enroll, confirm with POST /api/v1/auth/totp/confirm, then log in again with totp_code".into()
            }
            ApiError::NotFound => "no such resource".into(),
            ApiError::Conflict(why) => why.clone(),
            ApiError::PreconditionRequired => {
                "send If-Match with the ETag of the version you are replacing".into()
            }
            ApiError::PreconditionFailed => {
                "the record was changed since you read it: read it again".into()
            }
            ApiError::PayloadTooLarge(why) | ApiError::UnsupportedMediaType(why) => why.clone(),
            ApiError::TooManyRequests { retry_after_secs } => {
                format!("retry after {retry_after_secs} s")
            }
            ApiError::Unavailable(_) => "the database is unavailable; try again".into(),
            ApiError::Contention(_) => "the database is busy; try again".into(),
            ApiError::Internal(_) => "an unexpected error occurred; it has been logged".into(),
        }
    }

    /// Builds the problem document.
    pub fn problem(&self) -> Problem {
        let (kind, title) = self.parts();
        Problem {
            kind: format!("https://eir.example/problems/{kind}"),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail: self.detail(),
            errors: match self {
                ApiError::BadRequest { errors, .. } | ApiError::Unprocessable(errors) => {
                    errors.clone()
                }
                _ => Vec::new(),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::MfaEnrolmentRequired => StatusCode::FORBIDDEN,
            ApiError::MfaRequired => StatusCode::UNAUTHORIZED,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) | ApiError::Contention(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => tracing::error!(%cause, "request failed"),
            ApiError::Unavailable(cause) => tracing::warn!(%cause, "database unavailable"),
            ApiError::Contention(cause) => tracing::warn!(%cause, "write kept conflicting"),
            _ => {}
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        res.insert_header((header::CACHE_CONTROL, "no-store"));
        if let ApiError::Unauthorized(_) | ApiError::MfaRequired = self {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let ApiError::TooManyRequests { retry_after_secs } = self {
            res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        if let ApiError::Contention(_) = self {
            res.insert_header((header::RETRY_AFTER, "1"));
        }
        res.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => ApiError::NotFound,
            other if is_conflict(&other) => ApiError::Contention(other.to_string()),
            other => ApiError::internal(other),
        }
    }
}

/// Whether the database gave up on a transaction because of another one: a
/// serialization failure (SQLSTATE 40001) or a deadlock. diesel does not name
/// PostgreSQL's deadlock code (40P01), so it is told by its message.
pub fn is_conflict(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        Error::DatabaseError(DatabaseErrorKind::Unknown, info) => {
            info.message().contains("deadlock detected")
        }
        _ => false,
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        ApiError::Unavailable(e.to_string())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::internal(e)
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(errors: Vec<FieldError>) -> Self {
        ApiError::Unprocessable(errors)
    }
}

/// Result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
