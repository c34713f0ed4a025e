//! The hub's wire protocol, shared by the hub (server) and the kiosk (client): one definition
//! of every request, response, error and live event.
//!
//! All bodies are JSON. Every route but `/v1/health` and `/v1/enrol` needs the device's
//! credential as `Authorization: Bearer <credential>`. See `docs/sync.md`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::{DeviceId, SiteId};
use crate::op::Op;

/// Protocol version; part of every path (`/v1/...`).
pub const API_VERSION: u32 = 1;

pub const PATH_HEALTH: &str = "/v1/health";
pub const PATH_ENROL: &str = "/v1/enrol";
/// `POST`: push a batch of the device's own ops. `GET ?after=&limit=`: pull the others' ops.
pub const PATH_OPS: &str = "/v1/ops";
/// WebSocket upgrade: the live channel from hub to device (`?after=<cursor>`).
pub const PATH_LIVE: &str = "/v1/live";
/// `POST`: "I am here", for a device whose live channel is down (heartbeats normally travel on
/// the live channel). Never written to the op log.
pub const PATH_HEARTBEAT: &str = "/v1/heartbeat";

/// How often a device says it is alive.
pub const HEARTBEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(5);
/// A device the hub has not heard for this long raises "lost contact" for guards.
pub const SILENCE_ALARM: std::time::Duration = std::time::Duration::from_secs(15);
/// A device that sent a heartbeat on the live channel and heard no `alive` for this long
/// treats the channel as dead (the network may be gone without the connection noticing).
pub const ALIVE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Most ops in one push. A kiosk with more waiting pushes several batches.
pub const MAX_PUSH_OPS: usize = 500;
/// Largest request body the hub reads; larger ones get `413 payload_too_large`.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// Largest single op (its JSON); a site file with a long host directory stays far below.
pub const MAX_OP_BYTES: usize = 64 * 1024;
/// Most ops in one pull page.
pub const MAX_PULL_OPS: usize = 1_000;
/// How far ahead of the hub's clock an op's stamp may be. A kiosk whose clock runs further ahead
/// would drag every other device's clock forward through `Clock::observe`.
pub const MAX_CLOCK_SKEW_MS: u64 = 60 * 60 * 1000;

/// `GET /v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    /// The hub's software version.
    pub version: String,
    pub api: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// The device's own ops in sequence order, continuing where the hub's copy ends.
    pub ops: Vec<Op>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// Ops the hub stored now.
    pub stored: u32,
    /// Ops it already had (a re-sent op is a no-op).
    pub duplicates: u32,
    /// The highest sequence number of this device the hub holds after the push.
    pub device_seq: u64,
    /// The hub's cursor for the site after the push.
    pub head: u64,
}

/// `GET /v1/ops?after=<cursor>&at=<op id>&limit=<n>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullQuery {
    pub after: u64,
    /// The id of the op at `after`, as the hub named it (`next_id`). If the hub holds another
    /// op there (it was restored from an older backup and has stored new ops since), it starts
    /// over from 0 (`from`), so nothing is skipped.
    pub at: Option<crate::ids::OpId>,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    /// Where this page starts: `after` as asked, or 0 when the hub did not recognise it.
    pub from: u64,
    /// Other devices' ops of the device's site, in the hub's order.
    pub ops: Vec<Op>,
    /// The cursor to ask from next time: everything up to it has been delivered.
    pub next: u64,
    /// The id of the op at `next` (any device's), to send back as `at`.
    pub next_id: Option<crate::ids::OpId>,
    /// The site's cursor when this page was read; `next < head` means ask again.
    pub head: u64,
    /// The highest sequence number of the asking device the hub holds. Lower than what the
    /// device believes it pushed means the hub lost ops (restored from a backup): send again.
    pub device_seq: u64,
}

impl PullResponse {
    pub fn more(&self) -> bool {
        self.next < self.head
    }
}

/// `POST /v1/enrol`: a kiosk redeems a one-time code (see `credentials`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// The public part of the code, by which the hub finds it.
    pub code_id: String,
    pub device: DeviceId,
    /// The site the kiosk's data belongs to; must be the code's site.
    pub site: SiteId,
    /// The kiosk's last sequence number when it enrols. Site data (host directory, settings)
    /// it wrote up to here is handed up to the hub; after it, the hub is the only author.
    pub handover_seq: u64,
    /// HMAC of the code's secret over what the kiosk saw (`credentials::kiosk_proof`): proves
    /// the kiosk holds the code without sending it, and binds it to the hub's certificate.
    pub proof: String,
    pub app_version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolResponse {
    pub site: SiteId,
    pub device_name: String,
    /// The device credential, shown this once; the hub keeps only its hash.
    pub credential: String,
    /// HMAC of the code's secret over the hub's certificate and the credential
    /// (`credentials::hub_proof`): proves this answer comes from the hub that issued the code.
    pub proof: String,
}

/// A message on the live channel, hub to device. Typed, with the site cursor it refers to, so a
/// device reconnecting with `?after=<cursor>` is brought up to date (replay) and never misses
/// one. Unknown types are ignored by older devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// First message after connecting: the site's cursor now. `heartbeats`: the hub answers
    /// heartbeats on this channel with `alive`.
    Hello {
        head: u64,
        #[serde(default)]
        heartbeats: bool,
    },
    /// New ops exist up to `head`: pull.
    Ops { head: u64 },
    /// This device's credential was revoked; the hub closes the channel.
    Revoked,
    /// The answer to a heartbeat.
    Alive,
    /// The push `id` sent on this channel is committed: the hub holds the device's ops up to
    /// `device_seq` (as `POST /v1/ops` answers).
    Pushed { id: u64, stored: u32, duplicates: u32, device_seq: u64, head: u64 },
    /// The push `id` was refused.
    PushRefused { id: u64, error: HubError },
    #[serde(other)]
    Unknown,
}

/// A message on the live channel, device to hub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    /// "I am here" (every [`HEARTBEAT_EVERY`]); the hub answers `alive`.
    Heartbeat,
    /// A batch of the device's own ops, exactly as `POST /v1/ops` takes it; the hub answers
    /// `pushed` or `push_refused` with the same `id`. Alerts go this way and by HTTP at once.
    Push { id: u64, ops: Vec<Op> },
}

/// Every refusal the hub gives: a stable code and an English message for operators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct HubError {
    pub code: HubErrorCode,
    pub message: String,
    /// For `sequence_gap`/`sequence_conflict`: the sequence number the hub expects next from
    /// this device, so a kiosk can resend what the hub lost (e.g. a hub restored from backup).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<u64>,
}

impl HubError {
    pub fn new(code: HubErrorCode, message: impl Into<String>) -> Self {
        HubError { code, message: message.into(), expected_seq: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HubErrorCode {
    /// The body is not the JSON this route takes.
    Malformed,
    /// The body, a batch or an op is larger than the hub accepts.
    PayloadTooLarge,
    /// No or unreadable credential.
    Unauthorized,
    /// The credential names no device the hub knows.
    DeviceUnknown,
    DeviceRevoked,
    /// The data belongs to another site than the device's.
    SiteMismatch,
    /// An op claims to be written by another device than the one pushing it.
    DeviceMismatch,
    /// An op breaks a rule of the op log (stamp, sequence start).
    InvalidOp,
    /// An op's sequence number is already held by a different op, or an op id was reused.
    SequenceConflict,
    /// An op's sequence number skips some; `expected_seq` says which comes next.
    SequenceGap,
    /// An op's clock stamp is too far ahead of the hub's clock.
    ClockSkew,
    /// A device wrote data that only the site's author (the hub) writes.
    NotAuthor,
    /// The enrolment code is unknown, or the proof of it is wrong.
    CodeInvalid,
    CodeExpired,
    /// The code was used already (single use).
    CodeUsed,
    NotFound,
    Internal,
    /// A code a newer hub sends; treat as a refusal.
    #[serde(other)]
    Unknown,
}

impl HubErrorCode {
    /// The HTTP status the hub answers with.
    pub fn http_status(self) -> u16 {
        match self {
            HubErrorCode::Malformed => 400,
            HubErrorCode::PayloadTooLarge => 413,
            HubErrorCode::Unauthorized | HubErrorCode::DeviceUnknown | HubErrorCode::CodeInvalid => 401,
            HubErrorCode::DeviceRevoked
            | HubErrorCode::SiteMismatch
            | HubErrorCode::DeviceMismatch
            | HubErrorCode::NotAuthor => 403,
            HubErrorCode::NotFound => 404,
            HubErrorCode::SequenceConflict | HubErrorCode::CodeUsed => 409,
            HubErrorCode::CodeExpired => 410,
            HubErrorCode::InvalidOp | HubErrorCode::SequenceGap | HubErrorCode::ClockSkew => 422,
            HubErrorCode::Internal | HubErrorCode::Unknown => 500,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_live_events_and_error_codes_from_a_newer_hub_are_tolerated() {
        let event: LiveEvent = serde_json::from_str(r#"{"type":"alert","cursor":5}"#).unwrap();
        assert_eq!(event, LiveEvent::Unknown);
        let event: LiveEvent = serde_json::from_str(r#"{"type":"ops","head":7}"#).unwrap();
        assert_eq!(event, LiveEvent::Ops { head: 7 });
        // A hello from a hub that does not answer heartbeats says so by leaving it out.
        let event: LiveEvent = serde_json::from_str(r#"{"type":"hello","head":3}"#).unwrap();
        assert_eq!(event, LiveEvent::Hello { head: 3, heartbeats: false });
        let err: HubError = serde_json::from_str(r#"{"code":"brand_new","message":"x"}"#).unwrap();
        assert_eq!(err.code, HubErrorCode::Unknown);
    }

    #[test]
    fn every_error_code_is_a_4xx_or_5xx() {
        let json = serde_json::to_string(&HubError::new(HubErrorCode::SequenceGap, "gap")).unwrap();
        assert_eq!(json, r#"{"code":"sequence_gap","message":"gap"}"#);
        assert_eq!(HubErrorCode::PayloadTooLarge.http_status(), 413);
        assert_eq!(HubErrorCode::CodeExpired.http_status(), 410);
    }
}
