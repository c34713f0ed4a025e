//! Alerts as stored: one row per alert holding its merged [`AlertRecord`] (the merge rule is
//! `AlertRecord::merge`, pure and shared), plus columns derived from it for queries.
//!
//! The hub materialises alerts with these same functions on its own database (it serves the
//! guards' web console), so kiosks, guard desktops and the hub agree by construction.

use rusqlite::{Connection, OptionalExtension, params};

use super::queries::Reader;
use super::{Result, StorageError};
use crate::alert::{AlertRecord, AlertVisitor};
use crate::ids::AlertId;
use crate::op::Op;

pub const SCHEMA: &str = r#"
-- Alerts, materialised from alert.* ops (see crates/core/src/alert). created = 0: an
-- acknowledgement or end arrived before the raise.
CREATE TABLE alerts (
    id             TEXT PRIMARY KEY,
    site           TEXT NOT NULL,
    created        INTEGER NOT NULL DEFAULT 0,
    record         TEXT NOT NULL,          -- JSON of the merged AlertRecord
    kind           TEXT,
    level          TEXT,
    drill          INTEGER NOT NULL DEFAULT 0,
    state          TEXT NOT NULL,
    device         TEXT,                   -- the raising device
    raised_hlc     TEXT,
    raised_at      INTEGER,                -- ms, the raising device's clock
    acked_at       INTEGER,
    ended_at       INTEGER,
    escalated      INTEGER NOT NULL DEFAULT 0,
    raised_seen_at INTEGER                 -- ms, when this database first held the raise (local)
) STRICT;
CREATE INDEX alerts_open ON alerts (site, raised_hlc) WHERE created = 1 AND state IN ('raised', 'acknowledged');
CREATE INDEX alerts_by_time ON alerts (site, raised_at);
CREATE INDEX alerts_by_device ON alerts (device, raised_hlc);
"#;

fn corrupt(e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(e.to_string())
}

fn parse_record(json: &str) -> Result<AlertRecord> {
    serde_json::from_str(json).map_err(|e| corrupt(format!("alert record: {e}")))
}

/// Apply `op` if it is an alert op: merge it into its alert's record and store the result.
/// Returns the record after the merge (`None` for other ops).
pub fn apply(conn: &Connection, op: &Op, received_at_ms: i64) -> Result<Option<AlertRecord>> {
    let Some(id) = AlertRecord::alert_of(&op.body) else { return Ok(None) };
    let mut record = load(conn, id)?.unwrap_or_else(|| AlertRecord::new(id));
    let was_created = record.created();
    if record.merge(op.hlc, &op.body) {
        let seen = (!was_created && record.created()).then_some(received_at_ms);
        save(conn, &op.site.0, &record, seen)?;
    }
    Ok(Some(record))
}

fn save(conn: &Connection, site: &str, record: &AlertRecord, raised_seen_at: Option<i64>) -> Result<()> {
    let json = serde_json::to_string(record).map_err(corrupt)?;
    let raise = record.raise();
    let state: &str = record.state().into();
    conn.prepare_cached(
        "INSERT INTO alerts (id, site, created, record, kind, level, drill, state, device, raised_hlc, raised_at,
                             acked_at, ended_at, escalated, raised_seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (id) DO UPDATE SET created = excluded.created, record = excluded.record, kind = excluded.kind,
            level = excluded.level, drill = excluded.drill, state = excluded.state, device = excluded.device,
            raised_hlc = excluded.raised_hlc, raised_at = excluded.raised_at, acked_at = excluded.acked_at,
            ended_at = excluded.ended_at, escalated = excluded.escalated,
            raised_seen_at = coalesce(alerts.raised_seen_at, excluded.raised_seen_at)",
    )?
    .execute(params![
        record.id.to_string(),
        site,
        record.created(),
        json,
        raise.map(|r| r.kind.as_str()),
        raise.map(|r| r.level.as_str()),
        raise.is_some_and(|r| r.drill),
        state,
        raise.map(|r| r.source.device.to_string()),
        record.raised.as_ref().map(|r| r.hlc.to_string()),
        raise.map(|r| r.raised_at.as_millisecond()),
        record.owner().map(|a| a.at.as_millisecond()),
        record.ended_at().map(|t| t.as_millisecond()),
        record.escalated(),
        raised_seen_at,
    ])?;
    Ok(())
}

/// Rewrite the records of alerts raised before `before_ms` (at `site`, or every site) without
/// personal data (`AlertRecord::redacted`): the retention purge. Returns how many changed.
pub fn redact_records_before(conn: &Connection, site: Option<&str>, before_ms: i64) -> Result<usize> {
    let rows: Vec<(String, String, Option<i64>)> = conn
        .prepare_cached(
            "SELECT site, record, raised_seen_at FROM alerts
             WHERE created = 1 AND raised_at < ?1 AND (?2 IS NULL OR site = ?2)",
        )?
        .query_map(params![before_ms, site], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut changed = 0;
    for (site, json, seen) in rows {
        let record = parse_record(&json)?;
        let redacted = record.redacted();
        if redacted != record {
            save(conn, &site, &redacted, seen)?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// One alert's record, placeholder or not.
pub fn load(conn: &Connection, id: AlertId) -> Result<Option<AlertRecord>> {
    let json: Option<String> = conn
        .prepare_cached("SELECT record FROM alerts WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    json.map(|j| parse_record(&j)).transpose()
}

fn records(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<AlertRecord>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(args)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(parse_record(&r.get::<_, String>(0)?)?);
    }
    Ok(out)
}

/// Alerts of `site` not yet resolved or cancelled, oldest first.
pub fn open(conn: &Connection, site: &str) -> Result<Vec<AlertRecord>> {
    records(
        conn,
        "SELECT record FROM alerts WHERE site = ?1 AND created = 1 AND state IN ('raised', 'acknowledged')
         ORDER BY raised_hlc",
        [site],
    )
}

/// Alerts of `site` raised at or after `from_ms` and before `to_ms` (by the raiser's clock),
/// latest first, at most `limit`.
pub fn between(conn: &Connection, site: &str, from_ms: i64, to_ms: i64, limit: u32) -> Result<Vec<AlertRecord>> {
    records(
        conn,
        "SELECT record FROM alerts WHERE site = ?1 AND created = 1 AND raised_at >= ?2 AND raised_at < ?3
         ORDER BY raised_at DESC, id DESC LIMIT ?4",
        params![site, from_ms, to_ms, limit],
    )
}

/// Alerts raised by `device` at or after `since_ms`, latest first.
pub fn raised_by(conn: &Connection, device: &str, since_ms: i64) -> Result<Vec<AlertRecord>> {
    records(
        conn,
        "SELECT record FROM alerts WHERE device = ?1 AND created = 1 AND raised_at >= ?2 ORDER BY raised_hlc DESC",
        params![device, since_ms],
    )
}

/// Unacknowledged, unescalated alerts this database has held since at or before
/// `seen_before_ms`, with their sites: candidates for escalation (check each with
/// `AlertRecord::due_for_escalation`).
pub fn awaiting_escalation(conn: &Connection, seen_before_ms: i64) -> Result<Vec<(String, i64, AlertId)>> {
    let mut stmt = conn.prepare_cached(
        // The open-alerts partial index applies (its condition is spelled out), so this stays
        // cheap however many alerts a site has had. The records are not read: the escalation
        // itself checks the record again in its own transaction.
        "SELECT site, raised_seen_at, id FROM alerts
         WHERE created = 1 AND state IN ('raised', 'acknowledged') AND state = 'raised' AND escalated = 0
           AND raised_seen_at <= ?1
         ORDER BY raised_seen_at",
    )?;
    let mut rows = stmt.query([seen_before_ms])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?.parse().map_err(corrupt)?));
    }
    Ok(out)
}

/// The alert rows as text in a fixed order, without the local receipt time, for convergence
/// tests.
pub fn dump(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT id, site, created, record, kind, level, drill, state, device, raised_hlc, raised_at, acked_at,
                ended_at, escalated FROM alerts ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let cols: Vec<String> =
            (0..14).map(|i| r.get_ref(i).map(|v| format!("{v:?}"))).collect::<rusqlite::Result<_>>()?;
        out.push(format!("alert {}", cols.join(" | ")));
    }
    Ok(out)
}

impl Reader<'_> {
    pub fn alert(&self, id: AlertId) -> Result<Option<AlertRecord>> {
        load(self.0, id)
    }

    pub fn alerts_open(&self, site: &str) -> Result<Vec<AlertRecord>> {
        open(self.0, site)
    }

    pub fn alerts_between(&self, site: &str, from_ms: i64, to_ms: i64, limit: u32) -> Result<Vec<AlertRecord>> {
        between(self.0, site, from_ms, to_ms, limit)
    }

    pub fn alerts_raised_by(&self, device: &str, since_ms: i64) -> Result<Vec<AlertRecord>> {
        raised_by(self.0, device, since_ms)
    }

    /// Visitors signed in at `desk_id` at or after `since_ms`, latest first (an alert's context).
    pub fn visitors_at_desk_since(&self, desk_id: &str, since_ms: i64, limit: usize) -> Result<Vec<AlertVisitor>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT v.id, v.name, v.company, coalesce(h.name, ''), coalesce(h.extension, ''), v.signed_in_at,
                    v.signed_out_at IS NOT NULL
             FROM visits v LEFT JOIN hosts h ON h.id = v.host_id
             WHERE v.created = 1 AND v.desk_id = ?1 AND v.signed_in_at >= ?2
             ORDER BY v.signed_in_at DESC, v.id DESC LIMIT ?3",
        )?;
        let mut rows = stmt.query(params![desk_id, since_ms, limit as i64])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(AlertVisitor {
                visit_id: r.get::<_, String>(0)?.parse().map_err(corrupt)?,
                name: r.get(1)?,
                company: r.get(2)?,
                host_name: r.get(3)?,
                host_extension: r.get(4)?,
                signed_in_at: jiff::Timestamp::from_millisecond(r.get(5)?).map_err(corrupt)?,
                signed_out: r.get(6)?,
                // Photos stay on the desk that took them (up to 512 KiB: too much for an op, and
                // the minimum travels); the alert carries name, company and host.
                photo: None,
            });
        }
        Ok(out)
    }
}

impl super::Store {
    /// The highest sequence number among `device`'s alert ops above `after_seq`, if any.
    pub fn own_alert_seq_after(&self, device: crate::ids::DeviceId, after_seq: u64) -> Result<Option<u64>> {
        let seq: Option<i64> = self
            .conn
            .prepare_cached("SELECT max(seq) FROM ops WHERE device = ?1 AND seq > ?2 AND entity = 'alert'")?
            .query_row(params![device.to_string(), after_seq as i64], |r| r.get(0))?;
        Ok(seq.map(|s| s as u64))
    }

    /// The sequence number of `device`'s `alert.raised` op for `alert`.
    pub fn own_alert_raise_seq(&self, device: crate::ids::DeviceId, alert: AlertId) -> Result<Option<u64>> {
        let seq: Option<i64> = self
            .conn
            .query_row(
                "SELECT seq FROM ops WHERE device = ?1 AND entity = 'alert' AND entity_id = ?2 AND kind = 'alert.raised'",
                params![device.to_string(), alert.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(seq.map(|s| s as u64))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_commit_is_synced_to_disk_before_it_returns() {
        // An alert is "durable before the UI reacts" because the store commits with
        // synchronous = FULL (2): SQLite syncs the WAL on every commit.
        let dir = tempfile::tempdir().unwrap();
        let store = super::super::Store::open_in(dir.path()).unwrap();
        let level: i64 = store.connection().pragma_query_value(None, "synchronous", |r| r.get(0)).unwrap();
        assert_eq!(level, 2);
        let mode: String = store.connection().pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }
}
