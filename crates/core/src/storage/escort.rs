//! Escorts: schema, merge rules and queries (see `crate::escort`).
//!
//! Merge rules, each commutative and idempotent:
//! - a visit's terms (type, areas, reasons, checklist): those of its earliest sign-in op by HLC
//!   that carries terms, like the sign-in itself;
//! - a checklist item's tick: last writer wins per (visit, item), by HLC;
//! - escort assignments: every one is kept (the history, a set); the current escort is the one
//!   with the greatest HLC, so a hand-over made after seeing an assignment wins over it;
//! - clearance (`escort.cleared`): once cleared, always cleared; the earliest op by HLC is the
//!   one recorded;
//! - hand-back: once handed back, always; the earliest op by HLC is recorded.
//!
//! Any of these may arrive before the visit's sign-in; the rows wait for it.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, Transaction, params};

use super::queries::Reader;
use super::{Result, StorageError};
use crate::escort::{
    ChecklistItemState, ChecklistTicked, Clearance, EscortAssigned, EscortAssignment, EscortCleared, EscortContact,
    EscortHandedBack, EscortOverride, EscortStatus, Handback, HandbackBy, Label, VisitEscort, VisitTerms,
};
use crate::ids::{HostId, VisitId};
use crate::op::{Op, VisitSignedIn};
use crate::visit::Visit;

pub(crate) const SCHEMA: &str = r#"
-- The escort side of a visit (crates/core/src/escort). A row may come before its visit's
-- sign-in (a tick or clearance synced first); terms are then NULL until the sign-in arrives.
CREATE TABLE visit_escort (
    visit_id      TEXT PRIMARY KEY,
    terms_hlc     TEXT,            -- the sign-in op whose terms are kept: the earliest
    terms         TEXT,            -- JSON VisitTerms
    visitor_type  TEXT,            -- JSON Label, for lists (a copy from terms)
    required      INTEGER NOT NULL DEFAULT 0,
    cleared_hlc   TEXT,            -- the earliest escort.cleared op
    cleared_at    INTEGER,
    cleared_desk  TEXT,
    override      TEXT,            -- JSON EscortOverride when a supervisor cleared it
    handback_hlc  TEXT,            -- the earliest escort.handed_back op
    handback_at   INTEGER,
    handback_host TEXT,
    handback_by   TEXT
) STRICT;
-- The latest tick or untick per checklist item (last writer wins by HLC).
CREATE TABLE escort_ticks (
    visit_id TEXT NOT NULL,
    item_id  TEXT NOT NULL,
    ticked   INTEGER NOT NULL,
    hlc      TEXT NOT NULL,
    desk_id  TEXT NOT NULL,
    at       INTEGER NOT NULL,
    PRIMARY KEY (visit_id, item_id)
) STRICT, WITHOUT ROWID;
-- Every escort assignment and hand-over; the current escort has the greatest HLC.
CREATE TABLE escort_assignments (
    op_id    TEXT PRIMARY KEY,
    visit_id TEXT NOT NULL,
    host_id  TEXT NOT NULL,
    hlc      TEXT NOT NULL,
    desk_id  TEXT NOT NULL,
    at       INTEGER NOT NULL
) STRICT;
CREATE INDEX escort_assignments_visit ON escort_assignments (visit_id, hlc);
"#;

fn corrupt(e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(e.to_string())
}

fn ts(ms: i64) -> Result<jiff::Timestamp> {
    jiff::Timestamp::from_millisecond(ms).map_err(corrupt)
}

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(corrupt)
}

pub(super) fn apply_signed_in(tx: &Transaction<'_>, op: &Op, b: &VisitSignedIn) -> Result<()> {
    let Some(terms) = &b.terms else { return Ok(()) };
    let visitor_type = terms.visitor_type.as_ref().map(json).transpose()?;
    tx.prepare_cached(
        "INSERT INTO visit_escort (visit_id, terms_hlc, terms, visitor_type, required) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (visit_id) DO UPDATE SET terms_hlc = excluded.terms_hlc, terms = excluded.terms,
            visitor_type = excluded.visitor_type, required = excluded.required
         WHERE visit_escort.terms_hlc IS NULL OR excluded.terms_hlc < visit_escort.terms_hlc",
    )?
    .execute(params![
        b.visit_id.to_string(),
        op.hlc.to_string(),
        json(terms)?,
        visitor_type,
        terms.escort_required
    ])?;
    Ok(())
}

pub(super) fn apply_ticked(tx: &Transaction<'_>, op: &Op, b: &ChecklistTicked) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO escort_ticks (visit_id, item_id, ticked, hlc, desk_id, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (visit_id, item_id) DO UPDATE SET ticked = excluded.ticked, hlc = excluded.hlc,
            desk_id = excluded.desk_id, at = excluded.at
         WHERE excluded.hlc > escort_ticks.hlc",
    )?
    .execute(params![
        b.visit_id.to_string(),
        b.item_id,
        b.ticked,
        op.hlc.to_string(),
        b.desk_id,
        b.at.as_millisecond()
    ])?;
    Ok(())
}

pub(super) fn apply_assigned(tx: &Transaction<'_>, op: &Op, b: &EscortAssigned) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO escort_assignments (op_id, visit_id, host_id, hlc, desk_id, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (op_id) DO NOTHING",
    )?
    .execute(params![
        op.id.to_string(),
        b.visit_id.to_string(),
        b.host_id.0,
        op.hlc.to_string(),
        b.desk_id,
        b.at.as_millisecond()
    ])?;
    Ok(())
}

pub(super) fn apply_cleared(tx: &Transaction<'_>, op: &Op, b: &EscortCleared) -> Result<()> {
    let override_json = b.supervisor_override.as_ref().map(json).transpose()?;
    tx.prepare_cached(
        "INSERT INTO visit_escort (visit_id, cleared_hlc, cleared_at, cleared_desk, override) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (visit_id) DO UPDATE SET cleared_hlc = excluded.cleared_hlc, cleared_at = excluded.cleared_at,
            cleared_desk = excluded.cleared_desk, override = excluded.override
         WHERE visit_escort.cleared_hlc IS NULL OR excluded.cleared_hlc < visit_escort.cleared_hlc",
    )?
    .execute(params![b.visit_id.to_string(), op.hlc.to_string(), b.at.as_millisecond(), b.desk_id, override_json])?;
    Ok(())
}

pub(super) fn apply_handed_back(tx: &Transaction<'_>, op: &Op, b: &EscortHandedBack) -> Result<()> {
    let by: &str = b.by.into();
    tx.prepare_cached(
        "INSERT INTO visit_escort (visit_id, handback_hlc, handback_at, handback_host, handback_by)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (visit_id) DO UPDATE SET handback_hlc = excluded.handback_hlc,
            handback_at = excluded.handback_at, handback_host = excluded.handback_host,
            handback_by = excluded.handback_by
         WHERE visit_escort.handback_hlc IS NULL OR excluded.handback_hlc < visit_escort.handback_hlc",
    )?
    .execute(params![b.visit_id.to_string(), op.hlc.to_string(), b.at.as_millisecond(), b.host_id.0, by])?;
    Ok(())
}

/// A host id as lists show it: name and extension from the directory (empty if unknown there).
fn contact(host_id: String, name: Option<String>, extension: Option<String>) -> EscortContact {
    EscortContact { host_id: HostId(host_id), name: name.unwrap_or_default(), extension: extension.unwrap_or_default() }
}

/// The escort columns of a visit, with its current escort from the directory.
const SUMMARY_SELECT: &str = "
    SELECT e.visit_id, e.visitor_type, e.required, e.cleared_hlc IS NOT NULL, e.handback_hlc IS NOT NULL,
           cur.host_id, h.name, h.extension
    FROM visit_escort e
    LEFT JOIN escort_assignments cur ON cur.op_id =
        (SELECT a.op_id FROM escort_assignments a WHERE a.visit_id = e.visit_id ORDER BY a.hlc DESC LIMIT 1)
    LEFT JOIN hosts h ON h.id = cur.host_id";

impl Reader<'_> {
    /// Fill in the escort side of each visit (visits from before escorts keep `None`).
    /// For the roll call: each escorted visit's current escort and whether it still waits for
    /// its escort (not started), by visit id.
    pub(super) fn escorts_by_visit(
        &self,
        ids: &[String],
    ) -> Result<BTreeMap<String, (Option<crate::escort::EscortContact>, bool)>> {
        let mut out = BTreeMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let mut stmt = self.0.prepare_cached(&format!(
            "{SUMMARY_SELECT} WHERE e.terms IS NOT NULL AND e.visit_id IN (SELECT value FROM json_each(?1))"
        ))?;
        let mut rows = stmt.query([json(&ids)?])?;
        while let Some(r) = rows.next()? {
            let required: bool = r.get(2)?;
            let cleared: bool = r.get(3)?;
            let escort =
                r.get::<_, Option<String>>(5)?.map(|h| Ok::<_, rusqlite::Error>(contact(h, r.get(6)?, r.get(7)?)));
            if required {
                out.insert(r.get::<_, String>(0)?, (escort.transpose()?, !cleared));
            }
        }
        Ok(out)
    }

    pub(super) fn attach_escorts(&self, visits: &mut [Visit]) -> Result<()> {
        if visits.is_empty() {
            return Ok(());
        }
        let ids = json(&visits.iter().map(|v| v.id.to_string()).collect::<Vec<_>>())?;
        let mut stmt = self.0.prepare_cached(&format!(
            "{SUMMARY_SELECT} WHERE e.terms IS NOT NULL AND e.visit_id IN (SELECT value FROM json_each(?1))"
        ))?;
        let mut rows = stmt.query([ids])?;
        let mut found = BTreeMap::new();
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let visitor_type: Option<Label> =
                r.get::<_, Option<String>>(1)?.map(|t| serde_json::from_str(&t)).transpose().map_err(corrupt)?;
            let required: bool = r.get(2)?;
            let cleared: bool = r.get(3)?;
            let handed_back: bool = r.get(4)?;
            let escort =
                r.get::<_, Option<String>>(5)?.map(|h| Ok::<_, rusqlite::Error>(contact(h, r.get(6)?, r.get(7)?)));
            found.insert(id, (visitor_type, required, cleared, handed_back, escort.transpose()?));
        }
        for visit in visits {
            if let Some((visitor_type, required, cleared, handed_back, escort)) = found.remove(&visit.id.to_string()) {
                let needs_handback = escort.is_some() && !handed_back && visit.signed_out_at.is_none();
                visit.escort =
                    Some(VisitEscort { visitor_type, required, pending: required && !cleared, escort, needs_handback });
            }
        }
        Ok(())
    }

    /// The escort screen's view of a visit, or `None` if the visit has no terms (from before
    /// escorts, or its sign-in has not arrived).
    pub fn escort_status(&self, visit_id: VisitId, signed_out: bool) -> Result<Option<EscortStatus>> {
        let id = visit_id.to_string();
        let row = self
            .0
            .query_row(
                "SELECT e.terms, e.cleared_at, e.cleared_desk, e.override, e.handback_host, h.name, h.extension,
                        e.handback_by, e.handback_at
                 FROM visit_escort e LEFT JOIN hosts h ON h.id = e.handback_host
                 WHERE e.visit_id = ?1 AND e.terms IS NOT NULL",
                [&id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<i64>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, Option<String>>(7)?,
                        r.get::<_, Option<i64>>(8)?,
                    ))
                },
            )
            .optional()?;
        let Some((terms, cleared_at, cleared_desk, override_json, hb_host, hb_name, hb_ext, hb_by, hb_at)) = row else {
            return Ok(None);
        };
        let terms: VisitTerms = serde_json::from_str(&terms).map_err(corrupt)?;

        let mut ticks = BTreeMap::new();
        {
            let mut stmt =
                self.0.prepare_cached("SELECT item_id, ticked, at, desk_id FROM escort_ticks WHERE visit_id = ?1")?;
            let mut rows = stmt.query([&id])?;
            while let Some(r) = rows.next()? {
                ticks.insert(
                    r.get::<_, String>(0)?,
                    (r.get::<_, bool>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?),
                );
            }
        }
        let checklist = terms
            .checklist
            .iter()
            .map(|item| {
                let tick = ticks.get(&item.id);
                Ok(ChecklistItemState {
                    id: item.id.clone(),
                    text: item.text.clone(),
                    required: item.required,
                    ticked: tick.is_some_and(|t| t.0),
                    changed_at: tick.map(|t| ts(t.1)).transpose()?,
                    changed_by: tick.map(|t| t.2.clone()),
                })
            })
            .collect::<Result<Vec<_>>>()?;

        let mut history = Vec::new();
        {
            let mut stmt = self.0.prepare_cached(
                "SELECT a.host_id, h.name, h.extension, a.at, a.desk_id FROM escort_assignments a
                 LEFT JOIN hosts h ON h.id = a.host_id WHERE a.visit_id = ?1 ORDER BY a.hlc",
            )?;
            let mut rows = stmt.query([&id])?;
            while let Some(r) = rows.next()? {
                history.push(EscortAssignment {
                    escort: contact(r.get(0)?, r.get(1)?, r.get(2)?),
                    at: ts(r.get(3)?)?,
                    desk_id: r.get(4)?,
                });
            }
        }
        let cleared = match cleared_at {
            Some(at) => Some(Clearance {
                at: ts(at)?,
                desk_id: cleared_desk.unwrap_or_default(),
                supervisor_override: override_json
                    .map(|o| serde_json::from_str::<EscortOverride>(&o))
                    .transpose()
                    .map_err(corrupt)?,
            }),
            None => None,
        };
        let handback = match (hb_host, hb_by, hb_at) {
            (Some(host), Some(by), Some(at)) => Some(Handback {
                escort: contact(host, hb_name, hb_ext),
                by: by.parse::<HandbackBy>().map_err(corrupt)?,
                at: ts(at)?,
            }),
            _ => None,
        };
        let escort = history.last().map(|a| a.escort.clone());
        let checklist_complete = checklist.iter().all(|i| !i.required || i.ticked);
        let can_start =
            terms.escort_required && cleared.is_none() && !signed_out && checklist_complete && escort.is_some();
        Ok(Some(EscortStatus {
            visit_id,
            visitor_type: terms.visitor_type,
            areas: terms.areas,
            required: terms.escort_required,
            reasons: terms.reasons,
            checklist,
            checklist_complete,
            escort,
            history,
            cleared,
            can_start,
            handback,
            signed_out,
        }))
    }

    /// The escort tables as text, in a fixed order, for convergence tests.
    pub(super) fn escort_dump(&self) -> Result<Vec<String>> {
        let mut dump = Vec::new();
        for sql in [
            "SELECT 'escort', visit_id, terms_hlc, terms, visitor_type, required, cleared_hlc, cleared_at, cleared_desk,
                    override, handback_hlc, handback_at, handback_host, handback_by FROM visit_escort ORDER BY visit_id",
            "SELECT 'tick', visit_id, item_id, ticked, hlc, desk_id, at FROM escort_ticks ORDER BY visit_id, item_id",
            "SELECT 'assigned', op_id, visit_id, host_id, hlc, desk_id, at FROM escort_assignments ORDER BY op_id",
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
