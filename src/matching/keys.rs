//! Blocking keys: short strings stored per registrant in an indexed table.
//!
//! A search never scans the registry. It computes the query's keys with
//! [`query_keys`], looks each one up in the index, and scores only the
//! registrants found. Each registrant stores at most [`MAX_REGISTRANT_KEYS`]
//! keys ([`registrant_keys`]); every key is `kind:value`, at most
//! [`MAX_KEY_BYTES`] bytes.
//!
//! | kind | value | purpose |
//! |------|-------|---------|
//! | `pn` | phonetic key of family+given reading | name alone (no date, no age) |
//! | `kn` | kanji name key of family+given name | name alone, in kanji |
//! | `py` | phonetic full name + birth year | name heard right (up to mishearing); month/day wrong or swapped; age or year only |
//! | `ky` | kanji full name + birth year | the same for kanji queries (variant kanji folded) |
//! | `pd` | phonetic full name + MMDD | name heard right; year wrong (one digit, era miscounted) |
//! | `kd` | kanji full name + MMDD | the same for kanji queries |
//! | `pf` | phonetic family reading + YYYYMM | given name wrong or unknown; day wrong |
//! | `kf` | kanji family name key + YYYYMM | the same for kanji queries |
//! | `ds` | YYYYMMDD + sex | name unusable (badly misheard, family name changed), full date right |
//! | `ph` | last 8 phone digits (≤ 3 phones) | phone known |
//! | `cc` | canonical card code | card in hand |
//! | `mk` | kanji family name + phonetic given reading | mixed scripts (`田中 はなこ`) |
//! | `mr` | phonetic family reading + kanji given name | mixed scripts (`たなか 花子`) |
//! | `ad` | address comparison form (town + block numbers, ≤ 2) | family name + address (the nameplate) |
//! | `pc` | postal code (7 digits) | postal code known (broad) |
//! | `pz` | phonetic full name with one kana removed + birth year | one kana wrong, inserted or dropped (broad) |
//!
//! A full birth date error by one digit changes either the year or MMDD,
//! never both, so `py`/`ky` and `pd`/`kd` together find a person whose name
//! is heard right whatever single digit of the date is wrong, without a
//! key as broad as a bare full name. The bare `pn`/`kn` keys are looked up
//! only for queries that carry neither a birth date nor an age.
//!
//! Selectivity in a population of 1,000,000 (elderly cohorts ≈ 2.5 % per
//! birth year): `py`/`ky` ≈ 25 for the most common full names, `pd`/`kd`
//! ≈ 3, `pf`/`kf` ≈ 100 for 佐藤 born in one month, `ds` ≈ 35, `ph`, `cc`
//! ≈ 1; `pn`/`kn` reach ≈ 1,000 for the most common full names, which is
//! why they serve only name-only queries; `mk`/`mr` reach as many as
//! `pn`/`kn`; `ad` one household or building; `pz` ≈ 1–3; `pc` a postal
//! district (hundreds, so it is read only in the broad stage). No key is a
//! bare year, sex, age or surname.
//!
//! Because the query name may have no space between family and given
//! names, [`query_keys`] tries every split point for the per-part keys
//! (`pf`, `kf`); the full-name keys need no split. With a full-name reading
//! and a birth date carrying one kind of noise (misheard long vowel, small
//! kana, voicing; variant kanji; swapped day/month; one wrong digit; era
//! form; an age instead of a date) at least one key still agrees.

use chrono::{Datelike, NaiveDate};

use super::address::{parse_address, registered_address};
use super::card::normalize_card_code;
use super::dates::{date_digits, swapped_day_month, BirthQuery};
use super::kana::{is_kana, normalize_text, phonetic_key};
use super::kanji::name_key;
use super::phone::phone_tail;

/// Maximum length of a key in bytes.
pub const MAX_KEY_BYTES: usize = 64;

/// Maximum number of phone numbers of one registrant that get a key.
pub const MAX_PHONE_KEYS: usize = 3;

/// Sex as recorded or observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
    /// Other.
    Other,
    /// Not known.
    #[default]
    Unknown,
}

impl Sex {
    /// One-letter code used in keys.
    pub fn code(self) -> char {
        match self {
            Sex::Male => 'm',
            Sex::Female => 'f',
            Sex::Other => 'o',
            Sex::Unknown => 'u',
        }
    }

    /// True for male or female, the values worth comparing.
    pub fn is_known(self) -> bool {
        matches!(self, Sex::Male | Sex::Female)
    }
}

/// The matching-relevant fields of one registrant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonFields {
    /// Family name in kanji (or kana if that is how it is registered).
    pub family_name: String,
    /// Given name in kanji (or kana).
    pub given_name: String,
    /// Reading of the family name in kana.
    pub family_kana: String,
    /// Reading of the given name in kana.
    pub given_kana: String,
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// Registered sex.
    pub sex: Sex,
    /// Phone numbers as entered.
    pub phones: Vec<String>,
    /// Postal code as entered (e.g. `123-4567`).
    pub postal_code: Option<String>,
    /// Address line as entered.
    pub address_line: Option<String>,
    /// Card code (any accepted spelling; normalized when used).
    pub card_code: String,
    /// District the registrant lives in.
    pub district_code: Option<String>,
}

/// What a crew knows about the person in front of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// Full name as free text: kanji, hiragana, katakana or mixed, with or
    /// without a space between family and given name.
    pub name: Option<String>,
    /// Birth date, full or partial.
    pub birth: Option<BirthQuery>,
    /// Estimated age (used when `birth` is absent).
    pub age: Option<u32>,
    /// Observed sex.
    pub sex: Option<Sex>,
    /// Phone number.
    pub phone: Option<String>,
    /// Address or postal code (`〒123-4567 …`).
    pub address: Option<String>,
    /// Card code as read from the card.
    pub card_code: Option<String>,
    /// District of the incident: weak evidence that the person lives there,
    /// used to order people the other fields cannot tell apart.
    pub district: Option<String>,
}

/// Builds `kind:value[:suffix]`, truncating `value` at a character boundary
/// so the key fits in [`MAX_KEY_BYTES`]. Returns `None` for an empty value.
fn make_key(kind: &str, value: &str, suffix: Option<&str>) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    let fixed = kind.len() + 1 + suffix.map_or(0, |s| s.len() + 1);
    let budget = MAX_KEY_BYTES.saturating_sub(fixed);
    let mut end = 0;
    for (i, c) in value.char_indices() {
        if i + c.len_utf8() > budget {
            break;
        }
        end = i + c.len_utf8();
    }
    let value = value.get(..end)?;
    if value.is_empty() {
        return None;
    }
    Some(match suffix {
        Some(s) => format!("{kind}:{value}:{s}"),
        None => format!("{kind}:{value}"),
    })
}

/// Removes duplicates, keeping first occurrences.
fn dedup(keys: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(keys.len());
    for k in keys {
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// Maximum number of keys stored for one registrant.
pub const MAX_REGISTRANT_KEYS: usize = 28;

/// Shortest phonetic full name whose one-kana deletions are stored (`pz`):
/// shorter names would give deletion keys shared by too many people.
const MIN_DELETION_NAME: usize = 4;

/// Longest phonetic full name whose deletions are stored (longer names are
/// rare, and their keys would crowd out the others).
const MAX_DELETION_NAME: usize = 12;

/// Most address forms stored per registrant (the shortest ones: the town
/// without prefecture and city, which a crew's address always shares).
const MAX_ADDRESS_KEYS: usize = 2;

/// The texts with one character removed, each once.
fn deletions(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<String> = Vec::with_capacity(chars.len());
    for i in 0..chars.len() {
        let d: String = chars[..i].iter().chain(&chars[i + 1..]).collect();
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

/// The name values whose frequency among registrants weighs an agreement
/// (see [`super::score::NameCounts`]): `f:`/`g:` phonetic family/given
/// reading, `F:`/`G:` family/given name key (kanji as registered).
pub fn name_values(p: &PersonFields) -> Vec<String> {
    let mut out = Vec::with_capacity(4);
    for (prefix, value) in [
        ("f:", phonetic_key(&p.family_kana)),
        ("g:", phonetic_key(&p.given_kana)),
        ("F:", name_key(&p.family_name)),
        ("G:", name_key(&p.given_name)),
    ] {
        if !value.is_empty() {
            out.push(format!("{prefix}{value}"));
        }
    }
    out
}

/// The same values read back from a registrant's stored keys (`pf`, `kf`,
/// `mk`, `mr`), so that a key rewrite knows which counts to move without the
/// previous row.
pub fn name_values_of_keys(keys: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(4);
    for key in keys {
        let Some((kind, rest)) = key.split_once(':') else {
            continue;
        };
        let Some((head, tail)) = rest.rsplit_once(':') else {
            continue;
        };
        let value = match kind {
            "pf" => format!("f:{head}"),
            "kf" => format!("F:{head}"),
            "mk" => format!("g:{tail}"),
            "mr" => format!("G:{tail}"),
            _ => continue,
        };
        if !out.contains(&value) {
            out.push(value);
        }
    }
    out
}

/// `MMDD` of a date.
fn month_day(d: NaiveDate) -> String {
    format!("{:02}{:02}", d.month(), d.day())
}

/// `YYYYMM` of a date.
fn year_month(y: i32, m: u32) -> String {
    format!("{y:04}{m:02}")
}

/// The blocking keys stored for a registrant (deduplicated, at most
/// [`MAX_REGISTRANT_KEYS`]).
pub fn registrant_keys(p: &PersonFields) -> Vec<String> {
    let full_ph = phonetic_key(&format!("{}{}", p.family_kana, p.given_kana));
    let full_kanji = name_key(&format!("{}{}", p.family_name, p.given_name));
    let family_ph = phonetic_key(&p.family_kana);
    let family_kanji = name_key(&p.family_name);
    let year = p.birth_date.year().to_string();
    let md = month_day(p.birth_date);
    let ym = year_month(p.birth_date.year(), p.birth_date.month());
    let date = date_digits(p.birth_date);
    let sex = p.sex.code().to_string();

    let mut keys: Vec<Option<String>> = vec![
        make_key("pn", &full_ph, None),
        make_key("kn", &full_kanji, None),
        make_key("py", &full_ph, Some(&year)),
        make_key("ky", &full_kanji, Some(&year)),
        make_key("pd", &full_ph, Some(&md)),
        make_key("kd", &full_kanji, Some(&md)),
        make_key("pf", &family_ph, Some(&ym)),
        make_key("kf", &family_kanji, Some(&ym)),
        make_key("ds", &date, Some(&sex)),
        normalize_card_code(&p.card_code).and_then(|c| make_key("cc", &c, None)),
    ];
    let mut tails: Vec<String> = Vec::new();
    for phone in &p.phones {
        if let Some(t) = phone_tail(phone) {
            if !tails.contains(&t) && tails.len() < MAX_PHONE_KEYS {
                tails.push(t);
            }
        }
    }
    keys.extend(tails.iter().map(|t| make_key("ph", t, None)));
    // Mixed scripts: kanji family name with the given name in kana, and the
    // other way round (田中 はなこ, たなか 花子).
    let given_ph = phonetic_key(&p.given_kana);
    keys.push(make_key("mk", &family_kanji, Some(&given_ph)));
    keys.push(make_key("mr", &family_ph, Some(&name_key(&p.given_name))));
    // The address: its shortest comparison forms, and the postal code.
    let place = registered_address(
        p.postal_code.as_deref(),
        p.address_line.as_deref().unwrap_or(""),
    );
    let skip = place.forms.len().saturating_sub(MAX_ADDRESS_KEYS);
    keys.extend(
        place
            .forms
            .iter()
            .skip(skip)
            .map(|f| make_key("ad", f, None)),
    );
    if let Some(postal) = &place.postal {
        keys.push(make_key("pc", postal, None));
    }
    // One kana wrong, inserted or dropped: the full reading with one kana
    // removed, with the birth year (a query shares one of these, or its own
    // deletions equal the stored reading).
    let len = full_ph.chars().count();
    if (MIN_DELETION_NAME..=MAX_DELETION_NAME).contains(&len) {
        keys.extend(
            deletions(&full_ph)
                .iter()
                .map(|d| make_key("pz", d, Some(&year))),
        );
    }
    let mut keys = dedup(keys.into_iter().flatten().collect());
    keys.truncate(MAX_REGISTRANT_KEYS);
    keys
}

/// Ways to split a query name into (family, given) parts.
///
/// If the name contains whitespace or a middle dot separating exactly two
/// parts, only that split is used; otherwise every split point of the
/// normalized text is tried.
pub fn name_splits(name: &str) -> Vec<(String, String)> {
    let parts: Vec<String> = name
        .split(|c: char| c.is_whitespace() || matches!(c, '・' | '･'))
        .map(normalize_text)
        .filter(|p| !p.is_empty())
        .collect();
    if let [family, given] = parts.as_slice() {
        return vec![(family.clone(), given.clone())];
    }
    let text = normalize_text(name);
    let chars: Vec<char> = text.chars().collect();
    (1..chars.len())
        .map(|i| {
            let (a, b) = chars.split_at(i);
            (a.iter().collect(), b.iter().collect())
        })
        .collect()
}

/// What the query's birth information contributes to keys.
#[derive(Default)]
struct DateParts {
    /// The full date as YYYYMMDD (not its swap: `ds` serves queries whose
    /// name is unusable, and a swapped date on top would be a second noise).
    dates: Vec<String>,
    /// Candidate birth years.
    years: Vec<String>,
    /// MMDD of the full dates.
    month_days: Vec<String>,
    /// YYYYMM of the full date (not its swap, as for `dates`) or of a
    /// year-month query.
    year_months: Vec<String>,
}

/// Birth dates, years, month-days and year-months the query stands for.
fn query_dates(q: &Query, today: NaiveDate) -> DateParts {
    let mut parts = DateParts::default();
    match q.birth {
        Some(BirthQuery::Date(d)) => {
            parts.dates.push(date_digits(d));
            parts.year_months.push(year_month(d.year(), d.month()));
            parts.month_days.push(month_day(d));
            parts.month_days.extend(swapped_day_month(d).map(month_day));
            parts.years.push(d.year().to_string());
        }
        Some(BirthQuery::YearMonth(y, m)) => {
            parts.years.push(y.to_string());
            parts.year_months.push(year_month(y, m));
        }
        Some(BirthQuery::Year(y)) => parts.years.push(y.to_string()),
        None => {
            if let Some(age) = q.age {
                parts.years = BirthQuery::from_age(age, today)
                    .years()
                    .map(|y| y.to_string())
                    .collect();
            }
        }
    }
    parts
}

/// The keys to look up for a query (deduplicated).
///
/// * whole name: `py`/`ky` per candidate year (from a date, a partial date
///   or the ±1-widened age range) and `pd`/`kd` per MMDD of the date and of
///   its day/month swap; only when the query has no date and no age, the
///   bare `pn`/`kn`. `p*` keys when the name is kana, `k*` keys always
///   (kana registered as the name matches them too);
/// * for each split point, `pf` (kana family part) or `kf` (other family
///   part) for the YYYYMM of the date;
/// * `ds` for the date, for the observed sex and `u`, or for every sex when
///   not observed;
/// * `ph` from the last 8 phone digits; `cc`.
pub fn query_keys(q: &Query, today: NaiveDate) -> Vec<String> {
    let parts = query_dates(q, today);
    let mut keys: Vec<Option<String>> = Vec::new();

    if let Some(name) = q.name.as_deref() {
        let mut whole: Vec<(&str, &str, String)> = vec![("ky", "kd", name_key(name))];
        let mut bare: Vec<(&str, String)> = vec![("kn", name_key(name))];
        if is_kana(name) {
            let ph = phonetic_key(name);
            whole.insert(0, ("py", "pd", ph.clone()));
            bare.insert(0, ("pn", ph));
        }
        for (year_kind, md_kind, value) in &whole {
            keys.extend(
                parts
                    .years
                    .iter()
                    .map(|y| make_key(year_kind, value, Some(y))),
            );
            keys.extend(
                parts
                    .month_days
                    .iter()
                    .map(|md| make_key(md_kind, value, Some(md))),
            );
        }
        if parts.years.is_empty() {
            keys.extend(bare.iter().map(|(kind, value)| make_key(kind, value, None)));
        }
        if is_kana(name) {
            let ph = phonetic_key(name);
            let len = ph.chars().count();
            for y in &parts.years {
                if len + 1 >= MIN_DELETION_NAME {
                    keys.push(make_key("pz", &ph, Some(y)));
                }
                if (MIN_DELETION_NAME..=MAX_DELETION_NAME + 1).contains(&len) {
                    for d in deletions(&ph) {
                        keys.push(make_key("pz", &d, Some(y)));
                        keys.push(make_key("py", &d, Some(y)));
                    }
                }
            }
        }
        for (family, given) in name_splits(name) {
            let (kind, value) = if is_kana(&family) {
                ("pf", phonetic_key(&family))
            } else {
                ("kf", name_key(&family))
            };
            keys.extend(
                parts
                    .year_months
                    .iter()
                    .map(|ym| make_key(kind, &value, Some(ym))),
            );
            match (is_kana(&family), is_kana(&given)) {
                (false, true) => keys.push(make_key(
                    "mk",
                    &name_key(&family),
                    Some(&phonetic_key(&given)),
                )),
                (true, false) => keys.push(make_key(
                    "mr",
                    &phonetic_key(&family),
                    Some(&name_key(&given)),
                )),
                _ => {}
            }
        }
    }
    if let Some(address) = q.address.as_deref() {
        let place = parse_address(address);
        keys.extend(place.forms.iter().map(|f| make_key("ad", f, None)));
        // The postal code reaches hundreds of people: read only when the
        // address names no block.
        if let (Some(postal), true) = (&place.postal, place.forms.is_empty()) {
            keys.push(make_key("pc", postal, None));
        }
    }

    let sexes: Vec<Sex> = match q.sex {
        Some(s) if s != Sex::Unknown => vec![s, Sex::Unknown],
        _ => vec![Sex::Male, Sex::Female, Sex::Other, Sex::Unknown],
    };
    for d in &parts.dates {
        for s in &sexes {
            keys.push(make_key("ds", d, Some(&s.code().to_string())));
        }
    }
    if let Some(tail) = q.phone.as_deref().and_then(phone_tail) {
        keys.push(make_key("ph", &tail, None));
    }
    if let Some(code) = q.card_code.as_deref().and_then(normalize_card_code) {
        keys.push(make_key("cc", &code, None));
    }
    dedup(keys.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::super::card::{format_card_code, generate_card_code};
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    fn today() -> NaiveDate {
        d(2025, 6, 15)
    }

    fn hanako() -> PersonFields {
        PersonFields {
            family_name: "佐藤".into(),
            given_name: "花子".into(),
            family_kana: "サトウ".into(),
            given_kana: "ハナコ".into(),
            birth_date: d(1940, 3, 2),
            sex: Sex::Female,
            phones: vec!["090-1234-5678".into(), "03-3333-4444".into()],
            postal_code: Some("123-4567".into()),
            address_line: Some("中央1-2-3".into()),
            card_code: generate_card_code([1, 2, 3, 4, 5, 6, 7, 8]),
            district_code: None,
        }
    }

    fn finds(q: &Query, p: &PersonFields) -> bool {
        let stored = registrant_keys(p);
        query_keys(q, today()).iter().any(|k| stored.contains(k))
    }

    fn name_date(name: &str, birth: BirthQuery) -> Query {
        Query {
            name: Some(name.into()),
            birth: Some(birth),
            ..Query::default()
        }
    }

    #[test]
    fn registrant_keys_are_bounded() {
        let mut p = hanako();
        p.phones.push("0120-000-111".into());
        p.phones.push("0120-000-222".into());
        p.family_kana = "ア".repeat(40);
        let keys = registrant_keys(&p);
        assert!(keys.len() <= MAX_REGISTRANT_KEYS, "{keys:?}");
        assert!(keys.iter().all(|k| k.len() <= MAX_KEY_BYTES));
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), keys.len());
        assert_eq!(keys.iter().filter(|k| k.starts_with("ph:")).count(), 3);
        // long values keep their suffix
        assert!(keys
            .iter()
            .any(|k| k.starts_with("pf:") && k.ends_with(":194003")));
        assert!(keys
            .iter()
            .any(|k| k.starts_with("py:") && k.ends_with(":1940")));
    }

    #[test]
    fn no_weak_keys() {
        let keys = registrant_keys(&hanako());
        for k in &keys {
            assert!(k != "1940" && !k.starts_with("sex") && k.len() > 6, "{k}");
        }
        assert!(keys.iter().all(|k| k.contains(':')));
    }

    #[test]
    fn name_forms_all_find() {
        let p = hanako();
        for name in [
            "サトウハナコ",
            "さとう はなこ",
            "佐藤花子",
            "佐藤 花子",
            "ｻﾄｳ ﾊﾅｺ",
            "サトウ　ハナコ",
            "サトウ・ハナコ",
        ] {
            let q = Query {
                name: Some(name.into()),
                ..Query::default()
            };
            assert!(finds(&q, &p), "{name}");
        }
    }

    #[test]
    fn one_noise_still_finds() {
        let p = hanako();
        let date = BirthQuery::Date(d(1940, 3, 2));
        let cases = [
            name_date("サトーハナコ", date), // long vowel
            name_date("さとおはなこ", date), // long vowel as お
            name_date("サドウハナコ", date), // voicing added
            name_date("サトウハナコ", BirthQuery::Date(d(1940, 2, 3))), // swapped
            name_date("サトウハナコ", BirthQuery::Date(d(1941, 3, 2))), // one digit
            name_date("佐藤花子", BirthQuery::Date(d(1941, 3, 2))), // kanji + one digit
            name_date("サトウハナコ", BirthQuery::Year(1940)),
            name_date("サトウハナミ", date), // given name wrong → pf + year
            name_date("タカハシハナコ", date), // family changed → pg + date
            name_date("サトウ ハナミ", date),
        ];
        for (i, q) in cases.iter().enumerate() {
            assert!(finds(q, &p), "case {i}: {q:?}");
        }
        let age = Query {
            name: Some("サトウハナコ".into()),
            age: Some(86),
            ..Query::default()
        };
        assert!(finds(&age, &p));
        let age_kanji = Query {
            name: Some("佐藤花子".into()),
            age: Some(84),
            ..Query::default()
        };
        assert!(finds(&age_kanji, &p));
        // date and sex only
        let ds = Query {
            birth: Some(date),
            sex: Some(Sex::Female),
            ..Query::default()
        };
        assert!(finds(&ds, &p));
    }

    #[test]
    fn variant_kanji_find() {
        let mut p = hanako();
        p.family_name = "髙橋".into();
        p.family_kana = "タカハシ".into();
        // variant kanji, and the year one digit off (1950 for 1940): `kd`
        let q = name_date("高橋花子", BirthQuery::Date(d(1950, 3, 2)));
        assert!(finds(&q, &p));
        // a date wrong in more than one digit is not looked for: such a
        // candidate would score below the candidate threshold anyway
        let q = name_date("高橋花子", BirthQuery::Date(d(1950, 1, 1)));
        assert!(!finds(&q, &p));
        let mut p2 = hanako();
        p2.family_name = "渡辺".into();
        let q2 = name_date("渡邊 花子", BirthQuery::Year(1940));
        assert!(finds(&q2, &p2));
    }

    #[test]
    fn small_kana_and_archaic_find() {
        let mut p = hanako();
        p.family_kana = "ヤマザキ".into();
        p.given_kana = "キョウコ".into();
        for name in ["やまさき きようこ", "ヤマサキキョーコ", "ﾔﾏｻﾞｷ ｷｮｳｺ"]
        {
            let q = name_date(name, BirthQuery::Date(d(1940, 3, 2)));
            assert!(finds(&q, &p), "{name}");
        }
    }

    #[test]
    fn phone_and_card_keys() {
        let p = hanako();
        let q = Query {
            phone: Some("１２３４－５６７８".into()),
            ..Query::default()
        };
        assert!(finds(&q, &p));
        let shown = format_card_code(&p.card_code).to_lowercase();
        let q = Query {
            card_code: Some(shown),
            ..Query::default()
        };
        assert!(finds(&q, &p));
        let q = Query {
            card_code: Some("bad".into()),
            ..Query::default()
        };
        assert!(query_keys(&q, today()).is_empty());
    }

    #[test]
    fn weak_queries_emit_no_broad_keys() {
        let q = Query {
            sex: Some(Sex::Male),
            age: Some(80),
            ..Query::default()
        };
        assert!(query_keys(&q, today()).is_empty());
        let q = Query {
            birth: Some(BirthQuery::Year(1940)),
            ..Query::default()
        };
        assert!(query_keys(&q, today()).is_empty());
    }

    #[test]
    fn dated_queries_use_narrow_keys_only() {
        let q = name_date("サトウハナコ", BirthQuery::Date(d(1940, 3, 2)));
        let keys = query_keys(&q, today());
        // no bare full-name key (≈ 1,000 registrants for a common name in a
        // city of a million) when a date narrows it
        assert!(!keys
            .iter()
            .any(|k| k.starts_with("pn:") || k.starts_with("kn:")));
        assert!(keys.contains(&"py:サトハナコ:1940".to_string()));
        assert!(keys.contains(&"pd:サトハナコ:0302".to_string()));
        assert!(keys.contains(&"pd:サトハナコ:0203".to_string()));
        // date+sex only for the date as given
        assert!(keys
            .iter()
            .filter(|k| k.starts_with("ds:"))
            .all(|k| k.contains("19400302")));
        // a name alone falls back to the bare keys
        let name_only = Query {
            name: Some("さとう はなこ".into()),
            ..Query::default()
        };
        let keys = query_keys(&name_only, today());
        assert!(keys.contains(&"pn:サトハナコ".to_string()));
        assert!(finds(&name_only, &hanako()));
    }

    #[test]
    fn one_wrong_digit_anywhere_still_finds() {
        let p = hanako();
        for wrong in [
            d(1950, 3, 2),
            d(1941, 3, 2),
            d(1940, 8, 2),
            d(1940, 3, 12),
            d(1940, 3, 7),
        ] {
            for name in ["佐藤花子", "サトウハナコ"] {
                let q = name_date(name, BirthQuery::Date(wrong));
                assert!(finds(&q, &p), "{name} {wrong}");
            }
        }
    }

    #[test]
    fn splits() {
        assert_eq!(
            name_splits("佐藤 花子"),
            vec![("佐藤".to_string(), "花子".to_string())]
        );
        assert_eq!(name_splits("サトウハナコ").len(), 5);
        assert_eq!(name_splits("サトウ").len(), 2);
    }
}
