//! `/registrants/{id}/care-decisions`: the append-only history of decisions about
//! medical care. There is deliberately no route to edit or delete an entry.

use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

use super::json::Json;
use crate::app::AppState;
use crate::auth::AuthUser;
use crate::db;
use crate::db::audit::{Chain, Event};
use crate::db::care_decisions::{self, CareDecisionRow};
use crate::domain::care_decision::{CareDecision, CareDecisionInput};
use crate::domain::{RegistrantStatus, Role};
use crate::error::{ApiError, ApiResult, Problem};

/// The history of care decisions, newest first (audited).
#[utoipa::path(
    get, path = "/api/v1/registrants/{id}/care-decisions", tag = "care-decisions",
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
    auth.require(Role::CareManager)?;
    let id = path.into_inner();
    let history = state
        .tx(move |conn| {
            let mut chain = Chain::begin(conn)?;
            if super::registrants::load_own(
                conn,
                &mut chain,
                &auth,
                id,
                "care_decision.access_denied",
            )?
            .is_none()
            {
                return Ok(None);
            }
            let rows = care_decisions::history(conn, &id.to_string())?;
            chain.append(
                conn,
                Some(&auth.actor()),
                Event {
                    action: "care_decision.read",
                    registrant_id: Some(id),
                    detail: Some(format!("entries={}", rows.len())),
                    ..Default::default()
                },
            )?;
            let list = rows
                .iter()
                .map(CareDecisionRow::to_decision)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Some(list))
        })
        .await?;
    let list = history.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(list))
}

/// Record a care decision: `new` for the first entry, then `revised` or
/// `reconfirmed` (checked and unchanged). Entries are never edited.
#[utoipa::path(
    post, path = "/api/v1/registrants/{id}/care-decisions", tag = "care-decisions",
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
    auth.require(Role::CareManager)?;
    let id = path.into_inner();
    let input = body.0;
    let today = state.today();
    let created = state
        .tx(move |conn| {
            let mut chain = Chain::begin(conn)?;
            let Some(reg) = super::registrants::load_own(
                conn,
                &mut chain,
                &auth,
                id,
                "care_decision.access_denied",
            )?
            else {
                return Ok(None);
            };
            if reg.status()? != RegistrantStatus::Active {
                return Err(ApiError::Conflict(
                    "the registration is no longer active".into(),
                ));
            }
            let existing = care_decisions::count_for(conn, &reg.id)?;
            let entry = input.validate(today, existing)?;
            let seq = i32::try_from(existing + 1).map_err(ApiError::internal)?;
            let row = CareDecisionRow {
                id: Uuid::new_v4().to_string(),
                registrant_id: reg.id.clone(),
                seq,
                kind: entry.kind.as_str().to_owned(),
                discussed_on: entry.discussed_on,
                organization_id: auth.organization_id.to_string(),
                recorded_by: auth.id.to_string(),
                recorded_at: db::now(),
                review_due: entry.review_due,
                shared_with_family: entry.shared_with_family,
                body: serde_json::to_string(&entry).map_err(ApiError::internal)?,
            };
            care_decisions::insert(conn, &row)?;
            chain.append(
                conn,
                Some(&auth.actor()),
                Event {
                    action: "care_decision.create",
                    registrant_id: Some(id),
                    target_id: Some(row.id.clone()),
                    detail: Some(format!("kind={} seq={seq}", row.kind)),
                    ..Default::default()
                },
            )?;
            Ok(Some(row.to_decision()?))
        })
        .await?;
    let decision = created.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/registrants/{id}/care-decisions"),
        ))
        .json(decision))
}
