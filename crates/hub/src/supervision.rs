//! Supervision of kiosks, like a supervised alarm line: every enrolled device says it is alive
//! every 5 s (on its live channel, or by HTTP); a device the hub has not heard for 15 s gets a
//! "lost contact" alert for the site's guards (an `alert.raised` op the hub writes), and when it
//! is heard again the hub closes that alert ("contact restored"). Heartbeats are kept in memory
//! only: they never enter the op log.
//!
//! After a restart the hub watches the devices it saw in the last 10 minutes (from their
//! last-seen times) as if it had just heard them, and keeps the lost-contact alerts that were
//! open, so a kiosk that died while the hub was down is still reported.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use frontdesk_core::audit::{AuditAction, NewAuditEntry};
use frontdesk_core::ids::{AlertId, DeviceId, SiteId};
use frontdesk_core::sync::protocol::SILENCE_ALARM;

use crate::server::{HubState, now};
use crate::store::{AlertWrite, DeviceRecord, HubStore};

/// How often the hub checks for silent devices (the alarm comes at most this late).
pub const CHECK_EVERY: Duration = Duration::from_millis(100);
/// Devices seen this recently before a restart are watched from the restart on.
const RESUME_WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

#[derive(Debug, Clone)]
struct Watch {
    site: SiteId,
    name: String,
    /// `None`: not heard since the hub started (a device whose lost-contact alert is open).
    last_heard: Option<Instant>,
    /// The open lost-contact alert, while the device is silent.
    lost: Option<AlertId>,
}

#[derive(Default)]
pub struct Supervisor {
    watched: Mutex<HashMap<DeviceId, Watch>>,
}

/// What the checker has to write.
#[derive(Debug, Default, PartialEq, Eq)]
struct Due {
    lost: Vec<(DeviceId, SiteId, String)>,
    restored: Vec<(DeviceId, SiteId, AlertId)>,
}

impl Supervisor {
    fn watched(&self) -> std::sync::MutexGuard<'_, HashMap<DeviceId, Watch>> {
        self.watched.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The device said something (a heartbeat, a request, any message on its channel).
    pub fn heard(&self, device: &DeviceRecord) {
        self.heard_at(device, Instant::now());
    }

    fn heard_at(&self, device: &DeviceRecord, at: Instant) {
        let mut watched = self.watched();
        let watch = watched.entry(device.id).or_insert_with(|| Watch {
            site: device.site.clone(),
            name: device.name.clone(),
            last_heard: Some(at),
            lost: None,
        });
        watch.last_heard = Some(watch.last_heard.map_or(at, |t| t.max(at)));
        watch.name.clone_from(&device.name);
    }

    /// Stop watching a device (it was revoked).
    pub fn forget(&self, device: DeviceId) {
        self.watched().remove(&device);
    }

    /// After a restart: watch the devices seen recently, and the silent ones of open alerts.
    pub fn resume(&self, devices: &[DeviceRecord], lost: &[(SiteId, DeviceId, AlertId)], started: Instant) {
        let cutoff = now() - RESUME_WINDOW;
        let mut watched = self.watched();
        for d in devices.iter().filter(|d| d.revoked_at.is_none()) {
            let recent = d.last_seen_at.is_some_and(|t| t >= cutoff);
            let open = lost.iter().find(|(_, id, _)| *id == d.id).map(|(_, _, alert)| *alert);
            // A device with an open alert stays silent until it is really heard again; one
            // seen recently gets the full silence from the restart on.
            let last_heard = if open.is_some() { None } else { Some(started) };
            if recent || open.is_some() {
                watched.insert(d.id, Watch { site: d.site.clone(), name: d.name.clone(), last_heard, lost: open });
            }
        }
    }

    /// Silent devices without an open alert, and heard devices with one.
    fn due(&self, now: Instant, silence: Duration) -> Due {
        let mut due = Due::default();
        for (id, w) in self.watched().iter() {
            let silent = w.last_heard.is_none_or(|t| now.saturating_duration_since(t) >= silence);
            match (silent, w.lost) {
                (true, None) => due.lost.push((*id, w.site.clone(), w.name.clone())),
                (false, Some(alert)) => due.restored.push((*id, w.site.clone(), alert)),
                _ => {}
            }
        }
        due
    }

    fn set_lost(&self, device: DeviceId, alert: Option<AlertId>) {
        if let Some(w) = self.watched().get_mut(&device) {
            w.lost = alert;
        }
    }

    /// Whether the device is being watched (tests and `devices list`).
    pub fn is_watched(&self, device: DeviceId) -> bool {
        self.watched().contains_key(&device)
    }
}

/// Check for silent devices every [`CHECK_EVERY`] and write what is due.
pub async fn run<S: HubStore>(hub: Arc<HubState<S>>, started: Instant) {
    if let (Ok(devices), Ok(lost)) = (hub.store.devices().await, hub.store.open_lost_contact().await) {
        hub.supervisor.resume(&devices, &lost, started);
    }
    let mut tick = tokio::time::interval(CHECK_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let due = hub.supervisor.due(Instant::now(), SILENCE_ALARM);
        for (device, site, name) in due.lost {
            let audit = NewAuditEntry {
                actor: "hub".into(),
                action: AuditAction::LostContact,
                subject: String::new(),
                details: serde_json::json!({ "device": device.to_string() }),
            };
            match hub.store.write_alert(site.clone(), AlertWrite::LostContact { device, name }, audit, now()).await {
                Ok(written) => {
                    hub.supervisor.set_lost(device, written.update.as_ref().map(|u| u.alert.id));
                    hub.live.advance(&site, written.head);
                }
                Err(e) => eprintln!("frontdesk-hub: cannot raise lost contact for {device}: {e}"),
            }
        }
        for (device, site, alert) in due.restored {
            let audit = NewAuditEntry {
                actor: "hub".into(),
                action: AuditAction::ContactRestored,
                subject: alert.to_string(),
                details: serde_json::json!({ "device": device.to_string() }),
            };
            match hub.store.write_alert(site.clone(), AlertWrite::ContactRestored { alert }, audit, now()).await {
                Ok(written) => {
                    hub.supervisor.set_lost(device, None);
                    hub.live.advance(&site, written.head);
                }
                Err(e) => eprintln!("frontdesk-hub: cannot close lost contact for {device}: {e}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(name: &str) -> DeviceRecord {
        DeviceRecord {
            id: DeviceId::new(),
            site: SiteId("s".into()),
            name: name.into(),
            credential_hash: String::new(),
            handover_seq: 0,
            enrolled_at: now(),
            revoked_at: None,
            last_seen_at: None,
        }
    }

    #[test]
    fn silence_raises_once_and_being_heard_again_restores() {
        let supervisor = Supervisor::default();
        let lobby = device("Lobby");
        let t0 = Instant::now();
        supervisor.heard_at(&lobby, t0);
        assert_eq!(supervisor.due(t0 + Duration::from_secs(14), SILENCE_ALARM), Due::default());
        let due = supervisor.due(t0 + Duration::from_secs(15), SILENCE_ALARM);
        assert_eq!(due.lost, vec![(lobby.id, lobby.site.clone(), "Lobby".to_owned())]);
        let alert = AlertId::new();
        supervisor.set_lost(lobby.id, Some(alert));
        assert_eq!(supervisor.due(t0 + Duration::from_secs(20), SILENCE_ALARM), Due::default(), "once");
        supervisor.heard_at(&lobby, t0 + Duration::from_secs(21));
        let due = supervisor.due(t0 + Duration::from_secs(21), SILENCE_ALARM);
        assert_eq!(due.restored, vec![(lobby.id, lobby.site.clone(), alert)]);
        supervisor.forget(lobby.id);
        assert!(!supervisor.is_watched(lobby.id));
    }

    #[test]
    fn a_restart_watches_recently_seen_devices_and_keeps_open_alerts() {
        let supervisor = Supervisor::default();
        let mut recent = device("Recent");
        recent.last_seen_at = Some(now() - jiff::SignedDuration::from_mins(2));
        let mut old = device("Switched off last week");
        old.last_seen_at = Some(now() - jiff::SignedDuration::from_hours(24 * 7));
        let mut silent = device("Silent");
        silent.last_seen_at = Some(now() - jiff::SignedDuration::from_hours(3));
        let mut revoked = device("Revoked");
        revoked.revoked_at = Some(now());
        let alert = AlertId::new();
        let started = Instant::now();
        supervisor.resume(
            &[recent.clone(), old.clone(), silent.clone(), revoked.clone()],
            &[(silent.site.clone(), silent.id, alert)],
            started,
        );
        assert!(supervisor.is_watched(recent.id) && supervisor.is_watched(silent.id));
        assert!(!supervisor.is_watched(old.id) && !supervisor.is_watched(revoked.id));
        // Fifteen seconds after the restart the recent one, still unheard, is reported; the
        // silent one keeps its alert (no second one).
        let due = supervisor.due(started + SILENCE_ALARM, SILENCE_ALARM);
        assert_eq!(due.lost, vec![(recent.id, recent.site.clone(), "Recent".to_owned())]);
        assert!(due.restored.is_empty());
    }
}
