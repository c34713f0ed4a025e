//! The hub's part in alerts: it fans every committed alert change out to the guards' consoles
//! (in commit order, with its cursor, so a console that reconnects replays from where it was),
//! escalates alerts nobody acknowledged in time, and writes the guards' actions from the web
//! console as ops of its own device at the site (like `author.rs`), which flow down to kiosks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use frontdesk_core::audit::{AuditAction, NewAuditEntry};
use frontdesk_core::cards::Role;
use frontdesk_core::ids::SiteId;
use frontdesk_core::site::SiteConfig;
use tokio::sync::broadcast;

use crate::server::{HubState, now};
use crate::store::{AlertUpdate, AlertWrite, AlertWriteError, AlertWritten, HubStore};

/// How many changes a slow console may fall behind before it re-reads from the database.
const CONSOLE_BUFFER: usize = 1024;
/// How often the hub looks for alerts to escalate (they escalate at most this late).
pub const ESCALATION_CHECK: Duration = Duration::from_millis(250);
/// Site settings (escalation delay) are read again this often.
const SETTINGS_TTL: Duration = Duration::from_secs(10);

/// Every site's stream of alert changes, for the consoles connected to it.
#[derive(Clone, Default)]
pub struct ConsoleHub {
    sites: Arc<Mutex<HashMap<SiteId, broadcast::Sender<Arc<AlertUpdate>>>>>,
}

impl ConsoleHub {
    fn sender(&self, site: &SiteId) -> broadcast::Sender<Arc<AlertUpdate>> {
        let mut sites = self.sites.lock().unwrap_or_else(|e| e.into_inner());
        sites.entry(site.clone()).or_insert_with(|| broadcast::channel(CONSOLE_BUFFER).0).clone()
    }

    pub fn subscribe(&self, site: &SiteId) -> broadcast::Receiver<Arc<AlertUpdate>> {
        self.sender(site).subscribe()
    }

    /// Called by the store after each commit, in commit order.
    pub fn publish(&self, updates: &[AlertUpdate]) {
        for update in updates {
            let _ = self.sender(&update.site).send(Arc::new(update.clone()));
        }
    }
}

/// When a site's settings were read, and what they were (`None`: never published).
type CachedSettings = (Instant, Option<Arc<SiteConfig>>);

/// The site settings the hub published, read again every few seconds.
#[derive(Default)]
pub struct SiteSettings {
    cache: Mutex<HashMap<SiteId, CachedSettings>>,
}

impl SiteSettings {
    /// The site's published settings, if it has any.
    pub async fn get<S: HubStore>(&self, store: &S, site: &SiteId) -> Option<Arc<SiteConfig>> {
        if let Some((at, config)) = self.cache.lock().unwrap_or_else(|e| e.into_inner()).get(site)
            && at.elapsed() < SETTINGS_TTL
        {
            return config.clone();
        }
        let ops = store.ops_of_kind(site.clone(), "site.published").await.ok()?;
        let config = crate::author::current_settings(&ops).map(Arc::new);
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).insert(site.clone(), (Instant::now(), config.clone()));
        config
    }

    /// The site's settings, or the built-in demo site's defaults when none were published.
    pub async fn or_default<S: HubStore>(&self, store: &S, site: &SiteId) -> Arc<SiteConfig> {
        match self.get(store, site).await {
            Some(config) => config,
            None => Arc::new(SiteConfig::demo().expect("the built-in demo site is valid")),
        }
    }

    async fn escalate_after<S: HubStore>(&self, store: &S, site: &SiteId) -> Duration {
        let seconds = self
            .get(store, site)
            .await
            .map_or(frontdesk_core::alert::DEFAULT_ESCALATE_AFTER_SECONDS, |c| c.alerts.escalate_after_seconds);
        Duration::from_secs(u64::from(seconds))
    }
}

/// Escalate alerts nobody acknowledged within the site's escalation delay: one
/// `alert.escalated` op each, which re-alerts every guard console and the duty manager.
///
/// Every tick could be the moment one falls due, but the open alerts are read only when one
/// can be: after a look, nothing is due before the earliest due time among the alerts seen,
/// or, for alerts that arrive meanwhile, the shortest delay a site may set from now. (During
/// a burst of unacknowledged alerts this was the hub's largest cost beside the alerts.)
pub async fn escalate<S: HubStore>(hub: Arc<HubState<S>>) {
    let shortest = i64::from(*frontdesk_core::alert::ESCALATE_AFTER_SECONDS.start()) * 1000;
    let mut tick = tokio::time::interval(ESCALATION_CHECK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Nothing is due before this (ms since the epoch).
    let mut next_due = i64::MIN;
    loop {
        tick.tick().await;
        let looked_at = now();
        if looked_at.as_millisecond() < next_due {
            continue;
        }
        let candidates = match hub.store.awaiting_escalation(looked_at).await {
            Ok(candidates) => candidates,
            Err(e) => {
                eprintln!("frontdesk-hub: escalation: {e}");
                continue;
            }
        };
        let mut waiting = Vec::with_capacity(candidates.len());
        for (site, seen, alert) in candidates {
            let after = hub.settings.escalate_after(&hub.store, &site).await;
            waiting.push((site, alert, after, seen.as_millisecond() + after.as_millis() as i64));
        }
        let (due, next) = due_now(now().as_millisecond(), shortest, waiting.iter().map(|w| w.3));
        next_due = next;
        for (site, alert, after, _) in due.into_iter().map(|i| &waiting[i]) {
            let audit = NewAuditEntry {
                actor: "hub".into(),
                action: AuditAction::AlertEscalated,
                subject: alert.to_string(),
                details: serde_json::json!({ "after_seconds": after.as_secs() }),
            };
            // The write checks the record itself: acknowledged meanwhile, it writes nothing.
            let write = AlertWrite::Escalate { alert: *alert, notify: vec![Role::SecurityGuard, Role::DutyManager] };
            match hub.store.write_alert(site.clone(), write, audit, now()).await {
                Ok(written) => hub.live.advance(site, written.head),
                Err(e) => {
                    eprintln!("frontdesk-hub: cannot escalate alert {alert}: {e}");
                    // Still due: try again at the next tick.
                    next_due = i64::MIN;
                }
            }
        }
    }
}

/// Of alerts falling due at `due_at` (ms since the epoch), which are due at `now_ms`, and the
/// earliest time another can be: the earliest of the rest, or for an alert that arrives after
/// this look, the `shortest` delay a site may set from now.
fn due_now(now_ms: i64, shortest: i64, due_at: impl Iterator<Item = i64>) -> (Vec<usize>, i64) {
    let (mut due, mut next) = (Vec::new(), now_ms + shortest);
    for (i, at) in due_at.enumerate() {
        if at <= now_ms {
            due.push(i);
        } else {
            next = next.min(at);
        }
    }
    (due, next)
}

/// Write a guard's action (acknowledge, resolve) as the hub's op at the site, audited with the
/// guard as actor; kiosks hear of it on their live channel at once.
pub async fn guard_action<S: HubStore>(
    hub: &HubState<S>,
    site: &SiteId,
    write: AlertWrite,
    actor: String,
) -> Result<AlertWritten, AlertWriteError> {
    let (action, details) = match &write {
        AlertWrite::Acknowledge { .. } => (AuditAction::AlertAcknowledged, serde_json::json!({})),
        AlertWrite::Resolve { outcome, .. } => (AuditAction::AlertResolved, serde_json::json!({ "outcome": outcome })),
        _ => (AuditAction::AlertAcknowledged, serde_json::json!({})),
    };
    let subject = match &write {
        AlertWrite::Acknowledge { alert, .. } | AlertWrite::Resolve { alert, .. } => alert.to_string(),
        _ => String::new(),
    };
    let audit = NewAuditEntry { actor, action, subject, details };
    let written = hub.store.write_alert(site.clone(), write, audit, now()).await?;
    hub.live.advance(site, written.head);
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::due_now;

    #[test]
    fn the_next_look_is_when_the_first_waiting_alert_falls_due_or_a_new_one_could() {
        let now = 100_000;
        // Nothing waiting: an alert arriving now is due in 5 s at the earliest.
        assert_eq!(due_now(now, 5_000, [].into_iter()), (vec![], 105_000));
        // One due, one due in 1 s (held for 4 s of a 5 s delay), one in 15 s.
        assert_eq!(due_now(now, 5_000, [99_000, 101_000, 115_000].into_iter()), (vec![0], 101_000));
        // Due exactly now counts as due.
        assert_eq!(due_now(now, 5_000, [100_000].into_iter()), (vec![0], 105_000));
    }
}
