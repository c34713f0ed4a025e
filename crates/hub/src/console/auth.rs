//! Guard accounts and console sessions.
//!
//! - Accounts are made on the hub's command line (`frontdesk-hub guards add`); passwords are
//!   kept only as Argon2id hashes (the same hashing as the kiosk's PINs).
//! - Five wrong passwords in a row lock an account for five minutes; an unknown login costs
//!   the same time as a known one, so answers do not tell which logins exist.
//! - A session is a random 256-bit token in a cookie (`HttpOnly`, `SameSite=Strict`, and over
//!   TLS `Secure` with the `__Host-` prefix); the hub keeps only its SHA-256. Sessions last a
//!   shift (12 hours).
//! - Every change needs the session's CSRF token in `X-CSRF-Token`, and a request from another
//!   origin (by its `Origin` header) is refused.
//! - Every sign-in, refusal and sign-out is in the hub's audit trail.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use frontdesk_core::audit::{AuditAction, NewAuditEntry};
use frontdesk_core::ids::SiteId;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{ConsoleError, json};
use crate::server::{HubState, now};
use crate::store::{GuardRecord, GuardRole, HubStore, SessionRecord, StoreError};

/// How long a console session lasts.
pub const SESSION_HOURS: i64 = 12;
pub const MAX_FAILED_LOGINS: u32 = 5;
pub const LOCKOUT_MINUTES: i64 = 5;
pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 128;

fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-fd_console" } else { "fd_console" }
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Equal strings, compared without an early exit.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error("the login must be 3-32 lowercase letters, digits, '.', '_' or '-'")]
    BadLogin,
    #[error("the name must be 1-64 characters without control characters")]
    BadName,
    #[error("the site id must be 1-64 lowercase letters, digits or '-', as in the site file")]
    BadSite,
    #[error("the password must be {PASSWORD_MIN_CHARS}-{PASSWORD_MAX_CHARS} characters")]
    BadPassword,
    #[error("a guard with login {0:?} exists already")]
    Taken(String),
    #[error("no guard with login {0:?}")]
    Unknown(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn check_password(password: &str) -> Result<(), GuardError> {
    let n = password.chars().count();
    if !(PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&n) || password.chars().any(char::is_control) {
        return Err(GuardError::BadPassword);
    }
    Ok(())
}

/// Add a guard account (the `guards add` command).
pub async fn add_guard<S: HubStore>(
    store: &S,
    login: &str,
    site: &SiteId,
    name: &str,
    role: GuardRole,
    password: &str,
) -> Result<GuardRecord, GuardError> {
    let login = login.trim();
    if !(3..=32).contains(&login.len())
        || !login.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        return Err(GuardError::BadLogin);
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(GuardError::BadName);
    }
    if !crate::enrol::valid_site_id(&site.0) {
        return Err(GuardError::BadSite);
    }
    check_password(password)?;
    let password_hash = hash_password(password).await;
    let guard = GuardRecord {
        login: login.to_owned(),
        site: site.clone(),
        name: name.to_owned(),
        role,
        password_hash,
        disabled: false,
        failed_logins: 0,
        locked_until: None,
        created_at: now(),
    };
    if !store.insert_guard(guard.clone()).await? {
        return Err(GuardError::Taken(login.to_owned()));
    }
    store
        .audit(
            NewAuditEntry {
                actor: "cli".into(),
                action: AuditAction::GuardAccountChanged,
                subject: login.to_owned(),
                details: serde_json::json!({ "change": "added", "site": site.0, "role": role.as_str() }),
            },
            now(),
        )
        .await?;
    Ok(guard)
}

/// Set a new password, or disable/enable an account (the `guards` commands). Either ends the
/// guard's open sessions.
pub async fn change_guard<S: HubStore>(
    store: &S,
    login: &str,
    password: Option<&str>,
    disabled: Option<bool>,
) -> Result<GuardRecord, GuardError> {
    let mut guard = store.guard(login.to_owned()).await?.ok_or_else(|| GuardError::Unknown(login.to_owned()))?;
    if let Some(password) = password {
        check_password(password)?;
        guard.password_hash = hash_password(password).await;
        guard.failed_logins = 0;
        guard.locked_until = None;
    }
    if let Some(disabled) = disabled {
        guard.disabled = disabled;
    }
    store.update_guard(guard.clone()).await?;
    let change = match (password, disabled) {
        (Some(_), _) => "password",
        (None, Some(true)) => "disabled",
        _ => "enabled",
    };
    store
        .audit(
            NewAuditEntry {
                actor: "cli".into(),
                action: AuditAction::GuardAccountChanged,
                subject: guard.login.clone(),
                details: serde_json::json!({ "change": change }),
            },
            now(),
        )
        .await?;
    Ok(guard)
}

async fn hash_password(password: &str) -> String {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || frontdesk_core::pin::hash_pin(&password)).await.expect("hashing does not panic")
}

async fn verify_password(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || frontdesk_core::pin::verify_pin(&hash, &password)).await.unwrap_or(false)
}

/// A hash no password matches, verified when the login is unknown so that costs the same.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| frontdesk_core::pin::hash_pin(&random_token()))
}

/// A request from another origin is refused (the `Origin` header, when the browser sends one,
/// must name this hub as the request's `Host`).
fn same_origin(headers: &HeaderMap) -> Result<(), ConsoleError> {
    let Some(origin) = headers.get(header::ORIGIN) else { return Ok(()) };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let origin = origin.to_str().unwrap_or_default();
    let matches = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://")) == Some(host);
    if matches && !host.is_empty() {
        Ok(())
    } else {
        Err(ConsoleError::new(StatusCode::FORBIDDEN, "forbidden", "requests must come from the console's own page"))
    }
}

/// The signed-in guard of a request (from the session cookie).
pub struct GuardSession {
    pub guard: GuardRecord,
    pub session: SessionRecord,
}

impl GuardSession {
    /// The actor name in the hub's audit trail.
    pub fn actor(&self) -> String {
        format!("guard:{}", self.guard.login)
    }
}

fn session_token(headers: &HeaderMap, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name && !v.is_empty()).then(|| v.to_owned())
    })
}

impl<S: HubStore> FromRequestParts<Arc<HubState<S>>> for GuardSession {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, hub: &Arc<HubState<S>>) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers, hub.secure()).ok_or_else(ConsoleError::unauthorized)?;
        let (session, guard) =
            hub.store.session(token_hash(&token), now()).await?.ok_or_else(ConsoleError::unauthorized)?;
        Ok(GuardSession { guard, session })
    }
}

/// A request that changes something: same origin and the session's CSRF token.
pub fn require_change(headers: &HeaderMap, session: &GuardSession) -> Result<(), ConsoleError> {
    same_origin(headers)?;
    let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !same(sent, &session.session.csrf) {
        return Err(ConsoleError::new(StatusCode::FORBIDDEN, "forbidden", "the request lacks the console's token"));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub login: String,
    pub password: String,
}

/// Who is signed in, and the token changes must carry.
#[derive(Serialize)]
pub struct Me {
    pub login: String,
    pub name: String,
    pub role: GuardRole,
    pub site: String,
    pub csrf: String,
    /// Whose emergency cards the guard opens.
    pub card_role: frontdesk_core::cards::Role,
    /// The site's time zone: times are shown in it.
    pub timezone: String,
}

async fn me_of<S: HubStore>(hub: &HubState<S>, guard: &GuardRecord, csrf: &str) -> Me {
    let settings = hub.settings.or_default(&hub.store, &guard.site).await;
    Me {
        login: guard.login.clone(),
        name: guard.name.clone(),
        role: guard.role,
        site: guard.site.0.clone(),
        csrf: csrf.to_owned(),
        card_role: guard.role.card_role(),
        timezone: settings.site.timezone.clone(),
    }
}

pub async fn login<S: HubStore>(
    State(hub): State<Arc<HubState<S>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    same_origin(&headers)?;
    let request: Login = json(body)?;
    let at = now();
    let refused = || ConsoleError::new(StatusCode::UNAUTHORIZED, "login_refused", "wrong login or password");
    let guard = if request.login.len() <= 64 { hub.store.guard(request.login.trim().to_owned()).await? } else { None };
    let Some(mut guard) = guard else {
        let _ = verify_password(decoy_hash().to_owned(), request.password).await;
        // Not the text typed: a login field sometimes receives a password by mistake.
        audit_login(&hub, "?", AuditAction::GuardLoginFailed, "unknown login").await?;
        return Err(refused());
    };
    if let Some(until) = guard.locked_until.filter(|until| *until > at) {
        audit_login(&hub, &guard.login, AuditAction::GuardLoginFailed, "locked").await?;
        let minutes = (until.as_second() - at.as_second() + 59) / 60;
        return Err(ConsoleError::new(StatusCode::TOO_MANY_REQUESTS, "login_locked", format!("{minutes}")));
    }
    let good = verify_password(guard.password_hash.clone(), request.password).await;
    if !good || guard.disabled {
        guard.failed_logins += 1;
        let mut reason = if guard.disabled { "disabled" } else { "password" };
        if guard.failed_logins >= MAX_FAILED_LOGINS {
            guard.failed_logins = 0;
            guard.locked_until = Some(at + jiff::SignedDuration::from_mins(LOCKOUT_MINUTES));
            reason = "locked now";
        }
        hub.store.update_guard(guard.clone()).await?;
        audit_login(&hub, &guard.login, AuditAction::GuardLoginFailed, reason).await?;
        return Err(refused());
    }
    if guard.failed_logins > 0 || guard.locked_until.is_some() {
        guard.failed_logins = 0;
        guard.locked_until = None;
        hub.store.update_guard(guard.clone()).await?;
    }
    let token = random_token();
    let session = SessionRecord {
        token_hash: token_hash(&token),
        login: guard.login.clone(),
        csrf: random_token(),
        created_at: at,
        expires_at: at + jiff::SignedDuration::from_hours(SESSION_HOURS),
    };
    hub.store.create_session(session.clone()).await?;
    audit_login(&hub, &guard.login, AuditAction::GuardLogin, "ok").await?;
    let secure = if hub.secure() { "; Secure" } else { "" };
    let cookie = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        cookie_name(hub.secure()),
        SESSION_HOURS * 3600
    );
    Ok((
        [(header::SET_COOKIE, cookie), (header::CACHE_CONTROL, "no-store".to_owned())],
        axum::Json(me_of(&hub, &guard, &session.csrf).await),
    )
        .into_response())
}

async fn audit_login<S: HubStore>(
    hub: &HubState<S>,
    login: &str,
    action: AuditAction,
    result: &str,
) -> Result<(), StoreError> {
    // Only logins of existing accounts (and "?" for unknown ones) reach here; bounded anyway.
    let shown: String = login.chars().filter(|c| !c.is_control()).take(64).collect();
    hub.store
        .audit(
            NewAuditEntry {
                actor: format!("guard:{shown}"),
                action,
                subject: shown,
                details: serde_json::json!({ "result": result }),
            },
            now(),
        )
        .await
}

pub async fn logout<S: HubStore>(
    State(hub): State<Arc<HubState<S>>>,
    headers: HeaderMap,
    session: GuardSession,
) -> Result<Response, ConsoleError> {
    require_change(&headers, &session)?;
    hub.store.delete_session(session.session.token_hash.clone()).await?;
    audit_login(&hub, &session.guard.login, AuditAction::GuardLogout, "ok").await?;
    let secure = if hub.secure() { "; Secure" } else { "" };
    let cookie = format!("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}", cookie_name(hub.secure()));
    Ok(([(header::SET_COOKIE, cookie)], StatusCode::NO_CONTENT).into_response())
}

pub async fn me<S: HubStore>(State(hub): State<Arc<HubState<S>>>, session: GuardSession) -> Response {
    let me = me_of(&hub, &session.guard, &session.session.csrf).await;
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(me)).into_response()
}
