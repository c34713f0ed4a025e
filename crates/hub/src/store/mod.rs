//! The hub's storage, behind a trait so a PostgreSQL backend can follow without touching the
//! protocol or the routes. Nothing SQLite-specific crosses this boundary.
//!
//! Contract every backend keeps:
//! - `push` is all-or-nothing per batch and applies `frontdesk_core::sync::validate::classify`
//!   to every op against what is stored, inside the transaction that stores the batch;
//! - cursors are assigned in commit order per site: a reader that sees cursor N also sees every
//!   cursor below N (PostgreSQL would serialise pushes per site to keep this);
//! - `redeem_code` marks the code used and records the device atomically, so a code works once
//!   even when two kiosks race;
//! - alert ops are materialised with core's merge rule (`frontdesk_core::storage::alerts`) in
//!   the transaction that stores them, and the alert listener hears about each change after it
//!   committed, in commit (cursor) order;
//! - `write_alert` decides and writes a hub-authored alert op (a guard's acknowledgement,
//!   an escalation, lost contact) in one transaction, against the alert as stored.

pub mod sqlite;

use std::future::Future;

use std::sync::Arc;

use frontdesk_core::alert::{AlertActor, AlertOutcome, AlertRecord, AlertRefusal, AlertView};
use frontdesk_core::audit::{AuditEntry, AuditVerification, NewAuditEntry};
use frontdesk_core::cards::Role;
use frontdesk_core::hlc::Hlc;
use frontdesk_core::ids::{AlertId, DeviceId, OpId, SiteId};
use frontdesk_core::op::Op;
use frontdesk_core::sync::HubError;
use frontdesk_core::sync::validate::Pusher;
use serde::{Deserialize, Serialize};

pub use sqlite::SqliteHubStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("hub database: {0}")]
    Database(String),
    #[error("hub database holds invalid data: {0}")]
    Corrupt(String),
    #[error("the hub database {path} has schema version {found}, newer than this hub understands ({supported})")]
    SchemaTooNew { path: String, found: usize, supported: usize },
}

/// A push refused by the rules, or failed in the store.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error(transparent)]
    Refused(#[from] HubError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    pub id: DeviceId,
    pub site: SiteId,
    pub name: String,
    /// SHA-256 of the credential; the credential itself is never stored.
    pub credential_hash: String,
    pub handover_seq: u64,
    pub enrolled_at: jiff::Timestamp,
    pub revoked_at: Option<jiff::Timestamp>,
    pub last_seen_at: Option<jiff::Timestamp>,
}

impl DeviceRecord {
    pub fn pusher(&self) -> Pusher {
        Pusher { device: self.id, site: self.site.clone(), handover_seq: self.handover_seq }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    /// The public part of the code.
    pub id: String,
    /// The secret part, kept only until the code is used; it keys the enrolment proofs.
    pub secret: Option<String>,
    pub site: SiteId,
    pub device_name: String,
    pub created_at: jiff::Timestamp,
    pub expires_at: jiff::Timestamp,
    pub used_at: Option<jiff::Timestamp>,
    pub used_by: Option<DeviceId>,
    pub failed_attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushOutcome {
    pub stored: u32,
    pub duplicates: u32,
    pub device_seq: u64,
    pub head: u64,
    /// The alerts this push changed (also told to the alert listener).
    pub alerts: Vec<AlertUpdate>,
}

/// An alert as one op changed it, with that op's cursor: what guard consoles receive, and
/// replay from after a reconnect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertUpdate {
    #[serde(skip)]
    pub site: SiteId,
    pub cursor: u64,
    pub alert: AlertView,
}

/// Hears every committed alert change, in commit order (the hub fans it out to consoles).
pub type AlertListener = Arc<dyn Fn(&[AlertUpdate]) + Send + Sync>;

/// An alert op the hub writes as the site's author, decided against the alert as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertWrite {
    /// A guard acknowledges (a no-op if they did already).
    Acknowledge { alert: AlertId, by: AlertActor },
    /// A guard resolves an acknowledged alert.
    Resolve { alert: AlertId, outcome: AlertOutcome, note: String, by: AlertActor },
    /// Nobody acknowledged in time: re-alert every guard and these roles.
    Escalate { alert: AlertId, notify: Vec<Role> },
    /// The hub has not heard this kiosk for too long.
    LostContact { device: DeviceId, name: String },
    /// A silent kiosk was heard again: close its lost-contact alert.
    ContactRestored { alert: AlertId },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertWritten {
    /// The alert after the write; `None` if nothing needed writing (acknowledged already, or
    /// an escalation that is no longer due).
    pub update: Option<AlertUpdate>,
    pub head: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum AlertWriteError {
    #[error(transparent)]
    Refused(#[from] AlertRefusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A guard's role at the web console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuardRole {
    /// Alarmed by every alert.
    Guard,
    /// Alarmed once an alert escalates (sees every alert all the same).
    DutyManager,
}

impl GuardRole {
    pub fn as_str(self) -> &'static str {
        match self {
            GuardRole::Guard => "guard",
            GuardRole::DutyManager => "duty_manager",
        }
    }

    /// Whose emergency cards the guard opens.
    pub fn card_role(self) -> Role {
        match self {
            GuardRole::Guard => Role::SecurityGuard,
            GuardRole::DutyManager => Role::DutyManager,
        }
    }
}

impl std::str::FromStr for GuardRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "guard" => Ok(GuardRole::Guard),
            "duty_manager" => Ok(GuardRole::DutyManager),
            other => Err(format!("{other:?} is not a role (guard, duty_manager)")),
        }
    }
}

/// A guard account of the web console. The password is kept only as an Argon2id hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardRecord {
    pub login: String,
    pub site: SiteId,
    pub name: String,
    pub role: GuardRole,
    pub password_hash: String,
    pub disabled: bool,
    pub failed_logins: u32,
    pub locked_until: Option<jiff::Timestamp>,
    pub created_at: jiff::Timestamp,
}

/// A signed-in console session. Only a hash of its token is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub token_hash: String,
    pub login: String,
    /// Sent back with every change the console asks for (`X-CSRF-Token`).
    pub csrf: String,
    pub created_at: jiff::Timestamp,
    pub expires_at: jiff::Timestamp,
}

/// An op as the hub stored it: its canonical JSON, checked when it was pushed. Pulls hand it
/// on as it is, so serving a page costs no parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOp(pub String);

impl StoredOp {
    pub fn parse(&self) -> Result<Op, StoreError> {
        serde_json::from_str(&self.0).map_err(|e| StoreError::Corrupt(format!("stored op: {e}")))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PullPage {
    /// `after` as asked, or 0 when the op at `after` is not the one the device named.
    pub from: u64,
    pub ops: Vec<StoredOp>,
    pub next: u64,
    pub next_id: Option<OpId>,
    pub head: u64,
    /// The highest sequence number the hub holds of the device that asks.
    pub device_seq: u64,
}

/// The hub's own writing identity at a site: it writes site data (directory, settings) as a
/// device of its own, with its own clock and sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteAuthor {
    pub device: DeviceId,
    /// The greatest stamp of any op at the site, so the hub's next stamp comes after it.
    pub max_hlc: Option<Hlc>,
    /// The sequence number of the hub's last op at this site.
    pub last_seq: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedeemRefusal {
    Used,
    Expired,
    Unknown,
}

#[derive(Debug, thiserror::Error)]
pub enum RedeemError {
    #[error("the code cannot be redeemed: {0:?}")]
    Refused(RedeemRefusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub trait HubStore: Send + Sync + 'static {
    /// Record a new enrolment code; `false` if its id is taken (the caller picks another).
    fn insert_code(&self, code: CodeRecord) -> impl Future<Output = Result<bool, StoreError>> + Send;
    fn code(&self, id: &str) -> impl Future<Output = Result<Option<CodeRecord>, StoreError>> + Send;
    /// Count a wrong proof for a code; returns the attempts so far.
    fn code_failed(&self, id: &str) -> impl Future<Output = Result<u32, StoreError>> + Send;
    /// Use the code (once, before it expires) and enrol the device (replacing an earlier
    /// enrolment of the same device, with a new credential), atomically.
    fn redeem_code(
        &self,
        id: &str,
        now: jiff::Timestamp,
        device: DeviceRecord,
    ) -> impl Future<Output = Result<DeviceRecord, RedeemError>> + Send;

    fn device(&self, id: DeviceId) -> impl Future<Output = Result<Option<DeviceRecord>, StoreError>> + Send;
    fn devices(&self) -> impl Future<Output = Result<Vec<DeviceRecord>, StoreError>> + Send;
    /// Revoke a device's credential; `false` if it was revoked already.
    fn revoke(&self, id: DeviceId, at: jiff::Timestamp) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Devices revoked at or after `since`.
    fn revoked_since(&self, since: jiff::Timestamp) -> impl Future<Output = Result<Vec<DeviceId>, StoreError>> + Send;
    fn record_last_seen(
        &self,
        seen: Vec<(DeviceId, jiff::Timestamp)>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Store a batch of `pusher`'s ops (already checked by `validate::check_batch`).
    fn push(
        &self,
        pusher: Pusher,
        ops: Vec<Op>,
        received_at: jiff::Timestamp,
    ) -> impl Future<Output = Result<PushOutcome, PushError>> + Send;
    /// Ops of `site` after `after`, except those written by `exclude`. `at` is the id of the op
    /// the device believes is at `after`; if the hub holds another there, it serves from 0.
    fn pull(
        &self,
        site: SiteId,
        exclude: DeviceId,
        after: u64,
        at: Option<OpId>,
        limit: u32,
    ) -> impl Future<Output = Result<PullPage, StoreError>> + Send;
    /// The site's head cursor.
    fn head(&self, site: SiteId) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Every site's head cursor.
    fn heads(&self) -> impl Future<Output = Result<Vec<(SiteId, u64)>, StoreError>> + Send;
    /// How many ops the hub holds per device (for `devices list`).
    fn op_counts(&self) -> impl Future<Output = Result<Vec<(DeviceId, u64)>, StoreError>> + Send;

    /// The hub's writing identity at `site`, created on first use.
    fn site_author(&self, site: SiteId) -> impl Future<Output = Result<SiteAuthor, StoreError>> + Send;
    /// Every op of one kind at a site, in cursor order (to know what the hub published before).
    fn ops_of_kind(&self, site: SiteId, kind: &'static str)
    -> impl Future<Output = Result<Vec<Op>, StoreError>> + Send;

    /// Ops of `site` not redacted yet of the kinds that may hold personal data, with their cursor.
    fn redactable_ops(&self, site: SiteId) -> impl Future<Output = Result<Vec<(i64, Op)>, StoreError>> + Send;
    /// The sign-in ops of these visits (redacted or not): when each visit began.
    fn sign_ins_of(
        &self,
        site: SiteId,
        visits: Vec<frontdesk_core::ids::VisitId>,
    ) -> impl Future<Output = Result<Vec<Op>, StoreError>> + Send;
    /// Replace ops (by cursor) with their redacted form; each op is redacted at most once.
    fn redact(&self, redacted: Vec<(i64, Op)>) -> impl Future<Output = Result<usize, StoreError>> + Send;
    /// Rewrite the materialised alerts of `site` raised before `before` without personal data.
    fn redact_alert_records(
        &self,
        site: SiteId,
        before: jiff::Timestamp,
    ) -> impl Future<Output = Result<usize, StoreError>> + Send;
    /// Fold the write-ahead log into the database and truncate it.
    fn checkpoint(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Keep each offered site secret the site does not have yet (the first offer wins, atomically)
    /// and return all the site's secrets, by name.
    fn offer_site_secrets(
        &self,
        site: SiteId,
        offers: Vec<(String, Vec<u8>)>,
        now: jiff::Timestamp,
    ) -> impl Future<Output = Result<Vec<(String, Vec<u8>)>, StoreError>> + Send;
    // --- Alerts ---------------------------------------------------------------------------

    /// Hear every committed alert change from now on, in commit order.
    fn set_alert_listener(&self, listener: AlertListener);
    /// Alerts of `site` changed after `after`, each once (its latest state, with the cursor of
    /// its latest change), in cursor order, at most `limit`.
    fn alert_feed(
        &self,
        site: SiteId,
        after: u64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<AlertUpdate>, StoreError>> + Send;
    /// The site's alert head and its alerts that are open, or were raised or ended at or after
    /// `since`, each with the cursor of its latest change, in cursor order (one snapshot).
    fn alerts_since(
        &self,
        site: SiteId,
        since: jiff::Timestamp,
    ) -> impl Future<Output = Result<(u64, Vec<AlertUpdate>), StoreError>> + Send;
    /// The site's cursor for alerts: the cursor of its latest alert change (0 for none).
    fn alert_head(&self, site: SiteId) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Alerts of `site` raised in [`from`, `to`) (by the raiser's clock), latest first.
    fn alert_records(
        &self,
        site: SiteId,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> impl Future<Output = Result<Vec<AlertRecord>, StoreError>> + Send;
    fn alert(&self, site: SiteId, id: AlertId) -> impl Future<Output = Result<Option<AlertRecord>, StoreError>> + Send;
    /// Decide and write a hub-authored alert op, with its audit entry, in one transaction.
    fn write_alert(
        &self,
        site: SiteId,
        write: AlertWrite,
        audit: NewAuditEntry,
        now: jiff::Timestamp,
    ) -> impl Future<Output = Result<AlertWritten, AlertWriteError>> + Send;
    /// Alerts not acknowledged or escalated that the hub has held since `seen_before` or
    /// earlier: their site, when the hub first held them, and their id.
    fn awaiting_escalation(
        &self,
        seen_before: jiff::Timestamp,
    ) -> impl Future<Output = Result<Vec<(SiteId, jiff::Timestamp, AlertId)>, StoreError>> + Send;
    /// Open lost-contact alerts: (site, silent device, alert).
    fn open_lost_contact(&self) -> impl Future<Output = Result<Vec<(SiteId, DeviceId, AlertId)>, StoreError>> + Send;

    // --- Guards and their sessions ---------------------------------------------------------

    /// Add a guard account; `false` if the login is taken.
    fn insert_guard(&self, guard: GuardRecord) -> impl Future<Output = Result<bool, StoreError>> + Send;
    fn guard(&self, login: String) -> impl Future<Output = Result<Option<GuardRecord>, StoreError>> + Send;
    fn guards(&self) -> impl Future<Output = Result<Vec<GuardRecord>, StoreError>> + Send;
    /// Replace a guard's password hash, disabled flag and lockout (`false`: no such login).
    /// Disabling or a new password ends the guard's sessions.
    fn update_guard(&self, guard: GuardRecord) -> impl Future<Output = Result<bool, StoreError>> + Send;
    fn create_session(&self, session: SessionRecord) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// A session that has not expired at `now`, with its guard.
    fn session(
        &self,
        token_hash: String,
        now: jiff::Timestamp,
    ) -> impl Future<Output = Result<Option<(SessionRecord, GuardRecord)>, StoreError>> + Send;
    fn delete_session(&self, token_hash: String) -> impl Future<Output = Result<(), StoreError>> + Send;

    // --- The hub's own audit trail (hash-chained, core's audit log) -------------------------

    fn audit(&self, entry: NewAuditEntry, at: jiff::Timestamp) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn audit_verify(&self) -> impl Future<Output = Result<AuditVerification, StoreError>> + Send;
    fn audit_recent(&self, limit: u32) -> impl Future<Output = Result<Vec<AuditEntry>, StoreError>> + Send;
}
