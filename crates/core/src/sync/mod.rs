//! Sync with the site hub: the wire protocol, the rules the hub checks, enrolment, and the
//! kiosk's side of the exchange. Shared by the hub (`crates/hub`) and the desktop app, so both
//! ends use one definition. The HTTP client and the background loop are behind the `hub-client`
//! feature; everything else is plain Rust without I/O. See `docs/sync.md`.

pub mod authority;
pub mod backoff;
pub mod credentials;
mod link;
pub mod protocol;
pub mod round;
pub mod site_secrets;
pub mod status;
pub mod validate;

#[cfg(feature = "hub-client")]
pub mod client;
#[cfg(feature = "hub-client")]
pub mod engine;

pub use authority::Author;
pub(crate) use link::detach_restored;
pub use link::{
    EnrolmentRequest, HubLink, META_RESTORED_LINK, credential_account, hub_managed, hub_managed_in, published_site,
};
pub use protocol::{HubError, HubErrorCode};
pub use status::{HubSummary, LinkHealth, SyncState, SyncStatus};

use crate::error::ErrorCode;

/// The `meta` key of the hub link (read inside a change, where `Kiosk::hub_link` would wait
/// for the lock the change holds).
pub(crate) fn link_meta_key() -> &'static str {
    link::META_LINK
}

/// The `meta` key of the hub's confirmed push mark (the alert courier records it with its own).
pub(crate) fn pushed_meta_key() -> &'static str {
    link::META_PUSHED
}

/// Run `f` on the kiosk where blocking is allowed. Every kiosk call takes the store's lock and
/// may wait behind a commit (an alert's `fsync`) or make one; on an async worker thread that
/// wait would hold up every other task on the runtime: the alert courier, the live channel,
/// the app's own calls. With the runtime (`hub-client`) it goes to tokio's blocking pool;
/// without it there is no runtime to keep free, and it runs in place.
pub(crate) async fn on_kiosk<T, F>(kiosk: &std::sync::Arc<crate::kiosk::Kiosk>, f: F) -> T
where
    T: Send + 'static,
    F: FnOnce(&crate::kiosk::Kiosk) -> T + Send + 'static,
{
    #[cfg(feature = "hub-client")]
    {
        let kiosk = kiosk.clone();
        joined(&mut tokio::task::spawn_blocking(move || f(&kiosk))).await
    }
    #[cfg(not(feature = "hub-client"))]
    {
        f(kiosk)
    }
}

/// What a spawned task returned; its panic goes on in the caller, as if it had run there.
#[cfg(feature = "hub-client")]
pub(crate) async fn joined<T>(task: &mut tokio::task::JoinHandle<T>) -> T {
    match task.await {
        Ok(value) => value,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Cancelled: the runtime is shutting down, and this task with it.
        Err(_) => std::future::pending().await,
    }
}

/// Why talking to the hub did not work, as the kiosk reports it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SyncError {
    #[error("{0:?} is not a hub address: {1}")]
    BadAddress(String, String),
    #[error(
        "the hub address uses plain HTTP; Frontdesk talks to hubs over TLS only \
         (FRONTDESK_ALLOW_INSECURE_HUB=1 allows a development hub started with --insecure-dev)"
    )]
    InsecureAddress,
    #[error(transparent)]
    CodeFormat(#[from] credentials::CodeFormatError),
    #[error("the hub cannot be reached: {0}")]
    Unreachable(String),
    #[error("the hub refused: {}", .0.message)]
    Refused(HubError),
    #[error("the hub's answer was not understood: {0}")]
    Protocol(String),
    #[error(
        "the hub could not prove it issued this code for the certificate it presented; the connection \
         may be intercepted, so nothing was kept"
    )]
    HubIdentity,
    #[error("this kiosk's data belongs to site {kiosk}, but the code is for site {code}")]
    SiteMismatch { kiosk: String, code: String },
    #[error("this kiosk is not enrolled at a site hub")]
    NotEnrolled,
    #[error("this kiosk's credential was revoked at the hub; enrol it again with a new code")]
    Revoked,
    #[error("the site hub manages this data; change it on the hub")]
    HubManaged,
}

impl SyncError {
    pub fn code(&self) -> ErrorCode {
        match self {
            SyncError::BadAddress(..) | SyncError::InsecureAddress => ErrorCode::HubAddress,
            SyncError::CodeFormat(_) => ErrorCode::EnrolmentCodeFormat,
            SyncError::Unreachable(_) => ErrorCode::HubUnreachable,
            SyncError::Protocol(_) => ErrorCode::HubProtocol,
            SyncError::HubIdentity => ErrorCode::HubIdentity,
            SyncError::SiteMismatch { .. } => ErrorCode::SiteMismatch,
            SyncError::NotEnrolled => ErrorCode::NotEnrolled,
            SyncError::Revoked => ErrorCode::DeviceRevoked,
            SyncError::HubManaged => ErrorCode::HubManaged,
            SyncError::Refused(e) => match e.code {
                HubErrorCode::CodeInvalid => ErrorCode::EnrolmentCodeInvalid,
                HubErrorCode::CodeExpired => ErrorCode::EnrolmentCodeExpired,
                HubErrorCode::CodeUsed => ErrorCode::EnrolmentCodeUsed,
                HubErrorCode::DeviceRevoked => ErrorCode::DeviceRevoked,
                HubErrorCode::SiteMismatch => ErrorCode::SiteMismatch,
                HubErrorCode::ClockSkew => ErrorCode::ClockSkew,
                _ => ErrorCode::HubRefused,
            },
        }
    }

    /// Worth trying again later by itself (the hub is away), as opposed to needing a person.
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Unreachable(_) => true,
            SyncError::Refused(e) => matches!(e.code, HubErrorCode::Internal),
            _ => false,
        }
    }
}
