//! `/registrants/{id}/care-decisions`: the append-only history of decisions about
//! medical care. There is deliberately no route to edit or delete an entry.

use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

use super::json::Json;
use crate::app::AppState;
use crate::auth::AuthUser;
use crate::domain::care_decision::{CareDecision, CareDecisionInput};
use crate::error::{ApiResult, Problem};
use crate::service::care_decisions;

/// The history of care decisions, newest first (audited).
#[utoipa::path(
    get, path = "/api/v1/registrants/{id}/care-decisions", operation_id = "list_care_decisions", tag = "care-decisions",
    params(("id" = Uuid, Path, description = "Registrant id")),
    responses(
        (status = 200, description = "Every entry, newest first", body = Vec<CareDecision>),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a care manager", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registrant in your organization", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/registrants/{id}/care-decisions")]
pub async fn list(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let list = state
        .db(move |conn| care_decisions::history(conn, &auth, id))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Record a care decision: `new` for the first entry, then `revised` or
/// `reconfirmed` (checked and unchanged). Entries are never edited.
#[utoipa::path(
    post, path = "/api/v1/registrants/{id}/care-decisions", operation_id = "record_care_decision", tag = "care-decisions",
    params(("id" = Uuid, Path, description = "Registrant id")),
    request_body = CareDecisionInput,
    responses(
        (status = 201, description = "Recorded", body = CareDecision),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a care manager", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registrant in your organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Registration not active", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/registrants/{id}/care-decisions")]
pub async fn create(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<Uuid>,
    body: Json<CareDecisionInput>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let today = state.today();
    let decision = state
        .db(move |conn| care_decisions::record(conn, &auth, id, body.0, today))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/registrants/{id}/care-decisions"),
        ))
        .json(decision))
}
