//! The one audited write transaction. Every write of every interface runs in
//! [`write`]: it locks the audit chain's head before anything else, so all writers
//! take their locks in the same order (on SQLite the head's UPDATE also takes the
//! database's write lock at once), and the audit events of the write go into the
//! same transaction as the write itself. A transaction that still fails with a
//! serialization failure or a deadlock is rolled back and run again, a bounded
//! number of times; after that the caller gets 503 with `Retry-After`, never 500.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use diesel::Connection;

use crate::db::audit::{Actor, AuditEvent, Chain, Event};
use crate::db::DbConn;
use crate::error::ApiError;

/// Attempts of one write before answering 503.
const ATTEMPTS: u32 = 6;

/// A write transaction holding the audit chain's head. Dereferences to the
/// connection, so repository functions take it as `&mut DbConn`.
pub struct Tx<'c> {
    conn: &'c mut DbConn,
    chain: Chain,
    actor: Option<Actor>,
}

impl Tx<'_> {
    /// Appends an event by the transaction's actor.
    pub fn audit(&mut self, event: Event) -> Result<AuditEvent, ApiError> {
        let actor = self.actor.clone();
        self.audit_as(actor.as_ref(), event)
    }

    /// Appends an event by another actor (`None`: the system itself, e.g. a
    /// refresh token replayed by someone unknown).
    pub fn audit_as(
        &mut self,
        actor: Option<&Actor>,
        event: Event,
    ) -> Result<AuditEvent, ApiError> {
        Ok(self.chain.append(self.conn, actor, event)?)
    }
}

impl Deref for Tx<'_> {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        self.conn
    }
}

impl DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut DbConn {
        self.conn
    }
}

/// Runs `f` in one transaction that first locks the audit chain's head; commits
/// when `f` succeeds, rolls back otherwise. `f` runs again (after a short,
/// growing pause) when the database reports a deadlock or serialization failure,
/// so it must not have effects outside the transaction.
pub fn write<T>(
    conn: &mut DbConn,
    actor: Option<Actor>,
    mut f: impl FnMut(&mut Tx<'_>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let mut attempt = 1;
    loop {
        let result = conn.transaction(|conn| {
            let chain = Chain::begin(conn)?;
            let mut tx = Tx {
                conn,
                chain,
                actor: actor.clone(),
            };
            f(&mut tx)
        });
        match result {
            Err(ApiError::Contention(cause)) if attempt < ATTEMPTS => {
                tracing::warn!(%cause, attempt, "write transaction retried");
                std::thread::sleep(backoff(attempt));
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// 5, 10, 20, 40, 80 ms, each plus up to as much again at random, so that two
/// transactions that collided do not collide again.
fn backoff(attempt: u32) -> Duration {
    let base = 5u64 << (attempt - 1).min(6);
    let jitter = rand::random_range(0..=base);
    Duration::from_millis(base + jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_bounded() {
        for attempt in 1..ATTEMPTS {
            let d = backoff(attempt).as_millis() as u64;
            let base = 5u64 << (attempt - 1);
            assert!((base..=2 * base).contains(&d), "attempt {attempt}: {d} ms");
        }
    }
}
