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
    registrants::table
        .filter(registrants::id.eq_any(&ids))
        .filter(registrants::status.eq("active"))
        .select(RegistrantRow::as_select())
        .load(conn)
}

/// Searches by `user_id` since `since` (for the per-user rate limit, shared by
/// every instance because it is read from the database).
pub fn searches_since(conn: &mut DbConn, user_id: &str, since: NaiveDateTime) -> QueryResult<i64> {
    lookups::table
        .filter(lookups::user_id.eq(user_id))
        .filter(lookups::created_at.ge(since))
        .count()
        .get_result(conn)
}
