//! The append-only history of care decisions. There is no update or delete here on
//! purpose: an entry is superseded by a newer one, never changed.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use uuid::Uuid;

use super::schema::{care_decisions, registrants};
use super::DbConn;
use crate::domain::care_decision::{CareDecision, CareDecisionInput};

/// A stored entry.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = care_decisions)]
pub struct CareDecisionRow {
    pub id: String,
    pub registrant_id: String,
    pub seq: i32,
    pub kind: String,
    pub discussed_on: NaiveDate,
    pub organization_id: String,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
    pub review_due: Option<NaiveDate>,
    pub shared_with_family: bool,
    pub body: String,
}

impl CareDecisionRow {
    pub fn to_decision(&self) -> QueryResult<CareDecision> {
        let bad = |what: &str| {
            diesel::result::Error::DeserializationError(
                format!("stored care decision has invalid {what}").into(),
            )
        };
        let uuid = |s: &str, what: &str| Uuid::parse_str(s).map_err(|_| bad(what));
        let entry: CareDecisionInput = serde_json::from_str(&self.body).map_err(|_| bad("body"))?;
        Ok(CareDecision {
            id: uuid(&self.id, "id")?,
            registrant_id: uuid(&self.registrant_id, "registrant_id")?,
            seq: self.seq,
            entry,
            recorded_by: uuid(&self.recorded_by, "recorded_by")?,
            recorded_by_organization_id: uuid(&self.organization_id, "organization_id")?,
            recorded_at: self.recorded_at,
        })
    }
}

pub fn count_for(conn: &mut DbConn, registrant_id: &str) -> QueryResult<i64> {
    care_decisions::table
        .filter(care_decisions::registrant_id.eq(registrant_id))
        .count()
        .get_result(conn)
}

/// Appends an entry, which becomes the registrant's current decision.
pub fn insert(conn: &mut DbConn, row: &CareDecisionRow) -> QueryResult<()> {
    diesel::insert_into(care_decisions::table)
        .values(row)
        .execute(conn)?;
    diesel::update(registrants::table.find(&row.registrant_id))
        .set((
            registrants::decision_discussed_on.eq(Some(row.discussed_on)),
            registrants::decision_review_due.eq(row.review_due),
            registrants::decision_shared_with_family.eq(Some(row.shared_with_family)),
        ))
        .execute(conn)
        .map(drop)
}

/// Copies every registrant's latest entry onto the registrant row (the columns
/// [`insert`] keeps): for histories written in bulk, such as synthetic data.
pub fn refresh_current(conn: &mut DbConn) -> QueryResult<()> {
    let latest = |column: &str| {
        format!(
            "{column} = (SELECT c.{column} FROM care_decisions c \
             WHERE c.registrant_id = registrants.id ORDER BY c.seq DESC LIMIT 1)"
        )
    };
    diesel::sql_query(format!(
        "UPDATE registrants SET decision_{}, decision_{}, decision_{} \
         WHERE EXISTS (SELECT 1 FROM care_decisions c WHERE c.registrant_id = registrants.id)",
        latest("discussed_on"),
        latest("review_due"),
        latest("shared_with_family"),
    ))
    .execute(conn)
    .map(drop)
}

/// The whole history, newest first.
pub fn history(conn: &mut DbConn, registrant_id: &str) -> QueryResult<Vec<CareDecisionRow>> {
    care_decisions::table
        .filter(care_decisions::registrant_id.eq(registrant_id))
        .order(care_decisions::seq.desc())
        .select(CareDecisionRow::as_select())
        .load(conn)
}
