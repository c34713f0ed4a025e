//! The kiosk's background sync: keeps the live channel to the hub open, runs an exchange
//! (`round::sync_round`) whenever something changed on either side, and backs off while the
//! hub is away. It survives hub restarts and network loss on its own; the desk keeps working
//! locally meanwhile.
//!
//! Beside it run two things the normal backoff (up to 30 s) must never delay:
//! - the alert courier: an alert op, once committed locally, is pushed at once on the live
//!   channel and by HTTP (the op id as idempotency key), and again every ≤ 2 s until the hub
//!   confirms it committed it;
//! - heartbeats: every 5 s on the live channel (the hub answers `alive`; no answer within
//!   10 s means the channel is dead), or by HTTP while the channel is down, which also cuts
//!   the backoff short as soon as the hub answers. The hub raises "lost contact" for a kiosk
//!   it has not heard for 15 s.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use tokio::sync::Notify;

use super::backoff::Backoff;
use super::client::{self, HubClient, LiveChannel, LiveSender};
use super::protocol::{HEARTBEAT_EVERY, HubErrorCode, LiveEvent, MAX_PUSH_OPS};
use super::round::sync_round;
use super::status::{LinkHealth, Phase, SyncStatus};
use super::{HubLink, SyncError, joined, on_kiosk};
use crate::error::{ApiError, CoreError};
use crate::kiosk::Kiosk;
use crate::op::Op;

/// An exchange also runs this often with nothing announced, as a safety net.
const IDLE_ROUND: Duration = Duration::from_secs(60);
/// After the hub announces new ops, wait this long before pulling, so a burst (ten desks
/// raising alerts at once) is fetched in a few pulls rather than one pull per op.
const GATHER: Duration = Duration::from_millis(20);
/// "Last synced" is written to the database at most this often (it is shown to the minute).
const RECORD_SYNC_EVERY: Duration = Duration::from_secs(1);
/// The app is told the sync state at most this often: a burst of changes (ten desks' alerts)
/// is one status, read from the database once, not one per change. Always the state as it is
/// when told.
const STATUS_EVERY: Duration = Duration::from_millis(100);

/// What the engine tells the app.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    /// The sync state changed (or may have: the app redraws it).
    Status(Box<SyncStatus>),
    /// Ops from other devices were applied: lists on screen may be stale.
    DataChanged,
    /// Alerts changed: raised or acted on here or elsewhere, or confirmed by the hub.
    AlertsChanged,
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
    /// The open live channel (heartbeats and alert pushes go on it), while there is one.
    live: Mutex<Option<LiveSender>>,
    /// Wakes the alert courier: a local change may be an alert.
    courier_wake: Notify,
    /// The sync state may have changed: tell the app (`report_status`).
    status_wake: Notify,
}

/// The courier's waits between tries of an undelivered alert: quick at first, never more
/// than 2 s apart (the cap), however long the hub stays away.
pub const ALERT_RETRY_MAX: Duration = Duration::from_secs(2);

fn alert_retry_delay(failures: u32) -> Duration {
    Duration::from_millis(100u64.saturating_mul(1 << failures.min(5))).min(ALERT_RETRY_MAX)
}

impl SyncEngine {
    pub fn new(kiosk: Arc<Kiosk>, observer: Observer, options: EngineOptions) -> Arc<SyncEngine> {
        let engine = Arc::new(SyncEngine {
            kiosk: kiosk.clone(),
            health: Mutex::default(),
            wake: Notify::new(),
            observer,
            options,
            live: Mutex::new(None),
            courier_wake: Notify::new(),
            status_wake: Notify::new(),
        });
        let weak = Arc::downgrade(&engine);
        kiosk.on_change(Arc::new(move || {
            if let Some(engine) = weak.upgrade() {
                // Only wake-ups here: this runs on the thread that committed the change (an
                // alert's raise, which the desk waits for), so the store is read elsewhere.
                engine.courier_wake.notify_one();
                engine.wake.notify_one();
                engine.emit_status();
                engine.emit_alert_news();
            }
        }));
        engine
    }

    /// Tell the app if alerts changed since it was last told.
    fn emit_alert_news(&self) {
        if self.kiosk.take_alerts_changed() {
            (self.observer)(SyncEvent::AlertsChanged);
        }
    }

    /// Keep `client` for the linked hub: made again only when there is none or the hub moved.
    async fn refresh_client(&self, client: &mut Option<(String, Arc<HubClient>)>, link: &HubLink) {
        if client.as_ref().is_none_or(|(url, _)| *url != link.url) {
            *client = on_kiosk(&self.kiosk, Kiosk::hub_credential)
                .await
                .ok()
                .and_then(|credential| HubClient::for_link(link, credential, self.options.allow_insecure).ok())
                .map(Arc::new)
                .map(|c| (link.url.clone(), c));
        }
    }

    fn live_sender(&self) -> Option<LiveSender> {
        self.live.lock().unwrap_or_else(|e| e.into_inner()).clone().filter(|s| !s.is_closed())
    }

    pub fn kiosk(&self) -> &Arc<Kiosk> {
        &self.kiosk
    }

    pub fn status(&self) -> Result<SyncStatus, CoreError> {
        self.kiosk.sync_status(&self.health())
    }

    fn health(&self) -> LinkHealth {
        self.health.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The sync state may have changed: the app hears of it within `STATUS_EVERY`.
    fn emit_status(&self) {
        self.status_wake.notify_one();
    }

    async fn report_status(&self) {
        loop {
            self.status_wake.notified().await;
            let health = self.health();
            match on_kiosk(&self.kiosk, move |k| k.sync_status(&health)).await {
                Ok(status) => (self.observer)(SyncEvent::Status(Box::new(status))),
                Err(e) => eprintln!("frontdesk: sync status: {e}"),
            }
            tokio::time::sleep(STATUS_EVERY).await;
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

    /// Run forever (spawn it on the runtime): the sync loop, the alert courier, the
    /// heartbeats and the status reports.
    pub async fn run(self: Arc<Self>) {
        tokio::join!(self.sync_loop(), self.courier(), self.heartbeats(), self.report_status());
    }

    async fn sync_loop(&self) {
        let mut backoff = self.options.backoff.clone();
        loop {
            let link = match on_kiosk(&self.kiosk, Kiosk::hub_link).await {
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
                let credential = on_kiosk(&self.kiosk, Kiosk::hub_credential).await?;
                let client = HubClient::for_link(&link, credential, self.options.allow_insecure)?;
                self.session(&client, &mut backoff).await
            };
            let Err(err) = session.await;
            if matches!(err, CoreError::Sync(SyncError::Revoked)) {
                if let Err(e) = on_kiosk(&self.kiosk, Kiosk::mark_revoked).await {
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
        let mut live: LiveChannel = client.live(on_kiosk(&self.kiosk, Kiosk::pull_cursor).await?).await?;
        // Once per enrolment: share the site's keys, so every desk signs and checks badges alike.
        if !on_kiosk(&self.kiosk, Kiosk::site_secrets_settled).await? {
            let answer = client.site_secrets(&on_kiosk(&self.kiosk, Kiosk::site_secrets_offer).await?).await?;
            on_kiosk(&self.kiosk, move |k| k.adopt_site_secrets(&answer)).await?;
        }
        *self.live.lock().unwrap_or_else(|e| e.into_inner()) = Some(live.sender());
        // The courier may have an alert waiting for a channel.
        self.courier_wake.notify_one();
        let result = self.exchange_while_connected(client, backoff, &mut live).await;
        *self.live.lock().unwrap_or_else(|e| e.into_inner()) = None;
        result
    }

    async fn exchange_while_connected(
        &self,
        client: &HubClient,
        backoff: &mut Backoff,
        live: &mut LiveChannel,
    ) -> Result<std::convert::Infallible, CoreError> {
        let mut recorded: Option<std::time::Instant> = None;
        loop {
            self.set_health(Phase::Exchanging, None);
            let report = sync_round(&self.kiosk, client).await?;
            if recorded.is_none_or(|at| at.elapsed() >= RECORD_SYNC_EVERY) {
                on_kiosk(&self.kiosk, Kiosk::record_sync).await?;
                recorded = Some(std::time::Instant::now());
            }
            backoff.reset();
            self.set_health(Phase::UpToDate, None);
            if report.applied > 0 {
                (self.observer)(SyncEvent::DataChanged);
            }
            self.emit_alert_news();
            // Wait for news: the hub announcing ops past our cursor, or a local change.
            loop {
                let event = tokio::select! {
                    event = live.next_event() => event?,
                    _ = self.wake.notified() => {
                        // An alert goes with the courier at once; the exchange follows its
                        // delivery (`confirm_alerts` wakes this loop), rather than pushing it a
                        // third time beside it.
                        if matches!(on_kiosk(&self.kiosk, Kiosk::undelivered_alert_seq).await, Ok(Some(_))) {
                            continue;
                        }
                        break;
                    }
                    _ = tokio::time::sleep(IDLE_ROUND) => break,
                };
                match event {
                    LiveEvent::Hello { head, .. } | LiveEvent::Ops { head } => {
                        // Behind, or ahead of a hub that went back to a backup: exchange.
                        if head != on_kiosk(&self.kiosk, Kiosk::pull_cursor).await? {
                            tokio::time::sleep(GATHER).await;
                            break;
                        }
                    }
                    LiveEvent::Revoked => return Err(SyncError::Revoked.into()),
                    LiveEvent::Alive
                    | LiveEvent::Pushed { .. }
                    | LiveEvent::PushRefused { .. }
                    | LiveEvent::Unknown => {}
                }
            }
        }
    }

    // --- Alerts: the courier -----------------------------------------------------------------

    /// Deliver every alert op the hub has not confirmed: at once, on the live channel and by
    /// HTTP together, then every ≤ 2 s until the hub confirms it committed it. Independent of
    /// the sync loop and its backoff.
    async fn courier(&self) {
        let mut client: Option<(String, Arc<HubClient>)> = None;
        let mut failures: u32 = 0;
        loop {
            let (target, link, first) = match on_kiosk(&self.kiosk, courier_work).await {
                Ok(CourierWork::Deliver { target, link, outbox }) => (target, link, outbox),
                Ok(CourierWork::Nothing) => {
                    failures = 0;
                    self.wait_courier(Duration::from_secs(1)).await;
                    continue;
                }
                Ok(CourierWork::NoHub) => {
                    // Standalone (or revoked): kept here; delivered once a hub is there.
                    self.wait_courier(Duration::from_secs(1)).await;
                    continue;
                }
                Ok(CourierWork::Pushed(pushed)) => {
                    self.confirm_alerts(pushed).await;
                    continue;
                }
                Err(e) => {
                    eprintln!("frontdesk: alert courier: {e}");
                    self.wait_courier(Duration::from_secs(1)).await;
                    continue;
                }
            };
            self.refresh_client(&mut client, &link).await;
            let Some((_, hub)) = client.as_ref() else {
                self.wait_courier(alert_retry_delay(failures)).await;
                failures += 1;
                continue;
            };
            match self.deliver(hub, target, first).await {
                Ok(device_seq) => {
                    failures = 0;
                    self.confirm_alerts(device_seq).await;
                }
                Err(e) => {
                    if failures == 0 {
                        eprintln!("frontdesk: alert not delivered yet, retrying: {e}");
                    }
                    let delay = alert_retry_delay(failures);
                    failures = failures.saturating_add(1);
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    async fn wait_courier(&self, at_most: Duration) {
        tokio::select! {
            _ = self.courier_wake.notified() => {}
            _ = tokio::time::sleep(at_most) => {}
        }
    }

    async fn confirm_alerts(&self, device_seq: u64) {
        let waiting = on_kiosk(&self.kiosk, move |k| {
            if let Err(e) = k.alerts_confirmed(device_seq) {
                eprintln!("frontdesk: alert courier: {e}");
            }
            k.ops_waiting()
        })
        .await;
        self.emit_alert_news();
        self.emit_status();
        // Anything else that waited behind the alert goes with the usual exchange now.
        if waiting.is_ok_and(|n| n > 0) {
            self.wake.notify_one();
        }
    }

    /// One try: push the outbox (`first`: as the courier read it) up to `target` on the live
    /// channel and by HTTP at the same time; the first confirmation wins. Returns what the hub
    /// confirmed holding.
    async fn deliver(&self, hub: &Arc<HubClient>, target: u64, first: Vec<Op>) -> Result<u64, CoreError> {
        let live = self.live_sender();
        // The HTTP push runs to its end even when the live channel confirms first: a request
        // dropped mid-flight closes its connection, and the next alert would wait for a new
        // TLS handshake (which was ~6% of the CPU of an alert burst).
        let mut by_http = tokio::spawn(push_until(self.kiosk.clone(), hub.clone(), target, first.clone()));
        let on_live = async {
            match live {
                Some(live) if !first.is_empty() => match live.push(first.clone()).await {
                    Ok(answer) if answer.device_seq >= target => answer.device_seq,
                    // Not it, or refused: the HTTP path decides.
                    _ => std::future::pending().await,
                },
                _ => std::future::pending().await,
            }
        };
        let device_seq = tokio::select! {
            seq = on_live => seq,
            result = joined(&mut by_http) => result?,
        };
        Ok(device_seq)
    }

    // --- Heartbeats --------------------------------------------------------------------------

    /// Say "I am here" every 5 s: on the live channel, or by HTTP while it is down (and then,
    /// when the hub answers, end the sync loop's wait at once).
    async fn heartbeats(&self) {
        let mut tick = tokio::time::interval(HEARTBEAT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut client: Option<(String, Arc<HubClient>)> = None;
        loop {
            tick.tick().await;
            let link = match on_kiosk(&self.kiosk, Kiosk::hub_link).await {
                Ok(Some(link)) if link.revoked_at.is_none() => link,
                _ => continue,
            };
            if let Some(live) = self.live_sender()
                && live.heartbeat()
            {
                continue;
            }
            self.refresh_client(&mut client, &link).await;
            if let Some((_, hub)) = &client
                && hub.heartbeat().await.is_ok()
            {
                // The hub is back: reconnect now rather than at the end of the backoff.
                self.wake.notify_one();
            }
        }
    }
}

/// What the alert courier has to do next, read in one go (one trip to the blocking pool
/// between an alert's commit and its push).
enum CourierWork {
    /// Every alert op of this device is confirmed.
    Nothing,
    /// Not enrolled, or revoked: alerts wait here until a hub is there.
    NoHub,
    /// The sync loop's push already reached past the last alert; the hub holds up to this.
    Pushed(u64),
    /// Push the outbox (as read now) until the hub holds `target`.
    Deliver { target: u64, link: HubLink, outbox: Vec<Op> },
}

fn courier_work(kiosk: &Kiosk) -> Result<CourierWork, CoreError> {
    let Some(target) = kiosk.undelivered_alert_seq()? else { return Ok(CourierWork::Nothing) };
    let link = match kiosk.hub_link()? {
        Some(link) if link.revoked_at.is_none() => link,
        _ => return Ok(CourierWork::NoHub),
    };
    let pushed = kiosk.pushed_seq()?;
    if pushed >= target {
        return Ok(CourierWork::Pushed(pushed));
    }
    Ok(CourierWork::Deliver { target, link, outbox: kiosk.outbox(MAX_PUSH_OPS)? })
}

/// Push the outbox (starting with `batch`, read again after each answer) by HTTP until the
/// hub holds `target`.
async fn push_until(kiosk: Arc<Kiosk>, hub: Arc<HubClient>, target: u64, mut batch: Vec<Op>) -> Result<u64, CoreError> {
    let mut resends = 0;
    loop {
        let Some(key) = batch.iter().rev().find(|op| op.seq <= target).map(|op| op.id) else {
            // Nothing waiting: the hub confirmed everything already.
            return on_kiosk(&kiosk, Kiosk::pushed_seq).await;
        };
        match hub.push_alert_ops(batch, key).await {
            // Confirmed (the caller records it, with the push mark, in one commit).
            Ok(answer) if answer.device_seq >= target => return Ok(answer.device_seq),
            Ok(answer) => {
                batch = on_kiosk(&kiosk, move |k| {
                    k.push_acknowledged(answer.device_seq)?;
                    k.outbox(MAX_PUSH_OPS)
                })
                .await?;
            }
            Err(SyncError::Refused(e))
                if matches!(e.code, HubErrorCode::SequenceGap | HubErrorCode::SequenceConflict)
                    && e.expected_seq.is_some_and(|s| s >= 1)
                    && resends < 3 =>
            {
                // The hub holds fewer of our ops than we thought: send from where it is.
                resends += 1;
                let seq = e.expected_seq.unwrap_or(1) - 1;
                batch = on_kiosk(&kiosk, move |k| {
                    k.push_acknowledged(seq)?;
                    k.outbox(MAX_PUSH_OPS)
                })
                .await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
}
