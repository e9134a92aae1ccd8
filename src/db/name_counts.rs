//! How many active registrants have each name value, for the crew search's
//! name-frequency weights ([`crate::matching::NameCounts`]), and the generation
//! of search keys the database holds.
//!
//! The counts move in the same transaction as a registrant's search keys
//! ([`super::registrants::replace_keys`]): a value is read back from the keys
//! that embed it (`pf`, `kf`, `mk`, `mr`), so a rewrite needs no earlier row.
//! Bulk loads write keys directly and call [`rebuild`] at the end; a database
//! whose keys were built by an older binary is re-keyed at start ([`ensure`]).

use std::collections::{BTreeMap, HashMap};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use super::registrants::RegistrantRow;
use super::schema::{name_counts, registrant_keys, registrants};
use super::{sql_for, DbConn};
use crate::matching::{self, name_values_of_keys, NameCounts};

/// The generation of search keys this binary builds (2: address, one kana
/// wrong, mixed scripts, name counts).
pub const KEYS_VERSION: i32 = 2;

/// The value under which the number of active (keyed) registrants is kept.
const TOTAL: &str = "t:";

/// Adds `delta` to the counts, in value order (so concurrent writers take the
/// rows in the same order).
fn add(conn: &mut DbConn, delta: &BTreeMap<String, i64>) -> QueryResult<()> {
    let cells: Vec<(&String, &i64)> = delta.iter().filter(|(_, d)| **d != 0).collect();
    for chunk in cells.chunks(500) {
        let sql = sql_for(
            conn,
            &format!(
                "INSERT INTO name_counts (value, n) VALUES {} \
                 ON CONFLICT (value) DO UPDATE SET n = name_counts.n + excluded.n",
                vec!["(?, ?)"; chunk.len()].join(", ")
            ),
        );
        let mut query = diesel::sql_query(sql).into_boxed();
        for (value, d) in chunk {
            query = query.bind::<Text, _>(value.as_str()).bind::<BigInt, _>(**d);
        }
        query.execute(conn)?;
    }
    Ok(())
}

/// Moves the counts of one registrant whose keys change from `old` to `new`.
pub fn apply_change(conn: &mut DbConn, old: &[String], new: &[String]) -> QueryResult<()> {
    let mut delta: BTreeMap<String, i64> = BTreeMap::new();
    for v in name_values_of_keys(old) {
        *delta.entry(v).or_default() -= 1;
    }
    for v in name_values_of_keys(new) {
        *delta.entry(v).or_default() += 1;
    }
    match (old.is_empty(), new.is_empty()) {
        (true, false) => *delta.entry(TOTAL.to_owned()).or_default() += 1,
        (false, true) => *delta.entry(TOTAL.to_owned()).or_default() -= 1,
        _ => {}
    }
    add(conn, &delta)
}

/// The counts of `values` (others are left out: they count as zero) and the
/// number of registrants.
pub fn load(conn: &mut DbConn, values: &[String]) -> QueryResult<NameCounts> {
    let mut wanted: Vec<&str> = values.iter().map(String::as_str).collect();
    wanted.push(TOTAL);
    wanted.sort_unstable();
    wanted.dedup();
    let rows: Vec<(String, i64)> = name_counts::table
        .filter(name_counts::value.eq_any(&wanted))
        .select((name_counts::value, name_counts::n))
        .load(conn)?;
    let mut counts = NameCounts::default();
    for (value, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        if value == TOTAL {
            counts.total = n;
        } else {
            counts.counts.insert(value, n);
        }
    }
    Ok(counts)
}

/// Recounts every value from the stored keys (after a bulk load).
pub fn rebuild(conn: &mut DbConn) -> QueryResult<()> {
    let mut counts: HashMap<String, i64> = HashMap::new();
    for prefix in ["pf:", "kf:", "mk:", "mr:"] {
        let upper = format!("{}{}", &prefix[..2], ';');
        let grouped: Vec<(String, i64)> = registrant_keys::table
            .filter(registrant_keys::key.ge(prefix))
            .filter(registrant_keys::key.lt(upper))
            .group_by(registrant_keys::key)
            .select((registrant_keys::key, diesel::dsl::count_star()))
            .load(conn)?;
        for (key, n) in grouped {
            for v in name_values_of_keys(std::slice::from_ref(&key)) {
                *counts.entry(v).or_default() += n;
            }
        }
    }
    // Active registrants are the ones with keys.
    let keyed: i64 = registrants::table
        .filter(registrants::status.eq(crate::domain::RegistrantStatus::Active.as_str()))
        .count()
        .get_result(conn)?;
    counts.insert(TOTAL.to_owned(), keyed);
    diesel::delete(name_counts::table).execute(conn)?;
    let delta: BTreeMap<String, i64> = counts.into_iter().collect();
    add(conn, &delta)
}

/// The generation of keys stored, if recorded.
fn stored_version(conn: &mut DbConn) -> QueryResult<Option<i32>> {
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = Integer)]
        version: i32,
    }
    let rows: Vec<Version> =
        diesel::sql_query("SELECT version FROM search_index_state WHERE id = 1").load(conn)?;
    Ok(rows.first().map(|r| r.version))
}

/// Records that the keys and counts are of this binary's generation.
pub fn mark_current(conn: &mut DbConn) -> QueryResult<()> {
    let sql = sql_for(
        conn,
        "INSERT INTO search_index_state (id, version) VALUES (1, ?) \
         ON CONFLICT (id) DO UPDATE SET version = excluded.version",
    );
    diesel::sql_query(sql)
        .bind::<Integer, _>(KEYS_VERSION)
        .execute(conn)?;
    Ok(())
}

/// Registrants re-keyed per transaction when the key generation changes.
const REKEY_BATCH: i64 = 1000;

/// Re-keys every registrant and recounts the names when the stored keys are
/// of another generation (a database written by an older binary). Returns
/// how many registrants were re-keyed, or `None` when nothing was needed.
pub fn ensure(conn: &mut DbConn) -> QueryResult<Option<u64>> {
    if stored_version(conn)? == Some(KEYS_VERSION) {
        return Ok(None);
    }
    let mut after = String::new();
    let mut done = 0u64;
    loop {
        let batch: Vec<RegistrantRow> = registrants::table
            .filter(registrants::id.gt(&after))
            .order(registrants::id.asc())
            .limit(REKEY_BATCH)
            .select(RegistrantRow::as_select())
            .load(conn)?;
        let Some(last) = batch.last() else { break };
        after = last.id.clone();
        conn.transaction(|conn| {
            for row in &batch {
                let keys = if row.status == crate::domain::RegistrantStatus::Active.as_str() {
                    matching::registrant_keys(&row.person_fields()?)
                } else {
                    Vec::new()
                };
                diesel::delete(
                    registrant_keys::table.filter(registrant_keys::registrant_id.eq(&row.id)),
                )
                .execute(conn)?;
                for key in keys {
                    diesel::insert_into(registrant_keys::table)
                        .values((
                            registrant_keys::key.eq(key),
                            registrant_keys::registrant_id.eq(&row.id),
                        ))
                        .execute(conn)?;
                }
            }
            Ok::<_, diesel::result::Error>(())
        })?;
        done += batch.len() as u64;
        if done % 50_000 < REKEY_BATCH as u64 {
            tracing::info!(
                registrants = done,
                "re-keying registrants for the crew search"
            );
        }
    }
    conn.transaction(|conn| {
        rebuild(conn)?;
        mark_current(conn)
    })?;
    Ok(Some(done))
}
