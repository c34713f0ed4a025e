//! Evacuations and roll-call marks: schema, merge rules and queries (see `crate::evacuation`).
//!
//! Merge rules, each commutative and idempotent:
//! - a start creates the evacuation; if two start ops ever name the same id, the earlier by
//!   HLC sets its fields, and their frozen lists are united;
//! - a mark is last writer wins per (evacuation, person), by HLC;
//! - an end ends each evacuation it names, once and for all; the earliest end op by HLC is
//!   the one recorded (an end may arrive before its start: the row waits as a placeholder);
//! - a back-entry marks its visit, once and for all.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{OptionalExtension, Transaction, params};

use super::queries::Reader;
use super::{Result, StorageError};
use crate::evacuation::{
    EvacuationEnded, EvacuationRecord, EvacuationStarted, RollCall, RollcallCounts, RollcallMarked, RollcallRow,
    RollcallStatus, RunningEvacuation, VisitBackEntered,
};
use crate::hlc::Hlc;
use crate::ids::{EvacuationId, HostId, VisitId};
use crate::op::Op;

pub(crate) const SCHEMA: &str = r#"
-- Evacuations, materialised from evacuation.* ops. created = 0: an end arrived before the start.
CREATE TABLE evacuations (
    id           TEXT PRIMARY KEY,
    created      INTEGER NOT NULL DEFAULT 0,
    started_hlc  TEXT,
    started_at   INTEGER,
    drill        INTEGER NOT NULL DEFAULT 0,
    desk_id      TEXT NOT NULL DEFAULT '',
    device       TEXT NOT NULL DEFAULT '',
    ended_hlc    TEXT,
    ended_at     INTEGER,
    missing_at_end INTEGER,
    duration_seconds INTEGER
) STRICT;
CREATE INDEX evacuations_running ON evacuations (started_hlc) WHERE created = 1 AND ended_hlc IS NULL;
-- The list of visits frozen when an evacuation started.
CREATE TABLE rollcall_members (
    evacuation_id TEXT NOT NULL,
    visit_id      TEXT NOT NULL,
    PRIMARY KEY (evacuation_id, visit_id)
) STRICT, WITHOUT ROWID;
-- The latest mark per person and evacuation (last writer wins by HLC).
CREATE TABLE rollcall_marks (
    evacuation_id TEXT NOT NULL,
    visit_id      TEXT NOT NULL,
    status        TEXT NOT NULL,
    hlc           TEXT NOT NULL,
    device        TEXT NOT NULL,
    marked_at     INTEGER NOT NULL,
    PRIMARY KEY (evacuation_id, visit_id)
) STRICT, WITHOUT ROWID;
-- Visits written on paper during an outage and entered afterwards.
ALTER TABLE visits ADD COLUMN back_entered INTEGER NOT NULL DEFAULT 0;
CREATE INDEX visits_signed_out ON visits (signed_out_hlc) WHERE created = 1;
"#;

fn corrupt(e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(e.to_string())
}

fn ts(ms: i64) -> Result<jiff::Timestamp> {
    jiff::Timestamp::from_millisecond(ms).map_err(corrupt)
}

pub(super) fn apply_started(tx: &Transaction<'_>, op: &Op, b: &EvacuationStarted) -> Result<()> {
    let id = b.evacuation_id.to_string();
    let existing: Option<Option<String>> =
        tx.query_row("SELECT started_hlc FROM evacuations WHERE id = ?1", [&id], |r| r.get(0)).optional()?;
    let earlier = match existing.flatten() {
        None => true,
        Some(text) => op.hlc < text.parse::<Hlc>().map_err(corrupt)?,
    };
    if earlier {
        tx.execute(
            "INSERT INTO evacuations (id, created, started_hlc, started_at, drill, desk_id, device)
             VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (id) DO UPDATE SET created = 1, started_hlc = excluded.started_hlc,
                started_at = excluded.started_at, drill = excluded.drill, desk_id = excluded.desk_id,
                device = excluded.device",
            params![id, op.hlc.to_string(), b.started_at.as_millisecond(), b.drill, b.desk_id, op.device.to_string()],
        )?;
    }
    let mut insert = tx.prepare_cached(
        "INSERT INTO rollcall_members (evacuation_id, visit_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    )?;
    for visit in &b.on_site {
        insert.execute(params![id, visit.to_string()])?;
    }
    Ok(())
}

pub(super) fn apply_marked(tx: &Transaction<'_>, op: &Op, b: &RollcallMarked) -> Result<()> {
    let status: &str = b.status.into();
    tx.execute(
        "INSERT INTO rollcall_marks (evacuation_id, visit_id, status, hlc, device, marked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (evacuation_id, visit_id) DO UPDATE SET status = excluded.status, hlc = excluded.hlc,
            device = excluded.device, marked_at = excluded.marked_at
         WHERE excluded.hlc > rollcall_marks.hlc",
        params![
            b.evacuation_id.to_string(),
            b.visit_id.to_string(),
            status,
            op.hlc.to_string(),
            op.device.to_string(),
            b.marked_at.as_millisecond()
        ],
    )?;
    Ok(())
}

pub(super) fn apply_ended(tx: &Transaction<'_>, op: &Op, b: &EvacuationEnded) -> Result<()> {
    for id in &b.evacuation_ids {
        tx.execute(
            "INSERT INTO evacuations (id, ended_hlc, ended_at, missing_at_end, duration_seconds)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET ended_hlc = excluded.ended_hlc, ended_at = excluded.ended_at,
                missing_at_end = excluded.missing_at_end, duration_seconds = excluded.duration_seconds
             WHERE evacuations.ended_hlc IS NULL OR excluded.ended_hlc < evacuations.ended_hlc",
            params![
                id.to_string(),
                op.hlc.to_string(),
                b.ended_at.as_millisecond(),
                b.missing_total.map_or(b.missing.len() as i64, i64::from),
                i64::try_from(b.duration_seconds).unwrap_or(i64::MAX)
            ],
        )?;
    }
    Ok(())
}

pub(super) fn apply_back_entered(tx: &Transaction<'_>, b: &VisitBackEntered) -> Result<()> {
    // The visit row may not exist yet (its sign-in op not yet here): a placeholder keeps the mark.
    tx.execute(
        "INSERT INTO visits (id, back_entered) VALUES (?1, 1) ON CONFLICT (id) DO UPDATE SET back_entered = 1",
        [b.visit_id.to_string()],
    )?;
    Ok(())
}

impl Reader<'_> {
    /// The evacuations started and not ended, earliest first.
    pub(crate) fn running_evacuations(&self) -> Result<Vec<RunningEvacuation>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT id, started_hlc, started_at, drill, desk_id FROM evacuations
             WHERE created = 1 AND ended_hlc IS NULL ORDER BY started_hlc",
        )?;
        let mut rows = stmt.query([])?;
        let mut running = Vec::new();
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let hlc: String = r.get(1)?;
            running.push(RunningEvacuation {
                id: id.parse().map_err(corrupt)?,
                started_hlc: hlc.parse().map_err(corrupt)?,
                started_at: ts(r.get(2)?)?,
                drill: r.get(3)?,
                desk_id: r.get(4)?,
            });
        }
        Ok(running)
    }

    /// The roll call of the running incident (every running evacuation together), or `None`.
    pub fn rollcall(&self) -> Result<Option<RollCall>> {
        let running = self.running_evacuations()?;
        let Some(first) = running.first() else { return Ok(None) };
        let ids: Vec<String> = running.iter().map(|e| e.id.to_string()).collect();
        let ids_json = serde_json::to_string(&ids).map_err(corrupt)?;
        let started_at = running.iter().map(|e| e.started_at).min().unwrap_or(first.started_at);
        // "Left before the start" is decided by clock stamps, not wall time: a sign-out written
        // in the same millisecond as the start, before it, is before it.
        let started_hlc = running.iter().map(|e| e.started_hlc).min().unwrap_or(first.started_hlc).to_string();

        let mut members = BTreeSet::new();
        {
            let mut stmt = self.0.prepare_cached(
                "SELECT DISTINCT visit_id FROM rollcall_members WHERE evacuation_id IN (SELECT value FROM json_each(?1))",
            )?;
            let mut rows = stmt.query([&ids_json])?;
            while let Some(r) = rows.next()? {
                members.insert(r.get::<_, String>(0)?);
            }
        }
        let mut marks: BTreeMap<String, (Hlc, RollcallStatus, i64, String)> = BTreeMap::new();
        {
            let mut stmt = self.0.prepare_cached(
                "SELECT visit_id, status, hlc, marked_at, device FROM rollcall_marks
                 WHERE evacuation_id IN (SELECT value FROM json_each(?1))",
            )?;
            let mut rows = stmt.query([&ids_json])?;
            while let Some(r) = rows.next()? {
                let hlc: Hlc = r.get::<_, String>(2)?.parse().map_err(corrupt)?;
                let status: RollcallStatus = r.get::<_, String>(1)?.parse().map_err(corrupt)?;
                let entry = (hlc, status, r.get(3)?, r.get(4)?);
                match marks.get(&r.get::<_, String>(0)?) {
                    Some(existing) if existing.0 >= hlc => {}
                    _ => {
                        marks.insert(r.get(0)?, entry);
                    }
                }
            }
        }

        let mut rows = Vec::new();
        let mut seen = BTreeSet::new();
        {
            // Everyone on a frozen list, and everyone on site at any moment since the start.
            let mut stmt = self.0.prepare_cached(
                "SELECT v.id, v.name, v.company, v.host_id, h.name, h.extension, v.desk_id, v.signed_in_at,
                        v.signed_out_at, v.back_entered, v.signed_out_hlc
                 FROM visits v LEFT JOIN hosts h ON h.id = v.host_id
                 WHERE v.created = 1 AND (v.signed_out_hlc IS NULL OR v.signed_out_hlc > ?1
                       OR v.id IN (SELECT visit_id FROM rollcall_members WHERE evacuation_id IN (SELECT value FROM json_each(?2))))",
            )?;
            let mut found = stmt.query(params![started_hlc, ids_json])?;
            while let Some(r) = found.next()? {
                let id: String = r.get(0)?;
                let signed_out_at = r.get::<_, Option<i64>>(8)?.map(ts).transpose()?;
                let left_after_start = r.get::<_, Option<String>>(10)?.is_some_and(|out| out > started_hlc);
                rows.push(RollcallRow {
                    visit_id: id.parse().map_err(corrupt)?,
                    name: r.get(1)?,
                    company: r.get(2)?,
                    host_id: HostId(r.get(3)?),
                    host_name: r.get(4)?,
                    host_extension: r.get(5)?,
                    escort: None,
                    waiting_for_escort: false,
                    desk_id: r.get(6)?,
                    signed_in_at: r.get::<_, Option<i64>>(7)?.map(ts).transpose()?,
                    // A sign-out before the start (of someone on a frozen list) is not news.
                    signed_out_at: signed_out_at.filter(|_| left_after_start),
                    added_later: !members.contains(&id),
                    back_entered: r.get(9)?,
                    status: None,
                    marked_at: None,
                    marked_by: None,
                });
                seen.insert(id);
            }
        }
        // On a frozen list, but the sign-in has not reached this device yet.
        for id in members.iter().filter(|id| !seen.contains(*id)) {
            rows.push(RollcallRow {
                visit_id: id.parse().map_err(corrupt)?,
                name: String::new(),
                company: String::new(),
                host_id: HostId(String::new()),
                host_name: None,
                host_extension: None,
                escort: None,
                waiting_for_escort: false,
                desk_id: String::new(),
                signed_in_at: None,
                signed_out_at: None,
                added_later: false,
                back_entered: false,
                status: None,
                marked_at: None,
                marked_by: None,
            });
        }
        let escorts = self.escorts_by_visit(&rows.iter().map(|r| r.visit_id.to_string()).collect::<Vec<_>>())?;
        for row in &mut rows {
            if let Some((escort, waiting)) = escorts.get(&row.visit_id.to_string()) {
                row.escort = escort.clone();
                row.waiting_for_escort = *waiting;
            }
            if let Some((_, status, at, device)) = marks.get(&row.visit_id.to_string()) {
                row.status = Some(*status);
                row.marked_at = Some(ts(*at)?);
                row.marked_by = Some(device.clone());
            }
        }
        // By name, so a marshal finds a person; ties (and unknown names) by id, so every device
        // lists them in the same order.
        rows.sort_by(|a, b| {
            (a.name.is_empty(), a.name.to_lowercase(), a.visit_id).cmp(&(
                b.name.is_empty(),
                b.name.to_lowercase(),
                b.visit_id,
            ))
        });
        let counts = RollcallCounts::of(&rows);
        Ok(Some(RollCall {
            evacuation_id: first.id,
            evacuation_ids: running.iter().map(|e| e.id).collect(),
            started_at,
            // A real evacuation is never shown as a drill because another device ran a drill.
            drill: running.iter().all(|e| e.drill),
            desk_id: first.desk_id.clone(),
            rows,
            counts,
        }))
    }

    /// Ended evacuations, latest first.
    pub fn evacuation_history(&self, limit: u32) -> Result<Vec<EvacuationRecord>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT id, started_at, ended_at, drill, desk_id, missing_at_end, duration_seconds FROM evacuations
             WHERE created = 1 AND ended_hlc IS NOT NULL ORDER BY started_at DESC, id DESC LIMIT ?1",
        )?;
        let mut rows = stmt.query([limit])?;
        let mut history = Vec::new();
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            history.push(EvacuationRecord {
                evacuation_id: id.parse::<EvacuationId>().map_err(corrupt)?,
                started_at: ts(r.get(1)?)?,
                ended_at: r.get::<_, Option<i64>>(2)?.map(ts).transpose()?,
                drill: r.get(3)?,
                desk_id: r.get(4)?,
                missing_at_end: r.get::<_, Option<i64>>(5)?.unwrap_or(0) as u32,
                duration_seconds: r.get::<_, Option<i64>>(6)?.map(|d| d.max(0) as u64),
            });
        }
        Ok(history)
    }

    /// Is `visit` known here (created, or on a running evacuation's frozen list)?
    pub(crate) fn on_rollcall(&self, visit: VisitId, evacuations: &[EvacuationId]) -> Result<bool> {
        let ids =
            serde_json::to_string(&evacuations.iter().map(|e| e.to_string()).collect::<Vec<_>>()).map_err(corrupt)?;
        let known: bool = self.0.query_row(
            "SELECT EXISTS (SELECT 1 FROM visits WHERE id = ?1 AND created = 1)
                 OR EXISTS (SELECT 1 FROM rollcall_members WHERE visit_id = ?1
                            AND evacuation_id IN (SELECT value FROM json_each(?2)))",
            params![visit.to_string(), ids],
            |r| r.get(0),
        )?;
        Ok(known)
    }

    /// The evacuation tables as text, in a fixed order, for convergence tests.
    pub(super) fn evacuation_dump(&self) -> Result<Vec<String>> {
        let mut dump = Vec::new();
        for sql in [
            "SELECT 'evacuation', id, created, started_hlc, started_at, drill, desk_id, device, ended_hlc, ended_at,
                    missing_at_end, duration_seconds FROM evacuations ORDER BY id",
            "SELECT 'member', evacuation_id, visit_id FROM rollcall_members ORDER BY evacuation_id, visit_id",
            "SELECT 'mark', evacuation_id, visit_id, status, hlc, device, marked_at FROM rollcall_marks
             ORDER BY evacuation_id, visit_id",
            "SELECT 'back_entered', id FROM visits WHERE back_entered = 1 ORDER BY id",
        ] {
            let mut stmt = self.0.prepare(sql)?;
            let n = stmt.column_count();
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let cols: Vec<String> =
                    (0..n).map(|i| r.get_ref(i).map(|v| format!("{v:?}"))).collect::<rusqlite::Result<_>>()?;
                dump.push(cols.join(" | "));
            }
        }
        Ok(dump)
    }
}
