//! Fellegi–Sunter scoring of a crew's query against one registrant, and the
//! decision rule that turns scored candidates into a match, a short list,
//! or nothing.
//!
//! Each compared field contributes `log2(m/u)` for its agreement level,
//! where `m` is the probability of that level when query and registrant are
//! the same person and `u` the probability for two different people.
//! Disagreement levels use the rest of the probability mass, so their weight
//! is negative. A field missing on either side is not compared (weight 0).
//!
//! **Names are weighed by how common they are** (term-frequency adjustment).
//! The family and the given name are compared separately; an agreement on a
//! part has `u` = the share of registrants whose part has that value
//! ([`NameCounts`], counted from the registry itself and kept current as
//! registrants are written), so 佐藤 or ヨシコ weigh less than a rare name:
//!
//! | part level | m | u | weight (bits), share 1.5% / 0.1% / ≤ 0.01% |
//! |-------|---|---|---|
//! | exact (kanji after variant folding, or reading) | 0.95 | s | 5.9 / 9.9 / 13.2 |
//! | sound equal (spelling only: ー, small kana, ヅ/ズ) | 0.90 | s | 5.9 / 9.8 / 13.1 |
//! | phonetic equal only (voicing, long vowel lost) | 0.80 | 3s | 4.2 / 8.1 / 11.4 |
//! | one kana wrong, inserted or dropped | 0.30 | 20s + 1% | −0.1 / 3.3 / 4.6 |
//! | disagree | 0.05 | 0.95 | −4.2 |
//!
//! The share is smoothed toward 1/300 with the weight of 1,000 registrants
//! (`(count + 1000/300) / (total + 1000)`, so a small registry weighs names as
//! an average name) and never taken below 1/10,000 (the registry is a sample
//! of the city; a name seen once is not one in a million). The name's total
//! is capped at [`NAME_CAP`]: a name alone, however rare, never makes a
//! `match`. The query name is read every way it can be: as a whole (kanji,
//! reading, sound, phonetic key), split at a space or at every point, and,
//! when it is one word, as a family name alone; the best reading counts.
//!
//! The other fields:
//!
//! | field | level | m | u | weight (bits) |
//! |-------|-------|---|---|---------------|
//! | birth (date) | exact | 0.90 | 1/(365.25·30) | +13.3 |
//! | birth (date) | day/month swapped | 0.012 | 1/(365.25·30) | +7.0 |
//! | birth (date) | one digit off | 0.05 | 10/(365.25·30) | +5.8 |
//! | birth (date) | disagree | 0.04 | 0.996 | −4.6 |
//! | birth (year-month) | agree / disagree | 0.92 / 0.08 | 1/360 / 1 | +8.4 / −3.6 |
//! | birth (year) | agree / disagree | 0.92 / 0.08 | 1/30 / 0.967 | +4.8 / −3.6 |
//! | age | same / one year off / further | 0.65 / 0.30 / 0.05 | 1/30 / 2/30 / 0.9 | +4.3 / +2.2 / −4.2 |
//! | sex | agree / disagree | 0.98 / 0.008 | 0.5 / 0.5 | +1.0 / −6.0 |
//! | phone | agree / disagree | 0.60 / 0.35 | 1e-5 / 1 | +15.9 / −1.5 |
//! | address | same place (any written form) | 0.90 | 1e-4 | +13.1 |
//! | address | postal code equal | 0.60 | 1/300 | +7.5 |
//! | address | disagree | 0.30 | 1 | −1.7 |
//! | card | exact / disagree | 0.99 / 0.01 | 1e-12 / 1 | +39.9 / −6.6 |
//!
//! **A household shares its family name and address.** Two people at one
//! address with one family name are not two coincidences, so when both agree
//! the family name adds at most [`HOUSEHOLD_FAMILY_CAP`] bits to the address:
//! family name + address finds the household (a short list), and the given
//! name, sex and age tell its members apart; without them nobody in it is a
//! `match`.
//!
//! **The incident district** is weak evidence that the person lives there
//! (m 0.75, u 0.2: +1.9; disagree −1.7). It orders people the other fields
//! cannot tell apart ([`Score::rank`]) and never moves anyone over the
//! candidate or the match threshold.
//!
//! The weights were set from these rules, which unit tests check, and from
//! the matching evaluation (`examples/eval_matching.rs`):
//!
//! * A date wrong by one noise (day/month swapped, one digit off) scores
//!   within [`MATCH_GAP`] of the exact date: a namesake one noise away makes
//!   the answer `candidates`.
//! * A `match` needs decisive evidence besides the name: a full birth date,
//!   a phone, a card or the address. A name with a year or an age, a family
//!   name alone, a name one kana off (without phone or card), or a recorded
//!   sex contradicting the crew's give a list at most, and two registrants differing only in sex stay
//!   within [`MATCH_GAP`].
//! * A family name alone (with sex, with the district) lists nobody; nor does
//!   an address alone.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::address::{parse_address, registered_address, Address};
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
/// Most a name can weigh: a name alone (with sex) stays below
/// [`MATCH_THRESHOLD`], so a `match` always needs a second field.
pub const NAME_CAP: f64 = 20.0;
/// Most a family name adds to an address it shares (one household).
pub const HOUSEHOLD_FAMILY_CAP: f64 = 4.0;
/// Lowest score at which a registrant whose whole name agrees (both parts, at
/// least one kana off) is listed although below [`CANDIDATE_THRESHOLD`]: a
/// common full name alone (佐藤 和子) lists its bearers, a family name alone
/// never lists anyone.
pub const NAME_LIST_FLOOR: f64 = 8.0;

/// Share of an average name part, toward which counts are smoothed.
const PRIOR_SHARE: f64 = 1.0 / 300.0;
/// Weight of the prior, in registrants.
const PRIOR_REGISTRANTS: f64 = 1000.0;
/// Smallest share a name part is given.
const MIN_SHARE: f64 = 1e-4;

/// `log2(m / u)`.
fn w(m: f64, u: f64) -> f64 {
    (m / u).log2()
}

/// Mean number of days in the ~30-year spread of registrants' birth dates.
const DAYS_30_YEARS: f64 = 365.25 * 30.0;

/// How many active registrants have each name value
/// ([`super::keys::name_values`]: `f:`/`g:` family/given phonetic reading,
/// `F:`/`G:` family/given name as registered), and how many there are.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NameCounts {
    /// Active registrants.
    pub total: u64,
    /// Registrants per name value.
    pub counts: HashMap<String, u64>,
}

impl NameCounts {
    /// Counts of a list of registrants (for evaluations and tests; the server
    /// reads them from the database).
    pub fn of<'a>(people: impl IntoIterator<Item = &'a PersonFields>) -> Self {
        let mut c = NameCounts::default();
        for p in people {
            c.total += 1;
            for v in super::keys::name_values(p) {
                *c.counts.entry(v).or_default() += 1;
            }
        }
        c
    }

    /// Smoothed share of registrants with this value (see the module docs).
    pub fn share(&self, value: &str) -> f64 {
        let count = self.counts.get(value).copied().unwrap_or(0) as f64;
        let share =
            (count + PRIOR_REGISTRANTS * PRIOR_SHARE) / (self.total as f64 + PRIOR_REGISTRANTS);
        share.clamp(MIN_SHARE, 1.0)
    }
}

/// How one part of a query name agrees with one part of a registrant's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PartLevel {
    /// No agreement.
    None,
    /// One kana wrong, inserted or dropped (on the phonetic key).
    Approx,
    /// Only the tolerant phonetic keys agree (voicing or long vowel lost).
    Phonetic,
    /// Spelled differently, sounds the same.
    Sound,
    /// Same kanji (variants folded) or same reading.
    Exact,
}

impl PartLevel {
    /// Weight of this level for a part whose value has `share`.
    pub fn weight(self, share: f64) -> f64 {
        match self {
            PartLevel::Exact => w(0.95, share),
            PartLevel::Sound => w(0.90, share),
            PartLevel::Phonetic => w(0.80, (3.0 * share).min(1.0)),
            PartLevel::Approx => w(0.30, (20.0 * share + 0.01).min(1.0)),
            PartLevel::None => w(0.05, 0.95),
        }
    }
}

/// Name comparison levels, best first: a summary of how the parts agreed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NameLevel {
    /// Kanji name equal (after NFKC and variant folding).
    KanjiEqual,
    /// Exact kana reading, or each part equal in kanji or kana.
    ReadingEqual,
    /// Readings sound the same but are spelled differently.
    SoundEqual,
    /// Only the tolerant phonetic keys are equal.
    PhoneticEqual,
    /// Close: one part one kana away, the other agreeing.
    Approximate,
    /// The query is a family name alone, and it agrees.
    FamilyOnly,
    /// Only the family or only the given name agrees.
    Partial,
    /// No agreement.
    Disagree,
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

/// Age comparison levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AgeLevel {
    /// The registrant is the age given.
    Same,
    /// One year off (an estimate, a birthday not yet reached).
    OneOff,
    /// Further off.
    Inconsistent,
}

impl AgeLevel {
    /// Log2 likelihood-ratio weight.
    pub fn weight(self) -> f64 {
        match self {
            AgeLevel::Same => w(0.65, 1.0 / 30.0),
            AgeLevel::OneOff => w(0.30, 2.0 / 30.0),
            AgeLevel::Inconsistent => w(0.05, 0.90),
        }
    }
}

/// Agreement levels for sex, phone, card and district.
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

/// Ranking weight of the incident district (never counted toward a threshold).
pub fn district_weight(level: Agreement) -> f64 {
    match level {
        Agreement::Agree => w(0.75, 0.2),
        Agreement::Disagree => w(0.25, 0.8),
    }
}

/// Address comparison levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddressLevel {
    /// The same place, in any written form (see [`super::address`]).
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
            AddressLevel::AddressEqual => w(0.90, 1e-4),
            AddressLevel::PostalEqual => w(0.60, 1.0 / 300.0),
            AddressLevel::Disagree => w(0.30, 1.0),
        }
    }
}

/// A scored comparison: total weight and the level of each compared field
/// (`None` = not compared because a side was missing).
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    /// Sum of field weights (log2 likelihood ratio); what the thresholds use.
    pub total: f64,
    /// Name level.
    pub name: Option<NameLevel>,
    /// Weight the name contributed.
    pub name_weight: f64,
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
    /// Incident district level (ranking only).
    pub district: Option<Agreement>,
}

impl Score {
    /// The order of the list: the total, with the incident district.
    pub fn rank(&self) -> f64 {
        self.total + self.district.map_or(0.0, district_weight)
    }
}

/// What [`decide`] ranks by and thresholds on.
pub trait Ranked {
    /// Evidence for the thresholds.
    fn total(&self) -> f64;
    /// Order of the list (the total plus ranking-only evidence).
    fn rank(&self) -> f64 {
        self.total()
    }
    /// True when this person must not be matched automatically whatever the
    /// total (the crew sees a woman, the record says a man).
    fn vetoed(&self) -> bool {
        false
    }
    /// True when this person may be listed as a candidate.
    fn listable(&self) -> bool {
        self.total() >= CANDIDATE_THRESHOLD
    }
}

impl Ranked for f64 {
    fn total(&self) -> f64 {
        *self
    }
}

impl Ranked for Score {
    fn total(&self) -> f64 {
        self.total
    }
    fn rank(&self) -> f64 {
        Score::rank(self)
    }
    fn vetoed(&self) -> bool {
        // One kana off may be another real name (キョウ / キョウコ), and a
        // family name is shared by a whole family: listed, never matched on
        // their own. A name with a birth year or an age is not decisive either
        // (an unregistered namesake born the same year): a match needs a full
        // birth date, a phone, a card or the address to agree.
        let decisive = matches!(
            self.birth,
            Some(
                DateAgreement::Exact | DateAgreement::SwappedDayMonth | DateAgreement::OneDigitOff
            )
        ) || self.phone == Some(Agreement::Agree)
            || self.card == Some(Agreement::Agree)
            || self.address == Some(AddressLevel::AddressEqual);
        let strong_id = self.phone == Some(Agreement::Agree) || self.card == Some(Agreement::Agree);
        let weak_name = matches!(
            self.name,
            Some(NameLevel::Approximate | NameLevel::FamilyOnly | NameLevel::Partial)
        );
        self.sex == Some(Agreement::Disagree) || !decisive || (weak_name && !strong_id)
    }
    fn listable(&self) -> bool {
        if self.total >= CANDIDATE_THRESHOLD {
            return true;
        }
        // The whole name agrees: listed on a lower score, but one kana off
        // only with other evidence agreeing (a year, an age, a date).
        let whole_name = matches!(
            self.name,
            Some(
                NameLevel::KanjiEqual
                    | NameLevel::ReadingEqual
                    | NameLevel::SoundEqual
                    | NameLevel::PhoneticEqual
                    | NameLevel::Approximate
            )
        );
        // Nothing else may disagree (a namesake with another birth date is
        // not listed on the name).
        let rest = self.total - self.name_weight;
        whole_name
            && self.total >= NAME_LIST_FLOOR
            && rest >= 0.0
            && (self.name != Some(NameLevel::Approximate) || rest > 0.0)
    }
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

    /// True when the phonetic keys are one kana apart (substituted,
    /// inserted or dropped) and long enough for that to mean something.
    fn close(&self, other: &Phonetic) -> bool {
        let a: Vec<char> = self.key.chars().collect();
        let b: Vec<char> = other.key.chars().collect();
        a.len().max(b.len()) >= 3 && within_one_edit(&a, &b)
    }
}

/// True when `a` and `b` differ by at most one substitution, insertion or
/// deletion.
fn within_one_edit(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => short.iter().zip(long).filter(|(x, y)| x != y).count() <= 1,
        1 => {
            let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
            short[prefix..] == long[prefix + 1..]
        }
        _ => false,
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
    /// One word (no space or dot): it may be a family name alone.
    one_word: bool,
}

impl QueryName {
    fn new(query: &str) -> Self {
        let words = query
            .split(|c: char| c.is_whitespace() || matches!(c, '・' | '･'))
            .filter(|w| !w.is_empty())
            .count();
        Self {
            whole: QueryPart::new(query),
            splits: name_splits(query)
                .iter()
                .map(|(f, g)| (QueryPart::new(f), QueryPart::new(g)))
                .collect(),
            one_word: words == 1,
        }
    }
}

thread_local! {
    /// The keys of the last query name scored on this thread. A search
    /// scores many candidates against one query; this avoids normalizing
    /// the query again for each of them.
    static LAST_QUERY_NAME: std::cell::RefCell<Option<(String, std::rc::Rc<QueryName>)>> =
        const { std::cell::RefCell::new(None) };
    /// The parsed address of the last query scored on this thread.
    static LAST_QUERY_ADDRESS: std::cell::RefCell<Option<(String, std::rc::Rc<Address>)>> =
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

/// The parsed query address, from the per-thread cache when possible.
fn query_address(query: &str) -> std::rc::Rc<Address> {
    LAST_QUERY_ADDRESS.with(|cell| {
        let mut slot = cell.borrow_mut();
        if let Some((text, parsed)) = slot.as_ref() {
            if text == query {
                return std::rc::Rc::clone(parsed);
            }
        }
        let parsed = std::rc::Rc::new(parse_address(query));
        *slot = Some((query.to_string(), std::rc::Rc::clone(&parsed)));
        parsed
    })
}

/// Comparison keys of one part of a registrant's name.
struct RegistrantPart {
    /// [`name_key`] of the kanji (may be empty).
    kanji: String,
    /// Strict reading, sound and phonetic keys of the kana, if any.
    kana: Option<(String, String, Phonetic)>,
    /// Share of registrants with this kanji / with this reading.
    kanji_share: f64,
    kana_share: f64,
}

impl RegistrantPart {
    fn new(kanji: &str, kana: &str, family: bool, counts: &NameCounts) -> Self {
        let kana = (!kana.trim().is_empty())
            .then(|| (reading_key(kana), sound_key(kana), Phonetic::new(kana)));
        let kanji = name_key(kanji);
        let (kp, rp) = if family { ("F:", "f:") } else { ("G:", "g:") };
        let kanji_share = counts.share(&format!("{kp}{kanji}"));
        let kana_share = kana.as_ref().map_or(PRIOR_SHARE, |(_, _, ph)| {
            counts.share(&format!("{rp}{}", ph.key))
        });
        Self {
            kanji,
            kana,
            kanji_share,
            kana_share,
        }
    }

    /// How a query part agrees with this registrant part, and the weight.
    fn compare(&self, part: &QueryPart) -> (PartLevel, f64) {
        let level = self.level(part);
        let share = if level == PartLevel::Exact && part.key == self.kanji {
            self.kanji_share
        } else {
            self.kana_share
        };
        (level, level.weight(share))
    }

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
            if q_phonetic.close(phonetic) {
                return PartLevel::Approx;
            }
        }
        PartLevel::None
    }
}

/// How the query name compares with a registrant's name.
#[derive(Clone, Copy, Debug, PartialEq)]
struct NameComparison {
    level: NameLevel,
    /// Weight (capped at [`NAME_CAP`]).
    weight: f64,
    /// Weight of the family part, when it agreed.
    family: Option<f64>,
}

/// The summary level of a two-part agreement.
fn two_part_level(f: PartLevel, g: PartLevel) -> NameLevel {
    match (f, g) {
        (PartLevel::Exact, PartLevel::Exact) => NameLevel::ReadingEqual,
        (PartLevel::None, PartLevel::None) => NameLevel::Disagree,
        (PartLevel::None, _) | (_, PartLevel::None) => NameLevel::Partial,
        (a, b) if a.min(b) >= PartLevel::Sound => NameLevel::SoundEqual,
        (a, b) if a.min(b) >= PartLevel::Phonetic => NameLevel::PhoneticEqual,
        _ => NameLevel::Approximate,
    }
}

/// Grades the query name against the registrant's name.
fn compare_names(query: &str, p: &PersonFields, counts: &NameCounts) -> Option<NameComparison> {
    let q = query_name(query);
    let full_kanji = name_key(&format!("{}{}", p.family_name, p.given_name));
    let full_reading = reading_key(&format!("{}{}", p.family_kana, p.given_kana));
    if q.whole.key.is_empty() || (full_kanji.is_empty() && full_reading.is_empty()) {
        return None;
    }
    let family = RegistrantPart::new(&p.family_name, &p.family_kana, true, counts);
    let given = RegistrantPart::new(&p.given_name, &p.given_kana, false, counts);
    let mut best: Option<NameComparison> = None;
    let mut consider = |level: NameLevel, weight: f64, family_weight: Option<f64>| {
        if best.is_none_or(|b| weight > b.weight) {
            best = Some(NameComparison {
                level,
                weight,
                family: family_weight,
            });
        }
    };
    // The whole name at once (no split needed).
    if !full_kanji.is_empty() && q.whole.key == full_kanji {
        let f = PartLevel::Exact.weight(family.kanji_share);
        consider(
            NameLevel::KanjiEqual,
            f + PartLevel::Exact.weight(given.kanji_share),
            Some(f),
        );
    }
    if let Some((q_reading, q_sound, q_phonetic)) = &q.whole.kana {
        if !full_reading.is_empty() {
            let whole_level = if *q_reading == full_reading {
                Some((NameLevel::ReadingEqual, PartLevel::Exact))
            } else if *q_sound == sound_key(&full_reading) {
                Some((NameLevel::SoundEqual, PartLevel::Sound))
            } else if q_phonetic.agrees(&Phonetic::new(&full_reading)) {
                Some((NameLevel::PhoneticEqual, PartLevel::Phonetic))
            } else {
                None
            };
            if let Some((level, part)) = whole_level {
                let f = part.weight(family.kana_share);
                consider(level, f + part.weight(given.kana_share), Some(f));
            } else if q_phonetic.close(&Phonetic::new(&full_reading))
                && !(q.one_word && family.level(&q.whole) >= PartLevel::Phonetic)
            {
                // (A one-word query that is this family name is the family
                // name alone, not a whole name one kana short: コイケ is not
                // コイケ イネ.)
                // One kana off somewhere in the name: count it against the
                // part where it costs most.
                let (fe, fa) = (
                    PartLevel::Exact.weight(family.kana_share),
                    PartLevel::Approx.weight(family.kana_share),
                );
                let (ge, ga) = (
                    PartLevel::Exact.weight(given.kana_share),
                    PartLevel::Approx.weight(given.kana_share),
                );
                let weight = (fe + ga).min(fa + ge);
                consider(NameLevel::Approximate, weight, Some(fa.min(fe)));
            }
        }
    }
    for (f_part, g_part) in &q.splits {
        let (fl, fw) = family.compare(f_part);
        let (gl, gw) = given.compare(g_part);
        let family_weight = (fl != PartLevel::None).then_some(fw);
        consider(two_part_level(fl, gl), fw + gw, family_weight);
    }
    if q.one_word {
        let (fl, fw) = family.compare(&q.whole);
        if fl != PartLevel::None {
            consider(NameLevel::FamilyOnly, fw, Some(fw));
        }
    }
    best.map(|mut b| {
        b.weight = b.weight.min(NAME_CAP);
        b
    })
}

/// Grades the query address against the registrant's address and postal code.
fn address_level(query: &str, p: &PersonFields) -> Option<AddressLevel> {
    let q = query_address(query);
    let r = registered_address(
        p.postal_code.as_deref(),
        p.address_line.as_deref().unwrap_or(""),
    );
    let compare_text = !q.forms.is_empty() && !r.forms.is_empty();
    let compare_postal = q.postal.is_some() && r.postal.is_some();
    if compare_text && q.same_place(&r) {
        Some(AddressLevel::AddressEqual)
    } else if compare_postal && q.same_postal(&r) {
        Some(AddressLevel::PostalEqual)
    } else if compare_text || compare_postal {
        Some(AddressLevel::Disagree)
    } else {
        None
    }
}

/// Scores a query against one registrant as of `today`, with the registry's
/// name counts.
pub fn score(q: &Query, p: &PersonFields, today: NaiveDate, counts: &NameCounts) -> Score {
    let name = q.name.as_deref().and_then(|n| compare_names(n, p, counts));
    let birth = q.birth.as_ref().map(|b| date_agreement(b, p.birth_date));
    let age = match (q.birth, q.age) {
        (None, Some(a)) => Some(match age_on(p.birth_date, today).abs_diff(a) {
            0 => AgeLevel::Same,
            1 => AgeLevel::OneOff,
            _ => AgeLevel::Inconsistent,
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
    let district = match (q.district.as_deref(), p.district_code.as_deref()) {
        (Some(a), Some(b)) => Some(if a == b {
            Agreement::Agree
        } else {
            Agreement::Disagree
        }),
        _ => None,
    };

    let mut name_weight = name.map_or(0.0, |n| n.weight);
    if address == Some(AddressLevel::AddressEqual) {
        // One household: the family name adds little to the address.
        if let Some(family) = name.and_then(|n| n.family) {
            name_weight -= (family - HOUSEHOLD_FAMILY_CAP).max(0.0);
        }
    }
    let mut total = name_weight;
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
        name: name.map(|n| n.level),
        name_weight,
        birth,
        age,
        sex,
        phone,
        address,
        card,
        district,
    }
}

/// Highest score any registrant could reach for this query.
///
/// A query whose maximum is below [`CANDIDATE_THRESHOLD`] (a birth year, an
/// age, a sex, a date alone, an address alone …) cannot identify anyone and
/// is refused by [`decide`]. A lone family name passes this test (it is
/// indistinguishable from a full name here) but only ever reaches the
/// family-name level, below the threshold.
pub fn max_possible_weight(q: &Query) -> f64 {
    let mut total = 0.0;
    if q.name.as_deref().is_some_and(|n| !name_key(n).is_empty()) {
        total += NAME_CAP;
    }
    match (&q.birth, q.age) {
        (Some(b), _) => total += birth_max_weight(b),
        (None, Some(_)) => total += AgeLevel::Same.weight(),
        (None, None) => {}
    }
    if q.sex.is_some_and(Sex::is_known) {
        total += sex_weight(Agreement::Agree);
    }
    if q.phone.as_deref().and_then(phone_tail).is_some() {
        total += phone_weight(Agreement::Agree);
    }
    if let Some(a) = q.address.as_deref() {
        let parsed = parse_address(a);
        if !parsed.forms.is_empty() {
            total += AddressLevel::AddressEqual.weight();
        } else if parsed.postal.is_some() {
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
/// [`CANDIDATE_THRESHOLD`]). Otherwise orders by [`Ranked::rank`], descending
/// (non-finite scores are dropped). `Match(best)` needs a total ≥
/// [`MATCH_THRESHOLD`] and a lead of at least [`MATCH_GAP`] over every other
/// registrant's total, and the leader's recorded sex not contradicting the
/// crew's ([`Ranked::vetoed`]); otherwise the first [`MAX_CANDIDATES`] that
/// may be listed ([`Ranked::listable`]: a total ≥ [`CANDIDATE_THRESHOLD`], or
/// a whole name agreeing with a total ≥ [`NAME_LIST_FLOOR`]) are returned, or
/// `NoMatch` if there are none.
pub fn decide<T: Clone, S: Ranked>(scored: &[(T, S)], q: &Query) -> Decision<T> {
    if max_possible_weight(q) < CANDIDATE_THRESHOLD {
        return Decision::NoMatch;
    }
    let mut ranked: Vec<&(T, S)> = scored
        .iter()
        .filter(|(_, s)| s.total().is_finite() && s.rank().is_finite())
        .collect();
    ranked.sort_by(|a, b| b.1.rank().total_cmp(&a.1.rank()));
    if ranked.is_empty() {
        return Decision::NoMatch;
    }
    let best_total = ranked
        .iter()
        .map(|(_, s)| s.total())
        .fold(f64::NEG_INFINITY, f64::max);
    let leader = ranked
        .iter()
        .position(|(_, s)| s.total() == best_total)
        .unwrap_or(0);
    let second = ranked
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != leader)
        .map(|(_, (_, s))| s.total())
        .fold(f64::NEG_INFINITY, f64::max);
    let (t, s) = ranked[leader];
    if best_total >= MATCH_THRESHOLD && best_total - second >= MATCH_GAP && !s.vetoed() {
        return Decision::Match(t.clone(), s.total());
    }
    let candidates: Vec<(T, f64)> = ranked
        .iter()
        .filter(|(_, s)| s.listable())
        .take(MAX_CANDIDATES)
        .map(|(t, s)| (t.clone(), s.total()))
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
            district_code: None,
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

    fn counts(people: &[PersonFields]) -> NameCounts {
        NameCounts::of(people)
    }

    fn run(q: &Query, people: &[PersonFields]) -> Decision<usize> {
        let scored: Vec<(usize, f64)> = people
            .iter()
            .enumerate()
            .map(|(i, p)| (i, score(q, p, today(), &counts(people)).total))
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

    fn first(dec: &Decision<usize>) -> Option<usize> {
        match dec {
            Decision::Match(i, _) => Some(*i),
            Decision::Candidates(c) => c.first().map(|x| x.0),
            Decision::NoMatch => None,
        }
    }

    fn is_match(dec: &Decision<usize>, who: usize) -> bool {
        matches!(dec, Decision::Match(i, _) if *i == who)
    }

    /// Weight of a two-part name agreeing at `level` on both parts, each part
    /// having `share`.
    fn both(level: PartLevel, share: f64) -> f64 {
        (2.0 * level.weight(share)).min(NAME_CAP)
    }

    const COMMON: f64 = 0.015; // 佐藤, ヨシコ
    const AVERAGE: f64 = PRIOR_SHARE;
    const RARE: f64 = MIN_SHARE;

    #[test]
    fn weights_are_sane() {
        assert!(both(PartLevel::Exact, RARE) == NAME_CAP);
        assert!(both(PartLevel::Exact, COMMON) < both(PartLevel::Exact, AVERAGE));
        assert!(PartLevel::None.weight(COMMON) < 0.0);
        assert!(card_weight(Agreement::Agree) > MATCH_THRESHOLD + MATCH_GAP);
        let date = BirthQuery::Date(d(1940, 3, 2));
        let exact = birth_weight(&date, DateAgreement::Exact);
        assert!((13.0..14.0).contains(&exact));
        // a name alone, however rare, with sex, is never a match
        assert!(NAME_CAP + sex_weight(Agreement::Agree) < MATCH_THRESHOLD);
        // two people differing only in sex must stay within the gap
        assert!(sex_weight(Agreement::Agree) - sex_weight(Agreement::Disagree) < MATCH_GAP);
        // a family name alone, with sex, lists nobody
        assert!(PartLevel::Exact.weight(RARE) + sex_weight(Agreement::Agree) < CANDIDATE_THRESHOLD);
        // nor does an address alone
        assert!(
            AddressLevel::AddressEqual.weight() + sex_weight(Agreement::Agree)
                < CANDIDATE_THRESHOLD
        );
        // a family name and the address list the household, never match it
        let household = AddressLevel::AddressEqual.weight() + HOUSEHOLD_FAMILY_CAP;
        assert!(household >= CANDIDATE_THRESHOLD);
        assert!(
            household + sex_weight(Agreement::Agree) + AgeLevel::Same.weight() < MATCH_THRESHOLD
        );
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
        // an average name + a noisy date is never a match on its own
        assert!(both(PartLevel::Exact, AVERAGE) + swapped < MATCH_THRESHOLD);
        assert!(both(PartLevel::Exact, AVERAGE) + digit < MATCH_THRESHOLD);
        // but a candidate, even for the most common names
        assert!(both(PartLevel::Exact, COMMON) + digit >= CANDIDATE_THRESHOLD);
        // a rare name with one digit wrong is decisive
        assert!(both(PartLevel::Exact, RARE) + digit >= MATCH_THRESHOLD);
    }

    #[test]
    fn misheard_name_with_exact_date_is_a_clear_match() {
        let exact = birth_weight(&BirthQuery::Date(d(1940, 3, 2)), DateAgreement::Exact);
        for share in [COMMON, AVERAGE, RARE] {
            let sound = both(PartLevel::Sound, share) + exact;
            assert!(sound >= MATCH_THRESHOLD, "{share}");
            // a person sharing only the family name and the date is far behind
            let partial = PartLevel::Exact.weight(share) + PartLevel::None.weight(share) + exact;
            assert!(sound - partial >= MATCH_GAP, "{share}");
            // reading vs sound-alike namesakes on the same date stay ambiguous
            assert!(both(PartLevel::Exact, share) - both(PartLevel::Sound, share) < MATCH_GAP);
            // and so do reading vs phonetic-alike namesakes (ジュンイチ/シュンイチ)
            assert!(both(PartLevel::Exact, share) - both(PartLevel::Phonetic, share) < MATCH_GAP);
        }
        // a lost voicing mark with the exact date and sex finds an average name
        let phonetic = both(PartLevel::Phonetic, AVERAGE) + exact + sex_weight(Agreement::Agree);
        assert!(phonetic >= MATCH_THRESHOLD);
        // one kana wrong is a candidate, not a match, with the exact date
        let approx = PartLevel::Exact.weight(AVERAGE) + PartLevel::Approx.weight(AVERAGE) + exact;
        assert!((CANDIDATE_THRESHOLD..MATCH_THRESHOLD).contains(&approx));
    }

    #[test]
    fn one_kana_off_is_never_a_match() {
        // 森川 京 (キョウ) is registered; 森川 京子 (キョウコ), born the same day,
        // is not: listed, not matched
        let kyo = person(
            "森川",
            "京",
            "モリカワ",
            "キョウ",
            d(1956, 6, 28),
            Sex::Female,
            "",
            30,
        );
        let dec = run(&q_name_date("モリカワ キョウコ", "1956-06-28"), &[kyo]);
        assert!(
            matches!(dec, Decision::Candidates(ref c) if c[0].0 == 0),
            "{dec:?}"
        );
        // and a one-word family name is read as the family name alone
        let koike = person(
            "小池",
            "イネ",
            "コイケ",
            "イネ",
            d(1933, 2, 2),
            Sex::Female,
            "",
            31,
        );
        let s = score(
            &Query {
                name: Some("コイケ".into()),
                ..Query::default()
            },
            &koike,
            today(),
            &NameCounts::default(),
        );
        assert_eq!(s.name, Some(NameLevel::FamilyOnly));
    }

    #[test]
    fn common_names_weigh_less_than_rare_ones() {
        // 佐藤 ヨシコ and 杉本 チエコ, each registered once, in a registry where
        // サトウ and ヨシコ are common
        let mut people = vec![
            person(
                "佐藤",
                "良子",
                "サトウ",
                "ヨシコ",
                d(1940, 3, 2),
                Sex::Female,
                "",
                10,
            ),
            person(
                "杉本",
                "千恵子",
                "スギモト",
                "チエコ",
                d(1941, 5, 6),
                Sex::Female,
                "",
                11,
            ),
        ];
        for i in 0..60u8 {
            people.push(person(
                "佐藤",
                "一郎",
                "サトウ",
                "イチロウ",
                d(1930, 1, 1 + u32::from(i % 28)),
                Sex::Male,
                "",
                20 + i,
            ));
            people.push(person(
                "田中",
                "良子",
                "タナカ",
                "ヨシコ",
                d(1931, 1, 1 + u32::from(i % 28)),
                Sex::Female,
                "",
                100 + i,
            ));
        }
        let counts = NameCounts::of(&people);
        let common = score(
            &q_name_date("サトウ ヨシコ", "1940"),
            &people[0],
            today(),
            &counts,
        );
        let rare = score(
            &q_name_date("スギモト チエコ", "1941"),
            &people[1],
            today(),
            &counts,
        );
        assert_eq!(common.name, Some(NameLevel::ReadingEqual));
        assert_eq!(rare.name, Some(NameLevel::ReadingEqual));
        assert!(
            rare.name_weight > common.name_weight + 4.0,
            "{rare:?} {common:?}"
        );
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
        let a = score(
            &q_name_date("サトウハナコ", "1940-3-2"),
            &p,
            today(),
            &NameCounts::default(),
        );
        let b = score(
            &q_name_date("タカハシハナコ", "1940-3-2"),
            &p,
            today(),
            &NameCounts::default(),
        );
        let c = score(
            &q_name_date("サトウハナコ", "1940-3-2"),
            &p,
            today(),
            &NameCounts::default(),
        );
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
        assert_eq!(
            score(&q, &p, today(), &NameCounts::default()).name,
            Some(NameLevel::SoundEqual)
        );
        assert!(is_match(&run(&q, &[p.clone()]), 0));
        // voicing dropped (ヅ → ツ): still phonetically equal, found
        for name in ["いいつか はなこ", "ｲｲﾂｶ ﾊﾅｺ"] {
            let q = q_name_date(name, "1940-3-2");
            assert_eq!(
                score(&q, &p, today(), &NameCounts::default()).name,
                Some(NameLevel::PhoneticEqual),
                "{name}"
            );
            assert_eq!(first(&run(&q, &[p.clone()])), Some(0));
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
    fn names_that_sound_alike_rank_the_exact_reading_first() {
        // a lost voicing mark or long vowel is a mishearing, or another person
        // (大野/小野, ジュンイチ/シュンイチ): with the exact date the person is
        // found, and a registered sound-alike with the same date makes it a list
        let reg = registry();
        for (name, date, who) in [
            ("おのいさむ", "1942-8-15", 5),
            ("やまさき きようこ", "1950-1-20", 4),
            ("サトウハナゴ", "S15.3.2", 0),
        ] {
            let q = q_name_date(name, date);
            assert_eq!(
                score(&q, &reg[who], today(), &counts(&reg)).name,
                Some(NameLevel::PhoneticEqual)
            );
            assert_eq!(first(&run(&q, &reg)), Some(who), "{name}");
        }
        let mut both = registry();
        both.push(person(
            "小野",
            "勇",
            "オノ",
            "イサム",
            d(1942, 8, 15),
            Sex::Male,
            "",
            7,
        ));
        match run(&q_name_date("おのいさむ", "1942-8-15"), &both) {
            Decision::Candidates(c) => {
                assert_eq!(c[0].0, 6);
                assert_eq!(c[1].0, 5);
            }
            other => panic!("{other:?}"),
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
        let s = score(
            &q_name_date("高橋惠子", "1945-7-7"),
            &reg[3],
            today(),
            &NameCounts::default(),
        );
        assert_eq!(s.name, Some(NameLevel::KanjiEqual));
    }

    #[test]
    fn date_noise_levels() {
        let p = hanako();
        let s = score(
            &q_name_date("佐藤花子", "1940-2-3"),
            &p,
            today(),
            &NameCounts::default(),
        );
        assert_eq!(s.birth, Some(DateAgreement::SwappedDayMonth));
        let s = score(
            &q_name_date("佐藤花子", "1941-3-2"),
            &p,
            today(),
            &NameCounts::default(),
        );
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
        // Hanako is 85 (one year off), her namesake born 1938 is 86
        let s = score(&q, &reg[0], today(), &NameCounts::default());
        assert_eq!(s.age, Some(AgeLevel::OneOff));
        let s = score(&q, &reg[1], today(), &NameCounts::default());
        assert_eq!(s.age, Some(AgeLevel::Same));
        // both are listed, neither matched
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
                &NameCounts::default(),
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
        let s = score(
            &q_name_date("佐藤花子", "1940-3-2"),
            &people[1],
            today(),
            &NameCounts::default(),
        );
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
        let s = score(&q, &hanako(), today(), &NameCounts::default());
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
        assert_eq!(decide::<u32, f64>(&[], &q), Decision::NoMatch);
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
