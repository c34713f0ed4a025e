//! The kiosk's visitor management: the private details of a sign-in, returning visitors,
//! invitations, the watch list, the host directory, overdue visits and auto sign-out, search,
//! export and the retention purge. Rules live in `crate::visitors`; merge rules in
//! `storage/visitors.rs`.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use super::Kiosk;
use super::change::{Change, SYSTEM_ACTOR};
use crate::audit::AuditAction;
use crate::error::{CoreError, FieldError, FieldErrorCode};
use crate::ids::{HostId, InvitationId, VisitId};
use crate::op::{HostRecord, OpBody, VisitFields, VisitSignedOut};
use crate::storage::visitors::{LookupColumn, StoredPhoto, VISITOR_SETTINGS};
use crate::visit::{NewVisit, Visit};
use crate::visitors::hosts_csv::{self, ImportErrorCode, ImportRowError};
use crate::visitors::identity::{self, HashKind, IdType};
use crate::visitors::invitation::{self, InvitationRefusal};
use crate::visitors::ops::{
    HitEntry, InvitationCreated, InvitationRedeemed, InvitationRevoked, RetentionPurged, VisitAutoSignedOut,
    VisitDetails, VisitorSettingsPublished, WatchlistCleared, WatchlistHit, WatchlistUpserted,
};
use crate::visitors::settings::{self, VisitorSettings};
use crate::visitors::watchlist::{self, MatchedBy, WatchlistEntry};

/// Largest photo accepted from the webcam (a 640×480 JPEG is ~60 KB).
pub const PHOTO_MAX_BYTES: usize = 512 * 1024;
/// Longest invitation window.
pub const INVITATION_MAX_DAYS: i64 = 31;
pub const INVITATION_MAX_USES: u8 = 31;
/// Backups other than the regular rotation (before a migration or restore) are deleted by the
/// purge once this old, so no backup keeps purged data for long.
pub const SPECIAL_BACKUP_KEEP_DAYS: i64 = 7;
/// Exported CSV files in the data folder are deleted by the purge once this old.
pub const EXPORT_KEEP_DAYS: i64 = 7;
pub const EXPORTS_FOLDER: &str = "exports";
const META_HASH_KEY_CREATED: &str = "site_hash_key_created";
const META_LAST_PURGE_DAY: &str = "retention.last_purge_day";

/// The sign-in form's details, checked.
pub(crate) struct CheckedDetails {
    id_type: Option<IdType>,
    id_masked: Option<String>,
    id_hash: Option<String>,
    phone_masked: Option<String>,
    phone_hash: Option<String>,
    expected_end: Option<jiff::Timestamp>,
    invitation: Option<InvitationId>,
    photo: Option<StoredPhoto>,
}

/// What the returning-visitor lookup is given: a phone or ID number, or a full name and company.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields, default)]
pub struct ReturningQuery {
    pub number: String,
    pub name: String,
    pub company: String,
}

/// A previous visitor found by the lookup: what pre-fills the form (numbers masked only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReturningVisitor {
    pub visit_id: VisitId,
    pub name: String,
    pub company: String,
    pub host_id: HostId,
    pub purpose: String,
    pub id_type: Option<IdType>,
    pub id_masked: Option<String>,
    pub phone_masked: Option<String>,
    /// `phone`, `id` or `name`.
    pub matched_by: String,
}

/// An invitation as the admin creates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    pub name: String,
    pub company: String,
    pub host_id: HostId,
    /// First and last day (`YYYY-MM-DD`, site time), both included.
    pub valid_from: String,
    pub valid_until: String,
    pub uses: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Valid,
    NotYetValid,
    Expired,
    UsedUp,
    Revoked,
}

/// An invitation as the admin screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Invitation {
    pub id: InvitationId,
    /// `ABCD-EFGH`.
    pub code: String,
    pub name: String,
    pub company: String,
    pub host_id: HostId,
    pub host_name: Option<String>,
    #[ts(type = "string")]
    pub valid_from: jiff::Timestamp,
    #[ts(type = "string")]
    pub valid_until: jiff::Timestamp,
    pub uses: u8,
    pub used: u32,
    pub status: InvitationStatus,
}

/// A new invitation with what the visitor receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IssuedInvitation {
    pub invitation: Invitation,
    /// The signed token the QR code carries (a scanner types it).
    pub token: String,
    /// The QR code as an SVG document.
    pub qr_svg: String,
}

/// What the desk learns from a scanned or typed invitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InvitationCheck {
    pub refusal: Option<InvitationRefusal>,
    pub invitation_id: Option<InvitationId>,
    pub name: String,
    pub company: String,
    pub host_id: Option<HostId>,
    #[ts(type = "string | null")]
    pub valid_until: Option<jiff::Timestamp>,
}

/// A watch-list entry as the admin writes it (the ID number in clear only in this request).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct WatchlistInput {
    /// Empty for a new entry.
    pub id: String,
    pub name: String,
    pub id_type: Option<IdType>,
    /// Empty keeps the entry's ID as it is.
    pub id_number: String,
    pub reason: String,
    pub active: bool,
}

/// A hit as the admin screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WatchlistHitView {
    pub visit_id: VisitId,
    pub visit_name: String,
    pub entry_id: String,
    pub entry_name: String,
    pub entry_id_masked: Option<String>,
    pub matched_by: Vec<MatchedBy>,
    pub desk_id: String,
    #[ts(type = "string")]
    pub raised_at: jiff::Timestamp,
    pub false_positive: bool,
}

/// The outcome of a host directory import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum HostImport {
    Imported {
        added: u32,
        updated: u32,
        unchanged: u32,
    },
    /// Nothing was stored; every bad row is listed.
    Refused {
        errors: Vec<ImportRowError>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OverdueVisit {
    pub visit: Visit,
    /// When it should have ended: its expected end, else the end of its sign-in day.
    #[ts(type = "string")]
    pub due: jiff::Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OverdueList {
    pub overdue: Vec<OverdueVisit>,
    /// Visits the kiosk signed out automatically since the start of yesterday: they never
    /// signed out (the next-morning list).
    pub never_signed_out: Vec<Visit>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportResult {
    pub file_name: String,
    pub path: String,
    pub rows: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PurgeReport {
    #[ts(type = "string")]
    pub before: jiff::Timestamp,
    pub visits: u32,
    pub invitations: u32,
    pub backups_removed: u32,
    pub exports_removed: u32,
}

/// A photo taken at sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Photo {
    pub mime: String,
    pub base64: String,
}

fn field(name: &str, code: FieldErrorCode) -> FieldError {
    FieldError::new(name, code)
}

impl Kiosk {
    // ----- settings -------------------------------------------------------------------------

    /// The site's visitor settings (defaults until an admin or the hub sets them).
    pub fn visitor_settings(&self) -> Result<VisitorSettings, CoreError> {
        let doc = self.store().read().authored_doc(VISITOR_SETTINGS, "site")?;
        Ok(doc.and_then(|(body, _)| serde_json::from_str(&body).ok()).unwrap_or_default())
    }

    /// Change the visitor settings (admin; site data, so only while the kiosk stands alone).
    pub fn set_visitor_settings(&self, token: &str, settings: VisitorSettings) -> Result<VisitorSettings, CoreError> {
        self.require_admin(token)?;
        settings.validate().map_err(CoreError::Validation)?;
        self.change(|change| {
            let actor = change.admin_actor()?;
            change.op(OpBody::VisitorSettingsPublished(VisitorSettingsPublished { settings: settings.clone() }))?;
            change.audit(
                &actor,
                AuditAction::SettingsChange,
                "visitors",
                json!({
                    "retention_days": settings.retention_days,
                    "end_of_day": settings.end_of_day,
                    "auto_sign_out": settings.auto_sign_out,
                }),
            )?;
            Ok(())
        })?;
        self.visitor_settings()
    }

    fn tz(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.site().site.timezone).unwrap_or(jiff::tz::TimeZone::UTC)
    }

    // ----- sign-in --------------------------------------------------------------------------

    /// Check the whole sign-in form, the visitor-management details included, reporting every
    /// bad field at once.
    pub(crate) fn check_sign_in(
        &self,
        change: &mut Change<'_>,
        form: &NewVisit,
    ) -> Result<(VisitFields, CheckedDetails), CoreError> {
        let host = change.read().host(&form.host_id)?;
        let mut errors = Vec::new();
        let fields = form.validate(host.as_ref()).map_err(|mut e| errors.append(&mut e)).ok();
        let d = &form.details;
        let key = self.hash_key();
        let mut checked = CheckedDetails {
            id_type: None,
            id_masked: None,
            id_hash: None,
            phone_masked: None,
            phone_hash: None,
            expected_end: None,
            invitation: None,
            photo: None,
        };
        if !d.id_number.trim().is_empty() || d.id_type.is_some() {
            match d.id_type {
                None => errors.push(field("id_type", FieldErrorCode::Required)),
                Some(id_type) => match identity::check_id(id_type, &d.id_number) {
                    Ok(number) => {
                        checked.id_type = Some(id_type);
                        checked.id_masked = Some(identity::mask(&number));
                        checked.id_hash = Some(key.hash(HashKind::Id, &number));
                    }
                    Err(code) => errors.push(field("id_number", code)),
                },
            }
        }
        if !d.phone.trim().is_empty() {
            match identity::check_phone(&d.phone) {
                Ok(number) => {
                    checked.phone_masked = Some(identity::mask(&number));
                    checked.phone_hash = Some(key.hash(HashKind::Phone, &number));
                }
                Err(code) => errors.push(field("phone", code)),
            }
        }
        if let Some(from) = d.returning_from
            && let Some((id_type, id_masked, id_hash, phone_masked, phone_hash)) = change.read().visit_identity(from)?
        {
            if checked.id_hash.is_none() && id_hash.is_some() && d.id_type.is_none() {
                checked.id_type = id_type.and_then(|t| serde_json::from_value(serde_json::Value::String(t)).ok());
                checked.id_masked = id_masked;
                checked.id_hash = id_hash;
            }
            if checked.phone_hash.is_none() && phone_hash.is_some() {
                checked.phone_masked = phone_masked;
                checked.phone_hash = phone_hash;
            }
        }
        if !d.expected_end.trim().is_empty() {
            match settings::parse_clock(&d.expected_end) {
                None => errors.push(field("expected_end", FieldErrorCode::TimeFormat)),
                Some(time) => {
                    let now = change.now();
                    let end =
                        now.to_zoned(self.tz()).date().to_datetime(time).to_zoned(self.tz()).map(|z| z.timestamp());
                    match end {
                        Ok(end) if end > now => checked.expected_end = Some(end),
                        _ => errors.push(field("expected_end", FieldErrorCode::TimePassed)),
                    }
                }
            }
        }
        if !d.photo_base64.is_empty() {
            match decode_photo(&d.photo_base64) {
                Some(photo) => checked.photo = Some(photo),
                None => errors.push(field("photo", FieldErrorCode::PhotoInvalid)),
            }
        }
        let fields = match (fields, errors.is_empty()) {
            (Some(fields), true) => fields,
            _ => return Err(CoreError::Validation(errors)),
        };
        if !d.invitation.trim().is_empty() {
            let check = self.check_invitation_in(change, &d.invitation)?;
            if let Some(refusal) = check.refusal {
                return Err(CoreError::InvitationRefused(refusal));
            }
            checked.invitation = check.invitation_id;
        }
        Ok((fields, checked))
    }

    /// Write a new visit's details, its invitation use, its photo and any watch-list hit, in
    /// the change that signs it in.
    pub(crate) fn record_sign_in_details(
        &self,
        change: &mut Change<'_>,
        visit_id: VisitId,
        fields: &VisitFields,
        details: CheckedDetails,
    ) -> Result<(), CoreError> {
        // Decided before `details` is taken apart below.
        let hits = self.watchlist_matches(change, fields, &details)?;
        let name_key =
            self.hash_key().hash(HashKind::NameCompany, &identity::name_company_key(&fields.name, &fields.company));
        change.op(OpBody::VisitDetails(VisitDetails {
            visit_id,
            id_type: details.id_type,
            id_masked: details.id_masked,
            id_hash: details.id_hash.clone(),
            phone_masked: details.phone_masked,
            phone_hash: details.phone_hash,
            name_key: Some(name_key),
            expected_end: details.expected_end,
            invitation_id: details.invitation,
        }))?;
        if let Some(invitation_id) = details.invitation {
            change.op(OpBody::InvitationRedeemed(InvitationRedeemed {
                invitation_id,
                visit_id,
                redeemed_at: change.now(),
            }))?;
        }
        if let Some(photo) = &details.photo {
            change.put_photo(visit_id, photo)?;
        }
        // The watch list: the visitor sees nothing, the receptionist a discreet cue, the
        // guards an alert op.
        if !hits.is_empty() {
            let desk_id = change.desk()?.id;
            let actor = change.desk_actor()?;
            let audit = json!({
                "entries": hits.iter().map(|h| h.entry_id.clone()).collect::<Vec<_>>(),
                "matched_by": hits.iter().flat_map(|h| h.matched_by.clone()).collect::<Vec<_>>(),
            });
            change.op(OpBody::WatchlistHit(WatchlistHit {
                visit_id,
                entries: hits,
                desk_id,
                raised_at: change.now(),
            }))?;
            change.audit(&actor, AuditAction::WatchlistHit, visit_id.to_string(), audit)?;
            // The guards hear of it like any alert (the visitor and the desk see nothing).
            self.raise_watchlist_hit_in(change, visit_id)?;
        }
        Ok(())
    }

    /// The watch-list entries a visitor signing in matches (none marked a false positive for
    /// their ID). Decided before the visit is written: a hit also requires an escort.
    pub(crate) fn watchlist_matches(
        &self,
        change: &Change<'_>,
        fields: &VisitFields,
        details: &CheckedDetails,
    ) -> Result<Vec<HitEntry>, CoreError> {
        let entries = change.read().watchlist()?;
        let reader = change.read();
        let exempt = |entry_id: &str| {
            details.id_hash.as_deref().is_some_and(|h| reader.watchlist_exempt(entry_id, h).unwrap_or(false))
        };
        let candidate = watchlist::Candidate { name: &fields.name, id_hash: details.id_hash.as_deref() };
        Ok(watchlist::matches(&entries, &candidate, exempt)
            .into_iter()
            .map(|(entry, how)| HitEntry { entry_id: entry.id.clone(), matched_by: how })
            .collect())
    }

    /// Whether a visit has a watch-list hit not marked a false positive (the escort rules
    /// require an escort then).
    pub fn visit_has_watchlist_hit(&self, visit_id: VisitId) -> Result<bool, CoreError> {
        Ok(self.store().read().watchlist_hits(Some(visit_id), 100)?.iter().any(|h| !h.cleared))
    }

    /// The photo taken when a visit signed in, if any (this device only).
    pub fn visit_photo(&self, visit_id: VisitId) -> Result<Option<Photo>, CoreError> {
        Ok(self
            .store()
            .read()
            .photo(visit_id)?
            .map(|p| Photo { mime: p.mime, base64: base64::engine::general_purpose::STANDARD.encode(p.data) }))
    }

    // ----- returning visitors ---------------------------------------------------------------

    /// Find a previous visitor by phone or ID number (exact), or by exact full name and
    /// company. Never a list: the single most recent visit, or nothing. Audited.
    pub fn returning_lookup(&self, query: &ReturningQuery) -> Result<Option<ReturningVisitor>, CoreError> {
        let key = self.hash_key();
        self.change(|change| {
            let reader = change.read();
            let mut found: Option<(VisitId, &str)> = None;
            let number = query.number.trim();
            if !number.is_empty() {
                let mut candidates = Vec::new();
                if let Ok(phone) = identity::check_phone(number)
                    && let Some(v) = reader.visit_by_hash(LookupColumn::Phone, &key.hash(HashKind::Phone, &phone))?
                {
                    candidates.push((v, "phone"));
                }
                let id = identity::normalise_id(number);
                if (5..=20).contains(&id.len())
                    && id.bytes().all(|b| b.is_ascii_alphanumeric())
                    && let Some(v) = reader.visit_by_hash(LookupColumn::Id, &key.hash(HashKind::Id, &id))?
                {
                    candidates.push((v, "id"));
                }
                // Both matched different visits: the later one (ids are time-ordered).
                found = candidates.into_iter().max_by_key(|(v, _)| *v);
            } else if !query.name.trim().is_empty() {
                let hash = key.hash(HashKind::NameCompany, &identity::name_company_key(&query.name, &query.company));
                found = reader.visit_by_hash(LookupColumn::NameKey, &hash)?.map(|v| (v, "name"));
            }
            let by = if number.is_empty() { "name" } else { "number" };
            let actor = change.desk_actor()?;
            let subject = found.map(|(v, _)| v.to_string()).unwrap_or_default();
            change.audit(
                &actor,
                AuditAction::ReturningLookup,
                subject,
                json!({ "by": by, "found": found.is_some() }),
            )?;
            let Some((visit_id, matched_by)) = found else { return Ok(None) };
            let Some(visit) = change.read().visit(visit_id)? else { return Ok(None) };
            Ok(Some(ReturningVisitor {
                visit_id,
                name: visit.name,
                company: visit.company,
                host_id: visit.host_id,
                purpose: visit.purpose,
                id_type: visit.details.id_type,
                id_masked: visit.details.id_masked,
                phone_masked: visit.details.phone_masked,
                matched_by: matched_by.to_owned(),
            }))
        })
    }

    // ----- invitations ----------------------------------------------------------------------

    fn parse_day(&self, text: &str) -> Option<jiff::civil::Date> {
        text.trim().parse::<jiff::civil::Date>().ok()
    }

    /// Create an invitation (admin): a short code and a signed QR token.
    pub fn create_invitation(&self, token: &str, new: &NewInvitation) -> Result<IssuedInvitation, CoreError> {
        self.require_admin(token)?;
        // Only a desk that holds the site's signing key can issue invitations.
        self.badge_keys().signing().map_err(CoreError::BadgeKey)?;
        let tz = self.tz();
        let id = InvitationId::new();
        let code = invitation::new_code();
        self.change(|change| {
            let host = change.read().host(&new.host_id)?;
            let as_visit = NewVisit {
                name: new.name.clone(),
                company: new.company.clone(),
                host_id: new.host_id.clone(),
                ..NewVisit::default()
            };
            let mut errors = Vec::new();
            let fields = as_visit.validate(host.as_ref()).map_err(|mut e| errors.append(&mut e)).ok();
            let from = self.parse_day(&new.valid_from);
            let until = self.parse_day(&new.valid_until);
            if from.is_none() {
                errors.push(field("valid_from", FieldErrorCode::DateFormat));
            }
            if until.is_none() {
                errors.push(field("valid_until", FieldErrorCode::DateFormat));
            }
            let today = change.now().to_zoned(tz.clone()).date();
            if let (Some(f), Some(u)) = (from, until)
                && (u < f || u < today || (u - f).get_days() >= INVITATION_MAX_DAYS as i32)
            {
                errors.push(field("valid_until", FieldErrorCode::DateRange));
            }
            if !(1..=INVITATION_MAX_USES).contains(&new.uses) {
                errors.push(field("uses", FieldErrorCode::OutOfRange));
            }
            let (Some(fields), Some(from), Some(until), true) = (fields, from, until, errors.is_empty()) else {
                return Err(CoreError::Validation(errors));
            };
            let start = from.to_zoned(tz.clone()).map_err(|_| CoreError::Validation(vec![field("valid_from", FieldErrorCode::DateFormat)]))?;
            let end = until
                .tomorrow()
                .ok()
                .and_then(|d| d.to_zoned(tz.clone()).ok())
                .ok_or_else(|| CoreError::Validation(vec![field("valid_until", FieldErrorCode::DateFormat)]))?;
            let valid_from = start.timestamp();
            let valid_until = end.timestamp() - jiff::SignedDuration::from_secs(1);
            change.op(OpBody::InvitationCreated(InvitationCreated {
                invitation_id: id,
                code: code.clone(),
                name: fields.name,
                company: fields.company,
                host_id: fields.host_id,
                valid_from,
                valid_until,
                uses: new.uses,
                created_at: change.now(),
            }))?;
            let actor = change.admin_actor()?;
            change.audit(
                &actor,
                AuditAction::InvitationCreated,
                id.to_string(),
                json!({ "valid_from": valid_from.to_string(), "valid_until": valid_until.to_string(), "uses": new.uses }),
            )?;
            Ok(())
        })?;
        self.issued_invitation(id)
    }

    /// An invitation with its token and QR code again (admin), e.g. to send it once more.
    pub fn invitation_token(&self, token: &str, id: InvitationId) -> Result<IssuedInvitation, CoreError> {
        self.require_admin(token)?;
        self.issued_invitation(id)
    }

    fn issued_invitation(&self, id: InvitationId) -> Result<IssuedInvitation, CoreError> {
        let badge_keys = self.badge_keys();
        let key = badge_keys.signing().map_err(CoreError::BadgeKey)?;
        let row = self
            .store()
            .read()
            .invitation(id)?
            .filter(|r| r.created)
            .ok_or_else(|| CoreError::NotFound(id.to_string()))?;
        let secs = |ms: Option<i64>| u32::try_from(ms.unwrap_or(0) / 1000).unwrap_or(u32::MAX);
        let claims = invitation::Claims {
            key_id: badge_keys.key_id(),
            invitation_id: id,
            site: self.site().site.id.clone(),
            host_id: row.host_id.clone(),
            name: row.name.clone(),
            company: row.company.clone(),
            valid_from: secs(row.valid_from),
            valid_until: secs(row.valid_until),
            uses: row.uses,
        };
        let token = invitation::sign(&claims, key);
        let qr = crate::render::qr::svg_path(&token, 0.0, 0.0, 100.0, "#000")?;
        let qr_svg = format!(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">{qr}</svg>"#);
        Ok(IssuedInvitation { invitation: self.invitation_view(row)?, token, qr_svg })
    }

    fn invitation_view(&self, row: crate::storage::visitors::InvitationRow) -> Result<Invitation, CoreError> {
        let now = self.now().as_millisecond();
        let (from, until) = (row.valid_from.unwrap_or(0), row.valid_until.unwrap_or(0));
        let status = if row.revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if row.used >= u32::from(row.uses) {
            InvitationStatus::UsedUp
        } else if now > until {
            InvitationStatus::Expired
        } else if now < from {
            InvitationStatus::NotYetValid
        } else {
            InvitationStatus::Valid
        };
        let host_name = self.store().read().host(&row.host_id)?.map(|h| h.name);
        let t = |ms: i64| jiff::Timestamp::from_millisecond(ms).unwrap_or_default();
        Ok(Invitation {
            id: row.id,
            code: invitation::display_code(row.code.as_deref().unwrap_or("")),
            name: row.name,
            company: row.company,
            host_id: row.host_id,
            host_name,
            valid_from: t(from),
            valid_until: t(until),
            uses: row.uses,
            used: row.used,
            status,
        })
    }

    /// Recent invitations (admin).
    pub fn invitations(&self, token: &str) -> Result<Vec<Invitation>, CoreError> {
        self.require_admin(token)?;
        let rows = self.store().read().invitations(200)?;
        rows.into_iter().map(|r| self.invitation_view(r)).collect()
    }

    /// Revoke an invitation everywhere (admin).
    pub fn revoke_invitation(&self, token: &str, id: InvitationId) -> Result<Invitation, CoreError> {
        self.require_admin(token)?;
        self.change(|change| {
            if change.read().invitation(id)?.is_none_or(|r| !r.created) {
                return Err(CoreError::NotFound(id.to_string()));
            }
            change.op(OpBody::InvitationRevoked(InvitationRevoked { invitation_id: id, revoked_at: change.now() }))?;
            let actor = change.admin_actor()?;
            change.audit(&actor, AuditAction::InvitationRevoked, id.to_string(), json!({}))?;
            Ok(())
        })?;
        let row = self.store().read().invitation(id)?.ok_or_else(|| CoreError::NotFound(id.to_string()))?;
        self.invitation_view(row)
    }

    /// Check a scanned token or typed code at the desk: what it fills in, or why it is refused
    /// (a refusal is audited).
    pub fn check_invitation(&self, text: &str) -> Result<InvitationCheck, CoreError> {
        self.change(|change| self.check_invitation_in(change, text))
    }

    fn check_invitation_in(&self, change: &mut Change<'_>, text: &str) -> Result<InvitationCheck, CoreError> {
        let now_s = change.now().as_second();
        let refused = |refusal, id: Option<InvitationId>| InvitationCheck {
            refusal: Some(refusal),
            invitation_id: id,
            name: String::new(),
            company: String::new(),
            host_id: None,
            valid_until: None,
        };
        let site = self.site();
        let check = if invitation::is_token(text) {
            match invitation::parse(text) {
                Err(refusal) => refused(refusal, None),
                Ok(token) if token.claims.site != site.site.id => refused(InvitationRefusal::WrongSite, None),
                Ok(token) => {
                    let mut keys = vec![*self.badge_keys().public_key()];
                    keys.extend(
                        site.badges.public_key.as_deref().and_then(|k| crate::badge::keys::parse_public_key(k).ok()),
                    );
                    // Invitations signed before the hub handed this kiosk the site's key.
                    keys.extend(self.previous_badge_public_keys_in(change)?);
                    let c = &token.claims;
                    let row = change.read().invitation(c.invitation_id)?;
                    let used = row.as_ref().map_or(0, |r| r.used);
                    let refusal = if !keys.iter().any(|k| token.signed_by(k)) {
                        Some(InvitationRefusal::Forged)
                    } else if row.as_ref().is_some_and(|r| r.revoked_at.is_some()) {
                        Some(InvitationRefusal::Revoked)
                    } else if used >= u32::from(c.uses) {
                        Some(InvitationRefusal::UsedUp)
                    } else {
                        invitation::window_refusal(i64::from(c.valid_from), i64::from(c.valid_until), now_s)
                    };
                    match refusal {
                        Some(r) if r == InvitationRefusal::Forged => refused(r, None),
                        Some(r) => refused(r, Some(c.invitation_id)),
                        None => InvitationCheck {
                            refusal: None,
                            invitation_id: Some(c.invitation_id),
                            name: c.name.clone(),
                            company: c.company.clone(),
                            host_id: Some(c.host_id.clone()),
                            valid_until: jiff::Timestamp::from_second(i64::from(c.valid_until)).ok(),
                        },
                    }
                }
            }
        } else {
            match invitation::normalise_code(text) {
                None => refused(InvitationRefusal::Malformed, None),
                Some(code) => match change.read().invitation_by_code(&code)? {
                    None => refused(InvitationRefusal::Unknown, None),
                    Some(row) => {
                        let (from, until) = (row.valid_from.unwrap_or(0) / 1000, row.valid_until.unwrap_or(0) / 1000);
                        let refusal = if row.revoked_at.is_some() {
                            Some(InvitationRefusal::Revoked)
                        } else if row.used >= u32::from(row.uses) {
                            Some(InvitationRefusal::UsedUp)
                        } else {
                            invitation::window_refusal(from, until, now_s)
                        };
                        match refusal {
                            Some(r) => refused(r, Some(row.id)),
                            None => InvitationCheck {
                                refusal: None,
                                invitation_id: Some(row.id),
                                name: row.name,
                                company: row.company,
                                host_id: Some(row.host_id),
                                valid_until: jiff::Timestamp::from_millisecond(until * 1000).ok(),
                            },
                        }
                    }
                },
            }
        };
        if let Some(refusal) = check.refusal {
            let actor = change.desk_actor()?;
            let subject = check.invitation_id.map(|i| i.to_string()).unwrap_or_default();
            change.audit(&actor, AuditAction::InvitationRefused, subject, json!({ "reason": refusal }))?;
        }
        Ok(check)
    }

    // ----- watch list -----------------------------------------------------------------------

    pub fn watchlist(&self, token: &str) -> Result<Vec<WatchlistEntry>, CoreError> {
        self.require_admin(token)?;
        Ok(self.store().read().watchlist()?)
    }

    /// Add or change a watch-list entry (admin; site data: refused once the hub manages it).
    pub fn save_watchlist_entry(&self, token: &str, input: &WatchlistInput) -> Result<WatchlistEntry, CoreError> {
        self.require_admin(token)?;
        let existing = if input.id.is_empty() { None } else { self.store().read().watchlist_entry(&input.id)? };
        if !input.id.is_empty() && existing.is_none() {
            return Err(CoreError::NotFound(input.id.clone()));
        }
        let entry = watchlist::build_entry(
            watchlist::EntryInput {
                id: if input.id.is_empty() { uuid::Uuid::now_v7().to_string() } else { input.id.clone() },
                name: &input.name,
                id_type: input.id_type,
                id_number: &input.id_number,
                reason: &input.reason,
                active: input.active,
            },
            existing.as_ref(),
            &self.hash_key(),
        )
        .map_err(CoreError::Validation)?;
        self.change(|change| {
            change.op(OpBody::WatchlistUpserted(WatchlistUpserted { entry: entry.clone() }))?;
            let actor = change.admin_actor()?;
            change.audit(
                &actor,
                AuditAction::WatchlistChange,
                entry.id.clone(),
                json!({ "active": entry.active, "by_name": !entry.name.is_empty(), "by_id": entry.id_hash.is_some() }),
            )?;
            Ok(())
        })?;
        Ok(entry)
    }

    /// Watch-list hits, latest first (admin).
    pub fn watchlist_hits(&self, token: &str) -> Result<Vec<WatchlistHitView>, CoreError> {
        self.require_admin(token)?;
        let store = self.store();
        let reader = store.read();
        let mut out = Vec::new();
        for hit in reader.watchlist_hits(None, 200)? {
            let entry = reader.watchlist_entry(&hit.entry_id)?;
            let visit = reader.visit(hit.visit_id)?;
            out.push(WatchlistHitView {
                visit_id: hit.visit_id,
                visit_name: visit.map(|v| v.name).unwrap_or_default(),
                entry_id: hit.entry_id,
                entry_name: entry.as_ref().map(|e| e.name.clone()).unwrap_or_default(),
                entry_id_masked: entry.and_then(|e| e.id_masked),
                matched_by: hit.matched_by,
                desk_id: hit.desk_id,
                raised_at: jiff::Timestamp::from_millisecond(hit.raised_at).unwrap_or_default(),
                false_positive: hit.cleared,
            });
        }
        Ok(out)
    }

    /// Mark a hit a false positive (admin): the cue goes, and the same ID no longer hits that
    /// entry by name alone.
    pub fn mark_false_positive(&self, token: &str, visit_id: VisitId, entry_id: &str) -> Result<(), CoreError> {
        self.require_admin(token)?;
        self.change(|change| {
            let hits = change.read().watchlist_hits(Some(visit_id), 100)?;
            if !hits.iter().any(|h| h.entry_id == entry_id) {
                return Err(CoreError::NotFound(format!("hit {visit_id}/{entry_id}")));
            }
            let exempt_id_hash = change.read().visit_identity(visit_id)?.and_then(|(_, _, hash, _, _)| hash);
            change.op(OpBody::WatchlistCleared(WatchlistCleared {
                visit_id,
                entry_id: entry_id.to_owned(),
                exempt_id_hash,
                cleared_at: change.now(),
            }))?;
            let actor = change.admin_actor()?;
            change.audit(
                &actor,
                AuditAction::WatchlistFalsePositive,
                visit_id.to_string(),
                json!({ "entry": entry_id }),
            )?;
            Ok(())
        })
    }

    // ----- host directory -------------------------------------------------------------------

    /// Every host, active or not (admin).
    pub fn all_hosts(&self, token: &str) -> Result<Vec<HostRecord>, CoreError> {
        self.require_admin(token)?;
        Ok(self.store().read().hosts()?)
    }

    /// Add or edit a host (admin). Deactivating keeps the host (visits refer to it); hosts are
    /// never deleted. An empty id adds a new host.
    pub fn save_host(&self, token: &str, host: &HostRecord) -> Result<HostRecord, CoreError> {
        self.require_admin(token)?;
        let name = host.name.split_whitespace().collect::<Vec<_>>().join(" ");
        let record = HostRecord {
            id: host.id.clone(),
            name,
            department: host.department.trim().to_owned(),
            extension: host.extension.trim().to_owned(),
            email: host.email.trim().to_owned(),
            may_escort: host.may_escort,
            active: host.active,
        };
        let mut errors = Vec::new();
        hosts_csv::check_fields(0, &record.name, &record.department, &record.extension, &record.email, &mut errors);
        if !record.id.0.is_empty() && !hosts_csv::id_ok(&record.id.0) {
            errors.push(ImportRowError { line: 0, column: "id".into(), code: ImportErrorCode::BadId });
        }
        if !errors.is_empty() {
            return Err(CoreError::Validation(errors.iter().map(row_error_to_field).collect()));
        }
        self.change(|change| {
            let existing = change.read().hosts()?;
            let mut record = record.clone();
            if record.id.0.is_empty() {
                record.id = new_host_id(&record, &existing);
            }
            change.op(OpBody::HostUpserted(record.clone()))?;
            let actor = change.admin_actor()?;
            change.audit(&actor, AuditAction::HostChange, record.id.0.clone(), json!({ "active": record.active }))?;
            Ok(record)
        })
    }

    /// Import the host directory from CSV (admin): all or nothing. Rows update the host with
    /// the same id, else the same email, else add a host.
    pub fn import_hosts(&self, token: &str, csv: &str) -> Result<HostImport, CoreError> {
        self.require_admin(token)?;
        let rows = match hosts_csv::parse(csv.as_bytes()) {
            Ok(rows) => rows,
            Err(errors) => return Ok(HostImport::Refused { errors }),
        };
        self.change(|change| {
            let mut existing = change.read().hosts()?;
            let (mut added, mut updated, mut unchanged) = (0, 0, 0);
            for row in &rows {
                let found = match &row.id {
                    Some(id) => existing.iter().position(|h| h.id.0 == *id),
                    None if !row.email.is_empty() => {
                        existing.iter().position(|h| h.email.eq_ignore_ascii_case(&row.email))
                    }
                    None => {
                        let same: Vec<usize> =
                            existing.iter().enumerate().filter(|(_, h)| h.name == row.name).map(|(i, _)| i).collect();
                        if same.len() == 1 { Some(same[0]) } else { None }
                    }
                };
                let mut record = HostRecord {
                    id: HostId(row.id.clone().unwrap_or_default()),
                    name: row.name.clone(),
                    department: row.department.clone(),
                    extension: row.extension.clone(),
                    email: row.email.clone(),
                    may_escort: row.may_escort,
                    active: true,
                };
                match found {
                    Some(i) if existing[i] == HostRecord { id: existing[i].id.clone(), ..record.clone() } => {
                        unchanged += 1
                    }
                    Some(i) => {
                        record.id = existing[i].id.clone();
                        change.op(OpBody::HostUpserted(record.clone()))?;
                        existing[i] = record;
                        updated += 1;
                    }
                    None => {
                        if record.id.0.is_empty() {
                            record.id = new_host_id(&record, &existing);
                        }
                        change.op(OpBody::HostUpserted(record.clone()))?;
                        existing.push(record);
                        added += 1;
                    }
                }
            }
            let actor = change.admin_actor()?;
            change.audit(
                &actor,
                AuditAction::HostsImport,
                "hosts",
                json!({ "added": added, "updated": updated, "unchanged": unchanged }),
            )?;
            Ok(HostImport::Imported { added, updated, unchanged })
        })
    }

    // ----- overdue and auto sign-out --------------------------------------------------------

    /// Visits past their expected end (or their day's end), and the next-morning list of
    /// visits that never signed out.
    pub fn overdue(&self) -> Result<OverdueList, CoreError> {
        let now = self.now();
        let tz = self.tz();
        let settings = self.visitor_settings()?;
        let end_of_day = settings.end_of_day_time();
        let mut overdue = Vec::new();
        for visit in self.on_site()? {
            let due = visit.details.expected_end.unwrap_or_else(|| {
                let day = visit.signed_in_at.to_zoned(tz.clone()).date();
                day.to_datetime(end_of_day).to_zoned(tz.clone()).map_or(visit.signed_in_at, |z| z.timestamp())
            });
            if due < now {
                overdue.push(OverdueVisit { visit, due });
            }
        }
        overdue.sort_by_key(|o| o.due);
        let today = now.to_zoned(tz.clone()).date();
        let since =
            today.yesterday().ok().and_then(|d| d.to_zoned(tz).ok()).map_or(0, |z| z.timestamp().as_millisecond());
        let never_signed_out = self.store().read().auto_signed_out_since(since)?;
        Ok(OverdueList { overdue, never_signed_out })
    }

    /// At the site's auto sign-out time, sign out everyone signed in before it (a kiosk that
    /// was off then catches up at its next start). Returns how many were signed out.
    pub fn auto_sign_out_due(&self) -> Result<u32, CoreError> {
        let Some(time) = self.visitor_settings()?.auto_sign_out_time() else { return Ok(0) };
        let tz = self.tz();
        let now = self.now();
        let today = now.to_zoned(tz.clone()).date();
        let at = |d: jiff::civil::Date| d.to_datetime(time).to_zoned(tz.clone()).map(|z| z.timestamp()).ok();
        let Some(cutoff) = at(today).filter(|t| *t <= now).or_else(|| today.yesterday().ok().and_then(at)) else {
            return Ok(0);
        };
        self.change(|change| {
            let due: Vec<Visit> = change.read().on_site()?.into_iter().filter(|v| v.signed_in_at < cutoff).collect();
            for visit in &due {
                let now = change.now();
                change.op(OpBody::VisitSignedOut(VisitSignedOut { visit_id: visit.id, signed_out_at: now }))?;
                change.op(OpBody::VisitAutoSignedOut(VisitAutoSignedOut { visit_id: visit.id, at: now }))?;
                change.audit(SYSTEM_ACTOR, AuditAction::AutoSignOut, visit.id.to_string(), json!({}))?;
            }
            Ok(due.len() as u32)
        })
    }

    // ----- search and export ----------------------------------------------------------------

    /// Search visit history by visitor name, company or host name (admin), newest first, at
    /// most 50. Chinese and English alike; see `storage::visitors::search_query`.
    pub fn search_visits(&self, token: &str, query: &str) -> Result<Vec<Visit>, CoreError> {
        self.require_admin(token)?;
        const LIMIT: u32 = 50;
        let store = self.store();
        let reader = store.read();
        let Some(fts) = crate::storage::visitors::search_query(query) else { return Ok(Vec::new()) };
        let mut ids = reader.search_visit_ids(&fts, LIMIT)?;
        let wanted = crate::storage::visitors::normalise_for_search(query);
        let wanted: Vec<&str> = wanted.split_whitespace().collect();
        let hosts: Vec<HostId> = reader
            .hosts()?
            .into_iter()
            .filter(|h| {
                let name = crate::storage::visitors::normalise_for_search(&h.name);
                wanted.iter().all(|w| name.contains(w))
            })
            .map(|h| h.id)
            .collect();
        ids.extend(reader.visits_of_hosts(&hosts, LIMIT)?);
        ids.sort_unstable();
        ids.dedup();
        let mut visits = Vec::new();
        for id in ids {
            if let Some(v) = reader.visit(id)? {
                visits.push(v);
            }
        }
        visits.sort_by(|a, b| b.signed_in_at.cmp(&a.signed_in_at).then(b.id.cmp(&a.id)));
        visits.truncate(LIMIT as usize);
        Ok(visits)
    }

    /// Export the visits signed in between two days (both included, site time) to a CSV file in
    /// the data folder's `exports/` (admin; audited). ID and phone numbers appear masked only.
    pub fn export_visits(
        &self,
        token: &str,
        from: &str,
        to: &str,
        lang: crate::i18n::Lang,
    ) -> Result<ExportResult, CoreError> {
        self.require_admin(token)?;
        let tz = self.tz();
        let (f, t) = (self.parse_day(from), self.parse_day(to));
        let mut errors = Vec::new();
        if f.is_none() {
            errors.push(field("from", FieldErrorCode::DateFormat));
        }
        if t.is_none() {
            errors.push(field("to", FieldErrorCode::DateFormat));
        }
        let (Some(f), Some(t)) = (f, t) else { return Err(CoreError::Validation(errors)) };
        if t < f || (t - f).get_days() > 366 {
            return Err(CoreError::Validation(vec![field("to", FieldErrorCode::DateRange)]));
        }
        let start = f.to_zoned(tz.clone()).map(|z| z.timestamp().as_millisecond()).unwrap_or(0);
        let end = t
            .tomorrow()
            .ok()
            .and_then(|d| d.to_zoned(tz.clone()).ok())
            .map_or(i64::MAX, |z| z.timestamp().as_millisecond());
        let visits = self.store().read().visits_between(start, end)?;
        let text = |id: &str| crate::catalog::text(lang, id, &[]);
        let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        let header: Vec<String> = [
            "export-col-visit",
            "export-col-signed-in",
            "export-col-signed-out",
            "export-col-name",
            "export-col-company",
            "export-col-host",
            "export-col-purpose",
            "export-col-id-type",
            "export-col-id",
            "export-col-phone",
            "export-col-desk",
            "export-col-auto-signed-out",
        ]
        .iter()
        .map(|id| text(id))
        .collect();
        let csv_err =
            |e: csv::Error| CoreError::from(crate::storage::StorageError::Corrupt(format!("writing the CSV: {e}")));
        out.write_record(&header).map_err(csv_err)?;
        let local = |t: jiff::Timestamp| t.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string();
        for v in &visits {
            let record = [
                v.id.to_string(),
                local(v.signed_in_at),
                v.signed_out_at.map(local).unwrap_or_default(),
                v.name.clone(),
                v.company.clone(),
                v.host.as_ref().map_or_else(|| v.host_id.0.clone(), |h| h.name.clone()),
                v.purpose.clone(),
                v.details.id_type.map(|t| text(&format!("id-type-{}", t.as_str()))).unwrap_or_default(),
                v.details.id_masked.clone().unwrap_or_default(),
                v.details.phone_masked.clone().unwrap_or_default(),
                v.desk_id.clone(),
                if v.details.auto_signed_out_at.is_some() { "1".into() } else { String::new() },
            ];
            out.write_record(record.iter().map(|c| defuse_formula(c))).map_err(csv_err)?;
        }
        let bytes = out.into_inner().map_err(|e| csv_err(e.into_error().into()))?;
        let folder = self.data_dir.join(EXPORTS_FOLDER);
        std::fs::create_dir_all(&folder).map_err(|e| io_error(&folder, e))?;
        let stamp = self.now().strftime("%Y%m%dT%H%M%S").to_string();
        let file_name = format!("frontdesk-visits-{f}-{t}-{stamp}.csv");
        let path = folder.join(&file_name);
        write_private(&path, &bytes).map_err(|e| io_error(&path, e))?;
        let rows = visits.len() as u32;
        self.change(|change| {
            let actor = change.admin_actor()?;
            change.audit(&actor, AuditAction::Export, format!("{f}..{t}"), json!({ "rows": rows, "file": file_name }))
        })?;
        Ok(ExportResult { file_name, path: path.display().to_string(), rows })
    }

    // ----- retention ------------------------------------------------------------------------

    /// Run the retention purge now (admin).
    pub fn purge_now(&self, token: &str) -> Result<PurgeReport, CoreError> {
        self.require_admin(token)?;
        self.purge(&self.admin_actor_name()?)
    }

    fn admin_actor_name(&self) -> Result<String, CoreError> {
        self.change(|change| change.admin_actor())
    }

    /// The scheduled purge: at most once a day (site time).
    pub fn purge_if_due(&self) -> Result<Option<PurgeReport>, CoreError> {
        let today = self.now().to_zoned(self.tz()).date().to_string();
        if self.store().meta(META_LAST_PURGE_DAY)?.as_deref() == Some(today.as_str()) {
            return Ok(None);
        }
        let report = self.purge(SYSTEM_ACTOR)?;
        self.store().set_meta(META_LAST_PURGE_DAY, &today)?;
        Ok(Some(report))
    }

    /// Remove personal data of visits signed in before the retention horizon: rows, search
    /// index, photos, op bodies (everywhere, once synced), then fold the WAL into the file and
    /// delete old non-rotating backups and exports. Anonymous counts stay. Audited.
    fn purge(&self, actor: &str) -> Result<PurgeReport, CoreError> {
        let now = self.now();
        let before = settings::retention_horizon(now, &self.tz(), self.visitor_settings()?.retention_days);
        let (visits, invitations) = self.change(|change| {
            let count =
                |sql: &str| -> Result<u32, CoreError> { Ok(change.read().count(sql, before.as_millisecond())?) };
            let visits = count("SELECT count(*) FROM visits WHERE purged = 0 AND earliest_in < ?1")?;
            let invitations = count("SELECT count(*) FROM invitations WHERE purged = 0 AND min_until < ?1")?;
            let current = change.read().retention_horizon()?;
            if current.is_none_or(|c| before > c) {
                change.op(OpBody::RetentionPurged(RetentionPurged { before, purged_at: now }))?;
            }
            change.audit(
                actor,
                AuditAction::Purge,
                before.to_string(),
                json!({ "visits": visits, "invitations": invitations }),
            )?;
            Ok((visits, invitations))
        })?;
        // The purged pages' old images leave the WAL; secure_delete zeroed freed space.
        let store = self.store();
        store
            .connection()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(crate::storage::StorageError::from)?;
        drop(store);
        let backups_removed = self.remove_old_files(now)?;
        let exports_removed = remove_older_than(&self.data_dir.join(EXPORTS_FOLDER), now, EXPORT_KEEP_DAYS);
        Ok(PurgeReport { before, visits, invitations, backups_removed, exports_removed })
    }

    fn remove_old_files(&self, now: jiff::Timestamp) -> Result<u32, CoreError> {
        let folder = self.data_dir.join(crate::backup::BACKUP_FOLDER);
        let cutoff = now - jiff::SignedDuration::from_hours(24 * SPECIAL_BACKUP_KEEP_DAYS);
        let mut removed = 0;
        for b in crate::backup::list(&folder)? {
            let special = matches!(
                b.header.kind,
                crate::backup::BackupKind::PreMigration | crate::backup::BackupKind::PreRestore
            );
            if special && b.header.created_at < cutoff && std::fs::remove_file(folder.join(&b.file_name)).is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// A CSV cell that a spreadsheet would run as a formula is prefixed so it stays text.
fn defuse_formula(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_owned() }
}

fn io_error(path: &std::path::Path, e: std::io::Error) -> CoreError {
    crate::storage::StorageError::DataDir { path: path.display().to_string(), source: e }.into()
}

/// Write a file only its owner can read (exports hold personal data).
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn remove_older_than(folder: &std::path::Path, now: jiff::Timestamp, days: i64) -> u32 {
    let Ok(entries) = std::fs::read_dir(folder) else { return 0 };
    let cutoff = std::time::SystemTime::UNIX_EPOCH
        + std::time::Duration::from_millis(u64::try_from(now.as_millisecond() - days * 86_400_000).unwrap_or(0));
    let mut removed = 0;
    for entry in entries.flatten() {
        let old = entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| t < cutoff);
        if old && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

fn row_error_to_field(e: &ImportRowError) -> FieldError {
    let code = match e.code {
        ImportErrorCode::Required => FieldErrorCode::Required,
        ImportErrorCode::TooLong => FieldErrorCode::TooLong,
        ImportErrorCode::ControlCharacters => FieldErrorCode::ControlCharacters,
        ImportErrorCode::BadEmail => FieldErrorCode::EmailFormat,
        ImportErrorCode::BadExtension => FieldErrorCode::ExtensionFormat,
        _ => FieldErrorCode::IdFormat,
    };
    FieldError::new(&e.column, code)
}

/// An id for a new host: from its email's local part, else its name, made unique.
fn new_host_id(host: &HostRecord, existing: &[HostRecord]) -> HostId {
    let base: String = host
        .email
        .split('@')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .to_owned();
    let base =
        if base.is_empty() { format!("host-{}", &uuid::Uuid::now_v7().simple().to_string()[20..]) } else { base };
    let mut id = base.clone();
    let mut n = 2;
    while existing.iter().any(|h| h.id.0 == id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    HostId(id)
}

/// A webcam photo from the form: base64 of a JPEG or PNG, at most [`PHOTO_MAX_BYTES`].
fn decode_photo(b64: &str) -> Option<StoredPhoto> {
    let b64 = b64.split_once("base64,").map_or(b64, |(_, rest)| rest);
    let data = base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()?;
    if data.len() > PHOTO_MAX_BYTES {
        return None;
    }
    let mime = if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else {
        return None;
    };
    Some(StoredPhoto { mime: mime.into(), data })
}

/// The site's ID-hashing key from the keyring, made on a standalone kiosk's first start.
pub(super) fn open_hash_key(
    store: &crate::storage::Store,
    secrets: &dyn crate::secrets::SecretStore,
    site: &crate::site::SiteConfig,
    wall: crate::hlc::WallClock,
) -> Result<identity::SiteHashKey, CoreError> {
    let meta_key = format!("{META_HASH_KEY_CREATED}/{}", site.site.id);
    let created = store.meta(&meta_key)?;
    let (key, made) = identity::SiteHashKey::load_or_create(secrets, &site.site.id, created.as_deref())?;
    if made {
        store.set_meta(&meta_key, &jiff::Timestamp::from_millisecond(wall() as i64).unwrap_or_default().to_string())?;
    }
    Ok(key)
}
