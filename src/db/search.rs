//! Candidate retrieval for crew searches: registrants that share a blocking key
//! with the query, found through the `registrant_keys` index (never a scan).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{lookups, registrant_keys, registrants};
use super::DbConn;
use crate::domain::registrant::RecordBody;

/// Most registrants scored for one search; a query whose keys reach more is too
/// unspecific to be useful and is answered from the first `MAX_CANDIDATES`.
pub const MAX_CANDIDATES: i64 = 2000;

/// What scoring needs of a candidate: identity columns only, and the record
/// document (for phone numbers) only when the query has a phone.
#[derive(Debug, Clone)]
pub struct CandidateRow {
    pub id: String,
    pub card_code: String,
    pub status: String,
    pub family_name: String,
    pub given_name: String,
    pub family_name_kana: String,
    pub given_name_kana: String,
    pub birth_date: NaiveDate,
    pub sex: String,
    pub postal_code: Option<String>,
    pub address_line: String,
    pub district_code: Option<String>,
    pub record: Option<String>,
}

impl CandidateRow {
    /// The fields the matching module compares.
    pub fn person_fields(&self) -> crate::matching::PersonFields {
        use crate::domain::Sex;
        let phones = self
            .record
            .as_deref()
            .and_then(|r| serde_json::from_str::<RecordBody>(r).ok())
            .map(|b| b.phones)
            .unwrap_or_default();
        crate::matching::PersonFields {
            family_name: self.family_name.clone(),
            given_name: self.given_name.clone(),
            family_kana: self.family_name_kana.clone(),
            given_kana: self.given_name_kana.clone(),
            birth_date: self.birth_date,
            sex: Sex::parse(&self.sex).unwrap_or(Sex::Unknown).into(),
            phones,
            postal_code: self.postal_code.clone(),
            address_line: Some(self.address_line.clone()),
            card_code: self.card_code.clone(),
            district_code: self.district_code.clone(),
        }
    }
}

/// Active registrants sharing at least one of `keys`; the record document is
/// read only when `with_record` (the query has a phone number).
pub fn candidates(
    conn: &mut DbConn,
    keys: &[String],
    with_record: bool,
) -> QueryResult<Vec<CandidateRow>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    // One statement: the registrants whose ids the keys reach.
    let ids = registrant_keys::table
        .filter(registrant_keys::key.eq_any(keys))
        .select(registrant_keys::registrant_id)
        .distinct()
        .limit(MAX_CANDIDATES);
    // Status is checked here rather than in SQL: with a status condition
    // SQLite's planner may walk the (status, created_at) index over every active
    // registrant instead of probing the primary key 50 times.
    let columns = (
        registrants::id,
        registrants::card_code,
        registrants::status,
        registrants::family_name,
        registrants::given_name,
        registrants::family_name_kana,
        registrants::given_name_kana,
        registrants::birth_date,
        registrants::sex,
        registrants::postal_code,
        registrants::address_line,
        registrants::district_code,
    );
    let mut rows: Vec<CandidateRow> = if with_record {
        registrants::table
            .filter(registrants::id.eq_any(ids))
            .select((columns, registrants::record.nullable()))
            .load::<(IdentityTuple, Option<String>)>(conn)?
            .into_iter()
            .map(|(c, r)| candidate_row(c, r))
            .collect()
    } else {
        registrants::table
            .filter(registrants::id.eq_any(ids))
            .select(columns)
            .load::<IdentityTuple>(conn)?
            .into_iter()
            .map(|c| candidate_row(c, None))
            .collect()
    };
    rows.retain(|r| r.status == "active");
    Ok(rows)
}

type IdentityTuple = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    NaiveDate,
    String,
    Option<String>,
    String,
    Option<String>,
);

/// The identity columns as loaded, with the record when it was read.
fn candidate_row(cols: IdentityTuple, record: Option<String>) -> CandidateRow {
    let (
        id,
        card_code,
        status,
        family_name,
        given_name,
        family_name_kana,
        given_name_kana,
        birth_date,
        sex,
        postal_code,
        address_line,
        district_code,
    ) = cols;
    {
        CandidateRow {
            id,
            card_code,
            status,
            family_name,
            given_name,
            family_name_kana,
            given_name_kana,
            birth_date,
            sex,
            postal_code,
            address_line,
            district_code,
            record,
        }
    }
}

/// Whether `user_id` made at least `limit` searches since `since` (the per-user
/// rate limit, shared by every instance because it is read from the database).
/// Reads at most `limit` index entries, however busy the user is.
pub fn limit_reached(
    conn: &mut DbConn,
    user_id: &str,
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<bool> {
    // The `limit`-th most recent search in the window exists: limit reached.
    let nth: Option<NaiveDateTime> = lookups::table
        .filter(lookups::user_id.eq(user_id))
        .filter(lookups::created_at.ge(since))
        .order(lookups::created_at.desc())
        .select(lookups::created_at)
        .offset(limit - 1)
        .limit(1)
        .first(conn)
        .optional()?;
    Ok(nth.is_some())
}
