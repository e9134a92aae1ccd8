//! Record matching for eir, the emergency medical information registry.
//!
//! Ambulance crews search for elderly registrants on scene from whatever
//! they can learn: a name as heard (kanji or kana, misheard), a birth date
//! in the Japanese era calendar, an estimated age, a phone number, an
//! address, or the registry card. This module normalizes those inputs,
//! builds blocking keys for indexed candidate lookup, and scores candidates
//! with a Fellegi–Sunter model.
//!
//! * [`kana`]: kana normalization, reading and phonetic keys.
//! * [`kanji`]: variant kanji folding and kanji name keys.
//! * [`dates`]: birth date parsing (era calendar), ages, date agreement.
//! * [`phone`]: phone number normalization and comparison.
//! * [`card`]: card codes (Crockford base32 with a check symbol).
//! * [`address`]: Japanese address normalisation (written forms, postal code).
//! * [`keys`]: registrant / query data and blocking keys.
//! * [`score`]: scoring and the match decision.
//!
//! Modules refer to each other only through `super::`, and nothing here
//! knows about the web framework or the database.

pub mod address;
pub mod card;
pub mod dates;
pub mod kana;
pub mod kanji;
pub mod keys;
pub mod phone;
pub mod score;
pub mod staged;

pub use address::{parse_address, Address};
pub use card::{format_card_code, generate_card_code, normalize_card_code};
pub use dates::{
    age_on, date_agreement, parse_birth_query, AgeRange, BirthQuery, DateAgreement, DateError, Era,
};
pub use kana::{
    is_kana, normalize_text, phonetic_alt_key, phonetic_equal, phonetic_key, reading_key,
    sound_key, to_katakana,
};
pub use kanji::{fold_variants, name_key};
pub use keys::{
    name_values, name_values_of_keys, query_keys, registrant_keys, PersonFields, Query, Sex,
    MAX_REGISTRANT_KEYS,
};
pub use phone::{phone_digits, phones_match};
pub use score::{
    decide, max_possible_weight, score, Decision, NameCounts, Ranked, Score, CANDIDATE_THRESHOLD,
    MATCH_GAP, MATCH_THRESHOLD,
};
pub use staged::{staged_decide, staged_keys, StagedKeys};
