//! Escorts: which visits must be accompanied, the checklist that gates their badge, the named
//! escort and hand-overs, and the hand-back at sign-out.
//!
//! At sign-in the site's rules ([`config::EscortSettings`], data in the site file) decide the
//! visit's *terms*: its visitor type and areas, whether an escort is required and why, and a
//! copy of the checklist it must complete. The terms travel inside the `visit.signed_in` op, so
//! no device ever sees an escorted visit without them. An escorted visit is on site (it shows
//! on the on-site list and the roll call: the visitor is in the building) but *pending*: it
//! gets no badge until `escort.cleared` — every required item ticked and an escort chosen, or a
//! supervisor's override with PIN and reason. Ticks, assignments, the clearance and the
//! hand-back are ops; their merge rules are in `storage/escort.rs`.

pub mod config;
mod rules;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::i18n::Localized;
use crate::ids::{HostId, VisitId};

pub use config::EscortSettings;
pub use rules::{EscortContext, EscortDecision};

/// Longest supervisor override reason, in characters.
pub const OVERRIDE_REASON_MAX_CHARS: usize = 200;

/// A thing the site names, with its id: a visitor type or an area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Label {
    pub id: String,
    pub name: Localized,
}

/// Why a visit needs an escort.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EscortReason {
    /// The site escorts every visitor of this type.
    VisitorType { id: String, name: Localized },
    /// The visit needs an access-controlled area.
    RestrictedArea { id: String, name: Localized },
    /// Signed in outside the site's working hours (`start`–`end`, local time).
    OutsideHours { start: String, end: String },
    /// The visitor matched the watch list.
    WatchList,
    /// The host's visitors are always escorted (`name` as the directory had it then).
    HostPolicy { host_id: HostId, name: String },
}

/// One checklist item as the visit was asked it (copied from the site at sign-in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    pub id: String,
    pub text: Localized,
    pub required: bool,
}

/// What the rules decided for a visit at sign-in. Kept with the visit, so a later edit of the
/// site's rules or checklist does not change a visit already at the desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct VisitTerms {
    pub visitor_type: Option<Label>,
    pub areas: Vec<Label>,
    pub escort_required: bool,
    pub reasons: Vec<EscortReason>,
    /// The checklist to complete (empty unless an escort is required).
    pub checklist: Vec<ChecklistItem>,
}

/// `escort.checklist_ticked`: a checklist item ticked or unticked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ChecklistTicked {
    pub visit_id: VisitId,
    pub item_id: String,
    pub ticked: bool,
    pub desk_id: String,
    #[ts(type = "string")]
    pub at: jiff::Timestamp,
}

/// `escort.assigned`: the visit's escort from now on. A later one is a hand-over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct EscortAssigned {
    pub visit_id: VisitId,
    pub host_id: HostId,
    pub desk_id: String,
    #[ts(type = "string")]
    pub at: jiff::Timestamp,
}

/// `escort.cleared`: the escorted visit may start (and get its badge).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct EscortCleared {
    pub visit_id: VisitId,
    pub desk_id: String,
    #[ts(type = "string")]
    pub at: jiff::Timestamp,
    /// Set when a supervisor cleared a visit whose checklist or escort was not complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_override: Option<EscortOverride>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct EscortOverride {
    pub reason: String,
    /// Required items that were not ticked.
    pub missing_items: Vec<String>,
    /// No escort had been chosen.
    pub without_escort: bool,
}

/// Who confirmed that the escort handed the visitor back at the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum HandbackBy {
    /// The escort, at the desk.
    Escort,
    /// The receptionist, on the escort's behalf.
    Desk,
}

/// `escort.handed_back`: at sign-out, the escort brought the visitor back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct EscortHandedBack {
    pub visit_id: VisitId,
    pub host_id: HostId,
    pub by: HandbackBy,
    pub desk_id: String,
    #[ts(type = "string")]
    pub at: jiff::Timestamp,
}

/// An escort as lists show them: name and extension to call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EscortContact {
    pub host_id: HostId,
    /// Empty if the directory no longer knows the id.
    pub name: String,
    pub extension: String,
}

/// The escort side of a visit, carried on every [`crate::visit::Visit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VisitEscort {
    pub visitor_type: Option<Label>,
    pub required: bool,
    /// Escort required and the visit not yet cleared: no badge, not started.
    pub pending: bool,
    /// The current escort.
    pub escort: Option<EscortContact>,
    /// Signing out needs the escort's hand-back first.
    pub needs_handback: bool,
}

/// The flag the overdue list shows for an escorted visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OverdueEscort {
    /// Always true: the visit is escorted (the list marks it).
    pub escorted: bool,
    /// The current escort, to call; `None` while none is named.
    pub escort: Option<EscortContact>,
}

/// For the overdue list: an escorted visit's marker and current escort, or `None` for a visit
/// that is not escorted.
pub fn overdue_flag(visit: &crate::visit::Visit) -> Option<OverdueEscort> {
    let escort = visit.escort.as_ref().filter(|e| e.required)?;
    Some(OverdueEscort { escorted: true, escort: escort.escort.clone() })
}

/// One checklist item with its current tick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChecklistItemState {
    pub id: String,
    pub text: Localized,
    pub required: bool,
    pub ticked: bool,
    /// When and at which desk the item was last ticked or unticked.
    #[ts(type = "string | null")]
    pub changed_at: Option<jiff::Timestamp>,
    pub changed_by: Option<String>,
}

/// One escort of the visit, in order: the first is the assignment, later ones hand-overs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EscortAssignment {
    pub escort: EscortContact,
    #[ts(type = "string")]
    pub at: jiff::Timestamp,
    pub desk_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Clearance {
    #[ts(type = "string")]
    pub at: jiff::Timestamp,
    pub desk_id: String,
    pub supervisor_override: Option<EscortOverride>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Handback {
    pub escort: EscortContact,
    pub by: HandbackBy,
    #[ts(type = "string")]
    pub at: jiff::Timestamp,
}

/// Everything the escort screen shows for one visit, decided by core.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EscortStatus {
    pub visit_id: VisitId,
    pub visitor_type: Option<Label>,
    pub areas: Vec<Label>,
    pub required: bool,
    pub reasons: Vec<EscortReason>,
    pub checklist: Vec<ChecklistItemState>,
    /// Every required item is ticked.
    pub checklist_complete: bool,
    /// The current escort (the last of `history`).
    pub escort: Option<EscortContact>,
    pub history: Vec<EscortAssignment>,
    /// The visit was cleared to start (checklist and escort, or an override).
    pub cleared: Option<Clearance>,
    /// The start is allowed now: pending, checklist complete and an escort named.
    pub can_start: bool,
    pub handback: Option<Handback>,
    pub signed_out: bool,
}

impl EscortStatus {
    /// Required items not ticked.
    pub fn missing_items(&self) -> Vec<String> {
        self.checklist.iter().filter(|i| i.required && !i.ticked).map(|i| i.id.clone()).collect()
    }
}

/// An area as the sign-in form offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AreaOption {
    pub id: String,
    pub name: Localized,
    /// Needing it means an escort.
    pub restricted: bool,
}

/// What the sign-in form offers: the site's visitor types (the default first) and areas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VisitOptions {
    pub visitor_types: Vec<Label>,
    pub areas: Vec<AreaOption>,
}

impl EscortSettings {
    pub fn options(&self) -> VisitOptions {
        VisitOptions {
            visitor_types: self
                .visitor_types
                .iter()
                .map(|t| Label { id: t.id.clone(), name: t.name.clone() })
                .collect(),
            areas: self
                .areas
                .iter()
                .map(|a| AreaOption { id: a.id.clone(), name: a.name.clone(), restricted: a.restricted })
                .collect(),
        }
    }
}

/// The result of a supervisor's override: the visit, now started, or why the PIN was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum OverrideOutcome {
    Granted(Box<crate::visit::Visit>),
    Refused(crate::kiosk::PinRefusal),
}
