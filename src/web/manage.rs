//! The administrators' management pages: organizations, users (with which roles
//! must use a second factor, and password resets), the district CSV, and the
//! audit log with filters. Each calls the function the REST handler calls.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::{labels, opt, redirect, render, Errors, Layout, Signed, WebResult};
use crate::app::AppState;
use crate::domain::district_csv::District;
use crate::domain::validate::FieldError;
use crate::domain::{OrganizationKind, Role};
use crate::error::ApiError;
use crate::service::admin::{
    self, AuditPage, AuditQuery, CreateOrganization, CreateUser, MfaSettings, Organization, User,
};
use crate::service::Page;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/organizations", web::get().to(organizations))
        .route("/admin/organizations", web::post().to(create_organization))
        .route("/admin/users", web::get().to(users))
        .route("/admin/users", web::post().to(create_user))
        .route("/admin/users/{id}/password", web::post().to(reset_password))
        .route("/admin/mfa", web::post().to(set_mfa))
        .route("/admin/districts", web::get().to(districts))
        .route("/admin/districts", web::post().to(upload_districts))
        .route("/admin/audit", web::get().to(audit));
}

fn messages(list: Vec<FieldError>, errors: &mut Errors) {
    for e in list {
        let field = e
            .field
            .split(['.', '['])
            .next()
            .unwrap_or(&e.field)
            .to_owned();
        errors.add(field, format!("入力を確認してください（{}）。", e.message));
    }
}

struct KindChoice {
    value: &'static str,
    label: &'static str,
}

fn kinds() -> Vec<KindChoice> {
    OrganizationKind::ALL
        .iter()
        .map(|k| KindChoice {
            value: k.as_str(),
            label: labels::organization_kind(*k),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin/organizations.html")]
struct OrganizationsPage {
    l: Layout,
    items: Vec<(Organization, &'static str)>,
    total: i64,
    kinds: Vec<KindChoice>,
    form: HashMap<String, String>,
    errors: Errors,
    notice: Option<&'static str>,
}

impl OrganizationsPage {
    fn val(&self, k: &str) -> String {
        self.form.get(k).cloned().unwrap_or_default()
    }
}

async fn organizations_page(
    state: &AppState,
    signed: &Signed,
    form: HashMap<String, String>,
    errors: Errors,
    notice: Option<&'static str>,
) -> Result<OrganizationsPage, super::WebError> {
    let page = organizations_list(state, signed).await?;
    Ok(OrganizationsPage {
        l: Layout::new("組織", signed, "/admin/organizations"),
        items: page
            .items
            .into_iter()
            .map(|o| {
                let k = labels::organization_kind(o.kind);
                (o, k)
            })
            .collect(),
        total: page.total,
        kinds: kinds(),
        form,
        errors,
        notice,
    })
}

#[derive(Deserialize)]
pub struct Notice {
    done: Option<String>,
}

async fn organizations(
    state: web::Data<AppState>,
    signed: Signed,
    q: web::Query<Notice>,
) -> WebResult {
    let notice = q.done.as_ref().map(|_| "組織を追加しました。");
    Ok(super::ok(
        &organizations_page(&state, &signed, HashMap::new(), Errors::default(), notice).await?,
    ))
}

async fn create_organization(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed: Signed,
    form: web::Form<HashMap<String, String>>,
) -> WebResult {
    let form = form.into_inner();
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    signed.check_csrf(&req, &get("csrf"))?;
    let mut errors = Errors::default();
    match OrganizationKind::parse(&get("kind")) {
        None => errors.add("kind", "種類を選んでください。"),
        Some(kind) => {
            let input = CreateOrganization {
                name: get("name"),
                kind,
                district_code: opt(&get("district_code")),
            };
            let user = signed.user.clone();
            let created = state
                .db(move |conn| admin::create_organization(conn, &user, input))
                .await;
            match created {
                Ok(_) => return Ok(redirect("/admin/organizations?done=1")),
                Err(ApiError::Unprocessable(list))
                | Err(ApiError::BadRequest { errors: list, .. }) => messages(list, &mut errors),
                Err(other) => return Err(other.into()),
            }
        }
    }
    let page = organizations_page(&state, &signed, form, errors, None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

struct UserRow {
    u: User,
    role: &'static str,
    organization: String,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    l: Layout,
    items: Vec<UserRow>,
    total: i64,
    organizations: Vec<Organization>,
    roles: Vec<(&'static str, &'static str, bool)>,
    form: HashMap<String, String>,
    errors: Errors,
    notice: Option<&'static str>,
}

impl UsersPage {
    fn val(&self, k: &str) -> String {
        self.form.get(k).cloned().unwrap_or_default()
    }
}

async fn users_page(
    state: &AppState,
    signed: &Signed,
    form: HashMap<String, String>,
    errors: Errors,
    notice: Option<&'static str>,
) -> Result<UsersPage, super::WebError> {
    let user = signed.user.clone();
    let (users, required) = state
        .db(move |conn| {
            Ok((
                admin::list_users(conn, &user, None, Some(200), Some(0))?,
                admin::mfa_settings(conn, &user)?.required_roles,
            ))
        })
        .await?;
    let orgs = organizations_list(state, signed).await?;
    let names: HashMap<Uuid, String> = orgs.items.iter().map(|o| (o.id, o.name.clone())).collect();
    Ok(UsersPage {
        l: Layout::new("利用者", signed, "/admin/users"),
        items: users
            .items
            .into_iter()
            .map(|u| UserRow {
                role: labels::role(u.role),
                organization: names.get(&u.organization_id).cloned().unwrap_or_default(),
                u,
            })
            .collect(),
        total: users.total,
        organizations: orgs.items,
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), labels::role(*r), required.contains(r)))
            .collect(),
        form,
        errors,
        notice,
    })
}

#[derive(Deserialize)]
pub struct UsersNotice {
    done: Option<String>,
}

async fn users(
    state: web::Data<AppState>,
    signed: Signed,
    q: web::Query<UsersNotice>,
) -> WebResult {
    let notice = match q.done.as_deref() {
        Some("user") => Some("利用者を追加しました。"),
        Some("mfa") => Some("二段階認証の設定を保存しました。"),
        Some("password") => {
            Some("パスワードを再設定しました。この利用者のサインイン中の画面はすべて終了しました。")
        }
        _ => None,
    };
    Ok(super::ok(
        &users_page(&state, &signed, HashMap::new(), Errors::default(), notice).await?,
    ))
}

async fn create_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed: Signed,
    form: web::Form<HashMap<String, String>>,
) -> WebResult {
    let form = form.into_inner();
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    signed.check_csrf(&req, &get("csrf"))?;
    signed.user.require(Role::Admin)?;
    let mut errors = Errors::default();
    let role = Role::parse(&get("role"));
    let org = Uuid::parse_str(&get("organization_id")).ok();
    if role.is_none() {
        errors.add("role", "役割を選んでください。");
    }
    if org.is_none() {
        errors.add("organization_id", "組織を選んでください。");
    }
    if let (Some(role), Some(organization_id)) = (role, org) {
        let input = CreateUser {
            login: get("login").trim().to_owned(),
            password: get("password"),
            role,
            organization_id,
            display_name: get("display_name"),
        };
        let user = signed.user.clone();
        let created = state
            .db(move |conn| admin::create_user_as_admin(conn, &user, input))
            .await;
        match created {
            Ok(_) => return Ok(redirect("/admin/users?done=user")),
            Err(ApiError::Unprocessable(list)) | Err(ApiError::BadRequest { errors: list, .. }) => {
                messages(list, &mut errors)
            }
            Err(ApiError::Conflict(_)) => {
                errors.add("login", "このログインIDはすでに使われています。")
            }
            Err(other) => return Err(other.into()),
        }
    }
    let mut kept = form.clone();
    kept.remove("password");
    let page = users_page(&state, &signed, kept, errors, None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn set_mfa(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed: Signed,
    form: web::Form<Vec<(String, String)>>,
) -> WebResult {
    let pairs = form.into_inner();
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    signed.check_csrf(&req, &csrf)?;
    let roles: Vec<Role> = pairs
        .iter()
        .filter(|(k, _)| k == "required")
        .filter_map(|(_, v)| Role::parse(v))
        .collect();
    let user = signed.user.clone();
    state
        .db(move |conn| {
            admin::set_mfa_settings(
                conn,
                &user,
                MfaSettings {
                    required_roles: roles,
                },
            )
        })
        .await?;
    Ok(redirect("/admin/users?done=mfa"))
}

async fn reset_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed: Signed,
    path: web::Path<Uuid>,
    form: web::Form<HashMap<String, String>>,
) -> WebResult {
    let form = form.into_inner();
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    signed.check_csrf(&req, &get("csrf"))?;
    let id = path.into_inner();
    let user = signed.user.clone();
    let password = get("password");
    let done = state
        .db(move |conn| admin::reset_password(conn, &user, id, &password))
        .await;
    match done {
        Ok(()) => Ok(redirect("/admin/users?done=password")),
        Err(ApiError::Unprocessable(list)) => {
            let mut errors = Errors::default();
            for e in list {
                errors.add(
                    format!("password-{id}"),
                    format!("パスワードを確認してください（{}）。", e.message),
                );
            }
            let page = users_page(&state, &signed, HashMap::new(), errors, None).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "admin/districts.html")]
struct DistrictsPage {
    l: Layout,
    items: Vec<District>,
    csv: String,
    errors: Errors,
    notice: Option<&'static str>,
}

async fn district_rows(state: &AppState, signed: &Signed) -> Result<Vec<District>, ApiError> {
    let user = signed.user.clone();
    state
        .db(move |conn| admin::list_districts(conn, &user))
        .await
}

async fn organizations_list(
    state: &AppState,
    signed: &Signed,
) -> Result<Page<Organization>, ApiError> {
    let user = signed.user.clone();
    state
        .db(move |conn| admin::list_organizations(conn, &user, Some(200), Some(0)))
        .await
}

async fn districts(state: web::Data<AppState>, signed: Signed, q: web::Query<Notice>) -> WebResult {
    signed.user.require(Role::Admin)?;
    Ok(super::ok(&DistrictsPage {
        l: Layout::new("地区", &signed, "/admin/districts"),
        items: district_rows(&state, &signed).await?,
        csv: String::new(),
        errors: Errors::default(),
        notice: q.done.as_ref().map(|_| "地区を読み込みました。"),
    }))
}

async fn upload_districts(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed: Signed,
    form: web::Form<HashMap<String, String>>,
) -> WebResult {
    let form = form.into_inner();
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    signed.check_csrf(&req, &get("csrf"))?;
    let csv = get("csv");
    let mut errors = Errors::default();
    let parsed = crate::domain::district_csv::parse(&csv)
        .map_err(|e| ApiError::invalid(format!("line {}", e.line), e.message));
    let user = signed.user.clone();
    let stored = match parsed {
        Ok(list) => {
            state
                .db(move |conn| admin::replace_districts(conn, &user, list))
                .await
        }
        Err(e) => Err(e),
    };
    match stored {
        Ok(_) => return Ok(redirect("/admin/districts?done=1")),
        Err(ApiError::Unprocessable(list)) | Err(ApiError::BadRequest { errors: list, .. }) => {
            for e in list {
                errors.add(
                    "csv",
                    format!(
                        "{}：{}（ファイル全体を読み込みませんでした）",
                        e.field, e.message
                    ),
                );
            }
        }
        Err(other) => return Err(other.into()),
    }
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &DistrictsPage {
            l: Layout::new("地区", &signed, "/admin/districts"),
            items: district_rows(&state, &signed).await?,
            csv,
            errors,
            notice: None,
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditForm {
    user_id: Option<String>,
    registrant_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before_seq: Option<i64>,
}

struct AuditRow {
    seq: i64,
    at: String,
    action: String,
    actor: String,
    registrant: String,
    incident: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPageView {
    l: Layout,
    f: AuditForm,
    rows: Vec<AuditRow>,
    next: Option<String>,
    errors: Errors,
}

impl AuditPageView {
    fn val(&self, v: &Option<String>) -> String {
        v.clone().unwrap_or_default()
    }
}

async fn audit(state: web::Data<AppState>, signed: Signed, q: web::Query<AuditForm>) -> WebResult {
    let f = q.into_inner();
    let mut errors = Errors::default();
    let mut uuid = |name: &str, v: &Option<String>| match v
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => Uuid::parse_str(s).ok().or_else(|| {
            errors.add(name, "IDの形式が正しくありません（36文字）。");
            None
        }),
    };
    let user_id = uuid("user_id", &f.user_id);
    let registrant_id = uuid("registrant_id", &f.registrant_id);
    let mut date = |name: &str, v: &Option<String>| match v
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().or_else(|| {
            errors.add(name, "日付は 2026-11-24 の形で入力してください。");
            None
        }),
    };
    let from = date("from", &f.from);
    let to = date("to", &f.to);
    let user = signed.user.clone();
    let query = AuditQuery {
        user_id,
        registrant_id,
        from,
        to,
        before_seq: f.before_seq,
        limit: Some(100),
    };
    let page: AuditPage = state
        .db(move |conn| admin::audit_log(conn, &user, query))
        .await?;
    let offset = state.config.utc_offset();
    let rows = page
        .items
        .iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: labels::time(e.at, offset),
            action: e.action.clone(),
            actor: match (&e.actor_role, &e.actor_user_id) {
                (Some(r), Some(u)) => format!(
                    "{} {}",
                    Role::parse(r).map(labels::role).unwrap_or("不明"),
                    u
                ),
                _ => "システム".into(),
            },
            registrant: e.registrant_id.clone().unwrap_or_default(),
            incident: e.incident_id.clone().unwrap_or_default(),
            detail: e.detail.clone().unwrap_or_default(),
        })
        .collect();
    let next = page.next_before_seq.map(|seq| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("user_id", &f.user_id),
            ("registrant_id", &f.registrant_id),
            ("from", &f.from),
            ("to", &f.to),
        ] {
            if let Some(v) = v {
                s.append_pair(k, v);
            }
        }
        s.append_pair("before_seq", &seq.to_string());
        format!("/admin/audit?{}", s.finish())
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        status,
        &AuditPageView {
            l: Layout::new("監査ログ", &signed, "/admin/audit"),
            f,
            rows,
            next,
            errors,
        },
    ))
}
