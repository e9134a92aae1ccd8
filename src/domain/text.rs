//! Text normalisation used when storing names: NFKC, kana folded to katakana.

use unicode_normalization::UnicodeNormalization;

/// NFKC, then trims and collapses runs of whitespace (including the full-width space)
/// into one ASCII space.
pub fn clean(s: &str) -> String {
    let nfkc: String = s.nfkc().collect();
    nfkc.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub use crate::matching::kana::{is_kana, to_katakana};

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
