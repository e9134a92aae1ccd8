//! Registrants (care managers): register, list, read, replace, withdraw, hand
//! over, and the access log. A registrant of another organization is answered
//! like one that does not exist, and the refused attempt is itself audited.

use chrono::{NaiveDate, NaiveDateTime};
use rand::RngCore;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::tx::{self, Tx};
use super::Page;
use crate::auth::AuthUser;
use crate::db::audit::{self, Event};
use crate::db::registrants::{self, ListFilter, RegistrantRow};
use crate::db::{self, districts, organizations, DbConn};
use crate::domain::registrant::{Registrant, RegistrantInput, RegistrantSummary};
use crate::domain::{OrganizationKind, RegistrantStatus, Role};
use crate::error::ApiError;
use crate::matching;

/// The audit action of a refused access to another organization's registrant.
const DENIED: &str = "registrant.access_denied";

/// Filters of the registrant list (all optional) and the page.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Part of the name in kanji (spaces ignored).
    pub name: Option<String>,
    /// Part of the reading in kana (hiragana or katakana).
    pub kana: Option<String>,
    pub status: Option<RegistrantStatus>,
    pub district_code: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

/// The outcome of a handover.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandoverResult {
    pub id: Uuid,
    pub managing_organization_id: Uuid,
    pub version: i32,
}

/// One entry of a registrant's access log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLogEntry {
    #[serde(serialize_with = "crate::domain::utc::serialize")]
    pub at: NaiveDateTime,
    /// What was done: `registrant.read`, `registrant.update`, `care_decision.create`, …
    pub action: String,
    pub user_id: Option<String>,
    pub role: Option<String>,
    pub organization_id: Option<String>,
    /// For crews: the incident the record was opened for.
    pub incident_id: Option<String>,
    pub lookup_id: Option<String>,
}

/// Loads a registrant the caller's organization manages. `None` both when there
/// is none and when another organization manages it; the latter is audited as
/// `denied_action` (the caller commits the transaction so that it stays).
pub(crate) fn load_own(
    tx: &mut Tx<'_>,
    caller: &AuthUser,
    id: Uuid,
    denied_action: &'static str,
) -> Result<Option<RegistrantRow>, ApiError> {
    match registrants::find(tx, id)? {
        Some(row) if row.managing_organization_id == caller.organization_id.to_string() => {
            Ok(Some(row))
        }
        Some(_) => {
            tx.audit(Event {
                action: denied_action,
                registrant_id: Some(id),
                ..Default::default()
            })?;
            Ok(None)
        }
        None => Ok(None),
    }
}

fn check_district(conn: &mut DbConn, input: &RegistrantInput) -> Result<(), ApiError> {
    if let Some(code) = &input.address.district_code {
        if !districts::exists(conn, code)? {
            return Err(ApiError::invalid(
                "address.district_code",
                format!("unknown district {code:?}"),
            ));
        }
    }
    Ok(())
}

/// A new card code not yet in use.
fn new_card_code(conn: &mut DbConn) -> Result<String, ApiError> {
    for _ in 0..8 {
        let mut bytes = [0u8; 8];
        rand::rng().fill_bytes(&mut bytes);
        let code = matching::card::format_card_code(&matching::card::generate_card_code(bytes));
        if !registrants::card_code_taken(conn, &code)? {
            return Ok(code);
        }
    }
    Err(ApiError::internal("could not find a free card code"))
}

fn not_active() -> ApiError {
    ApiError::Conflict("the registration is no longer active".into())
}

/// Registers a person in the caller's organization.
pub fn register(
    conn: &mut DbConn,
    caller: &AuthUser,
    input: RegistrantInput,
    today: NaiveDate,
) -> Result<Registrant, ApiError> {
    caller.require(Role::CareManager)?;
    let input = input.validate(today)?;
    tx::write(conn, Some(caller.actor()), |tx| {
        check_district(tx, &input)?;
        let id = Uuid::new_v4();
        let card_code = new_card_code(tx)?;
        let row = RegistrantRow::new(
            id,
            card_code,
            caller.organization_id,
            caller.id,
            &input,
            db::now(),
        )?;
        registrants::insert(tx, &row)?;
        registrants::index_keys(tx, &row)?;
        tx.audit(Event {
            action: "registrant.create",
            registrant_id: Some(id),
            ..Default::default()
        })?;
        Ok(row.to_registrant()?)
    })
}

/// One page of the registrants the caller's organization manages (audited).
pub fn list(
    conn: &mut DbConn,
    caller: &AuthUser,
    q: ListQuery,
) -> Result<Page<RegistrantSummary>, ApiError> {
    caller.require(Role::CareManager)?;
    let (limit, offset) = super::page_bounds(q.limit, q.offset)?;
    for (field, value) in [
        ("name", &q.name),
        ("kana", &q.kana),
        ("district_code", &q.district_code),
    ] {
        if value.as_ref().is_some_and(|v| v.chars().count() > 50) {
            return Err(ApiError::field(field, "must be at most 50 characters"));
        }
    }
    let filter = ListFilter {
        organization_id: caller.organization_id.to_string(),
        name: q.name.filter(|s| !s.trim().is_empty()),
        kana: q.kana.filter(|s| !s.trim().is_empty()),
        status: q.status,
        district_code: q.district_code.filter(|s| !s.trim().is_empty()),
        limit,
        offset,
    };
    let (rows, total) = tx::write(conn, Some(caller.actor()), |tx| {
        let (rows, total) = registrants::list(tx, &filter)?;
        tx.audit(Event {
            action: "registrant.list",
            detail: Some(format!("returned={}", rows.len())),
            ..Default::default()
        })?;
        Ok((rows, total))
    })?;
    let items = rows
        .iter()
        .map(RegistrantRow::to_summary)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page {
        items,
        total,
        limit,
        offset,
    })
}

/// One registrant's record (audited).
pub fn read(conn: &mut DbConn, caller: &AuthUser, id: Uuid) -> Result<Registrant, ApiError> {
    caller.require(Role::CareManager)?;
    tx::write(conn, Some(caller.actor()), |tx| {
        let Some(row) = load_own(tx, caller, id, DENIED)? else {
            return Ok(None);
        };
        tx.audit(Event {
            action: "registrant.read",
            registrant_id: Some(id),
            ..Default::default()
        })?;
        Ok(Some(row.to_registrant()?))
    })?
    .ok_or(ApiError::NotFound)
}

/// What a change of a registrant must find before it applies.
struct Expect {
    /// The version the caller read (`None`: any).
    version: Option<i32>,
    /// Whether the registration must still be active.
    active: bool,
}

/// The one way a registrant changes: load the caller's own registrant, check
/// `expect`, let `change` modify the row (it answers the audit event), store it
/// as the next version unless someone else stored one meanwhile, rewrite the
/// search keys, audit.
fn change_own(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    expect: Expect,
    mut change: impl FnMut(&mut Tx<'_>, &mut RegistrantRow) -> Result<Event, ApiError>,
) -> Result<RegistrantRow, ApiError> {
    tx::write(conn, Some(caller.actor()), |tx| {
        let Some(mut row) = load_own(tx, caller, id, DENIED)? else {
            return Ok(None);
        };
        if expect.version.is_some_and(|v| v != row.version) {
            return Err(ApiError::PreconditionFailed);
        }
        if expect.active && row.status()? != RegistrantStatus::Active {
            return Err(not_active());
        }
        let previous = row.version;
        let event = change(tx, &mut row)?;
        row.version += 1;
        row.updated_at = db::now();
        row.updated_by = caller.id.to_string();
        if !registrants::update_if_version(tx, &row, previous)? {
            return Err(ApiError::PreconditionFailed);
        }
        registrants::index_keys(tx, &row)?;
        tx.audit(Event {
            registrant_id: Some(id),
            ..event
        })?;
        Ok(Some(row))
    })?
    .ok_or(ApiError::NotFound)
}

/// Replaces the record of version `expected`; a stale version changes nothing.
pub fn replace(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    expected: i32,
    input: RegistrantInput,
    today: NaiveDate,
) -> Result<Registrant, ApiError> {
    caller.require(Role::CareManager)?;
    let input = input.validate(today)?;
    let expect = Expect {
        version: Some(expected),
        active: true,
    };
    let row = change_own(conn, caller, id, expect, |tx, row| {
        check_district(tx, &input)?;
        row.apply(&input)?;
        Ok(Event {
            action: "registrant.update",
            detail: Some(format!("version={}", row.version + 1)),
            ..Default::default()
        })
    })?;
    Ok(row.to_registrant()?)
}

/// Ends a registration as `withdrawn` or `deceased`; the record is kept.
pub fn withdraw(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    expected: Option<i32>,
    status: RegistrantStatus,
) -> Result<(), ApiError> {
    caller.require(Role::CareManager)?;
    if status == RegistrantStatus::Active {
        return Err(ApiError::field(
            "reason",
            "must be `withdrawn` or `deceased`",
        ));
    }
    let expect = Expect {
        version: expected,
        active: false,
    };
    change_own(conn, caller, id, expect, |_, row| {
        row.status = status.as_str().to_owned();
        row.status_changed_at = Some(db::now());
        Ok(Event {
            action: "registrant.withdraw",
            detail: Some(format!("status={}", status.as_str())),
            ..Default::default()
        })
    })
    .map(drop)
}

/// Hands a registrant over to another organization that manages registrants.
pub fn hand_over(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    target: Uuid,
) -> Result<HandoverResult, ApiError> {
    caller.require(Role::CareManager)?;
    let expect = Expect {
        version: None,
        active: true,
    };
    let row = change_own(conn, caller, id, expect, |tx, row| {
        if target == caller.organization_id {
            return Err(ApiError::invalid(
                "organization_id",
                "your organization already manages this registrant",
            ));
        }
        let org = organizations::find(tx, &target.to_string())?
            .ok_or_else(|| ApiError::invalid("organization_id", "no such organization"))?;
        let kind =
            OrganizationKind::parse(&org.kind).ok_or_else(|| ApiError::internal("bad kind"))?;
        if !org.active || !kind.manages_registrants() {
            return Err(ApiError::invalid(
                "organization_id",
                "must be an active care office, clinic, hospital or facility",
            ));
        }
        row.managing_organization_id.clone_from(&org.id);
        Ok(Event {
            action: "registrant.handover",
            target_id: Some(org.id),
            ..Default::default()
        })
    })?;
    Ok(HandoverResult {
        id,
        managing_organization_id: target,
        version: row.version,
    })
}

/// Who opened or changed this person's record, newest first.
pub fn access_log(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    limit: Option<i64>,
) -> Result<Vec<AccessLogEntry>, ApiError> {
    caller.require(Role::CareManager)?;
    let (limit, _) = super::page_bounds(limit.or(Some(200)), None)?;
    match registrants::find(conn, id)? {
        Some(row) if row.managing_organization_id == caller.organization_id.to_string() => {}
        _ => return Err(ApiError::NotFound),
    }
    let events = audit::list(
        conn,
        &audit::Filter {
            registrant_id: Some(id),
            limit,
            ..Default::default()
        },
    )?;
    Ok(events
        .into_iter()
        .map(|e| AccessLogEntry {
            at: e.at,
            action: e.action,
            user_id: e.actor_user_id,
            role: e.actor_role,
            organization_id: e.actor_organization_id,
            incident_id: e.incident_id,
            lookup_id: e.lookup_id,
        })
        .collect())
}
