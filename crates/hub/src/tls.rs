//! The hub's TLS identity: a certificate given by the operator, or a self-signed one made on
//! first start and kept in the data folder. Kiosks pin its SHA-256 fingerprint at enrolment, so
//! no certificate authority is involved.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use frontdesk_core::sync::credentials::Fingerprint;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

pub const TLS_DIR: &str = "tls";
pub const CERT_FILE: &str = "cert.pem";
pub const KEY_FILE: &str = "key.pem";

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: {detail}")]
    File { path: String, detail: String },
    #[error("cannot make a certificate: {0}")]
    Generate(String),
    #[error("the certificate and key do not make a TLS server: {0}")]
    Config(String),
}

/// The certificate chain and key the hub serves, and the fingerprint of its certificate.
pub struct TlsIdentity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
    pub fingerprint: Fingerprint,
    /// Where the certificate was read from (or written to).
    pub cert_path: PathBuf,
}

fn file_err(path: &Path, detail: impl std::fmt::Display) -> TlsError {
    TlsError::File { path: path.display().to_string(), detail: detail.to_string() }
}

/// The operator's certificate and key, if both are given; otherwise the hub's own, made now if
/// the data folder has none.
pub fn load_or_create(data_dir: &Path, given: Option<(&Path, &Path)>) -> Result<TlsIdentity, TlsError> {
    let (cert_path, key_path) = match given {
        Some((cert, key)) => (cert.to_owned(), key.to_owned()),
        None => {
            let dir = data_dir.join(TLS_DIR);
            let (cert, key) = (dir.join(CERT_FILE), dir.join(KEY_FILE));
            if !cert.exists() && !key.exists() {
                create_self_signed(&dir, &cert, &key)?;
            }
            (cert, key)
        }
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert_path)
        .map_err(|e| file_err(&cert_path, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| file_err(&cert_path, e))?;
    let first = chain.first().ok_or_else(|| file_err(&cert_path, "no certificate in the file"))?;
    let fingerprint = Fingerprint::of_der(first.as_ref());
    let key = PrivateKeyDer::from_pem_file(&key_path).map_err(|e| file_err(&key_path, e))?;
    Ok(TlsIdentity { chain, key, fingerprint, cert_path })
}

/// The fingerprint of the certificate in the data folder, if the hub made one already.
pub fn existing_fingerprint(data_dir: &Path) -> Option<Fingerprint> {
    let path = data_dir.join(TLS_DIR).join(CERT_FILE);
    let cert = CertificateDer::from_pem_file(path).ok()?;
    Some(Fingerprint::of_der(cert.as_ref()))
}

fn create_self_signed(dir: &Path, cert_path: &Path, key_path: &Path) -> Result<(), TlsError> {
    std::fs::create_dir_all(dir).map_err(|e| file_err(dir, e))?;
    let mut names = vec!["frontdesk-hub".to_owned(), "localhost".to_owned()];
    if let Ok(host) = std::fs::read_to_string("/etc/hostname") {
        let host = host.trim();
        if !host.is_empty() && !names.iter().any(|n| n == host) {
            names.push(host.to_owned());
        }
    }
    let mut params = rcgen::CertificateParams::new(names).map_err(|e| TlsError::Generate(e.to_string()))?;
    params.distinguished_name.push(rcgen::DnType::CommonName, "Frontdesk hub");
    // Kiosks pin this certificate; it outlives any hub. Replace it by deleting the tls folder
    // (and re-enrolling the kiosks).
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2124, 1, 1);
    let key =
        rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| TlsError::Generate(e.to_string()))?;
    let cert = params.self_signed(&key).map_err(|e| TlsError::Generate(e.to_string()))?;
    write_private(key_path, key.serialize_pem().as_bytes())?;
    std::fs::write(cert_path, cert.pem()).map_err(|e| file_err(cert_path, e))?;
    Ok(())
}

/// Write a file only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), TlsError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| file_err(path, e))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(|e| file_err(path, e))
}

/// A rustls server configuration (ring provider, HTTP/1.1) for an identity.
pub fn server_config(identity: &TlsIdentity) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(identity.chain.clone(), identity.key.clone_key())
        .map_err(|e| TlsError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
