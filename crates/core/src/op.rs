//! Operations: the append-only log every change is written to.
//!
//! The queryable tables are a view of the log. Sync ships operations, never rows, and applying
//! one is idempotent and order-independent (see `apply`), so devices that have seen the same
//! set of operations show the same state.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::hlc::Hlc;
use crate::ids::{DeviceId, HostId, OpId, SiteId, VisitId};

/// One change, as stored and as synced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Op {
    pub id: OpId,
    pub hlc: Hlc,
    /// The device that wrote it.
    pub device: DeviceId,
    /// 1, 2, 3… per device with no gaps, so a peer can tell what it is missing.
    #[ts(type = "number")]
    pub seq: u64,
    pub site: SiteId,
    pub body: OpBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind")]
pub enum OpBody {
    #[serde(rename = "visit.signed_in")]
    VisitSignedIn(VisitSignedIn),
    #[serde(rename = "visit.updated")]
    VisitUpdated(VisitUpdated),
    #[serde(rename = "visit.signed_out")]
    VisitSignedOut(VisitSignedOut),
    #[serde(rename = "host.upserted")]
    HostUpserted(HostRecord),
    /// The site's settings as the site hub published them (see `sync::authority`).
    #[serde(rename = "site.published")]
    SitePublished(SitePublished),
    #[serde(rename = "evacuation.started")]
    EvacuationStarted(crate::evacuation::EvacuationStarted),
    #[serde(rename = "rollcall.marked")]
    RollcallMarked(crate::evacuation::RollcallMarked),
    #[serde(rename = "evacuation.ended")]
    EvacuationEnded(crate::evacuation::EvacuationEnded),
    #[serde(rename = "visit.back_entered")]
    VisitBackEntered(crate::evacuation::VisitBackEntered),
    /// An emergency card file as the site's author published it (site data).
    #[serde(rename = "card.published")]
    CardPublished(CardPublished),
    #[serde(rename = "escort.checklist_ticked")]
    ChecklistTicked(crate::escort::ChecklistTicked),
    #[serde(rename = "escort.assigned")]
    EscortAssigned(crate::escort::EscortAssigned),
    #[serde(rename = "escort.cleared")]
    EscortCleared(crate::escort::EscortCleared),
    #[serde(rename = "escort.handed_back")]
    EscortHandedBack(crate::escort::EscortHandedBack),
    // Visitor management (see `visitors::ops`).
    #[serde(rename = "visit.details")]
    VisitDetails(crate::visitors::ops::VisitDetails),
    #[serde(rename = "visit.auto_signed_out")]
    VisitAutoSignedOut(crate::visitors::ops::VisitAutoSignedOut),
    #[serde(rename = "invitation.created")]
    InvitationCreated(crate::visitors::ops::InvitationCreated),
    #[serde(rename = "invitation.redeemed")]
    InvitationRedeemed(crate::visitors::ops::InvitationRedeemed),
    #[serde(rename = "invitation.revoked")]
    InvitationRevoked(crate::visitors::ops::InvitationRevoked),
    #[serde(rename = "watchlist.upserted")]
    WatchlistUpserted(crate::visitors::ops::WatchlistUpserted),
    #[serde(rename = "watchlist.hit")]
    WatchlistHit(crate::visitors::ops::WatchlistHit),
    #[serde(rename = "watchlist.cleared")]
    WatchlistCleared(crate::visitors::ops::WatchlistCleared),
    #[serde(rename = "retention.purged")]
    RetentionPurged(crate::visitors::ops::RetentionPurged),
    #[serde(rename = "site.visitor_settings")]
    VisitorSettingsPublished(crate::visitors::ops::VisitorSettingsPublished),
    #[serde(rename = "alert.raised")]
    AlertRaised(crate::alert::AlertRaised),
    #[serde(rename = "alert.acknowledged")]
    AlertAcknowledged(crate::alert::AlertAcknowledged),
    #[serde(rename = "alert.escalated")]
    AlertEscalated(crate::alert::AlertEscalated),
    #[serde(rename = "alert.resolved")]
    AlertResolved(crate::alert::AlertResolved),
    #[serde(rename = "alert.cancelled")]
    AlertCancelled(crate::alert::AlertCancelled),
}

/// What an operation is about: the unit the merge rules work on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityKind {
    Visit,
    Host,
    Site,
    Evacuation,
    Card,
    Invitation,
    Watchlist,
    Retention,
    Alert,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Visit => "visit",
            EntityKind::Host => "host",
            EntityKind::Site => "site",
            EntityKind::Evacuation => "evacuation",
            EntityKind::Card => "card",
            EntityKind::Invitation => "invitation",
            EntityKind::Watchlist => "watchlist",
            EntityKind::Retention => "retention",
            EntityKind::Alert => "alert",
        }
    }
}

impl OpBody {
    pub fn kind(&self) -> &'static str {
        match self {
            OpBody::VisitSignedIn(_) => "visit.signed_in",
            OpBody::VisitUpdated(_) => "visit.updated",
            OpBody::VisitSignedOut(_) => "visit.signed_out",
            OpBody::HostUpserted(_) => "host.upserted",
            OpBody::SitePublished(_) => "site.published",
            OpBody::EvacuationStarted(_) => "evacuation.started",
            OpBody::RollcallMarked(_) => "rollcall.marked",
            OpBody::EvacuationEnded(_) => "evacuation.ended",
            OpBody::VisitBackEntered(_) => "visit.back_entered",
            OpBody::CardPublished(_) => "card.published",
            OpBody::ChecklistTicked(_) => "escort.checklist_ticked",
            OpBody::EscortAssigned(_) => "escort.assigned",
            OpBody::EscortCleared(_) => "escort.cleared",
            OpBody::EscortHandedBack(_) => "escort.handed_back",
            OpBody::VisitDetails(_) => "visit.details",
            OpBody::VisitAutoSignedOut(_) => "visit.auto_signed_out",
            OpBody::InvitationCreated(_) => "invitation.created",
            OpBody::InvitationRedeemed(_) => "invitation.redeemed",
            OpBody::InvitationRevoked(_) => "invitation.revoked",
            OpBody::WatchlistUpserted(_) => "watchlist.upserted",
            OpBody::WatchlistHit(_) => "watchlist.hit",
            OpBody::WatchlistCleared(_) => "watchlist.cleared",
            OpBody::RetentionPurged(_) => "retention.purged",
            OpBody::VisitorSettingsPublished(_) => "site.visitor_settings",
            OpBody::AlertRaised(_) => "alert.raised",
            OpBody::AlertAcknowledged(_) => "alert.acknowledged",
            OpBody::AlertEscalated(_) => "alert.escalated",
            OpBody::AlertResolved(_) => "alert.resolved",
            OpBody::AlertCancelled(_) => "alert.cancelled",
        }
    }

    pub fn entity(&self) -> (EntityKind, String) {
        match self {
            OpBody::VisitSignedIn(b) => (EntityKind::Visit, b.visit_id.to_string()),
            OpBody::VisitUpdated(b) => (EntityKind::Visit, b.visit_id.to_string()),
            OpBody::VisitSignedOut(b) => (EntityKind::Visit, b.visit_id.to_string()),
            OpBody::HostUpserted(h) => (EntityKind::Host, h.id.0.clone()),
            OpBody::SitePublished(s) => (EntityKind::Site, s.config.site.id.0.clone()),
            OpBody::EvacuationStarted(b) => (EntityKind::Evacuation, b.evacuation_id.to_string()),
            OpBody::RollcallMarked(b) => (EntityKind::Evacuation, b.evacuation_id.to_string()),
            OpBody::EvacuationEnded(b) => {
                (EntityKind::Evacuation, b.evacuation_ids.first().map(|e| e.to_string()).unwrap_or_default())
            }
            OpBody::VisitBackEntered(b) => (EntityKind::Visit, b.visit_id.to_string()),
            OpBody::CardPublished(c) => (EntityKind::Card, c.file.clone()),
            OpBody::ChecklistTicked(b) => (EntityKind::Visit, b.visit_id.to_string()),
            OpBody::EscortAssigned(b) => (EntityKind::Visit, b.visit_id.to_string()),
            OpBody::EscortCleared(b) => (EntityKind::Visit, b.visit_id.to_string()),
            OpBody::EscortHandedBack(b) => (EntityKind::Visit, b.visit_id.to_string()),
            OpBody::VisitDetails(b) => (EntityKind::Visit, b.visit_id.to_string()),
            OpBody::VisitAutoSignedOut(b) => (EntityKind::Visit, b.visit_id.to_string()),
            OpBody::InvitationCreated(b) => (EntityKind::Invitation, b.invitation_id.to_string()),
            OpBody::InvitationRedeemed(b) => (EntityKind::Invitation, b.invitation_id.to_string()),
            OpBody::InvitationRevoked(b) => (EntityKind::Invitation, b.invitation_id.to_string()),
            OpBody::WatchlistUpserted(b) => (EntityKind::Watchlist, b.entry.id.clone()),
            OpBody::WatchlistHit(b) => (EntityKind::Visit, b.visit_id.to_string()),
            OpBody::WatchlistCleared(b) => (EntityKind::Visit, b.visit_id.to_string()),
            OpBody::RetentionPurged(_) => (EntityKind::Retention, "horizon".into()),
            OpBody::VisitorSettingsPublished(_) => (EntityKind::Site, "visitor-settings".into()),
            OpBody::AlertRaised(_)
            | OpBody::AlertAcknowledged(_)
            | OpBody::AlertEscalated(_)
            | OpBody::AlertResolved(_)
            | OpBody::AlertCancelled(_) => (
                EntityKind::Alert,
                crate::alert::AlertRecord::alert_of(self).map(|id| id.to_string()).unwrap_or_default(),
            ),
        }
    }
}

/// The visitor-facing fields of a visit; each converges on its own (last writer wins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct VisitFields {
    pub name: String,
    pub company: String,
    pub host_id: HostId,
    pub purpose: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct VisitSignedIn {
    pub visit_id: VisitId,
    pub fields: VisitFields,
    pub desk_id: String,
    #[ts(type = "string")]
    pub signed_in_at: jiff::Timestamp,
    /// What the escort rules decided at sign-in (absent on visits from before escorts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms: Option<crate::escort::VisitTerms>,
}

/// A correction of some fields of a visit; absent fields are unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct VisitPatch {
    pub name: Option<String>,
    pub company: Option<String>,
    pub host_id: Option<HostId>,
    pub purpose: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct VisitUpdated {
    pub visit_id: VisitId,
    pub patch: VisitPatch,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct VisitSignedOut {
    pub visit_id: VisitId,
    #[ts(type = "string")]
    pub signed_out_at: jiff::Timestamp,
}

/// A host in the directory, as the directory's author last wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct HostRecord {
    pub id: HostId,
    pub name: String,
    pub department: String,
    pub extension: String,
    pub email: String,
    pub may_escort: bool,
    pub active: bool,
}

/// One emergency card file (`role/scenario.toml`, TOML as in `assets/cards/`), replacing the
/// built-in card of that name on every kiosk of the site. Last writer wins per file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CardPublished {
    pub file: String,
    pub text: String,
}

/// The site's settings (everything of the site file but the host directory, which travels as
/// `host.upserted`), published by the site hub. Last writer wins for the whole document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SitePublished {
    #[ts(type = "unknown")]
    pub config: Box<crate::site::SiteConfig>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_round_trip_through_json_with_a_readable_kind() {
        let device = DeviceId::new();
        let op = Op {
            id: OpId::new(),
            hlc: Hlc { millis: 1, counter: 0, device },
            device,
            seq: 1,
            site: SiteId("riverside-tower".into()),
            body: OpBody::VisitSignedOut(VisitSignedOut {
                visit_id: VisitId::new(),
                signed_out_at: jiff::Timestamp::UNIX_EPOCH,
            }),
        };
        let json = serde_json::to_value(&op).unwrap();
        assert_eq!(json["body"]["kind"], "visit.signed_out");
        assert_eq!(serde_json::from_value::<Op>(json).unwrap(), op);
    }

    #[test]
    fn unexpected_fields_are_refused() {
        let json = serde_json::json!({
            "kind": "visit.signed_out",
            "visit_id": VisitId::new(),
            "signed_out_at": "2026-01-01T00:00:00Z",
            "extra": 1
        });
        assert!(serde_json::from_value::<OpBody>(json).is_err());
    }
}
