//! The registrant record (登録者): what a care manager sends, how it is checked and
//! normalised, and what is stored and returned.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::validate::{FieldError, Validator};
use super::{CareLevel, ConsentBy, Device, LivingSituation, RegistrantStatus, Sex};

/// Limits on sizes of a record's parts.
pub mod limits {
    pub const NAME: usize = 50;
    pub const PHONES: usize = 5;
    pub const DOCTORS: usize = 5;
    pub const CONTACTS: usize = 5;
    pub const LIST_ITEMS: usize = 30;
    pub const ITEM: usize = 200;
    pub const NOTES: usize = 2000;
    pub const ADDRESS_LINE: usize = 200;
}

/// Address with the district (地区) used for statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[schema(example = "090-0024")]
    pub postal_code: Option<String>,
    #[schema(example = "北見市北4条東3丁目1-1")]
    pub line: String,
    #[schema(example = "D01")]
    pub district_code: Option<String>,
}

/// A family doctor (かかりつけ医).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyDoctor {
    pub institution: String,
    pub doctor: Option<String>,
    pub department: Option<String>,
    pub phone: Option<String>,
}

/// Someone to call, in priority order (1 first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmergencyContact {
    pub priority: u8,
    pub name: String,
    pub kana: Option<String>,
    pub relationship: String,
    #[serde(default)]
    pub phones: Vec<String>,
    pub notes: Option<String>,
}

/// Medical summary for the crew and the receiving hospital.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Medical {
    #[serde(default)]
    pub conditions: Vec<String>,
    #[serde(default)]
    pub medications: Vec<String>,
    #[serde(default)]
    pub allergies: Vec<String>,
    #[serde(default)]
    pub devices_and_procedures: Vec<Device>,
    pub notes: Option<String>,
}

/// Consent to registration, by the person or a proxy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub obtained_on: NaiveDate,
    pub by: ConsentBy,
    pub proxy_name: Option<String>,
    pub proxy_relationship: Option<String>,
}

/// The body of `POST /registrants` and `PUT /registrants/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrantInput {
    #[schema(example = "佐藤")]
    pub family_name: String,
    #[schema(example = "花子")]
    pub given_name: String,
    #[schema(example = "サトウ")]
    pub family_name_kana: String,
    #[schema(example = "ハナコ")]
    pub given_name_kana: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub address: Address,
    #[serde(default)]
    pub phones: Vec<String>,
    pub living_situation: LivingSituation,
    pub care_level: CareLevel,
    #[serde(default)]
    pub family_doctors: Vec<FamilyDoctor>,
    #[serde(default)]
    pub emergency_contacts: Vec<EmergencyContact>,
    #[serde(default)]
    pub medical: Medical,
    pub consent: Consent,
}

/// The parts of a record kept as one JSON document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordBody {
    pub phones: Vec<String>,
    pub family_doctors: Vec<FamilyDoctor>,
    pub emergency_contacts: Vec<EmergencyContact>,
    pub medical: Medical,
    pub consent: Consent,
}

impl RegistrantInput {
    /// Checks every field and returns the normalised record (kana as katakana,
    /// contacts sorted by priority), or every problem found.
    pub fn validate(self, today: NaiveDate) -> Result<RegistrantInput, Vec<FieldError>> {
        use limits::*;
        let mut v = Validator::new();
        let family_name = v.text("family_name", &self.family_name, NAME);
        let given_name = v.text("given_name", &self.given_name, NAME);
        let family_name_kana = v.kana("family_name_kana", &self.family_name_kana, NAME);
        let given_name_kana = v.kana("given_name_kana", &self.given_name_kana, NAME);
        v.past_date("birth_date", self.birth_date, today);

        let address = Address {
            postal_code: v.postal_code("address.postal_code", self.address.postal_code.as_deref()),
            line: v.text("address.line", &self.address.line, ADDRESS_LINE),
            district_code: self
                .address
                .district_code
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(|c| v.code("address.district_code", c)),
        };

        v.list_len("phones", &self.phones, PHONES);
        let phones = self
            .phones
            .iter()
            .enumerate()
            .map(|(i, p)| v.phone(&format!("phones[{i}]"), p))
            .collect();

        v.list_len("family_doctors", &self.family_doctors, DOCTORS);
        let family_doctors = self
            .family_doctors
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let f = |name: &str| format!("family_doctors[{i}].{name}");
                FamilyDoctor {
                    institution: v.text(&f("institution"), &d.institution, 100),
                    doctor: v.opt_text(&f("doctor"), d.doctor.as_deref(), NAME),
                    department: v.opt_text(&f("department"), d.department.as_deref(), NAME),
                    phone: d.phone.as_deref().map(|p| v.phone(&f("phone"), p)),
                }
            })
            .collect();

        v.list_len("emergency_contacts", &self.emergency_contacts, CONTACTS);
        let mut seen = Vec::new();
        let mut emergency_contacts: Vec<EmergencyContact> = self
            .emergency_contacts
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let f = |name: &str| format!("emergency_contacts[{i}].{name}");
                if !(1..=9).contains(&c.priority) {
                    v.error(f("priority"), "must be between 1 and 9");
                } else if seen.contains(&c.priority) {
                    v.error(f("priority"), "must be unique among contacts");
                }
                seen.push(c.priority);
                v.list_len(&f("phones"), &c.phones, 3);
                EmergencyContact {
                    priority: c.priority,
                    name: v.text(&f("name"), &c.name, NAME),
                    kana: c.kana.as_deref().map(|k| v.kana(&f("kana"), k, NAME)),
                    relationship: v.text(&f("relationship"), &c.relationship, 30),
                    phones: c
                        .phones
                        .iter()
                        .enumerate()
                        .map(|(j, p)| v.phone(&format!("emergency_contacts[{i}].phones[{j}]"), p))
                        .collect(),
                    notes: v.notes(&f("notes"), c.notes.as_deref(), ITEM),
                }
            })
            .collect();
        emergency_contacts.sort_by_key(|c| c.priority);

        let mut items = |field: &str, list: &[String], max_items: usize| -> Vec<String> {
            v.list_len(field, list, max_items);
            list.iter()
                .enumerate()
                .map(|(i, s)| v.text(&format!("{field}[{i}]"), s, ITEM))
                .collect()
        };
        let conditions = items("medical.conditions", &self.medical.conditions, LIST_ITEMS);
        let medications = items("medical.medications", &self.medical.medications, 50);
        let allergies = items("medical.allergies", &self.medical.allergies, LIST_ITEMS);
        let mut devices = self.medical.devices_and_procedures.clone();
        devices.dedup();
        let medical = Medical {
            conditions,
            medications,
            allergies,
            devices_and_procedures: devices,
            notes: v.notes("medical.notes", self.medical.notes.as_deref(), NOTES),
        };

        let c = &self.consent;
        if c.obtained_on > today {
            v.error("consent.obtained_on", "must not be in the future");
        }
        let proxy_name = v.opt_text("consent.proxy_name", c.proxy_name.as_deref(), NAME);
        let proxy_relationship = v.opt_text(
            "consent.proxy_relationship",
            c.proxy_relationship.as_deref(),
            30,
        );
        if c.by == ConsentBy::Proxy && proxy_name.is_none() {
            v.error(
                "consent.proxy_name",
                "is required when consent is given by a proxy",
            );
        }
        let consent = Consent {
            obtained_on: c.obtained_on,
            by: c.by,
            proxy_name,
            proxy_relationship,
        };

        v.finish(RegistrantInput {
            family_name,
            given_name,
            family_name_kana,
            given_name_kana,
            birth_date: self.birth_date,
            sex: self.sex,
            address,
            phones,
            living_situation: self.living_situation,
            care_level: self.care_level,
            family_doctors,
            emergency_contacts,
            medical,
            consent,
        })
    }

    /// The JSON-stored part of the record.
    pub fn body(&self) -> RecordBody {
        RecordBody {
            phones: self.phones.clone(),
            family_doctors: self.family_doctors.clone(),
            emergency_contacts: self.emergency_contacts.clone(),
            medical: self.medical.clone(),
            consent: self.consent.clone(),
        }
    }
}

/// A registrant as returned to care managers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Registrant {
    pub id: Uuid,
    #[schema(example = "K7Q-4MX-9PD")]
    pub card_code: String,
    pub status: RegistrantStatus,
    pub version: i32,
    pub managing_organization_id: Uuid,
    #[serde(flatten)]
    pub record: RegistrantInput,
    #[serde(serialize_with = "crate::domain::utc::serialize")]
    pub created_at: NaiveDateTime,
    pub created_by: Uuid,
    #[serde(serialize_with = "crate::domain::utc::serialize")]
    pub updated_at: NaiveDateTime,
    pub updated_by: Uuid,
}

/// One line of a registrant list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistrantSummary {
    pub id: Uuid,
    pub card_code: String,
    pub status: RegistrantStatus,
    pub version: i32,
    pub family_name: String,
    pub given_name: String,
    pub family_name_kana: String,
    pub given_name_kana: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub district_code: Option<String>,
    #[serde(serialize_with = "crate::domain::utc::serialize")]
    pub updated_at: NaiveDateTime,
}

/// Age in whole years on `today`.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> u32 {
    use chrono::Datelike;
    let mut age = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    u32::try_from(age).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> RegistrantInput {
        serde_json::from_value(serde_json::json!({
            "family_name": "佐藤", "given_name": "花子", "family_name_kana": "さとう", "given_name_kana": "ﾊﾅｺ",
            "birth_date": "1940-03-02", "sex": "female",
            "address": {"postal_code": "0900024", "line": "北見市北4条東3丁目1-1", "district_code": "D01"},
            "phones": ["０１５７-23-0000"], "living_situation": "alone", "care_level": "care_2",
            "emergency_contacts": [
                {"priority": 2, "name": "佐藤 二郎", "relationship": "次男"},
                {"priority": 1, "name": "佐藤 一郎", "kana": "サトウ イチロウ", "relationship": "長男", "phones": ["090-1111-2222"]}
            ],
            "consent": {"obtained_on": "2026-04-01", "by": "self"}
        }))
        .unwrap()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn valid_record_is_normalised() {
        let r = sample().validate(today()).unwrap();
        assert_eq!(r.family_name_kana, "サトウ");
        assert_eq!(r.given_name_kana, "ハナコ");
        assert_eq!(r.address.postal_code.as_deref(), Some("090-0024"));
        assert_eq!(r.phones, vec!["0157-23-0000"]);
        assert_eq!(r.emergency_contacts[0].priority, 1);
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut r = sample();
        r.family_name_kana = "佐藤".into();
        r.birth_date = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        r.consent.by = ConsentBy::Proxy;
        r.emergency_contacts[1].priority = 2;
        let errors = r.validate(today()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "family_name_kana",
                "birth_date",
                "emergency_contacts[1].priority",
                "consent.proxy_name"
            ]
        );
    }

    #[test]
    fn age_counts_birthdays() {
        let b = NaiveDate::from_ymd_opt(1940, 3, 2).unwrap();
        assert_eq!(age_on(b, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()), 85);
        assert_eq!(age_on(b, NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()), 86);
    }
}
