//! What the hub's tests share: a real hub on port 0 with TLS, kiosks on real database files,
//! and a raw HTTPS client for sending what a well-behaved kiosk never would.
#![allow(dead_code)]

pub mod process;

use std::sync::Arc;
use std::time::Duration;

use frontdesk_core::hlc::system_millis;
use frontdesk_core::ids::SiteId;
use frontdesk_core::secrets::MemorySecretStore;
use frontdesk_core::site::SiteConfig;
use frontdesk_core::sync::HubLink;
use frontdesk_core::{Kiosk, KioskOptions};
use frontdesk_hub::server::now;
use frontdesk_hub::{HubConfig, RunningHub, Transport, enrol};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

pub const SITE: &str = "riverside-tower";

pub async fn start_hub(data: &std::path::Path) -> RunningHub {
    start_hub_on(data, "127.0.0.1:0".parse().unwrap()).await
}

pub async fn start_hub_on(data: &std::path::Path, listen: std::net::SocketAddr) -> RunningHub {
    frontdesk_hub::start(HubConfig {
        data_dir: data.to_owned(),
        listen,
        transport: Transport::Tls { cert_and_key: None },
    })
    .await
    .expect("the hub starts")
}

pub fn open_kiosk(dir: &std::path::Path) -> Arc<Kiosk> {
    Arc::new(
        Kiosk::open(KioskOptions {
            data_dir: dir.to_owned(),
            site: SiteConfig::demo().unwrap(),
            secrets: Arc::new(MemorySecretStore::default()),
            os_locale: None,
            wall: system_millis,
        })
        .unwrap(),
    )
}

pub async fn code_for(hub: &RunningHub, site: &str, name: &str) -> String {
    let (code, _) = enrol::issue_code(&hub.state.store, &SiteId(site.into()), name, now()).await.unwrap();
    code.to_string()
}

/// Enrol a kiosk at the hub through the real client (TLS, proofs, pinning).
pub async fn enrol_kiosk(hub: &RunningHub, kiosk: &Kiosk, name: &str) -> HubLink {
    let code = code_for(hub, SITE, name).await;
    frontdesk_core::sync::client::enrol(kiosk, &hub.url(), &code, false).await.expect("enrolment works")
}

/// The kiosk's credential, to send raw requests as that kiosk.
pub fn credential(kiosk: &Kiosk) -> String {
    String::from_utf8(kiosk.hub_credential().unwrap().expose().to_vec()).unwrap()
}

#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// An HTTPS client that sends whatever it is told to (it trusts any certificate: test only).
pub fn raw_client() -> reqwest::Client {
    raw_client_with(Some(Duration::from_secs(30)))
}

/// The same, without an overall time limit: for a live feed, which never ends by itself.
pub fn raw_streaming_client() -> reqwest::Client {
    raw_client_with(None)
}

fn raw_client_with(timeout: Option<Duration>) -> reqwest::Client {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
        .with_no_client_auth();
    let builder = reqwest::Client::builder().tls_backend_preconfigured(config).no_proxy();
    let builder = match timeout {
        Some(t) => builder.timeout(t),
        None => builder.connect_timeout(Duration::from_secs(10)),
    };
    builder.build().unwrap()
}

/// Poll `check` until it holds (sync is asynchronous); panics with `what` after a generous
/// deadline so a broken build fails instead of hanging. Not a timing assertion.
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(std::time::Instant::now() < deadline, "gave up waiting: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A TCP relay between a kiosk and the hub that can be cut, to take one kiosk offline while
/// the others carry on.
pub struct Relay {
    pub addr: std::net::SocketAddr,
    online: Arc<std::sync::atomic::AtomicBool>,
    cuts: tokio::sync::watch::Sender<u64>,
}

impl Relay {
    pub async fn start(target: std::net::SocketAddr) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let online = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let (cuts, _) = tokio::sync::watch::channel(0u64);
        let (on, cut) = (online.clone(), cuts.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else { return };
                if !on.load(std::sync::atomic::Ordering::SeqCst) {
                    continue; // dropped: the network is down
                }
                let mut cut = cut.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await else { return };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Relay { addr, online, cuts }
    }

    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// Down: every open connection is cut and new ones are dropped. Up: connections pass again.
    pub fn set_online(&self, online: bool) {
        self.online.store(online, std::sync::atomic::Ordering::SeqCst);
        if !online {
            self.cuts.send_modify(|n| *n += 1);
        }
    }
}

/// A guard's web console, as a browser would use it: session cookie, CSRF token, and the live
/// feed (Server-Sent Events) read as it arrives.
pub struct Console {
    pub base: String,
    pub client: reqwest::Client,
    pub cookie: String,
    pub csrf: String,
}

/// One event of the console's live feed.
#[derive(Debug, Clone)]
pub struct FeedEvent {
    pub event: String,
    pub id: Option<u64>,
    pub data: serde_json::Value,
}

impl Console {
    /// Make a guard account at `site` (directly in the hub's store) and sign in as it.
    pub async fn sign_in(hub: &RunningHub, login: &str, role: frontdesk_hub::store::GuardRole) -> Console {
        let password = "correct horse battery";
        frontdesk_hub::console::auth::add_guard(
            &hub.state.store,
            login,
            &SiteId(SITE.into()),
            &format!("Guard {login}"),
            role,
            password,
        )
        .await
        .unwrap();
        Console::login(&hub.url(), login, password).await.expect("the guard signs in")
    }

    pub async fn login(base: &str, login: &str, password: &str) -> Result<Console, reqwest::StatusCode> {
        let client = raw_client();
        let response = client
            .post(format!("{base}/console/api/login"))
            .json(&serde_json::json!({ "login": login, "password": password }))
            .send()
            .await
            .unwrap();
        if !response.status().is_success() {
            return Err(response.status());
        }
        let cookie = response
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let me: serde_json::Value = response.json().await.unwrap();
        Ok(Console { base: base.to_owned(), client, cookie, csrf: me["csrf"].as_str().unwrap().to_owned() })
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).header("cookie", &self.cookie).send().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Open the live feed after `after` (as a reconnecting browser does with Last-Event-ID).
    pub async fn feed(&self, after: Option<u64>) -> Feed {
        let mut request =
            raw_streaming_client().get(format!("{}/console/api/live", self.base)).header("cookie", &self.cookie);
        if let Some(after) = after {
            request = request.header("last-event-id", after.to_string());
        }
        let response = request.send().await.unwrap();
        assert!(response.status().is_success(), "the feed opens: {}", response.status());
        Feed { response, buffer: String::new() }
    }
}

pub struct Feed {
    response: reqwest::Response,
    buffer: String,
}

impl Feed {
    /// Read the live feed from a response opened by hand.
    pub fn from_response(response: reqwest::Response) -> Feed {
        Feed { response, buffer: String::new() }
    }

    /// The next event (keep-alive comments skipped); `None` when the stream ended.
    pub async fn next(&mut self) -> Option<FeedEvent> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut event, mut id, mut data) = (String::from("message"), None, String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue; // a keep-alive comment
                }
                return Some(FeedEvent {
                    event,
                    id,
                    data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
                });
            }
            match self.response.chunk().await {
                Ok(Some(bytes)) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// The next `alert` event, within a generous deadline (panics naming `what`).
    pub async fn next_alert(&mut self, what: &str) -> FeedEvent {
        let deadline = Duration::from_secs(40);
        loop {
            let event = tokio::time::timeout(deadline, self.next())
                .await
                .unwrap_or_else(|_| panic!("gave up waiting: {what}"))
                .unwrap_or_else(|| panic!("the feed ended while waiting: {what}"));
            if event.event == "alert" {
                return event;
            }
        }
    }
}

/// A kiosk's background sync, running, with quick retries (tests restart hubs and cut links).
pub fn engine(kiosk: Arc<Kiosk>) -> Arc<frontdesk_core::sync::engine::SyncEngine> {
    engine_and_task(kiosk).0
}

/// [`engine`], and its task, for tests that stop a kiosk's sync.
pub fn engine_and_task(
    kiosk: Arc<Kiosk>,
) -> (Arc<frontdesk_core::sync::engine::SyncEngine>, tokio::task::JoinHandle<()>) {
    use frontdesk_core::sync::backoff::Backoff;
    use frontdesk_core::sync::engine::{EngineOptions, SyncEngine};
    let options = EngineOptions {
        allow_insecure: false,
        backoff: Backoff::new(Duration::from_millis(50), Duration::from_millis(500)),
    };
    let engine = SyncEngine::new(kiosk, Arc::new(|_| {}), options);
    let task = tokio::spawn(engine.clone().run());
    (engine, task)
}

/// An admin session on a kiosk, after the first-run PIN change the kiosk insists on.
pub fn admin_token(kiosk: &Kiosk) -> String {
    let login = |pin| match kiosk.admin_login(pin).unwrap() {
        frontdesk_core::kiosk::AdminLogin::Granted(s) => s.token,
        other => panic!("{other:?}"),
    };
    kiosk.change_admin_pin(&login("000000"), "482915", "482915").unwrap();
    login("482915")
}
