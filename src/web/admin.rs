//! The administrators' pages: the dashboard (charts drawn on the server, each
//! with its caption, its figures as a table and a CSV download), organizations,
//! users and the second-factor policy, the district CSV, and the audit log.
//! Figures come from the same functions as `/api/v1/stats/*`.

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::charts::{self, Bar};
use super::{Layout, Signed, WebResult};
use crate::app::AppState;
use crate::domain::OrganizationKind;
use crate::routes::stats::{respond, Format};
use crate::service::stats;
use crate::stats::csv;
use crate::stats::load::GroupBy;
use crate::stats::report::{CareDecisions, Districts, HitRate, Overview};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(dashboard))
        .route("/admin/stats/{name}", web::get().to(stats_csv));
}

/// `0.734` → `73.4%`; no value → `—`.
pub fn pct(v: &Option<f64>) -> String {
    v.map(|v| format!("{:.1}%", v * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// One decimal, or `—`.
pub fn num1(v: &Option<f64>) -> String {
    v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "—".into())
}

#[derive(Debug, Default, Deserialize)]
pub struct PeriodForm {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    group_by: Option<GroupBy>,
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    l: Layout,
    query: String,
    overview: Overview,
    by_month: HitRate,
    by_district: HitRate,
    by_unit: HitRate,
    districts: Districts,
    decisions: CareDecisions,
    month_chart: String,
    coverage_chart: String,
    kinds: Vec<(&'static str, i64, i64)>,
}

impl Dashboard {
    fn pct(&self, v: &Option<f64>) -> String {
        pct(v)
    }

    fn num1(&self, v: &Option<f64>) -> String {
        num1(v)
    }

    fn num2(&self, v: &Option<f64>) -> String {
        v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into())
    }
}

/// `GET /admin`: the dashboard for a period (default: the last twelve months).
async fn dashboard(
    state: web::Data<AppState>,
    signed: Signed,
    q: web::Query<PeriodForm>,
) -> WebResult {
    let q = q.into_inner();
    let (from, to) = (q.from, q.to);
    let zone = state.zone();
    let user = signed.user.clone();
    let (p, overview, by_month, by_district, by_unit, districts, decisions) = state
        .db(move |conn| {
            let (p, overview) = stats::overview(conn, &user, &zone, from, to)?;
            let hit = |conn: &mut crate::db::DbConn, g| {
                stats::hit_rate(conn, &user, &zone, from, to, g).map(|(_, h)| h)
            };
            let by_month = hit(conn, GroupBy::Month)?;
            let by_district = hit(conn, GroupBy::District)?;
            let by_unit = hit(conn, GroupBy::Unit)?;
            let (_, districts) = stats::districts(conn, &user, &zone, from, to)?;
            let (_, decisions) = stats::care_decisions(conn, &user, &zone, from, to)?;
            Ok((
                p,
                overview,
                by_month,
                by_district,
                by_unit,
                districts,
                decisions,
            ))
        })
        .await?;
    let month_chart = charts::line_percent(
        "chart-month-caption",
        &by_month
            .groups
            .iter()
            .map(|g| (g.key.clone().unwrap_or_default(), g.incident_hit_rate))
            .collect::<Vec<_>>(),
    );
    let coverage_chart = charts::bars(
        "chart-coverage-caption",
        &districts
            .districts
            .iter()
            .map(|d| Bar {
                label: d.name.clone(),
                value: d.coverage_per_1000.unwrap_or(0.0),
                marked: d.under_covered,
            })
            .collect::<Vec<_>>(),
        "人",
        1,
    );
    let kinds = overview
        .organizations_by_kind
        .iter()
        .map(|k| {
            (
                OrganizationKind::parse(&k.kind)
                    .map(super::labels::organization_kind)
                    .unwrap_or("その他"),
                k.organizations,
                k.taking_part,
            )
        })
        .collect();
    let query = format!("from={}&to={}", p.from, p.to);
    Ok(super::ok(&Dashboard {
        l: Layout::new("ダッシュボード", &signed, "/admin"),
        query,
        overview,
        by_month,
        by_district,
        by_unit,
        districts,
        decisions,
        month_chart,
        coverage_chart,
        kinds,
    }))
}

/// `GET /admin/stats/{name}`: a dashboard table as CSV (the API's CSV).
async fn stats_csv(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<String>,
    q: web::Query<PeriodForm>,
) -> WebResult {
    let q = q.into_inner();
    let (from, to) = (q.from, q.to);
    let zone = state.zone();
    let user = signed.user.clone();
    let csv_format = Some(Format::Csv);
    let res: HttpResponse = match path.as_str() {
        "overview.csv" => {
            let (p, v) = state
                .db(move |conn| stats::overview(conn, &user, &zone, from, to))
                .await?;
            respond(csv_format, "overview", &p, &v, csv::overview)
        }
        "hit-rate.csv" => {
            let g = q.group_by.unwrap_or_default();
            let (p, v) = state
                .db(move |conn| stats::hit_rate(conn, &user, &zone, from, to, g))
                .await?;
            respond(csv_format, "hit-rate", &p, &v, csv::hit_rate)
        }
        "districts.csv" => {
            let (p, v) = state
                .db(move |conn| stats::districts(conn, &user, &zone, from, to))
                .await?;
            respond(csv_format, "districts", &p, &v, csv::districts)
        }
        "care-decisions.csv" => {
            let (p, v) = state
                .db(move |conn| stats::care_decisions(conn, &user, &zone, from, to))
                .await?;
            respond(csv_format, "care-decisions", &p, &v, csv::care_decisions)
        }
        _ => return Ok(super::not_found_page()),
    };
    let mut res = res;
    res.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}
