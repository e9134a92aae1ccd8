//! The hit-rate roll-up: what one incident's searches add to the daily
//! statistics table (`hit_rollup`), so that the hit-rate figures of any period are
//! a sum over a few rows per day instead of a pass over every lookup.
//!
//! Searches are summed per local day and group (the whole city, the incident's
//! district, the crew's unit). Incidents must be counted once per group over a
//! whole period, whatever days it spans. Each day an incident has searches on in a
//! group carries the previous such day (`prev_day`): over a period `from..=to` the
//! incident is counted on exactly one of its days — the first one in the period,
//! the only one whose previous day is before `from` (or absent). "Opened"
//! incidents are counted the same way over the days on which a search opened a
//! record (`prev_opened_day`). Month groups add "or the previous day is in an
//! earlier month".
//!
//! When an incident's searches change (a new search, a record opened, a crew
//! result), its contribution is computed before and after and the difference is
//! added to the table, so the roll-up always equals a computation from scratch.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

/// Which grouping a roll-up row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dim {
    /// The whole city (also what months are read from).
    Total,
    /// The incident's district (`""` when the crew gave none).
    District,
    /// The crew's unit (organization id).
    Unit,
}

impl Dim {
    pub const ALL: [Dim; 3] = [Dim::Total, Dim::District, Dim::Unit];

    pub fn as_str(self) -> &'static str {
        match self {
            Dim::Total => "total",
            Dim::District => "district",
            Dim::Unit => "unit",
        }
    }
}

/// One search, as far as the hit rate is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// The lookup id.
    pub id: String,
    /// Local date of the search.
    pub day: NaiveDate,
    pub district: Option<String>,
    pub unit: String,
    /// `match`, `candidates` or `no_match`.
    pub outcome: String,
    /// Whether the search opened a record.
    pub opened: bool,
    /// `confirmed`, `wrong_person` or `not_registered`.
    pub result: Option<String>,
}

impl Search {
    fn key(&self, dim: Dim) -> &str {
        match dim {
            Dim::Total => "",
            Dim::District => self.district.as_deref().unwrap_or(""),
            Dim::Unit => &self.unit,
        }
    }
}

/// A roll-up row's key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    pub dim: Dim,
    pub day: NaiveDate,
    pub key: String,
    pub prev_day: Option<NaiveDate>,
    pub prev_opened_day: Option<NaiveDate>,
}

/// A roll-up row's counters (negative in a difference).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub incidents: i64,
    pub incidents_opened: i64,
    pub searches: i64,
    pub outcome_match: i64,
    pub outcome_candidates: i64,
    pub outcome_no_match: i64,
    pub searches_opened: i64,
    pub result_confirmed: i64,
    pub result_wrong_person: i64,
    pub result_not_registered: i64,
}

impl Counts {
    /// The counters in table column order (see [`Counts::COLUMNS`]).
    pub fn values(&self) -> [i64; 10] {
        [
            self.incidents,
            self.incidents_opened,
            self.searches,
            self.outcome_match,
            self.outcome_candidates,
            self.outcome_no_match,
            self.searches_opened,
            self.result_confirmed,
            self.result_wrong_person,
            self.result_not_registered,
        ]
    }

    pub const COLUMNS: [&'static str; 10] = [
        "incidents",
        "incidents_opened",
        "searches",
        "outcome_match",
        "outcome_candidates",
        "outcome_no_match",
        "searches_opened",
        "result_confirmed",
        "result_wrong_person",
        "result_not_registered",
    ];

    fn add(&mut self, other: &Counts, sign: i64) {
        let mut v = self.values();
        for (a, b) in v.iter_mut().zip(other.values()) {
            *a += sign * b;
        }
        *self = Counts::from_values(v);
    }

    fn from_values(v: [i64; 10]) -> Counts {
        Counts {
            incidents: v[0],
            incidents_opened: v[1],
            searches: v[2],
            outcome_match: v[3],
            outcome_candidates: v[4],
            outcome_no_match: v[5],
            searches_opened: v[6],
            result_confirmed: v[7],
            result_wrong_person: v[8],
            result_not_registered: v[9],
        }
    }

    fn is_zero(&self) -> bool {
        self.values().iter().all(|v| *v == 0)
    }

    fn of_search(s: &Search) -> Counts {
        let is = |v: bool| i64::from(v);
        let result = s.result.as_deref();
        Counts {
            searches: 1,
            outcome_match: is(s.outcome == "match"),
            outcome_candidates: is(s.outcome == "candidates"),
            outcome_no_match: is(s.outcome == "no_match"),
            searches_opened: is(s.opened),
            result_confirmed: is(result == Some("confirmed")),
            result_wrong_person: is(result == Some("wrong_person")),
            result_not_registered: is(result == Some("not_registered")),
            ..Counts::default()
        }
    }
}

/// Changes to the roll-up, by cell, in key order (the order rows are written in,
/// so concurrent writers lock them in the same order).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delta {
    cells: BTreeMap<Cell, Counts>,
}

impl Delta {
    /// Adds (`sign` 1) or removes (`sign` -1) what one incident's searches contribute.
    pub fn add_incident(&mut self, searches: &[Search], sign: i64) {
        for dim in Dim::ALL {
            let mut groups: BTreeMap<&str, Vec<&Search>> = BTreeMap::new();
            for s in searches {
                groups.entry(s.key(dim)).or_default().push(s);
            }
            for (key, list) in groups {
                self.add_group(dim, key, &list, sign);
            }
        }
    }

    fn add_group(&mut self, dim: Dim, key: &str, searches: &[&Search], sign: i64) {
        let days: BTreeSet<NaiveDate> = searches.iter().map(|s| s.day).collect();
        let opened_days: BTreeSet<NaiveDate> = searches
            .iter()
            .filter(|s| s.opened)
            .map(|s| s.day)
            .collect();
        for day in &days {
            let opened = opened_days.contains(day);
            let mut counts = Counts {
                incidents: 1,
                incidents_opened: i64::from(opened),
                ..Counts::default()
            };
            for s in searches.iter().filter(|s| s.day == *day) {
                counts.add(&Counts::of_search(s), 1);
            }
            let cell = Cell {
                dim,
                day: *day,
                key: key.to_owned(),
                prev_day: days.range(..*day).next_back().copied(),
                prev_opened_day: if opened {
                    opened_days.range(..*day).next_back().copied()
                } else {
                    None
                },
            };
            let entry = self.cells.entry(cell).or_default();
            entry.add(&counts, sign);
        }
    }

    /// The non-zero changes, in key order.
    pub fn cells(&self) -> impl Iterator<Item = (&Cell, &Counts)> {
        self.cells.iter().filter(|(_, c)| !c.is_zero())
    }

    /// The difference of an incident's contribution before and after a change.
    pub fn change(before: &[Search], after: &[Search]) -> Delta {
        let mut d = Delta::default();
        d.add_incident(before, -1);
        d.add_incident(after, 1);
        d
    }

    /// Adds another delta.
    pub fn merge(&mut self, other: Delta) {
        for (cell, counts) in other.cells {
            self.cells.entry(cell).or_default().add(&counts, 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn search(d: u32, district: Option<&str>, unit: &str, outcome: &str, opened: bool) -> Search {
        Search {
            id: format!("{d}-{outcome}"),
            day: day(d),
            district: district.map(str::to_owned),
            unit: unit.into(),
            outcome: outcome.into(),
            opened,
            result: None,
        }
    }

    /// Sums the cells of `dim` over `from..=to` the way the statistics query does.
    fn period(delta: &Delta, dim: Dim, from: NaiveDate, to: NaiveDate) -> BTreeMap<String, Counts> {
        let mut out: BTreeMap<String, Counts> = BTreeMap::new();
        for (c, n) in delta.cells() {
            if c.dim != dim || c.day < from || c.day > to {
                continue;
            }
            let first = c.prev_day.is_none_or(|p| p < from);
            let first_opened = c.prev_opened_day.is_none_or(|p| p < from);
            let e = out.entry(c.key.clone()).or_default();
            e.add(
                &Counts {
                    incidents: if first { n.incidents } else { 0 },
                    incidents_opened: if first_opened { n.incidents_opened } else { 0 },
                    ..*n
                },
                1,
            );
        }
        out
    }

    #[test]
    fn an_incident_over_several_days_counts_once_in_any_period() {
        let searches = [
            search(1, Some("D1"), "U", "no_match", false),
            search(3, Some("D1"), "U", "match", true),
            search(5, Some("D1"), "U", "candidates", false),
        ];
        let mut d = Delta::default();
        d.add_incident(&searches, 1);
        for (from, to, incidents, opened, n) in [
            (1, 5, 1, 1, 3),
            (2, 4, 1, 1, 1),
            (2, 2, 0, 0, 0),
            (4, 9, 1, 0, 1),
            (1, 1, 1, 0, 1),
            (3, 3, 1, 1, 1),
        ] {
            let got = period(&d, Dim::Total, day(from), day(to));
            let t = got.get("").copied().unwrap_or_default();
            assert_eq!(
                (t.incidents, t.incidents_opened, t.searches),
                (incidents, opened, n),
                "period {from}..={to}"
            );
        }
    }

    #[test]
    fn an_incident_counts_once_per_district_and_unit_it_has_searches_in() {
        let searches = [
            search(1, Some("D1"), "U1", "no_match", false),
            search(1, Some("D2"), "U1", "match", true),
            search(2, None, "U2", "match", false),
        ];
        let mut d = Delta::default();
        d.add_incident(&searches, 1);
        let by_district = period(&d, Dim::District, day(1), day(2));
        assert_eq!(by_district["D1"].incidents, 1);
        assert_eq!(by_district["D2"].incidents_opened, 1);
        assert_eq!(by_district[""].incidents, 1);
        let by_unit = period(&d, Dim::Unit, day(1), day(2));
        assert_eq!((by_unit["U1"].incidents, by_unit["U1"].searches), (1, 2));
        assert_eq!(by_unit["U2"].incidents, 1);
        let total = period(&d, Dim::Total, day(1), day(2));
        assert_eq!((total[""].incidents, total[""].searches), (1, 3));
    }

    #[test]
    fn a_change_is_the_difference_of_before_and_after() {
        let before = [search(1, None, "U", "match", false)];
        let mut after = before.clone();
        after[0].opened = true;
        after[0].result = Some("confirmed".into());
        let mut table = Delta::default();
        table.add_incident(&before, 1);
        table.merge(Delta::change(&before, &after));
        let mut fresh = Delta::default();
        fresh.add_incident(&after, 1);
        let nonzero = |d: &Delta| d.cells().map(|(c, n)| (c.clone(), *n)).collect::<Vec<_>>();
        assert_eq!(nonzero(&table), nonzero(&fresh));
        let t = period(&table, Dim::Total, day(1), day(1))[""];
        assert_eq!(
            (t.incidents_opened, t.searches_opened, t.result_confirmed),
            (1, 1, 1)
        );
    }

    /// Incidents per group with a search in the period, counted directly.
    fn brute_force(
        incidents: &[Vec<Search>],
        dim: Dim,
        from: NaiveDate,
        to: NaiveDate,
    ) -> BTreeMap<String, (i64, i64)> {
        let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for searches in incidents {
            let mut keys: BTreeMap<&str, bool> = BTreeMap::new();
            for s in searches.iter().filter(|s| s.day >= from && s.day <= to) {
                *keys.entry(s.key(dim)).or_default() |= s.opened;
            }
            for (k, opened) in keys {
                let e = out.entry(k.to_owned()).or_default();
                e.0 += 1;
                e.1 += i64::from(opened);
            }
        }
        out
    }

    #[test]
    fn random_incidents_count_as_a_direct_count_does() {
        let mut seed: u64 = 0x5eed;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let mut incidents = Vec::new();
        let mut table = Delta::default();
        for i in 0..300 {
            let mut searches: Vec<Search> = Vec::new();
            for j in 0..1 + next(4) {
                let d = 1 + next(10) as u32;
                let district = ["D1", "D2", ""][next(3) as usize];
                let mut s = search(
                    d,
                    (!district.is_empty()).then_some(district),
                    ["U1", "U2"][next(2) as usize],
                    "match",
                    false,
                );
                s.id = format!("{i}-{j}");
                // Searches arrive in any order and are opened later.
                let before = searches.clone();
                searches.push(s);
                table.merge(Delta::change(&before, &searches));
            }
            for k in 0..searches.len() {
                if next(3) == 0 {
                    let before = searches.clone();
                    searches[k].opened = true;
                    table.merge(Delta::change(&before, &searches));
                }
            }
            incidents.push(searches);
        }
        for from in 1..=10 {
            for to in from..=10 {
                for dim in Dim::ALL {
                    let got: BTreeMap<String, (i64, i64)> = period(&table, dim, day(from), day(to))
                        .into_iter()
                        .filter(|(_, c)| c.incidents > 0)
                        .map(|(k, c)| (k, (c.incidents, c.incidents_opened)))
                        .collect();
                    assert_eq!(
                        got,
                        brute_force(&incidents, dim, day(from), day(to)),
                        "{dim:?} {from}..={to}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_search_dated_before_the_others_moves_the_first_day() {
        let later = [search(3, None, "U", "match", false)];
        let mut all = later.to_vec();
        all.push(search(2, None, "U", "no_match", false));
        let mut table = Delta::default();
        table.add_incident(&later, 1);
        table.merge(Delta::change(&later, &all));
        assert_eq!(period(&table, Dim::Total, day(1), day(9))[""].incidents, 1);
        assert_eq!(period(&table, Dim::Total, day(3), day(9))[""].incidents, 1);
        assert_eq!(period(&table, Dim::Total, day(2), day(2))[""].incidents, 1);
    }
}
