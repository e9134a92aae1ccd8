//! Second-factor credentials, recovery codes, the per-role MFA policy and the
//! failed-login counter per client address (in the database, so every instance
//! behind a load balancer sees the same count).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{login_failures, mfa_policy, recovery_codes, totp_credentials};
use super::DbConn;

/// A user's TOTP secret; confirmed once the user proved they can produce codes.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = totp_credentials)]
pub struct TotpRow {
    pub user_id: String,
    pub secret: String,
    pub confirmed_at: Option<NaiveDateTime>,
    pub last_step: i64,
    pub created_at: NaiveDateTime,
}

pub fn totp_get(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<TotpRow>> {
    totp_credentials::table
        .find(user_id)
        .select(TotpRow::as_select())
        .first(conn)
        .optional()
}

/// Starts (or restarts) an unconfirmed enrolment; a confirmed one is kept.
pub fn totp_start(conn: &mut DbConn, row: &TotpRow) -> QueryResult<()> {
    diesel::delete(
        totp_credentials::table
            .find(&row.user_id)
            .filter(totp_credentials::confirmed_at.is_null()),
    )
    .execute(conn)?;
    diesel::insert_into(totp_credentials::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn totp_confirm(
    conn: &mut DbConn,
    user_id: &str,
    step: i64,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(totp_credentials::table.find(user_id))
        .set((
            totp_credentials::confirmed_at.eq(Some(at)),
            totp_credentials::last_step.eq(step),
        ))
        .execute(conn)
        .map(drop)
}

/// Records the step of an accepted code; false when a concurrent login used it.
pub fn totp_use_step(conn: &mut DbConn, user_id: &str, step: i64) -> QueryResult<bool> {
    let n = diesel::update(
        totp_credentials::table
            .find(user_id)
            .filter(totp_credentials::last_step.lt(step)),
    )
    .set(totp_credentials::last_step.eq(step))
    .execute(conn)?;
    Ok(n == 1)
}

/// Removes the second factor and its recovery codes (an admin's reset).
pub fn totp_remove(conn: &mut DbConn, user_id: &str) -> QueryResult<()> {
    diesel::delete(totp_credentials::table.find(user_id)).execute(conn)?;
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)
        .map(drop)
}

/// Replaces the user's recovery codes with these hashes.
pub fn recovery_replace(conn: &mut DbConn, user_id: &str, hashes: &[String]) -> QueryResult<()> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    for h in hashes {
        diesel::insert_into(recovery_codes::table)
            .values((
                recovery_codes::id.eq(uuid::Uuid::new_v4().to_string()),
                recovery_codes::user_id.eq(user_id),
                recovery_codes::code_hash.eq(h),
                recovery_codes::used_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Spends an unused recovery code; false when there is none with this hash.
pub fn recovery_spend(
    conn: &mut DbConn,
    user_id: &str,
    hash: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user_id))
            .filter(recovery_codes::code_hash.eq(hash))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(Some(at)))
    .execute(conn)?;
    Ok(n >= 1)
}

/// Unused recovery codes of a user.
pub fn recovery_left(conn: &mut DbConn, user_id: &str) -> QueryResult<i64> {
    recovery_codes::table
        .filter(recovery_codes::user_id.eq(user_id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)
}

/// Roles for which a second factor is required.
pub fn mfa_required_roles(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    mfa_policy::table
        .filter(mfa_policy::required.eq(true))
        .order(mfa_policy::role.asc())
        .select(mfa_policy::role)
        .load(conn)
}

pub fn mfa_required_for(conn: &mut DbConn, role: &str) -> QueryResult<bool> {
    Ok(mfa_policy::table
        .find(role)
        .select(mfa_policy::required)
        .first::<bool>(conn)
        .optional()?
        .unwrap_or(false))
}

pub fn mfa_set(
    conn: &mut DbConn,
    role: &str,
    required: bool,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(mfa_policy::table.find(role)).execute(conn)?;
    diesel::insert_into(mfa_policy::table)
        .values((
            mfa_policy::role.eq(role),
            mfa_policy::required.eq(required),
            mfa_policy::updated_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Whether logins from `address` are locked at `now`.
pub fn address_locked(conn: &mut DbConn, address: &str, now: NaiveDateTime) -> QueryResult<bool> {
    Ok(login_failures::table
        .find(address)
        .select(login_failures::locked_until)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten()
        .is_some_and(|t| t > now))
}

/// Counts a failed login from `address` within a window of `window` starting at
/// its first failure; locks the address until `lock_until` at `max_failures`.
pub fn address_failed(
    conn: &mut DbConn,
    address: &str,
    now: NaiveDateTime,
    window: chrono::Duration,
    max_failures: i32,
    lock_until: NaiveDateTime,
) -> QueryResult<()> {
    let current = login_failures::table
        .find(address)
        .select((login_failures::failures, login_failures::first_at))
        .first::<(i32, NaiveDateTime)>(conn)
        .optional()?;
    let (failures, first_at) = match current {
        Some((n, first)) if first + window > now => (n + 1, first),
        _ => (1, now),
    };
    let locked = (failures >= max_failures).then_some(lock_until);
    let (failures, first_at) = if locked.is_some() {
        (0, now)
    } else {
        (failures, first_at)
    };
    diesel::delete(login_failures::table.find(address)).execute(conn)?;
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::address.eq(address),
            login_failures::failures.eq(failures),
            login_failures::first_at.eq(first_at),
            login_failures::locked_until.eq(locked),
        ))
        .execute(conn)
        .map(drop)
}
