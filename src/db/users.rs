//! User accounts with their role, organization and password hash.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::organizations::OrganizationRow;
use super::schema::{organizations, users};
use super::DbConn;

/// A stored user.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub organization_id: String,
    pub role: String,
    pub login: String,
    pub password_hash: String,
    pub display_name: String,
    pub active: bool,
    pub failed_logins: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub password_changed_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Fields an admin may change.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub role: Option<String>,
    pub display_name: Option<String>,
    pub active: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, row: &UserRow) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn get(conn: &mut DbConn, id: &str) -> QueryResult<UserRow> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
}

/// A user with their organization, in one query (every authenticated request).
pub fn get_with_organization(
    conn: &mut DbConn,
    id: &str,
) -> QueryResult<(UserRow, OrganizationRow)> {
    users::table
        .inner_join(organizations::table)
        .filter(users::id.eq(id))
        .select((UserRow::as_select(), OrganizationRow::as_select()))
        .first(conn)
}

pub fn find_by_login(conn: &mut DbConn, login: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::login.eq(login))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(
    conn: &mut DbConn,
    organization_id: Option<&str>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<UserRow>, i64)> {
    let filtered = || {
        let mut q = users::table.into_boxed();
        if let Some(org) = organization_id {
            q = q.filter(users::organization_id.eq(org.to_owned()));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((users::login.asc(), users::id.asc()))
        .limit(limit)
        .offset(offset)
        .select(UserRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn update(conn: &mut DbConn, id: &str, changes: &UserChanges) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(changes)
        .execute(conn)
}

/// Sets a new password hash; tokens issued before `at` stop working.
pub fn set_password(
    conn: &mut DbConn,
    id: &str,
    hash: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::password_changed_at.eq(at),
            users::failed_logins.eq(0),
            users::locked_until.eq(None::<NaiveDateTime>),
            users::updated_at.eq(at),
        ))
        .execute(conn)
}

/// Records a failed login; locks the account for `lock_for` after `max_failures`.
pub fn record_failed_login(
    conn: &mut DbConn,
    id: &str,
    max_failures: i32,
    lock_until: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::failed_logins.eq(users::failed_logins + 1))
        .execute(conn)?;
    diesel::update(
        users::table
            .find(id)
            .filter(users::failed_logins.ge(max_failures)),
    )
    .set((
        users::locked_until.eq(Some(lock_until)),
        users::failed_logins.eq(0),
    ))
    .execute(conn)?;
    Ok(())
}

/// Clears the failure counter after a successful login.
pub fn record_login(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id).filter(users::failed_logins.ne(0)))
        .set(users::failed_logins.eq(0))
        .execute(conn)
        .map(drop)
}

/// Number of active admins.
pub fn count_active_admins(conn: &mut DbConn) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq("admin"))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)
}
