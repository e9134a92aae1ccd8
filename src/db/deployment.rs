//! The deployment's settings (one row): the time zone of the whole deployment.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::deployment;
use super::DbConn;

/// The stored time zone, once set.
pub fn timezone(conn: &mut DbConn) -> QueryResult<Option<String>> {
    deployment::table
        .find(1)
        .select(deployment::timezone)
        .first(conn)
        .optional()
}

/// Stores the time zone (the row is created the first time).
pub fn set_timezone(conn: &mut DbConn, name: &str, at: NaiveDateTime) -> QueryResult<()> {
    let changed = diesel::update(deployment::table.find(1))
        .set((deployment::timezone.eq(name), deployment::updated_at.eq(at)))
        .execute(conn)?;
    if changed == 0 {
        diesel::insert_into(deployment::table)
            .values((
                deployment::id.eq(1),
                deployment::timezone.eq(name),
                deployment::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}
