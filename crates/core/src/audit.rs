//! The audit log: every security-relevant action, appended in the same transaction as the
//! change it records, each entry chained to the one before by SHA-256.
//!
//! Entries hold ids and codes, never a visitor's personal data (names, ID numbers, phone
//! numbers), so the log can be kept for as long as the site needs without retention purges
//! touching it. Rows are append-only (triggers refuse updates and deletes). `verify` recomputes
//! the chain and names the first entry that no longer matches: an edited field, a removed or
//! inserted entry, or a flipped byte in the file all show up there.
//!
//! The chain proves integrity against edits that do not recompute every later hash; an
//! attacker who rewrites the whole tail is caught once the head is anchored elsewhere (the hub
//! keeps copies of synced entries).

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use strum::{EnumIter, IntoStaticStr};
use ts_rs::TS;

use crate::storage::StorageError;

/// What happened. Adding an action means adding `audit-action-<action>` to every catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, EnumIter, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum AuditAction {
    SignIn,
    SignOut,
    AutoSignOut,
    BadgePrint,
    EscortOverride,
    WatchlistHit,
    WatchlistFalsePositive,
    WatchlistChange,
    Export,
    Purge,
    SettingsChange,
    AdminLogin,
    PinFailed,
    PinLockout,
    PinChanged,
    HostsImport,
    HostChange,
    InvitationCreated,
    InvitationRevoked,
    InvitationRefused,
    ReturningLookup,
    /// This kiosk was enrolled at a site hub (by an admin).
    HubEnrolled,
    /// The site hub revoked this kiosk's credential.
    HubRevoked,
    BackupCreated,
    BackupRestored,
    BackupRefused,
    EvacuationStarted,
    RollcallMarked,
    EvacuationEnded,
    RollcallPrinted,
    FallbackKitPrinted,
    BackEntry,
    /// The site's shared keys (badge signing…) were taken from the site hub.
    SiteKeysAdopted,
    /// An escort was named for a visit, or the visit handed over to another escort.
    EscortAssigned,
    /// At sign-out, the escort's hand-back of the visitor was confirmed.
    EscortHandback,
    /// An alert was raised (at a desk, or by the hub's supervision).
    AlertRaised,
    /// The hub confirmed it committed an alert (kiosk).
    AlertDelivered,
    AlertAcknowledged,
    AlertEscalated,
    AlertResolved,
    AlertCancelled,
    /// A guard signed in to the hub's web console (hub).
    GuardLogin,
    GuardLoginFailed,
    GuardLogout,
    /// A guard account was added, changed or disabled (hub).
    GuardAccountChanged,
    /// The hub stopped hearing a kiosk (hub).
    LostContact,
    /// The hub hears a silent kiosk again (hub).
    ContactRestored,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// An entry before it is appended.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry {
    /// Who did it: `desk:<desk>`, `admin:<desk>`, `system`, or another device's id.
    pub actor: String,
    pub action: AuditAction,
    /// What it was done to: a visit, host or invitation id, a setting's key, a date range.
    pub subject: String,
    /// Further facts (counts, reasons, codes); never personal data.
    pub details: serde_json::Value,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub seq: u64,
    #[ts(type = "string")]
    pub at: jiff::Timestamp,
    pub actor: String,
    /// The action's code (an [`AuditAction`] in snake case); kept as text so an entry written by
    /// a newer build still reads.
    pub action: String,
    pub subject: String,
    #[ts(type = "unknown")]
    pub details: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditVerification {
    /// How many entries were checked.
    #[ts(type = "number")]
    pub entries: u64,
    /// The sequence number of the first entry that does not match, if any.
    #[ts(type = "number | null")]
    pub first_broken: Option<u64>,
    /// Why that entry failed, in English for operators.
    pub reason: Option<String>,
}

impl AuditVerification {
    pub fn is_intact(&self) -> bool {
        self.first_broken.is_none()
    }
}

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub const SCHEMA: &str = r#"
-- The audit log (see crates/core/src/audit.rs). Append-only; each hash covers the entry and
-- the hash before it.
CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,     -- ms since epoch
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    details   TEXT NOT NULL,        -- JSON
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#;

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The hash of one entry: SHA-256 over a domain tag and every field, each length-prefixed so no
/// two different entries serialise alike.
fn entry_hash(
    prev_hash: &[u8],
    seq: i64,
    at: i64,
    actor: &[u8],
    action: &[u8],
    subject: &[u8],
    details: &[u8],
) -> String {
    let mut h = Sha256::new();
    h.update(b"frontdesk-audit-v1");
    let seq = seq.to_be_bytes();
    let at = at.to_be_bytes();
    for part in [prev_hash, &seq[..], &at[..], actor, action, subject, details] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    hex(&h.finalize())
}

/// Append an entry inside the caller's transaction, chained to the last one.
pub fn append(conn: &Connection, at_ms: i64, entry: &NewAuditEntry) -> Result<AuditEntry, StorageError> {
    // Cached statements: the hub appends one entry per alert op it receives.
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map(Some)
        .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let details = serde_json::to_string(&entry.details).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let action = entry.action.as_str();
    let hash = entry_hash(
        prev_hash.as_bytes(),
        seq,
        at_ms,
        entry.actor.as_bytes(),
        action.as_bytes(),
        entry.subject.as_bytes(),
        details.as_bytes(),
    );
    conn.prepare_cached(
        "INSERT INTO audit (seq, at, actor, action, subject, details, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![seq, at_ms, entry.actor, action, entry.subject, details, prev_hash, hash])?;
    Ok(AuditEntry {
        seq: seq as u64,
        at: jiff::Timestamp::from_millisecond(at_ms).unwrap_or_default(),
        actor: entry.actor.clone(),
        action: action.to_owned(),
        subject: entry.subject.clone(),
        details: entry.details.clone(),
        prev_hash,
        hash,
    })
}

/// Recompute the whole chain; report the first entry that does not match.
pub fn verify(conn: &Connection) -> Result<AuditVerification, StorageError> {
    let mut stmt =
        conn.prepare("SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut expected_prev = GENESIS.as_bytes().to_vec();
    let mut expected_seq = 1i64;
    let mut entries = 0u64;
    let broken = |seq: i64, entries: u64, reason: String| AuditVerification {
        entries,
        first_broken: Some(u64::try_from(seq).unwrap_or(0)),
        reason: Some(reason),
    };
    while let Some(r) = rows.next()? {
        entries += 1;
        // Raw values: a flipped byte may leave invalid UTF-8 or a different type behind, which
        // must show up as a broken entry, not as an error that hides where the damage is.
        let seq = r.get_ref(0)?.as_i64().unwrap_or(-1);
        if seq != expected_seq {
            return Ok(broken(expected_seq, entries, format!("entry {expected_seq} is missing or out of order")));
        }
        let bytes = |i: usize| -> Vec<u8> {
            match r.get_ref(i) {
                Ok(rusqlite::types::ValueRef::Text(t)) | Ok(rusqlite::types::ValueRef::Blob(t)) => t.to_vec(),
                Ok(other) => format!("{other:?}").into_bytes(),
                Err(_) => Vec::new(),
            }
        };
        let at = match r.get_ref(1)? {
            rusqlite::types::ValueRef::Integer(i) => i,
            _ => return Ok(broken(seq, entries, "its time is not a number".into())),
        };
        let prev = bytes(6);
        if prev != expected_prev {
            return Ok(broken(seq, entries, "its link to the previous entry does not match".into()));
        }
        let stored = bytes(7);
        let computed = entry_hash(&prev, seq, at, &bytes(2), &bytes(3), &bytes(4), &bytes(5));
        if computed.as_bytes() != stored.as_slice() {
            return Ok(broken(seq, entries, "its content does not match its hash".into()));
        }
        expected_prev = stored;
        expected_seq += 1;
    }
    Ok(AuditVerification { entries, first_broken: None, reason: None })
}

/// The latest entries, newest first.
pub fn recent(conn: &Connection, limit: u32) -> Result<Vec<AuditEntry>, StorageError> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit ORDER BY seq DESC LIMIT ?1",
    )?;
    let mut rows = stmt.query([limit])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let details: String = r.get(5)?;
        out.push(AuditEntry {
            seq: r.get::<_, i64>(0)? as u64,
            at: jiff::Timestamp::from_millisecond(r.get(1)?).unwrap_or_default(),
            actor: r.get(2)?,
            action: r.get(3)?,
            subject: r.get(4)?,
            details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
            prev_hash: r.get(6)?,
            hash: r.get(7)?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use strum::IntoEnumIterator;

    fn db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        conn
    }

    fn entry(i: u32) -> NewAuditEntry {
        NewAuditEntry {
            actor: "desk:lobby".into(),
            action: AuditAction::SignIn,
            subject: format!("visit-{i}"),
            details: json!({ "n": i }),
        }
    }

    #[test]
    fn entries_chain_and_verify() {
        let conn = db();
        assert_eq!(verify(&conn).unwrap(), AuditVerification { entries: 0, first_broken: None, reason: None });
        let a = append(&conn, 1000, &entry(1)).unwrap();
        let b = append(&conn, 2000, &entry(2)).unwrap();
        assert_eq!(a.prev_hash, GENESIS);
        assert_eq!(b.prev_hash, a.hash);
        assert_eq!((a.seq, b.seq), (1, 2));
        let report = verify(&conn).unwrap();
        assert!(report.is_intact());
        assert_eq!(report.entries, 2);
        assert_eq!(recent(&conn, 10).unwrap(), vec![b, a]);
    }

    #[test]
    fn an_edited_entry_breaks_the_chain_there() {
        let conn = db();
        for i in 1..=5 {
            append(&conn, i64::from(i) * 1000, &entry(i)).unwrap();
        }
        conn.execute_batch("DROP TRIGGER audit_is_append_only_update").unwrap();
        conn.execute("UPDATE audit SET subject = 'visit-x' WHERE seq = 3", []).unwrap();
        let report = verify(&conn).unwrap();
        assert_eq!(report.first_broken, Some(3), "{report:?}");
    }

    #[test]
    fn a_removed_entry_is_reported() {
        let conn = db();
        for i in 1..=4 {
            append(&conn, 0, &entry(i)).unwrap();
        }
        conn.execute_batch("DROP TRIGGER audit_is_append_only_delete").unwrap();
        conn.execute("DELETE FROM audit WHERE seq = 2", []).unwrap();
        assert_eq!(verify(&conn).unwrap().first_broken, Some(2));
    }

    #[test]
    fn the_log_refuses_updates_and_deletes() {
        let conn = db();
        append(&conn, 0, &entry(1)).unwrap();
        assert!(conn.execute("UPDATE audit SET actor = 'x'", []).is_err());
        assert!(conn.execute("DELETE FROM audit", []).is_err());
    }

    #[test]
    fn action_codes_are_their_serialised_form() {
        for action in AuditAction::iter() {
            assert_eq!(serde_json::to_value(action).unwrap(), json!(action.as_str()));
        }
    }
}
