//! Web sessions, stored by the SHA-256 of the cookie's random id (the id itself
//! is never stored), so that every instance sharing the database sees them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::web_sessions;
use super::DbConn;

/// One signed-in browser.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = web_sessions)]
pub struct WebSessionRow {
    pub token_hash: String,
    pub user_id: String,
    /// The user's password version when the session began; a reset ends it.
    pub password_version: i64,
    /// The token every form of this session carries.
    pub csrf_token: String,
    /// The role requires a second factor the user has not enrolled yet: only
    /// the enrolment pages are open.
    pub enrol_only: bool,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &WebSessionRow) -> QueryResult<()> {
    diesel::insert_into(web_sessions::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConn, token_hash: &str) -> QueryResult<Option<WebSessionRow>> {
    web_sessions::table
        .find(token_hash)
        .select(WebSessionRow::as_select())
        .first(conn)
        .optional()
}

/// Records that the session was used at `at`.
pub fn touch(conn: &mut DbConn, token_hash: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(web_sessions::table.find(token_hash))
        .set(web_sessions::last_seen_at.eq(at))
        .execute(conn)
        .map(drop)
}

/// Ends one session (sign-out, idle timeout).
pub fn delete(conn: &mut DbConn, token_hash: &str) -> QueryResult<()> {
    diesel::delete(web_sessions::table.find(token_hash))
        .execute(conn)
        .map(drop)
}

/// Ends every session of a user (password reset, enrolment finished).
pub fn delete_for_user(conn: &mut DbConn, user_id: &str) -> QueryResult<usize> {
    diesel::delete(web_sessions::table.filter(web_sessions::user_id.eq(user_id))).execute(conn)
}

/// Removes sessions idle since before `before` (they can no longer be used).
pub fn delete_idle(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(web_sessions::table.filter(web_sessions::last_seen_at.lt(before))).execute(conn)
}

/// Opens the whole application to a session whose user has just enrolled a
/// second factor.
pub fn finish_enrolment(conn: &mut DbConn, token_hash: &str) -> QueryResult<()> {
    diesel::update(web_sessions::table.find(token_hash))
        .set(web_sessions::enrol_only.eq(false))
        .execute(conn)
        .map(drop)
}
