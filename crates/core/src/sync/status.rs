//! The sync state the kiosk shows. It says "synced" only when the last exchange with the hub
//! completed, nothing is waiting to be pushed and the live channel is up — never by default.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::link::HubLink;
use crate::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Standing alone: no hub.
    NotEnrolled,
    /// Enrolled; no exchange with the hub yet since the app started.
    Connecting,
    /// Talking to the hub, or changes are waiting to go.
    Syncing,
    /// The hub confirmed it has everything and this kiosk has everything the hub has.
    Synced,
    /// The hub cannot be reached; retrying with backoff. Work goes on locally.
    Offline,
    /// The hub refused this kiosk's data (e.g. its clock is far off); needs a person.
    Refused,
    /// The hub revoked this kiosk's credential; it no longer syncs.
    Revoked,
}

/// The hub this kiosk is enrolled at, for the settings screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HubSummary {
    pub url: String,
    /// The pinned certificate fingerprint (SHA-256), to compare with what the hub printed.
    pub fingerprint: Option<String>,
    pub site: String,
    pub device_name: String,
    #[ts(type = "string")]
    pub enrolled_at: jiff::Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SyncStatus {
    pub state: SyncState,
    pub hub: Option<HubSummary>,
    #[ts(type = "string | null")]
    pub last_sync_at: Option<jiff::Timestamp>,
    /// This kiosk's changes the hub does not have yet.
    #[ts(type = "number")]
    pub ops_waiting: u64,
    /// Why the last attempt failed, while it matters.
    pub problem: Option<ApiError>,
}

/// What the sync loop knows right now (not stored).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkHealth {
    pub phase: Phase,
    pub problem: Option<ApiError>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Phase {
    /// No exchange yet since start (or since enrolment).
    #[default]
    Starting,
    /// An exchange is under way or the hub announced ops not yet pulled.
    Exchanging,
    /// The last exchange completed and the live channel is up.
    UpToDate,
    Offline,
    Refused,
}

impl SyncStatus {
    pub fn compose(
        link: Option<&HubLink>,
        ops_waiting: u64,
        last_sync_at: Option<jiff::Timestamp>,
        health: &LinkHealth,
    ) -> SyncStatus {
        let state = match link {
            None => SyncState::NotEnrolled,
            Some(link) if link.revoked_at.is_some() => SyncState::Revoked,
            Some(_) => match health.phase {
                Phase::Starting => SyncState::Connecting,
                Phase::Exchanging => SyncState::Syncing,
                Phase::UpToDate if ops_waiting == 0 => SyncState::Synced,
                Phase::UpToDate => SyncState::Syncing,
                Phase::Offline => SyncState::Offline,
                Phase::Refused => SyncState::Refused,
            },
        };
        let problem = match state {
            SyncState::Offline | SyncState::Refused | SyncState::Connecting => health.problem.clone(),
            _ => None,
        };
        SyncStatus {
            state,
            hub: link.map(|l| HubSummary {
                url: l.url.clone(),
                fingerprint: l.fingerprint.map(|f| f.to_string()),
                site: l.site.0.clone(),
                device_name: l.device_name.clone(),
                enrolled_at: l.enrolled_at,
            }),
            last_sync_at: if link.is_some() { last_sync_at } else { None },
            ops_waiting,
            problem,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::SiteId;

    fn link() -> HubLink {
        HubLink {
            url: "https://hub:8443".into(),
            fingerprint: None,
            site: SiteId("s".into()),
            device_name: "Lobby".into(),
            handover_seq: 0,
            enrolled_at: jiff::Timestamp::UNIX_EPOCH,
            revoked_at: None,
        }
    }

    fn state(link: Option<&HubLink>, waiting: u64, phase: Phase) -> SyncState {
        SyncStatus::compose(link, waiting, None, &LinkHealth { phase, problem: None }).state
    }

    #[test]
    fn synced_only_when_confirmed_and_nothing_waits() {
        let l = link();
        assert_eq!(state(None, 0, Phase::UpToDate), SyncState::NotEnrolled);
        assert_eq!(state(Some(&l), 0, Phase::Starting), SyncState::Connecting);
        assert_eq!(state(Some(&l), 0, Phase::UpToDate), SyncState::Synced);
        assert_eq!(state(Some(&l), 1, Phase::UpToDate), SyncState::Syncing);
        assert_eq!(state(Some(&l), 0, Phase::Offline), SyncState::Offline);
        let mut revoked = link();
        revoked.revoked_at = Some(jiff::Timestamp::UNIX_EPOCH);
        assert_eq!(state(Some(&revoked), 0, Phase::UpToDate), SyncState::Revoked);
    }
}
