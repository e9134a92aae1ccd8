//! Time zone and reporting periods: the configured zone as a fixed UTC offset,
//! a `from`–`to` date range (inclusive, local dates) turned into half-open UTC
//! bounds for indexed range scans, and the calendar months it spans.
//!
//! Only fixed offsets are supported: `Asia/Tokyo` (+09:00, Japan has no daylight
//! saving time), `UTC`/`Etc/UTC`/`Z`, and `+HH:MM` / `-HH:MM`. A zone with daylight
//! saving time would need a time-zone database; the registry serves one Japanese city.

use chrono::{Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

/// Parses the `timezone` setting into a fixed offset east of UTC.
pub fn parse_timezone(s: &str) -> Result<FixedOffset, String> {
    let s = s.trim();
    let bad =
        || format!("{s:?} is not supported: use Asia/Tokyo, UTC or a fixed offset like +09:00");
    match s {
        "Asia/Tokyo" | "Japan" => return FixedOffset::east_opt(9 * 3600).ok_or_else(bad),
        "UTC" | "Etc/UTC" | "Z" | "GMT" => return FixedOffset::east_opt(0).ok_or_else(bad),
        _ => {}
    }
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (1, &s[1..]),
        Some(b'-') => (-1, &s[1..]),
        _ => return Err(bad()),
    };
    let (h, m) = rest.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: i32 = h.parse().map_err(|_| bad())?;
    let m: i32 = m.parse().map_err(|_| bad())?;
    if h > 14 || m > 59 {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60)).ok_or_else(bad)
}

/// The deployment's time zone: what "today" means for ages, "not in the
/// future" and the statistics' days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// As configured (`Asia/Tokyo`, `UTC`, `+09:00`, …).
    pub name: String,
    pub offset: FixedOffset,
}

impl Zone {
    /// The zone named `name`.
    pub fn parse(name: &str) -> Result<Zone, String> {
        Ok(Zone {
            offset: parse_timezone(name)?,
            name: name.trim().to_owned(),
        })
    }

    /// Today's date in this zone.
    pub fn today(&self) -> NaiveDate {
        today_in(self.offset)
    }
}

/// A reporting period: local dates `from`..=`to` and the UTC instants bounding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// UTC instant of `from` 00:00 local (inclusive).
    pub start_utc: NaiveDateTime,
    /// UTC instant of the day after `to`, 00:00 local (exclusive).
    pub end_utc: NaiveDateTime,
    /// The offset used, in seconds east of UTC.
    pub offset_secs: i32,
}

/// Why a period was refused, naming the parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodError {
    pub param: &'static str,
    pub message: String,
}

impl Period {
    /// Builds the period. Missing `to` means today (local); missing `from` means
    /// the first day of the month eleven months before `to`'s month (twelve
    /// calendar months in all).
    pub fn resolve(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        today: NaiveDate,
        offset: FixedOffset,
    ) -> Result<Period, PeriodError> {
        let to = to.unwrap_or(today);
        let from = match from {
            Some(f) => f,
            None => {
                let months = to.year() * 12 + to.month0() as i32 - 11;
                NaiveDate::from_ymd_opt(months.div_euclid(12), months.rem_euclid(12) as u32 + 1, 1)
                    .ok_or_else(|| PeriodError {
                        param: "to",
                        message: "is out of range".into(),
                    })?
            }
        };
        if from > to {
            return Err(PeriodError {
                param: "from",
                message: "must not be after `to`".into(),
            });
        }
        let offset_secs = offset.local_minus_utc();
        let shift = Duration::seconds(i64::from(offset_secs));
        let start_utc = from.and_time(NaiveTime::MIN) - shift;
        let end_utc = to
            .succ_opt()
            .ok_or_else(|| PeriodError {
                param: "to",
                message: "is out of range".into(),
            })?
            .and_time(NaiveTime::MIN)
            - shift;
        Ok(Period {
            from,
            to,
            start_utc,
            end_utc,
            offset_secs,
        })
    }

    /// The months the period touches, as `YYYY-MM`, in order.
    pub fn months(&self) -> Vec<String> {
        let mut out = Vec::new();
        let (mut y, mut m) = (self.from.year(), self.from.month());
        while (y, m) <= (self.to.year(), self.to.month()) {
            out.push(format!("{y:04}-{m:02}"));
            if m == 12 {
                y += 1;
                m = 1;
            } else {
                m += 1;
            }
        }
        out
    }
}

/// Today's date in the given zone.
pub fn today_in(offset: FixedOffset) -> NaiveDate {
    chrono::Utc::now().with_timezone(&offset).date_naive()
}

/// The same day twelve months earlier (29 February goes to 28 February).
pub fn twelve_months_before(day: NaiveDate) -> NaiveDate {
    day.with_year(day.year() - 1)
        .or_else(|| NaiveDate::from_ymd_opt(day.year() - 1, day.month(), 28))
        .unwrap_or(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn time_zones_are_fixed_offsets() {
        assert_eq!(
            parse_timezone("Asia/Tokyo").unwrap().local_minus_utc(),
            32400
        );
        assert_eq!(parse_timezone("UTC").unwrap().local_minus_utc(), 0);
        assert_eq!(parse_timezone("+05:30").unwrap().local_minus_utc(), 19800);
        assert_eq!(parse_timezone("-03:00").unwrap().local_minus_utc(), -10800);
        for bad in ["Europe/Berlin", "+9", "+09", "+15:00", "09:00", ""] {
            assert!(parse_timezone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_tokyo_period_starts_at_15h_utc_the_day_before() {
        let tokyo = parse_timezone("Asia/Tokyo").unwrap();
        let p = Period::resolve(
            Some(d("2026-04-01")),
            Some(d("2026-04-30")),
            d("2026-11-24"),
            tokyo,
        )
        .unwrap();
        assert_eq!(p.start_utc.to_string(), "2026-03-31 15:00:00");
        assert_eq!(p.end_utc.to_string(), "2026-04-30 15:00:00");
        assert_eq!(p.months(), vec!["2026-04"]);
    }

    #[test]
    fn default_period_is_twelve_calendar_months_to_today() {
        let p = Period::resolve(
            None,
            None,
            d("2026-02-10"),
            FixedOffset::east_opt(0).unwrap(),
        )
        .unwrap();
        assert_eq!(p.from, d("2025-03-01"));
        assert_eq!(p.to, d("2026-02-10"));
        assert_eq!(p.months().len(), 12);
        assert_eq!(p.months()[0], "2025-03");
        assert_eq!(p.months()[11], "2026-02");
    }

    #[test]
    fn from_after_to_names_from() {
        let e = Period::resolve(
            Some(d("2026-05-02")),
            Some(d("2026-05-01")),
            d("2026-06-01"),
            FixedOffset::east_opt(0).unwrap(),
        )
        .unwrap_err();
        assert_eq!(e.param, "from");
    }

    #[test]
    fn twelve_months_before_handles_leap_days() {
        assert_eq!(twelve_months_before(d("2028-02-29")), d("2027-02-28"));
        assert_eq!(twelve_months_before(d("2026-11-24")), d("2025-11-24"));
    }
}
