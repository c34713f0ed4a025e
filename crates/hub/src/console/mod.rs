//! The guards' web console, served by the hub over its TLS: sign in (accounts made with
//! `frontdesk-hub guards add`), see the site's alerts live with their context, acknowledge and
//! resolve them, open the guard's emergency card, read the monthly report. Works in a phone
//! browser.
//!
//! The page is plain HTML, CSS and JavaScript embedded in the binary (`crates/hub/console/`):
//! no build step, no framework, nothing fetched from elsewhere, one strict CSP. Its text comes
//! from the same Fluent catalogues as the kiosk (`GET /console/api/messages`), so it speaks
//! zh-CN and English. Pages are registered in `console.js` (`PAGES`): alerts, the evacuation
//! roll call (`rollcall.rs`) and the report.
//!
//! Every change the console asks for is a JSON POST with the session's CSRF token in
//! `X-CSRF-Token`, from the hub's own origin; the session cookie is HttpOnly, SameSite=Strict
//! and (over TLS) Secure with the `__Host-` prefix. Visitors' personal data in alert context
//! reaches only signed-in guards and is never logged.

pub mod auth;
pub mod feed;
pub mod rollcall;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use frontdesk_core::alert::{AlertActor, AlertOutcome, AlertRefusal};
use frontdesk_core::cards::Scenario;
use frontdesk_core::i18n::Lang;
use frontdesk_core::ids::AlertId;
use serde::Deserialize;

use crate::server::{HubState, now};
use crate::store::{AlertUpdate, AlertWrite, AlertWriteError, HubStore, StoreError};
use auth::GuardSession;

const PAGE: &str = include_str!("../../console/index.html");
const SCRIPT: &str = include_str!("../../console/console.js");
const STYLE: &str = include_str!("../../console/console.css");

/// Message ids the console uses (the catalogues hold them under these prefixes).
const MESSAGE_PREFIXES: &[&str] = &[
    "console-",
    "alert-kind-",
    "alert-level-",
    "alert-trigger-",
    "alert-state-",
    "alert-outcome-",
    "alert-what-",
    "role-",
    "call-",
    "card-",
    "lang-",
    "rollcall-status-",
];

/// A refusal, as `{code, message}` with its status. The console shows its own translation of
/// `code` (`console-error-<code>`).
#[derive(Debug)]
pub struct ConsoleError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ConsoleError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ConsoleError { status, code, message: message.into() }
    }

    pub fn unauthorized() -> Self {
        ConsoleError::new(StatusCode::UNAUTHORIZED, "unauthorized", "sign in first")
    }

    pub fn malformed(message: impl Into<String>) -> Self {
        ConsoleError::new(StatusCode::BAD_REQUEST, "malformed", message)
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "code": self.code, "message": self.message });
        (self.status, [(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
    }
}

impl From<StoreError> for ConsoleError {
    fn from(e: StoreError) -> Self {
        eprintln!("frontdesk-hub: console: {e}");
        ConsoleError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the hub could not use its database")
    }
}

impl From<AlertWriteError> for ConsoleError {
    fn from(e: AlertWriteError) -> Self {
        match e {
            AlertWriteError::Store(e) => e.into(),
            AlertWriteError::Refused(refusal) => {
                let code = match refusal {
                    AlertRefusal::NotFound => "alert_not_found",
                    AlertRefusal::Ended => "alert_ended",
                    AlertRefusal::NotAcknowledged => "alert_not_acknowledged",
                    _ => "alert_not_cancellable",
                };
                let status = if code == "alert_not_found" { StatusCode::NOT_FOUND } else { StatusCode::CONFLICT };
                ConsoleError::new(status, code, refusal.to_string())
            }
        }
    }
}

/// Parse a JSON body strictly.
pub fn json<T: serde::de::DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, ConsoleError> {
    let bytes = body.map_err(|e| ConsoleError::malformed(e.body_text()))?;
    serde_json::from_slice(&bytes).map_err(|e| ConsoleError::malformed(format!("the body is not valid: {e}")))
}

pub fn router<S: HubStore>() -> Router<Arc<HubState<S>>> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/console") }))
        .route("/console", get(page))
        .route("/console/", get(page))
        .route("/console/console.js", get(script))
        .route("/console/console.css", get(style))
        .route("/console/api/messages", get(messages))
        .route("/console/api/login", post(auth::login::<S>))
        .route("/console/api/logout", post(auth::logout::<S>))
        .route("/console/api/me", get(auth::me::<S>))
        .route("/console/api/alerts", get(alerts::<S>))
        .route("/console/api/alerts/{id}/acknowledge", post(acknowledge::<S>))
        .route("/console/api/alerts/{id}/resolve", post(resolve::<S>))
        .route("/console/api/live", get(feed::live::<S>))
        .route("/console/api/card", get(card::<S>))
        .route("/console/api/report", get(report::<S>))
        .route("/console/api/rollcall", get(rollcall::show::<S>))
        .route("/console/api/rollcall/mark", post(rollcall::mark::<S>))
        .route("/console/api/evacuation", post(rollcall::start::<S>))
        .route("/console/api/evacuation/end", post(rollcall::end::<S>))
        .layer(axum::middleware::map_response(security_headers))
}

/// Every console response: nothing from elsewhere, no framing, no sniffing, no referrer.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    response
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}

async fn page() -> Response {
    asset("text/html; charset=utf-8", PAGE)
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE)
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

fn lang_of(tag: Option<&str>) -> Lang {
    match tag {
        Some(t) if Lang::from_locale(t) == Lang::ZhCn => Lang::ZhCn,
        Some(_) => Lang::En,
        None => Lang::ZhCn,
    }
}

/// The console's text in one language: message id → template with `{$name}` placeholders.
async fn messages(Query(q): Query<LangQuery>) -> Response {
    let lang = lang_of(q.lang.as_deref());
    let templates = frontdesk_core::catalog::templates(lang, MESSAGE_PREFIXES);
    ([(header::CACHE_CONTROL, "no-cache")], axum::Json(templates)).into_response()
}

#[derive(serde::Serialize)]
struct AlertList {
    /// Ask the live feed for changes after this.
    cursor: u64,
    alerts: Vec<AlertUpdate>,
}

/// The site's open alerts and those of the last 24 hours, with the cursor to follow from.
async fn alerts<S: HubStore>(
    State(hub): State<Arc<HubState<S>>>,
    session: GuardSession,
) -> Result<Response, ConsoleError> {
    let since = now() - jiff::SignedDuration::from_hours(24);
    let (cursor, alerts) = hub.store.alerts_since(session.guard.site.clone(), since).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], axum::Json(AlertList { cursor, alerts })).into_response())
}

fn alert_id(raw: &str) -> Result<AlertId, ConsoleError> {
    raw.parse().map_err(|_| ConsoleError::new(StatusCode::NOT_FOUND, "alert_not_found", "no such alert"))
}

fn actor(session: &GuardSession) -> AlertActor {
    AlertActor {
        kind: frontdesk_core::alert::ActorKind::Guard,
        id: session.guard.login.clone(),
        name: session.guard.name.clone(),
    }
}

async fn acknowledge<S: HubStore>(
    State(hub): State<Arc<HubState<S>>>,
    session: GuardSession,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ConsoleError> {
    auth::require_change(&headers, &session)?;
    let id = alert_id(&id)?;
    let write = AlertWrite::Acknowledge { alert: id, by: actor(&session) };
    let written = crate::alerting::guard_action(&hub, &session.guard.site, write, session.actor()).await?;
    answer_alert(&hub, &session, id, written.update).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Resolve {
    outcome: AlertOutcome,
    note: String,
}

async fn resolve<S: HubStore>(
    State(hub): State<Arc<HubState<S>>>,
    session: GuardSession,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    auth::require_change(&headers, &session)?;
    let id = alert_id(&id)?;
    let request: Resolve = json(body)?;
    if request.outcome == AlertOutcome::ContactRestored {
        return Err(ConsoleError::malformed("contact_restored is the hub's own outcome"));
    }
    let note = request.note.trim().to_owned();
    if note.chars().count() > frontdesk_core::alert::NOTE_MAX_CHARS
        || note.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Err(ConsoleError::new(StatusCode::UNPROCESSABLE_ENTITY, "note_invalid", "the note is too long"));
    }
    let write = AlertWrite::Resolve { alert: id, outcome: request.outcome, note, by: actor(&session) };
    let written = crate::alerting::guard_action(&hub, &session.guard.site, write, session.actor()).await?;
    answer_alert(&hub, &session, id, written.update).await
}

/// The alert as it is now (after an action that may have written nothing).
async fn answer_alert<S: HubStore>(
    hub: &HubState<S>,
    session: &GuardSession,
    id: AlertId,
    update: Option<AlertUpdate>,
) -> Result<Response, ConsoleError> {
    let alert = match update {
        Some(update) => update.alert,
        None => hub
            .store
            .alert(session.guard.site.clone(), id)
            .await?
            .and_then(|r| r.view())
            .ok_or_else(|| ConsoleError::new(StatusCode::NOT_FOUND, "alert_not_found", "no such alert"))?,
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], axum::Json(alert)).into_response())
}

#[derive(Deserialize)]
struct CardQuery {
    scenario: Scenario,
    lang: Option<String>,
}

/// The guard's emergency card for a scenario (opened on acknowledgement), with the site's
/// numbers and places as the hub published them.
async fn card<S: HubStore>(
    State(hub): State<Arc<HubState<S>>>,
    session: GuardSession,
    query: Result<Query<CardQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ConsoleError> {
    let Query(q) = query.map_err(|e| ConsoleError::malformed(e.body_text()))?;
    let site = hub.settings.or_default(&hub.store, &session.guard.site).await;
    // The site's cards as its kiosks show them: the built-in ones, replaced by those the hub
    // published (`frontdesk-hub cards publish`).
    let published = hub
        .mirrors
        .read(&hub.store, &session.guard.site, |r| r.authored_docs(frontdesk_core::storage::AUTHORED_CARDS))
        .await?;
    let library = frontdesk_core::cards::CardLibrary::open_with(None, false, published);
    let cards = library.cards();
    let role = session.guard.role.card_role();
    let tz = jiff::tz::TimeZone::get(&site.site.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let today = now().to_zoned(tz).date();
    let view =
        frontdesk_core::cards::card_view(cards, cards.get(role, q.scenario), &site, lang_of(q.lang.as_deref()), today);
    Ok(axum::Json(view).into_response())
}

#[derive(Deserialize)]
struct ReportQuery {
    month: String,
}

/// The monthly alert report: alerts, false alarms per trigger, time to acknowledge, drills.
async fn report<S: HubStore>(
    State(hub): State<Arc<HubState<S>>>,
    session: GuardSession,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ConsoleError> {
    let (year, month) = frontdesk_core::alert::parse_month(&q.month).ok_or_else(|| {
        ConsoleError::new(StatusCode::UNPROCESSABLE_ENTITY, "month_invalid", "give the month as YYYY-MM")
    })?;
    let report = monthly_report(&hub, &session.guard.site, year, month).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], axum::Json(report)).into_response())
}

/// The report for a site and month (the console and `frontdesk-hub alerts report`).
pub async fn monthly_report<S: HubStore>(
    hub: &HubState<S>,
    site: &frontdesk_core::ids::SiteId,
    year: i16,
    month: i8,
) -> Result<frontdesk_core::alert::AlertReport, StoreError> {
    let settings = hub.settings.or_default(&hub.store, site).await;
    report_for(&hub.store, site, &settings.site.timezone, year, month).await
}

/// The report for a site and month in time zone `timezone`, straight from a store.
pub async fn report_for<S: HubStore>(
    store: &S,
    site: &frontdesk_core::ids::SiteId,
    timezone: &str,
    year: i16,
    month: i8,
) -> Result<frontdesk_core::alert::AlertReport, StoreError> {
    let tz = jiff::tz::TimeZone::get(timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let first = jiff::civil::Date::new(year, month, 1).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let start = first.to_zoned(tz.clone()).map_err(|e| StoreError::Corrupt(e.to_string()))?.timestamp();
    // A day either side: raise times are the raising desks' clocks; the report sorts by zone.
    let from = start - jiff::SignedDuration::from_hours(24);
    let to = start + jiff::SignedDuration::from_hours(24 * 33);
    let records = store.alert_records(site.clone(), from, to).await?;
    Ok(frontdesk_core::alert::monthly_report(&records, &tz, timezone, year, month))
}
