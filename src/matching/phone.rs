//! Telephone number normalization and comparison.
//!
//! Numbers arrive with hyphens, brackets, full-width digits and sometimes the
//! international prefix +81. Crews may also give a number without its area
//! code or mobile prefix, so numbers are compared on their last 8 digits.

use unicode_normalization::UnicodeNormalization;

/// Number of trailing digits compared when both numbers are long enough.
pub const PHONE_TAIL_DIGITS: usize = 8;

/// Canonical digit string of a phone number.
///
/// NFKC (full-width digits → ASCII), then only ASCII digits are kept. A
/// leading `+81` (Japan) is replaced by the domestic trunk prefix `0`
/// (`+81 90-1234-5678` → `09012345678`; `+81 (0)3 …` does not double the 0).
pub fn phone_digits(s: &str) -> String {
    let text: String = s.nfkc().collect();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if text.trim_start().starts_with('+') {
        if let Some(national) = digits.strip_prefix("81") {
            return if national.starts_with('0') {
                national.to_string()
            } else {
                format!("0{national}")
            };
        }
    }
    digits
}

/// The last [`PHONE_TAIL_DIGITS`] digits, if the number has at least that many.
pub fn phone_tail(s: &str) -> Option<String> {
    let digits = phone_digits(s);
    let start = digits.len().checked_sub(PHONE_TAIL_DIGITS)?;
    digits.get(start..).map(str::to_string)
}

/// True when two phone numbers plausibly denote the same line.
///
/// Equal canonical digits match. When both have at least 8 digits, equal
/// last 8 digits also match: this tolerates a missing area code or mobile
/// prefix (`03-1234-5678` vs `1234-5678`). The price is that two numbers
/// differing only in the area code also match (`03-1234-5678` vs
/// `06-1234-5678`); within one city that collision is rare and phone
/// agreement is only one field in the score. Shorter local numbers (6–7
/// digits) are matched only when identical. Empty numbers never match.
pub fn phones_match(a: &str, b: &str) -> bool {
    let da = phone_digits(a);
    let db = phone_digits(b);
    if da.is_empty() || db.is_empty() {
        return false;
    }
    if da == db {
        return true;
    }
    match (phone_tail(&da), phone_tail(&db)) {
        (Some(ta), Some(tb)) => ta == tb,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_from_messy_input() {
        assert_eq!(phone_digits("090-1234-5678"), "09012345678");
        assert_eq!(phone_digits("０９０－１２３４－５６７８"), "09012345678");
        assert_eq!(phone_digits("(03) 1234 5678"), "0312345678");
        assert_eq!(phone_digits("+81 90-1234-5678"), "09012345678");
        assert_eq!(phone_digits("+81 (0)3-1234-5678"), "0312345678");
        assert_eq!(phone_digits("＋８１ ３ １２３４ ５６７８"), "0312345678");
        assert_eq!(phone_digits("81312345678"), "81312345678");
        assert_eq!(phone_digits("なし"), "");
    }

    #[test]
    fn matching_rules() {
        assert!(phones_match("090-1234-5678", "０９０１２３４５６７８"));
        assert!(phones_match("+81-90-1234-5678", "090 1234 5678"));
        assert!(phones_match("03-1234-5678", "1234-5678"));
        assert!(phones_match("0123-45-6789", "123456789"));
        assert!(!phones_match("090-1234-5678", "090-1234-5679"));
        assert!(!phones_match("23-4567", "0123-23-4567"));
        assert!(phones_match("23-4567", "234567"));
        assert!(!phones_match("", ""));
        assert!(!phones_match("なし", "なし"));
    }

    #[test]
    fn tails() {
        assert_eq!(phone_tail("090-1234-5678").as_deref(), Some("12345678"));
        assert_eq!(phone_tail("1234-567"), None);
    }
}
