//! Collects field-level validation errors so that one response names every bad field.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::text;

/// One invalid field: a JSON path such as `emergency_contacts[0].kana` and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Accumulates [`FieldError`]s while checking and normalising an input.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

/// Earliest birth date accepted (nobody registered is older).
pub const MIN_BIRTH_DATE: (i32, u32, u32) = (1870, 1, 1);

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an error for `field`.
    pub fn error(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Finishes: `Ok(value)` when no error was recorded.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self.errors)
        }
    }

    /// A required text of 1..=max characters after NFKC and whitespace cleaning.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let cleaned = text::clean(value);
        if cleaned.is_empty() {
            self.error(field, "must not be empty");
        } else {
            self.check_len(field, &cleaned, max);
        }
        cleaned
    }

    /// An optional text: empty becomes `None`.
    pub fn opt_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let cleaned = text::clean(value?);
        if cleaned.is_empty() {
            return None;
        }
        self.check_len(field, &cleaned, max);
        Some(cleaned)
    }

    /// Free text that may span lines (notes): trimmed, length-limited.
    pub fn notes(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let v = value?.trim();
        if v.is_empty() {
            return None;
        }
        if v.chars().count() > max {
            self.error(field, format!("must be at most {max} characters"));
        }
        if text::has_control(v) {
            self.error(field, "must not contain control characters");
        }
        Some(v.to_owned())
    }

    fn check_len(&mut self, field: &str, v: &str, max: usize) {
        if v.chars().count() > max {
            self.error(field, format!("must be at most {max} characters"));
        }
        if text::has_control(v) {
            self.error(field, "must not contain control characters");
        }
    }

    /// A required kana text, stored as katakana.
    pub fn kana(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = self.text(field, value, max);
        if !v.is_empty() && !text::is_kana(&v) {
            self.error(field, "must be written in kana (hiragana or katakana)");
        }
        text::to_katakana(&v)
    }

    /// A list of at most `max` items.
    pub fn list_len<T>(&mut self, field: &str, items: &[T], max: usize) {
        if items.len() > max {
            self.error(field, format!("must have at most {max} items"));
        }
    }

    /// A date that is not in the future and not before `MIN_BIRTH_DATE`.
    pub fn past_date(&mut self, field: &str, d: NaiveDate, today: NaiveDate) {
        let (y, m, day) = MIN_BIRTH_DATE;
        if d > today {
            self.error(field, "must not be in the future");
        } else if NaiveDate::from_ymd_opt(y, m, day).is_some_and(|min| d < min) {
            self.error(field, format!("must not be before {y}-01-01"));
        }
    }

    /// A phone number: digits with optional `-`, `+`, `(`, `)` and spaces; 2..=15 digits.
    pub fn phone(&mut self, field: &str, value: &str) -> String {
        let v = text::clean(value);
        let digits = v.chars().filter(|c| c.is_ascii_digit()).count();
        let allowed = v
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '(' | ')' | ' '));
        if !allowed || !(2..=15).contains(&digits) {
            self.error(
                field,
                "must be a phone number (digits, hyphens, +, parentheses)",
            );
        }
        v
    }

    /// Japanese postal code `NNN-NNNN` (7 digits, hyphen optional on input).
    pub fn postal_code(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let v = text::compact(value?);
        if v.is_empty() {
            return None;
        }
        let digits: String = v.chars().filter(|c| *c != '-').collect();
        if digits.len() != 7 || !digits.chars().all(|c| c.is_ascii_digit()) {
            self.error(field, "must be a postal code like 090-0024");
            return Some(v);
        }
        Some(format!("{}-{}", &digits[..3], &digits[3..]))
    }

    /// A code such as a district code: 1..=16 of `A-Z a-z 0-9 _ -`.
    pub fn code(&mut self, field: &str, value: &str) -> String {
        let v = value.trim().to_owned();
        if v.is_empty()
            || v.len() > 16
            || !v
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            self.error(field, "must be 1 to 16 letters, digits, '_' or '-'");
        }
        v
    }
}
