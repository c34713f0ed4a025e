//! The HTTP side: routes, authentication, error bodies, and starting/stopping the server.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use frontdesk_core::hlc::system_millis;
use frontdesk_core::ids::DeviceId;
use frontdesk_core::sync::credentials::{DeviceCredential, Fingerprint};
use frontdesk_core::sync::protocol::{
    self, ClientMessage, EnrolRequest, Health, HubError, HubErrorCode, LiveEvent, MAX_BODY_BYTES, MAX_PULL_OPS,
    PullQuery, PushRequest, PushResponse,
};
use frontdesk_core::sync::site_secrets::{self, SiteSecrets};
use frontdesk_core::sync::validate;
use serde::de::DeserializeOwned;

use crate::alerting::{ConsoleHub, SiteSettings};
use crate::live::LiveHub;
use crate::store::{DeviceRecord, HubStore, PullPage, PushError, SqliteHubStore, StoreError};
use crate::supervision::Supervisor;
use crate::tls::{self, TlsIdentity};

/// What every request handler shares.
pub struct HubState<S> {
    pub store: S,
    pub live: LiveHub,
    /// The served certificate's fingerprint (what enrolment proofs are bound to); `None` on a
    /// plain-HTTP development hub.
    pub fingerprint: Option<Fingerprint>,
    /// Devices seen since the last flush to the store (kept in memory: writing on every
    /// request would cost a commit per request).
    seen: Mutex<HashMap<DeviceId, jiff::Timestamp>>,
    /// Alert changes for the guards' consoles, per site.
    pub consoles: ConsoleHub,
    /// Heartbeats and lost contact.
    pub supervisor: Supervisor,
    /// The site settings the hub published (escalation delay, numbers for cards).
    pub settings: SiteSettings,
    /// Each site as a kiosk sees it (visits, roll call), for the console.
    pub mirrors: crate::mirror::SiteMirrors,
}

impl<S: HubStore> HubState<S> {
    /// `data_dir` is the hub's data folder (the site mirrors live in it).
    pub fn new(store: S, fingerprint: Option<Fingerprint>, data_dir: &std::path::Path) -> Self {
        let consoles = ConsoleHub::default();
        let fanout = consoles.clone();
        store.set_alert_listener(Arc::new(move |updates| fanout.publish(updates)));
        HubState {
            store,
            live: LiveHub::default(),
            fingerprint,
            seen: Mutex::default(),
            consoles,
            supervisor: Supervisor::default(),
            settings: SiteSettings::default(),
            mirrors: crate::mirror::SiteMirrors::new(data_dir),
        }
    }

    /// Whether the hub serves over TLS (console cookies are then `Secure`).
    pub fn secure(&self) -> bool {
        self.fingerprint.is_some()
    }
}

pub fn now() -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(system_millis() as i64).unwrap_or_default()
}

/// A refusal or failure, answered as `{code, message}` with the code's HTTP status.
#[derive(Debug)]
pub struct Failure(pub HubError);

impl Failure {
    pub fn new(code: HubErrorCode, message: impl Into<String>) -> Self {
        Failure(HubError::new(code, message))
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(self.0)).into_response()
    }
}

impl From<HubError> for Failure {
    fn from(e: HubError) -> Self {
        Failure(e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        eprintln!("frontdesk-hub: {e}");
        Failure::new(HubErrorCode::Internal, "the hub could not use its database; see its log")
    }
}

impl From<PushError> for Failure {
    fn from(e: PushError) -> Self {
        match e {
            PushError::Refused(e) => Failure(e),
            PushError::Store(e) => e.into(),
        }
    }
}

/// Read a JSON body, turning every way it can be wrong into a clear refusal.
pub fn json_body<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, Failure> {
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Failure::new(HubErrorCode::PayloadTooLarge, format!("the body is larger than {MAX_BODY_BYTES} bytes"))
        } else {
            Failure::new(HubErrorCode::Malformed, rejection.body_text())
        }
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Failure::new(HubErrorCode::Malformed, format!("the body is not valid: {e}")))
}

/// The device a request comes from, from its `Authorization: Bearer <credential>` header.
pub struct Device(pub DeviceRecord);

impl<S: HubStore> FromRequestParts<Arc<HubState<S>>> for Device {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, hub: &Arc<HubState<S>>) -> Result<Self, Self::Rejection> {
        let unauthorized = |why: &str| Failure::new(HubErrorCode::Unauthorized, why.to_owned());
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| unauthorized("this route needs the device's credential (Authorization: Bearer …)"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or_else(|| unauthorized("the Authorization header must be \"Bearer <credential>\""))?;
        let id = DeviceCredential::device_of(token).ok_or_else(|| unauthorized("the credential is malformed"))?;
        let device = hub.store.device(id).await?;
        let device = match device {
            Some(d) if DeviceCredential::matches(token, &d.credential_hash) => d,
            _ => return Err(Failure::new(HubErrorCode::DeviceUnknown, "no device is enrolled with this credential")),
        };
        if let Some(at) = device.revoked_at {
            return Err(Failure::new(
                HubErrorCode::DeviceRevoked,
                format!("device {} was revoked at {at}", device.name),
            ));
        }
        hub.seen.lock().unwrap_or_else(|e| e.into_inner()).insert(device.id, now());
        hub.supervisor.heard(&device);
        Ok(Device(device))
    }
}

pub fn router<S: HubStore>(hub: Arc<HubState<S>>) -> Router {
    Router::new()
        .route(protocol::PATH_HEALTH, get(health))
        .route(protocol::PATH_ENROL, post(enrol::<S>))
        .route(protocol::PATH_OPS, post(push::<S>).get(pull::<S>))
        .route(protocol::PATH_LIVE, get(live::<S>))
        .route(site_secrets::PATH_SITE_SECRETS, post(exchange_site_secrets::<S>))
        .route(protocol::PATH_HEARTBEAT, post(heartbeat))
        .merge(crate::console::router::<S>())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(hub)
}

async fn health() -> axum::Json<Health> {
    axum::Json(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into(), api: protocol::API_VERSION })
}

async fn not_found() -> Failure {
    Failure::new(HubErrorCode::NotFound, "no such route on a Frontdesk hub")
}

async fn enrol<S: HubStore>(
    State(hub): State<Arc<HubState<S>>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<axum::Json<protocol::EnrolResponse>, Failure> {
    let request: EnrolRequest = json_body(body)?;
    Ok(axum::Json(crate::enrol::redeem(&hub, request, now()).await?))
}

async fn push<S: HubStore>(
    State(hub): State<Arc<HubState<S>>>,
    Device(device): Device,
    body: Result<Bytes, BytesRejection>,
) -> Result<axum::Json<PushResponse>, Failure> {
    let request: PushRequest = json_body(body)?;
    Ok(axum::Json(store_push(&hub, &device, request.ops).await?))
}

/// Check and store a device's batch (from `POST /v1/ops` or its live channel) and announce it.
async fn store_push<S: HubStore>(
    hub: &Arc<HubState<S>>,
    device: &DeviceRecord,
    ops: Vec<frontdesk_core::op::Op>,
) -> Result<PushResponse, Failure> {
    let pusher = device.pusher();
    validate::check_batch(&pusher, &ops, system_millis())?;
    // A kiosk's retention purge reaches the hub's copies too (see `retention`).
    let purge_before = ops
        .iter()
        .filter_map(|op| match &op.body {
            frontdesk_core::op::OpBody::RetentionPurged(b) => Some(b.before),
            _ => None,
        })
        .max();
    let outcome = hub.store.push(pusher, ops, now()).await?;
    if outcome.stored > 0 {
        hub.live.advance(&device.site, outcome.head);
    }
    if let Some(before) = purge_before {
        let (hub, site) = (hub.clone(), device.site.clone());
        tokio::spawn(async move {
            match crate::retention::purge(&hub.store, site, before).await {
                Ok(n) if n > 0 => eprintln!("frontdesk-hub: retention purge: {n} operation(s) redacted"),
                Ok(_) => {}
                Err(e) => eprintln!("frontdesk-hub: retention purge failed: {e}"),
            }
        });
    }
    Ok(PushResponse {
        stored: outcome.stored,
        duplicates: outcome.duplicates,
        device_seq: outcome.device_seq,
        head: outcome.head,
    })
}

/// `POST /v1/heartbeat`: a device whose live channel is down says it is alive (the `Device`
/// extractor records it). Never stored in the op log.
async fn heartbeat(Device(_device): Device) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "status": "alive" }))
}

/// A device offers the site secrets it holds; the hub keeps those the site lacks and answers
/// with the site's (see `frontdesk_core::sync::site_secrets`).
async fn exchange_site_secrets<S: HubStore>(
    State(hub): State<Arc<HubState<S>>>,
    Device(device): Device,
    body: Result<Bytes, BytesRejection>,
) -> Result<axum::Json<SiteSecrets>, Failure> {
    let offer: SiteSecrets = json_body(body)?;
    let offers = offer.decode().map_err(|e| Failure::new(HubErrorCode::Malformed, e))?;
    let offers = offers.into_iter().map(|(secret, bytes)| (secret.name().to_owned(), bytes)).collect();
    let held = hub.store.offer_site_secrets(device.site.clone(), offers, now()).await?;
    let mut answer = SiteSecrets::default();
    for (name, bytes) in held {
        // A secret this build does not know (from a newer hub version) is not handed out.
        if let Some(secret) = site_secrets::SiteSecret::from_name(&name) {
            answer.insert(secret, &bytes);
        }
    }
    Ok(axum::Json(answer))
}

async fn pull<S: HubStore>(
    State(hub): State<Arc<HubState<S>>>,
    Device(device): Device,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Response, Failure> {
    let Query(query) = query.map_err(|e| Failure::new(HubErrorCode::Malformed, e.body_text()))?;
    let limit = query.limit.unwrap_or(MAX_PULL_OPS as u32).clamp(1, MAX_PULL_OPS as u32);
    let page = hub.store.pull(device.site.clone(), device.id, query.after, query.at, limit).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], pull_body(&page)).into_response())
}

/// A `PullResponse` as JSON, with the stored ops spliced in as they are (they are the canonical
/// JSON the hub checked when they were pushed), so a page is served without parsing them.
fn pull_body(page: &PullPage) -> String {
    let size = page.ops.iter().map(|op| op.0.len() + 1).sum::<usize>() + 160;
    let mut body = String::with_capacity(size);
    let next_id = serde_json::to_string(&page.next_id).expect("an id serialises");
    body.push_str(&format!(
        "{{\"from\":{},\"next\":{},\"next_id\":{next_id},\"head\":{},\"device_seq\":{},\"ops\":[",
        page.from, page.next, page.head, page.device_seq
    ));
    for (i, op) in page.ops.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&op.0);
    }
    body.push_str("]}");
    body
}

async fn live<S: HubStore>(
    State(hub): State<Arc<HubState<S>>>,
    Device(device): Device,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<Response, Failure> {
    let upgrade = upgrade
        .map_err(|e| Failure::new(HubErrorCode::Malformed, e.body_text()))?
        .max_message_size(MAX_BODY_BYTES + 1024);
    // The channel starts from the site's head as stored, so its first event is accurate.
    let head = hub.store.head(device.site.clone()).await?;
    hub.live.advance(&device.site, head);
    Ok(upgrade.on_upgrade(move |socket| async move {
        let heard = || hub.supervisor.heard(&device);
        let answer = |message: ClientMessage| {
            let (hub, device) = (hub.clone(), device.clone());
            async move {
                match message {
                    ClientMessage::Heartbeat => LiveEvent::Alive,
                    ClientMessage::Push { id, ops } => match store_push(&hub, &device, ops).await {
                        Ok(r) => LiveEvent::Pushed {
                            id,
                            stored: r.stored,
                            duplicates: r.duplicates,
                            device_seq: r.device_seq,
                            head: r.head,
                        },
                        Err(Failure(error)) => LiveEvent::PushRefused { id, error },
                    },
                }
            }
        };
        hub.live.serve(socket, device.id, device.site.clone(), heard, answer).await
    }))
}

/// Picks up what other processes wrote into the database (the `enrol`, `devices revoke` and
/// `site publish` commands run beside the server): new ops are announced on the live channel,
/// revoked devices are cut off. Also writes when devices were last seen.
async fn watch_store<S: HubStore>(hub: Arc<HubState<S>>) {
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut rounds: u64 = 0;
    loop {
        tick.tick().await;
        rounds += 1;
        if let Ok(heads) = hub.store.heads().await {
            for (site, head) in heads {
                hub.live.advance(&site, head);
            }
        }
        let since = now() - jiff::SignedDuration::from_secs(2);
        if let Ok(revoked) = hub.store.revoked_since(since).await {
            for device in revoked {
                hub.live.revoke(device);
                hub.supervisor.forget(device);
            }
        }
        if rounds.is_multiple_of(20) {
            let seen: Vec<_> = hub.seen.lock().unwrap_or_else(|e| e.into_inner()).drain().collect();
            if let Err(e) = hub.store.record_last_seen(seen).await {
                eprintln!("frontdesk-hub: {e}");
            }
        }
    }
}

/// How the hub talks to devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// TLS with the certificate in the data folder (made on first start) or the one given.
    Tls { cert_and_key: Option<(PathBuf, PathBuf)> },
    /// Plain HTTP, for development only (`--insecure-dev`).
    InsecureDev,
}

#[derive(Debug, Clone)]
pub struct HubConfig {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub transport: Transport,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("cannot listen on {addr}: {detail}")]
    Listen { addr: SocketAddr, detail: String },
}

/// A hub serving in the background of the current Tokio runtime.
pub struct RunningHub {
    pub addr: SocketAddr,
    pub fingerprint: Option<Fingerprint>,
    pub state: Arc<HubState<SqliteHubStore>>,
    handle: axum_server::Handle<SocketAddr>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    watcher: tokio::task::JoinHandle<()>,
    /// Supervision of kiosk heartbeats and escalation of unacknowledged alerts.
    alerting: Vec<tokio::task::JoinHandle<()>>,
}

impl RunningHub {
    /// The address to give kiosks on this machine (`https://127.0.0.1:port` for a hub listening
    /// on all interfaces).
    pub fn url(&self) -> String {
        let scheme = if self.fingerprint.is_some() { "https" } else { "http" };
        let ip = if self.addr.ip().is_unspecified() { std::net::IpAddr::from([127, 0, 0, 1]) } else { self.addr.ip() };
        format!("{scheme}://{}", SocketAddr::new(ip, self.addr.port()))
    }

    /// Stop serving: open requests get `grace` to finish, live channels close at once.
    pub async fn shutdown(self, grace: Duration) {
        self.state.live.shut_down();
        self.handle.graceful_shutdown(Some(grace));
        let _ = self.server.await;
        self.watcher.abort();
        for task in self.alerting {
            task.abort();
        }
        let seen: Vec<_> = self.state.seen.lock().unwrap_or_else(|e| e.into_inner()).drain().collect();
        let _ = self.state.store.record_last_seen(seen).await;
    }
}

/// Open the data folder and start serving.
pub async fn start(config: HubConfig) -> Result<RunningHub, StartError> {
    let store = SqliteHubStore::open(&config.data_dir)?;
    let identity: Option<TlsIdentity> = match &config.transport {
        Transport::Tls { cert_and_key } => {
            Some(tls::load_or_create(&config.data_dir, cert_and_key.as_ref().map(|(c, k)| (c.as_path(), k.as_path())))?)
        }
        Transport::InsecureDev => None,
    };
    let fingerprint = identity.as_ref().map(|i| i.fingerprint);
    let state = Arc::new(HubState::new(store, fingerprint, &config.data_dir));
    let app = router(state.clone()).into_make_service();
    let handle = axum_server::Handle::new();
    let listen = config.listen;
    // Alerts and live-channel frames are small writes that must leave at once: with Nagle's
    // algorithm a second small write waits for the peer's delayed ACK (40 ms on Linux), which
    // is more than the whole alert latency budget.
    let no_delay = axum_server::accept::NoDelayAcceptor::new();
    let server = match &identity {
        Some(identity) => {
            let rustls = axum_server::tls_rustls::RustlsConfig::from_config(tls::server_config(identity)?);
            let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(rustls).acceptor(no_delay);
            tokio::spawn(axum_server::bind(listen).acceptor(acceptor).handle(handle.clone()).serve(app))
        }
        None => tokio::spawn(axum_server::bind(listen).acceptor(no_delay).handle(handle.clone()).serve(app)),
    };
    let Some(addr) = handle.listening().await else {
        let detail = match server.await {
            Ok(Err(e)) => e.to_string(),
            Ok(Ok(())) => "the server stopped at once".into(),
            Err(e) => e.to_string(),
        };
        return Err(StartError::Listen { addr: listen, detail });
    };
    let watcher = tokio::spawn(watch_store(state.clone()));
    let alerting = vec![
        tokio::spawn(crate::supervision::run(state.clone(), std::time::Instant::now())),
        tokio::spawn(crate::alerting::escalate(state.clone())),
    ];
    Ok(RunningHub { addr, fingerprint, state, handle, server, watcher, alerting })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoredOp;
    use frontdesk_core::hlc::Hlc;
    use frontdesk_core::ids::{DeviceId, OpId, SiteId, VisitId};
    use frontdesk_core::op::{Op, OpBody, VisitSignedOut};
    use frontdesk_core::sync::protocol::PullResponse;

    #[test]
    fn a_spliced_page_is_the_pull_response_the_protocol_defines() {
        let device = DeviceId::new();
        let op = Op {
            id: OpId::new(),
            hlc: Hlc { millis: 5, counter: 0, device },
            device,
            seq: 1,
            site: SiteId("s".into()),
            body: OpBody::VisitSignedOut(VisitSignedOut {
                visit_id: VisitId::new(),
                signed_out_at: jiff::Timestamp::UNIX_EPOCH,
            }),
        };
        let page = PullPage {
            from: 0,
            ops: vec![StoredOp(validate::op_json(&op)), StoredOp(validate::op_json(&op))],
            next: 7,
            next_id: Some(op.id),
            head: 9,
            device_seq: 3,
        };
        let parsed: PullResponse = serde_json::from_str(&pull_body(&page)).unwrap();
        assert_eq!(
            parsed,
            PullResponse { from: 0, ops: vec![op.clone(), op], next: 7, next_id: page.next_id, head: 9, device_seq: 3 }
        );
        let empty = PullPage { from: 4, ops: vec![], next: 4, next_id: None, head: 4, device_seq: 0 };
        let parsed: PullResponse = serde_json::from_str(&pull_body(&empty)).unwrap();
        assert!(parsed.ops.is_empty() && parsed.next_id.is_none());
    }
}
