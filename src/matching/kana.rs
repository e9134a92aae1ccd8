//! Kana handling for names as ambulance crews hear and type them.
//!
//! Names arrive in hiragana, full-width or half-width katakana, with or
//! without spaces, and are often misheard. This module turns them into
//! comparison keys:
//!
//! * [`normalize_text`]: NFKC, no whitespace or middle dots, hiragana → katakana.
//! * [`reading_key`]: the strict key (exactly the normalized katakana reading).
//! * [`phonetic_key`]: a tolerant key that folds the usual mishearings
//!   (long vowels, small kana, voicing marks, archaic kana) together.

use unicode_normalization::UnicodeNormalization;

/// Offset between a hiragana code point and its katakana counterpart.
const HIRA_TO_KATA: u32 = 0x60;

/// Converts one hiragana character to katakana; other characters pass through.
///
/// Covers ぁ..ゖ (U+3041–U+3096) and the iteration marks ゝゞ (→ ヽヾ).
fn hira_char_to_kata(c: char) -> char {
    let cp = c as u32;
    if (0x3041..=0x3096).contains(&cp) || (0x309D..=0x309E).contains(&cp) {
        char::from_u32(cp + HIRA_TO_KATA).unwrap_or(c)
    } else {
        c
    }
}

/// True for middle dots used between family and given names (・ and half-width ･).
fn is_middle_dot(c: char) -> bool {
    matches!(c, '・' | '･' | '·')
}

/// True for combining voiced / semi-voiced sound marks (U+3099, U+309A).
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{3099}' | '\u{309A}')
}

/// Normalizes free text for comparison.
///
/// Steps: NFKC (half-width katakana → full-width, full-width ASCII/digits →
/// ASCII, U+3000 → space), remove every whitespace character and middle
/// dots (・ ･), convert hiragana to katakana. Stray combining voicing marks
/// left over from standalone ゛/゜ are recomposed (NFC) onto the preceding kana.
pub fn normalize_text(s: &str) -> String {
    let out: String = s
        .nfkc()
        .filter(|c| !c.is_whitespace() && !is_middle_dot(*c))
        .map(hira_char_to_kata)
        .collect();
    if out.chars().any(is_combining_mark) {
        out.nfc().collect()
    } else {
        out
    }
}

/// True when `c` is a kana letter (hiragana, katakana, half-width katakana,
/// small kana, ヴ, the long-vowel mark ー or kana iteration marks).
fn is_kana_letter(c: char) -> bool {
    let cp = c as u32;
    (0x3041..=0x3096).contains(&cp) // hiragana incl. small kana and ゔ
        || (0x3099..=0x309E).contains(&cp) // voicing marks, ゝゞ
        || (0x30A1..=0x30FA).contains(&cp) // katakana incl. ヴ ヵ ヶ ヷ..ヺ
        || (0x30FC..=0x30FE).contains(&cp) // ー ヽ ヾ
        || (0x31F0..=0x31FF).contains(&cp) // small katakana extensions
        || (0xFF66..=0xFF9F).contains(&cp) // half-width katakana
}

/// Validates a kana input field.
///
/// Accepts hiragana and katakana (full- or half-width), including ー, small
/// kana and ヴ, plus spaces (ASCII or U+3000) and middle dots (・ ･) as
/// separators. At least one kana letter is required.
pub fn is_kana(s: &str) -> bool {
    let mut any = false;
    for c in s.chars() {
        if is_kana_letter(c) {
            any = true;
        } else if !(c.is_whitespace() || is_middle_dot(c)) {
            return false;
        }
    }
    any
}

/// Converts kana text to display katakana.
///
/// NFKC, hiragana → katakana, runs of whitespace collapsed to one ASCII
/// space, leading/trailing whitespace trimmed. Middle dots are kept.
pub fn to_katakana(s: &str) -> String {
    let converted: String = s.nfkc().map(hira_char_to_kata).collect();
    let converted: String = if converted.chars().any(is_combining_mark) {
        converted.nfc().collect()
    } else {
        converted
    };
    converted.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Strict reading key: [`normalize_text`] (katakana, no spaces, no dots).
///
/// Two names have equal reading keys only if they are spelled with the same
/// kana, whatever script width or spacing was used.
pub fn reading_key(s: &str) -> String {
    normalize_text(s)
}

/// The vowel of a (folded) kana syllable.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Vowel {
    A,
    I,
    U,
    E,
    O,
}

/// Vowel of a plain (large, unvoiced) katakana syllable; `None` for ン and
/// anything that is not kana.
fn vowel_of(c: char) -> Option<Vowel> {
    match c {
        'ア' | 'カ' | 'サ' | 'タ' | 'ナ' | 'ハ' | 'マ' | 'ヤ' | 'ラ' | 'ワ' => {
            Some(Vowel::A)
        }
        'イ' | 'キ' | 'シ' | 'チ' | 'ニ' | 'ヒ' | 'ミ' | 'リ' => Some(Vowel::I),
        'ウ' | 'ク' | 'ス' | 'ツ' | 'ヌ' | 'フ' | 'ム' | 'ユ' | 'ル' => Some(Vowel::U),
        'エ' | 'ケ' | 'セ' | 'テ' | 'ネ' | 'ヘ' | 'メ' | 'レ' => Some(Vowel::E),
        'オ' | 'コ' | 'ソ' | 'ト' | 'ノ' | 'ホ' | 'モ' | 'ヨ' | 'ロ' => Some(Vowel::O),
        _ => None,
    }
}

/// The vowel of a bare vowel kana (ア イ ウ エ オ), if `c` is one.
fn bare_vowel(c: char) -> Option<Vowel> {
    match c {
        'ア' => Some(Vowel::A),
        'イ' => Some(Vowel::I),
        'ウ' => Some(Vowel::U),
        'エ' => Some(Vowel::E),
        'オ' => Some(Vowel::O),
        _ => None,
    }
}

/// Long-vowel marks and dash-like characters typed in their place.
fn is_long_mark(c: char) -> bool {
    matches!(
        c,
        'ー' | '-' | '‐' | '‑' | '–' | '—' | '―' | '−' | '〜' | '~' | '～'
    )
}

/// Folds one katakana character to its tolerant base form:
/// small → large, voiced/semi-voiced → plain, ヂ→シ (as ジ), ヅ→ス (as ズ),
/// ヴ→ウ, archaic ヲ ヱ ヰ → オ エ イ. Other characters pass through.
fn fold_kana_char(c: char) -> char {
    match c {
        // small kana written large
        'ァ' => 'ア',
        'ィ' => 'イ',
        'ゥ' => 'ウ',
        'ェ' => 'エ',
        'ォ' => 'オ',
        'ッ' => 'ツ',
        'ャ' => 'ヤ',
        'ュ' => 'ユ',
        'ョ' => 'ヨ',
        'ヮ' => 'ワ',
        'ヵ' => 'カ',
        'ヶ' => 'ケ',
        'ㇰ' => 'ク',
        'ㇱ' => 'シ',
        'ㇲ' => 'ス',
        'ㇳ' => 'ト',
        'ㇴ' => 'ヌ',
        'ㇵ' => 'ハ',
        'ㇶ' => 'ヒ',
        'ㇷ' => 'フ',
        'ㇸ' => 'ヘ',
        'ㇹ' => 'ホ',
        'ㇺ' => 'ム',
        'ㇻ' => 'ラ',
        'ㇼ' => 'リ',
        'ㇽ' => 'ル',
        'ㇾ' => 'レ',
        'ㇿ' => 'ロ',
        // voiced → plain
        'ガ' => 'カ',
        'ギ' => 'キ',
        'グ' => 'ク',
        'ゲ' => 'ケ',
        'ゴ' => 'コ',
        'ザ' => 'サ',
        'ジ' | 'ヂ' => 'シ',
        'ズ' | 'ヅ' => 'ス',
        'ゼ' => 'セ',
        'ゾ' => 'ソ',
        'ダ' => 'タ',
        'デ' => 'テ',
        'ド' => 'ト',
        'バ' | 'パ' => 'ハ',
        'ビ' | 'ピ' => 'ヒ',
        'ブ' | 'プ' => 'フ',
        'ベ' | 'ペ' => 'ヘ',
        'ボ' | 'ポ' => 'ホ',
        'ヴ' => 'ウ',
        'ヷ' => 'ワ',
        'ヸ' | 'ヰ' => 'イ',
        'ヹ' | 'ヱ' => 'エ',
        'ヺ' | 'ヲ' => 'オ',
        _ => c,
    }
}

/// Tolerant phonetic key: misheard or miswritten readings map together.
///
/// The input is first [`normalize_text`]-ed (so hiragana, half-width
/// katakana, spaces and middle dots do not matter). Then, left to right:
///
/// 1. The long-vowel mark ー (and dash/tilde characters typed for it) is
///    dropped.
/// 2. Iteration marks ヽ ヾ repeat the previous folded syllable.
/// 3. Each kana is folded ([`fold_kana_char`]): small kana → large
///    (キョ→キヨ, ッ→ツ, ァ→ア …), dakuten/handakuten removed (ガ→カ,
///    パ→ハ), ヂ and ジ → シ, ヅ and ズ → ス, ヴ → ウ (the canonical
///    decomposition of ヴ; ヴ is *not* merged with ブ, which folds to フ),
///    ヲ ヱ ヰ → オ エ イ.
/// 4. Long vowels collapse: a bare vowel kana (ア イ ウ エ オ) is dropped when
///    it repeats the vowel of the previous kept syllable, or is ウ after an
///    o-row syllable (トウ = トー = ト), or イ after an e-row syllable
///    (ケイ = ケー = ケ). So オオノ, オーノ, オノ → オノ and トウキョウ,
///    トーキョー, トキョ → トキヨ.
/// 5. Doubled ツ and ン collapse to one (artifact of ッ written as ツ before ツ).
///
/// Non-kana characters (kanji, Latin letters) pass through unchanged but
/// reset the vowel context. The key is deliberately lossy; it is used for
/// candidate blocking and as a weaker scoring level, never alone for identity.
pub fn phonetic_key(s: &str) -> String {
    let text = normalize_text(s);
    let mut out = String::with_capacity(text.len());
    let mut prev_vowel: Option<Vowel> = None;
    let mut prev_kept: Option<char> = None;
    for c in text.chars() {
        if is_long_mark(c) {
            continue;
        }
        let base = match c {
            'ヽ' | 'ヾ' => match prev_kept {
                Some(p) => p,
                None => continue,
            },
            _ => fold_kana_char(c),
        };
        if let (Some(v), Some(pv)) = (bare_vowel(base), prev_vowel) {
            let long =
                v == pv || (v == Vowel::U && pv == Vowel::O) || (v == Vowel::I && pv == Vowel::E);
            if long {
                continue;
            }
        }
        if matches!(base, 'ツ' | 'ン') && prev_kept == Some(base) {
            continue;
        }
        out.push(base);
        prev_vowel = vowel_of(base);
        prev_kept = Some(base);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_scripts_and_spaces() {
        assert_eq!(normalize_text("さとう はなこ"), "サトウハナコ");
        assert_eq!(normalize_text("ｻﾄｳ ﾊﾅｺ"), "サトウハナコ");
        assert_eq!(normalize_text("サトウ\u{3000}ハナコ"), "サトウハナコ");
        assert_eq!(normalize_text("サトウ・ハナコ"), "サトウハナコ");
        assert_eq!(normalize_text("ｻﾄｳ･ﾊﾅｺ\t"), "サトウハナコ");
        assert_eq!(normalize_text("ﾔﾏｻﾞｷ"), "ヤマザキ");
        assert_eq!(normalize_text("ＡＢＣ１２３"), "ABC123");
        // standalone voicing mark is recomposed
        assert_eq!(normalize_text("カ゛"), "ガ");
    }

    #[test]
    fn is_kana_validation() {
        assert!(is_kana("さとう はなこ"));
        assert!(is_kana("サトウ　ハナコ"));
        assert!(is_kana("ｻﾄｳ ﾊﾅｺ"));
        assert!(is_kana("ヴィクトリア・ヨーコ"));
        assert!(is_kana("きょうこ"));
        assert!(!is_kana("佐藤 花子"));
        assert!(!is_kana("サトウ1"));
        assert!(!is_kana("   "));
        assert!(!is_kana(""));
    }

    #[test]
    fn to_katakana_display() {
        assert_eq!(to_katakana("  さとう　 はなこ "), "サトウ ハナコ");
        assert_eq!(to_katakana("ｻﾄｳ ﾊﾅｺ"), "サトウ ハナコ");
    }

    #[test]
    fn reading_key_is_strict() {
        assert_eq!(reading_key("さとう はなこ"), reading_key("ｻﾄｳﾊﾅｺ"));
        assert_ne!(reading_key("オオノ"), reading_key("オーノ"));
    }

    #[test]
    fn long_vowels() {
        let k = phonetic_key("オオノ");
        assert_eq!(k, "オノ");
        assert_eq!(phonetic_key("オーノ"), k);
        assert_eq!(phonetic_key("おの"), k);
        assert_eq!(phonetic_key("トウキョウ"), "トキヨ");
        assert_eq!(phonetic_key("トーキョー"), "トキヨ");
        assert_eq!(phonetic_key("トキョ"), "トキヨ");
        assert_eq!(phonetic_key("ケイコ"), phonetic_key("ケーコ"));
        assert_eq!(phonetic_key("ユウコ"), phonetic_key("ユーコ"));
        assert_eq!(phonetic_key("サトウ"), phonetic_key("サトー"));
        // a real vowel sequence is kept
        assert_eq!(phonetic_key("アイ"), "アイ");
        assert_ne!(phonetic_key("マイ"), phonetic_key("マ"));
    }

    #[test]
    fn small_kana_written_large() {
        assert_eq!(phonetic_key("キョウコ"), phonetic_key("キヨウコ"));
        assert_eq!(phonetic_key("ハットリ"), phonetic_key("ハツトリ"));
        assert_eq!(phonetic_key("ミッツ"), phonetic_key("ミツ"));
        assert_eq!(phonetic_key("シュウジ"), phonetic_key("シユウジ"));
        assert_eq!(phonetic_key("ティナ"), phonetic_key("テイナ"));
    }

    #[test]
    fn voicing_dropped_or_added() {
        assert_eq!(phonetic_key("ヤマザキ"), phonetic_key("ヤマサキ"));
        assert_eq!(phonetic_key("ｼﾊﾞﾀ"), phonetic_key("シハタ"));
        assert_eq!(phonetic_key("ハンダ"), phonetic_key("パンタ"));
        assert_eq!(phonetic_key("ヴ"), "ウ");
        assert_ne!(phonetic_key("ヴ"), phonetic_key("ブ"));
    }

    #[test]
    fn archaic_and_merged_kana() {
        assert_eq!(phonetic_key("ハナヂ"), phonetic_key("ハナジ"));
        assert_eq!(phonetic_key("ミカヅキ"), phonetic_key("ミカズキ"));
        assert_eq!(phonetic_key("カヲル"), phonetic_key("カオル"));
        assert_eq!(phonetic_key("ヱミ"), phonetic_key("エミ"));
        assert_eq!(phonetic_key("ヰノ"), phonetic_key("イノ"));
        assert_eq!(phonetic_key("ササキ"), "ササキ");
        assert_eq!(phonetic_key("サヽキ"), "ササキ");
    }

    #[test]
    fn input_forms_agree() {
        let k = phonetic_key("サトウ ハナコ");
        for v in [
            "さとうはなこ",
            "ｻﾄｳ ﾊﾅｺ",
            "サトウ\u{3000}ハナコ",
            "サトー・ハナコ",
            "さとお　はなこ",
        ] {
            assert_eq!(phonetic_key(v), k, "{v}");
        }
    }

    #[test]
    fn kanji_passes_through() {
        assert_eq!(phonetic_key("佐藤 はなこ"), "佐藤ハナコ");
    }
}
