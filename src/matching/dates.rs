//! Birth dates as crews say them: Western or Japanese era calendar, full or
//! partial, plus ages and date similarity levels for scoring.
//!
//! * [`parse_birth_query`] understands `1940-03-02`, `1940/3/2`, `19400302`,
//!   `1940年3月2日`, `1940`, `昭和15年3月2日`, `S15.3.2`, `ｓ１５．３．２`,
//!   `平成元年1月8日`, `昭和十五年`, …
//! * [`BirthQuery::from_age`] turns an estimated age into a birth-date range.
//! * [`date_agreement`] grades how well a query agrees with a stored date.

use chrono::{Datelike, Months, NaiveDate};
use unicode_normalization::UnicodeNormalization;

/// Earliest birth year accepted (older registrants cannot be alive).
pub const MIN_BIRTH_YEAR: i32 = 1870;

/// A birth date as given by a crew: complete, or only year / year-month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BirthQuery {
    /// A complete date.
    Date(NaiveDate),
    /// Only the year is known.
    Year(i32),
    /// Year and month are known.
    YearMonth(i32, u32),
}

/// Japanese eras that can appear in birth dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Era {
    /// 明治 (M), 1868–1912.
    Meiji,
    /// 大正 (T), 1912–1926.
    Taisho,
    /// 昭和 (S), 1926–1989.
    Showa,
    /// 平成 (H), 1989–2019.
    Heisei,
    /// 令和 (R), 2019–.
    Reiwa,
}

impl Era {
    /// Western year of era year 0 (Western year = offset + era year).
    pub fn offset(self) -> i32 {
        match self {
            Era::Meiji => 1867,
            Era::Taisho => 1911,
            Era::Showa => 1925,
            Era::Heisei => 1988,
            Era::Reiwa => 2018,
        }
    }

    /// First day of the era as (year, month, day).
    fn start(self) -> (i32, u32, u32) {
        match self {
            Era::Meiji => (1868, 1, 25),
            Era::Taisho => (1912, 7, 30),
            Era::Showa => (1926, 12, 25),
            Era::Heisei => (1989, 1, 8),
            Era::Reiwa => (2019, 5, 1),
        }
    }

    /// Last day of the era as (year, month, day); `None` for the current era.
    fn end(self) -> Option<(i32, u32, u32)> {
        match self {
            Era::Meiji => Some((1912, 7, 29)),
            Era::Taisho => Some((1926, 12, 24)),
            Era::Showa => Some((1989, 1, 7)),
            Era::Heisei => Some((2019, 4, 30)),
            Era::Reiwa => None,
        }
    }

    /// The era's kanji name.
    pub fn name(self) -> &'static str {
        match self {
            Era::Meiji => "明治",
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    /// True when the inclusive (y, m, d) span `[from, to]` overlaps the era.
    fn overlaps(self, from: (i32, u32, u32), to: (i32, u32, u32)) -> bool {
        to >= self.start() && self.end().is_none_or(|end| from <= end)
    }
}

/// Why a birth-date query was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Nothing was entered.
    Empty,
    /// The text is not a date format this parser understands.
    Unrecognized,
    /// The calendar date does not exist (month 13, February 30, day 0).
    InvalidDate,
    /// The era year / date lies outside the era (昭和65年, 昭和64年2月, 平成元年1月7日).
    OutsideEra {
        /// The era that was named.
        era: Era,
        /// The era year that was given.
        era_year: u32,
    },
    /// The date is after today.
    InFuture,
    /// The year is before [`MIN_BIRTH_YEAR`].
    TooEarly,
}

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DateError::Empty => write!(f, "no birth date given"),
            DateError::Unrecognized => write!(f, "unrecognized birth date format"),
            DateError::InvalidDate => write!(f, "no such calendar date"),
            DateError::OutsideEra { era, era_year } => {
                write!(
                    f,
                    "{}{}年 is outside the {} era",
                    era.name(),
                    era_year,
                    era.name()
                )
            }
            DateError::InFuture => write!(f, "birth date is in the future"),
            DateError::TooEarly => write!(f, "birth year before {MIN_BIRTH_YEAR}"),
        }
    }
}

impl std::error::Error for DateError {}

/// Value of a single kanji digit (〇 and 零 are 0).
fn kanji_digit(c: char) -> Option<u32> {
    match c {
        '〇' | '零' => Some(0),
        '一' => Some(1),
        '二' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        _ => None,
    }
}

/// Converts one run of kanji numerals: positional (一九四〇 → 1940) or with
/// 十 (十五 → 15, 二十 → 20, 三十一 → 31).
fn kanji_run_value(run: &[char]) -> Option<String> {
    if let Some(pos) = run.iter().position(|&c| c == '十') {
        let (before, after) = run.split_at(pos);
        let after = after.get(1..).unwrap_or(&[]);
        if before.len() > 1 || after.len() > 1 {
            return None;
        }
        let tens = match before.first() {
            Some(&c) => kanji_digit(c)?,
            None => 1,
        };
        let ones = match after.first() {
            Some(&c) => kanji_digit(c)?,
            None => 0,
        };
        Some((tens * 10 + ones).to_string())
    } else {
        run.iter()
            .map(|&c| kanji_digit(c).and_then(|d| char::from_digit(d, 10)))
            .collect()
    }
}

/// Replaces kanji numerals by ASCII digits and 元年 by 1年.
fn convert_kanji_numerals(s: &str) -> Result<String, DateError> {
    let s = s.replace("元年", "1年");
    let mut out = String::with_capacity(s.len());
    let mut run: Vec<char> = Vec::new();
    for c in s.chars() {
        if c == '十' || kanji_digit(c).is_some() {
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            out.push_str(&kanji_run_value(&run).ok_or(DateError::Unrecognized)?);
            run.clear();
        }
        out.push(c);
    }
    if !run.is_empty() {
        out.push_str(&kanji_run_value(&run).ok_or(DateError::Unrecognized)?);
    }
    Ok(out)
}

/// Strips a leading era name or letter; returns the era and the rest.
fn split_era(s: &str) -> (Option<Era>, &str) {
    const NAMES: &[(&str, Era)] = &[
        ("明治", Era::Meiji),
        ("大正", Era::Taisho),
        ("昭和", Era::Showa),
        ("平成", Era::Heisei),
        ("令和", Era::Reiwa),
        ("明", Era::Meiji),
        ("大", Era::Taisho),
        ("昭", Era::Showa),
        ("平", Era::Heisei),
        ("令", Era::Reiwa),
        ("m", Era::Meiji),
        ("t", Era::Taisho),
        ("s", Era::Showa),
        ("h", Era::Heisei),
        ("r", Era::Reiwa),
    ];
    for &(name, era) in NAMES {
        if let Some(rest) = s.strip_prefix(name) {
            return (Some(era), rest);
        }
    }
    (None, s)
}

/// Date separators accepted between numbers.
fn is_separator(c: char) -> bool {
    matches!(c, '.' | '/' | '-' | '年' | '月' | '日' | ',')
}

/// Splits into digit groups, rejecting anything but separators between them.
fn digit_groups(s: &str) -> Result<Vec<&str>, DateError> {
    let mut groups = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in s.char_indices() {
        if c.is_ascii_digit() {
            if start.is_none() {
                start = Some(i);
            }
        } else {
            if let Some(st) = start.take() {
                groups.push(s.get(st..i).ok_or(DateError::Unrecognized)?);
            }
            if !is_separator(c) {
                return Err(DateError::Unrecognized);
            }
        }
    }
    if let Some(st) = start {
        groups.push(s.get(st..).ok_or(DateError::Unrecognized)?);
    }
    if groups.is_empty() || groups.iter().any(|g| g.len() > 8) {
        return Err(DateError::Unrecognized);
    }
    Ok(groups)
}

/// Parses an ASCII digit string (already checked to be short).
fn num(s: &str) -> Result<u32, DateError> {
    s.parse::<u32>().map_err(|_| DateError::Unrecognized)
}

/// Numeric fields of a query before calendar validation.
enum Fields {
    Y(u32),
    Ym(u32, u32),
    Ymd(u32, u32, u32),
}

/// Interprets digit groups as year / month / day fields.
fn fields(groups: &[&str], era: bool) -> Result<Fields, DateError> {
    let sub =
        |g: &str, a: usize, b: usize| g.get(a..b).ok_or(DateError::Unrecognized).and_then(num);
    match groups {
        [g] if !era && g.len() == 8 => Ok(Fields::Ymd(sub(g, 0, 4)?, sub(g, 4, 6)?, sub(g, 6, 8)?)),
        [g] if !era && g.len() == 6 => Ok(Fields::Ym(sub(g, 0, 4)?, sub(g, 4, 6)?)),
        [g] if !era && g.len() == 4 => Ok(Fields::Y(num(g)?)),
        [g] if era && g.len() == 6 => Ok(Fields::Ymd(sub(g, 0, 2)?, sub(g, 2, 4)?, sub(g, 4, 6)?)),
        [g] if era && g.len() <= 2 => Ok(Fields::Y(num(g)?)),
        [y, m] if (era && y.len() <= 2) || (!era && y.len() == 4) => {
            Ok(Fields::Ym(num(y)?, num(m)?))
        }
        [y, m, d] if (era && y.len() <= 2) || (!era && y.len() == 4) => {
            Ok(Fields::Ymd(num(y)?, num(m)?, num(d)?))
        }
        _ => Err(DateError::Unrecognized),
    }
}

/// Last day of a month, or `None` for an invalid month.
fn last_day_of_month(year: i32, month: u32) -> Option<u32> {
    if !(1..=12).contains(&month) {
        return None;
    }
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }?;
    first_next.pred_opt().map(|d| d.day())
}

/// Parses a spoken/typed birth date.
///
/// Input is NFKC-normalized (full-width digits and letters allowed),
/// lower-cased, whitespace removed, kanji numerals converted (十五 → 15,
/// 一九四〇 → 1940, 元年 → 1年) and a trailing 生/生まれ/生れ dropped.
/// Accepted shapes, with separators `.` `/` `-` `年` `月` `日`:
///
/// * Western: `YYYY`, `YYYY-M`, `YYYY-M-D`, `YYYYMM`, `YYYYMMDD` (4-digit years only).
/// * Era (明治 大正 昭和 平成 令和, 明 大 昭 平 令, or M T S H R in any case):
///   `S15`, `S15.3`, `S15.3.2`, `S150302`, `昭和15年3月2日`.
///
/// Rejected: invalid calendar dates ([`DateError::InvalidDate`]), dates
/// outside the named era ([`DateError::OutsideEra`], checked against the
/// exact first/last day, so 昭和64年2月 and 平成元年1月7日 fail), dates after
/// `today` ([`DateError::InFuture`]) and years before [`MIN_BIRTH_YEAR`]
/// ([`DateError::TooEarly`]). Two-digit Western years are ambiguous and
/// rejected as [`DateError::Unrecognized`].
pub fn parse_birth_query(s: &str, today: NaiveDate) -> Result<BirthQuery, DateError> {
    let text: String = s
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    if text.is_empty() {
        return Err(DateError::Empty);
    }
    let text = convert_kanji_numerals(&text)?;
    let text = ["生まれ", "生れ", "生"]
        .iter()
        .find_map(|suffix| text.strip_suffix(suffix))
        .unwrap_or(&text);
    let (era, rest) = split_era(text);
    let rest = rest.trim_start_matches(is_separator);
    let groups = digit_groups(rest)?;
    let f = fields(&groups, era.is_some())?;

    let to_year = |y: u32| -> Result<i32, DateError> {
        let y = i32::try_from(y).map_err(|_| DateError::Unrecognized)?;
        Ok(match era {
            Some(e) => e.offset() + y,
            None => y,
        })
    };
    // Calendar validity first, then build the span [from, to] the query covers.
    let (query, from, to) = match f {
        Fields::Y(y) => {
            let y = to_year(y)?;
            (BirthQuery::Year(y), (y, 1, 1), (y, 12, 31))
        }
        Fields::Ym(y, m) => {
            let y = to_year(y)?;
            let last = last_day_of_month(y, m).ok_or(DateError::InvalidDate)?;
            (BirthQuery::YearMonth(y, m), (y, m, 1), (y, m, last))
        }
        Fields::Ymd(y, m, d) => {
            let y = to_year(y)?;
            let date = NaiveDate::from_ymd_opt(y, m, d).ok_or(DateError::InvalidDate)?;
            (BirthQuery::Date(date), (y, m, d), (y, m, d))
        }
    };
    if let Some(e) = era {
        let era_year = u32::try_from(from.0 - e.offset()).unwrap_or(0);
        if era_year == 0 || !e.overlaps(from, to) {
            return Err(DateError::OutsideEra { era: e, era_year });
        }
    }
    if from.0 < MIN_BIRTH_YEAR {
        return Err(DateError::TooEarly);
    }
    if from > (today.year(), today.month(), today.day()) {
        return Err(DateError::InFuture);
    }
    Ok(query)
}

/// Inclusive range of possible birth dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgeRange {
    /// Earliest possible birth date.
    pub earliest: NaiveDate,
    /// Latest possible birth date.
    pub latest: NaiveDate,
}

impl AgeRange {
    /// True when `d` lies inside the range.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.earliest <= d && d <= self.latest
    }

    /// The birth years the range touches, oldest first.
    pub fn years(&self) -> std::ops::RangeInclusive<i32> {
        self.earliest.year()..=self.latest.year()
    }
}

/// `today` moved back by whole years (Feb 29 → Feb 28 when needed).
fn years_before(today: NaiveDate, years: u32) -> NaiveDate {
    today
        .checked_sub_months(Months::new(years.saturating_mul(12)))
        .unwrap_or(NaiveDate::MIN)
}

impl BirthQuery {
    /// Possible birth dates of someone estimated to be `age` years old today.
    ///
    /// Crews estimate ages, so the range covers ages `age - 1 ..= age + 1`:
    /// born after `today - (age + 2) years` and on or before
    /// `today - (age - 1) years` (or today for ages 0 and 1).
    pub fn from_age(age: u32, today: NaiveDate) -> AgeRange {
        let latest = years_before(today, age.saturating_sub(1));
        let earliest = years_before(today, age.saturating_add(2))
            .succ_opt()
            .unwrap_or(NaiveDate::MIN);
        AgeRange { earliest, latest }
    }

    /// The year of the query.
    pub fn year(&self) -> i32 {
        match *self {
            BirthQuery::Date(d) => d.year(),
            BirthQuery::Year(y) | BirthQuery::YearMonth(y, _) => y,
        }
    }
}

/// Age in completed years on `today` (0 if `birth` is after `today`).
///
/// Someone born on February 29 turns a year older on March 1 in common years.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> u32 {
    if birth > today {
        return 0;
    }
    let mut years = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// How a birth query agrees with a stored birth date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateAgreement {
    /// Full date identical.
    Exact,
    /// Full date with day and month swapped (3/2 vs 2/3).
    SwappedDayMonth,
    /// Exactly one of the eight digits YYYYMMDD differs.
    OneDigitOff,
    /// Year-only query and the year agrees.
    YearOnly,
    /// Year-month query and both agree.
    YearMonth,
    /// No agreement.
    Disagree,
}

/// The date as the eight digits YYYYMMDD.
pub fn date_digits(d: NaiveDate) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

/// The date with day and month swapped, if that is a different valid date.
pub fn swapped_day_month(d: NaiveDate) -> Option<NaiveDate> {
    if d.day() == d.month() {
        return None;
    }
    NaiveDate::from_ymd_opt(d.year(), d.day(), d.month())
}

/// Grades agreement between a birth query and a stored birth date.
///
/// Full-date queries: [`DateAgreement::Exact`], then
/// [`DateAgreement::SwappedDayMonth`], then [`DateAgreement::OneDigitOff`]
/// (exactly one differing digit of YYYYMMDD), else `Disagree`. Partial
/// queries give `YearOnly` / `YearMonth` when they agree, else `Disagree`.
pub fn date_agreement(query: &BirthQuery, actual: NaiveDate) -> DateAgreement {
    match *query {
        BirthQuery::Date(q) => {
            if q == actual {
                DateAgreement::Exact
            } else if swapped_day_month(q) == Some(actual) {
                DateAgreement::SwappedDayMonth
            } else {
                let a = date_digits(q);
                let b = date_digits(actual);
                let diff = a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count();
                if a.len() == b.len() && diff == 1 {
                    DateAgreement::OneDigitOff
                } else {
                    DateAgreement::Disagree
                }
            }
        }
        BirthQuery::Year(y) if y == actual.year() => DateAgreement::YearOnly,
        BirthQuery::YearMonth(y, m) if y == actual.year() && m == actual.month() => {
            DateAgreement::YearMonth
        }
        _ => DateAgreement::Disagree,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    fn today() -> NaiveDate {
        d(2025, 6, 15)
    }

    fn p(s: &str) -> Result<BirthQuery, DateError> {
        parse_birth_query(s, today())
    }

    #[test]
    fn western_forms() {
        let want = Ok(BirthQuery::Date(d(1940, 3, 2)));
        for s in [
            "1940-03-02",
            "1940/3/2",
            "1940.3.2",
            "19400302",
            "1940年3月2日",
            " 1940 年 3 月 2 日 ",
            "１９４０／３／２",
        ] {
            assert_eq!(p(s), want, "{s}");
        }
        assert_eq!(p("1940"), Ok(BirthQuery::Year(1940)));
        assert_eq!(p("1940年"), Ok(BirthQuery::Year(1940)));
        assert_eq!(p("1940年3月"), Ok(BirthQuery::YearMonth(1940, 3)));
        assert_eq!(p("1940-3"), Ok(BirthQuery::YearMonth(1940, 3)));
        assert_eq!(p("194003"), Ok(BirthQuery::YearMonth(1940, 3)));
    }

    #[test]
    fn era_forms() {
        let want = Ok(BirthQuery::Date(d(1940, 3, 2)));
        for s in [
            "昭和15年3月2日",
            "S15.3.2",
            "s15/3/2",
            "ｓ１５．３．２",
            "Ｓ15-3-2",
            "昭15.3.2",
            "昭和 15 年 3 月 2 日",
            "S150302",
            "昭和十五年三月二日",
            "昭和15年3月2日生まれ",
        ] {
            assert_eq!(p(s), want, "{s}");
        }
        assert_eq!(p("昭和15年"), Ok(BirthQuery::Year(1940)));
        assert_eq!(p("昭和十五年"), Ok(BirthQuery::Year(1940)));
        assert_eq!(p("S15.3"), Ok(BirthQuery::YearMonth(1940, 3)));
        assert_eq!(p("平成元年1月8日"), Ok(BirthQuery::Date(d(1989, 1, 8))));
        assert_eq!(p("平成元年"), Ok(BirthQuery::Year(1989)));
        assert_eq!(p("H1.1.8"), Ok(BirthQuery::Date(d(1989, 1, 8))));
        assert_eq!(p("R2"), Ok(BirthQuery::Year(2020)));
        assert_eq!(p("r2.5.1"), Ok(BirthQuery::Date(d(2020, 5, 1))));
        assert_eq!(p("令和元年5月1日"), Ok(BirthQuery::Date(d(2019, 5, 1))));
        assert_eq!(p("大正3年"), Ok(BirthQuery::Year(1914)));
        assert_eq!(p("T3.1.1"), Ok(BirthQuery::Date(d(1914, 1, 1))));
        assert_eq!(p("明治40年"), Ok(BirthQuery::Year(1907)));
        assert_eq!(p("M40.12.31"), Ok(BirthQuery::Date(d(1907, 12, 31))));
        assert_eq!(p("昭和64年1月7日"), Ok(BirthQuery::Date(d(1989, 1, 7))));
        assert_eq!(p("昭和64年"), Ok(BirthQuery::Year(1989)));
    }

    #[test]
    fn era_out_of_range_rejected() {
        assert!(matches!(
            p("昭和65年1月1日"),
            Err(DateError::OutsideEra {
                era: Era::Showa,
                era_year: 65
            })
        ));
        assert!(matches!(p("昭和65年"), Err(DateError::OutsideEra { .. })));
        assert!(matches!(
            p("昭和64年2月"),
            Err(DateError::OutsideEra { .. })
        ));
        assert!(matches!(
            p("昭和64年1月8日"),
            Err(DateError::OutsideEra { .. })
        ));
        assert!(matches!(
            p("平成元年1月7日"),
            Err(DateError::OutsideEra { .. })
        ));
        assert!(matches!(p("平成32年"), Err(DateError::OutsideEra { .. })));
        assert!(matches!(p("大正16年"), Err(DateError::OutsideEra { .. })));
        assert!(matches!(p("昭和0年"), Err(DateError::OutsideEra { .. })));
    }

    #[test]
    fn invalid_dates_rejected() {
        assert_eq!(p("1940-2-30"), Err(DateError::InvalidDate));
        assert_eq!(p("1940-13-1"), Err(DateError::InvalidDate));
        assert_eq!(p("1940-13"), Err(DateError::InvalidDate));
        assert_eq!(p("1940-0"), Err(DateError::InvalidDate));
        assert_eq!(p("1940-0-5"), Err(DateError::InvalidDate));
        assert_eq!(p("S15.2.30"), Err(DateError::InvalidDate));
        assert_eq!(p("1941-2-29"), Err(DateError::InvalidDate));
        assert_eq!(p("1940-2-29"), Ok(BirthQuery::Date(d(1940, 2, 29))));
        assert_eq!(p("2030-1-1"), Err(DateError::InFuture));
        assert_eq!(p("2025-6-16"), Err(DateError::InFuture));
        assert_eq!(p("R8"), Err(DateError::InFuture));
        assert_eq!(p("1869"), Err(DateError::TooEarly));
        assert_eq!(p("明治2年"), Err(DateError::TooEarly));
        assert_eq!(p(""), Err(DateError::Empty));
        assert_eq!(p("  "), Err(DateError::Empty));
        assert_eq!(p("15.3.2"), Err(DateError::Unrecognized));
        assert_eq!(p("abc"), Err(DateError::Unrecognized));
        assert_eq!(p("X15.3.2"), Err(DateError::Unrecognized));
    }

    #[test]
    fn ages() {
        let t = today();
        assert_eq!(age_on(d(1940, 3, 2), t), 85);
        assert_eq!(age_on(d(1940, 6, 15), t), 85);
        assert_eq!(age_on(d(1940, 6, 16), t), 84);
        assert_eq!(age_on(d(2030, 1, 1), t), 0);
        assert_eq!(age_on(d(1940, 2, 29), d(2025, 2, 28)), 84);
        assert_eq!(age_on(d(1940, 2, 29), d(2025, 3, 1)), 85);
    }

    #[test]
    fn age_range_widened_by_one_year() {
        let t = today();
        let r = BirthQuery::from_age(85, t);
        assert_eq!(r.earliest, d(1938, 6, 16));
        assert_eq!(r.latest, d(1941, 6, 15));
        // everyone aged 84..=86 is inside, 83 and 87 are outside
        for birth in [d(1940, 3, 2), d(1938, 6, 16), d(1941, 6, 15), d(1939, 1, 1)] {
            assert!(r.contains(birth), "{birth}");
            let a = age_on(birth, t);
            assert!((84..=86).contains(&a));
        }
        assert!(!r.contains(d(1938, 6, 15)));
        assert_eq!(age_on(d(1938, 6, 15), t), 87);
        assert!(!r.contains(d(1941, 6, 16)));
        assert_eq!(r.years(), 1938..=1941);
        let baby = BirthQuery::from_age(0, t);
        assert_eq!(baby.latest, t);
    }

    #[test]
    fn agreement_levels() {
        let actual = d(1940, 3, 2);
        assert_eq!(
            date_agreement(&BirthQuery::Date(d(1940, 3, 2)), actual),
            DateAgreement::Exact
        );
        assert_eq!(
            date_agreement(&BirthQuery::Date(d(1940, 2, 3)), actual),
            DateAgreement::SwappedDayMonth
        );
        assert_eq!(
            date_agreement(&BirthQuery::Date(d(1941, 3, 2)), actual),
            DateAgreement::OneDigitOff
        );
        assert_eq!(
            date_agreement(&BirthQuery::Date(d(1940, 3, 7)), actual),
            DateAgreement::OneDigitOff
        );
        assert_eq!(
            date_agreement(&BirthQuery::Date(d(1940, 3, 12)), actual),
            DateAgreement::OneDigitOff
        );
        assert_eq!(
            date_agreement(&BirthQuery::Date(d(1940, 4, 3)), actual),
            DateAgreement::Disagree
        );
        assert_eq!(
            date_agreement(&BirthQuery::Date(d(1950, 3, 12)), actual),
            DateAgreement::Disagree
        );
        assert_eq!(
            date_agreement(&BirthQuery::Year(1940), actual),
            DateAgreement::YearOnly
        );
        assert_eq!(
            date_agreement(&BirthQuery::Year(1941), actual),
            DateAgreement::Disagree
        );
        assert_eq!(
            date_agreement(&BirthQuery::YearMonth(1940, 3), actual),
            DateAgreement::YearMonth
        );
        assert_eq!(
            date_agreement(&BirthQuery::YearMonth(1940, 4), actual),
            DateAgreement::Disagree
        );
        // 11/11 has no distinct swap
        assert_eq!(swapped_day_month(d(1940, 11, 11)), None);
        assert_eq!(swapped_day_month(d(1940, 3, 25)), None);
    }
}
