//! The crew's pages: one search form, the short list of candidates, the
//! summary on one screen and one tap to report the outcome. Each calls the
//! function the REST handler calls, so the lookup is recorded and the opening
//! of a summary is audited with the incident id exactly as through the API.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::labels;
use super::{opt, redirect, render, Errors, Layout, Signed, WebError, WebResult};
use crate::app::AppState;
use crate::domain::emergency::{
    Candidate, CrewResult, EmergencySummary, Outcome, SearchQuery, SearchRequest,
};
use crate::domain::registrant::age_on;
use crate::domain::{Role, Sex, Wish};
use crate::error::ApiError;
use crate::service::emergency;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/crew", web::get().to(search_page))
        .route("/crew/search", web::post().to(search))
        .route(
            "/crew/lookups/{lookup_id}/registrants/{id}",
            web::get().to(summary),
        )
        .route("/crew/lookups/{lookup_id}/outcome", web::post().to(outcome));
}

/// What the crew typed, kept as typed so that a refused search loses nothing.
#[derive(Debug, Default, Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub incident_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub age: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub card_code: String,
}

#[derive(Template)]
#[template(path = "crew/search.html")]
struct SearchPage {
    l: Layout,
    f: SearchForm,
    errors: Errors,
    notice: Option<&'static str>,
}

impl SearchPage {
    fn sex_checked(&self, value: &str) -> bool {
        self.f.sex == value
    }
}

#[derive(Deserialize)]
pub struct SearchPageQuery {
    card: Option<String>,
    incident: Option<String>,
    reported: Option<String>,
}

/// `GET /crew` (`?card=CODE` fills in the card code: the card's QR code points here).
async fn search_page(signed: Signed, q: web::Query<SearchPageQuery>) -> WebResult {
    signed.user.require(Role::Paramedic)?;
    let q = q.into_inner();
    let f = SearchForm {
        card_code: q.card.unwrap_or_default().chars().take(20).collect(),
        incident_id: q.incident.unwrap_or_default().chars().take(64).collect(),
        ..Default::default()
    };
    Ok(super::ok(&SearchPage {
        l: Layout::new("救急隊 検索", &signed, "/crew"),
        f,
        errors: Errors::default(),
        notice: q.reported.map(|_| "結果を記録しました。"),
    }))
}

/// Form field of an API field path (`query.name` → `name`).
fn form_field(api_field: &str) -> String {
    match api_field {
        "query" => "query".into(),
        f => f.strip_prefix("query.").unwrap_or(f).to_owned(),
    }
}

/// Japanese for the search checks' messages (the rule stays the API's).
fn search_message(field: &str, message: &str) -> String {
    match field {
        "incident_id" => "事案番号を入力してください（英数字と - _ : . / のみ、64文字まで）。".into(),
        "query" => "名前・生年月日・年齢・性別・電話・住所・カード番号のどれか一つは入力してください。".into(),
        "birth_date" => format!("生年月日を読み取れません（例：昭和15年3月2日、S15.3.2、1940-03-02、1940）。（{message}）"),
        "age" => "年齢は0から130の数字で入力してください。".into(),
        "phone" => "電話番号は4桁以上の数字で入力してください。".into(),
        "card_code" => "カード番号が正しくありません（例：K7Q-4MX-9PD）。".into(),
        _ => format!("入力を確認してください（{message}）。"),
    }
}

#[derive(Template)]
#[template(path = "crew/results.html")]
struct ResultsPage {
    l: Layout,
    lookup_id: Uuid,
    incident_id: String,
    outcome: Outcome,
    items: Vec<CandidateView>,
}

impl ResultsPage {
    fn outcome_label(&self) -> &'static str {
        labels::outcome(self.outcome)
    }

    fn again_href(&self) -> String {
        format!(
            "/crew?incident={}",
            form_urlencoded::byte_serialize(self.incident_id.as_bytes()).collect::<String>()
        )
    }
}

struct CandidateView {
    href: String,
    name: String,
    kana: String,
    age: u32,
    birth: String,
    sex: &'static str,
    district: String,
}

/// `?incident=…` carried from page to page so the next search keeps it.
fn incident_query(incident: &str) -> String {
    format!(
        "incident={}",
        form_urlencoded::byte_serialize(incident.trim().as_bytes()).collect::<String>()
    )
}

fn view(
    c: &Candidate,
    lookup_id: Uuid,
    incident: &str,
    today: chrono::NaiveDate,
    districts: &HashMap<String, String>,
) -> CandidateView {
    CandidateView {
        href: format!(
            "/crew/lookups/{lookup_id}/registrants/{}?{}",
            c.registrant_id,
            incident_query(incident)
        ),
        name: format!("{} {}", c.family_name, c.given_name),
        kana: format!("{} {}", c.family_name_kana, c.given_name_kana),
        age: age_on(c.birth_date, today),
        birth: labels::date_with_era(c.birth_date),
        sex: labels::sex(c.sex),
        district: c
            .district_code
            .as_ref()
            .map(|code| districts.get(code).cloned().unwrap_or_else(|| code.clone()))
            .unwrap_or_else(|| "地区不明".into()),
    }
}

/// Names of the districts by code (to tell namesakes apart by where they live).
async fn district_names(state: &AppState) -> Result<HashMap<String, String>, ApiError> {
    Ok(super::district_names(state).await?.into_iter().collect())
}

/// `POST /crew/search`: a match opens the summary at once; candidates are listed.
async fn search(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed: Signed,
    form: web::Form<SearchForm>,
) -> WebResult {
    signed.check_csrf(&req, &form.csrf)?;
    signed.user.require(Role::Paramedic)?;
    let f = form.into_inner();
    let mut errors = Errors::default();
    let age = match opt(&f.age) {
        None => None,
        Some(a) => match a.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.add("age", search_message("age", ""));
                None
            }
        },
    };
    let sex = match f.sex.as_str() {
        "" => None,
        s => Sex::parse(s),
    };
    if errors.is_empty() {
        let request = SearchRequest {
            incident_id: f.incident_id.clone(),
            incident_district_code: None,
            query: SearchQuery {
                name: opt(&f.name),
                birth_date: opt(&f.birth_date),
                age,
                sex,
                phone: opt(&f.phone),
                address: opt(&f.address),
                card_code: opt(&f.card_code),
            },
        };
        match emergency::search(&state, &signed.user, request).await {
            Ok(found) => {
                if found.outcome == Outcome::Match {
                    if let Some(c) = found.candidates.first() {
                        return Ok(redirect(&format!(
                            "/crew/lookups/{}/registrants/{}?{}",
                            found.lookup_id,
                            c.registrant_id,
                            incident_query(&f.incident_id)
                        )));
                    }
                }
                let today = state.today();
                let districts = district_names(&state).await?;
                let items = found
                    .candidates
                    .iter()
                    .map(|c| view(c, found.lookup_id, &f.incident_id, today, &districts))
                    .collect();
                return Ok(super::ok(&ResultsPage {
                    l: Layout::new("検索結果", &signed, "/crew"),
                    lookup_id: found.lookup_id,
                    incident_id: f.incident_id.trim().to_owned(),
                    outcome: found.outcome,
                    items,
                }));
            }
            Err(ApiError::Unprocessable(list)) | Err(ApiError::BadRequest { errors: list, .. }) => {
                for e in list {
                    let field = form_field(&e.field);
                    let message = search_message(&field, &e.message);
                    errors.add(field, message);
                }
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &SearchPage {
            l: Layout::new("救急隊 検索", &signed, "/crew"),
            f,
            errors,
            notice: None,
        },
    ))
}

struct WishView {
    text: String,
    class: &'static str,
}

#[derive(Template)]
#[template(path = "crew/summary.html")]
struct SummaryPage {
    l: Layout,
    incident_id: String,
    s: EmergencySummary,
    name: String,
    kana: String,
    sex: &'static str,
    birth: String,
    wishes: Vec<WishView>,
    decision_date: String,
    decision_kind: &'static str,
    place_of_care: &'static str,
    place_of_death: &'static str,
    review_due: Option<String>,
    devices: Vec<&'static str>,
    living: &'static str,
    care_level: &'static str,
    district: String,
}

impl SummaryPage {
    fn tel(&self, phone: &str) -> String {
        labels::tel_href(phone)
    }
}

fn wish_view(treatment: &str, w: Wish) -> WishView {
    WishView {
        text: labels::wish_sentence(treatment, w),
        class: match w {
            Wish::NotWanted => "not",
            Wish::Wanted => "yes",
            Wish::Undecided => "undecided",
        },
    }
}

#[derive(Deserialize)]
pub struct SummaryQuery {
    incident: Option<String>,
}

/// `GET /crew/lookups/{lookup_id}/registrants/{id}`: the summary (audited).
async fn summary(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<(Uuid, Uuid)>,
    q: web::Query<SummaryQuery>,
) -> WebResult {
    let (lookup_id, id) = path.into_inner();
    let rules = emergency::LookupRules::of(&state);
    let user = signed.user.clone();
    let s = state
        .db(move |conn| emergency::summary(conn, &user, id, lookup_id, rules))
        .await?;
    let districts = district_names(&state).await?;
    let (wishes, decision_date, decision_kind, place_of_care, place_of_death, review_due) =
        match &s.care_decision {
            Some(d) => (
                vec![
                    wish_view("心肺蘇生", d.wishes.cpr),
                    wish_view("気管挿管", d.wishes.intubation),
                    wish_view("救急搬送", d.wishes.hospital_transport),
                    wish_view("人工栄養", d.wishes.artificial_nutrition),
                ],
                labels::date(d.discussed_on),
                labels::decision_kind(d.kind),
                labels::place(d.preferred_place_of_care),
                labels::place(d.preferred_place_of_death),
                d.review_due.map(labels::date),
            ),
            None => (Vec::new(), String::new(), "", "", "", None),
        };
    let i = &s.identity;
    let page = SummaryPage {
        l: Layout::new(
            format!("{} {}", i.family_name, i.given_name),
            &signed,
            "/crew",
        ),
        incident_id: q
            .into_inner()
            .incident
            .unwrap_or_default()
            .chars()
            .take(64)
            .collect(),
        name: format!("{} {}", i.family_name, i.given_name),
        kana: format!("{} {}", i.family_name_kana, i.given_name_kana),
        sex: labels::sex(i.sex),
        birth: labels::date_with_era(i.birth_date),
        wishes,
        decision_date,
        decision_kind,
        place_of_care,
        place_of_death,
        review_due,
        devices: s
            .medical
            .devices_and_procedures
            .iter()
            .map(|d| labels::device(*d))
            .collect(),
        living: labels::living_situation(s.living_situation),
        care_level: labels::care_level(s.care_level),
        district: i
            .address
            .district_code
            .as_ref()
            .map(|c| districts.get(c).cloned().unwrap_or_else(|| c.clone()))
            .unwrap_or_default(),
        s,
    };
    Ok(super::ok(&page))
}

#[derive(Deserialize)]
pub struct OutcomeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    incident_id: String,
}

/// `POST /crew/lookups/{lookup_id}/outcome`: 本人確認 / 別人 / 登録なし.
async fn outcome(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed: Signed,
    path: web::Path<Uuid>,
    form: web::Form<OutcomeForm>,
) -> WebResult {
    signed.check_csrf(&req, &form.csrf)?;
    let result = CrewResult::parse(&form.result).ok_or_else(|| {
        WebError::Api(ApiError::field(
            "result",
            "must be confirmed, wrong_person or not_registered",
        ))
    })?;
    let user = signed.user.clone();
    let lookup_id = path.into_inner();
    let offset = state.config.utc_offset();
    state
        .db(move |conn| emergency::report_outcome(conn, &user, lookup_id, result, offset))
        .await?;
    let incident: String = form
        .incident_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_:./".contains(*c))
        .take(64)
        .collect();
    Ok(redirect(&format!(
        "/crew?reported=1&{}",
        incident_query(&incident)
    )))
}
