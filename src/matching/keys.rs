//! Blocking keys: short strings stored per registrant in an indexed table.
//!
//! A search never scans the registry. It computes the query's keys with
//! [`query_keys`], looks each one up in the index, and scores only the
//! registrants found. Each registrant stores at most 12 keys
//! ([`registrant_keys`]); every key is `kind:value`, at most
//! [`MAX_KEY_BYTES`] bytes.
//!
//! | kind | value | purpose |
//! |------|-------|---------|
//! | `pn` | phonetic key of family+given reading | name heard right (up to mishearing); date wrong, swapped, in era form, or only an age |
//! | `kn` | kanji name key of family+given name | kanji query, incl. variant kanji; date wrong or missing |
//! | `pf` | phonetic family reading + birth year | given name wrong; month/day wrong |
//! | `kf` | kanji family name key + birth year | kanji query with given name wrong |
//! | `pg` | phonetic given reading + YYYYMMDD | family name wrong or changed (marriage) |
//! | `ds` | YYYYMMDD + sex | name unusable, full date right |
//! | `dm` | YYYYMMDD + first syllable of phonetic family reading | name badly misheard except its first sound |
//! | `ph` | last 8 phone digits (≤ 3 phones) | phone known |
//! | `cc` | canonical card code | card in hand |
//!
//! Selectivity in a population of 1,000,000 (elderly cohorts ≈ 1.2 % per
//! birth year): `pn`/`kn` ≈ tens for the most common full names; `pf`/`kf`
//! ≈ 100–200 for 佐藤 born in one year; `ds` ≈ 15; `pg`, `dm`, `ph`, `cc` ≈ 1.
//! No key is a bare year, sex, age or surname.
//!
//! Because the query name may have no space between family and given
//! names, [`query_keys`] tries every split point for the per-part keys
//! (`pf`, `kf`, `pg`); the full-name keys (`pn`, `kn`) need no split. With
//! a full-name reading and a birth date carrying one kind of noise
//! (misheard long vowel, small kana, voicing; variant kanji; swapped
//! day/month; one wrong digit; era form; an age instead of a date) at least
//! one key still agrees, usually `pn` or `kn`. Queries emit more keys than
//! registrants (one exact index lookup each, typically 20–60).

use chrono::{Datelike, NaiveDate};

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

/// First character of a phonetic key, as a string.
fn first_sound(phonetic: &str) -> Option<String> {
    phonetic.chars().next().map(String::from)
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

/// The blocking keys stored for a registrant (deduplicated, at most 12).
pub fn registrant_keys(p: &PersonFields) -> Vec<String> {
    let full_reading = format!("{}{}", p.family_kana, p.given_kana);
    let full_kanji = format!("{}{}", p.family_name, p.given_name);
    let family_ph = phonetic_key(&p.family_kana);
    let given_ph = phonetic_key(&p.given_kana);
    let year = p.birth_date.year().to_string();
    let date = date_digits(p.birth_date);
    let sex = p.sex.code().to_string();

    let mut keys: Vec<Option<String>> = vec![
        make_key("pn", &phonetic_key(&full_reading), None),
        make_key("kn", &name_key(&full_kanji), None),
        make_key("pf", &family_ph, Some(&year)),
        make_key("kf", &name_key(&p.family_name), Some(&year)),
        make_key("pg", &given_ph, Some(&date)),
        make_key("ds", &date, Some(&sex)),
        first_sound(&family_ph).and_then(|s| make_key("dm", &date, Some(&s))),
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
    dedup(keys.into_iter().flatten().collect())
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

/// Birth dates and years the query stands for.
fn query_dates(q: &Query, today: NaiveDate) -> (Vec<NaiveDate>, Vec<i32>) {
    match q.birth {
        Some(BirthQuery::Date(d)) => {
            let mut dates = vec![d];
            dates.extend(swapped_day_month(d));
            (dates, vec![d.year()])
        }
        Some(BirthQuery::Year(y)) | Some(BirthQuery::YearMonth(y, _)) => (Vec::new(), vec![y]),
        None => match q.age {
            Some(age) => (
                Vec::new(),
                BirthQuery::from_age(age, today).years().collect(),
            ),
            None => (Vec::new(), Vec::new()),
        },
    }
}

/// The keys to look up for a query (deduplicated).
///
/// * name: `pn` (kana queries) and `kn` on the whole name; for each split
///   point, `pf` (kana family part) or `kf` (other family part) per
///   candidate year, and `pg` per candidate date when the given part is kana;
/// * dates: the date itself and its day/month swap; years from a date,
///   a partial date, or the ±1-widened age range;
/// * `ds` for the observed sex and `u`, or for every sex when not observed;
/// * `dm` when the name is kana; `ph` from the last 8 phone digits; `cc`.
pub fn query_keys(q: &Query, today: NaiveDate) -> Vec<String> {
    let (dates, years) = query_dates(q, today);
    let date_strs: Vec<String> = dates.iter().map(|&d| date_digits(d)).collect();
    let year_strs: Vec<String> = years.iter().map(i32::to_string).collect();
    let mut keys: Vec<Option<String>> = Vec::new();

    if let Some(name) = q.name.as_deref() {
        let kana = is_kana(name);
        let full_ph = phonetic_key(name);
        if kana {
            keys.push(make_key("pn", &full_ph, None));
            if let Some(s) = first_sound(&full_ph) {
                keys.extend(date_strs.iter().map(|d| make_key("dm", d, Some(&s))));
            }
        }
        keys.push(make_key("kn", &name_key(name), None));
        for (family, given) in name_splits(name) {
            let family_key = if is_kana(&family) {
                ("pf", phonetic_key(&family))
            } else {
                ("kf", name_key(&family))
            };
            keys.extend(
                year_strs
                    .iter()
                    .map(|y| make_key(family_key.0, &family_key.1, Some(y))),
            );
            if is_kana(&given) {
                let given_ph = phonetic_key(&given);
                keys.extend(date_strs.iter().map(|d| make_key("pg", &given_ph, Some(d))));
            }
        }
    }

    let sexes: Vec<Sex> = match q.sex {
        Some(s) if s != Sex::Unknown => vec![s, Sex::Unknown],
        _ => vec![Sex::Male, Sex::Female, Sex::Other, Sex::Unknown],
    };
    for d in &date_strs {
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
        assert!(keys.len() <= 12, "{keys:?}");
        assert!(keys.iter().all(|k| k.len() <= MAX_KEY_BYTES));
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), keys.len());
        assert_eq!(keys.iter().filter(|k| k.starts_with("ph:")).count(), 3);
        // long values keep their suffix
        assert!(keys
            .iter()
            .any(|k| k.starts_with("pf:") && k.ends_with(":1940")));
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
        let q = name_date("高橋花子", BirthQuery::Date(d(1950, 1, 1)));
        assert!(finds(&q, &p));
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
    fn splits() {
        assert_eq!(
            name_splits("佐藤 花子"),
            vec![("佐藤".to_string(), "花子".to_string())]
        );
        assert_eq!(name_splits("サトウハナコ").len(), 5);
        assert_eq!(name_splits("サトウ").len(), 2);
    }
}
