//! One change of the kiosk's state: its ops, audit entries and device-local rows, written in
//! one transaction under the store's lock, so a check and the write it guards see the same
//! data and a refused change stores nothing.

use serde_json::Value;

use super::Kiosk;
use crate::audit::{AuditAction, AuditEntry, NewAuditEntry};
use crate::error::CoreError;
use crate::ids::OpId;
use crate::op::{Op, OpBody};
use crate::storage::{Reader, StorageError, Store, Tx};

pub struct Change<'a> {
    tx: &'a Tx<'a>,
    kiosk: &'a Kiosk,
    next_seq: u64,
    now_ms: i64,
    ops: Vec<Op>,
}

impl<'a> Change<'a> {
    /// The tables as this transaction sees them (including its own writes).
    pub fn read(&self) -> Reader<'_> {
        self.tx.read()
    }

    /// Stamp `body` as this device's next op, append it to the log and apply it.
    pub fn op(&mut self, body: OpBody) -> Result<Op, CoreError> {
        // Once the kiosk is enrolled, site data (directory, settings…) is the hub's to write.
        if body.author() == crate::sync::Author::Site && crate::sync::hub_managed_in(self.tx)? {
            return Err(crate::sync::SyncError::HubManaged.into());
        }
        let op = Op {
            id: OpId::new(),
            hlc: self.kiosk.clock.tick(),
            device: self.kiosk.device,
            seq: self.next_seq,
            site: self.kiosk.site().site.id.clone(),
            body,
        };
        self.tx.append_op(&op)?;
        self.next_seq += 1;
        self.ops.push(op.clone());
        Ok(op)
    }

    /// Append an audit entry (never with personal data in `subject` or `details`).
    pub fn audit(
        &mut self,
        actor: &str,
        action: AuditAction,
        subject: impl Into<String>,
        details: Value,
    ) -> Result<AuditEntry, CoreError> {
        let entry = NewAuditEntry { actor: actor.to_owned(), action, subject: subject.into(), details };
        Ok(self.tx.audit(self.now_ms, &entry)?)
    }

    /// The wall-clock time of this change.
    pub fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::from_millisecond(self.now_ms).unwrap_or_default()
    }

    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, CoreError> {
        Ok(self.tx.meta(key)?)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), CoreError> {
        Ok(self.tx.set_meta(key, value)?)
    }

    /// This kiosk's desk.
    pub fn desk(&self) -> Result<crate::site::Desk, CoreError> {
        Ok(self.kiosk.desk_for(self.meta(super::META_DESK)?))
    }

    /// The actor name for the receptionist at this desk.
    pub fn desk_actor(&self) -> Result<String, CoreError> {
        Ok(format!("desk:{}", self.desk()?.id))
    }

    /// The actor name for an administrator at this desk.
    pub fn admin_actor(&self) -> Result<String, CoreError> {
        Ok(format!("admin:{}", self.desk()?.id))
    }

    /// Keep a photo taken at sign-in (device-local, never synced).
    pub(crate) fn put_photo(
        &self,
        visit: crate::ids::VisitId,
        photo: &crate::storage::visitors::StoredPhoto,
    ) -> Result<(), CoreError> {
        Ok(crate::storage::visitors::put_photo(self.tx, visit, photo, self.now_ms)?)
    }

    /// The ops written so far in this change.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }
}

impl Kiosk {
    /// Run `f` as one change: everything it writes commits together or not at all.
    pub fn change<T>(&self, f: impl FnOnce(&mut Change<'_>) -> Result<T, CoreError>) -> Result<T, CoreError> {
        self.check_not_retired()?;
        let mut store = self.store();
        let (result, wrote) = self.change_in(&mut store, true, f)?;
        drop(store);
        if wrote {
            self.changed(); // e.g. the sync engine pushes at once
        }
        Ok(result)
    }

    /// Like `change`, for this desk's own bookkeeping that is done again if a power cut loses
    /// it (`Store::redoable`: not synced on its own). It may not write ops: those are always
    /// synced.
    pub(crate) fn change_redoable<T>(
        &self,
        f: impl FnOnce(&mut Change<'_>) -> Result<T, CoreError>,
    ) -> Result<T, CoreError> {
        self.check_not_retired()?;
        let mut store = self.store();
        store.redoable(|store| Ok(self.change_in(store, false, f)?.0))
    }

    /// One transaction of `f`; returns whether it wrote ops (refused unless `ops_allowed`).
    fn change_in<T>(
        &self,
        store: &mut Store,
        ops_allowed: bool,
        f: impl FnOnce(&mut Change<'_>) -> Result<T, CoreError>,
    ) -> Result<(T, bool), CoreError> {
        let next_seq = store.next_seq(self.device)?;
        let now_ms = self.clock_wall_ms();
        store.transaction(now_ms, |tx| {
            let mut change = Change { tx, kiosk: self, next_seq, now_ms, ops: Vec::new() };
            let result = f(&mut change)?;
            if !ops_allowed && let Some(op) = change.ops.first() {
                return Err(StorageError::UnsyncedOp(op.id.to_string()).into());
            }
            Ok::<_, CoreError>((result, !change.ops.is_empty()))
        })
    }
}

/// The actor of automatic actions (auto sign-out, retention purge).
pub const SYSTEM_ACTOR: &str = "system";
