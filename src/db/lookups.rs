//! Lookups (照会): one row per crew search, written before the answer is sent.
//! The raw search text is not kept: only the kind of query and its outcome.

use chrono::{FixedOffset, NaiveDateTime};
use diesel::prelude::*;

use super::schema::lookups;
use super::{hit_rollup, DbConn};
use crate::stats::rollup::Search;

/// A stored lookup.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = lookups)]
pub struct LookupRow {
    pub id: String,
    pub incident_id: String,
    pub user_id: String,
    /// The crew's organization (ambulance unit / fire department).
    pub unit_organization_id: String,
    pub incident_district_code: Option<String>,
    /// Which query fields were given, e.g. `name+birth_date`.
    pub query_kind: String,
    /// `match`, `candidates` or `no_match`.
    pub outcome: String,
    pub candidate_count: i32,
    /// JSON array of the registrant ids listed (the only ones this lookup may open).
    pub candidate_ids: String,
    pub opened_registrant_id: Option<String>,
    pub opened_at: Option<NaiveDateTime>,
    /// `confirmed`, `wrong_person` or `not_registered`, as reported by the crew.
    pub crew_result: Option<String>,
    pub crew_result_at: Option<NaiveDateTime>,
    pub latency_us: i64,
    pub created_at: NaiveDateTime,
}

impl LookupRow {
    /// The registrant ids this lookup listed.
    pub fn candidates(&self) -> Vec<String> {
        serde_json::from_str(&self.candidate_ids).unwrap_or_default()
    }
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<LookupRow>> {
    lookups::table
        .find(id)
        .select(LookupRow::as_select())
        .first(conn)
        .optional()
}

/// Records that the lookup opened a registrant (the first one opened is kept)
/// and counts it in the hit-rate roll-up.
pub fn mark_opened(
    conn: &mut DbConn,
    lookup: &LookupRow,
    registrant_id: &str,
    at: NaiveDateTime,
    offset: FixedOffset,
) -> QueryResult<()> {
    hit_rollup::change_lookup(
        conn,
        &lookup.incident_id,
        &lookup.id,
        offset,
        |conn, now| {
            let changed = diesel::update(
                lookups::table
                    .find(&lookup.id)
                    .filter(lookups::opened_registrant_id.is_null()),
            )
            .set((
                lookups::opened_registrant_id.eq(Some(registrant_id)),
                lookups::opened_at.eq(Some(at)),
            ))
            .execute(conn)?;
            Ok((changed > 0).then(|| Search {
                opened: true,
                ..now.clone()
            }))
        },
    )
}

/// Records the crew's reported result (the last report counts).
pub fn set_result(
    conn: &mut DbConn,
    lookup: &LookupRow,
    result: &str,
    at: NaiveDateTime,
    offset: FixedOffset,
) -> QueryResult<()> {
    hit_rollup::change_lookup(
        conn,
        &lookup.incident_id,
        &lookup.id,
        offset,
        |conn, now| {
            diesel::update(lookups::table.find(&lookup.id))
                .set((
                    lookups::crew_result.eq(Some(result)),
                    lookups::crew_result_at.eq(Some(at)),
                ))
                .execute(conn)?;
            Ok(Some(Search {
                result: Some(result.to_owned()),
                ..now.clone()
            }))
        },
    )
}
