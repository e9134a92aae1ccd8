//! The web application at `/`: server-rendered Japanese pages for crews, care
//! managers and administrators. Templates (askama) and assets are compiled into
//! the binary; pages call the same functions as the REST handlers, so the rules,
//! authorization and audit are the API's. Every page is sent with a strict
//! Content-Security-Policy (no inline script or style) and `Cache-Control:
//! no-store`; sessions live in the database (see [`session`]).

pub mod admin;
pub mod care;
pub mod charts;
pub mod crew;
pub mod labels;
pub mod manage;
pub mod session;

use std::sync::OnceLock;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use askama::Template;

use crate::domain::Role;
use crate::error::ApiError;
pub use session::Signed;

/// The Content-Security-Policy of every page: only this origin's script and
/// style files, no inline code, no framing, forms only to this origin.
pub const CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const CSS: &str = include_str!("assets/app.css");
const JS: &str = include_str!("assets/app.js");

/// Version of the embedded assets (a hash of their contents), part of their
/// URL so that they can be cached for good.
pub fn asset_version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(CSS.as_bytes());
        h.update(JS.as_bytes());
        hex::encode(&h.finalize()[..6])
    })
}

/// Registers every page.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/assets/{version}/{file}", web::get().to(asset))
        .route("/", web::get().to(home))
        .route("/login", web::get().to(session::login_page))
        .route("/login", web::post().to(session::login_submit))
        .route("/logout", web::post().to(session::logout))
        .route("/mfa", web::get().to(session::mfa_page))
        .route("/mfa/enrol", web::post().to(session::mfa_enrol))
        .route("/mfa/confirm", web::post().to(session::mfa_confirm));
    crew::configure(cfg);
    care::configure(cfg);
    admin::configure(cfg);
    manage::configure(cfg);
}

async fn asset(path: web::Path<(String, String)>) -> HttpResponse {
    let (version, file) = path.into_inner();
    let (body, kind) = match file.as_str() {
        "app.css" => (CSS, "text/css; charset=utf-8"),
        "app.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return not_found_page(),
    };
    let cache = if version == asset_version() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, kind))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(body)
}

/// `/`: each role's first page.
async fn home(signed: Signed) -> HttpResponse {
    redirect(home_of(signed.user.role))
}

/// Where a role starts.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Paramedic => "/crew",
        Role::CareManager => "/registrants",
        Role::Admin => "/admin",
    }
}

/// A `303 See Other` to a path of this site.
pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// One link of the navigation bar.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What the frame of every page needs.
pub struct Layout {
    pub title: String,
    pub assets: &'static str,
    /// Empty when nobody is signed in (no navigation, no sign-out).
    pub nav: Vec<NavItem>,
    pub csrf: String,
    pub who: String,
}

impl Layout {
    /// The frame of a signed-in page; `current` is the path of its navigation entry.
    pub fn new(title: impl Into<String>, signed: &Signed, current: &str) -> Self {
        let items: &[(&'static str, &'static str)] = if signed.enrol_only {
            &[]
        } else {
            match signed.user.role {
                Role::Paramedic => &[("/crew", "検索")],
                Role::CareManager => &[
                    ("/registrants", "登録者一覧"),
                    ("/registrants/new", "新規登録"),
                ],
                Role::Admin => &[
                    ("/admin", "ダッシュボード"),
                    ("/admin/organizations", "組織"),
                    ("/admin/users", "利用者"),
                    ("/admin/districts", "地区"),
                    ("/admin/audit", "監査ログ"),
                ],
            }
        };
        let mut nav: Vec<NavItem> = items
            .iter()
            .map(|(href, label)| NavItem {
                href,
                label,
                current: *href == current,
            })
            .collect();
        nav.push(NavItem {
            href: "/mfa",
            label: "二段階認証",
            current: current == "/mfa",
        });
        Layout {
            title: title.into(),
            assets: asset_version(),
            nav,
            csrf: signed.csrf.clone(),
            who: labels::role(signed.user.role).to_owned(),
        }
    }

    /// The frame of a page shown to nobody in particular (sign-in, errors).
    pub fn public(title: impl Into<String>) -> Self {
        Layout {
            title: title.into(),
            assets: asset_version(),
            nav: Vec::new(),
            csrf: String::new(),
            who: String::new(),
        }
    }
}

/// Renders a page with the security headers every page carries.
pub fn render(status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(html) => HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
            .body(html),
        Err(e) => {
            tracing::error!(cause = %e, "template failed");
            HttpResponse::InternalServerError()
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .finish()
        }
    }
}

/// `200 OK` with `page`.
pub fn ok(page: &impl Template) -> HttpResponse {
    render(StatusCode::OK, page)
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    heading: &'static str,
    message: String,
}

fn error_page(status: StatusCode, heading: &'static str, message: String) -> HttpResponse {
    render(
        status,
        &ErrorPage {
            l: Layout::public(heading),
            heading,
            message,
        },
    )
}

/// The 404 page: also what a person of another organization gets.
pub fn not_found_page() -> HttpResponse {
    error_page(
        StatusCode::NOT_FOUND,
        "ページが見つかりません",
        "お探しのページ（または記録）は見つからないか、表示する権限がありません。".into(),
    )
}

/// The default service for paths nobody registered: an HTML page for browsers,
/// the problem document for the API and other clients.
pub async fn fallback(req: HttpRequest) -> HttpResponse {
    let wants_html = !req.path().starts_with("/api/")
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    if wants_html {
        not_found_page()
    } else {
        ApiError::NotFound.error_response()
    }
}

/// What a page handler can fail with; shown as a page, never as JSON.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    Api(#[from] ApiError),
    /// Not signed in (or the session ended): go to the sign-in page.
    #[error("sign-in required")]
    SignIn { next: String, expired: bool },
    /// Only the second-factor enrolment is open to this session.
    #[error("second factor enrolment required")]
    Enrol,
    /// The form's token or origin was wrong.
    #[error("cross-site request refused")]
    Csrf,
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            WebError::Api(e) => e.status_code(),
            WebError::SignIn { .. } | WebError::Enrol => StatusCode::SEE_OTHER,
            WebError::Csrf => StatusCode::FORBIDDEN,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            WebError::SignIn { next, expired } => {
                let mut to = String::from("/login?");
                if *expired {
                    to.push_str("expired=1&");
                }
                to.push_str("next=");
                to.push_str(&form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
                let mut res = redirect(&to);
                if *expired {
                    let _ = res.add_removal_cookie(&session::removal_cookie());
                }
                res
            }
            WebError::Enrol => redirect("/mfa"),
            WebError::Csrf => error_page(
                StatusCode::FORBIDDEN,
                "送信を受け付けられませんでした",
                "このフォームは古いか、別のサイトから送られました。ページを開き直してからもう一度送信してください。"
                    .into(),
            ),
            WebError::Api(e) => match e {
                ApiError::NotFound => not_found_page(),
                ApiError::Unauthorized(_) => WebError::SignIn {
                    next: "/".into(),
                    expired: true,
                }
                .error_response(),
                ApiError::Forbidden => error_page(
                    StatusCode::FORBIDDEN,
                    "この画面は使えません",
                    "あなたの役割ではこの画面を使えません。".into(),
                ),
                ApiError::MfaEnrolmentRequired => redirect("/mfa"),
                ApiError::TooManyRequests { retry_after_secs } => {
                    let mut res = error_page(
                        StatusCode::TOO_MANY_REQUESTS,
                        "検索が多すぎます",
                        format!("{retry_after_secs}秒ほど待ってからもう一度検索してください。"),
                    );
                    if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                        res.headers_mut().insert(header::RETRY_AFTER, v);
                    }
                    res
                }
                ApiError::Unavailable(cause) => {
                    tracing::warn!(%cause, "database unavailable");
                    error_page(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "ただいま利用できません",
                        "データベースに接続できません。少し待ってからもう一度お試しください。".into(),
                    )
                }
                ApiError::Internal(cause) => {
                    tracing::error!(%cause, "page failed");
                    error_page(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "エラーが発生しました",
                        "予期しないエラーが発生しました。記録されています。もう一度お試しください。".into(),
                    )
                }
                other => error_page(
                    other.status_code(),
                    "処理できませんでした",
                    other.problem().detail,
                ),
            },
        }
    }
}

/// Result of a page handler.
pub type WebResult = Result<HttpResponse, WebError>;

/// Field errors by form field, for showing each message next to its field.
#[derive(Debug, Default)]
pub struct Errors(pub Vec<(String, String)>);

impl Errors {
    /// The message for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Whether `field` has an error (for `aria-invalid`).
    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }
}

/// The districts (code, name), for pickers and for naming a district.
pub async fn district_names(
    state: &crate::app::AppState,
) -> Result<Vec<(String, String)>, ApiError> {
    state
        .db(|conn| {
            Ok(crate::db::districts::list(conn)?
                .into_iter()
                .map(|d| (d.code, d.name))
                .collect())
        })
        .await
}

/// Trims a form value; `None` when empty.
pub fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}
