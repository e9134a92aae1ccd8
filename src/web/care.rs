//! The care managers' pages: their registrants (search and filters), register
//! and edit with errors next to the field that caused them (kana in hiragana or
//! katakana, era dates), an edit that crosses someone else's keeps what was
//! typed, withdraw, hand over, the care-decision timeline with "reconfirm
//! unchanged" in one step, and the access log. Every page calls the function
//! the REST handler calls: the same checks, the same 404 for another office's
//! registrant, the same audit events.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::{labels, opt, redirect, render, Errors, Layout, Signed, WebError, WebResult};
use crate::app::AppState;
use crate::auth::AuthUser;
use crate::domain::care_decision::{
    AdvanceDirective, CareDecision, CareDecisionInput, Participants, Wishes,
};
use crate::domain::registrant::{
    Address, Consent, EmergencyContact, FamilyDoctor, Medical, Registrant, RegistrantInput,
};
use crate::domain::validate::FieldError;
use crate::domain::{
    CareLevel, ConsentBy, DecisionKind, Device, LivingSituation, Place, RegistrantStatus, Sex, Wish,
};
use crate::error::ApiError;
use crate::matching::{self, BirthQuery};
use crate::service::registrants::{self as reg, AccessLogEntry, HandoverResult, ListQuery};
use crate::service::Page;

/// Family doctors and contacts the form has rows for.
const DOCTOR_ROWS: usize = 2;
const CONTACT_ROWS: usize = 3;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/registrants", web::get().to(list))
        .route("/registrants/new", web::get().to(new_form))
        .route("/registrants/new", web::post().to(create))
        .route("/registrants/{id}", web::get().to(show))
        .route("/registrants/{id}/edit", web::get().to(edit_form))
        .route("/registrants/{id}/edit", web::post().to(update))
        .route("/registrants/{id}/withdraw", web::post().to(withdraw))
        .route("/registrants/{id}/handover", web::post().to(handover))
        .route(
            "/registrants/{id}/decisions/new",
            web::get().to(decision_form),
        )
        .route(
            "/registrants/{id}/decisions/new",
            web::post().to(decision_create),
        )
        .route(
            "/registrants/{id}/decisions/reconfirm",
            web::post().to(reconfirm),
        )
        .route("/registrants/{id}/access-log", web::get().to(access_log));
}

/// Form values by name (repeated names, such as checkboxes, keep every value).
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// Japanese for the validation messages (the rules stay the API's).
fn ja(message: &str) -> String {
    if message == "must not be empty" {
        return "入力してください。".into();
    }
    if message.contains("kana") {
        return "ふりがなは、ひらがなかカタカナで入力してください。".into();
    }
    if message.contains("future") {
        return "未来の日付は入力できません。".into();
    }
    if let Some(rest) = message.strip_prefix("must be at most ") {
        if let Some(n) = rest.split_whitespace().next() {
            return format!("{n}文字（件）以内で入力してください。");
        }
    }
    if message.contains("unknown district") {
        return "登録されていない地区です。".into();
    }
    if message.contains("postal code") {
        return "郵便番号は7桁（例：090-0024）で入力してください。".into();
    }
    if message.contains("phone") || message.contains("digits") {
        return "電話番号を確認してください（数字とハイフン）。".into();
    }
    format!("入力を確認してください（{message}）。")
}

/// The form field an API field path belongs to.
fn field_of(api: &str) -> String {
    let simple = |prefix: &str, row: &str| -> Option<String> {
        let rest = api.strip_prefix(prefix)?;
        let (i, after) = rest.split_once(']')?;
        let i: usize = i.parse().ok()?;
        let name = after.trim_start_matches('.');
        let name = name.split('[').next().unwrap_or(name);
        Some(format!(
            "{row}{}_{}",
            i + 1,
            if name.is_empty() { "row" } else { name }
        ))
    };
    if let Some(f) = simple("family_doctors[", "doctor") {
        return f;
    }
    if let Some(f) = simple("emergency_contacts[", "contact") {
        return f;
    }
    let head = api.split('[').next().unwrap_or(api);
    match head {
        "address.postal_code" => "postal_code".into(),
        "address.line" => "address_line".into(),
        "address.district_code" => "district_code".into(),
        "medical.conditions" => "conditions".into(),
        "medical.medications" => "medications".into(),
        "medical.allergies" => "allergies".into(),
        "medical.devices_and_procedures" => "devices".into(),
        "medical.notes" => "medical_notes".into(),
        "consent.obtained_on" => "consent_on".into(),
        "consent.by" => "consent_by".into(),
        "consent.proxy_name" => "proxy_name".into(),
        "consent.proxy_relationship" => "proxy_relationship".into(),
        "family_doctors" => "doctor1_institution".into(),
        "emergency_contacts" => "contact1_name".into(),
        other => other.replace('.', "_"),
    }
}

fn add_api_errors(errors: &mut Errors, list: Vec<FieldError>) {
    for e in list {
        let field = field_of(&e.field);
        if !errors.has(&field) {
            errors.add(field, ja(&e.message));
        }
    }
}

/// A date typed as `1940-03-02`, `昭和15年3月2日`, `S15.3.2` …: the whole date.
fn parse_date(text: &str, today: NaiveDate) -> Result<NaiveDate, &'static str> {
    if let Ok(d) = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        return Ok(d);
    }
    match matching::parse_birth_query(text, today) {
        Ok(BirthQuery::Date(d)) => Ok(d),
        Ok(_) => Err("年・月・日まで入力してください（例：昭和15年3月2日、1940-03-02）。"),
        Err(_) => Err("日付を読み取れません（例：昭和15年3月2日、S15.3.2、1940-03-02）。"),
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The registration form as typed (kept as typed when it is refused).
#[derive(Debug, Default)]
struct RegForm {
    v: HashMap<String, String>,
    devices: Vec<String>,
    version: String,
}

impl RegForm {
    fn get(&self, name: &str) -> &str {
        self.v.get(name).map(String::as_str).unwrap_or("")
    }

    fn selected(&self, name: &str, value: &str) -> bool {
        self.get(name) == value
    }

    fn has_device(&self, value: &str) -> bool {
        self.devices.iter().any(|d| d == value)
    }

    fn from_fields(f: &Fields) -> Self {
        let mut v = HashMap::new();
        for (k, val) in &f.0 {
            if k != "devices" && k != "csrf" {
                v.insert(k.clone(), val.clone());
            }
        }
        RegForm {
            v,
            devices: f.all("devices"),
            version: f.get("version"),
        }
    }

    fn from_registrant(r: &Registrant) -> Self {
        let x = &r.record;
        let mut v = HashMap::new();
        let mut put = |k: &str, val: &str| {
            v.insert(k.to_owned(), val.to_owned());
        };
        put("family_name", &x.family_name);
        put("given_name", &x.given_name);
        put("family_name_kana", &x.family_name_kana);
        put("given_name_kana", &x.given_name_kana);
        put("birth_date", &x.birth_date.to_string());
        put("sex", x.sex.as_str());
        put(
            "postal_code",
            x.address.postal_code.as_deref().unwrap_or(""),
        );
        put("address_line", &x.address.line);
        put(
            "district_code",
            x.address.district_code.as_deref().unwrap_or(""),
        );
        put("phones", &x.phones.join("\n"));
        put("living_situation", x.living_situation.as_str());
        put("care_level", x.care_level.as_str());
        for (i, d) in x.family_doctors.iter().enumerate().take(DOCTOR_ROWS) {
            let n = i + 1;
            put(&format!("doctor{n}_institution"), &d.institution);
            put(
                &format!("doctor{n}_doctor"),
                d.doctor.as_deref().unwrap_or(""),
            );
            put(
                &format!("doctor{n}_department"),
                d.department.as_deref().unwrap_or(""),
            );
            put(
                &format!("doctor{n}_phone"),
                d.phone.as_deref().unwrap_or(""),
            );
        }
        for (i, c) in x.emergency_contacts.iter().enumerate().take(CONTACT_ROWS) {
            let n = i + 1;
            put(&format!("contact{n}_name"), &c.name);
            put(&format!("contact{n}_kana"), c.kana.as_deref().unwrap_or(""));
            put(&format!("contact{n}_relationship"), &c.relationship);
            put(&format!("contact{n}_phones"), &c.phones.join("\n"));
            put(
                &format!("contact{n}_notes"),
                c.notes.as_deref().unwrap_or(""),
            );
        }
        put("conditions", &x.medical.conditions.join("\n"));
        put("medications", &x.medical.medications.join("\n"));
        put("allergies", &x.medical.allergies.join("\n"));
        put("medical_notes", x.medical.notes.as_deref().unwrap_or(""));
        put("consent_on", &x.consent.obtained_on.to_string());
        put("consent_by", x.consent.by.as_str());
        put("proxy_name", x.consent.proxy_name.as_deref().unwrap_or(""));
        put(
            "proxy_relationship",
            x.consent.proxy_relationship.as_deref().unwrap_or(""),
        );
        RegForm {
            v,
            devices: x
                .medical
                .devices_and_procedures
                .iter()
                .map(|d| d.as_str().to_owned())
                .collect(),
            version: r.version.to_string(),
        }
    }

    /// The API's input, or the fields that could not even be read.
    fn to_input(&self, today: NaiveDate) -> Result<RegistrantInput, Errors> {
        let mut errors = Errors::default();
        let date = |name: &str, errors: &mut Errors| -> NaiveDate {
            match opt(self.get(name)) {
                None => {
                    errors.add(name, "入力してください。");
                    NaiveDate::default()
                }
                Some(t) => parse_date(&t, today).unwrap_or_else(|m| {
                    errors.add(name, m);
                    NaiveDate::default()
                }),
            }
        };
        let birth_date = date("birth_date", &mut errors);
        let consent_on = date("consent_on", &mut errors);
        let choose = |name: &str, errors: &mut Errors| -> String {
            let v = self.get(name).to_owned();
            if v.is_empty() {
                errors.add(name, "選んでください。");
            }
            v
        };
        let sex = Sex::parse(&choose("sex", &mut errors)).unwrap_or(Sex::Unknown);
        let living = LivingSituation::parse(&choose("living_situation", &mut errors))
            .unwrap_or(LivingSituation::Other);
        let care_level =
            CareLevel::parse(&choose("care_level", &mut errors)).unwrap_or(CareLevel::None);
        let consent_by =
            ConsentBy::parse(&choose("consent_by", &mut errors)).unwrap_or(ConsentBy::SelfPerson);
        let family_doctors = (1..=DOCTOR_ROWS)
            .filter_map(|n| {
                let g = |k: &str| opt(self.get(&format!("doctor{n}_{k}")));
                let any = ["institution", "doctor", "department", "phone"]
                    .iter()
                    .any(|k| g(k).is_some());
                any.then(|| FamilyDoctor {
                    institution: g("institution").unwrap_or_default(),
                    doctor: g("doctor"),
                    department: g("department"),
                    phone: g("phone"),
                })
            })
            .collect();
        let mut priority = 0u8;
        let emergency_contacts = (1..=CONTACT_ROWS)
            .filter_map(|n| {
                let g = |k: &str| opt(self.get(&format!("contact{n}_{k}")));
                let any = ["name", "kana", "relationship", "phones", "notes"]
                    .iter()
                    .any(|k| g(k).is_some());
                any.then(|| {
                    priority += 1;
                    EmergencyContact {
                        priority,
                        name: g("name").unwrap_or_default(),
                        kana: g("kana"),
                        relationship: g("relationship").unwrap_or_default(),
                        phones: lines(self.get(&format!("contact{n}_phones"))),
                        notes: g("notes"),
                    }
                })
            })
            .collect();
        let devices = self
            .devices
            .iter()
            .filter_map(|d| Device::parse(d))
            .collect();
        let input = RegistrantInput {
            family_name: self.get("family_name").to_owned(),
            given_name: self.get("given_name").to_owned(),
            family_name_kana: self.get("family_name_kana").to_owned(),
            given_name_kana: self.get("given_name_kana").to_owned(),
            birth_date,
            sex,
            address: Address {
                postal_code: opt(self.get("postal_code")),
                line: self.get("address_line").to_owned(),
                district_code: opt(self.get("district_code")),
            },
            phones: lines(self.get("phones")),
            living_situation: living,
            care_level,
            family_doctors,
            emergency_contacts,
            medical: Medical {
                conditions: lines(self.get("conditions")),
                medications: lines(self.get("medications")),
                allergies: lines(self.get("allergies")),
                devices_and_procedures: devices,
                notes: opt(self.get("medical_notes")),
            },
            consent: Consent {
                obtained_on: consent_on,
                by: consent_by,
                proxy_name: opt(self.get("proxy_name")),
                proxy_relationship: opt(self.get("proxy_relationship")),
            },
        };
        if errors.is_empty() {
            Ok(input)
        } else {
            // Also run the API's checks, so that every problem shows at once.
            if let Err(list) = input.validate(today) {
                add_api_errors(&mut errors, list);
            }
            Err(errors)
        }
    }
}

struct Choice {
    value: &'static str,
    label: &'static str,
}

fn choices<T: Copy>(
    all: &[T],
    value: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|x| Choice {
            value: value(*x),
            label: label(*x),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "care/form.html")]
struct FormPage {
    l: Layout,
    heading: String,
    action: String,
    f: RegForm,
    errors: Errors,
    stale: bool,
    districts: Vec<(String, String)>,
    sexes: Vec<Choice>,
    living: Vec<Choice>,
    levels: Vec<Choice>,
    devices: Vec<Choice>,
    doctor_rows: Vec<usize>,
    contact_rows: Vec<usize>,
    doctor_fields: Vec<(&'static str, &'static str)>,
    contact_fields: Vec<(&'static str, &'static str)>,
    /// The record's page (for "see the latest" after a stale edit).
    view_href: String,
}

impl FormPage {
    fn err(&self, name: &str) -> Option<&str> {
        self.errors.get(name)
    }

    /// ` aria-invalid="true" aria-describedby="NAME-error"` when `name` has an error.
    fn invalid(&self, name: &str) -> bool {
        self.errors.has(name)
    }

    fn val(&self, name: &str) -> String {
        self.f.get(name).to_owned()
    }

    fn row_val(&self, row: &str, n: &usize, k: &str) -> String {
        self.f.get(&format!("{row}{n}_{k}")).to_owned()
    }

    fn row_name(&self, row: &str, n: &usize, k: &str) -> String {
        format!("{row}{n}_{k}")
    }

    fn row_err(&self, row: &str, n: &usize, k: &str) -> Option<String> {
        self.errors.get(&format!("{row}{n}_{k}")).map(str::to_owned)
    }
}

async fn form_page(
    state: &AppState,
    signed: &Signed,
    heading: String,
    action: String,
    f: RegForm,
    errors: Errors,
    stale: bool,
) -> Result<FormPage, WebError> {
    Ok(FormPage {
        l: Layout::new(
            heading.clone(),
            signed,
            if action.ends_with("/new") {
                "/registrants/new"
            } else {
                "/registrants"
            },
        ),
        heading,
        f,
        errors,
        stale,
        districts: super::district_names(state).await?,
        sexes: choices(Sex::ALL, Sex::as_str, labels::sex),
        living: choices(
            LivingSituation::ALL,
            LivingSituation::as_str,
            labels::living_situation,
        ),
        levels: choices(CareLevel::ALL, CareLevel::as_str, labels::care_level),
        devices: choices(Device::ALL, Device::as_str, labels::device),
        doctor_rows: (1..=DOCTOR_ROWS).collect(),
        contact_rows: (1..=CONTACT_ROWS).collect(),
        doctor_fields: vec![
            ("institution", "医療機関"),
            ("doctor", "医師名"),
            ("department", "診療科"),
            ("phone", "電話番号"),
        ],
        contact_fields: vec![
            ("name", "氏名"),
            ("kana", "ふりがな"),
            ("relationship", "続柄"),
            ("notes", "備考"),
        ],
        view_href: action.trim_end_matches("/edit").to_owned(),
        action,
    })
}

#[derive(Deserialize)]
pub struct ListForm {
    name: Option<String>,
    kana: Option<String>,
    status: Option<String>,
    district_code: Option<String>,
    offset: Option<i64>,
}

struct Row {
    id: Uuid,
    name: String,
    kana: String,
    birth: String,
    sex: &'static str,
    district: String,
    status: &'static str,
    updated: String,
}

#[derive(Template)]
#[template(path = "care/list.html")]
struct ListPage {
    l: Layout,
    name: String,
    kana: String,
    status: String,
    district_code: String,
    districts: Vec<(String, String)>,
    rows: Vec<Row>,
    total: i64,
    offset: i64,
    limit: i64,
    prev: Option<String>,
    next: Option<String>,
}

/// `GET /registrants`: own registrants, filtered.
async fn list(state: web::Data<AppState>, signed: Signed, q: web::Query<ListForm>) -> WebResult {
    let q = q.into_inner();
    let clean = |s: Option<String>| s.and_then(|s| opt(&s));
    let name = clean(q.name);
    let kana = clean(q.kana);
    let status_text = clean(q.status);
    let district_code = clean(q.district_code);
    let limit = 50;
    let offset = q.offset.unwrap_or(0).max(0);
    let page = list_registrants(
        &state,
        signed.user.clone(),
        ListQuery {
            name: name.clone(),
            kana: kana.clone(),
            status: status_text.as_deref().and_then(RegistrantStatus::parse),
            district_code: district_code.clone(),
            limit: Some(limit),
            offset: Some(offset),
        },
    )
    .await?;
    let districts = super::district_names(&state).await?;
    let names: HashMap<&str, &str> = districts
        .iter()
        .map(|(c, n)| (c.as_str(), n.as_str()))
        .collect();
    let offset_tz = state.config.utc_offset();
    let rows = page
        .items
        .iter()
        .map(|r| Row {
            id: r.id,
            name: format!("{} {}", r.family_name, r.given_name),
            kana: format!("{} {}", r.family_name_kana, r.given_name_kana),
            birth: labels::date_with_era(r.birth_date),
            sex: labels::sex(r.sex),
            district: r
                .district_code
                .as_deref()
                .map(|c| names.get(c).copied().unwrap_or(c).to_owned())
                .unwrap_or_default(),
            status: labels::status(r.status),
            updated: labels::time(r.updated_at, offset_tz),
        })
        .collect();
    let query = |off: i64| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("name", &name),
            ("kana", &kana),
            ("status", &status_text),
            ("district_code", &district_code),
        ] {
            if let Some(v) = v {
                s.append_pair(k, v);
            }
        }
        s.append_pair("offset", &off.to_string());
        format!("/registrants?{}", s.finish())
    };
    Ok(super::ok(&ListPage {
        l: Layout::new("登録者一覧", &signed, "/registrants"),
        prev: (offset > 0).then(|| query((offset - limit).max(0))),
        next: (offset + limit < page.total).then(|| query(offset + limit)),
        name: name.unwrap_or_default(),
        kana: kana.unwrap_or_default(),
        status: status_text.unwrap_or_default(),
        district_code: district_code.unwrap_or_default(),
        districts,
        rows,
        total: page.total,
        offset,
        limit,
    }))
}

/// `GET /registrants/new`.
async fn new_form(state: web::Data<AppState>, signed: Signed) -> WebResult {
    signed.user.require(crate::domain::Role::CareManager)?;
    let mut f = RegForm::default();
    f.v.insert("consent_on".into(), state.today().to_string());
    let page = form_page(
        &state,
        &signed,
        "新規登録".into(),
        "/registrants/new".into(),
        f,
        Errors::default(),
        false,
    )
    .await?;
    Ok(super::ok(&page))
}

fn refused(page: &FormPage) -> HttpResponse {
    render(StatusCode::UNPROCESSABLE_ENTITY, page)
}

/// `POST /registrants/new`.
async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed: Signed,
    form: web::Form<Vec<(String, String)>>,
) -> WebResult {
    let fields = Fields(form.into_inner());
    signed.check_csrf(&req, &fields.get("csrf"))?;
    let f = RegForm::from_fields(&fields);
    let errors = match f.to_input(state.today()) {
        Ok(input) => match create_registrant(&state, signed.user.clone(), input).await {
            Ok(r) => return Ok(redirect(&format!("/registrants/{}?saved=1", r.id))),
            Err(ApiError::Unprocessable(list)) | Err(ApiError::BadRequest { errors: list, .. }) => {
                let mut e = Errors::default();
                add_api_errors(&mut e, list);
                e
            }
            Err(other) => return Err(other.into()),
        },
        Err(e) => e,
    };
    let page = form_page(
        &state,
        &signed,
        "新規登録".into(),
        "/registrants/new".into(),
        f,
        errors,
        false,
    )
    .await?;
    Ok(refused(&page))
}

/// `GET /registrants/{id}/edit`.
async fn edit_form(state: web::Data<AppState>, signed: Signed, path: web::Path<Uuid>) -> WebResult {
    let id = path.into_inner();
    let r = read_registrant(&state, signed.user.clone(), id).await?;
    let f = RegForm::from_registrant(&r);
    let heading = format!(
        "{} {} さんの登録内容を編集",
        r.record.family_name, r.record.given_name
    );
    let page = form_page(
        &state,
        &signed,
        heading,
        format!("/registrants/{id}/edit"),
        f,
        Errors::default(),
        false,
    )
    .await?;
    Ok(super::ok(&page))
}

/// `POST /registrants/{id}/edit`: a stale version says so and keeps what was typed.
async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed: Signed,
    path: web::Path<Uuid>,
    form: web::Form<Vec<(String, String)>>,
) -> WebResult {
    let id = path.into_inner();
    let fields = Fields(form.into_inner());
    signed.check_csrf(&req, &fields.get("csrf"))?;
    let mut f = RegForm::from_fields(&fields);
    let heading = "登録内容を編集".to_owned();
    let action = format!("/registrants/{id}/edit");
    let version: i32 = f.version.trim().parse().unwrap_or(0);
    let mut stale = false;
    let errors = match f.to_input(state.today()) {
        Ok(input) => {
            match replace_registrant(&state, signed.user.clone(), id, version, input).await {
                Ok(_) => return Ok(redirect(&format!("/registrants/{id}?saved=1"))),
                Err(ApiError::PreconditionFailed) => {
                    // Someone saved in between: keep every typed value; the next
                    // save is against the version now stored, knowingly.
                    let current = read_registrant(&state, signed.user.clone(), id).await?;
                    f.version = current.version.to_string();
                    stale = true;
                    Errors::default()
                }
                Err(ApiError::Unprocessable(list))
                | Err(ApiError::BadRequest { errors: list, .. }) => {
                    let mut e = Errors::default();
                    add_api_errors(&mut e, list);
                    e
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(e) => e,
    };
    let page = form_page(&state, &signed, heading, action, f, errors, stale).await?;
    Ok(render(
        if stale {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        &page,
    ))
}

struct DecisionView {
    seq: i32,
    kind: &'static str,
    discussed_on: String,
    recorded_at: String,
    wishes: Vec<String>,
    place_of_care: &'static str,
    place_of_death: &'static str,
    physician_instructions: Option<String>,
    directive: String,
    own_words: Option<String>,
    review_due: Option<String>,
    shared: bool,
}

fn decision_view(d: &CareDecision, offset: chrono::FixedOffset) -> DecisionView {
    let e = &d.entry;
    DecisionView {
        seq: d.seq,
        kind: labels::decision_kind(e.kind),
        discussed_on: labels::date(e.discussed_on),
        recorded_at: labels::time(d.recorded_at, offset),
        wishes: vec![
            labels::wish_sentence("心肺蘇生", e.wishes.cpr),
            labels::wish_sentence("気管挿管", e.wishes.intubation),
            labels::wish_sentence("救急搬送", e.wishes.hospital_transport),
            labels::wish_sentence("人工栄養", e.wishes.artificial_nutrition),
        ],
        place_of_care: labels::place(e.preferred_place_of_care),
        place_of_death: labels::place(e.preferred_place_of_death),
        physician_instructions: e.physician_instructions.clone(),
        directive: if e.advance_directive.exists {
            format!(
                "あり（{}）",
                e.advance_directive.location.clone().unwrap_or_default()
            )
        } else {
            "なし".into()
        },
        own_words: e.own_words.clone(),
        review_due: e.review_due.map(labels::date),
        shared: e.shared_with_family,
    }
}

#[derive(Template)]
#[template(path = "care/show.html")]
struct ShowPage {
    l: Layout,
    r: Registrant,
    name: String,
    kana: String,
    sex: &'static str,
    birth: String,
    status: &'static str,
    active: bool,
    living: &'static str,
    care_level: &'static str,
    devices: Vec<&'static str>,
    decisions: Vec<DecisionView>,
    notice: Option<&'static str>,
    errors: Errors,
}

#[derive(Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
    recorded: Option<String>,
    handed: Option<String>,
}

async fn show_page(
    state: &AppState,
    signed: &Signed,
    id: Uuid,
    notice: Option<&'static str>,
    errors: Errors,
) -> Result<ShowPage, WebError> {
    let r = read_registrant(state, signed.user.clone(), id).await?;
    let history = care_decisions::history(state, signed.user.clone(), id).await?;
    let offset = state.config.utc_offset();
    let x = &r.record;
    Ok(ShowPage {
        l: Layout::new(
            format!("{} {}", x.family_name, x.given_name),
            signed,
            "/registrants",
        ),
        name: format!("{} {}", x.family_name, x.given_name),
        kana: format!("{} {}", x.family_name_kana, x.given_name_kana),
        sex: labels::sex(x.sex),
        birth: labels::date_with_era(x.birth_date),
        status: labels::status(r.status),
        active: r.status == RegistrantStatus::Active,
        living: labels::living_situation(x.living_situation),
        care_level: labels::care_level(x.care_level),
        devices: x
            .medical
            .devices_and_procedures
            .iter()
            .map(|d| labels::device(*d))
            .collect(),
        decisions: history.iter().map(|d| decision_view(d, offset)).collect(),
        notice,
        errors,
        r,
    })
}

/// `GET /registrants/{id}`: the record, its decisions as a timeline, the actions.
async fn show(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<Uuid>,
    q: web::Query<ShowQuery>,
) -> WebResult {
    let notice = if q.saved.is_some() {
        Some("保存しました。")
    } else if q.recorded.is_some() {
        Some("意思決定を記録しました。")
    } else if q.handed.is_some() {
        Some("引継ぎました。")
    } else {
        None
    };
    let page = show_page(
        &state,
        &signed,
        path.into_inner(),
        notice,
        Errors::default(),
    )
    .await?;
    Ok(super::ok(&page))
}

#[derive(Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
}

/// `POST /registrants/{id}/withdraw`.
async fn withdraw(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed: Signed,
    path: web::Path<Uuid>,
    form: web::Form<WithdrawForm>,
) -> WebResult {
    signed.check_csrf(&req, &form.csrf)?;
    let id = path.into_inner();
    let status = match form.reason.as_str() {
        "deceased" => RegistrantStatus::Deceased,
        _ => RegistrantStatus::Withdrawn,
    };
    let expected = form.version.trim().parse::<i32>().ok();
    match withdraw_registrant(&state, signed.user.clone(), id, expected, status).await {
        Ok(()) => Ok(redirect(&format!("/registrants/{id}?saved=1"))),
        Err(ApiError::PreconditionFailed) => {
            let page = show_page(
                &state,
                &signed,
                id,
                Some("他の人がこの記録を更新したため、取り消しませんでした。内容を確認してからもう一度操作してください。"),
                Errors::default(),
            )
            .await?;
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct HandoverForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    organization_id: String,
}

/// `POST /registrants/{id}/handover`: to the organization whose id the receiving
/// office gave.
async fn handover(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed: Signed,
    path: web::Path<Uuid>,
    form: web::Form<HandoverForm>,
) -> WebResult {
    signed.check_csrf(&req, &form.csrf)?;
    let id = path.into_inner();
    let mut errors = Errors::default();
    match Uuid::parse_str(form.organization_id.trim()) {
        Err(_) => errors.add(
            "organization_id",
            "引継ぎ先の組織ID（例：3f2a…の36文字）を入力してください。",
        ),
        Ok(target) => match handover_registrant(&state, signed.user.clone(), id, target).await {
            Ok(_) => return Ok(redirect("/registrants?handed=1")),
            Err(ApiError::Unprocessable(list)) | Err(ApiError::BadRequest { errors: list, .. }) => {
                for e in list {
                    let message = if e.message.contains("already manages") {
                        "あなたの組織がすでに担当しています。".to_owned()
                    } else if e.message.contains("no such") {
                        "その組織は見つかりません。".to_owned()
                    } else {
                        "引継ぎ先は、利用中の居宅介護支援事業所・診療所・病院・施設にしてください。"
                            .to_owned()
                    };
                    errors.add("organization_id", message);
                }
            }
            Err(other) => return Err(other.into()),
        },
    }
    let page = show_page(&state, &signed, id, None, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// The care-decision form as typed.
#[derive(Debug, Default)]
struct DecisionForm {
    v: HashMap<String, String>,
    flags: Vec<String>,
}

impl DecisionForm {
    fn get(&self, name: &str) -> &str {
        self.v.get(name).map(String::as_str).unwrap_or("")
    }

    fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    fn to_input(&self, kind: DecisionKind, today: NaiveDate) -> Result<CareDecisionInput, Errors> {
        let mut errors = Errors::default();
        let discussed_on = match opt(self.get("discussed_on")) {
            None => {
                errors.add("discussed_on", "入力してください。");
                today
            }
            Some(t) => parse_date(&t, today).unwrap_or_else(|m| {
                errors.add("discussed_on", m);
                today
            }),
        };
        let review_due = match opt(self.get("review_due")) {
            None => None,
            Some(t) => match parse_date(&t, today) {
                Ok(d) => Some(d),
                Err(m) => {
                    errors.add("review_due", m);
                    None
                }
            },
        };
        let mut wish = |name: &str| {
            Wish::parse(self.get(name)).unwrap_or_else(|| {
                errors.add(name, "選んでください。");
                Wish::Undecided
            })
        };
        let wishes = Wishes {
            cpr: wish("cpr"),
            intubation: wish("intubation"),
            hospital_transport: wish("hospital_transport"),
            artificial_nutrition: wish("artificial_nutrition"),
        };
        let place = |name: &str| Place::parse(self.get(name)).unwrap_or(Place::Undecided);
        let input = CareDecisionInput {
            kind,
            discussed_on,
            participants: Participants {
                person: self.flag("self"),
                family: lines(self.get("family")),
                family_doctor: self.flag("family_doctor"),
                care_manager: self.flag("care_manager"),
                visiting_nurse: self.flag("visiting_nurse"),
                other: lines(self.get("other")),
            },
            wishes,
            preferred_place_of_care: place("place_of_care"),
            preferred_place_of_death: place("place_of_death"),
            shared_with_family: self.flag("shared_with_family"),
            physician_instructions: opt(self.get("physician_instructions")),
            advance_directive: AdvanceDirective {
                exists: self.flag("directive_exists"),
                location: opt(self.get("directive_location")),
            },
            own_words: opt(self.get("own_words")),
            review_due,
        };
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }
}

#[derive(Template)]
#[template(path = "care/decision.html")]
struct DecisionPage {
    l: Layout,
    id: Uuid,
    name: String,
    first: bool,
    f: DecisionForm,
    errors: Errors,
    wish_rows: Vec<(&'static str, &'static str)>,
    wish_choices: Vec<Choice>,
    places: Vec<Choice>,
}

impl DecisionPage {
    fn checked(&self, name: &str, value: &str) -> bool {
        self.f.get(name) == value
    }
}

async fn decision_page(
    state: &AppState,
    signed: &Signed,
    id: Uuid,
    f: DecisionForm,
    errors: Errors,
) -> Result<DecisionPage, WebError> {
    let r = read_registrant(state, signed.user.clone(), id).await?;
    let history = care_decisions::history(state, signed.user.clone(), id).await?;
    Ok(DecisionPage {
        l: Layout::new("意思決定の記録", signed, "/registrants"),
        id,
        name: format!("{} {}", r.record.family_name, r.record.given_name),
        first: history.is_empty(),
        f,
        errors,
        wish_rows: vec![
            ("cpr", "心肺蘇生"),
            ("intubation", "気管挿管"),
            ("hospital_transport", "救急搬送"),
            ("artificial_nutrition", "人工栄養"),
        ],
        wish_choices: choices(Wish::ALL, Wish::as_str, labels::wish),
        places: choices(Place::ALL, Place::as_str, labels::place),
    })
}

/// `GET /registrants/{id}/decisions/new`.
async fn decision_form(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<Uuid>,
) -> WebResult {
    let mut f = DecisionForm::default();
    f.v.insert("discussed_on".into(), state.today().to_string());
    let page = decision_page(&state, &signed, path.into_inner(), f, Errors::default()).await?;
    Ok(super::ok(&page))
}

/// `POST /registrants/{id}/decisions/new`: `new` for the first entry, else `revised`.
async fn decision_create(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed: Signed,
    path: web::Path<Uuid>,
    form: web::Form<Vec<(String, String)>>,
) -> WebResult {
    let id = path.into_inner();
    let fields = Fields(form.into_inner());
    signed.check_csrf(&req, &fields.get("csrf"))?;
    let flags: Vec<String> = fields.all("flag");
    let f = DecisionForm {
        v: fields
            .0
            .iter()
            .filter(|(k, _)| k != "flag" && k != "csrf")
            .cloned()
            .collect(),
        flags,
    };
    let kind = if f.get("first") == "1" {
        DecisionKind::New
    } else {
        DecisionKind::Revised
    };
    let errors = match f.to_input(kind, state.today()) {
        Ok(input) => match care_decisions::record(&state, signed.user.clone(), id, input).await {
            Ok(_) => return Ok(redirect(&format!("/registrants/{id}?recorded=1"))),
            Err(ApiError::Unprocessable(list)) | Err(ApiError::BadRequest { errors: list, .. }) => {
                let mut e = Errors::default();
                for x in list {
                    let field = match x.field.as_str() {
                        "advance_directive.location" => "directive_location".to_owned(),
                        f => f.split(['.', '[']).next_back().unwrap_or(f).to_owned(),
                    };
                    e.add(field, ja(&x.message));
                }
                e
            }
            Err(other) => return Err(other.into()),
        },
        Err(e) => e,
    };
    let page = decision_page(&state, &signed, id, f, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /registrants/{id}/decisions/reconfirm`: "checked today, unchanged".
async fn reconfirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed: Signed,
    path: web::Path<Uuid>,
    form: web::Form<CsrfForm>,
) -> WebResult {
    signed.check_csrf(&req, &form.csrf)?;
    let id = path.into_inner();
    let history = care_decisions::history(&state, signed.user.clone(), id).await?;
    let latest = history.first().ok_or_else(|| {
        WebError::Api(ApiError::invalid(
            "kind",
            "there is no earlier entry: record `new`",
        ))
    })?;
    let entry = latest.entry.reconfirmed_on(state.today());
    care_decisions::record(&state, signed.user.clone(), id, entry).await?;
    Ok(redirect(&format!("/registrants/{id}?recorded=1")))
}

struct LogRow {
    at: String,
    action: &'static str,
    who: String,
    incident: String,
}

#[derive(Template)]
#[template(path = "care/access_log.html")]
struct AccessLogPage {
    l: Layout,
    id: Uuid,
    name: String,
    rows: Vec<LogRow>,
}

fn action_label(action: &str) -> &'static str {
    match action {
        "emergency.read" => "救急隊が閲覧",
        "emergency.access_denied" => "救急隊の閲覧を拒否",
        "registrant.read" => "閲覧",
        "registrant.create" => "登録",
        "registrant.update" => "更新",
        "registrant.withdraw" => "登録取消",
        "registrant.handover" => "引継ぎ",
        "registrant.access_denied" => "他組織からの閲覧を拒否",
        "care_decision.read" => "意思決定を閲覧",
        "care_decision.create" => "意思決定を記録",
        "care_decision.access_denied" => "他組織からの意思決定閲覧を拒否",
        _ => "その他",
    }
}

/// `GET /registrants/{id}/access-log`: who opened this record.
async fn access_log(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<Uuid>,
) -> WebResult {
    let id = path.into_inner();
    let r = read_registrant(&state, signed.user.clone(), id).await?;
    let entries = read_access_log(&state, signed.user.clone(), id, 200).await?;
    let offset = state.config.utc_offset();
    let rows = entries
        .iter()
        .map(|e| LogRow {
            at: labels::time(e.at, offset),
            action: action_label(&e.action),
            who: match (&e.role, &e.user_id) {
                (Some(role), Some(user)) => format!(
                    "{}（{}）",
                    crate::domain::Role::parse(role)
                        .map(labels::role)
                        .unwrap_or("不明"),
                    user.chars().take(8).collect::<String>()
                ),
                _ => "—".into(),
            },
            incident: e.incident_id.clone().unwrap_or_default(),
        })
        .collect();
    Ok(super::ok(&AccessLogPage {
        l: Layout::new("閲覧記録", &signed, "/registrants"),
        id,
        name: format!("{} {}", r.record.family_name, r.record.given_name),
        rows,
    }))
}

// The service functions, run on the blocking pool with the caller.

async fn list_registrants(
    state: &AppState,
    user: AuthUser,
    q: ListQuery,
) -> Result<Page<crate::domain::registrant::RegistrantSummary>, ApiError> {
    state.db(move |conn| reg::list(conn, &user, q)).await
}

async fn create_registrant(
    state: &AppState,
    user: AuthUser,
    input: RegistrantInput,
) -> Result<Registrant, ApiError> {
    let today = state.today();
    state
        .db(move |conn| reg::register(conn, &user, input, today))
        .await
}

async fn read_registrant(
    state: &AppState,
    user: AuthUser,
    id: Uuid,
) -> Result<Registrant, ApiError> {
    state.db(move |conn| reg::read(conn, &user, id)).await
}

async fn replace_registrant(
    state: &AppState,
    user: AuthUser,
    id: Uuid,
    version: i32,
    input: RegistrantInput,
) -> Result<Registrant, ApiError> {
    let today = state.today();
    state
        .db(move |conn| reg::replace(conn, &user, id, version, input, today))
        .await
}

async fn withdraw_registrant(
    state: &AppState,
    user: AuthUser,
    id: Uuid,
    expected: Option<i32>,
    status: RegistrantStatus,
) -> Result<(), ApiError> {
    state
        .db(move |conn| reg::withdraw(conn, &user, id, expected, status))
        .await
}

async fn handover_registrant(
    state: &AppState,
    user: AuthUser,
    id: Uuid,
    target: Uuid,
) -> Result<HandoverResult, ApiError> {
    state
        .db(move |conn| reg::hand_over(conn, &user, id, target))
        .await
}

async fn read_access_log(
    state: &AppState,
    user: AuthUser,
    id: Uuid,
    limit: i64,
) -> Result<Vec<AccessLogEntry>, ApiError> {
    state
        .db(move |conn| reg::access_log(conn, &user, id, Some(limit)))
        .await
}

mod care_decisions {
    use uuid::Uuid;

    use crate::app::AppState;
    use crate::auth::AuthUser;
    use crate::domain::care_decision::{CareDecision, CareDecisionInput};
    use crate::error::ApiError;
    use crate::service::care_decisions as service;

    pub async fn history(
        state: &AppState,
        user: AuthUser,
        id: Uuid,
    ) -> Result<Vec<CareDecision>, ApiError> {
        state
            .db(move |conn| service::history(conn, &user, id))
            .await
    }

    pub async fn record(
        state: &AppState,
        user: AuthUser,
        id: Uuid,
        input: CareDecisionInput,
    ) -> Result<CareDecision, ApiError> {
        let today = state.today();
        state
            .db(move |conn| service::record(conn, &user, id, input, today))
            .await
    }
}
