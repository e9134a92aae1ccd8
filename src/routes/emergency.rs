//! `/emergency` (paramedics): search on scene, open one emergency summary through
//! the lookup that listed it, report the outcome. Every search is recorded as a
//! lookup and every opened summary as an audit event, durably, before answering.

use std::time::Instant;

use actix_web::{get, post, web, HttpResponse};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::json::{Json, Query};
use crate::app::AppState;
use crate::auth::AuthUser;
use crate::db::audit::{Chain, Event};
use crate::db::lookups::{self, LookupRow};
use crate::db::search::CandidateRow;
use crate::db::{
    self, care_decisions, districts, name_counts, registrants, search as candidates_db,
};
use crate::domain::emergency::{
    Candidate, EmergencySummary, Identity, LatestDecision, Outcome, OutcomeReport, SearchRequest,
    SearchResponse,
};
use crate::domain::registrant::age_on;
use crate::domain::{RegistrantStatus, Role};
use crate::error::{ApiError, ApiResult, Problem};
use crate::matching::{self, Decision};

fn candidate(row: &CandidateRow, score: f64, today: NaiveDate) -> Result<Candidate, ApiError> {
    Ok(Candidate {
        age: age_on(row.birth_date, today),
        registrant_id: Uuid::parse_str(&row.id).map_err(ApiError::internal)?,
        score: (score * 10.0).round() / 10.0,
        family_name: row.family_name.clone(),
        given_name: row.given_name.clone(),
        family_name_kana: row.family_name_kana.clone(),
        given_name_kana: row.given_name_kana.clone(),
        birth_date: row.birth_date,
        sex: crate::domain::Sex::parse(&row.sex).unwrap_or(crate::domain::Sex::Unknown),
        district_code: row.district_code.clone(),
    })
}

/// Search for a person on scene.
#[utoipa::path(
    post, path = "/api/v1/emergency/search", tag = "emergency",
    request_body = SearchRequest,
    responses(
        (status = 200, description = "`match` (one person), `candidates` (up to 5) or `no_match`; recorded as a lookup", body = SearchResponse),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a paramedic", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (e.g. an impossible era date)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many searches; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/emergency/search")]
pub async fn search(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Json<SearchRequest>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Paramedic)?;
    let started = Instant::now();
    let today = state.today();
    let checked = body.0.check(today)?;
    let limit = i64::from(state.config.search_rate_per_minute);
    let user_id = auth.id.to_string();
    let query = checked.query.clone();
    let district = checked.incident_district_code.clone();
    let ranked = state
        .db(move |conn| {
            let since = db::now() - Duration::minutes(1);
            if candidates_db::limit_reached(conn, &user_id, since, limit)? {
                return Err(ApiError::TooManyRequests {
                    retry_after_secs: 60,
                });
            }
            if let Some(code) = &district {
                if !districts::exists(conn, code)? {
                    return Err(ApiError::invalid(
                        "incident_district_code",
                        format!("unknown district {code:?}"),
                    ));
                }
            }
            if matching::max_possible_weight(&query) < matching::CANDIDATE_THRESHOLD {
                return Ok(Decision::NoMatch);
            }
            let keys = matching::staged_keys(&query, today);
            let decision = matching::staged_decide(
                &query,
                &keys,
                |keys| {
                    let rows = candidates_db::candidates(conn, keys, query.phone.is_some())?;
                    let people: Vec<_> = rows.iter().map(CandidateRow::person_fields).collect();
                    let values: Vec<String> = people.iter().flat_map(matching::name_values).collect();
                    let counts = name_counts::load(conn, &values)?;
                    Ok::<_, diesel::result::Error>(
                        rows.into_iter()
                            .zip(&people)
                            .map(|(row, person)| {
                                let s = matching::score(&query, person, today, &counts);
                                (row, s)
                            })
                            .collect(),
                    )
                },
                |row| row.id.clone(),
            )?;
            Ok(decision)
        })
        .await?;
    let (found, listed) = match ranked {
        Decision::Match(row, s) => (Outcome::Match, vec![candidate(&row, s, today)?]),
        Decision::Candidates(list) => (
            Outcome::Candidates,
            list.iter()
                .map(|(row, s)| candidate(row, *s, today))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Decision::NoMatch => (Outcome::NoMatch, Vec::new()),
    };
    let lookup_id = Uuid::new_v4();
    let ids: Vec<String> = listed.iter().map(|c| c.registrant_id.to_string()).collect();
    let row = LookupRow {
        id: lookup_id.to_string(),
        incident_id: checked.incident_id,
        user_id: auth.id.to_string(),
        unit_organization_id: auth.organization_id.to_string(),
        incident_district_code: checked.incident_district_code,
        query_kind: checked.query_kind,
        outcome: found.as_str().to_owned(),
        candidate_count: i32::try_from(listed.len()).unwrap_or(i32::MAX),
        candidate_ids: serde_json::to_string(&ids).map_err(ApiError::internal)?,
        opened_registrant_id: None,
        opened_at: None,
        crew_result: None,
        crew_result_at: None,
        latency_us: i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX),
        created_at: db::now(),
    };
    state
        .lookups
        .write(row)
        .await
        .map_err(ApiError::Unavailable)?;
    tracing::info!(%lookup_id, outcome = found.as_str(), candidates = listed.len(), "crew search");
    Ok(HttpResponse::Ok().json(SearchResponse {
        lookup_id,
        outcome: found,
        candidates: listed,
        ignored: checked.ignored,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SummaryQuery {
    /// The lookup (by the same user) that listed this registrant.
    pub lookup_id: Uuid,
}

/// Open one person's emergency summary (audited with the incident id).
#[utoipa::path(
    get, path = "/api/v1/emergency/registrants/{id}", tag = "emergency",
    params(("id" = Uuid, Path, description = "Registrant id from the lookup"), SummaryQuery),
    responses(
        (status = 200, description = "The emergency summary, most urgent first", body = EmergencySummary),
        (status = 400, description = "lookup_id missing or malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a paramedic", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not listed by a recent lookup of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/emergency/registrants/{id}")]
pub async fn summary(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<Uuid>,
    q: Query<SummaryQuery>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Paramedic)?;
    let id = path.into_inner();
    let lookup_id = q.0.lookup_id;
    let ttl = Duration::minutes(i64::from(state.config.lookup_ttl_minutes));
    let today = state.today();
    let offset = state.config.utc_offset();
    let found = state
        .tx(move |conn| {
            let mut chain = Chain::begin(conn)?;
            let Some(lookup) = lookups::find(conn, &lookup_id.to_string())? else {
                return Ok(None);
            };
            let id_s = id.to_string();
            let allowed = lookup.user_id == auth.id.to_string()
                && lookup.created_at + ttl > db::now()
                && lookup.candidates().contains(&id_s);
            if !allowed {
                chain.append(
                    conn,
                    Some(&auth.actor()),
                    Event {
                        action: "emergency.access_denied",
                        registrant_id: Some(id),
                        lookup_id: Some(lookup_id),
                        incident_id: Some(lookup.incident_id),
                        ..Default::default()
                    },
                )?;
                return Ok(None);
            }
            let Some(row) = registrants::find(conn, id)? else {
                return Ok(None);
            };
            if row.status()? != RegistrantStatus::Active {
                return Ok(None);
            }
            let history = care_decisions::history(conn, &id_s)?;
            lookups::mark_opened(conn, &lookup, &id_s, db::now(), offset)?;
            chain.append(
                conn,
                Some(&auth.actor()),
                Event {
                    action: "emergency.read",
                    registrant_id: Some(id),
                    lookup_id: Some(lookup_id),
                    incident_id: Some(lookup.incident_id.clone()),
                    ..Default::default()
                },
            )?;
            let record = row.to_input()?;
            let care_decision = match history.first() {
                Some(latest) => {
                    let d = latest.to_decision()?;
                    Some(LatestDecision {
                        kind: d.entry.kind,
                        discussed_on: d.entry.discussed_on,
                        recorded_at: d.recorded_at,
                        wishes: d.entry.wishes,
                        preferred_place_of_care: d.entry.preferred_place_of_care,
                        preferred_place_of_death: d.entry.preferred_place_of_death,
                        shared_with_family: d.entry.shared_with_family,
                        physician_instructions: d.entry.physician_instructions,
                        advance_directive: d.entry.advance_directive,
                        own_words: d.entry.own_words,
                        participants: d.entry.participants,
                        review_due: d.entry.review_due,
                        earlier_entries: i64::try_from(history.len()).unwrap_or(1) - 1,
                    })
                }
                None => None,
            };
            Ok(Some(EmergencySummary {
                registrant_id: id,
                lookup_id,
                identity: Identity {
                    age: age_on(record.birth_date, today),
                    family_name: record.family_name,
                    given_name: record.given_name,
                    family_name_kana: record.family_name_kana,
                    given_name_kana: record.given_name_kana,
                    birth_date: record.birth_date,
                    sex: record.sex,
                    address: record.address,
                    phones: record.phones,
                    card_code: row.card_code.clone(),
                },
                care_decision,
                family_doctors: record.family_doctors,
                emergency_contacts: record.emergency_contacts,
                medical: record.medical,
                living_situation: record.living_situation,
                care_level: record.care_level,
            }))
        })
        .await?;
    let summary = found.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(summary))
}

/// Report what the crew found after the lookup (the last report counts).
#[utoipa::path(
    post, path = "/api/v1/emergency/lookups/{lookup_id}/outcome", tag = "emergency",
    params(("lookup_id" = Uuid, Path, description = "Lookup id from the search")),
    request_body = OutcomeReport,
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, description = "Bad result", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a paramedic", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a lookup of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/emergency/lookups/{lookup_id}/outcome")]
pub async fn outcome(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<Uuid>,
    body: Json<OutcomeReport>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Paramedic)?;
    let lookup_id = path.into_inner().to_string();
    let result = body.0.result;
    let user = auth.id.to_string();
    let offset = state.config.utc_offset();
    let done = state
        .tx(move |conn| {
            let lookup = match lookups::find(conn, &lookup_id)? {
                Some(l) if l.user_id == user => l,
                _ => return Ok(false),
            };
            lookups::set_result(conn, &lookup, result.as_str(), db::now(), offset)?;
            Ok(true)
        })
        .await?;
    if done {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound)
    }
}
