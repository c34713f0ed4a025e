//! Visitor management, private by design: ID capture with masking and keyed hashes, returning
//! visitors, invitations, the watch list, the host directory import, and the site's visitor
//! settings (overdue, auto sign-out, retention). Storage and merge rules are in
//! `storage/visitors.rs`; the kiosk's actions in `kiosk/visitors.rs`. See docs/visitors.md.

pub mod hosts_csv;
pub mod identity;
pub mod invitation;
pub mod ops;
pub mod retention;
pub mod settings;
pub mod watchlist;

pub use identity::{IdType, SiteHashKey};
pub use settings::VisitorSettings;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::{InvitationId, VisitId};

/// What the sign-in form adds for visitor management. Clear numbers travel only in this
/// request: the kiosk keeps them masked and hashed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields, default)]
pub struct NewVisitDetails {
    pub id_type: Option<IdType>,
    /// The ID number as typed (never stored).
    pub id_number: String,
    /// The phone number as typed (never stored).
    pub phone: String,
    /// When the visit should end: `HH:MM` today at the site, or empty.
    pub expected_end: String,
    /// A previous visit found by the returning-visitor lookup: its masked ID and phone and
    /// their hashes carry over when the form leaves them empty.
    pub returning_from: Option<VisitId>,
    /// The invitation being redeemed: its token (QR) or short code, as scanned or typed.
    pub invitation: String,
    /// A photo from the webcam: base64 JPEG or PNG.
    pub photo_base64: String,
}

/// A visit's visitor-management details as the desk shows them: numbers masked only.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct VisitorDetails {
    pub id_type: Option<IdType>,
    pub id_masked: Option<String>,
    pub phone_masked: Option<String>,
    #[ts(type = "string | null")]
    pub expected_end: Option<jiff::Timestamp>,
    pub invitation_id: Option<InvitationId>,
    /// Set when the kiosk signed the visit out automatically (it never signed out).
    #[ts(type = "string | null")]
    pub auto_signed_out_at: Option<jiff::Timestamp>,
    /// A watch-list hit not marked a false positive: the receptionist's discreet cue.
    pub watchlist_hit: bool,
    pub has_photo: bool,
    /// The retention purge removed this visit's personal data.
    pub purged: bool,
}

impl VisitorDetails {
    /// From the columns of `storage::queries::VISIT_SELECT` starting at `at`.
    pub(crate) fn from_row(r: &rusqlite::Row<'_>, at: usize) -> Result<VisitorDetails, crate::storage::StorageError> {
        let corrupt = |e: String| crate::storage::StorageError::Corrupt(e);
        let time = |ms: Option<i64>| {
            ms.map(|m| jiff::Timestamp::from_millisecond(m).map_err(|e| corrupt(e.to_string()))).transpose()
        };
        let id_type: Option<String> = r.get(at)?;
        let invitation: Option<String> = r.get(at + 4)?;
        Ok(VisitorDetails {
            id_type: id_type.and_then(|t| serde_json::from_value(serde_json::Value::String(t)).ok()),
            id_masked: r.get(at + 1)?,
            phone_masked: r.get(at + 2)?,
            expected_end: time(r.get(at + 3)?)?,
            invitation_id: invitation
                .map(|i| i.parse().map_err(|e: uuid::Error| corrupt(e.to_string())))
                .transpose()?,
            auto_signed_out_at: time(r.get(at + 5)?)?,
            purged: r.get(at + 6)?,
            watchlist_hit: r.get(at + 7)?,
            has_photo: r.get(at + 8)?,
        })
    }
}
