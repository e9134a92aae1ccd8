//! Care decisions (医療・ケアについての意思決定): an append-only history per registrant.
//! An entry is never edited; a new entry supersedes the previous one.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::validate::{FieldError, Validator};
use super::{DecisionKind, Place, Wish};

/// Who took part in the discussion.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Participants {
    /// The person themself.
    #[serde(rename = "self", default)]
    pub person: bool,
    /// Family members who took part, with names (e.g. "佐藤 一郎（長男）").
    #[serde(default)]
    pub family: Vec<String>,
    #[serde(default)]
    pub family_doctor: bool,
    #[serde(default)]
    pub care_manager: bool,
    #[serde(default)]
    pub visiting_nurse: bool,
    /// Anyone else, described.
    #[serde(default)]
    pub other: Vec<String>,
}

/// Wishes about treatment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Wishes {
    pub cpr: Wish,
    pub intubation: Wish,
    pub hospital_transport: Wish,
    pub artificial_nutrition: Wish,
}

/// An advance-directive document and where it is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvanceDirective {
    pub exists: bool,
    /// Where the document is kept (e.g. "冷蔵庫の扉の内側").
    pub location: Option<String>,
}

/// The body of `POST /registrants/{id}/care-decisions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CareDecisionInput {
    pub kind: DecisionKind,
    pub discussed_on: NaiveDate,
    pub participants: Participants,
    pub wishes: Wishes,
    pub preferred_place_of_care: Place,
    pub preferred_place_of_death: Place,
    pub shared_with_family: bool,
    pub physician_instructions: Option<String>,
    pub advance_directive: AdvanceDirective,
    /// The person's own words.
    pub own_words: Option<String>,
    pub review_due: Option<NaiveDate>,
}

/// A stored entry of the history.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CareDecision {
    pub id: Uuid,
    pub registrant_id: Uuid,
    /// 1 for the first entry, then 2, 3, …
    pub seq: i32,
    #[serde(flatten)]
    pub entry: CareDecisionInput,
    pub recorded_by: Uuid,
    pub recorded_by_organization_id: Uuid,
    #[serde(with = "crate::domain::utc")]
    pub recorded_at: NaiveDateTime,
}

impl CareDecisionInput {
    /// Checks an entry given how many entries the history already has.
    pub fn validate(
        self,
        today: NaiveDate,
        existing_entries: i64,
    ) -> Result<CareDecisionInput, Vec<FieldError>> {
        let mut v = Validator::new();
        match (self.kind, existing_entries) {
            (DecisionKind::New, n) if n > 0 => v.error(
                "kind",
                "a history already exists: record `revised` or `reconfirmed`",
            ),
            (DecisionKind::Revised | DecisionKind::Reconfirmed, 0) => {
                v.error("kind", "there is no earlier entry: record `new`")
            }
            _ => {}
        }
        if self.discussed_on > today {
            v.error("discussed_on", "must not be in the future");
        }
        let p = &self.participants;
        v.list_len("participants.family", &p.family, 10);
        v.list_len("participants.other", &p.other, 10);
        let family = p
            .family
            .iter()
            .enumerate()
            .map(|(i, s)| v.text(&format!("participants.family[{i}]"), s, 60))
            .collect();
        let other = p
            .other
            .iter()
            .enumerate()
            .map(|(i, s)| v.text(&format!("participants.other[{i}]"), s, 60))
            .collect();
        let physician_instructions = v.notes(
            "physician_instructions",
            self.physician_instructions.as_deref(),
            1000,
        );
        let location = v.opt_text(
            "advance_directive.location",
            self.advance_directive.location.as_deref(),
            200,
        );
        if self.advance_directive.exists && location.is_none() {
            v.error(
                "advance_directive.location",
                "is required when an advance directive exists",
            );
        }
        let own_words = v.notes("own_words", self.own_words.as_deref(), 2000);
        if let Some(due) = self.review_due {
            if due < self.discussed_on {
                v.error("review_due", "must not be before discussed_on");
            }
        }
        v.finish(CareDecisionInput {
            participants: Participants {
                family,
                other,
                ..self.participants.clone()
            },
            physician_instructions,
            advance_directive: AdvanceDirective {
                exists: self.advance_directive.exists,
                location,
            },
            own_words,
            ..self
        })
    }
}

impl CareDecisionInput {
    /// The entry that records "checked on `today`, unchanged": the same wishes,
    /// places, instructions and participants as this one, kind `reconfirmed`,
    /// next review a year on.
    pub fn reconfirmed_on(&self, today: NaiveDate) -> CareDecisionInput {
        CareDecisionInput {
            kind: DecisionKind::Reconfirmed,
            discussed_on: today,
            review_due: today.checked_add_months(chrono::Months::new(12)),
            ..self.clone()
        }
    }
}
