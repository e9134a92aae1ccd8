//! Matching quality evaluation for eir's on-scene lookup.
//!
//! Generates a synthetic population, indexes every registrant's blocking keys
//! in memory (key → registrant indices), then answers thousands of noisy
//! crew queries exactly as the server does (`staged_keys` → union of indexed
//! candidates, capped → `score` each → `decide`) and prints, per kind of
//! noise, how often the right person is found and whether anyone else is
//! ever returned as a `match`.
//!
//! Besides one noise on a full name and birth date, the kinds cover the
//! weaker forms crews search with: a family name with the address they were
//! dispatched to (in any written form), a name with a birth year, a name
//! alone, a family name with a birth date, a kana typo, a name mixing kanji
//! and kana; and queries whose right answer is nobody: a family name alone,
//! an unregistered person, an unregistered member of a registrant's
//! household. Every query carries the incident district: the person's own
//! for about 70 % of queries, another district otherwise.
//!
//! ```text
//! eval_matching [--population N] [--queries Q] [--seed S] [--threads T]
//! ```
//!
//! Run with `cargo run --release --example eval_matching -- --population 1000000`;
//! 1,000,000 registrants need about 2 GB of memory for the in-memory index.

use eir::matching;
use eir::seed::synthetic;

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use unicode_normalization::UnicodeNormalization;

use matching::dates::{age_on, parse_birth_query, BirthQuery};
use matching::keys::{registrant_keys, PersonFields, Query, Sex};
use matching::score::{score, Decision, NameCounts};
use matching::staged::{staged_decide, staged_keys};

/// Maximum number of candidates fetched from the index for one query.
const CANDIDATE_CAP: usize = 2000;

/// Districts D01–D12 with uneven weights (registrations skewed to the centre).
const DISTRICT_WEIGHTS: [f64; 12] = [3.0, 2.4, 2.0, 1.7, 1.5, 1.2, 1.0, 0.8, 0.6, 0.5, 0.35, 0.2];

/// (standard, variant) kanji pairs used to produce variant-kanji queries.
const VARIANT_PAIRS: &[(char, char)] = &[
    ('高', '髙'),
    ('崎', '﨑'),
    ('崎', '嵜'),
    ('斎', '齋'),
    ('斎', '齊'),
    ('辺', '邊'),
    ('辺', '邉'),
    ('浜', '濵'),
    ('浜', '濱'),
    ('沢', '澤'),
    ('島', '嶋'),
    ('徳', '德'),
    ('吉', '𠮷'),
    ('広', '廣'),
    ('富', '冨'),
    ('恵', '惠'),
    ('真', '眞'),
    ('栄', '榮'),
    ('国', '國'),
    ('竜', '龍'),
    ('桜', '櫻'),
    ('瀬', '瀨'),
    ('条', '條'),
    ('野', '埜'),
    ('実', '實'),
    ('寿', '壽'),
    ('満', '滿'),
    ('豊', '豐'),
    ('礼', '禮'),
    ('穂', '穗'),
    ('清', '淸'),
    ('静', '靜'),
    ('晃', '晄'),
    ('弥', '彌'),
    ('巌', '巖'),
    ('渕', '淵'),
    ('桧', '檜'),
    ('柳', '栁'),
];

/// Kinds of query noise, each applied alone, and the weaker query forms a
/// crew uses when it knows less (a family name and the address it was sent
/// to, a name and a year, a name alone, …).
///
/// New kinds are declared after the old ones so that the per-kind random
/// streams (seeded with the discriminant) of the old kinds stay the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    Exact,
    Hiragana,
    HalfWidth,
    Spacing,
    LongVowel,
    SmallKana,
    Voicing,
    VariantKanji,
    EraDate,
    SwappedDayMonth,
    OneDigit,
    AgeSex,
    PhoneDate,
    Card,
    Unregistered,
    /// Family name (kanji or kana) + registered address in a written form + sex.
    FamilyAddress,
    /// Full name + birth year only (`1940` or `昭和15年`), sex half the time.
    NameYear,
    /// Full name only, sex half the time.
    NameOnly,
    /// Family name only + full birth date, sex half the time.
    FamilyDate,
    /// Kana full name with one kana substituted, inserted or dropped, with
    /// the birth date half the time, the birth year or the age otherwise.
    Typo,
    /// Kanji family + kana given name or the other way round, with an age, a
    /// birth year or a date.
    Mixed,
    /// Family name alone (+ sex): must be `no_match`.
    WeakFamily,
    /// A household member who is not registered: a registrant's family name
    /// and address, with the outsider's sex and age: must never be a `match`.
    UnregisteredHousehold,
}

impl Kind {
    const ALL: [Kind; 23] = [
        Kind::Exact,
        Kind::Hiragana,
        Kind::HalfWidth,
        Kind::Spacing,
        Kind::LongVowel,
        Kind::SmallKana,
        Kind::Voicing,
        Kind::VariantKanji,
        Kind::EraDate,
        Kind::SwappedDayMonth,
        Kind::OneDigit,
        Kind::AgeSex,
        Kind::PhoneDate,
        Kind::Card,
        Kind::NameYear,
        Kind::NameOnly,
        Kind::FamilyDate,
        Kind::FamilyAddress,
        Kind::Typo,
        Kind::Mixed,
        Kind::WeakFamily,
        Kind::Unregistered,
        Kind::UnregisteredHousehold,
    ];

    /// The weaker query forms summarised on their own line (first / match /
    /// in list), with a short label.
    const WEAK_FORMS: [(Kind, &'static str); 7] = [
        (Kind::AgeSex, "name+age"),
        (Kind::NameYear, "name+year"),
        (Kind::NameOnly, "name only"),
        (Kind::FamilyDate, "family+date"),
        (Kind::FamilyAddress, "family+address"),
        (Kind::Typo, "typo"),
        (Kind::Mixed, "mixed script"),
    ];

    fn label(self) -> &'static str {
        match self {
            Kind::Exact => "exact kanji + ISO date",
            Kind::Hiragana => "name in hiragana",
            Kind::HalfWidth => "half-width katakana",
            Kind::Spacing => "no space / full-width sp",
            Kind::LongVowel => "long vowel misheard",
            Kind::SmallKana => "small kana written large",
            Kind::Voicing => "voicing dropped/added",
            Kind::VariantKanji => "variant kanji",
            Kind::EraDate => "era date form",
            Kind::SwappedDayMonth => "day/month swapped",
            Kind::OneDigit => "one date digit wrong",
            Kind::AgeSex => "age (±1) + sex, no date",
            Kind::PhoneDate => "phone + birth date",
            Kind::Card => "card code (O/0 I/1 lc)",
            Kind::Unregistered => "unregistered person",
            Kind::FamilyAddress => "family + address + sex",
            Kind::NameYear => "name + birth year (±sex)",
            Kind::NameOnly => "full name only (±sex)",
            Kind::FamilyDate => "family + birth date",
            Kind::Typo => "kana typo + date/year/age",
            Kind::Mixed => "mixed kanji/kana name",
            Kind::WeakFamily => "family alone (want none)",
            Kind::UnregisteredHousehold => "unreg. household member",
        }
    }

    /// Kinds that carry a full name reading and a birth date with one noise:
    /// the ≥ 99 % recall target applies to these.
    fn in_name_date_target(self) -> bool {
        matches!(
            self,
            Kind::Exact
                | Kind::Hiragana
                | Kind::HalfWidth
                | Kind::Spacing
                | Kind::LongVowel
                | Kind::SmallKana
                | Kind::Voicing
                | Kind::VariantKanji
                | Kind::EraDate
                | Kind::SwappedDayMonth
                | Kind::OneDigit
        )
    }

    /// Kinds whose query is about someone who is not registered.
    fn unregistered(self) -> bool {
        matches!(self, Kind::Unregistered | Kind::UnregisteredHousehold)
    }

    /// Kinds whose right answer is not the person: any `match` (and for
    /// [`Kind::WeakFamily`] any listed candidate too) counts as WRONG.
    fn expects_none(self) -> bool {
        self.unregistered() || self == Kind::WeakFamily
    }
}

struct Args {
    population: u32,
    queries: usize,
    seed: u64,
    threads: usize,
}

fn parse_args() -> Args {
    let mut args = Args {
        population: 200_000,
        queries: 5000,
        seed: 20_260_401,
        threads: 2,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let value = argv.get(i + 1).cloned().unwrap_or_default();
        match argv[i].as_str() {
            "--population" => args.population = value.parse().unwrap_or(args.population),
            "--queries" => args.queries = value.parse().unwrap_or(args.queries),
            "--seed" => args.seed = value.parse().unwrap_or(args.seed),
            "--threads" => args.threads = value.parse().unwrap_or(args.threads).max(1),
            "--help" | "-h" => {
                println!(
                    "eval_matching [--population N] [--queries Q per kind] [--seed S] [--threads T]"
                );
                std::process::exit(0);
            }
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    args
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn sex_of(s: &str) -> Sex {
    match s {
        "male" => Sex::Male,
        "female" => Sex::Female,
        "other" => Sex::Other,
        _ => Sex::Unknown,
    }
}

/// The matching fields of synthetic person `index` (card code derived from the index).
fn person_fields(generator: &mut synthetic::Generator, seed: u64, index: u64) -> PersonFields {
    let p = generator.person(index);
    let card = matching::card::generate_card_code(splitmix(seed ^ splitmix(index)).to_le_bytes());
    PersonFields {
        family_name: p.family_name,
        given_name: p.given_name,
        family_kana: p.family_name_kana,
        given_kana: p.given_name_kana,
        birth_date: p.birth_date,
        sex: sex_of(&p.sex),
        phones: p.phones,
        postal_code: Some(p.address.postal_code),
        address_line: Some(p.address.line),
        card_code: card,
        district_code: Some(p.address.district_code),
    }
}

fn new_generator(seed: u64, today: NaiveDate) -> synthetic::Generator {
    let districts = DISTRICT_WEIGHTS
        .iter()
        .enumerate()
        .map(|(i, w)| (format!("D{:02}", i + 1), *w))
        .collect();
    synthetic::Generator::new(seed, today, districts)
}

/// Generates persons `from..to` on `threads` threads.
fn generate(seed: u64, today: NaiveDate, from: u64, to: u64, threads: usize) -> Vec<PersonFields> {
    let n = to.saturating_sub(from);
    let chunk = n.div_ceil(threads as u64).max(1);
    let mut parts: Vec<Vec<PersonFields>> = Vec::new();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads as u64)
            .map(|t| {
                s.spawn(move || {
                    let mut g = new_generator(seed, today);
                    let lo = from + t * chunk;
                    let hi = (lo + chunk).min(to);
                    (lo..hi)
                        .map(|i| person_fields(&mut g, seed, i))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            parts.push(h.join().unwrap_or_default());
        }
    });
    parts.into_iter().flatten().collect()
}

// ---------------------------------------------------------------- noise

fn kata_to_hira(s: &str) -> String {
    s.chars()
        .map(|c| {
            let cp = c as u32;
            if (0x30A1..=0x30F6).contains(&cp) {
                char::from_u32(cp - 0x60).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

fn kata_to_halfwidth(s: &str) -> String {
    const FULL: &str = "ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";
    let mut out = String::new();
    for c in s.nfd() {
        match c {
            '\u{3099}' => out.push('\u{FF9E}'),
            '\u{309A}' => out.push('\u{FF9F}'),
            ' ' | '\u{3000}' => out.push(' '),
            _ => match FULL.chars().position(|f| f == c) {
                Some(i) => out.push(char::from_u32(0xFF66 + i as u32).unwrap_or(c)),
                None => out.push(c),
            },
        }
    }
    out
}

fn to_fullwidth_ascii(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_graphic() {
                char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// Vowel (0..5 = a i u e o) of a katakana syllable, including voiced and small ャュョ.
fn vowel(c: char) -> Option<u8> {
    const ROWS: [&str; 5] = [
        "アカサタナハマヤラワガザダバパャァ",
        "イキシチニヒミリギジヂビピィ",
        "ウクスツヌフムユルグズヅブプュゥヴ",
        "エケセテネヘメレゲゼデベペェ",
        "オコソトノホモヨロゴゾドボポョォ",
    ];
    ROWS.iter().position(|r| r.contains(c)).map(|v| v as u8)
}

/// Positions of long vowels: a bare vowel repeating the previous vowel, ウ
/// after an o-syllable, イ after an e-syllable, or ー.
fn long_vowel_positions(chars: &[char]) -> Vec<usize> {
    let mut out = Vec::new();
    for i in 1..chars.len() {
        let c = chars[i];
        if c == 'ー' {
            out.push(i);
            continue;
        }
        let bare = match c {
            'ア' => 0,
            'イ' => 1,
            'ウ' => 2,
            'エ' => 3,
            'オ' => 4,
            _ => continue,
        };
        if let Some(pv) = vowel(chars[i - 1]) {
            if pv == bare || (bare == 2 && pv == 4) || (bare == 1 && pv == 3) {
                out.push(i);
            }
        }
    }
    out
}

const VOICING: &[(char, char)] = &[
    ('カ', 'ガ'),
    ('キ', 'ギ'),
    ('ク', 'グ'),
    ('ケ', 'ゲ'),
    ('コ', 'ゴ'),
    ('サ', 'ザ'),
    ('シ', 'ジ'),
    ('ス', 'ズ'),
    ('セ', 'ゼ'),
    ('ソ', 'ゾ'),
    ('タ', 'ダ'),
    ('チ', 'ヂ'),
    ('ツ', 'ヅ'),
    ('テ', 'デ'),
    ('ト', 'ド'),
    ('ハ', 'バ'),
    ('ヒ', 'ビ'),
    ('フ', 'ブ'),
    ('ヘ', 'ベ'),
    ('ホ', 'ボ'),
];

fn small_to_large(c: char) -> Option<char> {
    Some(match c {
        'ャ' => 'ヤ',
        'ュ' => 'ユ',
        'ョ' => 'ヨ',
        'ッ' => 'ツ',
        'ァ' => 'ア',
        'ィ' => 'イ',
        'ゥ' => 'ウ',
        'ェ' => 'エ',
        'ォ' => 'オ',
        _ => return None,
    })
}

/// Applies a mutation to one of the two kana parts; `f` returns `None` when
/// the part has nothing to mutate.
fn mutate_reading(
    rng: &mut ChaCha8Rng,
    p: &PersonFields,
    f: impl Fn(&mut ChaCha8Rng, &[char]) -> Option<Vec<char>>,
) -> Option<String> {
    let fam: Vec<char> = p.family_kana.chars().collect();
    let giv: Vec<char> = p.given_kana.chars().collect();
    let first_family = rng.random_bool(0.5);
    let order = if first_family { [0, 1] } else { [1, 0] };
    for which in order {
        let src = if which == 0 { &fam } else { &giv };
        if let Some(m) = f(rng, src) {
            let m: String = m.into_iter().collect();
            let (a, b) = if which == 0 {
                (m, p.given_kana.clone())
            } else {
                (p.family_kana.clone(), m)
            };
            let sep = if rng.random_bool(0.5) { " " } else { "" };
            return Some(format!("{a}{sep}{b}"));
        }
    }
    None
}

fn long_vowel_noise(rng: &mut ChaCha8Rng, chars: &[char]) -> Option<Vec<char>> {
    let pos = long_vowel_positions(chars);
    if pos.is_empty() {
        return None;
    }
    let i = pos[rng.random_range(0..pos.len())];
    let mut out = chars.to_vec();
    if out[i] == 'ー' || rng.random_bool(0.5) {
        out.remove(i);
    } else {
        out[i] = 'ー';
    }
    Some(out)
}

fn small_kana_noise(_rng: &mut ChaCha8Rng, chars: &[char]) -> Option<Vec<char>> {
    if !chars.iter().any(|&c| small_to_large(c).is_some()) {
        return None;
    }
    Some(
        chars
            .iter()
            .map(|&c| small_to_large(c).unwrap_or(c))
            .collect(),
    )
}

fn voicing_noise(rng: &mut ChaCha8Rng, chars: &[char]) -> Option<Vec<char>> {
    let pos: Vec<usize> = (0..chars.len())
        .filter(|&i| VOICING.iter().any(|&(a, b)| a == chars[i] || b == chars[i]))
        .collect();
    if pos.is_empty() {
        return None;
    }
    let i = pos[rng.random_range(0..pos.len())];
    let mut out = chars.to_vec();
    for &(plain, voiced) in VOICING {
        if out[i] == plain {
            out[i] = voiced;
            break;
        } else if out[i] == voiced {
            out[i] = plain;
            break;
        }
    }
    Some(out)
}

fn variant_noise(rng: &mut ChaCha8Rng, p: &PersonFields) -> Option<String> {
    let full = format!("{} {}", p.family_name, p.given_name);
    let chars: Vec<char> = full.chars().collect();
    let mut options: Vec<(usize, char)> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        for &(std, var) in VARIANT_PAIRS {
            if c == std {
                options.push((i, var));
            } else if c == var {
                options.push((i, std));
            }
        }
    }
    if options.is_empty() {
        return None;
    }
    let (i, r) = options[rng.random_range(0..options.len())];
    let mut out = chars;
    out[i] = r;
    Some(out.into_iter().collect())
}

fn era_string(rng: &mut ChaCha8Rng, d: NaiveDate) -> String {
    let (name, letter, offset) = if d >= NaiveDate::from_ymd_opt(1989, 1, 8).unwrap_or(d) {
        ("平成", "H", 1988)
    } else if d >= NaiveDate::from_ymd_opt(1926, 12, 25).unwrap_or(d) {
        ("昭和", "S", 1925)
    } else if d >= NaiveDate::from_ymd_opt(1912, 7, 30).unwrap_or(d) {
        ("大正", "T", 1911)
    } else {
        ("明治", "M", 1867)
    };
    let y = d.year() - offset;
    let year = if y == 1 {
        "元".to_string()
    } else {
        y.to_string()
    };
    match rng.random_range(0..4) {
        0 => format!("{name}{year}年{}月{}日", d.month(), d.day()),
        1 => format!("{letter}{y}.{}.{}", d.month(), d.day()),
        2 => to_fullwidth_ascii(&format!(
            "{}{y}.{}.{}",
            letter.to_lowercase(),
            d.month(),
            d.day()
        )),
        _ => format!(
            "{name}{}年{}月{}日",
            to_fullwidth_ascii(&year),
            to_fullwidth_ascii(&d.month().to_string()),
            to_fullwidth_ascii(&d.day().to_string())
        ),
    }
}

fn one_digit_wrong(rng: &mut ChaCha8Rng, d: NaiveDate, today: NaiveDate) -> Option<NaiveDate> {
    let digits: Vec<u8> = format!("{:04}{:02}{:02}", d.year(), d.month(), d.day()).into_bytes();
    for _ in 0..100 {
        let pos = rng.random_range(0..8);
        let new = b'0' + rng.random_range(0..10u8);
        if new == digits[pos] {
            continue;
        }
        let mut m = digits.clone();
        m[pos] = new;
        let s = String::from_utf8(m).ok()?;
        let (y, mo, da) = (
            s[0..4].parse::<i32>().ok()?,
            s[4..6].parse::<u32>().ok()?,
            s[6..8].parse::<u32>().ok()?,
        );
        if let Some(nd) = NaiveDate::from_ymd_opt(y, mo, da) {
            if nd <= today && y >= 1900 {
                return Some(nd);
            }
        }
    }
    None
}

fn phone_form(rng: &mut ChaCha8Rng, phone: &str) -> String {
    match rng.random_range(0..3) {
        0 => phone.to_string(),
        1 => phone.chars().filter(char::is_ascii_digit).collect(),
        _ => to_fullwidth_ascii(phone),
    }
}

fn card_form(rng: &mut ChaCha8Rng, code: &str) -> String {
    let shown = matching::card::format_card_code(code).to_lowercase();
    shown
        .chars()
        .map(|c| match c {
            '0' if rng.random_bool(0.7) => 'o',
            '1' => {
                if rng.random_bool(0.5) {
                    'I'
                } else {
                    'l'
                }
            }
            _ => c,
        })
        .collect()
}

/// A kana text (katakana as registered) in katakana, hiragana or half-width
/// katakana at random.
fn kana_script(rng: &mut ChaCha8Rng, kana: &str) -> String {
    match rng.random_range(0..3) {
        0 => kana.to_string(),
        1 => kata_to_hira(kana),
        _ => kata_to_halfwidth(kana),
    }
}

/// The family name as a crew reads it off a nameplate or hears it: kanji, or
/// the reading in katakana, hiragana or half-width katakana.
fn family_form(rng: &mut ChaCha8Rng, p: &PersonFields) -> String {
    if rng.random_bool(0.5) {
        p.family_name.clone()
    } else {
        kana_script(rng, &p.family_kana)
    }
}

/// The full name in kanji, or the reading in katakana or hiragana, with or
/// without a space.
fn full_name_form(rng: &mut ChaCha8Rng, p: &PersonFields) -> String {
    let sep = if rng.random_bool(0.5) { " " } else { "" };
    match rng.random_range(0..3) {
        0 => format!("{}{sep}{}", p.family_name, p.given_name),
        1 => format!("{}{sep}{}", p.family_kana, p.given_kana),
        _ => kata_to_hira(&format!("{}{sep}{}", p.family_kana, p.given_kana)),
    }
}

/// The sex when known, half the time.
fn sex_half(rng: &mut ChaCha8Rng, p: &PersonFields) -> Option<Sex> {
    (p.sex.is_known() && rng.random_bool(0.5)).then_some(p.sex)
}

/// The sex when known.
fn known_sex(p: &PersonFields) -> Option<Sex> {
    p.sex.is_known().then_some(p.sex)
}

/// Era year of a birth date as said (`昭和15年`, `平成元年`).
fn era_year_string(d: NaiveDate) -> String {
    let (name, offset) = if d >= NaiveDate::from_ymd_opt(1989, 1, 8).unwrap_or(d) {
        ("平成", 1988)
    } else if d >= NaiveDate::from_ymd_opt(1926, 12, 25).unwrap_or(d) {
        ("昭和", 1925)
    } else if d >= NaiveDate::from_ymd_opt(1912, 7, 30).unwrap_or(d) {
        ("大正", 1911)
    } else {
        ("明治", 1867)
    };
    match d.year() - offset {
        1 => format!("{name}元年"),
        y => format!("{name}{y}年"),
    }
}

/// Kanji numeral for 0..1000 (`24` → `二十四`, `345` → `三百四十五`).
fn kanji_numeral(n: u32) -> String {
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if n == 0 || n >= 1000 {
        return if n == 0 { "〇".into() } else { n.to_string() };
    }
    let mut out = String::new();
    for (value, unit) in [
        (n / 100 % 10, Some('百')),
        (n / 10 % 10, Some('十')),
        (n % 10, None),
    ] {
        if value == 0 {
            continue;
        }
        match unit {
            Some(u) => {
                if value > 1 {
                    out.push(DIGITS[value as usize]);
                }
                out.push(u);
            }
            None => out.push(DIGITS[value as usize]),
        }
    }
    out
}

/// How the synthetic address line writes its block numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BlockStyle {
    /// `町3丁目12-5`: numbers [丁目, 番, 号].
    Chome,
    /// `町123番地`: numbers [番地].
    Banchi,
    /// `町123-4`: numbers [番地, 号].
    Dashed,
}

/// A registered address line taken apart (`北見市` + town + numbers +
/// building/room or facility).
struct RegisteredAddress {
    city: String,
    town: String,
    style: BlockStyle,
    numbers: Vec<u32>,
}

/// Splits a trailing run of ASCII digits off `s`: (`北4条東`, 3) for `北4条東3`.
fn trailing_number(s: &str) -> Option<(String, u32)> {
    let digits = s.chars().rev().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let cut = s.len() - digits; // ASCII digits are one byte each
    let n = s.get(cut..)?.parse().ok()?;
    Some((s.get(..cut)?.to_string(), n))
}

fn split_registered(line: &str) -> Option<RegisteredAddress> {
    let base = line.split(' ').next()?;
    let city_end = base.find('市').map(|i| i + '市'.len_utf8()).unwrap_or(0);
    let (city, rest) = base.split_at(city_end);
    let (town, style, numbers) = if let Some((head, tail)) = rest.split_once("丁目") {
        let (town, chome) = trailing_number(head)?;
        let (ban, go) = tail.split_once('-')?;
        (
            town,
            BlockStyle::Chome,
            vec![chome, ban.parse().ok()?, go.parse().ok()?],
        )
    } else if let Some(head) = rest.strip_suffix("番地") {
        let (town, n) = trailing_number(head)?;
        (town, BlockStyle::Banchi, vec![n])
    } else {
        let (head, go) = rest.rsplit_once('-')?;
        let (town, n) = trailing_number(head)?;
        (town, BlockStyle::Dashed, vec![n, go.parse().ok()?])
    };
    if town.is_empty() {
        return None;
    }
    Some(RegisteredAddress {
        city: city.to_string(),
        town,
        style,
        numbers,
    })
}

/// The registered address of `p` in one of the written forms crews type:
/// as registered; `港4-4-24` dashed without the city; full-width digits;
/// the 丁目 (or 番地) number in kanji numerals; with prefecture and city
/// (sometimes after `〒postal`); with a room suffix ` 201号室`.
fn address_form(rng: &mut ChaCha8Rng, p: &PersonFields) -> Option<String> {
    let line = p.address_line.as_deref()?;
    let Some(a) = split_registered(line) else {
        return Some(line.to_string());
    };
    let joined = |ns: &[u32]| ns.iter().map(u32::to_string).collect::<Vec<_>>().join("-");
    let dashed = format!("{}{}", a.town, joined(&a.numbers));
    let n = &a.numbers;
    let written = match a.style {
        BlockStyle::Chome => format!("{}{}丁目{}番{}号", a.town, n[0], n[1], n[2]),
        BlockStyle::Banchi => format!("{}{}番地", a.town, n[0]),
        BlockStyle::Dashed => format!("{}{}番地{}", a.town, n[0], n[1]),
    };
    Some(match rng.random_range(0..6) {
        0 => line.to_string(),
        1 => dashed,
        2 => to_fullwidth_ascii(&dashed),
        3 => match a.style {
            BlockStyle::Chome => {
                format!("{}{}丁目{}番{}号", a.town, kanji_numeral(n[0]), n[1], n[2])
            }
            BlockStyle::Banchi => format!("{}{}番地", a.town, kanji_numeral(n[0])),
            BlockStyle::Dashed => format!("{}{}番地の{}", a.town, kanji_numeral(n[0]), n[1]),
        },
        4 => {
            let body = if rng.random_bool(0.5) {
                written
            } else {
                dashed
            };
            let full = format!("北海道{}{body}", a.city);
            match &p.postal_code {
                Some(pc) if rng.random_bool(0.3) => format!("〒{pc} {full}"),
                _ => full,
            }
        }
        _ => format!(
            "{dashed} {}{:02}号室",
            rng.random_range(1..=4),
            rng.random_range(1..=12)
        ),
    })
}

/// Plain katakana used for typos.
const TYPO_KANA: &str =
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ";

fn is_small_kana(c: char) -> bool {
    "ャュョッァィゥェォヮ".contains(c)
}

/// One kana substituted, inserted or dropped (not touching a small kana or
/// its syllable, and changing the phonetic key).
fn typo_noise(rng: &mut ChaCha8Rng, chars: &[char]) -> Option<Vec<char>> {
    if chars.is_empty() {
        return None;
    }
    let pool: Vec<char> = TYPO_KANA.chars().collect();
    let original = matching::kana::phonetic_key(&chars.iter().collect::<String>());
    // A position is plain when it is a full-size kana not followed by a small one.
    let plain = |i: usize| {
        chars
            .get(i)
            .is_some_and(|&c| !is_small_kana(c) && c != 'ー')
            && !chars.get(i + 1).is_some_and(|&c| is_small_kana(c))
    };
    for _ in 0..30 {
        let mut out = chars.to_vec();
        let new = pool[rng.random_range(0..pool.len())];
        match rng.random_range(0..3) {
            0 => {
                let i = rng.random_range(0..out.len());
                if !plain(i) || out[i] == new {
                    continue;
                }
                out[i] = new;
            }
            1 => {
                let i = rng.random_range(0..=out.len());
                if out.get(i).is_some_and(|&c| is_small_kana(c) || c == 'ー') {
                    continue;
                }
                out.insert(i, new);
            }
            _ => {
                let i = rng.random_range(0..out.len());
                if out.len() < 2 || !plain(i) {
                    continue;
                }
                out.remove(i);
            }
        }
        let s: String = out.iter().collect();
        if matching::kana::phonetic_key(&s) != original {
            return Some(out);
        }
    }
    None
}

fn kanji_name(rng: &mut ChaCha8Rng, p: &PersonFields) -> String {
    let _ = rng;
    format!("{} {}", p.family_name, p.given_name)
}

fn kana_name(p: &PersonFields) -> String {
    format!("{} {}", p.family_kana, p.given_kana)
}

fn date_query(d: NaiveDate) -> Option<BirthQuery> {
    Some(BirthQuery::Date(d))
}

/// Builds a query of `kind` for person `p`; `None` when the noise does not apply.
fn make_query(
    kind: Kind,
    rng: &mut ChaCha8Rng,
    p: &PersonFields,
    today: NaiveDate,
) -> Option<Query> {
    let iso = p.birth_date.format("%Y-%m-%d").to_string();
    let parse = |s: &str| parse_birth_query(s, today).ok();
    let base = |name: String, birth: Option<BirthQuery>| Query {
        name: Some(name),
        birth,
        ..Query::default()
    };
    let q = match kind {
        Kind::Exact => base(kanji_name(rng, p), parse(&iso)),
        Kind::Unregistered => {
            let name = if rng.random_bool(0.5) {
                kanji_name(rng, p)
            } else {
                kana_name(p)
            };
            base(name, parse(&iso))
        }
        Kind::Hiragana => {
            let sep = if rng.random_bool(0.5) { " " } else { "" };
            base(
                kata_to_hira(&format!("{}{sep}{}", p.family_kana, p.given_kana)),
                parse(&iso),
            )
        }
        Kind::HalfWidth => base(kata_to_halfwidth(&kana_name(p)), parse(&iso)),
        Kind::Spacing => {
            let name = match rng.random_range(0..4) {
                0 => format!("{}{}", p.family_name, p.given_name),
                1 => format!("{}\u{3000}{}", p.family_name, p.given_name),
                2 => format!("{}{}", p.family_kana, p.given_kana),
                _ => format!("{}\u{3000}{}", p.family_kana, p.given_kana),
            };
            base(name, parse(&iso))
        }
        Kind::LongVowel => base(mutate_reading(rng, p, long_vowel_noise)?, parse(&iso)),
        Kind::SmallKana => base(mutate_reading(rng, p, small_kana_noise)?, parse(&iso)),
        Kind::Voicing => base(mutate_reading(rng, p, voicing_noise)?, parse(&iso)),
        Kind::VariantKanji => base(variant_noise(rng, p)?, parse(&iso)),
        Kind::EraDate => {
            let s = era_string(rng, p.birth_date);
            let b = parse(&s);
            if b != date_query(p.birth_date) {
                eprintln!("era parse mismatch: {s} → {b:?}");
            }
            base(kanji_name(rng, p), b)
        }
        Kind::SwappedDayMonth => {
            let d = p.birth_date;
            if d.day() > 12 || d.day() == d.month() {
                return None;
            }
            let s = NaiveDate::from_ymd_opt(d.year(), d.day(), d.month())?;
            if s > today {
                return None;
            }
            base(kanji_name(rng, p), date_query(s))
        }
        Kind::OneDigit => {
            let d = one_digit_wrong(rng, p.birth_date, today)?;
            base(kanji_name(rng, p), date_query(d))
        }
        Kind::AgeSex => {
            let age = age_on(p.birth_date, today);
            let age = match rng.random_range(0..4) {
                0 => age + 1,
                1 => age.saturating_sub(1),
                _ => age,
            };
            let name = if rng.random_bool(0.5) {
                kanji_name(rng, p)
            } else {
                kana_name(p)
            };
            let sex = if p.sex.is_known() { Some(p.sex) } else { None };
            Query {
                name: Some(name),
                age: Some(age),
                sex,
                ..Query::default()
            }
        }
        Kind::PhoneDate => {
            if p.phones.is_empty() {
                return None;
            }
            let ph = &p.phones[rng.random_range(0..p.phones.len())];
            Query {
                phone: Some(phone_form(rng, ph)),
                birth: parse(&iso),
                ..Query::default()
            }
        }
        Kind::Card => Query {
            card_code: Some(card_form(rng, &p.card_code)),
            ..Query::default()
        },
        Kind::FamilyAddress => Query {
            name: Some(family_form(rng, p)),
            address: Some(address_form(rng, p)?),
            sex: known_sex(p),
            ..Query::default()
        },
        Kind::NameYear => {
            let s = if rng.random_bool(0.5) {
                p.birth_date.year().to_string()
            } else {
                era_year_string(p.birth_date)
            };
            let b = parse(&s);
            if b != Some(BirthQuery::Year(p.birth_date.year())) {
                eprintln!("year parse mismatch: {s} → {b:?}");
            }
            Query {
                name: Some(full_name_form(rng, p)),
                birth: b,
                sex: sex_half(rng, p),
                ..Query::default()
            }
        }
        Kind::NameOnly => Query {
            name: Some(full_name_form(rng, p)),
            sex: sex_half(rng, p),
            ..Query::default()
        },
        Kind::FamilyDate => Query {
            name: Some(family_form(rng, p)),
            birth: parse(&iso),
            sex: sex_half(rng, p),
            ..Query::default()
        },
        Kind::Typo => {
            let name = mutate_reading(rng, p, typo_noise)?;
            let name = if rng.random_bool(0.3) {
                kata_to_hira(&name)
            } else {
                name
            };
            let (birth, age) = match rng.random_range(0..4) {
                0 | 1 => (parse(&iso), None),
                2 => (Some(BirthQuery::Year(p.birth_date.year())), None),
                _ => (None, Some(age_on(p.birth_date, today))),
            };
            Query {
                name: Some(name),
                birth,
                age,
                ..Query::default()
            }
        }
        Kind::Mixed => {
            let kana = |rng: &mut ChaCha8Rng, k: &str| {
                if rng.random_bool(0.5) {
                    k.to_string()
                } else {
                    kata_to_hira(k)
                }
            };
            let (family, given) = if rng.random_bool(0.5) {
                (p.family_name.clone(), kana(rng, &p.given_kana))
            } else {
                (kana(rng, &p.family_kana), p.given_name.clone())
            };
            let sep = if rng.random_bool(0.5) { " " } else { "" };
            let (birth, age) = match rng.random_range(0..3) {
                0 => (None, Some(age_on(p.birth_date, today))),
                1 => (Some(BirthQuery::Year(p.birth_date.year())), None),
                _ => (parse(&iso), None),
            };
            Query {
                name: Some(format!("{family}{sep}{given}")),
                birth,
                age,
                ..Query::default()
            }
        }
        Kind::WeakFamily => Query {
            name: Some(family_form(rng, p)),
            sex: known_sex(p),
            ..Query::default()
        },
        // Built from two people by `household_query`.
        Kind::UnregisteredHousehold => return None,
    };
    Some(q)
}

/// An unregistered household member: the family name and address of
/// registrant `r` (as on the nameplate and the dispatch), the sex and age of
/// outsider `o`.
fn household_query(
    rng: &mut ChaCha8Rng,
    r: &PersonFields,
    o: &PersonFields,
    today: NaiveDate,
) -> Option<Query> {
    Some(Query {
        name: Some(family_form(rng, r)),
        address: Some(address_form(rng, r)?),
        sex: known_sex(o),
        age: Some(age_on(o.birth_date, today)),
        ..Query::default()
    })
}

// ---------------------------------------------------------------- search

type Index = HashMap<String, Vec<u32>>;

fn build_index(people: &[PersonFields], threads: usize) -> Index {
    let chunk = people.len().div_ceil(threads).max(1);
    let mut keyed: Vec<Vec<Vec<String>>> = Vec::new();
    std::thread::scope(|s| {
        let handles: Vec<_> = people
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(registrant_keys).collect::<Vec<_>>()))
            .collect();
        for h in handles {
            keyed.push(h.join().unwrap_or_default());
        }
    });
    let mut index: Index = HashMap::with_capacity(people.len() * 6);
    for (i, keys) in keyed.into_iter().flatten().enumerate() {
        for k in keys {
            index.entry(k).or_default().push(i as u32);
        }
    }
    index
}

struct Answer {
    decision: Decision<u32>,
    /// (index, score) of every candidate scored.
    scored: Vec<(u32, f64)>,
    capped: bool,
    nanos: u64,
}

/// Registrants sharing any of `keys`, at most [`CANDIDATE_CAP`] (as the server's query).
fn reach(index: &Index, keys: &[String], capped: &mut bool) -> Vec<u32> {
    let mut seen: HashSet<u32> = HashSet::new();
    let mut ids: Vec<u32> = Vec::new();
    'keys: for k in keys {
        if let Some(list) = index.get(k) {
            for &id in list {
                if seen.insert(id) {
                    if ids.len() >= CANDIDATE_CAP {
                        *capped = true;
                        break 'keys;
                    }
                    ids.push(id);
                }
            }
        }
    }
    ids
}

/// Answers a query exactly as the server does (two-stage retrieval, scoring,
/// decision).
fn answer(
    q: &Query,
    people: &[PersonFields],
    index: &Index,
    counts: &NameCounts,
    today: NaiveDate,
) -> Answer {
    let start = Instant::now();
    let keys = staged_keys(q, today);
    let mut scored: Vec<(u32, f64)> = Vec::new();
    let mut capped = false;
    let decision = staged_decide(
        q,
        &keys,
        |keys| {
            let found: Vec<(u32, matching::Score)> = reach(index, keys, &mut capped)
                .into_iter()
                .map(|id| (id, score(q, &people[id as usize], today, counts)))
                .collect();
            scored.extend(found.iter().map(|(id, s)| (*id, s.total)));
            Ok::<_, std::convert::Infallible>(found)
        },
        |id| *id,
    )
    .unwrap_or(Decision::NoMatch);
    let mut once: HashSet<u32> = HashSet::new();
    scored.retain(|(id, _)| once.insert(*id));
    let nanos = start.elapsed().as_nanos() as u64;
    Answer {
        decision,
        scored,
        capped,
        nanos,
    }
}

// ---------------------------------------------------------------- tally

#[derive(Default, Clone)]
struct Tally {
    queries: u64,
    matched: u64,
    /// Right person as `match` or first in the candidate list.
    first: u64,
    top: u64,
    lower: u64,
    not_found: u64,
    wrong_match: u64,
    /// Unregistered: wrong match to someone identical on every queried field.
    wrong_identical: u64,
    with_candidates: u64,
    candidates_sum: u64,
    capped: u64,
    dup_groups: u64,
    scored: Vec<u64>,
    nanos: Vec<u64>,
    skipped: u64,
    examples: Vec<String>,
}

impl Tally {
    fn merge(&mut self, o: Tally) {
        self.queries += o.queries;
        self.matched += o.matched;
        self.first += o.first;
        self.top += o.top;
        self.lower += o.lower;
        self.not_found += o.not_found;
        self.wrong_match += o.wrong_match;
        self.wrong_identical += o.wrong_identical;
        self.with_candidates += o.with_candidates;
        self.candidates_sum += o.candidates_sum;
        self.capped += o.capped;
        self.dup_groups += o.dup_groups;
        self.scored.extend(o.scored);
        self.nanos.extend(o.nanos);
        self.skipped += o.skipped;
        if self.examples.len() < 8 {
            self.examples.extend(o.examples.into_iter().take(8));
        }
    }

    fn found(&self) -> u64 {
        self.matched + self.top
    }
}

fn percentile(v: &mut [u64], p: f64) -> u64 {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

fn same_identity(a: &PersonFields, b: &PersonFields) -> bool {
    a.birth_date == b.birth_date
        && matching::kanji::name_key(&format!("{}{}", a.family_name, a.given_name))
            == matching::kanji::name_key(&format!("{}{}", b.family_name, b.given_name))
}

fn same_reading(a: &PersonFields, b: &PersonFields) -> bool {
    a.birth_date == b.birth_date
        && matching::kana::reading_key(&format!("{}{}", a.family_kana, a.given_kana))
            == matching::kana::reading_key(&format!("{}{}", b.family_kana, b.given_kana))
}

fn describe(q: &Query) -> String {
    let mut parts = Vec::new();
    if let Some(n) = &q.name {
        parts.push(format!("name={n}"));
    }
    if let Some(b) = &q.birth {
        parts.push(format!("birth={b:?}"));
    }
    if let Some(a) = q.age {
        parts.push(format!("age={a}"));
    }
    if let Some(s) = q.sex {
        parts.push(format!("sex={s:?}"));
    }
    if let Some(p) = &q.phone {
        parts.push(format!("phone={p}"));
    }
    if let Some(c) = &q.card_code {
        parts.push(format!("card={c}"));
    }
    if let Some(a) = &q.address {
        parts.push(format!("address={a}"));
    }
    if let Some(d) = &q.district {
        parts.push(format!("district={d}"));
    }
    parts.join(" ")
}

fn show(p: &PersonFields) -> String {
    format!(
        "{} {} ({} {}) {} {:?} {} {}",
        p.family_name,
        p.given_name,
        p.family_kana,
        p.given_kana,
        p.birth_date,
        p.sex,
        p.address_line.as_deref().unwrap_or(""),
        p.district_code.as_deref().unwrap_or("")
    )
}

/// Share of all queries whose incident district is the person's own.
const OWN_DISTRICT_SHARE: f64 = 0.7;

/// Sets the incident district: the person's own district for about
/// [`OWN_DISTRICT_SHARE`] of queries, another district otherwise.
fn set_district(rng: &mut ChaCha8Rng, q: &mut Query, home: Option<&str>) {
    let codes: Vec<String> = (1..=DISTRICT_WEIGHTS.len())
        .map(|i| format!("D{i:02}"))
        .collect();
    let district = match home {
        Some(h) if rng.random_bool(OWN_DISTRICT_SHARE) => h.to_string(),
        Some(h) => {
            let others: Vec<&String> = codes.iter().filter(|c| c.as_str() != h).collect();
            others[rng.random_range(0..others.len())].clone()
        }
        None => codes[rng.random_range(0..codes.len())].clone(),
    };
    q.district = Some(district);
}

/// The field levels behind a score, for the examples printed.
fn explain(s: &matching::Score) -> String {
    let mut parts = vec![format!("total {:.1}", s.total)];
    if let Some(n) = s.name {
        parts.push(format!("name {n:?} {:.1}", s.name_weight));
    }
    if let Some(b) = s.birth {
        parts.push(format!("birth {b:?}"));
    }
    if let Some(a) = s.age {
        parts.push(format!("age {a:?}"));
    }
    if let Some(x) = s.sex {
        parts.push(format!("sex {x:?}"));
    }
    if let Some(a) = s.address {
        parts.push(format!("address {a:?}"));
    }
    if let Some(d) = s.district {
        parts.push(format!("district {d:?}"));
    }
    parts.join(", ")
}

#[allow(clippy::too_many_arguments)]
fn run_kind(
    kind: Kind,
    args: &Args,
    people: &[PersonFields],
    outsiders: &[PersonFields],
    index: &Index,
    counts: &NameCounts,
    today: NaiveDate,
    thread: usize,
) -> Tally {
    let mut t = Tally::default();
    let mut rng = ChaCha8Rng::seed_from_u64(splitmix(
        args.seed ^ (kind as u64) << 32 ^ (thread as u64) << 48,
    ));
    // The incident district is drawn from its own stream, so that the
    // queries of each kind stay those of earlier versions of this evaluation.
    let mut district_rng = ChaCha8Rng::seed_from_u64(splitmix(
        args.seed ^ 0xD157 ^ (kind as u64) << 32 ^ (thread as u64) << 48,
    ));
    let per_thread = args.queries.div_ceil(args.threads);
    let mut attempts = 0;
    while (t.queries as usize) < per_thread && attempts < per_thread * 200 {
        attempts += 1;
        // `p` is the person the query describes, `home` the one whose
        // district the crew is usually dispatched to.
        let (target, p, home) = match kind {
            Kind::Unregistered => {
                let i = rng.random_range(0..outsiders.len());
                (None, &outsiders[i], &outsiders[i])
            }
            Kind::UnregisteredHousehold => {
                let r = rng.random_range(0..people.len());
                let o = rng.random_range(0..outsiders.len());
                (None, &outsiders[o], &people[r])
            }
            _ => {
                let i = rng.random_range(0..people.len());
                (Some(i as u32), &people[i], &people[i])
            }
        };
        let made = if kind == Kind::UnregisteredHousehold {
            household_query(&mut rng, home, p, today)
        } else {
            make_query(kind, &mut rng, p, today)
        };
        let Some(mut q) = made else {
            t.skipped += 1;
            continue;
        };
        set_district(&mut district_rng, &mut q, home.district_code.as_deref());
        t.queries += 1;
        let a = answer(&q, people, index, counts, today);
        t.scored.push(a.scored.len() as u64);
        t.nanos.push(a.nanos);
        t.capped += u64::from(a.capped);
        if let Decision::Candidates(c) = &a.decision {
            t.with_candidates += 1;
            t.candidates_sum += c.len() as u64;
        }
        match target {
            None => match &a.decision {
                Decision::Match(id, _) => {
                    let other = &people[*id as usize];
                    // A household query carries no full name or date: any
                    // match is wrong.
                    let identical = kind == Kind::Unregistered
                        && (same_identity(other, p) || same_reading(other, p));
                    if identical {
                        t.wrong_identical += 1;
                    } else {
                        t.wrong_match += 1;
                        if t.examples.len() < 4 {
                            let runner_up = a
                                .scored
                                .iter()
                                .filter(|x| x.0 != *id)
                                .map(|x| x.1)
                                .fold(f64::NEG_INFINITY, f64::max);
                            t.examples.push(format!(
                                "WRONG MATCH (unregistered) q[{}] → {} [{}; runner-up {runner_up:.1}, {} scored]",
                                describe(&q),
                                show(other),
                                explain(&score(&q, other, today, counts)),
                                a.scored.len()
                            ));
                        }
                    }
                }
                Decision::Candidates(_) => t.not_found += 0,
                Decision::NoMatch => {}
            },
            Some(tid) if kind == Kind::WeakFamily => {
                // Any answer but `no_match` is a failure (WRONG); `matched`
                // counts the answers that were a `match` (to anyone), `first`
                // those that put the person first.
                let shown = match &a.decision {
                    Decision::NoMatch => None,
                    Decision::Match(id, _) => {
                        t.matched += 1;
                        Some(*id)
                    }
                    Decision::Candidates(c) => c.first().map(|x| x.0),
                };
                if let Some(id) = shown {
                    t.wrong_match += 1;
                    t.first += u64::from(id == tid);
                    if t.examples.len() < 4 {
                        t.examples.push(format!(
                            "ANSWERED (family alone) q[{}] target {} → first {}",
                            describe(&q),
                            show(p),
                            show(&people[id as usize])
                        ));
                    }
                }
            }
            Some(tid) => {
                let dup = a.scored.iter().any(|&(id, _)| {
                    id != tid && {
                        let o = &people[id as usize];
                        same_identity(o, p) || same_reading(o, p)
                    }
                });
                t.dup_groups += u64::from(dup);
                // The target's own score, for the examples printed.
                let tscore = a
                    .scored
                    .iter()
                    .find(|x| x.0 == tid)
                    .map_or(f64::NAN, |x| x.1);
                match &a.decision {
                    Decision::Match(id, _) if *id == tid => {
                        t.matched += 1;
                        t.first += 1;
                    }
                    Decision::Match(id, _) => {
                        t.wrong_match += 1;
                        if t.examples.len() < 8 {
                            let other = &people[*id as usize];
                            t.examples.push(format!(
                                "WRONG MATCH q[{}] target {} (score {tscore:.1}) → {} [{}]",
                                describe(&q),
                                show(p),
                                show(other),
                                explain(&score(&q, other, today, counts))
                            ));
                        }
                    }
                    Decision::Candidates(c) => {
                        let top = c.first().map_or(f64::NAN, |x| x.1);
                        t.first += u64::from(c.first().is_some_and(|x| x.0 == tid));
                        match c.iter().find(|x| x.0 == tid) {
                            Some(x) if x.1 >= top - 1e-9 => t.top += 1,
                            Some(_) => t.lower += 1,
                            None => t.not_found += 1,
                        }
                        let lost = !c.iter().any(|x| x.0 == tid && x.1 >= top - 1e-9);
                        if lost && t.examples.len() < 8 {
                            t.examples.push(format!(
                                "missed q[{}] target {} (score {tscore:.1}); top {}",
                                describe(&q),
                                show(p),
                                c.first().map_or(String::new(), |x| format!(
                                    "{} ({:.1})",
                                    show(&people[x.0 as usize]),
                                    x.1
                                ))
                            ));
                        }
                    }
                    Decision::NoMatch => {
                        t.not_found += 1;
                        if t.examples.len() < 8 {
                            t.examples.push(format!(
                                "no_match q[{}] target {} (score {tscore:.1})",
                                describe(&q),
                                show(p)
                            ));
                        }
                    }
                }
            }
        }
    }
    t
}

fn pct(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

fn main() {
    let args = parse_args();
    let today = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default();
    let started = Instant::now();
    let people = generate(
        args.seed,
        today,
        0,
        u64::from(args.population),
        args.threads,
    );
    let outsiders_n = (args.queries as u64).max(1000);
    let outsiders = generate(
        args.seed,
        today,
        u64::from(args.population) + 1_000_000,
        u64::from(args.population) + 1_000_000 + outsiders_n,
        args.threads,
    );
    let gen_secs = started.elapsed().as_secs_f64();
    let t_index = Instant::now();
    let index = build_index(&people, args.threads);
    let counts = NameCounts::of(&people);
    let counts = &counts;
    let biggest = index.values().map(Vec::len).max().unwrap_or(0);
    println!(
        "population {} (seed {}, today {today}), generated in {gen_secs:.1}s; index: {} keys, \
         built in {:.1}s, largest bucket {biggest}; {} queries per kind",
        args.population,
        args.seed,
        index.len(),
        t_index.elapsed().as_secs_f64(),
        args.queries
    );

    let mut tallies: Vec<(Kind, Tally)> = Vec::new();
    for kind in Kind::ALL {
        let mut total = Tally::default();
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..args.threads)
                .map(|th| {
                    let (args, people, outsiders, index) = (&args, &people, &outsiders, &index);
                    s.spawn(move || {
                        run_kind(kind, args, people, outsiders, index, counts, today, th)
                    })
                })
                .collect();
            for h in handles {
                if let Ok(t) = h.join() {
                    total.merge(t);
                }
            }
        });
        tallies.push((kind, total));
    }

    println!();
    println!(
        "{:<26} {:>6} {:>7} {:>7} {:>6} {:>6} {:>6} {:>7} {:>6} {:>5} {:>5} {:>6} {:>6} {:>5} {:>5}",
        "kind",
        "n",
        "match",
        "top",
        "lower",
        "miss",
        "WRONG",
        "found%",
        "cands",
        "sc50",
        "sc99",
        "us50",
        "us99",
        "cap",
        "dups"
    );
    let mut target = Tally::default();
    let mut all = Tally::default();
    for (kind, t) in &tallies {
        let mut scored = t.scored.clone();
        let mut nanos = t.nanos.clone();
        // Rows whose right answer is nobody: only WRONG counts.
        let is_unreg = kind.expects_none();
        println!(
            "{:<26} {:>6} {:>7} {:>7} {:>6} {:>6} {:>6} {:>7} {:>6.2} {:>5} {:>5} {:>6} {:>6} {:>5} {:>5}",
            kind.label(),
            t.queries,
            if is_unreg { "-".to_string() } else { t.matched.to_string() },
            if is_unreg { "-".to_string() } else { t.top.to_string() },
            if is_unreg { "-".to_string() } else { t.lower.to_string() },
            if is_unreg { "-".to_string() } else { t.not_found.to_string() },
            t.wrong_match,
            if is_unreg {
                "-".to_string()
            } else {
                format!("{:.2}", pct(t.found(), t.queries))
            },
            t.candidates_sum as f64 / t.with_candidates.max(1) as f64,
            percentile(&mut scored, 0.5),
            percentile(&mut scored, 0.99),
            percentile(&mut nanos, 0.5) / 1000,
            percentile(&mut nanos, 0.99) / 1000,
            t.capped,
            t.dup_groups
        );
        if kind.in_name_date_target() {
            target.merge(t.clone());
        }
        if !is_unreg {
            all.merge(t.clone());
        }
    }
    let mut scored = all.scored.clone();
    let mut nanos = all.nanos.clone();
    println!(
        "{:<26} {:>6} {:>7} {:>7} {:>6} {:>6} {:>6} {:>7} {:>6.2} {:>5} {:>5} {:>6} {:>6} {:>5} {:>5}",
        "TOTAL (registered)",
        all.queries,
        all.matched,
        all.top,
        all.lower,
        all.not_found,
        all.wrong_match,
        format!("{:.2}", pct(all.found(), all.queries)),
        all.candidates_sum as f64 / all.with_candidates.max(1) as f64,
        percentile(&mut scored, 0.5),
        percentile(&mut scored, 0.99),
        percentile(&mut nanos, 0.5) / 1000,
        percentile(&mut nanos, 0.99) / 1000,
        all.capped,
        all.dup_groups
    );
    println!();
    println!(
        "columns: match = right person as `match`; top = right person top candidate (or tied at \
         the top) without a match; lower = listed lower; miss = not listed / no_match; WRONG = \
         another person returned as `match`; cands = mean candidates shown when the outcome is \
         `candidates`; sc50/sc99 = candidates scored; us50/us99 = in-memory time per query (µs); \
         cap = queries hitting the {CANDIDATE_CAP} candidate cap; dups = queries whose person shares \
         name (kanji or reading) and birth date with another registrant. Rows whose right answer is \
         nobody: unregistered rows count a `match` as WRONG; `family alone` counts any answer \
         (match or candidates) as WRONG. The incident district is the person's own (for a \
         household member, the registrant's) in {:.0}% of all queries, another district otherwise.",
        OWN_DISTRICT_SHARE * 100.0
    );
    println!(
        "RECALL (full name reading + birth date, one noise, {} kinds): {}/{} = {:.3}% \
         (as match {:.2}%), wrong-person matches: {}",
        Kind::ALL.iter().filter(|k| k.in_name_date_target()).count(),
        target.found(),
        target.queries,
        pct(target.found(), target.queries),
        pct(target.matched, target.queries),
        target.wrong_match
    );
    let mut weak = Vec::new();
    let mut weak_wrong = 0;
    for (kind, short) in Kind::WEAK_FORMS {
        if let Some((_, t)) = tallies.iter().find(|(k, _)| *k == kind) {
            weak.push(format!(
                "{short} {:.1}/{:.1}/{:.1}",
                pct(t.first, t.queries),
                pct(t.matched, t.queries),
                pct(t.matched + t.top + t.lower, t.queries)
            ));
            weak_wrong += t.wrong_match;
        }
    }
    println!(
        "WEAK FORMS (% first / match / in list): {}; wrong-person matches total: {weak_wrong}",
        weak.join(" | ")
    );
    if let Some((_, f)) = tallies.iter().find(|(k, _)| *k == Kind::WeakFamily) {
        println!(
            "FAMILY ALONE (+ sex; must be no_match): {} queries: no_match {} ({:.2}%), \
             candidates {}, match {}; the person shown first in {}",
            f.queries,
            f.queries - f.wrong_match,
            pct(f.queries - f.wrong_match, f.queries),
            f.with_candidates,
            f.matched,
            f.first
        );
    }
    if let Some((_, u)) = tallies.iter().find(|(k, _)| *k == Kind::Unregistered) {
        let nomatch = u.queries - u.with_candidates - u.wrong_match - u.wrong_identical;
        println!(
            "UNREGISTERED: {} queries: no_match {} ({:.2}%), candidates {} ({:.2}%), match to a \
             different-looking person {}, match to a registrant identical on every queried field \
             (same name and birth date) {}",
            u.queries,
            nomatch,
            pct(nomatch, u.queries),
            u.with_candidates,
            pct(u.with_candidates, u.queries),
            u.wrong_match,
            u.wrong_identical
        );
    }
    if let Some((_, h)) = tallies
        .iter()
        .find(|(k, _)| *k == Kind::UnregisteredHousehold)
    {
        let nomatch = h.queries - h.with_candidates - h.wrong_match;
        println!(
            "UNREGISTERED HOUSEHOLD MEMBER (registrant's family name + address, outsider's sex and \
             age; must never match): {} queries: no_match {} ({:.2}%), candidates {} ({:.2}%), \
             match {}",
            h.queries,
            nomatch,
            pct(nomatch, h.queries),
            h.with_candidates,
            pct(h.with_candidates, h.queries),
            h.wrong_match
        );
    }
    for (kind, t) in &tallies {
        for e in t.examples.iter().take(4) {
            println!("  [{}] {e}", kind.label());
        }
    }
    println!("total time {:.1}s", started.elapsed().as_secs_f64());
}
