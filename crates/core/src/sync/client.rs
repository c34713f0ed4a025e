//! The kiosk's HTTPS client for the hub. TLS is rustls (ring) with a verifier that accepts
//! exactly one certificate: the one pinned at enrolment (by SHA-256 fingerprint). No certificate
//! authority is trusted, so neither a rogue CA nor a look-alike name can stand in for the hub.
//! The live channel is a WebSocket over the same pinned TLS.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::header::AUTHORIZATION;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::de::DeserializeOwned;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::SyncError;
use super::credentials::{self, EnrolmentCode, Fingerprint};
use super::link::HubLink;
use super::protocol::{
    self, EnrolRequest, EnrolResponse, Health, HubError, LiveEvent, PullResponse, PushRequest, PushResponse,
};
use super::round::Transport;
use crate::error::CoreError;
use crate::ids::OpId;
use crate::kiosk::Kiosk;
use crate::op::Op;
use crate::secrets::Secret;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The hub pings every 15 s; this long without a word means the channel is dead.
pub const LIVE_SILENCE: Duration = Duration::from_secs(45);

/// A hub address as typed: `host:port`, `https://host:port` or (development only) `http://…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubAddress {
    pub secure: bool,
    pub host: String,
    pub port: u16,
}

impl HubAddress {
    /// Without a scheme or port, the hub's defaults apply: `https` and port 8443.
    pub fn parse(input: &str, allow_insecure: bool) -> Result<HubAddress, SyncError> {
        let text = input.trim().trim_end_matches('/');
        let bad = |why: &str| SyncError::BadAddress(input.chars().take(200).collect(), why.to_owned());
        if text.is_empty() {
            return Err(bad("it is empty"));
        }
        let (with_scheme, default_port) =
            if text.contains("://") { (text.to_owned(), None) } else { (format!("https://{text}"), Some(8443)) };
        let url = reqwest::Url::parse(&with_scheme).map_err(|e| bad(&e.to_string()))?;
        let secure = match url.scheme() {
            "https" => true,
            "http" if allow_insecure => false,
            "http" => return Err(SyncError::InsecureAddress),
            other => return Err(bad(&format!("the scheme {other} is not https"))),
        };
        if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
            return Err(bad("it must be only a host and a port"));
        }
        if url.path() != "/" && !url.path().is_empty() {
            return Err(bad("it must be only a host and a port"));
        }
        let host = url.host_str().ok_or_else(|| bad("it has no host"))?.to_owned();
        let port = url.port().or(default_port).or_else(|| url.port_or_known_default()).ok_or_else(|| bad("no port"))?;
        Ok(HubAddress { secure, host, port })
    }

    pub fn url(&self) -> String {
        format!("{}://{}:{}", if self.secure { "https" } else { "http" }, self.host, self.port)
    }

    fn ws_url(&self, path: &str) -> String {
        format!("{}://{}:{}{path}", if self.secure { "wss" } else { "ws" }, self.host, self.port)
    }
}

/// Accepts the one pinned certificate, or (at enrolment) any, noting which it saw. Either way
/// the handshake signature is checked, so the server holds that certificate's key.
#[derive(Debug)]
struct PinnedCertificate {
    pinned: Option<Fingerprint>,
    seen: Arc<Mutex<Option<Fingerprint>>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let fingerprint = Fingerprint::of_der(end_entity.as_ref());
        *self.seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(fingerprint);
        match self.pinned {
            Some(pinned) if pinned != fingerprint => {
                Err(rustls::Error::InvalidCertificate(rustls::CertificateError::ApplicationVerificationFailure))
            }
            _ => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

fn tls_config(
    pinned: Option<Fingerprint>,
    seen: Arc<Mutex<Option<Fingerprint>>>,
) -> Result<rustls::ClientConfig, SyncError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(PinnedCertificate { pinned, seen, provider: provider.clone() });
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SyncError::Protocol(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Anything the WebSocket can run over (TLS or, for a development hub, plain TCP).
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// One connection to one hub, with or without a credential.
pub struct HubClient {
    address: HubAddress,
    http: reqwest::Client,
    tls: Option<Arc<rustls::ClientConfig>>,
    pinned: Option<Fingerprint>,
    seen: Arc<Mutex<Option<Fingerprint>>>,
    credential: Option<Secret>,
}

impl HubClient {
    /// A client for an enrolled kiosk: the hub's certificate must be the pinned one.
    pub fn for_link(link: &HubLink, credential: Secret, allow_insecure: bool) -> Result<HubClient, SyncError> {
        let address = HubAddress::parse(&link.url, allow_insecure || link.fingerprint.is_none())?;
        if address.secure && link.fingerprint.is_none() {
            return Err(SyncError::Protocol("the link has no pinned certificate".into()));
        }
        HubClient::build(address, link.fingerprint, Some(credential))
    }

    fn build(
        address: HubAddress,
        pinned: Option<Fingerprint>,
        credential: Option<Secret>,
    ) -> Result<HubClient, SyncError> {
        let seen = Arc::new(Mutex::new(None));
        let builder = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .no_proxy()
            .http1_only()
            .user_agent(concat!("frontdesk/", env!("CARGO_PKG_VERSION")));
        let (builder, tls) = if address.secure {
            let config = tls_config(pinned, seen.clone())?;
            (builder.tls_backend_preconfigured(config.clone()), Some(Arc::new(config)))
        } else {
            (builder, None)
        };
        let http = builder.build().map_err(|e| SyncError::Protocol(format!("HTTP client: {e}")))?;
        Ok(HubClient { address, http, tls, pinned, seen, credential })
    }

    pub fn address(&self) -> &HubAddress {
        &self.address
    }

    /// The certificate the last TLS handshake presented.
    pub fn seen_fingerprint(&self) -> Option<Fingerprint> {
        *self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bearer(&self) -> Option<String> {
        self.credential.as_ref().map(|c| format!("Bearer {}", String::from_utf8_lossy(c.expose())))
    }

    /// A network-level failure: a handshake that presented another certificate than the
    /// pinned one is an identity problem, not an outage.
    fn transport_error(&self, err: reqwest::Error) -> SyncError {
        if let (Some(pinned), Some(seen)) = (self.pinned, self.seen_fingerprint())
            && pinned != seen
        {
            return SyncError::HubIdentity;
        }
        let mut detail = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            detail.push_str(": ");
            detail.push_str(&cause.to_string());
            source = cause.source();
        }
        SyncError::Unreachable(detail)
    }

    async fn answer<T: DeserializeOwned>(&self, response: reqwest::Response) -> Result<T, SyncError> {
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| self.transport_error(e))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| SyncError::Protocol(format!("HTTP {status}: {e}")));
        }
        match serde_json::from_slice::<HubError>(&bytes) {
            Ok(e) if e.code == protocol::HubErrorCode::DeviceRevoked => Err(SyncError::Revoked),
            Ok(e) => Err(SyncError::Refused(e)),
            Err(_) => Err(SyncError::Protocol(format!("HTTP {status} without a hub error body"))),
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> Result<T, SyncError> {
        let mut request = self.http.get(format!("{}{path}", self.address.url())).query(query);
        if let Some(bearer) = self.bearer() {
            request = request.header(AUTHORIZATION, bearer);
        }
        let response = request.send().await.map_err(|e| self.transport_error(e))?;
        self.answer(response).await
    }

    async fn post<B: serde::Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T, SyncError> {
        let mut request = self.http.post(format!("{}{path}", self.address.url())).json(body);
        if let Some(bearer) = self.bearer() {
            request = request.header(AUTHORIZATION, bearer);
        }
        let response = request.send().await.map_err(|e| self.transport_error(e))?;
        self.answer(response).await
    }

    pub async fn health(&self) -> Result<Health, SyncError> {
        self.get(protocol::PATH_HEALTH, &[]).await
    }

    pub async fn push_ops(&self, ops: Vec<Op>) -> Result<PushResponse, SyncError> {
        self.post(protocol::PATH_OPS, &PushRequest { ops }).await
    }

    /// Push a batch that holds an alert, naming its op as the idempotency key (the hub keys
    /// re-sent ops by id anyway: a duplicate is a no-op).
    pub async fn push_alert_ops(&self, ops: Vec<Op>, key: OpId) -> Result<PushResponse, SyncError> {
        let mut request =
            self.http.post(format!("{}{}", self.address.url(), protocol::PATH_OPS)).json(&PushRequest { ops });
        request = request.header("Idempotency-Key", key.to_string());
        if let Some(bearer) = self.bearer() {
            request = request.header(AUTHORIZATION, bearer);
        }
        let response = request.send().await.map_err(|e| self.transport_error(e))?;
        self.answer(response).await
    }

    /// "I am here", over HTTP (when the live channel is down).
    pub async fn heartbeat(&self) -> Result<(), SyncError> {
        let _: serde_json::Value = self.post(protocol::PATH_HEARTBEAT, &serde_json::json!({})).await?;
        Ok(())
    }

    pub async fn pull_ops(&self, after: u64, at: Option<OpId>, limit: u32) -> Result<PullResponse, SyncError> {
        let mut query = vec![("after", after.to_string()), ("limit", limit.to_string())];
        if let Some(at) = at {
            query.push(("at", at.to_string()));
        }
        self.get(protocol::PATH_OPS, &query).await
    }

    /// Offer this device's site secrets; the answer is the site's (see `site_secrets`).
    pub async fn site_secrets(
        &self,
        offer: &super::site_secrets::SiteSecrets,
    ) -> Result<super::site_secrets::SiteSecrets, SyncError> {
        self.post(super::site_secrets::PATH_SITE_SECRETS, offer).await
    }

    /// Open the live channel, asking for what happened after `after`.
    pub async fn live(&self, after: u64) -> Result<LiveChannel, SyncError> {
        let unreachable = |e: &dyn std::fmt::Display| SyncError::Unreachable(format!("live channel: {e}"));
        let url = self.address.ws_url(&format!("{}?after={after}", protocol::PATH_LIVE));
        let mut request = url.as_str().into_client_request().map_err(|e| SyncError::Protocol(e.to_string()))?;
        if let Some(bearer) = self.bearer() {
            request.headers_mut().insert(
                AUTHORIZATION,
                bearer.parse().map_err(|_| SyncError::Protocol("credential is not a header value".into()))?,
            );
        }
        let tcp = tokio::time::timeout(
            CONNECT_TIMEOUT,
            tokio::net::TcpStream::connect((self.address.host.as_str(), self.address.port)),
        )
        .await
        .map_err(|_| unreachable(&"connection timed out"))?
        .map_err(|e| unreachable(&e))?;
        let _ = tcp.set_nodelay(true);
        let stream: Box<dyn Io> = match &self.tls {
            Some(config) => {
                let name =
                    ServerName::try_from(self.address.host.clone()).map_err(|e| SyncError::Protocol(e.to_string()))?;
                let connector = tokio_rustls::TlsConnector::from(config.clone());
                match tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(name, tcp)).await {
                    Ok(Ok(tls)) => Box::new(tls),
                    Ok(Err(e)) => {
                        if let (Some(pinned), Some(seen)) = (self.pinned, self.seen_fingerprint())
                            && pinned != seen
                        {
                            return Err(SyncError::HubIdentity);
                        }
                        return Err(unreachable(&e));
                    }
                    Err(_) => return Err(unreachable(&"TLS handshake timed out")),
                }
            }
            None => Box::new(tcp),
        };
        let (socket, response) = match tokio_tungstenite::client_async(request, stream).await {
            Ok(ok) => ok,
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                let body = response.body().as_deref().unwrap_or_default();
                return Err(match serde_json::from_slice::<HubError>(body) {
                    Ok(e) if e.code == protocol::HubErrorCode::DeviceRevoked => SyncError::Revoked,
                    Ok(e) => SyncError::Refused(e),
                    Err(_) => SyncError::Protocol(format!("live channel: HTTP {}", response.status())),
                });
            }
            Err(e) => return Err(unreachable(&e)),
        };
        let _ = response;
        Ok(LiveChannel::spawn(socket))
    }
}

impl Transport for HubClient {
    async fn push(&self, ops: Vec<Op>) -> Result<PushResponse, SyncError> {
        self.push_ops(ops).await
    }

    async fn pull(&self, after: u64, at: Option<OpId>, limit: u32) -> Result<PullResponse, SyncError> {
        self.pull_ops(after, at, limit).await
    }
}

/// What the live channel's task sends to the hub.
enum Outgoing {
    Heartbeat,
    Push { ops: Vec<Op>, reply: tokio::sync::oneshot::Sender<Result<PushResponse, SyncError>> },
}

/// The open live channel. A task owns the socket: it answers pings, sends heartbeats and
/// pushes, hands each push its answer, and passes every other event on.
pub struct LiveChannel {
    events: tokio::sync::mpsc::UnboundedReceiver<Result<LiveEvent, SyncError>>,
    sender: LiveSender,
    task: tokio::task::JoinHandle<()>,
}

/// Sends on an open live channel (cheap to clone; fails once the channel is gone).
#[derive(Clone)]
pub struct LiveSender {
    tx: tokio::sync::mpsc::UnboundedSender<Outgoing>,
}

impl LiveSender {
    /// Queue a heartbeat; `false` if the channel is gone.
    pub fn heartbeat(&self) -> bool {
        self.tx.send(Outgoing::Heartbeat).is_ok()
    }

    /// Push `ops` on the channel and wait for the hub's answer.
    pub async fn push(&self, ops: Vec<Op>) -> Result<PushResponse, SyncError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.tx
            .send(Outgoing::Push { ops, reply })
            .map_err(|_| SyncError::Unreachable("the live channel is closed".into()))?;
        answer.await.map_err(|_| SyncError::Unreachable("the live channel closed before the hub answered".into()))?
    }

    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

impl LiveChannel {
    fn spawn(socket: WebSocketStream<Box<dyn Io>>) -> LiveChannel {
        let (events_tx, events) = tokio::sync::mpsc::unbounded_channel();
        let (tx, outgoing) = tokio::sync::mpsc::unbounded_channel();
        let task = tokio::spawn(live_task(socket, events_tx, outgoing));
        LiveChannel { events, sender: LiveSender { tx }, task }
    }

    pub fn sender(&self) -> LiveSender {
        self.sender.clone()
    }

    /// The next event; an error when the channel closed, stayed silent too long, or stopped
    /// answering heartbeats.
    pub async fn next_event(&mut self) -> Result<LiveEvent, SyncError> {
        match tokio::time::timeout(LIVE_SILENCE, self.events.recv()).await {
            Err(_) => Err(SyncError::Unreachable("the live channel went silent".into())),
            Ok(None) => Err(SyncError::Unreachable("the hub closed the live channel".into())),
            Ok(Some(event)) => event,
        }
    }
}

impl Drop for LiveChannel {
    /// The channel ends with its owner, even if senders (cloned by the engine) outlive it.
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn live_task(
    mut socket: WebSocketStream<Box<dyn Io>>,
    events: tokio::sync::mpsc::UnboundedSender<Result<LiveEvent, SyncError>>,
    mut outgoing: tokio::sync::mpsc::UnboundedReceiver<Outgoing>,
) {
    use std::collections::HashMap;
    use tokio::time::Instant;
    let mut pending: HashMap<u64, tokio::sync::oneshot::Sender<Result<PushResponse, SyncError>>> = HashMap::new();
    let mut next_id: u64 = 1;
    // Whether the hub answers heartbeats (its hello says), and since when one waits for it.
    let mut answers_heartbeats = false;
    let mut awaiting_alive: Option<Instant> = None;
    let far = || Instant::now() + std::time::Duration::from_secs(3600);
    let failure = loop {
        let alive_deadline = awaiting_alive.map_or_else(far, |since| since + protocol::ALIVE_TIMEOUT);
        tokio::select! {
            message = socket.next() => match message {
                None | Some(Ok(Message::Close(_))) => break SyncError::Unreachable("the hub closed the live channel".into()),
                Some(Err(e)) => break SyncError::Unreachable(format!("live channel: {e}")),
                Some(Ok(Message::Text(text))) => {
                    let event = match serde_json::from_str::<LiveEvent>(text.as_str()) {
                        Ok(event) => event,
                        Err(e) => break SyncError::Protocol(format!("live event: {e}")),
                    };
                    match event {
                        LiveEvent::Pushed { id, stored, duplicates, device_seq, head } => {
                            if let Some(reply) = pending.remove(&id) {
                                let _ = reply.send(Ok(PushResponse { stored, duplicates, device_seq, head }));
                            }
                        }
                        LiveEvent::PushRefused { id, error } => {
                            if let Some(reply) = pending.remove(&id) {
                                let refusal = if error.code == protocol::HubErrorCode::DeviceRevoked {
                                    SyncError::Revoked
                                } else {
                                    SyncError::Refused(error)
                                };
                                let _ = reply.send(Err(refusal));
                            }
                        }
                        other => {
                            match &other {
                                LiveEvent::Hello { heartbeats, .. } => answers_heartbeats = *heartbeats,
                                LiveEvent::Alive => awaiting_alive = None,
                                _ => {}
                            }
                            if events.send(Ok(other)).is_err() {
                                return;
                            }
                        }
                    }
                }
                Some(Ok(_)) => {} // pings are answered by the library; binary is not used
            },
            out = outgoing.recv() => {
                let message = match out {
                    None => {
                        let _ = socket.close(None).await;
                        return;
                    }
                    Some(Outgoing::Heartbeat) => {
                        if answers_heartbeats && awaiting_alive.is_none() {
                            awaiting_alive = Some(Instant::now());
                        }
                        protocol::ClientMessage::Heartbeat
                    }
                    Some(Outgoing::Push { ops, reply }) => {
                        let id = next_id;
                        next_id += 1;
                        pending.insert(id, reply);
                        protocol::ClientMessage::Push { id, ops }
                    }
                };
                let text = serde_json::to_string(&message).expect("client messages serialise");
                if let Err(e) = socket.send(Message::Text(text.into())).await {
                    break SyncError::Unreachable(format!("live channel: {e}"));
                }
            }
            _ = tokio::time::sleep_until(alive_deadline) => {
                break SyncError::Unreachable("the hub stopped answering heartbeats".into());
            }
        }
    };
    for (_, reply) in pending.drain() {
        let _ = reply.send(Err(failure.clone()));
    }
    let _ = events.send(Err(failure));
}

/// Enrol `kiosk` at the hub at `address` with a one-time `code`: see `credentials` for the
/// exchange. On success the credential is in the keyring and the link (with the pinned
/// certificate) in the database.
pub async fn enrol(kiosk: &Kiosk, address: &str, code: &str, allow_insecure: bool) -> Result<HubLink, CoreError> {
    let address = HubAddress::parse(address, allow_insecure)?;
    let code: EnrolmentCode = code.parse().map_err(SyncError::from)?;
    let client = HubClient::build(address.clone(), None, None)?;
    // First contact: is it a Frontdesk hub, and which certificate does it present?
    let health = client.health().await?;
    if health.api != protocol::API_VERSION {
        return Err(SyncError::Protocol(format!(
            "the hub speaks protocol {}, this kiosk {}",
            health.api,
            protocol::API_VERSION
        ))
        .into());
    }
    let fingerprint = client.seen_fingerprint();
    if address.secure && fingerprint.is_none() {
        return Err(SyncError::HubIdentity.into());
    }
    let request = kiosk.enrolment_request()?;
    let body = EnrolRequest {
        code_id: code.id().to_owned(),
        device: request.device,
        site: request.site.clone(),
        handover_seq: request.handover_seq,
        proof: credentials::kiosk_proof(
            &code,
            fingerprint.as_ref(),
            request.device,
            &request.site,
            request.handover_seq,
        ),
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    let answer: EnrolResponse = client.post(protocol::PATH_ENROL, &body).await?;
    // The certificate must not have changed between the two requests, and the hub must prove
    // it issued the code for that certificate.
    if client.seen_fingerprint() != fingerprint
        || !credentials::verify_hub_proof(
            &code,
            fingerprint.as_ref(),
            request.device,
            &answer.credential,
            &answer.proof,
        )
    {
        return Err(SyncError::HubIdentity.into());
    }
    if answer.site != request.site {
        return Err(SyncError::SiteMismatch { kiosk: request.site.0, code: answer.site.0 }.into());
    }
    if super::credentials::DeviceCredential::device_of(&answer.credential) != Some(request.device) {
        return Err(SyncError::Protocol("the hub issued a credential for another device".into()).into());
    }
    let link = HubLink {
        url: address.url(),
        fingerprint,
        site: answer.site,
        device_name: answer.device_name,
        handover_seq: request.handover_seq,
        enrolled_at: jiff::Timestamp::from_millisecond(kiosk.clock_wall_ms()).unwrap_or_default(),
        revoked_at: None,
    };
    kiosk.complete_enrolment(&link, &Secret::new(answer.credential.into_bytes()))?;
    Ok(link)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_default_to_https_on_the_hubs_port() {
        let a = HubAddress::parse(" hub.example.org ", false).unwrap();
        assert_eq!(a.url(), "https://hub.example.org:8443");
        assert_eq!(HubAddress::parse("10.0.0.5:9000", false).unwrap().url(), "https://10.0.0.5:9000");
        assert_eq!(HubAddress::parse("https://hub/", false).unwrap().url(), "https://hub:443");
        assert_eq!(HubAddress::parse("[::1]:8443", false).unwrap().url(), "https://[::1]:8443");
        assert!(matches!(HubAddress::parse("http://hub:8080", false), Err(SyncError::InsecureAddress)));
        assert_eq!(HubAddress::parse("http://hub:8080", true).unwrap().url(), "http://hub:8080");
        for bad in ["", "ftp://hub", "https://user@hub", "hub/path", "https://hub?x=1", "hub:99999"] {
            assert!(matches!(HubAddress::parse(bad, true), Err(SyncError::BadAddress(..))), "{bad}");
        }
    }
}
