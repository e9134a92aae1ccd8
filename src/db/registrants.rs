//! Registrants (登録者): identity columns for filtering and statistics, the rest of
//! the record as one JSON document, and the blocking keys used by crew searches.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use uuid::Uuid;

use super::schema::{registrant_keys, registrants};
use super::DbConn;
use crate::domain::registrant::{
    Address, RecordBody, Registrant, RegistrantInput, RegistrantSummary,
};
use crate::domain::{text, CareLevel, LivingSituation, RegistrantStatus, Sex};

/// A stored registrant.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = registrants, treat_none_as_null = true)]
pub struct RegistrantRow {
    pub id: String,
    pub card_code: String,
    pub managing_organization_id: String,
    pub status: String,
    pub version: i32,
    pub family_name: String,
    pub given_name: String,
    pub family_name_kana: String,
    pub given_name_kana: String,
    pub name_search: String,
    pub kana_search: String,
    pub birth_date: NaiveDate,
    pub sex: String,
    pub postal_code: Option<String>,
    pub address_line: String,
    pub district_code: Option<String>,
    pub living_situation: String,
    pub care_level: String,
    pub record: String,
    pub created_at: NaiveDateTime,
    pub created_by: String,
    pub updated_at: NaiveDateTime,
    pub updated_by: String,
    pub status_changed_at: Option<NaiveDateTime>,
}

fn corrupt(what: &str) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(
        format!("stored registrant has invalid {what}").into(),
    )
}

fn uuid(s: &str, what: &str) -> QueryResult<Uuid> {
    Uuid::parse_str(s).map_err(|_| corrupt(what))
}

impl RegistrantRow {
    /// A new row for a validated record.
    pub fn new(
        id: Uuid,
        card_code: String,
        organization_id: Uuid,
        user_id: Uuid,
        input: &RegistrantInput,
        now: NaiveDateTime,
    ) -> QueryResult<Self> {
        let mut row = RegistrantRow {
            id: id.to_string(),
            card_code,
            managing_organization_id: organization_id.to_string(),
            status: RegistrantStatus::Active.as_str().to_owned(),
            version: 1,
            family_name: String::new(),
            given_name: String::new(),
            family_name_kana: String::new(),
            given_name_kana: String::new(),
            name_search: String::new(),
            kana_search: String::new(),
            birth_date: input.birth_date,
            sex: String::new(),
            postal_code: None,
            address_line: String::new(),
            district_code: None,
            living_situation: String::new(),
            care_level: String::new(),
            record: String::new(),
            created_at: now,
            created_by: user_id.to_string(),
            updated_at: now,
            updated_by: user_id.to_string(),
            status_changed_at: None,
        };
        row.apply(input)?;
        Ok(row)
    }

    /// Copies a validated record's fields into the row.
    pub fn apply(&mut self, input: &RegistrantInput) -> QueryResult<()> {
        self.family_name.clone_from(&input.family_name);
        self.given_name.clone_from(&input.given_name);
        self.family_name_kana.clone_from(&input.family_name_kana);
        self.given_name_kana.clone_from(&input.given_name_kana);
        self.name_search = text::compact(&format!("{}{}", input.family_name, input.given_name));
        self.kana_search = text::compact(&format!(
            "{}{}",
            input.family_name_kana, input.given_name_kana
        ));
        self.birth_date = input.birth_date;
        self.sex = input.sex.as_str().to_owned();
        self.postal_code.clone_from(&input.address.postal_code);
        self.address_line.clone_from(&input.address.line);
        self.district_code.clone_from(&input.address.district_code);
        self.living_situation = input.living_situation.as_str().to_owned();
        self.care_level = input.care_level.as_str().to_owned();
        self.record = serde_json::to_string(&input.body())
            .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
        Ok(())
    }

    /// The record as the API shows it.
    pub fn to_input(&self) -> QueryResult<RegistrantInput> {
        let body: RecordBody = serde_json::from_str(&self.record).map_err(|_| corrupt("record"))?;
        Ok(RegistrantInput {
            family_name: self.family_name.clone(),
            given_name: self.given_name.clone(),
            family_name_kana: self.family_name_kana.clone(),
            given_name_kana: self.given_name_kana.clone(),
            birth_date: self.birth_date,
            sex: Sex::parse(&self.sex).ok_or_else(|| corrupt("sex"))?,
            address: Address {
                postal_code: self.postal_code.clone(),
                line: self.address_line.clone(),
                district_code: self.district_code.clone(),
            },
            phones: body.phones,
            living_situation: LivingSituation::parse(&self.living_situation)
                .ok_or_else(|| corrupt("living_situation"))?,
            care_level: CareLevel::parse(&self.care_level).ok_or_else(|| corrupt("care_level"))?,
            family_doctors: body.family_doctors,
            emergency_contacts: body.emergency_contacts,
            medical: body.medical,
            consent: body.consent,
        })
    }

    /// The fields crew searches compare, for the matching module.
    pub fn person_fields(&self) -> QueryResult<crate::matching::PersonFields> {
        let body: RecordBody = serde_json::from_str(&self.record).map_err(|_| corrupt("record"))?;
        Ok(crate::matching::PersonFields {
            family_name: self.family_name.clone(),
            given_name: self.given_name.clone(),
            family_kana: self.family_name_kana.clone(),
            given_kana: self.given_name_kana.clone(),
            birth_date: self.birth_date,
            sex: Sex::parse(&self.sex).ok_or_else(|| corrupt("sex"))?.into(),
            phones: body.phones,
            postal_code: self.postal_code.clone(),
            address_line: Some(self.address_line.clone()),
            card_code: self.card_code.clone(),
            district_code: self.district_code.clone(),
        })
    }

    pub fn status(&self) -> QueryResult<RegistrantStatus> {
        RegistrantStatus::parse(&self.status).ok_or_else(|| corrupt("status"))
    }

    pub fn to_registrant(&self) -> QueryResult<Registrant> {
        Ok(Registrant {
            id: uuid(&self.id, "id")?,
            card_code: self.card_code.clone(),
            status: self.status()?,
            version: self.version,
            managing_organization_id: uuid(&self.managing_organization_id, "organization")?,
            record: self.to_input()?,
            created_at: self.created_at,
            created_by: uuid(&self.created_by, "created_by")?,
            updated_at: self.updated_at,
            updated_by: uuid(&self.updated_by, "updated_by")?,
        })
    }

    pub fn to_summary(&self) -> QueryResult<RegistrantSummary> {
        Ok(RegistrantSummary {
            id: uuid(&self.id, "id")?,
            card_code: self.card_code.clone(),
            status: self.status()?,
            version: self.version,
            family_name: self.family_name.clone(),
            given_name: self.given_name.clone(),
            family_name_kana: self.family_name_kana.clone(),
            given_name_kana: self.given_name_kana.clone(),
            birth_date: self.birth_date,
            sex: Sex::parse(&self.sex).ok_or_else(|| corrupt("sex"))?,
            district_code: self.district_code.clone(),
            updated_at: self.updated_at,
        })
    }
}

pub fn insert(conn: &mut DbConn, row: &RegistrantRow) -> QueryResult<()> {
    diesel::insert_into(registrants::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConn, id: Uuid) -> QueryResult<Option<RegistrantRow>> {
    registrants::table
        .find(id.to_string())
        .select(RegistrantRow::as_select())
        .first(conn)
        .optional()
}

pub fn card_code_taken(conn: &mut DbConn, code: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        registrants::table.filter(registrants::card_code.eq(code)),
    ))
    .get_result(conn)
}

/// Replaces the whole row when its version is still `expected_version`;
/// returns false when another write got there first.
pub fn update_if_version(
    conn: &mut DbConn,
    row: &RegistrantRow,
    expected_version: i32,
) -> QueryResult<bool> {
    let n = diesel::update(
        registrants::table
            .find(&row.id)
            .filter(registrants::version.eq(expected_version)),
    )
    .set(row)
    .execute(conn)?;
    Ok(n == 1)
}

/// List filters (all optional) and paging.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub organization_id: String,
    pub name: Option<String>,
    pub kana: Option<String>,
    pub status: Option<RegistrantStatus>,
    pub district_code: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

fn like_pattern(s: &str) -> String {
    let escaped: String = s
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

/// One page of an organization's registrants, ordered by kana, and the total.
pub fn list(conn: &mut DbConn, f: &ListFilter) -> QueryResult<(Vec<RegistrantRow>, i64)> {
    let filtered = || {
        let mut q = registrants::table
            .filter(registrants::managing_organization_id.eq(f.organization_id.clone()))
            .into_boxed();
        if let Some(status) = f.status {
            q = q.filter(registrants::status.eq(status.as_str()));
        }
        if let Some(d) = &f.district_code {
            q = q.filter(registrants::district_code.eq(d.clone()));
        }
        if let Some(name) = &f.name {
            q = q.filter(
                registrants::name_search
                    .like(like_pattern(&text::compact(name)))
                    .escape('\\'),
            );
        }
        if let Some(kana) = &f.kana {
            q = q.filter(
                registrants::kana_search
                    .like(like_pattern(&text::compact(&text::to_katakana(kana))))
                    .escape('\\'),
            );
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((registrants::kana_search.asc(), registrants::id.asc()))
        .limit(f.limit)
        .offset(f.offset)
        .select(RegistrantRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Keeps the blocking keys crews search by in step with the row: active
/// registrants are indexed, withdrawn and deceased ones are not.
pub fn index_keys(conn: &mut DbConn, row: &RegistrantRow) -> QueryResult<()> {
    let keys = if row.status == RegistrantStatus::Active.as_str() {
        crate::matching::registrant_keys(&row.person_fields()?)
    } else {
        Vec::new()
    };
    replace_keys(conn, &row.id, &keys)
}

/// Replaces the blocking keys of one registrant, and moves the name counts
/// the search weighs names by ([`super::name_counts`]) in the same transaction.
/// Erasing a registrant's keys is `replace_keys(conn, id, &[])`.
pub fn replace_keys(conn: &mut DbConn, id: &str, keys: &[String]) -> QueryResult<()> {
    let mut old: Vec<String> = registrant_keys::table
        .filter(registrant_keys::registrant_id.eq(id))
        .select(registrant_keys::key)
        .load(conn)?;
    let mut new = keys.to_vec();
    old.sort();
    new.sort();
    if old == new {
        return Ok(());
    }
    super::name_counts::apply_change(conn, &old, &new)?;
    diesel::delete(registrant_keys::table.filter(registrant_keys::registrant_id.eq(id)))
        .execute(conn)?;
    // One row per statement: diesel's multi-row insert is not available on the
    // multi-backend connection; a registrant has a dozen keys at most.
    for key in keys {
        diesel::insert_into(registrant_keys::table)
            .values((
                registrant_keys::key.eq(key.as_str()),
                registrant_keys::registrant_id.eq(id),
            ))
            .execute(conn)?;
    }
    Ok(())
}
