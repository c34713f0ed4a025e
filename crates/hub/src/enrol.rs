//! Enrolment on the hub: issuing one-time codes and redeeming them for device credentials.

use frontdesk_core::ids::SiteId;
use frontdesk_core::sync::credentials::{self, DeviceCredential, EnrolmentCode};
use frontdesk_core::sync::protocol::{EnrolRequest, EnrolResponse, HubError, HubErrorCode};

use crate::server::HubState;
use crate::store::{CodeRecord, DeviceRecord, HubStore, RedeemError, RedeemRefusal, StoreError};

/// How long a code works.
pub const CODE_LIFETIME: jiff::SignedDuration = jiff::SignedDuration::from_mins(15);
/// Wrong proofs (mistyped codes) a code survives; then it is burnt, so a code cannot be guessed.
pub const MAX_FAILED_ATTEMPTS: u32 = 5;
const MAX_NAME_CHARS: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("the site id must be 1-64 lowercase letters, digits or '-', as in the site file (e.g. riverside-tower)")]
    BadSite,
    #[error("the device name must be 1-{MAX_NAME_CHARS} characters without control characters")]
    BadName,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub fn valid_site_id(site: &str) -> bool {
    (1..=64).contains(&site.len()) && site.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A new one-time code for a device called `device_name` at `site`, valid from `now` for
/// [`CODE_LIFETIME`].
pub async fn issue_code<S: HubStore>(
    store: &S,
    site: &SiteId,
    device_name: &str,
    now: jiff::Timestamp,
) -> Result<(EnrolmentCode, CodeRecord), IssueError> {
    if !valid_site_id(&site.0) {
        return Err(IssueError::BadSite);
    }
    let name = device_name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(IssueError::BadName);
    }
    loop {
        let code = EnrolmentCode::generate();
        let record = CodeRecord {
            id: code.id().to_owned(),
            secret: Some(code.secret().to_owned()),
            site: site.clone(),
            device_name: name.to_owned(),
            created_at: now,
            expires_at: now + CODE_LIFETIME,
            used_at: None,
            used_by: None,
            failed_attempts: 0,
        };
        // Code ids are short; on the rare clash with an earlier code, draw again.
        if store.insert_code(record.clone()).await? {
            return Ok((code, record));
        }
    }
}

fn refuse(code: HubErrorCode, message: &str) -> HubError {
    HubError::new(code, message)
}

/// Redeem a code: check it, check the kiosk's proof, enrol the device and prove the hub's own
/// identity back. Nothing is stored unless every check passes.
pub async fn redeem<S: HubStore>(
    hub: &HubState<S>,
    request: EnrolRequest,
    now: jiff::Timestamp,
) -> Result<EnrolResponse, HubError> {
    let internal = |e: StoreError| {
        eprintln!("frontdesk-hub: {e}");
        refuse(HubErrorCode::Internal, "the hub could not use its database; see its log")
    };
    let invalid = || refuse(HubErrorCode::CodeInvalid, "this enrolment code is not valid at this hub");
    let record = hub.store.code(&request.code_id).await.map_err(internal)?.ok_or_else(invalid)?;
    if record.used_at.is_some() {
        return Err(refuse(HubErrorCode::CodeUsed, "this enrolment code was used already; each code works once"));
    }
    if record.expires_at <= now {
        return Err(refuse(HubErrorCode::CodeExpired, "this enrolment code has expired; issue a new one"));
    }
    if record.failed_attempts >= MAX_FAILED_ATTEMPTS {
        return Err(refuse(
            HubErrorCode::CodeInvalid,
            "this enrolment code was tried wrongly too often; issue a new one",
        ));
    }
    let secret = record.secret.as_deref().ok_or_else(invalid)?;
    let code = EnrolmentCode::from_parts(&record.id, secret).map_err(|_| invalid())?;
    let fingerprint = hub.fingerprint.as_ref();
    if !credentials::verify_kiosk_proof(
        &code,
        fingerprint,
        request.device,
        &request.site,
        request.handover_seq,
        &request.proof,
    ) {
        hub.store.code_failed(&record.id).await.map_err(internal)?;
        return Err(refuse(
            HubErrorCode::CodeInvalid,
            "the code does not match (mistyped, or the connection is intercepted)",
        ));
    }
    if request.site != record.site {
        return Err(HubError::new(
            HubErrorCode::SiteMismatch,
            format!("this kiosk's data belongs to site {}, the code is for site {}", request.site, record.site),
        ));
    }
    if let Some(existing) = hub.store.device(request.device).await.map_err(internal)?
        && existing.site != record.site
    {
        return Err(HubError::new(
            HubErrorCode::SiteMismatch,
            format!("this device is enrolled at site {} already", existing.site),
        ));
    }
    let credential = DeviceCredential::generate(request.device);
    let credential = std::str::from_utf8(credential.expose()).expect("credentials are ASCII").to_owned();
    let device = DeviceRecord {
        id: request.device,
        site: record.site.clone(),
        name: record.device_name.clone(),
        credential_hash: DeviceCredential::hash_token(&credential),
        handover_seq: request.handover_seq,
        enrolled_at: now,
        revoked_at: None,
        last_seen_at: None,
    };
    let device = match hub.store.redeem_code(&record.id, now, device).await {
        Ok(device) => device,
        Err(RedeemError::Refused(RedeemRefusal::Used)) => {
            return Err(refuse(HubErrorCode::CodeUsed, "this enrolment code was used already; each code works once"));
        }
        Err(RedeemError::Refused(RedeemRefusal::Expired)) => {
            return Err(refuse(HubErrorCode::CodeExpired, "this enrolment code has expired; issue a new one"));
        }
        Err(RedeemError::Refused(RedeemRefusal::Unknown)) => return Err(invalid()),
        Err(RedeemError::Store(e)) => return Err(internal(e)),
    };
    let proof = credentials::hub_proof(&code, fingerprint, device.id, &credential);
    Ok(EnrolResponse { site: device.site, device_name: device.name, credential, proof })
}
