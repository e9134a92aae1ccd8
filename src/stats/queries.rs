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
use crate::db::DbConn;

/// `?` placeholders as PostgreSQL's `$1`, `$2`, … (no `?` appears elsewhere in our SQL).
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

fn is_sqlite(conn: &DbConn) -> bool {
    matches!(conn, DbConn::Sqlite(_))
}

/// The SQL for `sql` on the connection's backend.
fn for_backend(conn: &DbConn, sql: &str) -> String {
    if is_sqlite(conn) {
        sql.to_owned()
    } else {
        numbered(sql)
    }
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
    let sql = for_backend(conn, sql);
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
    diesel::sql_query(
        "SELECT o.kind AS kind, COUNT(*) AS organizations, \
           CAST(COALESCE(SUM(CASE WHEN \
             EXISTS (SELECT 1 FROM users u WHERE u.organization_id = o.id AND u.active) \
             OR (o.kind IN ('care_office', 'clinic', 'hospital', 'facility') \
                 AND EXISTS (SELECT 1 FROM registrants r \
                             WHERE r.managing_organization_id = o.id AND r.status = 'active')) \
           THEN 1 ELSE 0 END), 0) AS BIGINT) AS taking_part \
         FROM organizations o WHERE o.active GROUP BY o.kind ORDER BY o.kind",
    )
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

/// Lookups (searches) made in the period.
pub fn lookups_in_period(conn: &mut DbConn, period: &Period) -> QueryResult<i64> {
    let sql = for_backend(
        conn,
        "SELECT COUNT(*) AS n FROM lookups WHERE created_at >= ? AND created_at < ?",
    );
    diesel::sql_query(sql)
        .bind::<Timestamp, _>(period.start_utc)
        .bind::<Timestamp, _>(period.end_utc)
        .get_result::<One>(conn)
        .map(|r| r.n)
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

/// Hit-rate counts of the period's lookups, grouped. Two levels: first per
/// (group, incident), then per group, so incidents are counted without DISTINCT.
pub fn hit_counts(
    conn: &mut DbConn,
    period: &Period,
    group: HitGroup,
) -> QueryResult<Vec<HitCounts>> {
    let key = match group {
        HitGroup::Month => month_expr(conn, "created_at"),
        HitGroup::District => "incident_district_code".to_owned(),
        HitGroup::Unit => "unit_organization_id".to_owned(),
        HitGroup::Total => "CAST(NULL AS TEXT)".to_owned(),
    };
    // SQLite sorts every row for a GROUP BY unless an index already gives the
    // (group, incident) order, and its planner prefers the narrower
    // (group, created_at) indexes, which then read each table row: name the
    // covering index that streams in that order (see the `stats_speed` migration).
    let from = match (is_sqlite(conn), group) {
        (false, _) => "lookups",
        (true, HitGroup::Month) => "lookups INDEXED BY lookups_created_stats",
        (true, HitGroup::District) => "lookups INDEXED BY lookups_district_incident",
        (true, HitGroup::Unit) => "lookups INDEXED BY lookups_unit_incident",
        (true, HitGroup::Total) => "lookups INDEXED BY lookups_incident_stats",
    };
    let sum = |c: &str| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT) AS {c}");
    let outer = [
        "searches",
        "outcome_match",
        "outcome_candidates",
        "outcome_no_match",
        "searches_opened",
        "result_confirmed",
        "result_wrong_person",
        "result_not_registered",
    ]
    .map(sum)
    .join(", ");
    let sql = format!(
        "SELECT key, COUNT(*) AS incidents, CAST(COALESCE(SUM(opened), 0) AS BIGINT) AS incidents_opened, {outer} \
         FROM (SELECT {key} AS key, incident_id, \
             MAX(CASE WHEN opened_registrant_id IS NOT NULL THEN 1 ELSE 0 END) AS opened, \
             COUNT(*) AS searches, \
             SUM(CASE WHEN outcome = 'match' THEN 1 ELSE 0 END) AS outcome_match, \
             SUM(CASE WHEN outcome = 'candidates' THEN 1 ELSE 0 END) AS outcome_candidates, \
             SUM(CASE WHEN outcome = 'no_match' THEN 1 ELSE 0 END) AS outcome_no_match, \
             SUM(CASE WHEN opened_registrant_id IS NOT NULL THEN 1 ELSE 0 END) AS searches_opened, \
             SUM(CASE WHEN crew_result = 'confirmed' THEN 1 ELSE 0 END) AS result_confirmed, \
             SUM(CASE WHEN crew_result = 'wrong_person' THEN 1 ELSE 0 END) AS result_wrong_person, \
             SUM(CASE WHEN crew_result = 'not_registered' THEN 1 ELSE 0 END) AS result_not_registered \
           FROM {from} WHERE created_at >= ? AND created_at < ? \
           GROUP BY {group_inner}) t \
         {group_outer}",
        group_inner = if group == HitGroup::Total { "incident_id" } else { "1, 2" },
        group_outer = if group == HitGroup::Total { "GROUP BY key" } else { "GROUP BY key ORDER BY key" },
    );
    if group == HitGroup::Month {
        load_by_month(conn, &sql, period)
    } else {
        let sql = for_backend(conn, &sql);
        diesel::sql_query(sql)
            .bind::<Timestamp, _>(period.start_utc)
            .bind::<Timestamp, _>(period.end_utc)
            .load(conn)
    }
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
    // As in [`hit_counts`]: SQLite reads the covering index in district order.
    let from = if is_sqlite(conn) {
        "lookups INDEXED BY lookups_district_incident"
    } else {
        "lookups"
    };
    let sql = for_backend(
        conn,
        &format!(
            "SELECT incident_district_code AS key, COUNT(*) AS searches, \
               CAST(COALESCE(SUM(CASE WHEN opened_registrant_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS searches_opened \
             FROM {from} WHERE created_at >= ? AND created_at < ? \
             GROUP BY incident_district_code ORDER BY incident_district_code"
        ),
    );
    diesel::sql_query(sql)
        .bind::<Timestamp, _>(period.start_utc)
        .bind::<Timestamp, _>(period.end_utc)
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
/// left out. The latest entry is the one with the highest `seq`.
pub fn decisions_by_organization(
    conn: &mut DbConn,
    today: NaiveDate,
    reviewed_since: NaiveDate,
) -> QueryResult<Vec<DecisionsByOrganization>> {
    // Each registrant's latest entry, read in one pass over `care_decisions_latest`
    // (registrant_id, seq, …): SQLite takes the other columns of a bare
    // `MAX(seq)` from the row holding the maximum; PostgreSQL has `DISTINCT ON`.
    let latest = if is_sqlite(conn) {
        "SELECT registrant_id, MAX(seq) AS seq, discussed_on, review_due, shared_with_family \
         FROM care_decisions GROUP BY registrant_id"
    } else {
        "SELECT DISTINCT ON (registrant_id) registrant_id, discussed_on, review_due, shared_with_family \
         FROM care_decisions ORDER BY registrant_id, seq DESC"
    };
    let sql = format!(
        "SELECT o.id AS organization_id, o.name AS name, o.kind AS kind, \
           a.n AS active_registrants, \
           COALESCE(d.with_decision, 0) AS with_decision, \
           COALESCE(d.reviewed_recently, 0) AS reviewed_recently, \
           COALESCE(d.overdue, 0) AS overdue, \
           COALESCE(d.shared_with_family, 0) AS shared_with_family \
         FROM (SELECT managing_organization_id AS org, COUNT(*) AS n FROM registrants \
               WHERE status = 'active' GROUP BY managing_organization_id) a \
         JOIN organizations o ON o.id = a.org \
         LEFT JOIN (SELECT r.managing_organization_id AS org, COUNT(*) AS with_decision, \
               CAST(SUM(CASE WHEN c.discussed_on >= ? THEN 1 ELSE 0 END) AS BIGINT) AS reviewed_recently, \
               CAST(SUM(CASE WHEN c.review_due < ? THEN 1 ELSE 0 END) AS BIGINT) AS overdue, \
               CAST(SUM(CASE WHEN c.shared_with_family THEN 1 ELSE 0 END) AS BIGINT) AS shared_with_family \
             FROM ({latest}) c \
             JOIN registrants r ON r.id = c.registrant_id \
             WHERE r.status = 'active' \
             GROUP BY r.managing_organization_id) d ON d.org = a.org \
         ORDER BY o.name, o.id"
    );
    diesel::sql_query(for_backend(conn, &sql))
        .bind::<Date, _>(reviewed_since)
        .bind::<Date, _>(today)
        .load(conn)
}

/// Active registrants with at least one care-decision entry (so a current decision).
pub fn active_registrants_with_decision(conn: &mut DbConn) -> QueryResult<i64> {
    diesel::sql_query(
        "SELECT COUNT(*) AS n FROM (SELECT registrant_id FROM care_decisions GROUP BY registrant_id) c \
         JOIN registrants r ON r.id = c.registrant_id WHERE r.status = 'active'",
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
    let sql = for_backend(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(numbered("a = ? AND b < ?"), "a = $1 AND b < $2");
    }
}
