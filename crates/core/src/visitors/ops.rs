//! The operations of visitor management. Merge rules in `storage/visitors.rs`; formats in
//! docs/visitors.md (the alerts feature adopts `watchlist.hit`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::identity::IdType;
use super::settings::VisitorSettings;
use super::watchlist::{MatchedBy, WatchlistEntry};
use crate::ids::{HostId, InvitationId, VisitId};

/// A visit's private details, written with its sign-in: masked numbers and keyed hashes only.
/// The whole record is last writer wins by HLC.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct VisitDetails {
    pub visit_id: VisitId,
    pub id_type: Option<IdType>,
    pub id_masked: Option<String>,
    pub id_hash: Option<String>,
    pub phone_masked: Option<String>,
    pub phone_hash: Option<String>,
    /// Keyed hash of the normalised full name and company (returning-visitor lookup).
    pub name_key: Option<String>,
    #[ts(type = "string | null")]
    pub expected_end: Option<jiff::Timestamp>,
    pub invitation_id: Option<InvitationId>,
}

/// The kiosk signed this visit out at the site's auto sign-out time: it never signed out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct VisitAutoSignedOut {
    pub visit_id: VisitId,
    #[ts(type = "string")]
    pub at: jiff::Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct InvitationCreated {
    pub invitation_id: InvitationId,
    /// The short code (8 Crockford base32 characters).
    pub code: String,
    pub name: String,
    pub company: String,
    pub host_id: HostId,
    #[ts(type = "string")]
    pub valid_from: jiff::Timestamp,
    #[ts(type = "string")]
    pub valid_until: jiff::Timestamp,
    pub uses: u8,
    #[ts(type = "string")]
    pub created_at: jiff::Timestamp,
}

/// One use of an invitation: the visit it signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct InvitationRedeemed {
    pub invitation_id: InvitationId,
    pub visit_id: VisitId,
    #[ts(type = "string")]
    pub redeemed_at: jiff::Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct InvitationRevoked {
    pub invitation_id: InvitationId,
    #[ts(type = "string")]
    pub revoked_at: jiff::Timestamp,
}

/// One watch-list entry matched by a visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct HitEntry {
    pub entry_id: String,
    pub matched_by: Vec<MatchedBy>,
}

/// `watchlist.hit`: a visitor matched the watch list at sign-in. An alert of kind
/// `watchlist_hit` for the guards; no names in it (the visit id leads to them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct WatchlistHit {
    pub visit_id: VisitId,
    pub entries: Vec<HitEntry>,
    pub desk_id: String,
    #[ts(type = "string")]
    pub raised_at: jiff::Timestamp,
}

/// An admin marked a hit a false positive. `exempt_id_hash`: the visitor's ID hash, so the
/// same person does not hit this entry again by name alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct WatchlistCleared {
    pub visit_id: VisitId,
    pub entry_id: String,
    pub exempt_id_hash: Option<String>,
    #[ts(type = "string")]
    pub cleared_at: jiff::Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct WatchlistUpserted {
    pub entry: WatchlistEntry,
}

/// The retention purge: personal data of visits signed in before `before` (and invitations
/// that ended before it) is removed everywhere, including from the bodies of old ops. The
/// horizon only moves forward (the greatest `before` applied wins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RetentionPurged {
    #[ts(type = "string")]
    pub before: jiff::Timestamp,
    #[ts(type = "string")]
    pub purged_at: jiff::Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct VisitorSettingsPublished {
    pub settings: VisitorSettings,
}
