//! Domain types and rules with no web framework or database in them: closed value
//! sets, the registrant record and its validation, care decisions, district CSV.

pub mod care_decision;
pub mod district_csv;
pub mod emergency;
pub mod registrant;
pub mod text;
pub mod validate;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Defines a closed set of values with its wire name, parsing and listing.
macro_rules! closed_enum_def {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $wire)] $variant),+
        }

        // Written by hand: the derive does not see `rename` given through a
        // macro and would document the Rust variant names instead of the wire names.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($wire),+]))
                    .into()
            }
        }

        impl ToSchema for $name {}

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as written in JSON and stored in the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// Parses the wire form; `None` for anything outside the set.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($wire => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use closed_enum_def as closed_enum;

closed_enum!(
    /// What a user may do (see the design's role table).
    Role { CareManager => "care_manager", Paramedic => "paramedic", Admin => "admin" }
);

closed_enum!(
    /// The kind of a participating organization.
    OrganizationKind {
        CareOffice => "care_office",
        Clinic => "clinic",
        Hospital => "hospital",
        Facility => "facility",
        FireDepartment => "fire_department",
        City => "city",
    }
);

impl OrganizationKind {
    /// Whether registrants may be managed by an organization of this kind.
    pub fn manages_registrants(self) -> bool {
        matches!(
            self,
            Self::CareOffice | Self::Clinic | Self::Hospital | Self::Facility
        )
    }
}

impl Role {
    /// Whether a user of this role may belong to an organization of `kind`:
    /// crews to fire departments, care managers to the organizations that
    /// manage registrants, admins to the city.
    pub fn fits(self, kind: OrganizationKind) -> bool {
        match self {
            Role::Paramedic => kind == OrganizationKind::FireDepartment,
            Role::CareManager => kind.manages_registrants(),
            Role::Admin => kind == OrganizationKind::City,
        }
    }
}

closed_enum!(
    /// Sex as recorded.
    Sex { Male => "male", Female => "female", Other => "other", Unknown => "unknown" }
);

impl From<Sex> for crate::matching::Sex {
    fn from(s: Sex) -> Self {
        match s {
            Sex::Male => Self::Male,
            Sex::Female => Self::Female,
            Sex::Other => Self::Other,
            Sex::Unknown => Self::Unknown,
        }
    }
}

closed_enum!(
    /// With whom the person lives.
    LivingSituation {
        Alone => "alone",
        WithSpouse => "with_spouse",
        WithFamily => "with_family",
        Facility => "facility",
        Other => "other",
    }
);

closed_enum!(
    /// Long-term care insurance level (要支援・要介護).
    CareLevel {
        None => "none",
        Support1 => "support_1",
        Support2 => "support_2",
        Care1 => "care_1",
        Care2 => "care_2",
        Care3 => "care_3",
        Care4 => "care_4",
        Care5 => "care_5",
    }
);

closed_enum!(
    /// Devices and procedures a crew must know about.
    Device {
        Pacemaker => "pacemaker",
        Icd => "icd",
        HomeOxygen => "home_oxygen",
        TubeFeeding => "tube_feeding",
        Suction => "suction",
        Dialysis => "dialysis",
        Insulin => "insulin",
        UrinaryCatheter => "urinary_catheter",
        Tracheostomy => "tracheostomy",
        Ventilator => "ventilator",
        Stoma => "stoma",
        Other => "other",
    }
);

closed_enum!(
    /// Who gave consent to registration.
    ConsentBy { SelfPerson => "self", Proxy => "proxy" }
);

closed_enum!(
    /// Registration status; only `active` registrants are found by crews.
    RegistrantStatus { Active => "active", Withdrawn => "withdrawn", Deceased => "deceased" }
);

closed_enum!(
    /// How a care decision entry relates to the previous one.
    DecisionKind { New => "new", Revised => "revised", Reconfirmed => "reconfirmed" }
);

closed_enum!(
    /// A wish about one kind of treatment.
    Wish { Wanted => "wanted", NotWanted => "not_wanted", Undecided => "undecided" }
);

closed_enum!(
    /// A preferred place of care or of final days.
    Place { Home => "home", Facility => "facility", Hospital => "hospital", Undecided => "undecided" }
);

/// Serializes a UTC timestamp stored without a zone as RFC 3339 with `Z`
/// (`2026-11-24T09:30:00.123456Z`), what the OpenAPI `date-time` format promises.
pub mod utc {
    use chrono::NaiveDateTime;
    use serde::Serializer;

    pub fn serialize<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&t.and_utc().format("%Y-%m-%dT%H:%M:%S%.6fZ"))
    }

    /// Reads what [`serialize`] writes, and the zone-less form too.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        let s = s.strip_suffix('Z').unwrap_or(&s);
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_sets_are_documented_by_their_wire_names() {
        let schema = serde_json::to_value(<Role as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(
            schema["enum"],
            serde_json::json!(["care_manager", "paramedic", "admin"])
        );
    }

    #[test]
    fn timestamps_are_rfc3339_utc_and_read_back() {
        #[derive(Serialize, Deserialize)]
        struct T {
            #[serde(with = "utc")]
            at: chrono::NaiveDateTime,
        }
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 123_456_000)
            .unwrap()
            .naive_utc();
        let json = serde_json::to_string(&T { at }).unwrap();
        assert_eq!(json, r#"{"at":"2027-01-15T08:00:00.123456Z"}"#);
        let back: T = serde_json::from_str(&json).unwrap();
        assert_eq!(back.at, at);
        let plain: T = serde_json::from_str(r#"{"at":"2027-01-15T08:00:00.123456"}"#).unwrap();
        assert_eq!(plain.at, at);
    }
}
