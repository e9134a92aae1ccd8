//! One function per statistics endpoint: runs that endpoint's queries on one
//! connection and builds its report. The handlers and the benchmark
//! (`examples/bench_stats.rs`) both call these.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::QueryResult;
use serde::Deserialize;
use utoipa::ToSchema;

use super::period::{twelve_months_before, Period};
use super::queries::{self, HitCounts, HitGroup};
use super::report::{self, CareDecisions, Districts, HitRate, HitRateRow, Overview, PeriodOut};
use crate::db::DbConn;

/// How hit-rate figures are grouped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// Local month of the search.
    #[default]
    Month,
    /// The incident's district.
    District,
    /// The crew's unit (organization).
    Unit,
}

impl GroupBy {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Month => "month",
            GroupBy::District => "district",
            GroupBy::Unit => "unit",
        }
    }
}

/// `GET /stats/overview`.
pub fn overview(conn: &mut DbConn, p: &Period, out: PeriodOut) -> QueryResult<Overview> {
    let rows = report::OverviewRows {
        by_status: queries::registrants_by_status(conn)?,
        by_kind: queries::organizations_by_kind(conn)?,
        by_role: queries::active_users_by_role(conn)?,
        with_decision: queries::active_registrants_with_decision(conn)?,
        new_by_month: queries::new_registrations_by_month(conn, p)?,
        lookups: queries::lookups_in_period(conn, p)?,
    };
    Ok(report::overview(out, &p.months(), rows))
}

/// `GET /stats/hit-rate`.
pub fn hit_rate(
    conn: &mut DbConn,
    p: &Period,
    out: PeriodOut,
    group_by: GroupBy,
) -> QueryResult<HitRate> {
    let (group, keys, labels): (_, Vec<String>, BTreeMap<String, String>) = match group_by {
        GroupBy::Month => (HitGroup::Month, p.months(), BTreeMap::new()),
        GroupBy::District => {
            let d = queries::districts(conn)?;
            (
                HitGroup::District,
                d.iter().map(|d| d.code.clone()).collect(),
                d.into_iter().map(|d| (d.code, d.name)).collect(),
            )
        }
        GroupBy::Unit => (
            HitGroup::Unit,
            Vec::new(),
            queries::unit_names(conn)?
                .into_iter()
                .map(|o| (o.id, o.name))
                .collect(),
        ),
    };
    let rows = queries::hit_counts(conn, p, group)?;
    let total = queries::hit_counts(conn, p, HitGroup::Total)?
        .into_iter()
        .next()
        .unwrap_or_default();
    Ok(HitRate {
        period: out,
        group_by: group_by.as_str().to_owned(),
        groups: report::hit_rate_groups(&rows, &keys, &labels),
        total: HitRateRow::from_counts(&HitCounts { key: None, ..total }, None),
    })
}

/// `GET /stats/districts`.
pub fn districts(conn: &mut DbConn, p: &Period, out: PeriodOut) -> QueryResult<Districts> {
    let table = queries::districts(conn)?;
    let registrants = queries::active_registrants_by_district(conn)?;
    let searches = queries::searches_by_district(conn, p)?;
    Ok(report::districts(out, &table, &registrants, &searches))
}

/// `GET /stats/care-decisions`; `today` is the local date current figures refer to.
pub fn care_decisions(
    conn: &mut DbConn,
    p: &Period,
    out: PeriodOut,
    today: NaiveDate,
) -> QueryResult<CareDecisions> {
    let by_org = queries::decisions_by_organization(conn, today, twelve_months_before(today))?;
    let entries = queries::decision_entries_by_month(conn, p)?;
    let recorders = queries::decision_recorders(conn, p)?;
    Ok(report::care_decisions(
        out,
        today,
        &p.months(),
        &by_org,
        &entries,
        recorders,
    ))
}
