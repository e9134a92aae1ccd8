//! CSV renderings of the reports: UTF-8 with a byte-order mark (so that Excel
//! opens Japanese names correctly), a header row, CRLF line ends (RFC 4180), empty
//! cells for null ratios. The hit rate is one row per group plus a `total` row;
//! the other reports are "long" tables of `section,key,metric,value`.

use super::report::{CareDecisions, Districts, HitRate, HitRateRow, Overview};

/// The UTF-8 byte-order mark written first.
pub const BOM: &str = "\u{feff}";

/// A CSV document being built.
pub struct Csv {
    out: String,
}

impl Csv {
    pub fn new(header: &[&str]) -> Self {
        let mut c = Csv {
            out: BOM.to_owned(),
        };
        c.row(header.iter().map(|s| (*s).to_owned()));
        c
    }

    pub fn row(&mut self, cells: impl IntoIterator<Item = String>) {
        let mut first = true;
        for cell in cells {
            if !first {
                self.out.push(',');
            }
            first = false;
            self.out.push_str(&escape(&cell));
        }
        self.out.push_str("\r\n");
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// Quotes a cell when it holds a comma, quote or line break. A leading `=`, `+`,
/// `-` or `@` is prefixed with `'` so a spreadsheet never runs it as a formula.
fn escape(cell: &str) -> String {
    let cell = if cell.starts_with(['=', '+', '@'])
        || (cell.starts_with('-') && cell.parse::<f64>().is_err())
    {
        format!("'{cell}")
    } else {
        cell.to_owned()
    };
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

fn int(v: i64) -> String {
    v.to_string()
}

fn ratio(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// Long-table helper: `section,key,metric,value`.
struct Long(Csv);

impl Long {
    fn new() -> Self {
        Long(Csv::new(&["section", "key", "metric", "value"]))
    }
    fn put(&mut self, section: &str, key: &str, metric: &str, value: String) {
        self.0
            .row([section.to_owned(), key.to_owned(), metric.to_owned(), value]);
    }
    fn period(&mut self, p: &super::report::PeriodOut) {
        self.put("period", "", "from", p.from.to_string());
        self.put("period", "", "to", p.to.to_string());
        self.put("period", "", "timezone", p.timezone.clone());
    }
}

pub fn overview(o: &Overview) -> String {
    let mut c = Long::new();
    c.period(&o.period);
    let s = &o.registrants_by_status;
    for (k, v) in [
        ("active", s.active),
        ("withdrawn", s.withdrawn),
        ("deceased", s.deceased),
    ] {
        c.put("registrants_by_status", k, "registrants", int(v));
    }
    for k in &o.organizations_by_kind {
        c.put(
            "organizations_by_kind",
            &k.kind,
            "organizations",
            int(k.organizations),
        );
        c.put(
            "organizations_by_kind",
            &k.kind,
            "taking_part",
            int(k.taking_part),
        );
    }
    c.put(
        "organizations",
        "",
        "taking_part",
        int(o.organizations_taking_part),
    );
    let u = &o.active_users_by_role;
    for (k, v) in [
        ("care_manager", u.care_manager),
        ("paramedic", u.paramedic),
        ("admin", u.admin),
    ] {
        c.put("active_users_by_role", k, "users", int(v));
    }
    c.put(
        "care_decisions",
        "",
        "registrants_with_care_decision",
        int(o.registrants_with_care_decision),
    );
    c.put(
        "care_decisions",
        "",
        "registrants_with_care_decision_share",
        ratio(o.registrants_with_care_decision_share),
    );
    for m in &o.new_registrations_by_month {
        c.put(
            "new_registrations_by_month",
            &m.month,
            "registrations",
            int(m.count),
        );
    }
    c.put(
        "new_registrations",
        "",
        "registrations",
        int(o.new_registrations),
    );
    c.put("lookups", "", "lookups", int(o.lookups));
    c.0.finish()
}

const HIT_HEADER: [&str; 17] = [
    "group",
    "key",
    "label",
    "incidents",
    "incidents_opened",
    "incident_hit_rate",
    "searches",
    "outcome_match",
    "outcome_candidates",
    "outcome_no_match",
    "searches_opened",
    "search_hit_rate",
    "result_confirmed",
    "result_wrong_person",
    "result_not_registered",
    "results_reported",
    "confirmed_rate",
];

fn hit_row(group: &str, r: &HitRateRow) -> Vec<String> {
    vec![
        group.to_owned(),
        opt(&r.key),
        opt(&r.label),
        int(r.incidents),
        int(r.incidents_opened),
        ratio(r.incident_hit_rate),
        int(r.searches),
        int(r.outcome_match),
        int(r.outcome_candidates),
        int(r.outcome_no_match),
        int(r.searches_opened),
        ratio(r.search_hit_rate),
        int(r.result_confirmed),
        int(r.result_wrong_person),
        int(r.result_not_registered),
        int(r.results_reported),
        ratio(r.confirmed_rate),
    ]
}

/// One row per group (first column: the `group_by` value), then a `total` row.
pub fn hit_rate(h: &HitRate) -> String {
    let mut c = Csv::new(&HIT_HEADER);
    for g in &h.groups {
        c.row(hit_row(&h.group_by, g));
    }
    c.row(hit_row("total", &h.total));
    c.finish()
}

pub fn districts(d: &Districts) -> String {
    let mut c = Long::new();
    c.period(&d.period);
    for x in &d.districts {
        let k = x.code.as_str();
        c.put("district", k, "name", x.name.clone());
        c.put(
            "district",
            k,
            "active_registrants",
            int(x.active_registrants),
        );
        c.put("district", k, "population_65plus", int(x.population_65plus));
        c.put(
            "district",
            k,
            "coverage_per_1000",
            ratio(x.coverage_per_1000),
        );
        c.put("district", k, "registrant_share", ratio(x.registrant_share));
        c.put("district", k, "population_share", ratio(x.population_share));
        c.put("district", k, "share_ratio", ratio(x.share_ratio));
        c.put("district", k, "searches", int(x.searches));
        c.put("district", k, "searches_opened", int(x.searches_opened));
        c.put("district", k, "search_hit_rate", ratio(x.search_hit_rate));
        c.put("district", k, "under_covered", x.under_covered.to_string());
    }
    let u = &d.unknown_district;
    c.put(
        "unknown_district",
        "",
        "active_registrants",
        int(u.active_registrants),
    );
    c.put(
        "unknown_district",
        "",
        "share_of_active",
        ratio(u.share_of_active),
    );
    c.put("unknown_district", "", "searches", int(u.searches));
    c.put(
        "unknown_district",
        "",
        "searches_opened",
        int(u.searches_opened),
    );
    c.put(
        "unknown_district",
        "",
        "search_hit_rate",
        ratio(u.search_hit_rate),
    );
    let s = &d.summary;
    c.put(
        "summary",
        "",
        "active_registrants",
        int(s.active_registrants),
    );
    c.put(
        "summary",
        "",
        "active_registrants_in_listed_districts",
        int(s.active_registrants_in_listed_districts),
    );
    c.put("summary", "", "population_65plus", int(s.population_65plus));
    c.put(
        "summary",
        "",
        "coverage_per_1000",
        ratio(s.coverage_per_1000),
    );
    c.put(
        "summary",
        "",
        "median_coverage_per_1000",
        ratio(s.median_coverage_per_1000),
    );
    c.put("summary", "", "gini", ratio(s.gini));
    c.put(
        "summary",
        "",
        "coefficient_of_variation",
        ratio(s.coefficient_of_variation),
    );
    let chi = s.chi_square.as_ref();
    c.put(
        "summary",
        "",
        "chi_square_statistic",
        ratio(chi.map(|x| x.statistic)),
    );
    c.put(
        "summary",
        "",
        "chi_square_degrees_of_freedom",
        chi.map(|x| x.degrees_of_freedom.to_string())
            .unwrap_or_default(),
    );
    c.put(
        "summary",
        "",
        "chi_square_p_value",
        ratio(chi.map(|x| x.p_value)),
    );
    c.put("summary", "", "under_covered", s.under_covered.join(" "));
    c.0.finish()
}

pub fn care_decisions(d: &CareDecisions) -> String {
    let mut c = Long::new();
    c.period(&d.period);
    c.put("current", "", "as_of", d.as_of.to_string());
    c.put(
        "current",
        "",
        "active_registrants",
        int(d.active_registrants),
    );
    c.put("current", "", "with_decision", int(d.with_decision));
    c.put(
        "current",
        "",
        "with_decision_share",
        ratio(d.with_decision_share),
    );
    c.put(
        "current",
        "",
        "reviewed_within_12_months",
        int(d.reviewed_within_12_months),
    );
    c.put(
        "current",
        "",
        "reviewed_within_12_months_share",
        ratio(d.reviewed_within_12_months_share),
    );
    c.put("current", "", "overdue_reviews", int(d.overdue_reviews));
    c.put(
        "current",
        "",
        "overdue_reviews_share",
        ratio(d.overdue_reviews_share),
    );
    c.put(
        "current",
        "",
        "shared_with_family",
        int(d.shared_with_family),
    );
    c.put(
        "current",
        "",
        "shared_with_family_share",
        ratio(d.shared_with_family_share),
    );
    for o in &d.by_organization {
        let k = o.organization_id.as_str();
        c.put("by_organization", k, "name", o.name.clone());
        c.put("by_organization", k, "kind", o.kind.clone());
        c.put(
            "by_organization",
            k,
            "active_registrants",
            int(o.active_registrants),
        );
        c.put("by_organization", k, "with_decision", int(o.with_decision));
        c.put(
            "by_organization",
            k,
            "with_decision_share",
            ratio(o.with_decision_share),
        );
        c.put(
            "by_organization",
            k,
            "reviewed_within_12_months",
            int(o.reviewed_within_12_months),
        );
        c.put(
            "by_organization",
            k,
            "overdue_reviews",
            int(o.overdue_reviews),
        );
        c.put(
            "by_organization",
            k,
            "shared_with_family",
            int(o.shared_with_family),
        );
    }
    for m in &d.entries_by_month {
        c.put("entries_by_month", &m.month, "new", int(m.new));
        c.put("entries_by_month", &m.month, "revised", int(m.revised));
        c.put(
            "entries_by_month",
            &m.month,
            "reconfirmed",
            int(m.reconfirmed),
        );
        c.put("entries_by_month", &m.month, "total", int(m.total));
    }
    c.put(
        "period",
        "",
        "care_managers_recording",
        int(d.care_managers_recording),
    );
    c.put(
        "period",
        "",
        "organizations_recording",
        int(d.organizations_recording),
    );
    c.0.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(escape("a,b"), "\"a,b\"");
        assert_eq!(escape("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(escape("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(escape("-1.5"), "-1.5");
        assert_eq!(escape("北見"), "北見");
    }

    #[test]
    fn documents_start_with_a_bom_and_header() {
        let c = Csv::new(&["a", "b"]).finish();
        assert_eq!(c, "\u{feff}a,b\r\n");
    }
}
