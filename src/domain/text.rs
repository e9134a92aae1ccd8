//! Text normalisation used when storing names: NFKC, kana folded to katakana.

use unicode_normalization::UnicodeNormalization;

/// NFKC, then trims and collapses runs of whitespace (including the full-width space)
/// into one ASCII space.
pub fn clean(s: &str) -> String {
    let nfkc: String = s.nfkc().collect();
    nfkc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether every character is kana (hiragana, katakana, the long-vowel mark, the
/// middle dot) or a space.
pub fn is_kana(s: &str) -> bool {
    let s: String = s.nfkc().collect();
    !s.trim().is_empty()
        && s.chars().all(|c| {
            matches!(c, '\u{3041}'..='\u{3096}' | '\u{309D}'..='\u{309E}'
                | '\u{30A1}'..='\u{30FA}' | '\u{30FC}'..='\u{30FE}' | '・' | ' ' | '\u{3000}')
        })
}

/// Kana in hiragana, full- or half-width katakana, to full-width katakana (cleaned).
pub fn to_katakana(s: &str) -> String {
    clean(s)
        .chars()
        .map(|c| match c {
            '\u{3041}'..='\u{3096}' | '\u{309D}'..='\u{309E}' => {
                char::from_u32(c as u32 + 0x60).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}

/// A name without any whitespace, for substring filters.
pub fn compact(s: &str) -> String {
    clean(s).chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether a string contains control characters (never allowed in a field).
pub fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hiragana_and_half_width_become_katakana() {
        assert_eq!(to_katakana("さとう"), "サトウ");
        assert_eq!(to_katakana("ｻﾄｳ　ﾊﾅｺ"), "サトウ ハナコ");
        assert_eq!(to_katakana("サトウ"), "サトウ");
    }

    #[test]
    fn kana_check_rejects_kanji_and_latin() {
        assert!(is_kana("さとう"));
        assert!(is_kana("ｻﾄｳ"));
        assert!(is_kana("オーノ"));
        assert!(!is_kana("佐藤"));
        assert!(!is_kana("Sato"));
        assert!(!is_kana("  "));
    }
}
