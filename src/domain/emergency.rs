//! What a crew sends and receives on scene: the search request and its checks,
//! the candidate list (only what tells people apart) and the emergency summary.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::care_decision::{AdvanceDirective, Participants, Wishes};
use super::registrant::{Address, EmergencyContact, FamilyDoctor, Medical};
use super::validate::{FieldError, Validator};
use super::{CareLevel, DecisionKind, LivingSituation, Place, Sex};
use crate::matching;

/// What the crew knows about the person.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Name as heard or read: kanji, hiragana, katakana or mixed, with or without a space.
    #[schema(example = "さとう はなこ")]
    pub name: Option<String>,
    /// ISO date, a year alone, or a Japanese era form (`昭和15年3月2日`, `S15.3.2`).
    #[schema(example = "S15.3.2")]
    pub birth_date: Option<String>,
    /// Estimated age in years (may be off by one).
    pub age: Option<u32>,
    pub sex: Option<Sex>,
    pub phone: Option<String>,
    /// Address or postal code.
    pub address: Option<String>,
    /// The code on the card kept at home (`K7Q-4MX-9PD`; case, hyphens, O/0 and I/1 tolerated).
    pub card_code: Option<String>,
}

/// The body of `POST /emergency/search`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    /// The dispatch incident this search belongs to.
    #[schema(example = "2026-112301")]
    pub incident_id: String,
    /// District where the incident is (for statistics).
    pub incident_district_code: Option<String>,
    pub query: SearchQuery,
}

/// A checked search.
#[derive(Debug, Clone)]
pub struct CheckedSearch {
    pub incident_id: String,
    pub incident_district_code: Option<String>,
    pub query: matching::Query,
    /// Which fields were used, e.g. `birth_date+name`; kept instead of the raw text.
    pub query_kind: String,
    /// Fields given but not used, and why.
    pub ignored: Vec<IgnoredField>,
}

/// A field of the query the search did not use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct IgnoredField {
    /// The field, e.g. `query.card_code`.
    pub field: String,
    /// Why it was not used.
    pub reason: String,
}

impl SearchRequest {
    /// Checks the request and turns it into a matching query.
    pub fn check(self, today: NaiveDate) -> Result<CheckedSearch, Vec<FieldError>> {
        let mut v = Validator::new();
        let incident_id = self.incident_id.trim().to_owned();
        let valid_incident = !incident_id.is_empty()
            && incident_id.len() <= 64
            && incident_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_:./".contains(c));
        if !valid_incident {
            v.error("incident_id", "must be 1 to 64 of A-Z a-z 0-9 - _ : . /");
        }
        let district = self
            .incident_district_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| v.code("incident_district_code", c));
        let q = self.query;
        let name = v.opt_text("query.name", q.name.as_deref(), 60);
        let birth = q
            .birth_date
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let birth = match birth {
            Some(text) if text.chars().count() > 30 => {
                v.error("query.birth_date", "must be at most 30 characters");
                None
            }
            Some(text) => match matching::parse_birth_query(text, today) {
                Ok(b) => Some(b),
                Err(e) => {
                    v.error("query.birth_date", e.to_string());
                    None
                }
            },
            None => None,
        };
        if q.age.is_some_and(|a| a > 130) {
            v.error("query.age", "must be between 0 and 130");
        }
        let phone = v.opt_text("query.phone", q.phone.as_deref(), 20);
        if let Some(p) = &phone {
            if matching::phone_digits(p).len() < 4 {
                v.error("query.phone", "must have at least 4 digits");
            }
        }
        let address = v.opt_text("query.address", q.address.as_deref(), 200);
        let card_code = v.opt_text("query.card_code", q.card_code.as_deref(), 20);
        // A card code that fails its check symbol is a problem when it is all
        // the crew has; with other fields the search runs on those and says so.
        let identifying_rest = name.is_some()
            || birth.is_some()
            || q.age.is_some()
            || phone.is_some()
            || address.is_some();
        let mut ignored = Vec::new();
        let card_code = match card_code {
            Some(c) if matching::normalize_card_code(&c).is_none() => {
                if identifying_rest {
                    ignored.push(IgnoredField {
                        field: "query.card_code".to_owned(),
                        reason: "not a valid card code (check symbol wrong?); searched by the other fields"
                            .to_owned(),
                    });
                } else {
                    v.error(
                        "query.card_code",
                        "is not a valid card code (9 symbols, check symbol wrong?)",
                    );
                }
                None
            }
            other => other,
        };
        let mut kinds = Vec::new();
        for (given, kind) in [
            (address.is_some(), "address"),
            (q.age.is_some(), "age"),
            (birth.is_some(), "birth_date"),
            (card_code.is_some(), "card_code"),
            (name.is_some(), "name"),
            (phone.is_some(), "phone"),
            (q.sex.is_some(), "sex"),
        ] {
            if given {
                kinds.push(kind);
            }
        }
        if kinds.is_empty() {
            v.error(
                "query",
                "give at least one of name, birth_date, age, sex, phone, address, card_code",
            );
        }
        v.finish(CheckedSearch {
            incident_id,
            incident_district_code: district.clone(),
            query: matching::Query {
                name,
                birth,
                age: q.age,
                sex: q.sex.map(matching::Sex::from),
                phone,
                address,
                card_code,
                district,
            },
            query_kind: kinds.join("+"),
            ignored,
        })
    }
}

super::closed_enum!(
    /// What a search found.
    Outcome { Match => "match", Candidates => "candidates", NoMatch => "no_match" }
);

super::closed_enum!(
    /// What the crew reports after the lookup.
    CrewResult { Confirmed => "confirmed", WrongPerson => "wrong_person", NotRegistered => "not_registered" }
);

/// One person on the list: only what tells people apart.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Candidate {
    pub registrant_id: Uuid,
    /// Match weight (higher is surer).
    pub score: f64,
    pub family_name: String,
    pub given_name: String,
    pub family_name_kana: String,
    pub given_name_kana: String,
    pub birth_date: NaiveDate,
    /// Age today, to tell namesakes apart at a glance.
    pub age: u32,
    pub sex: Sex,
    pub district_code: Option<String>,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResponse {
    pub lookup_id: Uuid,
    pub outcome: Outcome,
    /// At most 5; exactly one for `match`; none for `no_match`.
    pub candidates: Vec<Candidate>,
    /// Fields of the query that were given but not used (e.g. a card code
    /// failing its check symbol next to other fields); usually empty.
    pub ignored: Vec<IgnoredField>,
}

/// Who the person is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Identity {
    pub family_name: String,
    pub given_name: String,
    pub family_name_kana: String,
    pub given_name_kana: String,
    pub birth_date: NaiveDate,
    pub age: u32,
    pub sex: Sex,
    pub address: Address,
    pub phones: Vec<String>,
    pub card_code: String,
}

/// The latest care decision, as a crew needs it in the first minute.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LatestDecision {
    pub kind: DecisionKind,
    pub discussed_on: NaiveDate,
    #[serde(serialize_with = "crate::domain::utc::serialize")]
    pub recorded_at: NaiveDateTime,
    pub wishes: Wishes,
    pub preferred_place_of_care: Place,
    pub preferred_place_of_death: Place,
    pub shared_with_family: bool,
    pub physician_instructions: Option<String>,
    pub advance_directive: AdvanceDirective,
    pub own_words: Option<String>,
    pub participants: Participants,
    pub review_due: Option<NaiveDate>,
    /// How many earlier entries the history holds.
    pub earlier_entries: i64,
}

/// The emergency summary, most urgent first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmergencySummary {
    pub registrant_id: Uuid,
    pub lookup_id: Uuid,
    pub identity: Identity,
    /// `null` when no decision has been recorded.
    pub care_decision: Option<LatestDecision>,
    pub family_doctors: Vec<FamilyDoctor>,
    /// In priority order.
    pub emergency_contacts: Vec<EmergencyContact>,
    pub medical: Medical,
    pub living_situation: LivingSituation,
    pub care_level: CareLevel,
}

/// The body of `POST /emergency/lookups/{id}/outcome`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeReport {
    pub result: CrewResult,
}
