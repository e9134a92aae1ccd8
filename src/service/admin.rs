//! Administration (admins): organizations, users and their second factor, the
//! districts, the second-factor policy and the audit log. Start-up and the
//! command line create users through [`create_user`] too.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::tx::{self, Tx};
use super::{page_bounds, Page};
use crate::auth::{password, AuthUser};
use crate::db::audit::{self, Actor, AuditEvent, Event};
use crate::db::organizations::{self, OrganizationChanges, OrganizationRow};
use crate::db::users::{self, UserChanges, UserRow};
use crate::db::{self, districts, security, tokens, DbConn};
use crate::domain::district_csv::District;
use crate::domain::validate::Validator;
use crate::domain::{OrganizationKind, Role};
use crate::error::ApiError;

/// An organization taking part.
#[derive(Debug, Serialize, ToSchema)]
pub struct Organization {
    pub id: Uuid,
    pub kind: OrganizationKind,
    pub name: String,
    pub district_code: Option<String>,
    pub active: bool,
    #[serde(serialize_with = "crate::domain::utc::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::utc::serialize")]
    pub updated_at: NaiveDateTime,
}

impl TryFrom<OrganizationRow> for Organization {
    type Error = ApiError;
    fn try_from(r: OrganizationRow) -> Result<Self, ApiError> {
        Ok(Organization {
            id: Uuid::parse_str(&r.id).map_err(ApiError::internal)?,
            kind: OrganizationKind::parse(&r.kind).ok_or_else(|| ApiError::internal("bad kind"))?,
            name: r.name,
            district_code: r.district_code,
            active: r.active,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganization {
    #[schema(example = "北見ケアプランセンター")]
    pub name: String,
    pub kind: OrganizationKind,
    pub district_code: Option<String>,
}

/// Changes to an organization; absent fields stay as they are. An empty
/// `district_code` clears it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganization {
    pub name: Option<String>,
    pub district_code: Option<String>,
    pub active: Option<bool>,
}

/// A user account (never the password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    pub login: String,
    pub role: Role,
    pub organization_id: Uuid,
    pub display_name: String,
    pub active: bool,
    /// Whether the account is locked after failed logins.
    pub locked: bool,
    #[serde(serialize_with = "crate::domain::utc::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::utc::serialize")]
    pub updated_at: NaiveDateTime,
}

impl TryFrom<UserRow> for User {
    type Error = ApiError;
    fn try_from(r: UserRow) -> Result<Self, ApiError> {
        Ok(User {
            id: Uuid::parse_str(&r.id).map_err(ApiError::internal)?,
            login: r.login,
            role: Role::parse(&r.role).ok_or_else(|| ApiError::internal("bad role"))?,
            organization_id: Uuid::parse_str(&r.organization_id).map_err(ApiError::internal)?,
            display_name: r.display_name,
            active: r.active,
            locked: r.locked_until.is_some_and(|t| t > db::now()),
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    #[schema(example = "cm.tanaka")]
    pub login: String,
    pub password: String,
    pub role: Role,
    pub organization_id: Uuid,
    pub display_name: String,
}

/// Changes to a user; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub role: Option<Role>,
    pub display_name: Option<String>,
    pub active: Option<bool>,
}

/// Roles whose users must log in with a second factor.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaSettings {
    pub required_roles: Vec<Role>,
}

/// Filters of the audit log.
#[derive(Debug, Default)]
pub struct AuditQuery {
    pub user_id: Option<Uuid>,
    pub registrant_id: Option<Uuid>,
    /// From this date (inclusive, UTC).
    pub from: Option<NaiveDate>,
    /// To this date (inclusive, UTC).
    pub to: Option<NaiveDate>,
    pub before_seq: Option<i64>,
    /// 1 to 500 (default 100).
    pub limit: Option<i64>,
}

/// A page of the audit log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEvent>,
    /// Pass as `before_seq` to get the next page; absent on the last page.
    pub next_before_seq: Option<i64>,
}

fn check_login(login: &str) -> Result<(), ApiError> {
    let ok = (3..=64).contains(&login.len())
        && login
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._@-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "login",
            "must be 3 to 64 of a-z, 0-9, '.', '_', '@', '-'",
        ))
    }
}

fn district_must_exist(conn: &mut DbConn, field: &str, code: &str) -> Result<(), ApiError> {
    if districts::exists(conn, code)? {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            format!("unknown district {code:?}: load districts first"),
        ))
    }
}

fn role_must_fit(role: Role, kind: OrganizationKind) -> Result<(), ApiError> {
    if role.fits(kind) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "role",
            format!("a {role} cannot belong to a {kind} organization"),
        ))
    }
}

/// Creates an organization.
pub fn create_organization(
    conn: &mut DbConn,
    caller: &AuthUser,
    input: CreateOrganization,
) -> Result<Organization, ApiError> {
    caller.require(Role::Admin)?;
    let mut v = Validator::new();
    let name = v.text("name", &input.name, 100);
    let district_code = input
        .district_code
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(|c| v.code("district_code", c));
    v.finish(())?;
    let row = tx::write(conn, Some(caller.actor()), |tx| {
        let now = db::now();
        let row = OrganizationRow {
            id: Uuid::new_v4().to_string(),
            kind: input.kind.as_str().to_owned(),
            name: name.clone(),
            district_code: district_code.clone(),
            active: true,
            created_at: now,
            updated_at: now,
        };
        insert_organization(tx, &row)?;
        Ok(row)
    })?;
    Organization::try_from(row)
}

/// Stores a new organization (its district must exist) and audits it.
fn insert_organization(tx: &mut Tx<'_>, row: &OrganizationRow) -> Result<(), ApiError> {
    if let Some(code) = &row.district_code {
        district_must_exist(tx, "district_code", code)?;
    }
    organizations::insert(tx, row)?;
    tx.audit(Event {
        action: "organization.create",
        target_id: Some(row.id.clone()),
        ..Default::default()
    })?;
    Ok(())
}

/// One page of organizations.
pub fn list_organizations(
    conn: &mut DbConn,
    caller: &AuthUser,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<Page<Organization>, ApiError> {
    caller.require(Role::Admin)?;
    let (limit, offset) = page_bounds(limit, offset)?;
    let (rows, total) = organizations::list(conn, limit, offset)?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(Organization::try_from)
            .collect::<Result<_, _>>()?,
        total,
        limit,
        offset,
    })
}

/// Renames, moves or (de)activates an organization.
pub fn update_organization(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    input: UpdateOrganization,
) -> Result<Organization, ApiError> {
    caller.require(Role::Admin)?;
    let mut v = Validator::new();
    let name = input.name.as_deref().map(|n| v.text("name", n, 100));
    let district_code = input.district_code.as_deref().map(|c| {
        if c.trim().is_empty() {
            None
        } else {
            Some(v.code("district_code", c))
        }
    });
    v.finish(())?;
    if input.active == Some(false) && id == caller.organization_id {
        return Err(ApiError::Conflict(
            "you cannot deactivate your own organization".into(),
        ));
    }
    let id = id.to_string();
    let row = tx::write(conn, Some(caller.actor()), |tx| {
        organizations::get(tx, &id)?;
        if let Some(Some(code)) = &district_code {
            district_must_exist(tx, "district_code", code)?;
        }
        let changes = OrganizationChanges {
            name: name.clone(),
            district_code: district_code.clone(),
            active: input.active,
            updated_at: Some(db::now()),
        };
        organizations::update(tx, &id, &changes)?;
        tx.audit(Event {
            action: "organization.update",
            target_id: Some(id.clone()),
            ..Default::default()
        })?;
        Ok(organizations::get(tx, &id)?)
    })?;
    Organization::try_from(row)
}

/// Creates a user with a role that fits their organization's kind. `actor` is
/// the admin, or `None` for the command line.
pub fn create_user(
    conn: &mut DbConn,
    actor: Option<Actor>,
    input: CreateUser,
) -> Result<User, ApiError> {
    check_login(&input.login)?;
    let mut v = Validator::new();
    let display_name = v.text("display_name", &input.display_name, 100);
    if let Some(why) = password::policy_violation(&input.password) {
        v.error("password", why);
    }
    v.finish(())?;
    let hash = password::hash(&input.password).map_err(ApiError::internal)?;
    let row = tx::write(conn, actor, |tx| {
        insert_user(
            tx,
            &input.login,
            &hash,
            input.role,
            input.organization_id,
            &display_name,
        )
    })?;
    User::try_from(row)
}

/// [`create_user`] for an admin.
pub fn create_user_as_admin(
    conn: &mut DbConn,
    caller: &AuthUser,
    input: CreateUser,
) -> Result<User, ApiError> {
    caller.require(Role::Admin)?;
    create_user(conn, Some(caller.actor()), input)
}

/// Stores a user after checking the organization and the role, and audits it.
fn insert_user(
    tx: &mut Tx<'_>,
    login: &str,
    password_hash: &str,
    role: Role,
    organization_id: Uuid,
    display_name: &str,
) -> Result<UserRow, ApiError> {
    let org = organizations::find(tx, &organization_id.to_string())?
        .ok_or_else(|| ApiError::invalid("organization_id", "no such organization"))?;
    if !org.active {
        return Err(ApiError::invalid(
            "organization_id",
            "the organization is deactivated",
        ));
    }
    let kind = OrganizationKind::parse(&org.kind).ok_or_else(|| ApiError::internal("bad kind"))?;
    role_must_fit(role, kind)?;
    if users::find_by_login(tx, login)?.is_some() {
        return Err(ApiError::Conflict(format!("login {login:?} is taken")));
    }
    let now = db::now();
    let row = UserRow {
        id: Uuid::new_v4().to_string(),
        organization_id: org.id,
        role: role.as_str().to_owned(),
        login: login.to_owned(),
        password_hash: password_hash.to_owned(),
        display_name: display_name.to_owned(),
        active: true,
        failed_logins: 0,
        locked_until: None,
        password_changed_at: now,
        created_at: now,
        updated_at: now,
    };
    users::insert(tx, &row)?;
    tx.audit(Event {
        action: "user.create",
        target_id: Some(row.id.clone()),
        detail: Some(format!("role={}", row.role)),
        ..Default::default()
    })?;
    Ok(row)
}

/// One page of users, of one organization or all.
pub fn list_users(
    conn: &mut DbConn,
    caller: &AuthUser,
    organization_id: Option<Uuid>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<Page<User>, ApiError> {
    caller.require(Role::Admin)?;
    let (limit, offset) = page_bounds(limit, offset)?;
    let org = organization_id.map(|o| o.to_string());
    let (rows, total) = users::list(conn, org.as_deref(), limit, offset)?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(User::try_from)
            .collect::<Result<_, _>>()?,
        total,
        limit,
        offset,
    })
}

/// Changes a user's role or name, or (de)activates them; a deactivation or a
/// new role ends their sessions at once. The last active admin stays one.
pub fn update_user(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    input: UpdateUser,
) -> Result<User, ApiError> {
    caller.require(Role::Admin)?;
    let mut v = Validator::new();
    let display_name = input
        .display_name
        .as_deref()
        .map(|n| v.text("display_name", n, 100));
    v.finish(())?;
    let id = id.to_string();
    let row = tx::write(conn, Some(caller.actor()), |tx| {
        let user = users::get(tx, &id)?;
        let was_admin = user.role == Role::Admin.as_str() && user.active;
        if let Some(role) = input.role {
            let org = organizations::get(tx, &user.organization_id)?;
            let kind =
                OrganizationKind::parse(&org.kind).ok_or_else(|| ApiError::internal("bad kind"))?;
            role_must_fit(role, kind)?;
        }
        let stays_admin = input.active != Some(false)
            && input
                .role
                .map_or(user.role == Role::Admin.as_str(), |r| r == Role::Admin);
        if was_admin && !stays_admin && users::count_active_admins(tx)? <= 1 {
            return Err(ApiError::Conflict("this is the last active admin".into()));
        }
        let now = db::now();
        users::update(
            tx,
            &id,
            &UserChanges {
                role: input.role.map(|r| r.as_str().to_owned()),
                display_name: display_name.clone(),
                active: input.active,
                updated_at: Some(now),
            },
        )?;
        if input.active == Some(false) || input.role.is_some() {
            tokens::revoke_user(tx, &id, now)?;
        }
        tx.audit(Event {
            action: "user.update",
            target_id: Some(id.clone()),
            detail: Some(format!(
                "role={} active={}",
                input.role.map_or("unchanged", Role::as_str),
                input
                    .active
                    .map_or("unchanged".to_owned(), |a| a.to_string())
            )),
            ..Default::default()
        })?;
        Ok(users::get(tx, &id)?)
    })?;
    User::try_from(row)
}

/// Sets a new password for a user; their tokens issued before stop working.
pub fn reset_password(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    new_password: &str,
) -> Result<(), ApiError> {
    caller.require(Role::Admin)?;
    if let Some(why) = password::policy_violation(new_password) {
        return Err(ApiError::invalid("password", why));
    }
    let hash = password::hash(new_password).map_err(ApiError::internal)?;
    let id = id.to_string();
    tx::write(conn, Some(caller.actor()), |tx| {
        users::get(tx, &id)?;
        let now = db::now();
        users::set_password(tx, &id, &hash, now)?;
        tokens::revoke_user(tx, &id, now)?;
        tx.audit(Event {
            action: "user.password_reset",
            target_id: Some(id.clone()),
            ..Default::default()
        })?;
        Ok(())
    })
}

/// Removes a user's second factor and recovery codes (a lost device).
pub fn reset_totp(conn: &mut DbConn, caller: &AuthUser, id: Uuid) -> Result<(), ApiError> {
    caller.require(Role::Admin)?;
    let id = id.to_string();
    tx::write(conn, Some(caller.actor()), |tx| {
        users::get(tx, &id)?;
        security::totp_remove(tx, &id)?;
        tx.audit(Event {
            action: "user.totp_reset",
            target_id: Some(id.clone()),
            ..Default::default()
        })?;
        Ok(())
    })
}

/// The roles that must use a second factor.
pub fn mfa_settings(conn: &mut DbConn, caller: &AuthUser) -> Result<MfaSettings, ApiError> {
    caller.require(Role::Admin)?;
    let roles = security::mfa_required_roles(conn)?;
    let required_roles = roles
        .iter()
        .map(|r| Role::parse(r).ok_or_else(|| ApiError::internal(format!("stored role {r:?}"))))
        .collect::<Result<_, _>>()?;
    Ok(MfaSettings { required_roles })
}

/// Sets the roles that must use a second factor.
pub fn set_mfa_settings(
    conn: &mut DbConn,
    caller: &AuthUser,
    settings: MfaSettings,
) -> Result<MfaSettings, ApiError> {
    caller.require(Role::Admin)?;
    let mut required = settings.required_roles;
    required.sort_by_key(|r| r.as_str());
    required.dedup();
    let detail = required
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",");
    tx::write(conn, Some(caller.actor()), |tx| {
        let now = db::now();
        for role in Role::ALL {
            security::mfa_set(tx, role.as_str(), required.contains(role), now)?;
        }
        tx.audit(Event {
            action: "settings.mfa",
            detail: Some(format!("required_roles={detail}")),
            ..Default::default()
        })?;
        Ok(())
    })?;
    Ok(MfaSettings {
        required_roles: required,
    })
}

/// Replaces every district (a parsed CSV); answers the districts now loaded.
pub fn replace_districts(
    conn: &mut DbConn,
    caller: &AuthUser,
    list: Vec<District>,
) -> Result<Vec<District>, ApiError> {
    caller.require(Role::Admin)?;
    tx::write(conn, Some(caller.actor()), |tx| {
        districts::replace_all(tx, &list)?;
        tx.audit(Event {
            action: "districts.replace",
            detail: Some(format!("count={}", list.len())),
            ..Default::default()
        })?;
        Ok(districts::list(tx)?)
    })
}

/// Every district (any signed-in user: they are public statistics).
pub fn list_districts(conn: &mut DbConn, _caller: &AuthUser) -> Result<Vec<District>, ApiError> {
    Ok(districts::list(conn)?)
}

/// A page of the audit log, newest first.
pub fn audit_log(
    conn: &mut DbConn,
    caller: &AuthUser,
    q: AuditQuery,
) -> Result<AuditPage, ApiError> {
    caller.require(Role::Admin)?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::field("limit", "must be between 1 and 500"));
    }
    let filter = audit::Filter {
        registrant_id: q.registrant_id,
        actor_user_id: q.user_id,
        from: q.from.and_then(|d| d.and_hms_opt(0, 0, 0)),
        to: q
            .to
            .and_then(|d| d.succ_opt())
            .and_then(|d| d.and_hms_opt(0, 0, 0)),
        before_seq: q.before_seq,
        limit,
    };
    let items = audit::list(conn, &filter)?;
    let next_before_seq = if items.len() as i64 == limit {
        items.last().map(|e| e.seq)
    } else {
        None
    };
    Ok(AuditPage {
        items,
        next_before_seq,
    })
}

/// Creates the first admin and the city organization it belongs to (audited as
/// the system's own act) unless an active admin exists; answers whether it did.
/// Instances starting together create one admin: the check runs under the
/// chain head's lock.
pub fn create_first_admin(
    conn: &mut DbConn,
    login: &str,
    password_hash: &str,
) -> Result<bool, ApiError> {
    tx::write(conn, None, |tx| {
        if users::count_active_admins(tx)? > 0 {
            return Ok(false);
        }
        let now = db::now();
        let org = OrganizationRow {
            id: Uuid::new_v4().to_string(),
            kind: OrganizationKind::City.as_str().to_owned(),
            name: "eir administration".into(),
            district_code: None,
            active: true,
            created_at: now,
            updated_at: now,
        };
        organizations::insert(tx, &org)?;
        let org_id = Uuid::parse_str(&org.id).map_err(ApiError::internal)?;
        insert_user(
            tx,
            login,
            password_hash,
            Role::Admin,
            org_id,
            "Administrator",
        )?;
        Ok(true)
    })
}
