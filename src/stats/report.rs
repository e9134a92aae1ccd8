//! The reports behind `/stats/*`, built by pure functions from the grouped rows
//! the queries return (a handful per status, kind, month, district, unit or
//! organization), with ratios that are `null` when their denominator is 0.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::formulas::{chi_square_goodness_of_fit, coefficient_of_variation, gini, median, ratio};
use super::period::Period;
use super::queries::{
    DecisionsByOrganization, DistrictRow, EntriesByMonth, HitCounts, KeyCount, OrganizationsByKind,
    Recorders, SearchesByDistrict,
};

fn n(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn r(num: i64, den: i64) -> Option<f64> {
    ratio(n(num), n(den))
}

/// The period a report covers: local dates, inclusive.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodOut {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The configured time zone the dates and months are in.
    pub timezone: String,
}

impl PeriodOut {
    pub fn new(p: &Period, timezone: &str) -> Self {
        PeriodOut {
            from: p.from,
            to: p.to,
            timezone: timezone.to_owned(),
        }
    }
}

// ---------------------------------------------------------------- overview

/// Registrants by status (current state).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct StatusCounts {
    pub active: i64,
    pub withdrawn: i64,
    pub deceased: i64,
}

/// Organizations of one kind.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationKindCount {
    pub kind: String,
    /// Active organizations of this kind.
    pub organizations: i64,
    /// Of those, taking part: an active user, or (care organizations) an active registrant.
    pub taking_part: i64,
}

/// Active users by role.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct RoleCounts {
    pub care_manager: i64,
    pub paramedic: i64,
    pub admin: i64,
}

/// A count for one local month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthCount {
    /// `YYYY-MM` in the configured time zone.
    pub month: String,
    pub count: i64,
}

/// `GET /stats/overview`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Overview {
    pub period: PeriodOut,
    pub registrants_by_status: StatusCounts,
    /// Every organization kind, zeros included.
    pub organizations_by_kind: Vec<OrganizationKindCount>,
    pub organizations_taking_part: i64,
    pub active_users_by_role: RoleCounts,
    /// Active registrants with at least one care decision.
    pub registrants_with_care_decision: i64,
    /// Of active registrants; null when there are none.
    pub registrants_with_care_decision_share: Option<f64>,
    /// Registrations created in each month of the period (whatever their status now).
    pub new_registrations_by_month: Vec<MonthCount>,
    pub new_registrations: i64,
    /// Crew searches made in the period.
    pub lookups: i64,
}

/// Fills every month of `months` from `rows` (missing months are 0).
pub fn fill_months(months: &[String], rows: &[KeyCount]) -> Vec<MonthCount> {
    let by: BTreeMap<&str, i64> = rows
        .iter()
        .filter_map(|r| r.key.as_deref().map(|k| (k, r.n)))
        .collect();
    months
        .iter()
        .map(|m| MonthCount {
            month: m.clone(),
            count: by.get(m.as_str()).copied().unwrap_or(0),
        })
        .collect()
}

/// Inputs of [`overview`], as the queries return them.
pub struct OverviewRows {
    pub by_status: Vec<KeyCount>,
    pub by_kind: Vec<OrganizationsByKind>,
    pub by_role: Vec<KeyCount>,
    pub with_decision: i64,
    pub new_by_month: Vec<KeyCount>,
    pub lookups: i64,
}

pub fn overview(period: PeriodOut, months: &[String], rows: OverviewRows) -> Overview {
    let mut status = StatusCounts::default();
    for row in &rows.by_status {
        match row.key.as_deref() {
            Some("active") => status.active = row.n,
            Some("withdrawn") => status.withdrawn = row.n,
            Some("deceased") => status.deceased = row.n,
            _ => {}
        }
    }
    let mut roles = RoleCounts::default();
    for row in &rows.by_role {
        match row.key.as_deref() {
            Some("care_manager") => roles.care_manager = row.n,
            Some("paramedic") => roles.paramedic = row.n,
            Some("admin") => roles.admin = row.n,
            _ => {}
        }
    }
    let organizations_by_kind: Vec<OrganizationKindCount> = crate::domain::OrganizationKind::ALL
        .iter()
        .map(|k| {
            let row = rows.by_kind.iter().find(|r| r.kind == k.as_str());
            OrganizationKindCount {
                kind: k.as_str().to_owned(),
                organizations: row.map_or(0, |r| r.organizations),
                taking_part: row.map_or(0, |r| r.taking_part),
            }
        })
        .collect();
    let new_registrations_by_month = fill_months(months, &rows.new_by_month);
    Overview {
        period,
        organizations_taking_part: organizations_by_kind.iter().map(|k| k.taking_part).sum(),
        organizations_by_kind,
        active_users_by_role: roles,
        registrants_with_care_decision: rows.with_decision,
        registrants_with_care_decision_share: r(rows.with_decision, status.active),
        registrants_by_status: status,
        new_registrations: new_registrations_by_month.iter().map(|m| m.count).sum(),
        new_registrations_by_month,
        lookups: rows.lookups,
    }
}

// ---------------------------------------------------------------- hit rate

/// Hit-rate figures of one group (or of the whole period).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HitRateRow {
    /// The month (`YYYY-MM`), district code or unit (organization) id; null for
    /// the total row and for searches without an incident district.
    pub key: Option<String>,
    /// District or unit name, when known.
    pub label: Option<String>,
    /// Incidents with at least one search (in this group).
    pub incidents: i64,
    /// Incidents in which a record was opened.
    pub incidents_opened: i64,
    /// incidents_opened / incidents.
    pub incident_hit_rate: Option<f64>,
    pub searches: i64,
    pub outcome_match: i64,
    pub outcome_candidates: i64,
    pub outcome_no_match: i64,
    /// Searches after which a record was opened.
    pub searches_opened: i64,
    /// searches_opened / searches.
    pub search_hit_rate: Option<f64>,
    pub result_confirmed: i64,
    pub result_wrong_person: i64,
    pub result_not_registered: i64,
    /// Searches whose result the crew reported.
    pub results_reported: i64,
    /// result_confirmed / results_reported.
    pub confirmed_rate: Option<f64>,
}

impl HitRateRow {
    pub fn from_counts(c: &HitCounts, label: Option<String>) -> Self {
        let reported = c.result_confirmed + c.result_wrong_person + c.result_not_registered;
        HitRateRow {
            key: c.key.clone(),
            label,
            incidents: c.incidents,
            incidents_opened: c.incidents_opened,
            incident_hit_rate: r(c.incidents_opened, c.incidents),
            searches: c.searches,
            outcome_match: c.outcome_match,
            outcome_candidates: c.outcome_candidates,
            outcome_no_match: c.outcome_no_match,
            searches_opened: c.searches_opened,
            search_hit_rate: r(c.searches_opened, c.searches),
            result_confirmed: c.result_confirmed,
            result_wrong_person: c.result_wrong_person,
            result_not_registered: c.result_not_registered,
            results_reported: reported,
            confirmed_rate: r(c.result_confirmed, reported),
        }
    }
}

/// `GET /stats/hit-rate`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HitRate {
    pub period: PeriodOut,
    /// `month`, `district` or `unit`.
    pub group_by: String,
    /// One row per group: every month of the period; every district with a
    /// population or searches (plus null for searches without a district); every
    /// unit with searches.
    pub groups: Vec<HitRateRow>,
    /// The whole period (an incident searched in two groups counts once here).
    pub total: HitRateRow,
}

/// Builds the hit-rate groups. `all_keys` are the groups to show even when empty
/// (months, districts), in order; `labels` names keys.
pub fn hit_rate_groups(
    rows: &[HitCounts],
    all_keys: &[String],
    labels: &BTreeMap<String, String>,
) -> Vec<HitRateRow> {
    let mut out: Vec<HitRateRow> = all_keys
        .iter()
        .map(|k| {
            let empty = HitCounts {
                key: Some(k.clone()),
                ..HitCounts::default()
            };
            let c = rows
                .iter()
                .find(|r| r.key.as_deref() == Some(k))
                .unwrap_or(&empty);
            HitRateRow::from_counts(c, labels.get(k).cloned())
        })
        .collect();
    for c in rows {
        let listed = c.key.as_ref().is_some_and(|k| all_keys.contains(k));
        if !listed {
            let label = c.key.as_ref().and_then(|k| labels.get(k).cloned());
            out.push(HitRateRow::from_counts(c, label));
        }
    }
    out
}

// ---------------------------------------------------------------- districts

/// One district's figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DistrictStat {
    pub code: String,
    pub name: String,
    pub active_registrants: i64,
    pub population_65plus: i64,
    /// active_registrants × 1000 / population_65plus.
    pub coverage_per_1000: Option<f64>,
    /// active_registrants / active registrants in listed districts.
    pub registrant_share: Option<f64>,
    /// population_65plus / 65+ population of all districts.
    pub population_share: Option<f64>,
    /// registrant_share / population_share (1 = registered in proportion).
    pub share_ratio: Option<f64>,
    /// Searches in the period with this incident district.
    pub searches: i64,
    pub searches_opened: i64,
    /// searches_opened / searches.
    pub search_hit_rate: Option<f64>,
    /// Coverage below half the median coverage.
    pub under_covered: bool,
}

/// Registrants and searches whose district is not given or not in the district table.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnknownDistrict {
    pub active_registrants: i64,
    /// Of all active registrants.
    pub share_of_active: Option<f64>,
    pub searches: i64,
    pub searches_opened: i64,
    pub search_hit_rate: Option<f64>,
}

/// A chi-square goodness-of-fit test.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChiSquareOut {
    pub statistic: f64,
    pub degrees_of_freedom: u32,
    pub p_value: f64,
}

/// Skew indexes over the districts with a 65+ population.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkewSummary {
    pub active_registrants: i64,
    pub active_registrants_in_listed_districts: i64,
    pub population_65plus: i64,
    /// Over all listed districts.
    pub coverage_per_1000: Option<f64>,
    pub median_coverage_per_1000: Option<f64>,
    pub gini: Option<f64>,
    pub coefficient_of_variation: Option<f64>,
    /// Active registrants per listed district against the 65+ population;
    /// null with fewer than two districts or no registrant.
    pub chi_square: Option<ChiSquareOut>,
    /// Codes of districts whose coverage is below half the median.
    pub under_covered: Vec<String>,
}

/// `GET /stats/districts`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Districts {
    pub period: PeriodOut,
    pub districts: Vec<DistrictStat>,
    pub unknown_district: UnknownDistrict,
    pub summary: SkewSummary,
}

pub fn districts(
    period: PeriodOut,
    table: &[DistrictRow],
    registrants: &[KeyCount],
    searches: &[SearchesByDistrict],
) -> Districts {
    let reg_of = |code: &str| {
        registrants
            .iter()
            .filter(|r| r.key.as_deref() == Some(code))
            .map(|r| r.n)
            .sum::<i64>()
    };
    let listed = |code: Option<&str>| code.is_some_and(|c| table.iter().any(|d| d.code == c));
    let total_active: i64 = registrants.iter().map(|r| r.n).sum();
    let in_listed: i64 = registrants
        .iter()
        .filter(|r| listed(r.key.as_deref()))
        .map(|r| r.n)
        .sum();
    let pop_total: i64 = table.iter().map(|d| d.population_65plus.max(0)).sum();
    let coverage = |reg: i64, pop: i64| r(reg, pop).map(|x| x * 1000.0);

    let coverages: Vec<f64> = table
        .iter()
        .filter_map(|d| coverage(reg_of(&d.code), d.population_65plus))
        .collect();
    let med = median(&coverages);
    let is_under = |c: Option<f64>| matches!((c, med), (Some(c), Some(m)) if c < m / 2.0);

    let rows: Vec<DistrictStat> = table
        .iter()
        .map(|d| {
            let reg = reg_of(&d.code);
            let s = searches.iter().find(|s| s.key.as_deref() == Some(&d.code));
            let (searches, opened) = s.map_or((0, 0), |s| (s.searches, s.searches_opened));
            let cov = coverage(reg, d.population_65plus);
            let rs = r(reg, in_listed);
            let ps = r(d.population_65plus, pop_total);
            DistrictStat {
                code: d.code.clone(),
                name: d.name.clone(),
                active_registrants: reg,
                population_65plus: d.population_65plus,
                coverage_per_1000: cov,
                registrant_share: rs,
                population_share: ps,
                share_ratio: match (rs, ps) {
                    (Some(a), Some(b)) if b > 0.0 => Some(a / b),
                    _ => None,
                },
                searches,
                searches_opened: opened,
                search_hit_rate: r(opened, searches),
                under_covered: is_under(cov),
            }
        })
        .collect();

    let unknown_reg = total_active - in_listed;
    let (unknown_searches, unknown_opened) = searches
        .iter()
        .filter(|s| !listed(s.key.as_deref()))
        .fold((0, 0), |(a, b), s| (a + s.searches, b + s.searches_opened));

    let observed: Vec<u64> = table.iter().map(|d| n(reg_of(&d.code))).collect();
    let weights: Vec<f64> = table
        .iter()
        .map(|d| d.population_65plus.max(0) as f64)
        .collect();
    let chi = chi_square_goodness_of_fit(&observed, &weights).map(|c| ChiSquareOut {
        statistic: c.statistic,
        degrees_of_freedom: c.degrees_of_freedom,
        p_value: c.p_value,
    });

    let summary = SkewSummary {
        active_registrants: total_active,
        active_registrants_in_listed_districts: in_listed,
        population_65plus: pop_total,
        coverage_per_1000: coverage(in_listed, pop_total),
        median_coverage_per_1000: med,
        gini: gini(&coverages),
        coefficient_of_variation: coefficient_of_variation(&coverages),
        chi_square: chi,
        under_covered: rows
            .iter()
            .filter(|d| d.under_covered)
            .map(|d| d.code.clone())
            .collect(),
    };
    Districts {
        period,
        districts: rows,
        unknown_district: UnknownDistrict {
            active_registrants: unknown_reg,
            share_of_active: r(unknown_reg, total_active),
            searches: unknown_searches,
            searches_opened: unknown_opened,
            search_hit_rate: r(unknown_opened, unknown_searches),
        },
        summary,
    }
}

// ---------------------------------------------------------------- care decisions

/// Current care decisions of one managing organization's active registrants.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationDecisions {
    pub organization_id: String,
    pub name: String,
    pub kind: String,
    pub active_registrants: i64,
    pub with_decision: i64,
    /// with_decision / active_registrants.
    pub with_decision_share: Option<f64>,
    pub reviewed_within_12_months: i64,
    pub overdue_reviews: i64,
    pub shared_with_family: i64,
}

/// Entries recorded in one month, by kind.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntriesMonth {
    pub month: String,
    pub new: i64,
    pub revised: i64,
    pub reconfirmed: i64,
    pub total: i64,
}

/// `GET /stats/care-decisions`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CareDecisions {
    pub period: PeriodOut,
    /// The date current-state figures refer to (today in the configured zone).
    pub as_of: NaiveDate,
    pub active_registrants: i64,
    /// Active registrants with a current decision (their latest entry).
    pub with_decision: i64,
    /// with_decision / active_registrants.
    pub with_decision_share: Option<f64>,
    /// Current decisions discussed on or after the same date twelve months ago.
    pub reviewed_within_12_months: i64,
    /// reviewed_within_12_months / with_decision.
    pub reviewed_within_12_months_share: Option<f64>,
    /// Current decisions whose `review_due` is before `as_of`.
    pub overdue_reviews: i64,
    /// overdue_reviews / with_decision.
    pub overdue_reviews_share: Option<f64>,
    /// Current decisions whose wishes are shared with family.
    pub shared_with_family: i64,
    /// shared_with_family / with_decision.
    pub shared_with_family_share: Option<f64>,
    /// Per managing organization with active registrants.
    pub by_organization: Vec<OrganizationDecisions>,
    /// Entries recorded in each month of the period.
    pub entries_by_month: Vec<EntriesMonth>,
    /// Distinct users (care managers) who recorded an entry in the period.
    pub care_managers_recording: i64,
    /// Distinct organizations (offices) whose staff recorded an entry in the period.
    pub organizations_recording: i64,
}

pub fn care_decisions(
    period: PeriodOut,
    as_of: NaiveDate,
    months: &[String],
    by_org: &[DecisionsByOrganization],
    entries: &[EntriesByMonth],
    recorders: Recorders,
) -> CareDecisions {
    let sum = |f: fn(&DecisionsByOrganization) -> i64| by_org.iter().map(f).sum::<i64>();
    let active = sum(|o| o.active_registrants);
    let with = sum(|o| o.with_decision);
    let reviewed = sum(|o| o.reviewed_recently);
    let overdue = sum(|o| o.overdue);
    let shared = sum(|o| o.shared_with_family);
    let entries_by_month = months
        .iter()
        .map(|m| {
            let of = |kind: &str| {
                entries
                    .iter()
                    .filter(|e| e.month == *m && e.kind == kind)
                    .map(|e| e.n)
                    .sum::<i64>()
            };
            let (new, revised, reconfirmed) = (of("new"), of("revised"), of("reconfirmed"));
            EntriesMonth {
                month: m.clone(),
                new,
                revised,
                reconfirmed,
                total: new + revised + reconfirmed,
            }
        })
        .collect();
    CareDecisions {
        period,
        as_of,
        active_registrants: active,
        with_decision: with,
        with_decision_share: r(with, active),
        reviewed_within_12_months: reviewed,
        reviewed_within_12_months_share: r(reviewed, with),
        overdue_reviews: overdue,
        overdue_reviews_share: r(overdue, with),
        shared_with_family: shared,
        shared_with_family_share: r(shared, with),
        by_organization: by_org
            .iter()
            .map(|o| OrganizationDecisions {
                organization_id: o.organization_id.clone(),
                name: o.name.clone(),
                kind: o.kind.clone(),
                active_registrants: o.active_registrants,
                with_decision: o.with_decision,
                with_decision_share: r(o.with_decision, o.active_registrants),
                reviewed_within_12_months: o.reviewed_recently,
                overdue_reviews: o.overdue,
                shared_with_family: o.shared_with_family,
            })
            .collect(),
        entries_by_month,
        care_managers_recording: recorders.care_managers,
        organizations_recording: recorders.organizations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kc(key: Option<&str>, n: i64) -> KeyCount {
        KeyCount {
            key: key.map(str::to_owned),
            n,
        }
    }

    fn period() -> PeriodOut {
        PeriodOut {
            from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
            timezone: "Asia/Tokyo".into(),
        }
    }

    fn d(code: &str, pop: i64) -> DistrictRow {
        DistrictRow {
            code: code.into(),
            name: code.into(),
            population_65plus: pop,
        }
    }

    #[test]
    fn district_figures_and_unknown_districts() {
        // A: 10 of 1000 (10‰), B: 30 of 1000 (30‰), C: 2 of 1000 (2‰); 3 with no
        // district and 1 with a code not in the table.
        let table = [d("A", 1000), d("B", 1000), d("C", 1000)];
        let reg = [
            kc(None, 3),
            kc(Some("A"), 10),
            kc(Some("B"), 30),
            kc(Some("C"), 2),
            kc(Some("X"), 1),
        ];
        let out = districts(period(), &table, &reg, &[]);
        assert_eq!(out.unknown_district.active_registrants, 4);
        assert_eq!(out.unknown_district.share_of_active, Some(4.0 / 46.0));
        assert_eq!(out.summary.active_registrants_in_listed_districts, 42);
        // median of 2, 10, 30 = 10; below 5: C.
        assert_eq!(out.summary.median_coverage_per_1000, Some(10.0));
        assert_eq!(out.summary.under_covered, vec!["C"]);
        // B: share 30/42 against 1/3 → 90/42.
        let b = &out.districts[1];
        assert!((b.share_ratio.unwrap() - 90.0 / 42.0).abs() < 1e-12);
        assert_eq!(b.search_hit_rate, None);
    }

    #[test]
    fn zero_population_gives_null_coverage() {
        let out = districts(period(), &[d("A", 0)], &[kc(Some("A"), 2)], &[]);
        assert_eq!(out.districts[0].coverage_per_1000, None);
        assert_eq!(out.districts[0].share_ratio, None);
        assert!(out.summary.chi_square.is_none());
        assert_eq!(out.summary.gini, None);
    }

    #[test]
    fn empty_hit_rate_groups_have_null_ratios() {
        let rows = hit_rate_groups(&[], &["2026-01".into()], &BTreeMap::new());
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].incident_hit_rate, None);
        assert_eq!(rows[0].search_hit_rate, None);
        assert_eq!(rows[0].confirmed_rate, None);
    }

    #[test]
    fn months_are_filled_with_zeros() {
        let m = fill_months(
            &["2026-01".into(), "2026-02".into()],
            &[kc(Some("2026-02"), 4)],
        );
        assert_eq!((m[0].count, m[1].count), (0, 4));
    }
}
