//! Fellegi–Sunter scoring of a crew's query against one registrant, and the
//! decision rule that turns scored candidates into a match, a short list,
//! or nothing.
//!
//! Each compared field contributes `log2(m/u)` for its agreement level,
//! where `m` is the probability of that level when query and registrant are
//! the same person and `u` the probability for two different people drawn
//! from a city of about 1,000,000 (elderly-heavy). Disagreement levels use
//! `m` = the rest of the probability mass, so their weight is negative.
//! A field missing on either side is not compared (weight 0).
//!
//! | field | level | m | u | weight (bits) |
//! |-------|-------|---|---|---------------|
//! | name | kanji equal (after variant folding) | 0.80 | 1e-5 | +16.3 |
//! | name | reading equal (kana, or kanji+kana mix) | 0.85 | 2e-5 | +15.4 |
//! | name | sound equal (spelling only: ー, small kana, ヅ/ズ) | 0.08 | 3e-5 | +11.4 |
//! | name | phonetic equal only (voicing, long vowel lost) | 0.05 | 2e-4 | +8.0 |
//! | name | partial (family or given only) | 0.04 | 1e-2 | +2.0 |
//! | name | disagree | 0.02 | 0.994 | −5.6 |
//! | birth (date) | exact | 0.90 | 1/(365.25·30) | +13.3 |
//! | birth (date) | day/month swapped | 0.012 | 1/(365.25·30) | +7.0 |
//! | birth (date) | one digit off | 0.05 | 10/(365.25·30) | +5.8 |
//! | birth (date) | disagree | 0.04 | 0.996 | −4.6 |
//! | birth (year-month) | agree / disagree | 0.92 / 0.08 | 1/360 / 1 | +8.4 / −3.6 |
//! | birth (year) | agree / disagree | 0.92 / 0.08 | 1/30 / 0.967 | +4.8 / −3.6 |
//! | age (±1) | consistent / not | 0.95 / 0.05 | 0.10 / 0.90 | +3.2 / −4.2 |
//! | sex | agree / disagree | 0.98 / 0.008 | 0.5 / 0.5 | +1.0 / −6.0 |
//! | phone | agree / disagree | 0.60 / 0.35 | 1e-5 / 1 | +15.9 / −1.5 |
//! | address | address equal | 0.50 | 5e-4 | +10.0 |
//! | address | postal code equal | 0.60 | 1/300 | +7.5 |
//! | address | disagree | 0.30 | 1 | −1.7 |
//! | card | exact / disagree | 0.99 / 0.01 | 1e-12 / 1 | +39.9 / −6.6 |
//!
//! Notes: age is compared only when no birth date is given. Sex is compared
//! only when both sides are male/female. Phones with fewer than 8 digits in
//! the query are ignored. The sex disagreement weight is chosen so that
//! name + full date + wrong sex stays below [`MATCH_THRESHOLD`], and so that
//! two registrants differing only in sex stay within [`MATCH_GAP`] of each
//! other (sex is mis-recorded and mis-observed too often to decide alone).
//!
//! The weights are tuned with the matching evaluation (synthetic populations
//! of 200,000 and 1,000,000, thousands of noisy queries per kind of noise)
//! under these rules, which unit tests check:
//!
//! * A date wrong by one noise (day/month swapped, one digit off) scores
//!   within [`MATCH_GAP`] of the exact date. A query whose date is exact for
//!   one namesake and one noise away for another is ambiguous: the crew may
//!   have misspoken. It gives `candidates`, never a `match` (in a city of a
//!   million, a namesake one digit away exists for about one query in ten).
//! * Kanji name + swapped date stays below [`MATCH_THRESHOLD`], so an
//!   unregistered person never matches a namesake whose day and month are
//!   the query's swapped.
//! * A reading that sounds the same but is spelled differently (sound
//!   level) with the exact date is a `match`, and leads a person who shares
//!   only the family or the given name and the date by more than
//!   [`MATCH_GAP`].
//! * A reading equal only on the tolerant phonetic key (voicing mark or long
//!   vowel lost) with the exact date gives `candidates`: サトウジュンイチ and
//!   サトウシュンイチ born on the same day are different people, and the
//!   one asked for may not be registered.

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

use super::card::normalize_card_code;
use super::dates::{age_on, date_agreement, BirthQuery, DateAgreement};
use super::kana::{is_kana, phonetic_alt_key, phonetic_key, reading_key, sound_key};
use super::kanji::name_key;
use super::keys::{name_splits, PersonFields, Query, Sex};
use super::phone::{phone_tail, phones_match};

/// Minimum score for an automatic match (≈ 2^24 : 1 likelihood ratio).
pub const MATCH_THRESHOLD: f64 = 24.0;
/// Minimum lead of the best over the second-best score for a match.
pub const MATCH_GAP: f64 = 8.0;
/// Minimum score to be listed as a candidate; also the minimum
/// [`max_possible_weight`] for a query to be answered at all.
pub const CANDIDATE_THRESHOLD: f64 = 15.0;
/// Maximum number of candidates returned.
pub const MAX_CANDIDATES: usize = 5;

/// `log2(m / u)`.
fn w(m: f64, u: f64) -> f64 {
    (m / u).log2()
}

/// Mean number of days in the ~30-year spread of registrants' birth dates.
const DAYS_30_YEARS: f64 = 365.25 * 30.0;

/// Name comparison levels, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NameLevel {
    /// Kanji name keys equal (after NFKC and variant folding).
    KanjiEqual,
    /// Exact kana reading, or each part equal in kanji or kana.
    ReadingEqual,
    /// Readings sound the same but are spelled differently (ー for a
    /// repeated vowel, small kana written large, ヅ/ズ …): [`sound_key`]s
    /// equal (whole name, or each part).
    SoundEqual,
    /// Only the tolerant phonetic keys are equal (a voicing mark or a long
    /// vowel lost: ジュン/シュン, オオノ/オノ). Different real names share
    /// these, so this level alone never makes a match with a birth date.
    PhoneticEqual,
    /// Only the family or only the given name agrees.
    Partial,
    /// No agreement.
    Disagree,
}

impl NameLevel {
    /// Log2 likelihood-ratio weight.
    pub fn weight(self) -> f64 {
        match self {
            NameLevel::KanjiEqual => w(0.80, 1e-5),
            NameLevel::ReadingEqual => w(0.85, 2e-5),
            NameLevel::SoundEqual => w(0.08, 3e-5),
            NameLevel::PhoneticEqual => w(0.05, 2e-4),
            NameLevel::Partial => w(0.04, 1e-2),
            NameLevel::Disagree => w(0.02, 0.994),
        }
    }
}

/// Weight of a birth-date agreement level for the given query kind.
pub fn birth_weight(query: &BirthQuery, level: DateAgreement) -> f64 {
    let u_day = 1.0 / DAYS_30_YEARS;
    match (query, level) {
        (BirthQuery::Date(_), DateAgreement::Exact) => w(0.90, u_day),
        (BirthQuery::Date(_), DateAgreement::SwappedDayMonth) => w(0.012, u_day),
        (BirthQuery::Date(_), DateAgreement::OneDigitOff) => w(0.05, 10.0 * u_day),
        (BirthQuery::Date(_), _) => w(0.04, 0.996),
        (BirthQuery::YearMonth(..), DateAgreement::YearMonth) => w(0.92, 1.0 / 360.0),
        (BirthQuery::YearMonth(..), _) => w(0.08, 1.0),
        (BirthQuery::Year(_), DateAgreement::YearOnly) => w(0.92, 1.0 / 30.0),
        (BirthQuery::Year(_), _) => w(0.08, 0.967),
    }
}

/// Best possible birth weight for a query kind.
fn birth_max_weight(query: &BirthQuery) -> f64 {
    let best = match query {
        BirthQuery::Date(_) => DateAgreement::Exact,
        BirthQuery::YearMonth(..) => DateAgreement::YearMonth,
        BirthQuery::Year(_) => DateAgreement::YearOnly,
    };
    birth_weight(query, best)
}

/// Age comparison levels (age within ±1 year of the estimate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AgeLevel {
    /// The registrant's age is within ±1 of the estimate.
    Consistent,
    /// It is not.
    Inconsistent,
}

impl AgeLevel {
    /// Log2 likelihood-ratio weight.
    pub fn weight(self) -> f64 {
        match self {
            AgeLevel::Consistent => w(0.95, 0.10),
            AgeLevel::Inconsistent => w(0.05, 0.90),
        }
    }
}

/// Agreement levels for sex, phone and card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Agreement {
    /// Values agree.
    Agree,
    /// Values disagree.
    Disagree,
}

/// Weight of a sex comparison.
pub fn sex_weight(level: Agreement) -> f64 {
    match level {
        Agreement::Agree => w(0.98, 0.5),
        Agreement::Disagree => w(0.008, 0.5),
    }
}

/// Weight of a phone comparison.
pub fn phone_weight(level: Agreement) -> f64 {
    match level {
        Agreement::Agree => w(0.60, 1e-5),
        Agreement::Disagree => w(0.35, 1.0),
    }
}

/// Weight of a card code comparison (exact agreement is decisive).
pub fn card_weight(level: Agreement) -> f64 {
    match level {
        Agreement::Agree => w(0.99, 1e-12),
        Agreement::Disagree => w(0.01, 1.0),
    }
}

/// Address comparison levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddressLevel {
    /// Address text agrees (equal, or one contains the other at digit boundaries).
    AddressEqual,
    /// Postal code agrees.
    PostalEqual,
    /// Neither agrees.
    Disagree,
}

impl AddressLevel {
    /// Log2 likelihood-ratio weight.
    pub fn weight(self) -> f64 {
        match self {
            AddressLevel::AddressEqual => w(0.50, 5e-4),
            AddressLevel::PostalEqual => w(0.60, 1.0 / 300.0),
            AddressLevel::Disagree => w(0.30, 1.0),
        }
    }
}

/// A scored comparison: total weight and the level of each compared field
/// (`None` = not compared because a side was missing).
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    /// Sum of field weights (log2 likelihood ratio).
    pub total: f64,
    /// Name level.
    pub name: Option<NameLevel>,
    /// Birth-date level.
    pub birth: Option<DateAgreement>,
    /// Age level (only when the query has an age and no birth date).
    pub age: Option<AgeLevel>,
    /// Sex level.
    pub sex: Option<Agreement>,
    /// Phone level.
    pub phone: Option<Agreement>,
    /// Address / postal code level.
    pub address: Option<AddressLevel>,
    /// Card code level.
    pub card: Option<Agreement>,
}

/// How one part of a query name agrees with one part of a registrant's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum PartLevel {
    None,
    Phonetic,
    Sound,
    Exact,
}

/// The phonetic keys of a reading ([`phonetic_key`] and, for readings with
/// ヂ/ヅ, [`phonetic_alt_key`]).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Phonetic {
    key: String,
    alt: Option<String>,
}

impl Phonetic {
    fn new(reading: &str) -> Self {
        Self {
            key: phonetic_key(reading),
            alt: phonetic_alt_key(reading),
        }
    }

    /// True when any key of one side equals any key of the other.
    fn agrees(&self, other: &Phonetic) -> bool {
        self.key == other.key
            || self.alt.as_ref().is_some_and(|a| *a == other.key)
            || other
                .alt
                .as_ref()
                .is_some_and(|b| *b == self.key || self.alt.as_ref() == Some(b))
    }
}

/// Comparison keys of one name part (or a whole name) on the query side.
#[derive(Clone, Debug, PartialEq, Eq)]
struct QueryPart {
    /// [`name_key`] of the part.
    key: String,
    /// Strict reading, sound and phonetic keys, when the part is kana.
    kana: Option<(String, String, Phonetic)>,
}

impl QueryPart {
    fn new(part: &str) -> Self {
        let kana = is_kana(part).then(|| (reading_key(part), sound_key(part), Phonetic::new(part)));
        Self {
            key: name_key(part),
            kana,
        }
    }
}

/// All keys of a query name, computed once per query (not per candidate).
#[derive(Clone, Debug, PartialEq, Eq)]
struct QueryName {
    /// The whole name.
    whole: QueryPart,
    /// Every (family, given) split of [`name_splits`].
    splits: Vec<(QueryPart, QueryPart)>,
}

impl QueryName {
    fn new(query: &str) -> Self {
        Self {
            whole: QueryPart::new(query),
            splits: name_splits(query)
                .iter()
                .map(|(f, g)| (QueryPart::new(f), QueryPart::new(g)))
                .collect(),
        }
    }
}

thread_local! {
    /// The keys of the last query name scored on this thread. A search
    /// scores many candidates against one query; this avoids normalizing
    /// the query again for each of them.
    static LAST_QUERY_NAME: std::cell::RefCell<Option<(String, std::rc::Rc<QueryName>)>> =
        const { std::cell::RefCell::new(None) };
}

/// The [`QueryName`] of `query`, from the per-thread cache when possible.
fn query_name(query: &str) -> std::rc::Rc<QueryName> {
    LAST_QUERY_NAME.with(|cell| {
        let mut slot = cell.borrow_mut();
        if let Some((text, keys)) = slot.as_ref() {
            if text == query {
                return std::rc::Rc::clone(keys);
            }
        }
        let keys = std::rc::Rc::new(QueryName::new(query));
        *slot = Some((query.to_string(), std::rc::Rc::clone(&keys)));
        keys
    })
}

/// Comparison keys of one part of a registrant's name.
struct RegistrantPart {
    /// [`name_key`] of the kanji (may be empty).
    kanji: String,
    /// Strict reading, sound and phonetic keys of the kana, if any.
    kana: Option<(String, String, Phonetic)>,
}

impl RegistrantPart {
    fn new(kanji: &str, kana: &str) -> Self {
        let kana = (!kana.trim().is_empty())
            .then(|| (reading_key(kana), sound_key(kana), Phonetic::new(kana)));
        Self {
            kanji: name_key(kanji),
            kana,
        }
    }

    /// How a query part agrees with this registrant part.
    fn level(&self, part: &QueryPart) -> PartLevel {
        if part.key.is_empty() {
            return PartLevel::None;
        }
        if !self.kanji.is_empty() && part.key == self.kanji {
            return PartLevel::Exact;
        }
        if let (Some((q_reading, q_sound, q_phonetic)), Some((reading, sound, phonetic))) =
            (&part.kana, &self.kana)
        {
            if q_reading == reading {
                return PartLevel::Exact;
            }
            if q_sound == sound {
                return PartLevel::Sound;
            }
            if q_phonetic.agrees(phonetic) {
                return PartLevel::Phonetic;
            }
        }
        PartLevel::None
    }
}

/// Grades the query name against the registrant's name.
fn name_level(query: &str, p: &PersonFields) -> Option<NameLevel> {
    let q = query_name(query);
    let full_kanji = name_key(&format!("{}{}", p.family_name, p.given_name));
    let full_reading = reading_key(&format!("{}{}", p.family_kana, p.given_kana));
    if q.whole.key.is_empty() || (full_kanji.is_empty() && full_reading.is_empty()) {
        return None;
    }
    if !full_kanji.is_empty() && q.whole.key == full_kanji {
        return Some(NameLevel::KanjiEqual);
    }
    let mut best = NameLevel::Disagree;
    if let Some((q_reading, q_sound, q_phonetic)) = &q.whole.kana {
        if !full_reading.is_empty() {
            if *q_reading == full_reading {
                return Some(NameLevel::ReadingEqual);
            }
            if *q_sound == sound_key(&full_reading) {
                best = NameLevel::SoundEqual;
            } else if q_phonetic.agrees(&Phonetic::new(&full_reading)) {
                best = NameLevel::PhoneticEqual;
            }
        }
    }
    let family = RegistrantPart::new(&p.family_name, &p.family_kana);
    let given = RegistrantPart::new(&p.given_name, &p.given_kana);
    for (f_part, g_part) in &q.splits {
        let f = family.level(f_part);
        let g = given.level(g_part);
        let level = match (f, g) {
            (PartLevel::Exact, PartLevel::Exact) => NameLevel::ReadingEqual,
            (PartLevel::None, PartLevel::None) => NameLevel::Disagree,
            (PartLevel::None, _) | (_, PartLevel::None) => NameLevel::Partial,
            (a, b) if a.min(b) >= PartLevel::Sound => NameLevel::SoundEqual,
            _ => NameLevel::PhoneticEqual,
        };
        if level.weight() > best.weight() {
            best = level;
        }
    }
    if best == NameLevel::Disagree
        && (family.level(&q.whole) != PartLevel::None || given.level(&q.whole) != PartLevel::None)
    {
        best = NameLevel::Partial;
    }
    Some(best)
}

/// Splits a query address into (postal code, address text).
///
/// A postal code is recognized when the text starts with 〒, or consists
/// only of 7 digits with optional hyphens/spaces.
fn split_postal(s: &str) -> (Option<String>, String) {
    let text: String = s.nfkc().collect();
    let text = text.trim();
    let is_sep = |c: char| c.is_whitespace() || matches!(c, '-' | '‐' | '−' | 'ー');
    if let Some(body) = text.strip_prefix('〒') {
        let body = body.trim_start();
        let mut digits = String::new();
        let mut rest_start = body.len();
        for (i, c) in body.char_indices() {
            if c.is_ascii_digit() && digits.len() < 7 {
                digits.push(c);
            } else if !(is_sep(c) && digits.len() < 7 && !digits.is_empty()) {
                rest_start = i;
                break;
            }
        }
        let rest = body.get(rest_start..).unwrap_or("").to_string();
        return if digits.len() == 7 {
            (Some(digits), rest)
        } else {
            (None, rest)
        };
    }
    if text.chars().all(|c| c.is_ascii_digit() || is_sep(c)) {
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        if digits.len() == 7 {
            return (Some(digits), String::new());
        }
    }
    (None, text.to_string())
}

/// Postal code digits of a registrant's postal code field.
fn postal_digits(s: &str) -> Option<String> {
    let digits: String = s.nfkc().filter(char::is_ascii_digit).collect();
    (digits.len() == 7).then_some(digits)
}

/// Address comparison key: [`name_key`] (NFKC, no spaces, katakana, folded
/// kanji), then 丁目/番地/番 → `-`, 号 dropped, dash-like characters → `-`,
/// runs of `-` collapsed and trailing `-` trimmed. Kanji numerals are not
/// converted.
pub fn address_key(s: &str) -> String {
    let key = name_key(s)
        .replace("丁目", "-")
        .replace("番地", "-")
        .replace('番', "-")
        .replace('号', "");
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        let c = if matches!(c, '‐' | '‑' | '–' | '—' | '―' | '−' | 'ー') {
            '-'
        } else {
            c
        };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    out.trim_end_matches('-').to_string()
}

/// True when `short` occurs in `long` without splitting a number
/// (so 中央1-2-3 is not found inside 中央1-2-30).
fn contains_at_digit_boundary(long: &str, short: &str) -> bool {
    long.match_indices(short).any(|(i, m)| {
        let before = long.get(..i).and_then(|b| b.chars().next_back());
        let after = long.get(i + m.len()..).and_then(|a| a.chars().next());
        let starts_digit = short.chars().next().is_some_and(|c| c.is_ascii_digit());
        let ends_digit = short
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit());
        let splits_before = starts_digit && before.is_some_and(|c| c.is_ascii_digit());
        let splits_after = ends_digit && after.is_some_and(|c| c.is_ascii_digit());
        !splits_before && !splits_after
    })
}

/// Grades the query address against the registrant's address and postal code.
fn address_level(query: &str, p: &PersonFields) -> Option<AddressLevel> {
    let (q_postal, q_text) = split_postal(query);
    let q_addr = address_key(&q_text);
    let r_addr = p
        .address_line
        .as_deref()
        .map(address_key)
        .unwrap_or_default();
    let r_postal = p.postal_code.as_deref().and_then(postal_digits);
    let mut compared = false;
    if !q_addr.is_empty() && !r_addr.is_empty() {
        compared = true;
        let (short, long) = if q_addr.chars().count() <= r_addr.chars().count() {
            (&q_addr, &r_addr)
        } else {
            (&r_addr, &q_addr)
        };
        let specific = short.chars().count() >= 4 && short.chars().any(|c| c.is_ascii_digit());
        if short == long || (specific && contains_at_digit_boundary(long, short)) {
            return Some(AddressLevel::AddressEqual);
        }
    }
    if let (Some(qp), Some(rp)) = (&q_postal, &r_postal) {
        compared = true;
        if qp == rp {
            return Some(AddressLevel::PostalEqual);
        }
    }
    compared.then_some(AddressLevel::Disagree)
}

/// Scores a query against one registrant as of `today`.
pub fn score(q: &Query, p: &PersonFields, today: NaiveDate) -> Score {
    let name = q.name.as_deref().and_then(|n| name_level(n, p));
    let birth = q.birth.as_ref().map(|b| date_agreement(b, p.birth_date));
    let age = match (q.birth, q.age) {
        (None, Some(a)) => Some(if age_on(p.birth_date, today).abs_diff(a) <= 1 {
            AgeLevel::Consistent
        } else {
            AgeLevel::Inconsistent
        }),
        _ => None,
    };
    let sex = match q.sex {
        Some(s) if s.is_known() && p.sex.is_known() => Some(if s == p.sex {
            Agreement::Agree
        } else {
            Agreement::Disagree
        }),
        _ => None,
    };
    let phone = match q.phone.as_deref() {
        Some(ph) if phone_tail(ph).is_some() && !p.phones.is_empty() => {
            Some(if p.phones.iter().any(|r| phones_match(ph, r)) {
                Agreement::Agree
            } else {
                Agreement::Disagree
            })
        }
        _ => None,
    };
    let address = q.address.as_deref().and_then(|a| address_level(a, p));
    let card = q
        .card_code
        .as_deref()
        .and_then(normalize_card_code)
        .and_then(|code| {
            normalize_card_code(&p.card_code).map(|own| {
                if own == code {
                    Agreement::Agree
                } else {
                    Agreement::Disagree
                }
            })
        });

    let mut total = 0.0;
    total += name.map_or(0.0, NameLevel::weight);
    if let (Some(b), Some(level)) = (q.birth.as_ref(), birth) {
        total += birth_weight(b, level);
    }
    total += age.map_or(0.0, AgeLevel::weight);
    total += sex.map_or(0.0, sex_weight);
    total += phone.map_or(0.0, phone_weight);
    total += address.map_or(0.0, AddressLevel::weight);
    total += card.map_or(0.0, card_weight);
    Score {
        total,
        name,
        birth,
        age,
        sex,
        phone,
        address,
        card,
    }
}

/// Highest score any registrant could reach for this query.
///
/// A query whose maximum is below [`CANDIDATE_THRESHOLD`] (a birth year, an
/// age, a sex, a date alone, an address alone …) cannot identify anyone and
/// is refused by [`decide`]. A lone surname passes this test (it is
/// indistinguishable from a full name here) but only ever reaches the
/// `Partial` name level, far below the threshold.
pub fn max_possible_weight(q: &Query) -> f64 {
    let mut total = 0.0;
    if q.name.as_deref().is_some_and(|n| !name_key(n).is_empty()) {
        total += NameLevel::KanjiEqual.weight();
    }
    match (&q.birth, q.age) {
        (Some(b), _) => total += birth_max_weight(b),
        (None, Some(_)) => total += AgeLevel::Consistent.weight(),
        (None, None) => {}
    }
    if q.sex.is_some_and(Sex::is_known) {
        total += sex_weight(Agreement::Agree);
    }
    if q.phone.as_deref().and_then(phone_tail).is_some() {
        total += phone_weight(Agreement::Agree);
    }
    if let Some(a) = q.address.as_deref() {
        let (postal, text) = split_postal(a);
        if !address_key(&text).is_empty() {
            total += AddressLevel::AddressEqual.weight();
        } else if postal.is_some() {
            total += AddressLevel::PostalEqual.weight();
        }
    }
    if q.card_code
        .as_deref()
        .and_then(normalize_card_code)
        .is_some()
    {
        total += card_weight(Agreement::Agree);
    }
    total
}

/// Outcome of a search.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision<T> {
    /// One registrant is identified, with its score.
    Match(T, f64),
    /// Up to [`MAX_CANDIDATES`] registrants for the crew to check, best first.
    Candidates(Vec<(T, f64)>),
    /// Nobody qualifies, or the query is too weak.
    NoMatch,
}

/// Turns scored candidates into a decision.
///
/// Refuses weak queries ([`max_possible_weight`] below
/// [`CANDIDATE_THRESHOLD`]). Otherwise sorts by score, descending (non-finite
/// scores are dropped). `Match(best)` needs best ≥ [`MATCH_THRESHOLD`] and
/// a lead of at least [`MATCH_GAP`] over the runner-up; otherwise the top
/// [`MAX_CANDIDATES`] with score ≥ [`CANDIDATE_THRESHOLD`] are returned, or
/// `NoMatch` if there are none.
pub fn decide<T: Clone>(scored: &[(T, f64)], q: &Query) -> Decision<T> {
    if max_possible_weight(q) < CANDIDATE_THRESHOLD {
        return Decision::NoMatch;
    }
    let mut ranked: Vec<&(T, f64)> = scored.iter().filter(|(_, s)| s.is_finite()).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut iter = ranked.iter();
    let Some(best) = iter.next() else {
        return Decision::NoMatch;
    };
    let second = iter.next().map_or(f64::NEG_INFINITY, |s| s.1);
    if best.1 >= MATCH_THRESHOLD && best.1 - second >= MATCH_GAP {
        return Decision::Match(best.0.clone(), best.1);
    }
    let candidates: Vec<(T, f64)> = ranked
        .iter()
        .filter(|(_, s)| *s >= CANDIDATE_THRESHOLD)
        .take(MAX_CANDIDATES)
        .map(|(t, s)| (t.clone(), *s))
        .collect();
    if candidates.is_empty() {
        Decision::NoMatch
    } else {
        Decision::Candidates(candidates)
    }
}

#[cfg(test)]
mod tests {
    use super::super::card::{format_card_code, generate_card_code};
    use super::super::dates::parse_birth_query;
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    fn today() -> NaiveDate {
        d(2025, 6, 15)
    }

    #[allow(clippy::too_many_arguments)]
    fn person(
        family: &str,
        given: &str,
        fk: &str,
        gk: &str,
        birth: NaiveDate,
        sex: Sex,
        phone: &str,
        seed: u8,
    ) -> PersonFields {
        PersonFields {
            family_name: family.into(),
            given_name: given.into(),
            family_kana: fk.into(),
            given_kana: gk.into(),
            birth_date: birth,
            sex,
            phones: if phone.is_empty() {
                vec![]
            } else {
                vec![phone.into()]
            },
            postal_code: Some("123-4567".into()),
            address_line: Some("中央1丁目2番3号".into()),
            card_code: generate_card_code([seed, 9, 8, 7, 6, 5, 4, 3]),
        }
    }

    fn hanako() -> PersonFields {
        person(
            "佐藤",
            "花子",
            "サトウ",
            "ハナコ",
            d(1940, 3, 2),
            Sex::Female,
            "090-1234-5678",
            1,
        )
    }

    /// A small registry: the target, a namesake, a spouse, and strangers.
    fn registry() -> Vec<PersonFields> {
        vec![
            hanako(),
            person(
                "佐藤",
                "花子",
                "サトウ",
                "ハナコ",
                d(1938, 11, 20),
                Sex::Female,
                "",
                2,
            ),
            person(
                "佐藤",
                "一郎",
                "サトウ",
                "イチロウ",
                d(1937, 5, 5),
                Sex::Male,
                "090-1234-5678",
                3,
            ),
            person(
                "髙橋",
                "恵子",
                "タカハシ",
                "ケイコ",
                d(1945, 7, 7),
                Sex::Female,
                "",
                4,
            ),
            person(
                "山﨑",
                "京子",
                "ヤマザキ",
                "キョウコ",
                d(1950, 1, 20),
                Sex::Female,
                "",
                5,
            ),
            person(
                "大野",
                "勇",
                "オオノ",
                "イサム",
                d(1942, 8, 15),
                Sex::Male,
                "",
                6,
            ),
        ]
    }

    fn run(q: &Query, people: &[PersonFields]) -> Decision<usize> {
        let scored: Vec<(usize, f64)> = people
            .iter()
            .enumerate()
            .map(|(i, p)| (i, score(q, p, today()).total))
            .collect();
        decide(&scored, q)
    }

    fn q_name_date(name: &str, birth: &str) -> Query {
        Query {
            name: Some(name.into()),
            birth: Some(parse_birth_query(birth, today()).unwrap()),
            ..Query::default()
        }
    }

    fn is_match(dec: &Decision<usize>, who: usize) -> bool {
        matches!(dec, Decision::Match(i, _) if *i == who)
    }

    #[test]
    fn weights_are_sane() {
        assert!(NameLevel::KanjiEqual.weight() > 16.0);
        assert!(NameLevel::Disagree.weight() < 0.0);
        assert!(card_weight(Agreement::Agree) > MATCH_THRESHOLD + MATCH_GAP);
        let date = BirthQuery::Date(d(1940, 3, 2));
        let exact = birth_weight(&date, DateAgreement::Exact);
        assert!((13.0..14.0).contains(&exact));
        // name + date + wrong sex must stay below the match threshold
        assert!(
            NameLevel::KanjiEqual.weight() + exact + sex_weight(Agreement::Disagree)
                < MATCH_THRESHOLD
        );
        // two people differing only in sex must stay within the gap
        assert!(sex_weight(Agreement::Agree) - sex_weight(Agreement::Disagree) < MATCH_GAP);
    }

    #[test]
    fn date_noise_stays_within_the_gap() {
        let date = BirthQuery::Date(d(1940, 3, 2));
        let exact = birth_weight(&date, DateAgreement::Exact);
        let swapped = birth_weight(&date, DateAgreement::SwappedDayMonth);
        let digit = birth_weight(&date, DateAgreement::OneDigitOff);
        assert!(exact - swapped < MATCH_GAP);
        assert!(exact - digit < MATCH_GAP);
        assert!(swapped > 0.0 && digit > 0.0);
        // exact name + a noisy date is never a match on its own
        assert!(NameLevel::KanjiEqual.weight() + swapped < MATCH_THRESHOLD);
        assert!(NameLevel::KanjiEqual.weight() + digit < MATCH_THRESHOLD);
        // but it is a candidate
        assert!(NameLevel::ReadingEqual.weight() + digit >= CANDIDATE_THRESHOLD);
    }

    #[test]
    fn misheard_name_with_exact_date_is_a_clear_match() {
        let exact = birth_weight(&BirthQuery::Date(d(1940, 3, 2)), DateAgreement::Exact);
        let sound = NameLevel::SoundEqual.weight() + exact;
        assert!(sound >= MATCH_THRESHOLD);
        assert!(sound - (NameLevel::Partial.weight() + exact) >= MATCH_GAP + 1.0);
        // reading vs sound-alike namesakes on the same date stay ambiguous
        assert!(NameLevel::ReadingEqual.weight() - NameLevel::SoundEqual.weight() < MATCH_GAP);
        // a phonetic-only agreement never matches, even with sex agreeing
        let phonetic = NameLevel::PhoneticEqual.weight() + exact + sex_weight(Agreement::Agree);
        assert!(phonetic < MATCH_THRESHOLD);
        assert!(phonetic >= CANDIDATE_THRESHOLD);
    }

    #[test]
    fn namesake_one_digit_away_gives_candidates() {
        // 佐藤花子 born 1940-03-02 and a namesake born 1940-03-12: the query
        // 1940-03-12 may be a slip for 03-02, so nobody is matched, and the
        // exact one is listed first.
        let a = hanako();
        let mut b = hanako();
        b.birth_date = d(1940, 3, 12);
        b.card_code = generate_card_code([44, 0, 0, 0, 0, 0, 0, 0]);
        b.phones = vec![];
        let people = [a, b];
        for birth in ["1940-03-12", "1940-03-02"] {
            match run(&q_name_date("佐藤花子", birth), &people) {
                Decision::Candidates(c) => {
                    assert_eq!(c.len(), 2);
                    assert_eq!(people[c[0].0].birth_date.to_string(), birth);
                }
                other => panic!("{birth}: {other:?}"),
            }
        }
        // alone, either is a candidate for the other's date, not a match
        let dec = run(&q_name_date("佐藤花子", "1940-03-12"), &people[..1]);
        assert!(
            matches!(dec, Decision::Candidates(ref c) if c.len() == 1),
            "{dec:?}"
        );
    }

    #[test]
    fn swapped_date_alone_is_not_a_match() {
        let reg = registry();
        let dec = run(&q_name_date("佐藤花子", "1940-2-3"), &reg);
        assert!(
            matches!(dec, Decision::Candidates(ref c) if c[0].0 == 0),
            "{dec:?}"
        );
    }

    #[test]
    fn query_name_cache_follows_the_query() {
        let p = hanako();
        let a = score(&q_name_date("サトウハナコ", "1940-3-2"), &p, today());
        let b = score(&q_name_date("タカハシハナコ", "1940-3-2"), &p, today());
        let c = score(&q_name_date("サトウハナコ", "1940-3-2"), &p, today());
        assert_eq!(a.name, Some(NameLevel::ReadingEqual));
        assert_eq!(b.name, Some(NameLevel::Partial));
        assert_eq!(a, c);
    }

    #[test]
    fn dzu_voicing_dropped_matches() {
        let mut p = hanako();
        p.family_name = "飯塚".into();
        p.family_kana = "イイヅカ".into();
        // ヅ typed as ズ sounds the same: a match
        let q = q_name_date("イイズカハナコ", "1940-3-2");
        assert_eq!(score(&q, &p, today()).name, Some(NameLevel::SoundEqual));
        assert!(is_match(&run(&q, &[p.clone()]), 0));
        // voicing dropped (ヅ → ツ): still phonetically equal, a candidate
        for name in ["いいつか はなこ", "ｲｲﾂｶ ﾊﾅｺ"] {
            let q = q_name_date(name, "1940-3-2");
            assert_eq!(
                score(&q, &p, today()).name,
                Some(NameLevel::PhoneticEqual),
                "{name}"
            );
            assert!(matches!(run(&q, &[p.clone()]), Decision::Candidates(ref c) if c[0].0 == 0));
        }
    }

    #[test]
    fn exact_person_matches_in_every_name_form() {
        let reg = registry();
        for name in [
            "佐藤花子",
            "佐藤 花子",
            "サトウハナコ",
            "さとう はなこ",
            "ｻﾄｳ ﾊﾅｺ",
            "サトウ　ハナコ",
            "佐藤はなこ",
        ] {
            let dec = run(&q_name_date(name, "1940-03-02"), &reg);
            assert!(is_match(&dec, 0), "{name}: {dec:?}");
        }
    }

    #[test]
    fn era_and_width_forms_match() {
        let reg = registry();
        for birth in ["昭和15年3月2日", "S15.3.2", "ｓ１５．３．２", "19400302"] {
            assert!(
                is_match(&run(&q_name_date("佐藤花子", birth), &reg), 0),
                "{birth}"
            );
        }
    }

    #[test]
    fn misheard_names_still_match_with_exact_date() {
        let reg = registry();
        assert!(is_match(
            &run(&q_name_date("サトーハナコ", "1940-3-2"), &reg),
            0
        ));
        assert!(is_match(
            &run(&q_name_date("やまざき きようこ", "1950-1-20"), &reg),
            4
        ));
        assert!(is_match(
            &run(&q_name_date("ヤマザキキョーコ", "S25.1.20"), &reg),
            4
        ));
        assert!(is_match(
            &run(&q_name_date("オーノイサム", "1942-8-15"), &reg),
            5
        ));
        assert!(is_match(
            &run(&q_name_date("タカハシケーコ", "1945-7-7"), &reg),
            3
        ));
    }

    #[test]
    fn names_that_sound_different_give_candidates() {
        // a lost voicing mark or long vowel may be a mishearing, or another
        // person (大野/小野, ジュンイチ/シュンイチ): listed first, not matched
        let reg = registry();
        for (name, date, who) in [
            ("おのいさむ", "1942-8-15", 5),
            ("やまさき きようこ", "1950-1-20", 4),
            ("サトウハナゴ", "S15.3.2", 0),
        ] {
            let q = q_name_date(name, date);
            assert_eq!(
                score(&q, &reg[who], today()).name,
                Some(NameLevel::PhoneticEqual)
            );
            match run(&q, &reg) {
                Decision::Candidates(c) => assert_eq!(c[0].0, who, "{name}"),
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn variant_kanji_match() {
        let reg = registry();
        assert!(is_match(
            &run(&q_name_date("高橋恵子", "1945-7-7"), &reg),
            3
        ));
        assert!(is_match(
            &run(&q_name_date("山崎 京子", "1950-1-20"), &reg),
            4
        ));
        let s = score(&q_name_date("高橋惠子", "1945-7-7"), &reg[3], today());
        assert_eq!(s.name, Some(NameLevel::KanjiEqual));
    }

    #[test]
    fn date_noise_levels() {
        let p = hanako();
        let s = score(&q_name_date("佐藤花子", "1940-2-3"), &p, today());
        assert_eq!(s.birth, Some(DateAgreement::SwappedDayMonth));
        let s = score(&q_name_date("佐藤花子", "1941-3-2"), &p, today());
        assert_eq!(s.birth, Some(DateAgreement::OneDigitOff));
        // one digit off with exact name is at least a candidate, not a namesake match
        let reg = registry();
        let dec = run(&q_name_date("佐藤花子", "1941-3-2"), &reg);
        match dec {
            Decision::Candidates(c) => assert_eq!(c[0].0, 0),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn age_instead_of_date_gives_candidates() {
        let reg = registry();
        let q = Query {
            name: Some("サトウハナコ".into()),
            age: Some(86),
            sex: Some(Sex::Female),
            ..Query::default()
        };
        let s = score(&q, &reg[0], today());
        assert_eq!(s.age, Some(AgeLevel::Consistent));
        // the namesake born 1938 is also 86: both are listed, neither matched
        match run(&q, &reg) {
            Decision::Candidates(c) => assert!(c.iter().any(|x| x.0 == 0)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn namesake_with_other_birth_date_is_not_a_match() {
        let reg = registry();
        // the namesake (index 1) is in the registry; the right person wins clearly
        assert!(is_match(
            &run(&q_name_date("佐藤花子", "1940-3-2"), &reg),
            0
        ));
        // without the right person, the namesake must not be matched
        let only_namesake = vec![reg[1].clone()];
        let dec = run(&q_name_date("佐藤花子", "1940-3-2"), &only_namesake);
        assert!(!matches!(dec, Decision::Match(..)), "{dec:?}");
    }

    #[test]
    fn weak_queries_give_nothing() {
        let reg = registry();
        let surname = Query {
            name: Some("佐藤".into()),
            ..Query::default()
        };
        assert_eq!(run(&surname, &reg), Decision::NoMatch);
        let surname_kana = Query {
            name: Some("サトウ".into()),
            sex: Some(Sex::Female),
            ..Query::default()
        };
        assert_eq!(run(&surname_kana, &reg), Decision::NoMatch);
        let year = Query {
            birth: Some(BirthQuery::Year(1940)),
            ..Query::default()
        };
        assert_eq!(run(&year, &reg), Decision::NoMatch);
        let sex = Query {
            sex: Some(Sex::Female),
            ..Query::default()
        };
        assert_eq!(run(&sex, &reg), Decision::NoMatch);
        let age = Query {
            age: Some(85),
            ..Query::default()
        };
        assert_eq!(run(&age, &reg), Decision::NoMatch);
        let date_sex = Query {
            birth: Some(BirthQuery::Date(d(1940, 3, 2))),
            sex: Some(Sex::Female),
            ..Query::default()
        };
        assert_eq!(run(&date_sex, &reg), Decision::NoMatch);
        let surname_year = Query {
            name: Some("佐藤".into()),
            birth: Some(BirthQuery::Year(1940)),
            ..Query::default()
        };
        assert_eq!(run(&surname_year, &reg), Decision::NoMatch);
        assert_eq!(run(&Query::default(), &reg), Decision::NoMatch);
    }

    #[test]
    fn card_alone_is_a_match() {
        let reg = registry();
        let shown = format_card_code(&reg[2].card_code)
            .to_lowercase()
            .replace('0', "o");
        let q = Query {
            card_code: Some(shown),
            ..Query::default()
        };
        assert!(is_match(&run(&q, &reg), 2));
    }

    #[test]
    fn phone_and_birth_date_is_strong() {
        let reg = registry();
        // the spouse (index 2) shares the phone; the date decides
        let q = Query {
            phone: Some("０９０－１２３４－５６７８".into()),
            birth: Some(BirthQuery::Date(d(1940, 3, 2))),
            ..Query::default()
        };
        assert!(is_match(&run(&q, &reg), 0));
        let phone_only = Query {
            phone: Some("+81 90 1234 5678".into()),
            ..Query::default()
        };
        match run(&phone_only, &reg) {
            Decision::Candidates(c) => assert_eq!(c.len(), 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn address_levels() {
        let p = hanako();
        let lvl = |a: &str| {
            score(
                &Query {
                    address: Some(a.into()),
                    ..Query::default()
                },
                &p,
                today(),
            )
            .address
        };
        assert_eq!(lvl("中央1-2-3"), Some(AddressLevel::AddressEqual));
        assert_eq!(
            lvl("〒123-4567 中央１－２－３"),
            Some(AddressLevel::AddressEqual)
        );
        assert_eq!(lvl("○○市中央1丁目2-3"), Some(AddressLevel::AddressEqual));
        assert_eq!(lvl("中央1-2-30"), Some(AddressLevel::Disagree));
        assert_eq!(lvl("〒1234567"), Some(AddressLevel::PostalEqual));
        assert_eq!(lvl("123-4567"), Some(AddressLevel::PostalEqual));
        assert_eq!(lvl("〒765-4321"), Some(AddressLevel::Disagree));
    }

    #[test]
    fn identical_name_and_birth_date_give_candidates() {
        let a = hanako();
        let mut b = hanako();
        b.phones = vec!["011-222-3333".into()];
        b.card_code = generate_card_code([42, 0, 0, 0, 0, 0, 0, 0]);
        let dec = run(&q_name_date("佐藤花子", "1940-3-2"), &[a, b]);
        match dec {
            Decision::Candidates(c) => assert_eq!(c.len(), 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn same_everything_but_sex_gives_candidates() {
        let a = hanako();
        let mut b = hanako();
        b.sex = Sex::Male;
        b.card_code = generate_card_code([43, 0, 0, 0, 0, 0, 0, 0]);
        let people = [a, b];
        let mut q = q_name_date("佐藤花子", "1940-3-2");
        assert!(matches!(run(&q, &people), Decision::Candidates(ref c) if c.len() == 2));
        q.sex = Some(Sex::Female);
        assert!(
            matches!(run(&q, &people), Decision::Candidates(ref c) if c.len() == 2 && c[0].0 == 0)
        );
        // and the wrong-sex person alone is not a match
        let dec = run(&q, &people[1..]);
        assert!(!matches!(dec, Decision::Match(..)), "{dec:?}");
    }

    #[test]
    fn twins_differing_in_given_name_are_told_apart() {
        let a = hanako();
        let b = person(
            "佐藤",
            "桃子",
            "サトウ",
            "モモコ",
            d(1940, 3, 2),
            Sex::Female,
            "",
            7,
        );
        let people = [a, b];
        assert!(is_match(
            &run(&q_name_date("佐藤花子", "1940-3-2"), &people),
            0
        ));
        assert!(is_match(
            &run(&q_name_date("さとう ももこ", "S15.3.2"), &people),
            1
        ));
        let s = score(&q_name_date("佐藤花子", "1940-3-2"), &people[1], today());
        assert_eq!(s.name, Some(NameLevel::Partial));
    }

    #[test]
    fn scores_expose_levels() {
        let q = Query {
            name: Some("サトウハナコ".into()),
            birth: Some(BirthQuery::Date(d(1940, 3, 2))),
            sex: Some(Sex::Female),
            phone: Some("090-1234-5678".into()),
            address: Some("中央1-2-3".into()),
            card_code: Some(hanako().card_code),
            ..Query::default()
        };
        let s = score(&q, &hanako(), today());
        assert_eq!(s.name, Some(NameLevel::ReadingEqual));
        assert_eq!(s.birth, Some(DateAgreement::Exact));
        assert_eq!(s.sex, Some(Agreement::Agree));
        assert_eq!(s.phone, Some(Agreement::Agree));
        assert_eq!(s.address, Some(AddressLevel::AddressEqual));
        assert_eq!(s.card, Some(Agreement::Agree));
        assert_eq!(s.age, None);
        assert!(s.total > 90.0);
    }

    #[test]
    fn decide_ordering_and_limits() {
        let q = q_name_date("佐藤花子", "1940-3-2");
        let scored: Vec<(u32, f64)> = (0..8)
            .map(|i| (i, 16.0 + f64::from(i) * 0.1))
            .chain([(99, f64::NAN)])
            .collect();
        match decide(&scored, &q) {
            Decision::Candidates(c) => {
                assert_eq!(c.len(), MAX_CANDIDATES);
                assert_eq!(c[0].0, 7);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(decide::<u32>(&[], &q), Decision::NoMatch);
        assert_eq!(decide(&[(1u32, 10.0)], &q), Decision::NoMatch);
        assert_eq!(
            decide(&[(1u32, 30.0), (2, 25.0)], &q),
            Decision::Candidates(vec![(1, 30.0), (2, 25.0)])
        );
        assert_eq!(
            decide(&[(1u32, 30.0), (2, 20.0)], &q),
            Decision::Match(1, 30.0)
        );
    }
}
