//! Statistics for administrators: overview, hit rate, district skew and care
//! decisions over a period of local dates. The work is done by the database
//! (`crate::stats::load`); this layer checks the caller and resolves the period.

use chrono::NaiveDate;

use crate::auth::AuthUser;
use crate::db::DbConn;
use crate::domain::Role;
use crate::error::ApiError;
use crate::stats::load::{self, GroupBy};
use crate::stats::period::{Period, Zone};
use crate::stats::report::{CareDecisions, Districts, HitRate, Overview, PeriodOut};

/// The period asked for, resolved in the deployment's time zone.
fn period(
    caller: &AuthUser,
    zone: &Zone,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(Period, PeriodOut), ApiError> {
    caller.require(Role::Admin)?;
    let p = Period::resolve(from, to, zone.today(), zone.offset)
        .map_err(|e| ApiError::field(e.param, e.message))?;
    Ok((p, PeriodOut::new(&p, &zone.name)))
}

/// Participation figures.
pub fn overview(
    conn: &mut DbConn,
    caller: &AuthUser,
    zone: &Zone,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(Period, Overview), ApiError> {
    let (p, out) = period(caller, zone, from, to)?;
    Ok((p, load::overview(conn, &p, out)?))
}

/// Hit rates grouped by month, incident district or unit.
pub fn hit_rate(
    conn: &mut DbConn,
    caller: &AuthUser,
    zone: &Zone,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    group_by: GroupBy,
) -> Result<(Period, HitRate), ApiError> {
    let (p, out) = period(caller, zone, from, to)?;
    Ok((p, load::hit_rate(conn, &p, out, group_by)?))
}

/// Registration skew across districts.
pub fn districts(
    conn: &mut DbConn,
    caller: &AuthUser,
    zone: &Zone,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(Period, Districts), ApiError> {
    let (p, out) = period(caller, zone, from, to)?;
    Ok((p, load::districts(conn, &p, out)?))
}

/// Care-decision figures.
pub fn care_decisions(
    conn: &mut DbConn,
    caller: &AuthUser,
    zone: &Zone,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(Period, CareDecisions), ApiError> {
    let (p, out) = period(caller, zone, from, to)?;
    Ok((p, load::care_decisions(conn, &p, out, zone.today())?))
}
