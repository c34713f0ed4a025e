//! What the hub's tests share: a real hub on port 0 with TLS, kiosks on real database files,
//! and a raw HTTPS client for sending what a well-behaved kiosk never would.
#![allow(dead_code)]

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
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
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
