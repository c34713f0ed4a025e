//! The hub's storage, behind a trait so a PostgreSQL backend can follow without touching the
//! protocol or the routes. Nothing SQLite-specific crosses this boundary.
//!
//! Contract every backend keeps:
//! - `push` is all-or-nothing per batch and applies `frontdesk_core::sync::validate::classify`
//!   to every op against what is stored, inside the transaction that stores the batch;
//! - cursors are assigned in commit order per site: a reader that sees cursor N also sees every
//!   cursor below N (PostgreSQL would serialise pushes per site to keep this);
//! - `redeem_code` marks the code used and records the device atomically, so a code works once
//!   even when two kiosks race.

pub mod sqlite;

use std::future::Future;

use frontdesk_core::hlc::Hlc;
use frontdesk_core::ids::{DeviceId, OpId, SiteId};
use frontdesk_core::op::Op;
use frontdesk_core::sync::HubError;
use frontdesk_core::sync::validate::Pusher;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushOutcome {
    pub stored: u32,
    pub duplicates: u32,
    pub device_seq: u64,
    pub head: u64,
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
}
