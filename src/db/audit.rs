//! The audit log: append-only and hash-chained. Each event carries the hash of the
//! previous one, and `audit_head` holds the last sequence number and hash, so that
//! an altered, removed or truncated entry is detectable by [`verify`].
//!
//! Appending starts with an UPDATE of the single `audit_head` row: that takes
//! SQLite's write lock (waiting under `busy_timeout`) or PostgreSQL's row lock,
//! so chains built by concurrent transactions, or by several instances, never
//! fork. Every write transaction takes it first, before any other row
//! ([`crate::service::tx::write`] is the only caller of [`Chain::begin`]), so
//! all writers lock in the same order.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::schema::{audit_events, audit_head};
use super::DbConn;

/// Hash that precedes the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did something (absent for the system itself).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Uuid,
    pub role: &'static str,
    pub organization_id: Uuid,
}

/// What happened, before it is chained.
#[derive(Debug, Clone, Default)]
pub struct Event {
    pub action: &'static str,
    pub registrant_id: Option<Uuid>,
    pub target_id: Option<String>,
    pub incident_id: Option<String>,
    pub lookup_id: Option<Uuid>,
    /// Non-personal detail (never names or medical fields).
    pub detail: Option<String>,
}

/// A stored audit event.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, ToSchema)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub seq: i64,
    pub id: String,
    #[serde(serialize_with = "crate::domain::utc::serialize")]
    pub at: NaiveDateTime,
    pub actor_user_id: Option<String>,
    pub actor_role: Option<String>,
    pub actor_organization_id: Option<String>,
    pub action: String,
    pub registrant_id: Option<String>,
    pub target_id: Option<String>,
    pub incident_id: Option<String>,
    pub lookup_id: Option<String>,
    pub detail: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEvent {
    /// The hash of this event's content and its predecessor's hash.
    pub fn compute_hash(&self) -> String {
        let at = self.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
        let seq = self.seq.to_string();
        let fields: [&str; 13] = [
            &seq,
            &self.id,
            &at,
            self.actor_user_id.as_deref().unwrap_or(""),
            self.actor_role.as_deref().unwrap_or(""),
            self.actor_organization_id.as_deref().unwrap_or(""),
            &self.action,
            self.registrant_id.as_deref().unwrap_or(""),
            self.target_id.as_deref().unwrap_or(""),
            self.incident_id.as_deref().unwrap_or(""),
            self.lookup_id.as_deref().unwrap_or(""),
            self.detail.as_deref().unwrap_or(""),
            &self.prev_hash,
        ];
        let mut h = Sha256::new();
        for f in fields {
            h.update((f.len() as u64).to_be_bytes());
            h.update(f.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// The chain's head, locked for the rest of the transaction.
#[derive(Debug)]
pub struct Chain {
    seq: i64,
    last_hash: String,
}

impl Chain {
    /// Locks the chain head. Call it first in a write transaction (through
    /// [`crate::service::tx::write`]).
    pub fn begin(conn: &mut DbConn) -> QueryResult<Chain> {
        diesel::update(audit_head::table.find(1))
            .set(audit_head::seq.eq(audit_head::seq))
            .execute(conn)?;
        let (seq, last_hash) = audit_head::table
            .find(1)
            .select((audit_head::seq, audit_head::last_hash))
            .first::<(i64, String)>(conn)?;
        Ok(Chain { seq, last_hash })
    }

    /// Appends one event after the current head.
    pub fn append(
        &mut self,
        conn: &mut DbConn,
        actor: Option<&Actor>,
        event: Event,
    ) -> QueryResult<AuditEvent> {
        let mut row = AuditEvent {
            seq: self.seq + 1,
            id: Uuid::new_v4().to_string(),
            at: super::now(),
            actor_user_id: actor.map(|a| a.user_id.to_string()),
            actor_role: actor.map(|a| a.role.to_owned()),
            actor_organization_id: actor.map(|a| a.organization_id.to_string()),
            action: event.action.to_owned(),
            registrant_id: event.registrant_id.map(|id| id.to_string()),
            target_id: event.target_id,
            incident_id: event.incident_id,
            lookup_id: event.lookup_id.map(|id| id.to_string()),
            detail: event.detail,
            prev_hash: self.last_hash.clone(),
            hash: String::new(),
        };
        row.hash = row.compute_hash();
        diesel::insert_into(audit_events::table)
            .values(&row)
            .execute(conn)?;
        diesel::update(audit_head::table.find(1))
            .set((
                audit_head::seq.eq(row.seq),
                audit_head::last_hash.eq(&row.hash),
            ))
            .execute(conn)?;
        self.seq = row.seq;
        self.last_hash.clone_from(&row.hash);
        Ok(row)
    }
}

/// Filters for reading the log.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub registrant_id: Option<Uuid>,
    pub actor_user_id: Option<Uuid>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub before_seq: Option<i64>,
    pub limit: i64,
}

/// Events matching `filter`, newest first.
pub fn list(conn: &mut DbConn, filter: &Filter) -> QueryResult<Vec<AuditEvent>> {
    let mut q = audit_events::table.into_boxed();
    if let Some(id) = filter.registrant_id {
        q = q.filter(audit_events::registrant_id.eq(id.to_string()));
    }
    if let Some(id) = filter.actor_user_id {
        q = q.filter(audit_events::actor_user_id.eq(id.to_string()));
    }
    if let Some(from) = filter.from {
        q = q.filter(audit_events::at.ge(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(audit_events::at.lt(to));
    }
    if let Some(before) = filter.before_seq {
        q = q.filter(audit_events::seq.lt(before));
    }
    q.order(audit_events::seq.desc())
        .limit(filter.limit)
        .select(AuditEvent::as_select())
        .load(conn)
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Every event is intact; `events` were checked.
    Intact { events: i64 },
    /// The first event (by sequence number) where the chain breaks, and why.
    Broken { seq: i64, reason: String },
}

/// Walks the whole chain in order and names the first broken entry.
pub fn verify(conn: &mut DbConn) -> QueryResult<Verification> {
    const BATCH: i64 = 5000;
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS.to_owned();
    loop {
        let batch: Vec<AuditEvent> = audit_events::table
            .filter(audit_events::seq.ge(expected_seq))
            .order(audit_events::seq.asc())
            .limit(BATCH)
            .select(AuditEvent::as_select())
            .load(conn)?;
        let done = (batch.len() as i64) < BATCH;
        for ev in batch {
            if ev.seq != expected_seq {
                return Ok(Verification::Broken {
                    seq: expected_seq,
                    reason: format!("entry {expected_seq} is missing (next is {})", ev.seq),
                });
            }
            if ev.prev_hash != prev_hash {
                return Ok(Verification::Broken {
                    seq: ev.seq,
                    reason: "does not link to the previous entry".into(),
                });
            }
            if ev.compute_hash() != ev.hash {
                return Ok(Verification::Broken {
                    seq: ev.seq,
                    reason: "content does not match its hash (altered)".into(),
                });
            }
            prev_hash = ev.hash;
            expected_seq += 1;
        }
        if done {
            break;
        }
    }
    let (head_seq, head_hash) = audit_head::table
        .find(1)
        .select((audit_head::seq, audit_head::last_hash))
        .first::<(i64, String)>(conn)?;
    if head_seq != expected_seq - 1 || head_hash != prev_hash {
        return Ok(Verification::Broken {
            seq: expected_seq,
            reason: format!(
                "the chain ends at entry {} but the head records entry {head_seq} (entries removed from the end)",
                expected_seq - 1
            ),
        });
    }
    Ok(Verification::Intact {
        events: expected_seq - 1,
    })
}
