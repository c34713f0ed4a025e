//! Evacuation roll call: the operations, and the roll call as every device shows it.
//!
//! An evacuation is started on one device with the list of visits on site at that moment,
//! frozen in the `evacuation.started` op. Marshals mark people (`rollcall.marked`: accounted
//! for, missing, in a refuge area) from any device; the latest mark for a person wins, by HLC.
//! `evacuation.ended` closes one or more evacuations and records who was still not accounted
//! for and how long the roll call took. All three merge commutatively and idempotently (see
//! `storage/evacuation.rs`), so devices that have the same ops show the same roll call.
//!
//! **Two devices cut off from each other** may each start an evacuation. Evacuations are never
//! merged into one id; instead every device shows *one* roll call for all evacuations that have
//! started and not ended — the *incident*:
//! - its people are the union of all their frozen lists, plus everyone who was on site at any
//!   moment since the earliest start (signed in later, or whose sign-in had not yet synced to
//!   the starting device) — those are marked "added later";
//! - a person's status is their latest mark by HLC across the incident's evacuations;
//! - it is a drill only if every one of its evacuations is a drill: a real evacuation is never
//!   shown as a drill because another device started a drill;
//! - ending it ends every evacuation the ending device knows of. One that arrives afterwards
//!   from a device that was cut off still shows as running, everywhere, until someone ends it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::hlc::Hlc;
use crate::ids::{EvacuationId, HostId, VisitId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct EvacuationStarted {
    pub evacuation_id: EvacuationId,
    #[ts(type = "string")]
    pub started_at: jiff::Timestamp,
    pub drill: bool,
    pub desk_id: String,
    /// Everyone on site as the starting device saw it, frozen at the start. A long list is
    /// split over several ops with the same id and fields (at most `VISITS_PER_OP` each); the
    /// frozen list is their union.
    pub on_site: Vec<VisitId>,
}

/// Most visit ids one evacuation op carries (about 40 KB of JSON), so an op stays well inside
/// the hub's per-op limit however many people are on site.
pub const VISITS_PER_OP: usize = 1_000;

/// The ops that start an evacuation with `on_site` frozen: one per part of a long list (an empty
/// site still writes one). Any device — a kiosk, or the hub for its guard console — starts one so.
pub fn start_ops(
    evacuation_id: EvacuationId,
    started_at: jiff::Timestamp,
    drill: bool,
    desk_id: &str,
    on_site: &[VisitId],
) -> Vec<crate::op::OpBody> {
    let mut parts: Vec<Vec<VisitId>> = on_site.chunks(VISITS_PER_OP).map(<[VisitId]>::to_vec).collect();
    if parts.is_empty() {
        parts.push(Vec::new());
    }
    parts
        .into_iter()
        .map(|part| {
            crate::op::OpBody::EvacuationStarted(EvacuationStarted {
                evacuation_id,
                started_at,
                drill,
                desk_id: desk_id.to_owned(),
                on_site: part,
            })
        })
        .collect()
}

/// The ops that end the incident of `rollcall` at `now`: who was not accounted for (in parts) and
/// how long the roll call took.
pub fn end_ops(rollcall: &RollCall, now: jiff::Timestamp) -> (Vec<crate::op::OpBody>, EndFacts) {
    let duration_seconds = (now.as_second() - rollcall.started_at.as_second()).max(0) as u64;
    let missing = rollcall.not_accounted();
    let missing_total = u32::try_from(missing.len()).unwrap_or(u32::MAX);
    let mut parts: Vec<Vec<VisitId>> = missing.chunks(VISITS_PER_OP).map(<[VisitId]>::to_vec).collect();
    if parts.is_empty() {
        parts.push(Vec::new());
    }
    let ops = parts
        .into_iter()
        .map(|part| {
            crate::op::OpBody::EvacuationEnded(EvacuationEnded {
                evacuation_ids: rollcall.evacuation_ids.clone(),
                ended_at: now,
                missing: part,
                missing_total: Some(missing_total),
                duration_seconds,
            })
        })
        .collect();
    (ops, EndFacts { missing, duration_seconds })
}

/// What ending a roll call recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndFacts {
    pub missing: Vec<VisitId>,
    pub duration_seconds: u64,
}

impl EndFacts {
    /// The audit entry's details for ending `rollcall`, the same whichever device ended it.
    pub fn audit_details(&self, rollcall: &RollCall) -> serde_json::Value {
        serde_json::json!({
            "evacuations": rollcall.evacuation_ids.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
            "drill": rollcall.drill,
            "total": rollcall.counts.total,
            "accounted": rollcall.counts.accounted,
            "refuge": rollcall.counts.refuge,
            "missing": self.missing.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
            "duration_seconds": self.duration_seconds,
        })
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, strum::IntoStaticStr, strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RollcallStatus {
    Accounted,
    Missing,
    /// In a refuge area: known to be safe there, not yet out.
    Refuge,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RollcallMarked {
    pub evacuation_id: EvacuationId,
    pub visit_id: VisitId,
    pub status: RollcallStatus,
    #[ts(type = "string")]
    pub marked_at: jiff::Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct EvacuationEnded {
    /// Every evacuation of the incident the ending device knew of.
    pub evacuation_ids: Vec<EvacuationId>,
    #[ts(type = "string")]
    pub ended_at: jiff::Timestamp,
    /// Who was not accounted for at the end (marked missing, or never marked); a long list is
    /// split over several ops with the same evacuations, end time and duration.
    pub missing: Vec<VisitId>,
    /// How many were not accounted for in all (`missing` may be one part of the list).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub missing_total: Option<u32>,
    /// From the earliest start to the end.
    #[ts(type = "number")]
    pub duration_seconds: u64,
}

/// A visit written on paper during an outage and entered afterwards. It comes with the visit's
/// ordinary sign-in (and sign-out) ops carrying the real times; this op marks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct VisitBackEntered {
    pub visit_id: VisitId,
    #[ts(type = "string")]
    pub entered_at: jiff::Timestamp,
}

/// One person on the roll call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RollcallRow {
    pub visit_id: VisitId,
    /// Empty if the visit's sign-in has not reached this device yet.
    pub name: String,
    pub company: String,
    pub host_id: HostId,
    pub host_name: Option<String>,
    pub host_extension: Option<String>,
    /// The current escort of an escorted visit (name and extension to call).
    pub escort: Option<crate::escort::EscortContact>,
    /// An escorted visit still waiting at the desk for its escort (not started yet).
    pub waiting_for_escort: bool,
    pub desk_id: String,
    #[ts(type = "string | null")]
    pub signed_in_at: Option<jiff::Timestamp>,
    /// Signed out after the evacuation started (left, or signed out at the assembly point).
    #[ts(type = "string | null")]
    pub signed_out_at: Option<jiff::Timestamp>,
    /// Not on the list frozen at the start: signed in later, or synced in later.
    pub added_later: bool,
    pub back_entered: bool,
    pub status: Option<RollcallStatus>,
    #[ts(type = "string | null")]
    pub marked_at: Option<jiff::Timestamp>,
    /// The device whose mark is shown.
    pub marked_by: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RollcallCounts {
    pub total: u32,
    pub accounted: u32,
    pub refuge: u32,
    /// Marked missing.
    pub marked_missing: u32,
    /// Not marked yet.
    pub unmarked: u32,
    /// Not accounted for: marked missing or not marked yet. The number on the big screen.
    pub missing: u32,
}

impl RollcallCounts {
    pub fn of(rows: &[RollcallRow]) -> RollcallCounts {
        let mut c = RollcallCounts { total: rows.len() as u32, ..RollcallCounts::default() };
        for row in rows {
            match row.status {
                Some(RollcallStatus::Accounted) => c.accounted += 1,
                Some(RollcallStatus::Refuge) => c.refuge += 1,
                Some(RollcallStatus::Missing) => c.marked_missing += 1,
                None => c.unmarked += 1,
            }
        }
        c.missing = c.marked_missing + c.unmarked;
        c
    }
}

/// The roll call of the running incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RollCall {
    /// The earliest-started evacuation of the incident; marks are written against it.
    pub evacuation_id: EvacuationId,
    /// Every running evacuation in the incident, earliest first (more than one only when
    /// devices cut off from each other each started one).
    pub evacuation_ids: Vec<EvacuationId>,
    #[ts(type = "string")]
    pub started_at: jiff::Timestamp,
    pub drill: bool,
    pub desk_id: String,
    pub rows: Vec<RollcallRow>,
    pub counts: RollcallCounts,
}

impl RollCall {
    /// Who is not accounted for, for the end record.
    pub fn not_accounted(&self) -> Vec<VisitId> {
        self.rows
            .iter()
            .filter(|r| matches!(r.status, None | Some(RollcallStatus::Missing)))
            .map(|r| r.visit_id)
            .collect()
    }
}

/// A running evacuation as stored (used to build the incident).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RunningEvacuation {
    pub id: EvacuationId,
    pub started_hlc: Hlc,
    pub started_at: jiff::Timestamp,
    pub drill: bool,
    pub desk_id: String,
}

/// An ended evacuation, for the history on the admin screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EvacuationRecord {
    pub evacuation_id: EvacuationId,
    #[ts(type = "string")]
    pub started_at: jiff::Timestamp,
    #[ts(type = "string | null")]
    pub ended_at: Option<jiff::Timestamp>,
    pub drill: bool,
    pub desk_id: String,
    /// How many were still not accounted for at the end.
    pub missing_at_end: u32,
    #[ts(type = "number | null")]
    pub duration_seconds: Option<u64>,
}

/// The result of marking one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RollcallUpdate {
    pub row: RollcallRow,
    pub counts: RollcallCounts,
}
