//! Organizations taking part: care offices, clinics, hospitals, facilities, fire
//! departments and the city.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::organizations;
use super::DbConn;

/// A stored organization.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organizations)]
pub struct OrganizationRow {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub district_code: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Fields an admin may change.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = organizations)]
pub struct OrganizationChanges {
    pub name: Option<String>,
    pub district_code: Option<Option<String>>,
    pub active: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, row: &OrganizationRow) -> QueryResult<()> {
    diesel::insert_into(organizations::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn get(conn: &mut DbConn, id: &str) -> QueryResult<OrganizationRow> {
    organizations::table
        .find(id)
        .select(OrganizationRow::as_select())
        .first(conn)
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<OrganizationRow>> {
    get(conn, id).optional()
}

pub fn list(
    conn: &mut DbConn,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<OrganizationRow>, i64)> {
    let total = organizations::table.count().get_result(conn)?;
    let rows = organizations::table
        .order((organizations::name.asc(), organizations::id.asc()))
        .limit(limit)
        .offset(offset)
        .select(OrganizationRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn update(conn: &mut DbConn, id: &str, changes: &OrganizationChanges) -> QueryResult<usize> {
    diesel::update(organizations::table.find(id))
        .set(changes)
        .execute(conn)
}
