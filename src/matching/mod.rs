//! Matching for crew searches: name, date, phone and card-code normalisation,
//! blocking keys and scoring. Pure functions, no web framework or database.

pub mod card;

use crate::db::registrants::RegistrantRow;

/// Blocking keys stored for a registrant.
pub fn registrant_keys(row: &RegistrantRow) -> Vec<String> {
    vec![format!("cc:{}", row.card_code.replace('-', ""))]
}
