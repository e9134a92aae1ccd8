//! Candidate retrieval for crew searches: registrants that share a blocking key
//! with the query, found through the `registrant_keys` index (never a scan).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::registrants::RegistrantRow;
use super::schema::{lookups, registrant_keys, registrants};
use super::DbConn;

/// Most registrants scored for one search; a query whose keys reach more is too
/// unspecific to be useful and is answered from the first `MAX_CANDIDATES`.
pub const MAX_CANDIDATES: i64 = 2000;

/// Active registrants sharing at least one of `keys`.
pub fn candidates(conn: &mut DbConn, keys: &[String]) -> QueryResult<Vec<RegistrantRow>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = registrant_keys::table
        .filter(registrant_keys::key.eq_any(keys))
        .select(registrant_keys::registrant_id)
        .distinct()
        .limit(MAX_CANDIDATES)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Status is checked here rather than in SQL: with a status condition
    // SQLite's planner may walk the (status, created_at) index over every active
    // registrant instead of probing the primary key 50 times.
    let mut rows: Vec<RegistrantRow> = registrants::table
        .filter(registrants::id.eq_any(&ids))
        .select(RegistrantRow::as_select())
        .load(conn)?;
    rows.retain(|r| r.status == "active");
    Ok(rows)
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
