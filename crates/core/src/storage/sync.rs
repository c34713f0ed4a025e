//! What sync needs from the store: the device's own ops not yet at the hub, and applying the
//! hub's ops together with the cursor they advance, in one transaction.

use rusqlite::params;

use super::{Result, StorageError, Store, apply};
use crate::ids::DeviceId;
use crate::op::{Op, OpBody};

impl Store {
    /// `device`'s ops with a sequence number above `after_seq`, in order, at most `limit`.
    pub fn own_ops_after(&self, device: DeviceId, after_seq: u64, limit: usize) -> Result<Vec<Op>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, hlc, seq, site, body FROM ops WHERE device = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )?;
        let mut rows = stmt.query(params![device.to_string(), after_seq as i64, limit as i64])?;
        let mut ops = Vec::new();
        while let Some(r) = rows.next()? {
            let corrupt = |e: String| StorageError::Corrupt(e);
            let id: String = r.get(0)?;
            let hlc: String = r.get(1)?;
            let body: String = r.get(4)?;
            ops.push(Op {
                id: id.parse().map_err(|e: uuid::Error| corrupt(e.to_string()))?,
                hlc: hlc.parse().map_err(|e: crate::hlc::HlcParseError| corrupt(e.to_string()))?,
                device,
                seq: r.get::<_, i64>(2)? as u64,
                site: crate::ids::SiteId(r.get(3)?),
                body: serde_json::from_str::<OpBody>(&body).map_err(|e| corrupt(e.to_string()))?,
            });
        }
        Ok(ops)
    }

    /// How many of `device`'s ops have a sequence number above `after_seq`.
    pub fn count_own_after(&self, device: DeviceId, after_seq: u64) -> Result<u64> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM ops WHERE device = ?1 AND seq > ?2")?
            .query_row(params![device.to_string(), after_seq as i64], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Apply ops from the hub and record device-local facts (the pull cursor) in the same
    /// transaction, so a crash never leaves the cursor ahead of what was applied.
    /// Not synced on its own (`Store::redoable`): the hub keeps these ops, and a power cut that
    /// loses them takes the cursor back with them, so they are pulled again.
    pub fn apply_with_meta(&mut self, ops: &[Op], received_at_ms: i64, meta: &[(&str, String)]) -> Result<usize> {
        self.redoable(|store| {
            let tx = store.conn.transaction()?;
            let mut new = 0;
            for op in ops {
                if apply::append_and_apply(&tx, op, received_at_ms)? {
                    new += 1;
                }
            }
            for (key, value) in meta {
                super::set_meta(&tx, key, value)?;
            }
            tx.commit()?;
            Ok(new)
        })
    }
}
