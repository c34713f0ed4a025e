//! Visitor management in the database: schema, merge rules, the search index, the retention
//! purge (which also redacts old op bodies) and queries.
//!
//! Merge rules, each commutative and idempotent:
//! - a visit's details (`visit.details`): last writer wins for the whole record, by HLC;
//! - auto sign-out: a flag that only turns on; the earliest time is kept;
//! - invitations: created once (the earliest op by HLC if ever two), uses are a set of visits,
//!   a revocation is final (the earliest kept);
//! - watch-list entries: last writer wins per entry, by HLC;
//! - hits: a set per (visit, entry), the earliest kept; false-positive marks and exemptions:
//!   sets, the earliest kept;
//! - retention: the horizon is the greatest `before` applied; a visit signed in before it (and
//!   an invitation that ended before it) has its personal data removed from its row, the search
//!   index, its photo and the bodies of its ops, whenever its ops arrive.

use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::Value;

use super::queries::Reader;
use super::{Result, StorageError};
use crate::ids::{HostId, InvitationId, VisitId};
use crate::op::{EntityKind, Op, OpBody};
use crate::visitors::identity::IdType;
use crate::visitors::watchlist::{MatchedBy, WatchlistEntry};

pub(crate) const SCHEMA: &str = r#"
-- Visitor management (crates/core/src/storage/visitors.rs).
ALTER TABLE visits ADD COLUMN id_type TEXT;
ALTER TABLE visits ADD COLUMN id_masked TEXT;
ALTER TABLE visits ADD COLUMN id_hash TEXT;
ALTER TABLE visits ADD COLUMN phone_masked TEXT;
ALTER TABLE visits ADD COLUMN phone_hash TEXT;
ALTER TABLE visits ADD COLUMN name_key TEXT;
ALTER TABLE visits ADD COLUMN expected_end INTEGER;
ALTER TABLE visits ADD COLUMN invitation_id TEXT;
ALTER TABLE visits ADD COLUMN details_hlc TEXT;
ALTER TABLE visits ADD COLUMN auto_signed_out_at INTEGER;
ALTER TABLE visits ADD COLUMN purged INTEGER NOT NULL DEFAULT 0;
-- The earliest sign-in time any sign-in op of the visit names: the retention purge goes by it,
-- so whether a visit is purged never depends on the order its ops arrived in.
ALTER TABLE visits ADD COLUMN earliest_in INTEGER;
-- (Not on signed_in_at: a second index on it would tempt the planner away from the on-site
-- list's partial index.)
CREATE INDEX visits_earliest_in ON visits (earliest_in);
CREATE INDEX visits_id_hash ON visits (id_hash, signed_in_at) WHERE id_hash IS NOT NULL;
CREATE INDEX visits_phone_hash ON visits (phone_hash, signed_in_at) WHERE phone_hash IS NOT NULL;
CREATE INDEX visits_name_key ON visits (name_key, signed_in_at) WHERE name_key IS NOT NULL;
CREATE INDEX visits_host ON visits (host_id, signed_in_at);
CREATE INDEX visits_auto_out ON visits (auto_signed_out_at) WHERE auto_signed_out_at IS NOT NULL;

-- Search: a trigram index of names and companies (contentless: it stores no text to read
-- back), keyed by a stable integer per visit. Secure-delete: a purged name leaves no trace.
CREATE TABLE visit_rowids (rowid INTEGER PRIMARY KEY, visit_id TEXT NOT NULL UNIQUE) STRICT;
CREATE VIRTUAL TABLE visit_search USING fts5(t, tokenize = 'trigram', content = '', contentless_delete = 1);
INSERT INTO visit_search (visit_search, rank) VALUES ('secure-delete', 1);

-- Photos taken at sign-in: this device only, never synced; removed with the visit's data.
CREATE TABLE visit_photos (
    visit_id TEXT PRIMARY KEY,
    mime     TEXT NOT NULL,
    data     BLOB NOT NULL,
    taken_at INTEGER NOT NULL
) STRICT;

CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    created     INTEGER NOT NULL DEFAULT 0,
    hlc         TEXT,
    code        TEXT,
    name        TEXT NOT NULL DEFAULT '',
    company     TEXT NOT NULL DEFAULT '',
    host_id     TEXT NOT NULL DEFAULT '',
    valid_from  INTEGER,
    valid_until INTEGER,
    min_until   INTEGER,           -- the earliest end any created op names (for the purge)
    uses        INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER,
    revoked_hlc TEXT,
    revoked_at  INTEGER,
    purged      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX invitations_code ON invitations (code);
CREATE TABLE invitation_uses (
    invitation_id TEXT NOT NULL,
    visit_id      TEXT NOT NULL,
    PRIMARY KEY (invitation_id, visit_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE watchlist (
    id     TEXT PRIMARY KEY,
    hlc    TEXT NOT NULL,
    active INTEGER NOT NULL,
    body   TEXT NOT NULL          -- JSON of the entry
) STRICT;
CREATE TABLE watchlist_hits (
    visit_id   TEXT NOT NULL,
    entry_id   TEXT NOT NULL,
    matched_by TEXT NOT NULL,     -- JSON list
    desk_id    TEXT NOT NULL,
    raised_at  INTEGER NOT NULL,
    hlc        TEXT NOT NULL,
    PRIMARY KEY (visit_id, entry_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE watchlist_cleared (
    visit_id   TEXT NOT NULL,
    entry_id   TEXT NOT NULL,
    cleared_at INTEGER NOT NULL,
    hlc        TEXT NOT NULL,
    PRIMARY KEY (visit_id, entry_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE watchlist_exemptions (
    entry_id   TEXT NOT NULL,
    id_hash    TEXT NOT NULL,
    cleared_at INTEGER NOT NULL,
    PRIMARY KEY (entry_id, id_hash)
) STRICT, WITHOUT ROWID;

CREATE TABLE retention_horizon (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    before INTEGER NOT NULL
) STRICT;

-- The op log stays append-only, with one sanctioned exception: the retention purge may
-- rewrite an op's body once (redacted 0 -> 1) to remove personal data; nothing else of the
-- row may change.
ALTER TABLE ops ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0;
DROP TRIGGER ops_are_append_only_update;
CREATE TRIGGER ops_are_append_only_update BEFORE UPDATE ON ops
WHEN NOT (old.redacted = 0 AND new.redacted = 1
          AND new.id IS old.id AND new.hlc IS old.hlc AND new.device IS old.device
          AND new.seq IS old.seq AND new.site IS old.site AND new.kind IS old.kind
          AND new.entity IS old.entity AND new.entity_id IS old.entity_id
          AND new.received_at IS old.received_at)
BEGIN SELECT RAISE(ABORT, 'the op log is append-only; only the retention purge may redact a body, once'); END;
"#;

fn corrupt(e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(e.to_string())
}

fn ms(t: jiff::Timestamp) -> i64 {
    t.as_millisecond()
}

fn ts(ms: i64) -> Result<jiff::Timestamp> {
    jiff::Timestamp::from_millisecond(ms).map_err(corrupt)
}

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(corrupt)
}

/// Apply one of visitor management's ops (the merge rules above).
pub(super) fn apply(tx: &Transaction<'_>, op: &Op) -> Result<()> {
    let hlc = op.hlc.to_string();
    match &op.body {
        OpBody::VisitDetails(d) => {
            let id = d.visit_id.to_string();
            placeholder(tx, &id)?;
            tx.prepare_cached(
                "UPDATE visits SET id_type = ?2, id_masked = ?3, id_hash = ?4, phone_masked = ?5, phone_hash = ?6,
                        name_key = ?7, expected_end = ?8, invitation_id = ?9, details_hlc = ?10
                 WHERE id = ?1 AND (details_hlc IS NULL OR details_hlc < ?10)",
            )?
            .execute(params![
                id,
                d.id_type.map(IdType::as_str),
                d.id_masked,
                d.id_hash,
                d.phone_masked,
                d.phone_hash,
                d.name_key,
                d.expected_end.map(ms),
                d.invitation_id.map(|i| i.to_string()),
                hlc
            ])?;
        }
        OpBody::VisitAutoSignedOut(b) => {
            let id = b.visit_id.to_string();
            placeholder(tx, &id)?;
            tx.execute(
                "UPDATE visits SET auto_signed_out_at = min(coalesce(auto_signed_out_at, ?2), ?2) WHERE id = ?1",
                params![id, ms(b.at)],
            )?;
        }
        OpBody::InvitationCreated(b) => {
            tx.prepare_cached(
                "INSERT INTO invitations (id, created, hlc, code, name, company, host_id, valid_from, valid_until, uses, created_at)
                 VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (id) DO UPDATE SET created = 1, hlc = excluded.hlc, code = excluded.code,
                    name = excluded.name, company = excluded.company, host_id = excluded.host_id,
                    valid_from = excluded.valid_from, valid_until = excluded.valid_until, uses = excluded.uses,
                    created_at = excluded.created_at
                 WHERE invitations.hlc IS NULL OR excluded.hlc < invitations.hlc",
            )?
            .execute(params![
                b.invitation_id.to_string(),
                hlc,
                b.code,
                b.name,
                b.company,
                b.host_id.0,
                ms(b.valid_from),
                ms(b.valid_until),
                b.uses,
                ms(b.created_at)
            ])?;
            tx.prepare_cached("UPDATE invitations SET min_until = min(coalesce(min_until, ?2), ?2) WHERE id = ?1")?
                .execute(params![b.invitation_id.to_string(), ms(b.valid_until)])?;
            settle_invitation(tx, &b.invitation_id.to_string())?;
        }
        OpBody::InvitationRedeemed(b) => {
            tx.execute(
                "INSERT INTO invitation_uses (invitation_id, visit_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                params![b.invitation_id.to_string(), b.visit_id.to_string()],
            )?;
        }
        OpBody::InvitationRevoked(b) => {
            tx.execute(
                "INSERT INTO invitations (id) VALUES (?1) ON CONFLICT DO NOTHING",
                [b.invitation_id.to_string()],
            )?;
            tx.execute(
                "UPDATE invitations SET revoked_hlc = ?2, revoked_at = ?3
                 WHERE id = ?1 AND (revoked_hlc IS NULL OR ?2 < revoked_hlc)",
                params![b.invitation_id.to_string(), hlc, ms(b.revoked_at)],
            )?;
        }
        OpBody::WatchlistUpserted(b) => {
            tx.prepare_cached(
                "INSERT INTO watchlist (id, hlc, active, body) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET hlc = excluded.hlc, active = excluded.active, body = excluded.body
                 WHERE excluded.hlc > watchlist.hlc",
            )?
            .execute(params![b.entry.id, hlc, b.entry.active, json(&b.entry)?])?;
        }
        OpBody::WatchlistHit(b) => {
            for entry in &b.entries {
                tx.prepare_cached(
                    "INSERT INTO watchlist_hits (visit_id, entry_id, matched_by, desk_id, raised_at, hlc)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (visit_id, entry_id) DO UPDATE SET matched_by = excluded.matched_by,
                        desk_id = excluded.desk_id, raised_at = excluded.raised_at, hlc = excluded.hlc
                     WHERE excluded.hlc < watchlist_hits.hlc",
                )?
                .execute(params![
                    b.visit_id.to_string(),
                    entry.entry_id,
                    json(&entry.matched_by)?,
                    b.desk_id,
                    ms(b.raised_at),
                    hlc
                ])?;
            }
        }
        OpBody::WatchlistCleared(b) => {
            tx.execute(
                "INSERT INTO watchlist_cleared (visit_id, entry_id, cleared_at, hlc) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (visit_id, entry_id) DO UPDATE SET cleared_at = excluded.cleared_at, hlc = excluded.hlc
                 WHERE excluded.hlc < watchlist_cleared.hlc",
                params![b.visit_id.to_string(), b.entry_id, ms(b.cleared_at), hlc],
            )?;
            if let Some(hash) = &b.exempt_id_hash {
                tx.execute(
                    "INSERT INTO watchlist_exemptions (entry_id, id_hash, cleared_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (entry_id, id_hash) DO UPDATE SET cleared_at = max(cleared_at, excluded.cleared_at)",
                    params![b.entry_id, hash, ms(b.cleared_at)],
                )?;
                // An exemption older than the horizon is personal data past its time.
                if let Some(horizon) = horizon(tx)? {
                    tx.execute("DELETE FROM watchlist_exemptions WHERE cleared_at < ?1", [horizon])?;
                }
            }
        }
        OpBody::RetentionPurged(b) => {
            let before = ms(b.before);
            let moved = tx.execute(
                "INSERT INTO retention_horizon (id, before) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET before = excluded.before WHERE excluded.before > retention_horizon.before",
                [before],
            )?;
            if moved > 0 {
                purge_below_horizon(tx, before)?;
            }
        }
        OpBody::VisitorSettingsPublished(b) => {
            super::authored::put(tx, VISITOR_SETTINGS, "site", &json(&b.settings)?, op.hlc)?;
        }
        _ => {}
    }
    Ok(())
}

/// The collection of the visitor settings document.
pub const VISITOR_SETTINGS: &str = "visitor_settings";

/// After any op on a visit was applied: keep the search index in step and apply the retention
/// horizon to it (an op that arrives late for a purged visit is purged too).
pub(super) fn after_visit_op(tx: &Transaction<'_>, op: &Op) -> Result<()> {
    let (kind, id) = op.body.entity();
    if kind != EntityKind::Visit {
        return Ok(());
    }
    if let OpBody::VisitSignedIn(b) = &op.body {
        tx.prepare_cached("UPDATE visits SET earliest_in = min(coalesce(earliest_in, ?2), ?2) WHERE id = ?1")?
            .execute(params![id, ms(b.signed_in_at)])?;
    }
    let row: Option<(bool, String, String, Option<i64>)> = tx
        .prepare_cached("SELECT created, name, company, earliest_in FROM visits WHERE id = ?1")?
        .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let Some((created, name, company, earliest_in)) = row else { return Ok(()) };
    let below = match (horizon(tx)?, earliest_in) {
        (Some(h), Some(at)) => at < h,
        _ => false,
    };
    if below {
        // Idempotent, and run for every op that arrives: a late op's data goes at once.
        purge_visit(tx, &id)?;
        redact_ops(tx, EntityKind::Visit, &id)?;
        return Ok(());
    }
    if created && matches!(op.body, OpBody::VisitSignedIn(_) | OpBody::VisitUpdated(_)) {
        index_visit(tx, &id, &name, &company)?;
    }
    Ok(())
}

/// After an alert op was applied: an alert raised before the retention horizon (arriving late
/// from a desk that was away) loses its visitors' names at once, like a late visit op.
pub(super) fn after_alert_op(tx: &Transaction<'_>, op: &Op) -> Result<()> {
    let (kind, id) = op.body.entity();
    if kind != EntityKind::Alert {
        return Ok(());
    }
    let Some(horizon) = horizon(tx)? else { return Ok(()) };
    let raised_at: Option<Option<i64>> =
        tx.prepare_cached("SELECT raised_at FROM alerts WHERE id = ?1")?.query_row([&id], |r| r.get(0)).optional()?;
    if raised_at.flatten().is_some_and(|at| at < horizon) {
        redact_ops(tx, EntityKind::Alert, &id)?;
        super::alerts::redact_records_before(tx, Some(&op.site.0), horizon)?;
    }
    Ok(())
}

fn placeholder(tx: &Transaction<'_>, id: &str) -> Result<()> {
    tx.prepare_cached("INSERT INTO visits (id) VALUES (?1) ON CONFLICT (id) DO NOTHING")?.execute([id])?;
    Ok(())
}

fn horizon(tx: &Transaction<'_>) -> Result<Option<i64>> {
    // Cached: asked for every alert op applied.
    Ok(tx
        .prepare_cached("SELECT before FROM retention_horizon WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?)
}

/// The text the search index holds for a visit: names and companies normalised like queries
/// (full/half width, case, traditional → simplified), each word wrapped in markers so one- and
/// two-character words (most Chinese names) can be found by their start or end.
pub fn search_text(name: &str, company: &str) -> String {
    normalise_for_search(&format!("{name} {company}"))
        .split_whitespace()
        .map(|w| format!("{MARK_START}{MARK_START}{w}{MARK_END}{MARK_END}"))
        .collect::<Vec<_>>()
        .join(" ")
}

const MARK_START: char = '\u{E000}';
const MARK_END: char = '\u{E001}';

pub fn normalise_for_search(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    let folded: String = text.nfkc().filter(|c| *c != MARK_START && *c != MARK_END).collect();
    fast2s::convert(&folded.to_lowercase())
}

/// An FTS5 query for what a receptionist typed: every word must match. Words of three or more
/// characters match anywhere (trigrams); shorter ones match the start or end of a word.
/// `None` if nothing searchable is left.
pub fn search_query(typed: &str) -> Option<String> {
    let words: Vec<String> = normalise_for_search(typed)
        .split_whitespace()
        .map(|w| w.replace('"', ""))
        .filter(|w| !w.is_empty())
        .take(8)
        .collect();
    if words.is_empty() {
        return None;
    }
    let phrase = |s: String| format!("\"{s}\"");
    let parts: Vec<String> = words
        .into_iter()
        .map(|w| match w.chars().count() {
            1 => format!(
                "({} OR {})",
                phrase(format!("{MARK_START}{MARK_START}{w}")),
                phrase(format!("{w}{MARK_END}{MARK_END}"))
            ),
            2 => format!("({} OR {})", phrase(format!("{MARK_START}{w}")), phrase(format!("{w}{MARK_END}"))),
            _ => phrase(w),
        })
        .collect();
    Some(parts.join(" AND "))
}

fn index_visit(tx: &Transaction<'_>, id: &str, name: &str, company: &str) -> Result<()> {
    tx.prepare_cached("INSERT INTO visit_rowids (visit_id) VALUES (?1) ON CONFLICT (visit_id) DO NOTHING")?
        .execute([id])?;
    let rowid: i64 =
        tx.prepare_cached("SELECT rowid FROM visit_rowids WHERE visit_id = ?1")?.query_row([id], |r| r.get(0))?;
    tx.prepare_cached("DELETE FROM visit_search WHERE rowid = ?1")?.execute([rowid])?;
    tx.prepare_cached("INSERT INTO visit_search (rowid, t) VALUES (?1, ?2)")?
        .execute(params![rowid, search_text(name, company)])?;
    Ok(())
}

/// Remove a visit's personal data: its fields, lookup hashes, search entry and photo. Counts
/// (the row, its times, desk and host) stay.
fn purge_visit(tx: &Transaction<'_>, id: &str) -> Result<()> {
    tx.prepare_cached(
        "UPDATE visits SET name = '', company = '', purpose = '', id_masked = NULL, id_hash = NULL,
                phone_masked = NULL, phone_hash = NULL, name_key = NULL, purged = 1
         WHERE id = ?1",
    )?
    .execute([id])?;
    let rowid: Option<i64> = tx
        .prepare_cached("SELECT rowid FROM visit_rowids WHERE visit_id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    if let Some(rowid) = rowid {
        tx.prepare_cached("DELETE FROM visit_search WHERE rowid = ?1")?.execute([rowid])?;
        tx.prepare_cached("DELETE FROM visit_rowids WHERE rowid = ?1")?.execute([rowid])?;
    }
    tx.prepare_cached("DELETE FROM visit_photos WHERE visit_id = ?1")?.execute([id])?;
    Ok(())
}

fn settle_invitation(tx: &Transaction<'_>, id: &str) -> Result<()> {
    let Some(h) = horizon(tx)? else { return Ok(()) };
    let n = tx.execute(
        "UPDATE invitations SET name = '', company = '', purged = 1 WHERE id = ?1 AND min_until < ?2",
        params![id, h],
    )?;
    if n > 0 {
        redact_ops(tx, EntityKind::Invitation, id)?;
    }
    Ok(())
}

fn purge_below_horizon(tx: &Transaction<'_>, before: i64) -> Result<()> {
    let visits: Vec<String> = tx
        .prepare("SELECT id FROM visits WHERE purged = 0 AND earliest_in < ?1")?
        .query_map([before], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in visits {
        purge_visit(tx, &id)?;
        redact_ops(tx, EntityKind::Visit, &id)?;
    }
    let invitations: Vec<String> = tx
        .prepare("SELECT id FROM invitations WHERE purged = 0 AND min_until < ?1")?
        .query_map([before], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in invitations {
        tx.execute("UPDATE invitations SET name = '', company = '', purged = 1 WHERE id = ?1", [&id])?;
        redact_ops(tx, EntityKind::Invitation, &id)?;
    }
    tx.execute("DELETE FROM watchlist_exemptions WHERE cleared_at < ?1", [before])?;
    // Alerts name the visitors at the desk: older ones keep kind, time and desk only.
    let alerts: Vec<String> = tx
        .prepare("SELECT id FROM alerts WHERE created = 1 AND raised_at < ?1")?
        .query_map([before], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &alerts {
        redact_ops(tx, EntityKind::Alert, id)?;
    }
    super::alerts::redact_records_before(tx, None, before)?;
    // Print jobs keep the rendered document (names) until they complete; old ones go whole.
    tx.execute("DELETE FROM print_jobs WHERE created_at < ?1", [before])?;
    Ok(())
}

/// Rewrite the bodies of an entity's ops without their personal data (the one update the op
/// log allows, once per op).
fn redact_ops(tx: &Transaction<'_>, entity: EntityKind, id: &str) -> Result<()> {
    let rows: Vec<(String, String, String)> = tx
        .prepare_cached("SELECT id, kind, body FROM ops WHERE entity = ?1 AND entity_id = ?2 AND redacted = 0")?
        .query_map(params![entity.as_str(), id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (op_id, kind, body) in rows {
        if let Some(redacted) = redact_body(&kind, &body)? {
            tx.prepare_cached("UPDATE ops SET body = ?2, redacted = 1 WHERE id = ?1")?
                .execute(params![op_id, redacted])?;
        }
    }
    Ok(())
}

/// An op body without personal data, still a valid op of its kind; `None` if it holds none.
pub fn redact_body(kind: &str, body: &str) -> Result<Option<String>> {
    if matches!(kind, "alert.raised" | "alert.resolved" | "alert.cancelled") {
        let mut op: OpBody = serde_json::from_str(body).map_err(corrupt)?;
        match &mut op {
            OpBody::AlertRaised(raised) => crate::alert::redact_raise(raised),
            OpBody::AlertResolved(resolved) => resolved.note.clear(),
            OpBody::AlertCancelled(cancelled) => cancelled.note.clear(),
            _ => return Ok(None),
        }
        return Ok(Some(serde_json::to_string(&op).map_err(corrupt)?));
    }
    let mut v: Value = serde_json::from_str(body).map_err(corrupt)?;
    let blank = |obj: Option<&mut Value>, keys: &[&str], with: Value| {
        if let Some(Value::Object(map)) = obj {
            for key in keys {
                if let Some(slot) = map.get_mut(*key)
                    && !slot.is_null()
                {
                    *slot = with.clone();
                }
            }
        }
    };
    match kind {
        "visit.signed_in" => blank(v.get_mut("fields"), &["name", "company", "purpose"], Value::from("")),
        "visit.updated" => blank(v.get_mut("patch"), &["name", "company", "purpose"], Value::from("")),
        "visit.details" => {
            blank(Some(&mut v), &["id_masked", "id_hash", "phone_masked", "phone_hash", "name_key"], Value::Null)
        }
        "invitation.created" => blank(Some(&mut v), &["name", "company"], Value::from("")),
        "watchlist.cleared" => blank(Some(&mut v), &["exempt_id_hash"], Value::Null),
        _ => return Ok(None),
    }
    Ok(Some(serde_json::to_string(&v).map_err(corrupt)?))
}

/// A photo taken at sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPhoto {
    pub mime: String,
    pub data: Vec<u8>,
}

pub(crate) fn put_photo(tx: &super::Tx<'_>, visit: VisitId, photo: &StoredPhoto, at_ms: i64) -> Result<()> {
    tx.tx.execute(
        "INSERT INTO visit_photos (visit_id, mime, data, taken_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (visit_id) DO UPDATE SET mime = excluded.mime, data = excluded.data, taken_at = excluded.taken_at",
        params![visit.to_string(), photo.mime, photo.data, at_ms],
    )?;
    Ok(())
}

/// An invitation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRow {
    pub id: InvitationId,
    pub created: bool,
    pub code: Option<String>,
    pub name: String,
    pub company: String,
    pub host_id: HostId,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
    pub uses: u8,
    pub used: u32,
    pub created_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub purged: bool,
}

/// A watch-list hit as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HitRow {
    pub visit_id: VisitId,
    pub entry_id: String,
    pub matched_by: Vec<MatchedBy>,
    pub desk_id: String,
    pub raised_at: i64,
    pub cleared: bool,
}

const INVITATION_SELECT: &str = "SELECT i.id, i.created, i.code, i.name, i.company, i.host_id, i.valid_from, i.valid_until,
        i.uses, (SELECT count(*) FROM invitation_uses u WHERE u.invitation_id = i.id), i.created_at, i.revoked_at, i.purged
    FROM invitations i";

fn invitation_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<InvitationRow> {
    let id: String = r.get(0)?;
    Ok(InvitationRow {
        id: id
            .parse()
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))?,
        created: r.get(1)?,
        code: r.get(2)?,
        name: r.get(3)?,
        company: r.get(4)?,
        host_id: HostId(r.get(5)?),
        valid_from: r.get(6)?,
        valid_until: r.get(7)?,
        uses: r.get(8)?,
        used: r.get(9)?,
        created_at: r.get(10)?,
        revoked_at: r.get(11)?,
        purged: r.get(12)?,
    })
}

impl Reader<'_> {
    /// `count(*)` of a query with one integer parameter.
    pub fn count(&self, sql: &str, param: i64) -> Result<u32> {
        Ok(self.0.query_row(sql, [param], |r| r.get(0))?)
    }

    /// The most recent visit (not purged) whose `column` hash is `hash`.
    pub fn visit_by_hash(&self, column: LookupColumn, hash: &str) -> Result<Option<VisitId>> {
        let sql = match column {
            LookupColumn::Id => {
                "SELECT id FROM visits WHERE id_hash = ?1 AND created = 1 AND purged = 0 ORDER BY signed_in_at DESC LIMIT 1"
            }
            LookupColumn::Phone => {
                "SELECT id FROM visits WHERE phone_hash = ?1 AND created = 1 AND purged = 0 ORDER BY signed_in_at DESC LIMIT 1"
            }
            LookupColumn::NameKey => {
                "SELECT id FROM visits WHERE name_key = ?1 AND created = 1 AND purged = 0 ORDER BY signed_in_at DESC LIMIT 1"
            }
        };
        let id: Option<String> = self.0.prepare_cached(sql)?.query_row([hash], |r| r.get(0)).optional()?;
        id.map(|i| i.parse().map_err(corrupt)).transpose()
    }

    /// The lookup hashes stored with a visit: (id type, id masked, id hash, phone masked, phone hash).
    #[allow(clippy::type_complexity)]
    pub fn visit_identity(
        &self,
        id: VisitId,
    ) -> Result<Option<(Option<String>, Option<String>, Option<String>, Option<String>, Option<String>)>> {
        Ok(self
            .0
            .prepare_cached(
                "SELECT id_type, id_masked, id_hash, phone_masked, phone_hash FROM visits WHERE id = ?1 AND purged = 0",
            )?
            .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .optional()?)
    }

    /// Visits whose name or company matches the query (see [`search_query`]), newest first.
    pub fn search_visit_ids(&self, fts_query: &str, limit: u32) -> Result<Vec<VisitId>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT m.visit_id FROM visit_search s JOIN visit_rowids m ON m.rowid = s.rowid
             WHERE visit_search MATCH ?1 ORDER BY s.rowid DESC LIMIT ?2",
        )?;
        let ids = stmt.query_map(params![fts_query, limit], |r| r.get::<_, String>(0))?;
        ids.map(|id| id?.parse().map_err(corrupt)).collect()
    }

    /// The latest visits of these hosts, newest first.
    pub fn visits_of_hosts(&self, hosts: &[HostId], limit: u32) -> Result<Vec<VisitId>> {
        let mut out = Vec::new();
        let mut stmt = self.0.prepare_cached(
            "SELECT id, signed_in_at FROM visits WHERE host_id = ?1 AND created = 1 ORDER BY signed_in_at DESC LIMIT ?2",
        )?;
        for host in hosts {
            for row in stmt.query_map(params![host.0, limit], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
                let (id, at) = row?;
                out.push((at, id.parse::<VisitId>().map_err(corrupt)?));
            }
        }
        out.sort_by(|a, b| b.cmp(a));
        out.truncate(limit as usize);
        Ok(out.into_iter().map(|(_, id)| id).collect())
    }

    /// Visits signed in within `[from, to)` (ms), oldest first.
    pub fn visits_between(&self, from: i64, to: i64) -> Result<Vec<crate::visit::Visit>> {
        let mut stmt = self.0.prepare_cached(&format!(
            "{} WHERE v.earliest_in >= ?1 AND v.earliest_in < ?2 AND v.created = 1 ORDER BY v.signed_in_at, v.id",
            super::queries::VISIT_SELECT
        ))?;
        let mut rows = stmt.query(params![from, to])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(super::queries::visit_from_row(row)?);
        }
        Ok(out)
    }

    /// Visits the kiosk signed out automatically at or after `since` (ms), oldest first.
    pub fn auto_signed_out_since(&self, since: i64) -> Result<Vec<crate::visit::Visit>> {
        let mut stmt = self.0.prepare_cached(&format!(
            "{} WHERE v.created = 1 AND v.auto_signed_out_at >= ?1 ORDER BY v.signed_in_at, v.id",
            super::queries::VISIT_SELECT
        ))?;
        let mut rows = stmt.query([since])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(super::queries::visit_from_row(row)?);
        }
        Ok(out)
    }

    pub fn photo(&self, visit: VisitId) -> Result<Option<StoredPhoto>> {
        Ok(self
            .0
            .query_row("SELECT mime, data FROM visit_photos WHERE visit_id = ?1", [visit.to_string()], |r| {
                Ok(StoredPhoto { mime: r.get(0)?, data: r.get(1)? })
            })
            .optional()?)
    }

    pub fn invitation(&self, id: InvitationId) -> Result<Option<InvitationRow>> {
        Ok(self
            .0
            .query_row(&format!("{INVITATION_SELECT} WHERE i.id = ?1"), [id.to_string()], invitation_from_row)
            .optional()?)
    }

    pub fn invitation_by_code(&self, code: &str) -> Result<Option<InvitationRow>> {
        Ok(self
            .0
            .query_row(
                &format!("{INVITATION_SELECT} WHERE i.code = ?1 AND i.created = 1 ORDER BY i.created_at DESC LIMIT 1"),
                [code],
                invitation_from_row,
            )
            .optional()?)
    }

    /// Invitations still of use or ended within the retention time, latest first.
    pub fn invitations(&self, limit: u32) -> Result<Vec<InvitationRow>> {
        let mut stmt = self.0.prepare(&format!(
            "{INVITATION_SELECT} WHERE i.created = 1 AND i.purged = 0 ORDER BY i.created_at DESC LIMIT ?1"
        ))?;
        Ok(stmt.query_map([limit], invitation_from_row)?.collect::<rusqlite::Result<_>>()?)
    }

    pub fn watchlist(&self) -> Result<Vec<WatchlistEntry>> {
        let mut stmt = self.0.prepare_cached("SELECT body FROM watchlist ORDER BY active DESC, id")?;
        let bodies = stmt.query_map([], |r| r.get::<_, String>(0))?;
        bodies.map(|b| serde_json::from_str(&b?).map_err(corrupt)).collect()
    }

    pub fn watchlist_entry(&self, id: &str) -> Result<Option<WatchlistEntry>> {
        let body: Option<String> =
            self.0.query_row("SELECT body FROM watchlist WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        body.map(|b| serde_json::from_str(&b).map_err(corrupt)).transpose()
    }

    pub fn watchlist_exempt(&self, entry_id: &str, id_hash: &str) -> Result<bool> {
        Ok(self
            .0
            .prepare_cached("SELECT 1 FROM watchlist_exemptions WHERE entry_id = ?1 AND id_hash = ?2")?
            .exists(params![entry_id, id_hash])?)
    }

    /// Hits, latest first; with `visit`, only that visit's.
    pub fn watchlist_hits(&self, visit: Option<VisitId>, limit: u32) -> Result<Vec<HitRow>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT h.visit_id, h.entry_id, h.matched_by, h.desk_id, h.raised_at,
                    EXISTS (SELECT 1 FROM watchlist_cleared c WHERE c.visit_id = h.visit_id AND c.entry_id = h.entry_id)
             FROM watchlist_hits h WHERE ?1 IS NULL OR h.visit_id = ?1
             ORDER BY h.raised_at DESC, h.visit_id, h.entry_id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![visit.map(|v| v.to_string()), limit], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get::<_, String>(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?;
        rows.map(|row| {
            let (visit_id, entry_id, matched, desk_id, raised_at, cleared) = row?;
            Ok(HitRow {
                visit_id: visit_id.parse().map_err(corrupt)?,
                entry_id,
                matched_by: serde_json::from_str(&matched).map_err(corrupt)?,
                desk_id,
                raised_at,
                cleared,
            })
        })
        .collect()
    }

    pub fn retention_horizon(&self) -> Result<Option<jiff::Timestamp>> {
        let h: Option<i64> =
            self.0.query_row("SELECT before FROM retention_horizon WHERE id = 1", [], |r| r.get(0)).optional()?;
        h.map(ts).transpose()
    }

    /// Visitor management's tables as text in a fixed order (convergence tests compare these).
    pub fn visitors_dump(&self) -> Result<Vec<String>> {
        let mut dump = Vec::new();
        for (label, sql) in [
            (
                "visit-private",
                "SELECT id, id_type, id_masked, id_hash, phone_masked, phone_hash, name_key, expected_end, invitation_id,
                        details_hlc, auto_signed_out_at, purged, earliest_in FROM visits ORDER BY id",
            ),
            (
                "invitation",
                "SELECT id, created, hlc, code, name, company, host_id, valid_from, valid_until, min_until, uses,
                        created_at, revoked_hlc, revoked_at, purged FROM invitations ORDER BY id",
            ),
            ("use", "SELECT invitation_id, visit_id FROM invitation_uses ORDER BY 1, 2"),
            ("watch", "SELECT id, hlc, active, body FROM watchlist ORDER BY id"),
            ("hit", "SELECT visit_id, entry_id, matched_by, desk_id, raised_at, hlc FROM watchlist_hits ORDER BY 1, 2"),
            ("cleared", "SELECT visit_id, entry_id, cleared_at, hlc FROM watchlist_cleared ORDER BY 1, 2"),
            ("exempt", "SELECT entry_id, id_hash, cleared_at FROM watchlist_exemptions ORDER BY 1, 2"),
            ("horizon", "SELECT before FROM retention_horizon"),
            ("indexed", "SELECT visit_id FROM visit_rowids ORDER BY 1"),
        ] {
            let mut stmt = self.0.prepare(sql)?;
            let n = stmt.column_count();
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let cols: Vec<String> =
                    (0..n).map(|i| r.get_ref(i).map(|v| format!("{v:?}"))).collect::<rusqlite::Result<_>>()?;
                dump.push(format!("{label} {}", cols.join(" | ")));
            }
        }
        Ok(dump)
    }
}

/// Which lookup hash to search by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupColumn {
    Id,
    Phone,
    NameKey,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_bodies_are_still_ops_of_their_kind() {
        let body = r#"{"kind":"visit.signed_in","visit_id":"0190a000-0000-7000-8000-000000000000","fields":{"name":"王小明","company":"滨海","host_id":"li-na","purpose":"x"},"desk_id":"lobby","signed_in_at":"2026-01-01T00:00:00Z"}"#;
        let redacted = redact_body("visit.signed_in", body).unwrap().unwrap();
        assert!(!redacted.contains("王小明") && !redacted.contains("滨海"));
        assert!(serde_json::from_str::<OpBody>(&redacted).is_ok(), "{redacted}");
        assert_eq!(redact_body("visit.signed_out", "{}").unwrap(), None);
    }

    #[test]
    fn search_queries_cover_short_and_long_words() {
        assert_eq!(search_query("  "), None);
        let q = search_query("張 Acme").unwrap();
        assert!(q.contains("\u{E000}\u{E000}张"), "{q}");
        assert!(q.contains("\"acme\""), "{q}");
        assert_eq!(
            search_text("王 小明", "ＡＣＭＥ"),
            "\u{E000}\u{E000}王\u{E001}\u{E001} \u{E000}\u{E000}小明\u{E001}\u{E001} \u{E000}\u{E000}acme\u{E001}\u{E001}"
        );
    }

    #[test]
    fn the_on_site_list_stays_on_its_partial_index() {
        // Another index on visits.signed_in_at once drew the planner to scan every visit
        // (629 ms at a million visits instead of 1 ms; docs/BENCHMARKS.md).
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        super::super::migrations::migrations().to_latest(&mut conn).unwrap();
        let sql = format!(
            "EXPLAIN QUERY PLAN {} WHERE v.created = 1 AND v.signed_out_at IS NULL ORDER BY v.signed_in_at DESC, v.id DESC",
            super::super::queries::VISIT_SELECT
        );
        let plan: Vec<String> = conn
            .prepare(&sql)
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(plan.iter().any(|p| p.contains("visits_on_site")), "{plan:?}");
    }
}
