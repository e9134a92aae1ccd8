//! The `hit_rollup` table (see [`crate::stats::rollup`]): kept up to date in the
//! same transaction as every lookup write, and rebuilt from the lookups when it
//! was built for another time zone (or never built, as after its migration).

use std::collections::BTreeMap;

use chrono::{Duration, FixedOffset, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use super::lookups::LookupRow;
use super::schema::lookups;
use super::{sql_for, DbConn};
use crate::stats::rollup::{Counts, Delta, Search};

/// The local date of a UTC timestamp.
fn local_day(at: NaiveDateTime, offset: FixedOffset) -> NaiveDate {
    (at + Duration::seconds(i64::from(offset.local_minus_utc()))).date()
}

type SearchTuple = (
    String,
    NaiveDateTime,
    Option<String>,
    String,
    String,
    bool,
    Option<String>,
);

/// The lookup columns a [`Search`] is made of.
type SearchColumns = (
    lookups::id,
    lookups::created_at,
    lookups::incident_district_code,
    lookups::unit_organization_id,
    lookups::outcome,
    diesel::dsl::IsNotNull<lookups::opened_registrant_id>,
    lookups::crew_result,
);

fn search_columns() -> SearchColumns {
    (
        lookups::id,
        lookups::created_at,
        lookups::incident_district_code,
        lookups::unit_organization_id,
        lookups::outcome,
        lookups::opened_registrant_id.is_not_null(),
        lookups::crew_result,
    )
}

fn search_of(
    (id, at, district, unit, outcome, opened, result): SearchTuple,
    offset: FixedOffset,
) -> Search {
    Search {
        id,
        day: local_day(at, offset),
        district,
        unit,
        outcome,
        opened,
        result,
    }
}

/// The roll-up's view of a lookup row.
fn search_of_row(row: &LookupRow, offset: FixedOffset) -> Search {
    Search {
        id: row.id.clone(),
        day: local_day(row.created_at, offset),
        district: row.incident_district_code.clone(),
        unit: row.unit_organization_id.clone(),
        outcome: row.outcome.clone(),
        opened: row.opened_registrant_id.is_some(),
        result: row.crew_result.clone(),
    }
}

/// One incident's searches as stored.
fn incident_searches(
    conn: &mut DbConn,
    incident_id: &str,
    offset: FixedOffset,
) -> QueryResult<Vec<Search>> {
    let rows: Vec<SearchTuple> = lookups::table
        .filter(lookups::incident_id.eq(incident_id))
        .select(search_columns())
        .load(conn)?;
    Ok(rows.into_iter().map(|t| search_of(t, offset)).collect())
}

fn day_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Cells written per statement (15 parameters each, under SQLite's 32,766).
const CELLS_PER_STATEMENT: usize = 500;

/// Adds `delta` to the table: multi-row upserts, in key order (so concurrent
/// writers lock rows in the same order).
pub fn apply(conn: &mut DbConn, delta: &Delta) -> QueryResult<()> {
    let columns = Counts::COLUMNS.join(", ");
    let updates = Counts::COLUMNS
        .map(|c| format!("{c} = hit_rollup.{c} + excluded.{c}"))
        .join(", ");
    let cells: Vec<_> = delta.cells().collect();
    for chunk in cells.chunks(CELLS_PER_STATEMENT) {
        let row = format!("({})", ["?"; 15].join(", "));
        let sql = sql_for(
            conn,
            &format!(
                "INSERT INTO hit_rollup (dim, day, group_key, prev_day, prev_opened_day, {columns}) \
                 VALUES {} \
                 ON CONFLICT (dim, day, group_key, prev_day, prev_opened_day) DO UPDATE SET {updates}",
                vec![row; chunk.len()].join(", ")
            ),
        );
        let mut query = diesel::sql_query(sql).into_boxed();
        for (cell, counts) in chunk {
            query = query
                .bind::<Text, _>(cell.dim.as_str())
                .bind::<Text, _>(day_text(Some(cell.day)))
                .bind::<Text, _>(cell.key.clone())
                .bind::<Text, _>(day_text(cell.prev_day))
                .bind::<Text, _>(day_text(cell.prev_opened_day));
            for v in counts.values() {
                query = query.bind::<BigInt, _>(v);
            }
        }
        query.execute(conn)?;
    }
    Ok(())
}

/// Inserts new lookups and adds them to the roll-up (call inside a transaction).
/// A batch costs a few statements whatever its size: one read of the incidents'
/// earlier searches, multi-row inserts, one upsert per changed roll-up row.
pub fn insert_lookups(
    conn: &mut DbConn,
    rows: &[LookupRow],
    offset: FixedOffset,
) -> QueryResult<()> {
    // Per incident: its searches already stored, and the new ones.
    let mut incidents: BTreeMap<&str, (Vec<Search>, Vec<Search>)> = BTreeMap::new();
    for row in rows {
        let entry = incidents.entry(row.incident_id.as_str()).or_default();
        entry.1.push(search_of_row(row, offset));
    }
    let ids: Vec<&str> = incidents.keys().copied().collect();
    for chunk in ids.chunks(500) {
        let found: Vec<(String, SearchTuple)> = lookups::table
            .filter(lookups::incident_id.eq_any(chunk))
            .select((lookups::incident_id, search_columns()))
            .load(conn)?;
        for (incident, t) in found {
            if let Some((stored, _)) = incidents.get_mut(incident.as_str()) {
                stored.push(search_of(t, offset));
            }
        }
    }
    let mut delta = Delta::default();
    for (before, new) in incidents.into_values() {
        let mut after = before.clone();
        after.extend(new);
        delta.merge(Delta::change(&before, &after));
    }
    // Chunks stay under each backend's bind-parameter limit (15 per row).
    match conn {
        DbConn::Sqlite(c) => {
            for chunk in rows.chunks(2000) {
                diesel::insert_into(lookups::table)
                    .values(chunk)
                    .execute(c)?;
            }
        }
        DbConn::Postgres(c) => {
            for chunk in rows.chunks(4000) {
                diesel::insert_into(lookups::table)
                    .values(chunk)
                    .execute(c)?;
            }
        }
    }
    apply(conn, &delta)
}

/// Runs `change` on one stored lookup of `incident_id` and moves the roll-up
/// accordingly. `change` updates the database and returns the search as it is now,
/// or `None` when it changed nothing.
pub fn change_lookup<F>(
    conn: &mut DbConn,
    incident_id: &str,
    lookup_id: &str,
    offset: FixedOffset,
    change: F,
) -> QueryResult<()>
where
    F: FnOnce(&mut DbConn, &Search) -> QueryResult<Option<Search>>,
{
    let before = incident_searches(conn, incident_id, offset)?;
    let Some(pos) = before.iter().position(|s| s.id == lookup_id) else {
        return Err(diesel::result::Error::NotFound);
    };
    let Some(now) = change(conn, &before[pos])? else {
        return Ok(());
    };
    let mut after = before.clone();
    after[pos] = now;
    apply(conn, &Delta::change(&before, &after))
}

#[derive(QueryableByName)]
struct Offset {
    #[diesel(sql_type = Integer)]
    offset_secs: i32,
}

/// Makes sure the roll-up was built for `offset`; rebuilds it from the lookups
/// otherwise. Returns whether it rebuilt. Runs in its own transaction, holding
/// off lookup writes meanwhile.
pub fn ensure(conn: &mut DbConn, offset: FixedOffset) -> QueryResult<bool> {
    conn.transaction(|conn| {
        super::write_lock(conn)?;
        if let DbConn::Postgres(_) = conn {
            diesel::sql_query("LOCK TABLE lookups IN SHARE MODE").execute(conn)?;
        }
        let built: Option<Offset> =
            diesel::sql_query("SELECT offset_secs FROM hit_rollup_state WHERE id = 1")
                .get_result(conn)
                .optional()?;
        if built.map(|b| b.offset_secs) == Some(offset.local_minus_utc()) {
            return Ok(false);
        }
        rebuild(conn, offset)?;
        Ok(true)
    })
}

/// Lookups read per query while rebuilding.
const REBUILD_CHUNK: i64 = 20_000;

/// Recomputes the whole roll-up from the lookups (inside [`ensure`]'s transaction).
fn rebuild(conn: &mut DbConn, offset: FixedOffset) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM hit_rollup").execute(conn)?;
    let mut delta = Delta::default();
    let mut after = String::new();
    loop {
        let mut rows: Vec<(String, SearchTuple)> = lookups::table
            .filter(lookups::incident_id.gt(&after))
            .order(lookups::incident_id)
            .limit(REBUILD_CHUNK)
            .select((lookups::incident_id, search_columns()))
            .load(conn)?;
        let Some(last) = rows.last().map(|(i, _)| i.clone()) else {
            break;
        };
        let full = rows.len() as i64 == REBUILD_CHUNK;
        if full {
            // The chunk may end inside the last incident: read that one whole.
            rows.retain(|(i, _)| *i != last);
        }
        for incident in rows.chunk_by(|a, b| a.0 == b.0) {
            let searches: Vec<Search> = incident
                .iter()
                .map(|(_, t)| search_of(t.clone(), offset))
                .collect();
            delta.add_incident(&searches, 1);
        }
        if full {
            delta.add_incident(&incident_searches(conn, &last, offset)?, 1);
        }
        after = last;
        if !full {
            break;
        }
    }
    apply(conn, &delta)?;
    let sql = sql_for(
        conn,
        "INSERT INTO hit_rollup_state (id, offset_secs) VALUES (1, ?) \
         ON CONFLICT (id) DO UPDATE SET offset_secs = excluded.offset_secs",
    );
    diesel::sql_query(sql)
        .bind::<Integer, _>(offset.local_minus_utc())
        .execute(conn)?;
    Ok(())
}
