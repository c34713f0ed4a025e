//! The kiosk's background sync: keeps the live channel to the hub open, runs an exchange
//! (`round::sync_round`) whenever something changed on either side, and backs off while the
//! hub is away. It survives hub restarts and network loss on its own; the desk keeps working
//! locally meanwhile.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use tokio::sync::Notify;

use super::SyncError;
use super::backoff::Backoff;
use super::client::{self, HubClient, LiveChannel};
use super::protocol::LiveEvent;
use super::round::sync_round;
use super::status::{LinkHealth, Phase, SyncStatus};
use crate::error::{ApiError, CoreError};
use crate::kiosk::Kiosk;

/// An exchange also runs this often with nothing announced, as a safety net.
const IDLE_ROUND: Duration = Duration::from_secs(60);

/// What the engine tells the app.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    /// The sync state changed (or may have: the app redraws it).
    Status(Box<SyncStatus>),
    /// Ops from other devices were applied: lists on screen may be stale.
    DataChanged,
}

pub type Observer = Arc<dyn Fn(SyncEvent) + Send + Sync>;

#[derive(Clone, Default)]
pub struct EngineOptions {
    /// Accept `http://` hubs (development hubs started with `--insecure-dev`).
    pub allow_insecure: bool,
    pub backoff: Backoff,
}

pub struct SyncEngine {
    kiosk: Arc<Kiosk>,
    health: Mutex<LinkHealth>,
    wake: Notify,
    observer: Observer,
    options: EngineOptions,
}

impl SyncEngine {
    pub fn new(kiosk: Arc<Kiosk>, observer: Observer, options: EngineOptions) -> Arc<SyncEngine> {
        let engine = Arc::new(SyncEngine {
            kiosk: kiosk.clone(),
            health: Mutex::default(),
            wake: Notify::new(),
            observer,
            options,
        });
        let weak = Arc::downgrade(&engine);
        kiosk.on_change(Arc::new(move || {
            if let Some(engine) = weak.upgrade() {
                engine.wake.notify_one();
                engine.emit_status();
            }
        }));
        engine
    }

    pub fn kiosk(&self) -> &Arc<Kiosk> {
        &self.kiosk
    }

    pub fn status(&self) -> Result<SyncStatus, CoreError> {
        let health = self.health.lock().unwrap_or_else(|e| e.into_inner()).clone();
        self.kiosk.sync_status(&health)
    }

    fn emit_status(&self) {
        if let Ok(status) = self.status() {
            (self.observer)(SyncEvent::Status(Box::new(status)));
        }
    }

    fn set_health(&self, phase: Phase, problem: Option<ApiError>) {
        {
            let mut health = self.health.lock().unwrap_or_else(|e| e.into_inner());
            health.phase = phase;
            health.problem = problem;
        }
        self.emit_status();
    }

    /// Try now instead of waiting out the backoff.
    pub fn sync_now(&self) {
        self.wake.notify_one();
    }

    /// Enrol at a hub with a one-time code; the loop takes up the new link at once. Only an
    /// admin may (it decides where this kiosk's visitor data goes); the enrolment is audited.
    pub async fn enrol(&self, admin_session: &str, address: &str, code: &str) -> Result<SyncStatus, CoreError> {
        self.kiosk.require_admin(admin_session)?;
        client::enrol(&self.kiosk, address, code, self.options.allow_insecure).await?;
        self.set_health(Phase::Starting, None);
        self.wake.notify_one();
        self.status()
    }

    /// Run forever (spawn it on the runtime).
    pub async fn run(self: Arc<Self>) {
        let mut backoff = self.options.backoff.clone();
        loop {
            let link = match self.kiosk.hub_link() {
                Ok(Some(link)) if link.revoked_at.is_none() => link,
                Ok(_) => {
                    // Not enrolled, or revoked: nothing to do until someone enrols.
                    self.emit_status();
                    self.wake.notified().await;
                    continue;
                }
                Err(e) => {
                    self.set_health(Phase::Refused, Some(ApiError::from(&e)));
                    self.pause(&mut backoff).await;
                    continue;
                }
            };
            let session = async {
                let credential = self.kiosk.hub_credential()?;
                let client = HubClient::for_link(&link, credential, self.options.allow_insecure)?;
                self.session(&client, &mut backoff).await
            };
            let Err(err) = session.await;
            if matches!(err, CoreError::Sync(SyncError::Revoked)) {
                if let Err(e) = self.kiosk.mark_revoked() {
                    eprintln!("frontdesk: sync: {e}");
                }
                self.set_health(Phase::Refused, Some(ApiError::from(&err)));
                continue;
            }
            let transient = matches!(&err, CoreError::Sync(e) if e.is_transient());
            eprintln!("frontdesk: sync: {err}");
            self.set_health(if transient { Phase::Offline } else { Phase::Refused }, Some(ApiError::from(&err)));
            self.pause(&mut backoff).await;
        }
    }

    /// Wait out the backoff, or less if woken.
    async fn pause(&self, backoff: &mut Backoff) {
        let delay = backoff.next_delay(rand::rng().random::<f64>());
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = self.wake.notified() => {}
        }
    }

    /// Connected: exchange whenever either side has news. Returns only with the reason it ended.
    async fn session(&self, client: &HubClient, backoff: &mut Backoff) -> Result<std::convert::Infallible, CoreError> {
        // Open the channel before the first exchange, so nothing announced in between is missed.
        let mut live: LiveChannel = client.live(self.kiosk.pull_cursor()?).await?;
        // Once per enrolment: share the site's keys, so every desk signs and checks badges alike.
        if !self.kiosk.site_secrets_settled()? {
            let answer = client.site_secrets(&self.kiosk.site_secrets_offer()?).await?;
            self.kiosk.adopt_site_secrets(&answer)?;
        }
        loop {
            self.set_health(Phase::Exchanging, None);
            let report = sync_round(&self.kiosk, client).await?;
            self.kiosk.record_sync()?;
            backoff.reset();
            self.set_health(Phase::UpToDate, None);
            if report.applied > 0 {
                (self.observer)(SyncEvent::DataChanged);
            }
            // Wait for news: the hub announcing ops past our cursor, or a local change.
            loop {
                let event = tokio::select! {
                    event = live.next_event() => event?,
                    _ = self.wake.notified() => break,
                    _ = tokio::time::sleep(IDLE_ROUND) => break,
                };
                match event {
                    LiveEvent::Hello { head } | LiveEvent::Ops { head } => {
                        // Behind, or ahead of a hub that went back to a backup: exchange.
                        if head != self.kiosk.pull_cursor()? {
                            break;
                        }
                    }
                    LiveEvent::Revoked => return Err(SyncError::Revoked.into()),
                    LiveEvent::Unknown => {}
                }
            }
        }
    }
}
