//! The deployment's time zone: one for all instances, stored in the database.
//! It is what "today" means (ages, "not in the future") and the days the
//! statistics and the hit-rate roll-up count in. The first start stores
//! `EIR_TIMEZONE`; afterwards `eir timezone` changes it.

use super::tx;
use crate::db::audit::Event;
use crate::db::{self, deployment, hit_rollup, DbConn};
use crate::error::ApiError;
use crate::stats::period::Zone;

/// The stored zone.
pub fn time_zone(conn: &mut DbConn) -> Result<Zone, ApiError> {
    let name = deployment::timezone(conn)?
        .ok_or_else(|| ApiError::internal("the deployment's time zone is not stored yet"))?;
    Zone::parse(&name).map_err(|e| ApiError::internal(format!("stored time zone: {e}")))
}

/// At start: the stored zone, or `configured` stored as the zone when there is
/// none yet (the first start). A different `configured` zone is not applied,
/// so instances configured differently still count the same days.
pub fn adopt_time_zone(conn: &mut DbConn, configured: &str) -> Result<Zone, ApiError> {
    let configured = Zone::parse(configured).map_err(|e| ApiError::invalid("timezone", e))?;
    let zone = tx::write(conn, None, |tx| {
        if let Some(name) = deployment::timezone(tx)? {
            return Zone::parse(&name)
                .map_err(|e| ApiError::internal(format!("stored time zone: {e}")));
        }
        deployment::set_timezone(tx, &configured.name, db::now())?;
        tx.audit(Event {
            action: "settings.timezone",
            detail: Some(format!("timezone={}", configured.name)),
            ..Default::default()
        })?;
        Ok(configured.clone())
    })?;
    if zone.name != configured.name {
        tracing::warn!(
            stored = %zone.name,
            configured = %configured.name,
            "EIR_TIMEZONE differs from the deployment's stored time zone, which is used (change it with `eir timezone`)"
        );
    }
    Ok(zone)
}

/// Changes the deployment's zone and rebuilds the hit-rate roll-up on its days.
/// Running instances keep the zone they started with: restart them.
pub fn set_time_zone(conn: &mut DbConn, name: &str) -> Result<Zone, ApiError> {
    let zone = Zone::parse(name).map_err(|e| ApiError::invalid("timezone", e))?;
    tx::write(conn, None, |tx| {
        deployment::set_timezone(tx, &zone.name, db::now())?;
        tx.audit(Event {
            action: "settings.timezone",
            detail: Some(format!("timezone={}", zone.name)),
            ..Default::default()
        })?;
        Ok(())
    })?;
    hit_rollup::ensure(conn, zone.offset)?;
    Ok(zone)
}
