//! The statistics queries. Every figure is aggregated in the database (GROUP BY
//! over indexed columns); only grouped rows — a few per status, kind, month,
//! district, unit or organization — come back to the server.
//!
//! SQL differs per backend where local months are bucketed: SQLite shifts the UTC
//! timestamp with a `'+N seconds'` modifier, PostgreSQL adds an interval. Queries
//! are written with `?` placeholders and numbered (`$1`…) for PostgreSQL.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Integer, Nullable, Text, Timestamp};

use super::period::Period;
use super::rollup::Counts;
use crate::db::{sql_for, DbConn};

fn is_sqlite(conn: &DbConn) -> bool {
    matches!(conn, DbConn::Sqlite(_))
}

/// A local `YYYY-MM` month of a UTC timestamp column; takes one bound parameter
/// (see [`month_param`]).
fn month_expr(conn: &DbConn, column: &str) -> String {
    if is_sqlite(conn) {
        format!("strftime('%Y-%m', {column}, ?)")
    } else {
        format!("to_char({column} + CAST(? AS INTEGER) * INTERVAL '1 second', 'YYYY-MM')")
    }
}

/// The bound value [`month_expr`] takes: a SQLite modifier or PostgreSQL seconds.
enum MonthParam {
    Modifier(String),
    Seconds(i32),
}

fn month_param(conn: &DbConn, offset_secs: i32) -> MonthParam {
    if is_sqlite(conn) {
        MonthParam::Modifier(format!("{offset_secs:+} seconds"))
    } else {
        MonthParam::Seconds(offset_secs)
    }
}

/// Runs `sql` whose first parameter is the month parameter, then `start`, `end`.
fn load_by_month<R>(conn: &mut DbConn, sql: &str, period: &Period) -> QueryResult<Vec<R>>
where
    R: QueryableByName<<DbConn as diesel::Connection>::Backend> + 'static,
{
    let sql = sql_for(conn, sql);
    match month_param(conn, period.offset_secs) {
        MonthParam::Modifier(m) => diesel::sql_query(sql)
            .bind::<Text, _>(m)
            .bind::<Timestamp, _>(period.start_utc)
            .bind::<Timestamp, _>(period.end_utc)
            .load(conn),
        MonthParam::Seconds(s) => diesel::sql_query(sql)
            .bind::<Integer, _>(s)
            .bind::<Timestamp, _>(period.start_utc)
            .bind::<Timestamp, _>(period.end_utc)
            .load(conn),
    }
}

/// A count per key (status, role, month, …).
#[derive(Debug, Clone, QueryableByName, PartialEq, Eq)]
pub struct KeyCount {
    #[diesel(sql_type = Nullable<Text>)]
    pub key: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// One number.
#[derive(Debug, Clone, QueryableByName)]
struct One {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Registrants by status (current state, all registrants).
pub fn registrants_by_status(conn: &mut DbConn) -> QueryResult<Vec<KeyCount>> {
    diesel::sql_query(
        "SELECT status AS key, COUNT(*) AS n FROM registrants GROUP BY status ORDER BY status",
    )
    .load(conn)
}

/// Active users by role.
pub fn active_users_by_role(conn: &mut DbConn) -> QueryResult<Vec<KeyCount>> {
    diesel::sql_query(
        "SELECT role AS key, COUNT(*) AS n FROM users WHERE active GROUP BY role ORDER BY role",
    )
    .load(conn)
}

/// Active organizations of one kind and how many of them take part.
#[derive(Debug, Clone, QueryableByName, PartialEq, Eq)]
pub struct OrganizationsByKind {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = BigInt)]
    pub organizations: i64,
    #[diesel(sql_type = BigInt)]
    pub taking_part: i64,
}

/// Active organizations by kind; one takes part when it has an active user, or
/// (for kinds that manage registrants) an active registrant.
pub fn organizations_by_kind(conn: &mut DbConn) -> QueryResult<Vec<OrganizationsByKind>> {
    // The kinds that manage registrants, from the domain rule (constant wire
    // names, not input).
    let managing = crate::domain::OrganizationKind::ALL
        .iter()
        .filter(|k| k.manages_registrants())
        .map(|k| format!("'{}'", k.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    diesel::sql_query(format!(
        "SELECT o.kind AS kind, COUNT(*) AS organizations, \
           CAST(COALESCE(SUM(CASE WHEN \
             EXISTS (SELECT 1 FROM users u WHERE u.organization_id = o.id AND u.active) \
             OR (o.kind IN ({managing}) \
                 AND EXISTS (SELECT 1 FROM registrants r \
                             WHERE r.managing_organization_id = o.id AND r.status = 'active')) \
           THEN 1 ELSE 0 END), 0) AS BIGINT) AS taking_part \
         FROM organizations o WHERE o.active GROUP BY o.kind ORDER BY o.kind"
    ))
    .load(conn)
}

/// Registrations created in the period, by local month.
pub fn new_registrations_by_month(
    conn: &mut DbConn,
    period: &Period,
) -> QueryResult<Vec<KeyCount>> {
    let sql = format!(
        "SELECT {} AS key, COUNT(*) AS n FROM registrants \
         WHERE created_at >= ? AND created_at < ? GROUP BY 1 ORDER BY 1",
        month_expr(conn, "created_at")
    );
    load_by_month(conn, &sql, period)
}

/// Lookups (searches) made in the period (from the hit-rate roll-up).
pub fn lookups_in_period(conn: &mut DbConn, period: &Period) -> QueryResult<i64> {
    let sql = sql_for(
        conn,
        "SELECT CAST(COALESCE(SUM(searches), 0) AS BIGINT) AS n FROM hit_rollup \
         WHERE dim = 'total' AND day >= ? AND day <= ?",
    );
    diesel::sql_query(sql)
        .bind::<Text, _>(day_text(period.from))
        .bind::<Text, _>(day_text(period.to))
        .get_result::<One>(conn)
        .map(|r| r.n)
}

/// A local date as the roll-up stores it.
fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// How lookups are grouped for the hit rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitGroup {
    /// Local month of the search.
    Month,
    /// The incident's district (null when not given).
    District,
    /// The crew's unit (organization).
    Unit,
    /// One row for the whole period.
    Total,
}

/// Hit-rate counts of one group. An incident counts once per group it has
/// searches in; it is "opened" when any of those searches opened a record.
#[derive(Debug, Clone, Default, QueryableByName, PartialEq, Eq)]
pub struct HitCounts {
    #[diesel(sql_type = Nullable<Text>)]
    pub key: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub incidents: i64,
    #[diesel(sql_type = BigInt)]
    pub incidents_opened: i64,
    #[diesel(sql_type = BigInt)]
    pub searches: i64,
    #[diesel(sql_type = BigInt)]
    pub outcome_match: i64,
    #[diesel(sql_type = BigInt)]
    pub outcome_candidates: i64,
    #[diesel(sql_type = BigInt)]
    pub outcome_no_match: i64,
    #[diesel(sql_type = BigInt)]
    pub searches_opened: i64,
    #[diesel(sql_type = BigInt)]
    pub result_confirmed: i64,
    #[diesel(sql_type = BigInt)]
    pub result_wrong_person: i64,
    #[diesel(sql_type = BigInt)]
    pub result_not_registered: i64,
}

/// Hit-rate counts of the period's lookups, grouped, summed from the roll-up
/// (see [`crate::stats::rollup`] for how incidents are counted once per group).
pub fn hit_counts(
    conn: &mut DbConn,
    period: &Period,
    group: HitGroup,
) -> QueryResult<Vec<HitCounts>> {
    let (dim, key) = match group {
        HitGroup::Month => ("total", "substr(day, 1, 7)"),
        HitGroup::District => ("district", "NULLIF(group_key, '')"),
        HitGroup::Unit => ("unit", "group_key"),
        HitGroup::Total => ("total", "CAST(NULL AS TEXT)"),
    };
    // An incident's day counts when it is its first in the period (and, for
    // months, its first in that month).
    let first = |prev: &str| {
        if group == HitGroup::Month {
            format!("({prev} < ? OR substr({prev}, 1, 7) < substr(day, 1, 7))")
        } else {
            format!("{prev} < ?")
        }
    };
    let sum = |c: &str| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT) AS {c}");
    // Every counter but the two incident counts, which are summed above.
    let counters = Counts::COLUMNS[2..]
        .iter()
        .map(|c| sum(c))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {key} AS key, \
           CAST(COALESCE(SUM(CASE WHEN {first_day} THEN incidents ELSE 0 END), 0) AS BIGINT) AS incidents, \
           CAST(COALESCE(SUM(CASE WHEN {first_opened} THEN incidents_opened ELSE 0 END), 0) AS BIGINT) AS incidents_opened, \
           {counters} \
         FROM hit_rollup WHERE dim = '{dim}' AND day >= ? AND day <= ? \
         GROUP BY 1 ORDER BY 1",
        first_day = first("prev_day"),
        first_opened = first("prev_opened_day"),
    );
    let from = day_text(period.from);
    diesel::sql_query(sql_for(conn, &sql))
        .bind::<Text, _>(&from)
        .bind::<Text, _>(&from)
        .bind::<Text, _>(&from)
        .bind::<Text, _>(day_text(period.to))
        .load(conn)
}

/// A district as loaded by admins.
#[derive(Debug, Clone, QueryableByName, PartialEq, Eq)]
pub struct DistrictRow {
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = BigInt)]
    pub population_65plus: i64,
}

pub fn districts(conn: &mut DbConn) -> QueryResult<Vec<DistrictRow>> {
    diesel::sql_query("SELECT code, name, population_65plus FROM districts ORDER BY code")
        .load(conn)
}

/// An organization's name.
#[derive(Debug, Clone, QueryableByName, PartialEq, Eq)]
pub struct OrganizationName {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub name: String,
}

/// Names of the organizations that are fire departments (the crews' units).
pub fn unit_names(conn: &mut DbConn) -> QueryResult<Vec<OrganizationName>> {
    diesel::sql_query(
        "SELECT id, name FROM organizations WHERE kind = 'fire_department' ORDER BY name",
    )
    .load(conn)
}

/// Active registrants per address district code (null = not given).
pub fn active_registrants_by_district(conn: &mut DbConn) -> QueryResult<Vec<KeyCount>> {
    diesel::sql_query(
        "SELECT district_code AS key, COUNT(*) AS n FROM registrants \
         WHERE status = 'active' GROUP BY district_code ORDER BY district_code",
    )
    .load(conn)
}

/// Searches and searches that opened a record, per incident district.
#[derive(Debug, Clone, QueryableByName, PartialEq, Eq)]
pub struct SearchesByDistrict {
    #[diesel(sql_type = Nullable<Text>)]
    pub key: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub searches: i64,
    #[diesel(sql_type = BigInt)]
    pub searches_opened: i64,
}

pub fn searches_by_district(
    conn: &mut DbConn,
    period: &Period,
) -> QueryResult<Vec<SearchesByDistrict>> {
    let sql = sql_for(
        conn,
        "SELECT NULLIF(group_key, '') AS key, \
           CAST(COALESCE(SUM(searches), 0) AS BIGINT) AS searches, \
           CAST(COALESCE(SUM(searches_opened), 0) AS BIGINT) AS searches_opened \
         FROM hit_rollup WHERE dim = 'district' AND day >= ? AND day <= ? \
         GROUP BY 1 ORDER BY 1",
    );
    diesel::sql_query(sql)
        .bind::<Text, _>(day_text(period.from))
        .bind::<Text, _>(day_text(period.to))
        .load(conn)
}

/// Per managing organization: active registrants and, over their current
/// (latest) care decision, how many have one, were reviewed since `reviewed_since`,
/// are overdue (`review_due` before `today`) and share their wishes with family.
#[derive(Debug, Clone, Default, QueryableByName, PartialEq, Eq)]
pub struct DecisionsByOrganization {
    #[diesel(sql_type = Text)]
    pub organization_id: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = BigInt)]
    pub active_registrants: i64,
    #[diesel(sql_type = BigInt)]
    pub with_decision: i64,
    #[diesel(sql_type = BigInt)]
    pub reviewed_recently: i64,
    #[diesel(sql_type = BigInt)]
    pub overdue: i64,
    #[diesel(sql_type = BigInt)]
    pub shared_with_family: i64,
}

/// See [`DecisionsByOrganization`]. Organizations with no active registrant are
/// left out. The current decision is the latest entry, kept on the registrant row
/// (see `care_decisions::insert`), so this is one pass over an index.
pub fn decisions_by_organization(
    conn: &mut DbConn,
    today: NaiveDate,
    reviewed_since: NaiveDate,
) -> QueryResult<Vec<DecisionsByOrganization>> {
    let sql = "SELECT o.id AS organization_id, o.name AS name, o.kind AS kind, \
           a.active_registrants, a.with_decision, a.reviewed_recently, a.overdue, a.shared_with_family \
         FROM (SELECT managing_organization_id AS org, COUNT(*) AS active_registrants, \
                 COUNT(decision_discussed_on) AS with_decision, \
                 CAST(SUM(CASE WHEN decision_discussed_on >= ? THEN 1 ELSE 0 END) AS BIGINT) AS reviewed_recently, \
                 CAST(SUM(CASE WHEN decision_review_due < ? THEN 1 ELSE 0 END) AS BIGINT) AS overdue, \
                 CAST(SUM(CASE WHEN decision_shared_with_family THEN 1 ELSE 0 END) AS BIGINT) AS shared_with_family \
               FROM registrants WHERE status = 'active' GROUP BY managing_organization_id) a \
         JOIN organizations o ON o.id = a.org \
         ORDER BY o.name, o.id";
    diesel::sql_query(sql_for(conn, sql))
        .bind::<Date, _>(reviewed_since)
        .bind::<Date, _>(today)
        .load(conn)
}

/// Active registrants with at least one care-decision entry (so a current decision).
pub fn active_registrants_with_decision(conn: &mut DbConn) -> QueryResult<i64> {
    diesel::sql_query(
        "SELECT COUNT(*) AS n FROM registrants \
         WHERE status = 'active' AND decision_discussed_on IS NOT NULL",
    )
    .get_result::<One>(conn)
    .map(|r| r.n)
}

/// Care-decision entries recorded in the period, by local month and kind.
#[derive(Debug, Clone, QueryableByName, PartialEq, Eq)]
pub struct EntriesByMonth {
    #[diesel(sql_type = Text)]
    pub month: String,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

pub fn decision_entries_by_month(
    conn: &mut DbConn,
    period: &Period,
) -> QueryResult<Vec<EntriesByMonth>> {
    let sql = format!(
        "SELECT {} AS month, kind, COUNT(*) AS n FROM care_decisions \
         WHERE recorded_at >= ? AND recorded_at < ? GROUP BY 1, 2 ORDER BY 1, 2",
        month_expr(conn, "recorded_at")
    );
    load_by_month(conn, &sql, period)
}

/// Distinct recorders of care-decision entries in the period.
#[derive(Debug, Clone, Copy, QueryableByName, PartialEq, Eq)]
pub struct Recorders {
    #[diesel(sql_type = BigInt)]
    pub care_managers: i64,
    #[diesel(sql_type = BigInt)]
    pub organizations: i64,
}

pub fn decision_recorders(conn: &mut DbConn, period: &Period) -> QueryResult<Recorders> {
    let sql = sql_for(
        conn,
        "SELECT COUNT(DISTINCT recorded_by) AS care_managers, \
           COUNT(DISTINCT organization_id) AS organizations \
         FROM care_decisions WHERE recorded_at >= ? AND recorded_at < ?",
    );
    diesel::sql_query(sql)
        .bind::<Timestamp, _>(period.start_utc)
        .bind::<Timestamp, _>(period.end_utc)
        .get_result(conn)
}
