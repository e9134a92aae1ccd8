//! Care decisions: the append-only history of decisions about medical care, read
//! and added by the care manager of the registrant's organization. Entries are
//! never edited; a newer entry supersedes an older one.

use chrono::NaiveDate;
use uuid::Uuid;

use super::registrants::load_own;
use super::tx;
use crate::auth::AuthUser;
use crate::db::audit::Event;
use crate::db::care_decisions::{self, CareDecisionRow};
use crate::db::{self, DbConn};
use crate::domain::care_decision::{CareDecision, CareDecisionInput};
use crate::domain::{RegistrantStatus, Role};
use crate::error::ApiError;

/// The audit action of a refused access to another organization's registrant.
const DENIED: &str = "care_decision.access_denied";

/// Every entry about a registrant, newest first (audited).
pub fn history(
    conn: &mut DbConn,
    caller: &AuthUser,
    registrant: Uuid,
) -> Result<Vec<CareDecision>, ApiError> {
    caller.require(Role::CareManager)?;
    tx::write(conn, Some(caller.actor()), |tx| {
        if load_own(tx, caller, registrant, DENIED)?.is_none() {
            return Ok(None);
        }
        let rows = care_decisions::history(tx, &registrant.to_string())?;
        tx.audit(Event {
            action: "care_decision.read",
            registrant_id: Some(registrant),
            detail: Some(format!("entries={}", rows.len())),
            ..Default::default()
        })?;
        let list = rows
            .iter()
            .map(CareDecisionRow::to_decision)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(list))
    })?
    .ok_or(ApiError::NotFound)
}

/// Records a decision: `new` for the first entry, then `revised` or `reconfirmed`.
pub fn record(
    conn: &mut DbConn,
    caller: &AuthUser,
    registrant: Uuid,
    input: CareDecisionInput,
    today: NaiveDate,
) -> Result<CareDecision, ApiError> {
    caller.require(Role::CareManager)?;
    tx::write(conn, Some(caller.actor()), |tx| {
        let Some(reg) = load_own(tx, caller, registrant, DENIED)? else {
            return Ok(None);
        };
        if reg.status()? != RegistrantStatus::Active {
            return Err(ApiError::Conflict(
                "the registration is no longer active".into(),
            ));
        }
        let existing = care_decisions::count_for(tx, &reg.id)?;
        let entry = input.clone().validate(today, existing)?;
        let seq = i32::try_from(existing + 1).map_err(ApiError::internal)?;
        let row = CareDecisionRow {
            id: Uuid::new_v4().to_string(),
            registrant_id: reg.id.clone(),
            seq,
            kind: entry.kind.as_str().to_owned(),
            discussed_on: entry.discussed_on,
            organization_id: caller.organization_id.to_string(),
            recorded_by: caller.id.to_string(),
            recorded_at: db::now(),
            review_due: entry.review_due,
            shared_with_family: entry.shared_with_family,
            body: serde_json::to_string(&entry).map_err(ApiError::internal)?,
        };
        care_decisions::insert(tx, &row)?;
        tx.audit(Event {
            action: "care_decision.create",
            registrant_id: Some(registrant),
            target_id: Some(row.id.clone()),
            detail: Some(format!("kind={} seq={seq}", row.kind)),
            ..Default::default()
        })?;
        Ok(Some(row.to_decision()?))
    })?
    .ok_or(ApiError::NotFound)
}
