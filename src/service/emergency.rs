//! On scene (paramedics): search for a person, open one emergency summary through
//! the lookup that listed it, report the outcome. Every search is recorded as a
//! lookup and every opened summary as an audit event, durably, before answering.

use std::time::Instant;

use chrono::{Duration, FixedOffset, NaiveDate};
use uuid::Uuid;

use super::tx;
use crate::app::AppState;
use crate::auth::AuthUser;
use crate::db::audit::Event;
use crate::db::lookups::{self, LookupRow};
use crate::db::search::CandidateRow;
use crate::db::{self, care_decisions, districts, registrants, search as candidates_db, DbConn};
use crate::domain::emergency::{
    Candidate, CrewResult, EmergencySummary, Identity, LatestDecision, Outcome, SearchRequest,
    SearchResponse,
};
use crate::domain::registrant::age_on;
use crate::domain::{RegistrantStatus, Role};
use crate::error::ApiError;
use crate::matching::{self, Decision};

fn candidate(row: &CandidateRow, score: f64) -> Result<Candidate, ApiError> {
    Ok(Candidate {
        registrant_id: Uuid::parse_str(&row.id).map_err(ApiError::internal)?,
        score: (score * 10.0).round() / 10.0,
        family_name: row.family_name.clone(),
        given_name: row.given_name.clone(),
        family_name_kana: row.family_name_kana.clone(),
        given_name_kana: row.given_name_kana.clone(),
        birth_date: row.birth_date,
        sex: crate::domain::Sex::parse(&row.sex)
            .ok_or_else(|| ApiError::internal("stored registrant has an invalid sex"))?,
        district_code: row.district_code.clone(),
    })
}

/// Searches for a person and records the lookup (group-committed with other
/// crews' lookups) before answering. Async: the wait for that commit holds
/// neither a thread nor a connection.
pub async fn search(
    state: &AppState,
    caller: &AuthUser,
    request: SearchRequest,
) -> Result<SearchResponse, ApiError> {
    caller.require(Role::Paramedic)?;
    let started = Instant::now();
    let today = state.today();
    let checked = request.check(today)?;
    let limit = i64::from(state.config.search_rate_per_minute);
    let user_id = caller.id.to_string();
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
                    Ok::<_, diesel::result::Error>(
                        rows.into_iter()
                            .map(|row| {
                                let s = matching::score(&query, &row.person_fields(), today).total;
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
        Decision::Match(row, s) => (Outcome::Match, vec![candidate(&row, s)?]),
        Decision::Candidates(list) => (
            Outcome::Candidates,
            list.iter()
                .map(|(row, s)| candidate(row, *s))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Decision::NoMatch => (Outcome::NoMatch, Vec::new()),
    };
    let lookup_id = Uuid::new_v4();
    let ids: Vec<String> = listed.iter().map(|c| c.registrant_id.to_string()).collect();
    let row = LookupRow {
        id: lookup_id.to_string(),
        incident_id: checked.incident_id,
        user_id: caller.id.to_string(),
        unit_organization_id: caller.organization_id.to_string(),
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
    Ok(SearchResponse {
        lookup_id,
        outcome: found,
        candidates: listed,
    })
}

/// How long a lookup opens summaries, and the zone its day is counted in.
#[derive(Debug, Clone, Copy)]
pub struct LookupRules {
    /// Minutes after the search during which its candidates may be opened.
    pub ttl: Duration,
    /// The statistics' time zone.
    pub offset: FixedOffset,
    /// Today in that zone (ages are shown as of today).
    pub today: NaiveDate,
}

impl LookupRules {
    /// The rules as configured, today.
    pub fn of(state: &AppState) -> Self {
        LookupRules {
            ttl: Duration::minutes(i64::from(state.config.lookup_ttl_minutes)),
            offset: state.zone.offset,
            today: state.today(),
        }
    }
}

/// Opens one person's emergency summary through a recent lookup of the caller
/// that listed them (audited with the incident id); anything else is 404, and a
/// refused attempt is audited too.
pub fn summary(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    lookup_id: Uuid,
    rules: LookupRules,
) -> Result<EmergencySummary, ApiError> {
    caller.require(Role::Paramedic)?;
    tx::write(conn, Some(caller.actor()), |tx| {
        let Some(lookup) = lookups::find(tx, &lookup_id.to_string())? else {
            return Ok(None);
        };
        let id_s = id.to_string();
        let allowed = lookup.user_id == caller.id.to_string()
            && lookup.created_at + rules.ttl > db::now()
            && lookup.candidates().contains(&id_s);
        if !allowed {
            tx.audit(Event {
                action: "emergency.access_denied",
                registrant_id: Some(id),
                lookup_id: Some(lookup_id),
                incident_id: Some(lookup.incident_id),
                ..Default::default()
            })?;
            return Ok(None);
        }
        let Some(row) = registrants::find(tx, id)? else {
            return Ok(None);
        };
        if row.status()? != RegistrantStatus::Active {
            return Ok(None);
        }
        let history = care_decisions::history(tx, &id_s)?;
        lookups::mark_opened(tx, &lookup, &id_s, db::now(), rules.offset)?;
        tx.audit(Event {
            action: "emergency.read",
            registrant_id: Some(id),
            lookup_id: Some(lookup_id),
            incident_id: Some(lookup.incident_id.clone()),
            ..Default::default()
        })?;
        Ok(Some((row, history)))
    })?
    .ok_or(ApiError::NotFound)
    .and_then(|(row, history)| {
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
        Ok(EmergencySummary {
            registrant_id: id,
            lookup_id,
            identity: Identity {
                age: age_on(record.birth_date, rules.today),
                family_name: record.family_name,
                given_name: record.given_name,
                family_name_kana: record.family_name_kana,
                given_name_kana: record.given_name_kana,
                birth_date: record.birth_date,
                sex: record.sex,
                address: record.address,
                phones: record.phones,
                card_code: row.card_code,
            },
            care_decision,
            family_doctors: record.family_doctors,
            emergency_contacts: record.emergency_contacts,
            medical: record.medical,
            living_situation: record.living_situation,
            care_level: record.care_level,
        })
    })
}

/// Records what the crew found after a lookup of theirs (the last report counts).
pub fn report_outcome(
    conn: &mut DbConn,
    caller: &AuthUser,
    lookup_id: Uuid,
    result: CrewResult,
    offset: FixedOffset,
) -> Result<(), ApiError> {
    caller.require(Role::Paramedic)?;
    let lookup_id = lookup_id.to_string();
    let user = caller.id.to_string();
    tx::write(conn, Some(caller.actor()), |tx| {
        let lookup = match lookups::find(tx, &lookup_id)? {
            Some(l) if l.user_id == user => l,
            _ => return Ok(false),
        };
        lookups::set_result(tx, &lookup, result.as_str(), db::now(), offset)?;
        Ok(true)
    })?
    .then_some(())
    .ok_or(ApiError::NotFound)
}
