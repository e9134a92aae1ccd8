//! Administration (admin only): organizations, users, districts and the audit log.

use actix_web::{get, patch, post, put, web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::json::{read_body, Json, Query};
use super::{parse_uuid, Page, Paging};
use crate::app::AppState;
use crate::auth::{password, AuthUser};
use crate::db::audit::{self, AuditEvent, Chain, Event};
use crate::db::organizations::{self, OrganizationChanges, OrganizationRow};
use crate::db::users::{self, UserChanges, UserRow};
use crate::db::{self, districts, tokens, DbConn};
use crate::domain::district_csv::{self, District};
use crate::domain::validate::Validator;
use crate::domain::{OrganizationKind, Role};
use crate::error::{ApiError, ApiResult, Problem};

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
            id: parse_uuid("id", &r.id).map_err(ApiError::internal)?,
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
            id: parse_uuid("id", &r.id).map_err(ApiError::internal)?,
            login: r.login,
            role: Role::parse(&r.role).ok_or_else(|| ApiError::internal("bad role"))?,
            organization_id: parse_uuid("organization_id", &r.organization_id)
                .map_err(ApiError::internal)?,
            display_name: r.display_name,
            active: r.active,
            locked: r.locked_until.is_some_and(|t| t > db::now()),
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    pub password: String,
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

/// Whether a role fits an organization kind: crews belong to fire departments,
/// care managers to care organizations, admins to the city.
pub fn role_fits(role: Role, kind: OrganizationKind) -> bool {
    match role {
        Role::Paramedic => kind == OrganizationKind::FireDepartment,
        Role::CareManager => kind.manages_registrants(),
        Role::Admin => kind == OrganizationKind::City,
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

/// Create an organization.
#[utoipa::path(
    post, path = "/api/v1/organizations", tag = "admin",
    request_body = CreateOrganization,
    responses(
        (status = 201, description = "Created", body = Organization),
        (status = 400, description = "Malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/organizations")]
pub async fn create_organization(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Json<CreateOrganization>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Admin)?;
    let input = body.0;
    let mut v = Validator::new();
    let name = v.text("name", &input.name, 100);
    let district_code = input
        .district_code
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(|c| v.code("district_code", c));
    v.finish(())?;
    let now = db::now();
    let row = OrganizationRow {
        id: Uuid::new_v4().to_string(),
        kind: input.kind.as_str().to_owned(),
        name,
        district_code,
        active: true,
        created_at: now,
        updated_at: now,
    };
    let actor = auth.actor();
    let row = state
        .tx(move |conn| {
            if let Some(code) = &row.district_code {
                district_must_exist(conn, "district_code", code)?;
            }
            organizations::insert(conn, &row)?;
            audit::record(
                conn,
                Some(&actor),
                Event {
                    action: "organization.create",
                    target_id: Some(row.id.clone()),
                    ..Default::default()
                },
            )?;
            Ok(row)
        })
        .await?;
    let org = Organization::try_from(row)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/organizations/{}", org.id)))
        .json(org))
}

/// List organizations.
#[utoipa::path(
    get, path = "/api/v1/organizations", tag = "admin",
    params(Paging),
    responses(
        (status = 200, description = "A page", body = Page<Organization>),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations")]
pub async fn list_organizations(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: Query<Paging>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Admin)?;
    let (limit, offset) = Paging::resolve(q.0.limit, q.0.offset)?;
    let (rows, total) = state
        .db(move |conn| Ok(organizations::list(conn, limit, offset)?))
        .await?;
    let items = rows
        .into_iter()
        .map(Organization::try_from)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        limit,
        offset,
    }))
}

/// Rename, move or (de)activate an organization.
#[utoipa::path(
    patch, path = "/api/v1/organizations/{id}", tag = "admin",
    params(("id" = Uuid, Path, description = "Organization id")),
    request_body = UpdateOrganization,
    responses(
        (status = 200, description = "Updated", body = Organization),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would deactivate the last admin's organization", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/organizations/{id}")]
pub async fn update_organization(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<Uuid>,
    body: Json<UpdateOrganization>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Admin)?;
    let id = path.into_inner();
    let input = body.0;
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
    if input.active == Some(false) && id == auth.organization_id {
        return Err(ApiError::Conflict(
            "you cannot deactivate your own organization".into(),
        ));
    }
    let changes = OrganizationChanges {
        name,
        district_code,
        active: input.active,
        updated_at: Some(db::now()),
    };
    let actor = auth.actor();
    let row = state
        .tx(move |conn| {
            let id = id.to_string();
            organizations::get(conn, &id)?;
            if let Some(Some(code)) = &changes.district_code {
                district_must_exist(conn, "district_code", code)?;
            }
            organizations::update(conn, &id, &changes)?;
            audit::record(
                conn,
                Some(&actor),
                Event {
                    action: "organization.update",
                    target_id: Some(id.clone()),
                    ..Default::default()
                },
            )?;
            Ok(organizations::get(conn, &id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Organization::try_from(row)?))
}

/// Create a user with a role in an organization.
#[utoipa::path(
    post, path = "/api/v1/users", tag = "admin",
    request_body = CreateUser,
    responses(
        (status = 201, description = "Created", body = User),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Login taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Json<CreateUser>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Admin)?;
    let input = body.0;
    let actor = auth.actor();
    let row = create_user_row(&state, input, Some(actor)).await?;
    let user = User::try_from(row)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/users/{}", user.id)))
        .json(user))
}

/// Validates and stores a new user (shared by the API and `eir user add`).
pub async fn create_user_row(
    state: &AppState,
    input: CreateUser,
    actor: Option<audit::Actor>,
) -> ApiResult<UserRow> {
    check_login(&input.login)?;
    let mut v = Validator::new();
    let display_name = v.text("display_name", &input.display_name, 100);
    if let Some(why) = password::policy_violation(&input.password) {
        v.error("password", why);
    }
    v.finish(())?;
    let password = input.password;
    let hash = web::block(move || password::hash(&password))
        .await?
        .map_err(ApiError::internal)?;
    state
        .tx(move |conn| {
            insert_user(
                conn,
                input.login,
                hash,
                input.role,
                input.organization_id,
                display_name,
                actor.as_ref(),
            )
        })
        .await
}

/// Inserts a user after checking the organization and role (in a transaction).
pub fn insert_user(
    conn: &mut DbConn,
    login: String,
    password_hash: String,
    role: Role,
    organization_id: Uuid,
    display_name: String,
    actor: Option<&audit::Actor>,
) -> ApiResult<UserRow> {
    let mut chain = Chain::begin(conn)?;
    let org = organizations::find(conn, &organization_id.to_string())?
        .ok_or_else(|| ApiError::invalid("organization_id", "no such organization"))?;
    if !org.active {
        return Err(ApiError::invalid(
            "organization_id",
            "the organization is deactivated",
        ));
    }
    let kind = OrganizationKind::parse(&org.kind).ok_or_else(|| ApiError::internal("bad kind"))?;
    if !role_fits(role, kind) {
        return Err(ApiError::invalid(
            "role",
            format!("a {} cannot belong to a {} organization", role, kind),
        ));
    }
    if users::find_by_login(conn, &login)?.is_some() {
        return Err(ApiError::Conflict(format!("login {login:?} is taken")));
    }
    let now = db::now();
    let row = UserRow {
        id: Uuid::new_v4().to_string(),
        organization_id: org.id,
        role: role.as_str().to_owned(),
        login,
        password_hash,
        display_name,
        active: true,
        failed_logins: 0,
        locked_until: None,
        password_changed_at: now,
        created_at: now,
        updated_at: now,
    };
    users::insert(conn, &row)?;
    chain.append(
        conn,
        actor,
        Event {
            action: "user.create",
            target_id: Some(row.id.clone()),
            detail: Some(format!("role={}", row.role)),
            ..Default::default()
        },
    )?;
    Ok(row)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UserListQuery {
    /// Only users of this organization.
    pub organization_id: Option<Uuid>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// List users.
#[utoipa::path(
    get, path = "/api/v1/users", tag = "admin",
    params(UserListQuery),
    responses(
        (status = 200, description = "A page", body = Page<User>),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: Query<UserListQuery>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Admin)?;
    let (limit, offset) = Paging::resolve(q.0.limit, q.0.offset)?;
    let org = q.0.organization_id.map(|o| o.to_string());
    let (rows, total) = state
        .db(move |conn| Ok(users::list(conn, org.as_deref(), limit, offset)?))
        .await?;
    let items = rows
        .into_iter()
        .map(User::try_from)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        limit,
        offset,
    }))
}

/// Change a user's role or name, or (de)activate them. Deactivation ends their
/// sessions at once.
#[utoipa::path(
    patch, path = "/api/v1/users/{id}", tag = "admin",
    params(("id" = Uuid, Path, description = "User id")),
    request_body = UpdateUser,
    responses(
        (status = 200, description = "Updated", body = User),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would leave no active admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<Uuid>,
    body: Json<UpdateUser>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Admin)?;
    let id = path.into_inner().to_string();
    let input = body.0;
    let mut v = Validator::new();
    let display_name = input
        .display_name
        .as_deref()
        .map(|n| v.text("display_name", n, 100));
    v.finish(())?;
    let actor = auth.actor();
    let row = state
        .tx(move |conn| {
            let mut chain = Chain::begin(conn)?;
            let user = users::get(conn, &id)?;
            let was_admin = user.role == Role::Admin.as_str() && user.active;
            if let Some(role) = input.role {
                let org = organizations::get(conn, &user.organization_id)?;
                let kind = OrganizationKind::parse(&org.kind)
                    .ok_or_else(|| ApiError::internal("bad kind"))?;
                if !role_fits(role, kind) {
                    return Err(ApiError::invalid(
                        "role",
                        format!("a {role} cannot belong to a {kind} organization"),
                    ));
                }
            }
            let stays_admin = input.active != Some(false)
                && input
                    .role
                    .map_or(user.role == Role::Admin.as_str(), |r| r == Role::Admin);
            if was_admin && !stays_admin && users::count_active_admins(conn)? <= 1 {
                return Err(ApiError::Conflict("this is the last active admin".into()));
            }
            let now = db::now();
            users::update(
                conn,
                &id,
                &UserChanges {
                    role: input.role.map(|r| r.as_str().to_owned()),
                    display_name,
                    active: input.active,
                    updated_at: Some(now),
                },
            )?;
            if input.active == Some(false) || input.role.is_some() {
                tokens::revoke_user(conn, &id, now)?;
            }
            chain.append(
                conn,
                Some(&actor),
                Event {
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
                },
            )?;
            Ok(users::get(conn, &id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(User::try_from(row)?))
}

/// Set a new password for a user; their tokens issued before stop working.
#[utoipa::path(
    post, path = "/api/v1/users/{id}/password", tag = "admin",
    params(("id" = Uuid, Path, description = "User id")),
    request_body = ResetPassword,
    responses(
        (status = 204, description = "Password replaced"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Password refused by policy", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/password")]
pub async fn reset_password(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<Uuid>,
    body: Json<ResetPassword>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Admin)?;
    let id = path.into_inner().to_string();
    let new_password = body.0.password;
    if let Some(why) = password::policy_violation(&new_password) {
        return Err(ApiError::invalid("password", why));
    }
    let hash = web::block(move || password::hash(&new_password))
        .await?
        .map_err(ApiError::internal)?;
    let actor = auth.actor();
    state
        .tx(move |conn| {
            let mut chain = Chain::begin(conn)?;
            users::get(conn, &id)?;
            let now = db::now();
            users::set_password(conn, &id, &hash, now)?;
            tokens::revoke_user(conn, &id, now)?;
            chain.append(
                conn,
                Some(&actor),
                Event {
                    action: "user.password_reset",
                    target_id: Some(id.clone()),
                    ..Default::default()
                },
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace all districts from a CSV `code,name,population_total,population_65plus`.
/// A bad row rejects the whole file, naming its line; nothing is imported then.
#[utoipa::path(
    put, path = "/api/v1/districts", tag = "admin",
    request_body(content = String, content_type = "text/csv",
        example = "code,name,population_total,population_65plus\nD01,北見中央,12000,4100\n"),
    responses(
        (status = 200, description = "The districts now loaded", body = Vec<District>),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not text/csv", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad row, with its line number", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/districts")]
pub async fn put_districts(
    state: web::Data<AppState>,
    auth: AuthUser,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Admin)?;
    let is_csv = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start().to_ascii_lowercase().starts_with("text/csv")
                || v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("text/plain")
        });
    if !is_csv {
        return Err(ApiError::UnsupportedMediaType(
            "send the districts as text/csv".into(),
        ));
    }
    let mut inner = payload.into_inner();
    let body = read_body(&req, &mut inner).await?;
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::field("body", "must be UTF-8"))?;
    let list = district_csv::parse(text)
        .map_err(|e| ApiError::invalid(format!("line {}", e.line), e.message))?;
    let actor = auth.actor();
    let stored = state
        .tx(move |conn| {
            let mut chain = Chain::begin(conn)?;
            districts::replace_all(conn, &list)?;
            chain.append(
                conn,
                Some(&actor),
                Event {
                    action: "districts.replace",
                    detail: Some(format!("count={}", list.len())),
                    ..Default::default()
                },
            )?;
            Ok(districts::list(conn)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(stored))
}

/// List districts (any signed-in user; they are public statistics).
#[utoipa::path(
    get, path = "/api/v1/districts", tag = "admin",
    responses(
        (status = 200, description = "All districts", body = Vec<District>),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/districts")]
pub async fn list_districts(
    state: web::Data<AppState>,
    _auth: AuthUser,
) -> ApiResult<HttpResponse> {
    let list = state.db(|conn| Ok(districts::list(conn)?)).await?;
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only events by this user.
    pub user_id: Option<Uuid>,
    /// Only events about this registrant.
    pub registrant_id: Option<Uuid>,
    /// From this date (inclusive, UTC).
    pub from: Option<NaiveDate>,
    /// To this date (inclusive, UTC).
    pub to: Option<NaiveDate>,
    /// Only events older than this sequence number (for the next page).
    pub before_seq: Option<i64>,
    /// At most this many events, 1 to 500 (default 100).
    pub limit: Option<i64>,
}

/// A page of the audit log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEvent>,
    /// Pass as `before_seq` to get the next page; absent on the last page.
    pub next_before_seq: Option<i64>,
}

/// Read the audit log.
#[utoipa::path(
    get, path = "/api/v1/audit", tag = "admin",
    params(AuditQuery),
    responses(
        (status = 200, description = "Events, newest first", body = AuditPage),
        (status = 400, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: Query<AuditQuery>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::Admin)?;
    let q = q.0;
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
    let items = state
        .db(move |conn| Ok(audit::list(conn, &filter)?))
        .await?;
    let next_before_seq = if items.len() as i64 == limit {
        items.last().map(|e| e.seq)
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(AuditPage {
        items,
        next_before_seq,
    }))
}
