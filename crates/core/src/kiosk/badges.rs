//! The kiosk's badges: issue (preview, print, reprint), and check a scanned badge.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Kiosk, PrintWhat};
use crate::audit::AuditAction;
use crate::badge::{self, BadgeCheck, BadgeData, BadgeRefusal, LabelSize, token};
use crate::error::CoreError;
use crate::i18n::Lang;
use crate::ids::VisitId;
use crate::print::{JobState, PrintJob};
use crate::render::Renderer;
use crate::visit::Visit;

const META_LABEL_SIZE: &str = "print.label_size";
/// The kind of print job a badge is (with the visit id as its subject).
pub const BADGE_JOB: &str = "badge";
/// Resolution of the on-screen preview: sharp on the kiosk's display, quick to make.
pub const PREVIEW_DPI: f32 = 200.0;

/// A badge as the preview shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BadgePreview {
    pub visit_id: VisitId,
    pub label_size: LabelSize,
    pub width_mm: f32,
    pub height_mm: f32,
    /// The badge as a PNG, base64.
    pub png_base64: String,
    /// The signed token in its QR code.
    pub token: String,
    /// The latest print job of this badge, if it was printed.
    pub job: Option<PrintJob>,
}

/// This kiosk's print settings (device-local).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PrintSettings {
    pub badge_printer: Option<String>,
    pub label_size: LabelSize,
}

/// The site's badge key as this kiosk holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BadgeKeyInfo {
    /// Base64 of the Ed25519 public key: `[badges] public_key` in the site file of other devices.
    pub public_key: String,
    /// Hex of the 4-byte key id carried in every token.
    pub key_id: String,
    /// Whether this kiosk holds the private key and can issue badges.
    pub can_issue: bool,
}

impl Kiosk {
    pub fn print_settings(&self) -> Result<PrintSettings, CoreError> {
        let label_size =
            self.store().meta(META_LABEL_SIZE)?.and_then(|k| LabelSize::from_key(&k)).unwrap_or(LabelSize::Label62x100);
        Ok(PrintSettings { badge_printer: self.badge_printer()?, label_size })
    }

    pub fn set_print_settings(&self, settings: &PrintSettings) -> Result<PrintSettings, CoreError> {
        self.set_badge_printer(settings.badge_printer.as_deref())?;
        self.store().set_meta(META_LABEL_SIZE, settings.label_size.key())?;
        self.change(|change| {
            let actor = change.desk_actor()?;
            let details = serde_json::json!({
                "badge_printer": settings.badge_printer,
                "label_size": settings.label_size.key(),
            });
            change.audit(&actor, AuditAction::SettingsChange, "print", details)
        })?;
        self.print_settings()
    }

    pub fn badge_key(&self) -> BadgeKeyInfo {
        BadgeKeyInfo {
            public_key: badge::keys::encode_public_key(self.badge_keys().public_key()),
            key_id: self.badge_keys().key_id().iter().map(|b| format!("{b:02x}")).collect(),
            can_issue: self.badge_keys().can_issue(),
        }
    }

    /// When a badge issued at sign-in stops being valid: after the site's `valid_hours`, or
    /// else at the end of the sign-in day in the site's time zone.
    fn badge_expiry(&self, signed_in: jiff::Timestamp) -> jiff::Timestamp {
        let tz = self.site_timezone();
        match self.site().badges.valid_hours {
            Some(hours) => signed_in + jiff::SignedDuration::from_hours(i64::from(hours)),
            None => {
                let day = signed_in.to_zoned(tz.clone()).date();
                day.tomorrow()
                    .ok()
                    .and_then(|d| d.to_zoned(tz).ok())
                    .map_or(signed_in + jiff::SignedDuration::from_hours(24), |z| z.timestamp())
                    - jiff::SignedDuration::from_secs(1)
            }
        }
    }

    pub(crate) fn site_timezone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.site().site.timezone).unwrap_or(jiff::tz::TimeZone::UTC)
    }

    /// What goes on a visit's badge, its token signed with the site key. An escorted visit
    /// that has not started (checklist and escort, or an override) gets no badge.
    pub fn badge_data(&self, visit_id: VisitId, lang: Lang) -> Result<BadgeData, CoreError> {
        let visit = self.visit(visit_id)?;
        if visit.signed_out_at.is_some() {
            return Err(CoreError::AlreadySignedOut(visit_id.to_string()));
        }
        if visit.escort.as_ref().is_some_and(|e| e.pending) {
            return Err(CoreError::EscortPending(visit_id.to_string()));
        }
        let site = self.site();
        let badge_keys = self.badge_keys();
        let key = badge_keys.signing().map_err(CoreError::BadgeKey)?;
        // The site config can change while the kiosk runs (the hub hands out a new one): sign
        // only with the key it names, if it names one.
        if let Some(configured) = configured_key(&site)
            && configured != key.verifying_key()
        {
            return Err(CoreError::BadgeKey("the site's public key is not this kiosk's signing key".into()));
        }
        let issued_at = visit.signed_in_at;
        let expires_at = self.badge_expiry(issued_at);
        let secs = |t: jiff::Timestamp| u32::try_from(t.as_second()).unwrap_or(u32::MAX);
        let claims = token::Claims {
            key_id: badge_keys.key_id(),
            visit_id,
            site: site.site.id.clone(),
            issued_at: secs(issued_at),
            expires_at: secs(expires_at),
        };
        Ok(BadgeData {
            visit_id,
            visitor_name: visit.name.clone(),
            company: visit.company.clone(),
            host: visit.host.as_ref().map_or_else(|| visit.host_id.0.clone(), |h| h.name.clone()),
            site_name: site.site.name.get(lang).to_owned(),
            visitor_type: visit.escort.as_ref().and_then(|e| e.visitor_type.as_ref()).map(|t| t.name.clone()),
            escort_required: visit.escort.as_ref().is_some_and(|e| e.required),
            issued_at,
            expires_at,
            timezone: self.site_timezone(),
            token: token::sign(&claims, key),
        })
    }

    pub fn badge_preview(&self, visit_id: VisitId, lang: Lang) -> Result<BadgePreview, CoreError> {
        let data = self.badge_data(visit_id, lang)?;
        let size = self.print_settings()?.label_size;
        let renderer = Renderer::shared();
        let doc = data.render(&renderer, size, lang)?;
        let png = renderer.raster(&doc, PREVIEW_DPI)?.png()?;
        Ok(BadgePreview {
            visit_id,
            label_size: size,
            width_mm: doc.width_mm(),
            height_mm: doc.height_mm(),
            png_base64: base64::engine::general_purpose::STANDARD.encode(png),
            token: data.token,
            job: self.badge_job(visit_id)?,
        })
    }

    fn print_badge_with(&self, visit_id: VisitId, lang: Lang, reuse_open: bool) -> Result<PrintJob, CoreError> {
        // Whether this visit may have a badge at all comes before which printer it goes to.
        let data = self.badge_data(visit_id, lang)?;
        let printer = self.badge_printer()?.ok_or(CoreError::NoPrinter)?;
        let size = self.print_settings()?.label_size;
        let doc = data.render(&Renderer::shared(), size, lang)?;
        let subject = visit_id.to_string();
        let title = format!("Frontdesk badge {}", &subject[subject.len() - 12..]);
        let what = PrintWhat { kind: BADGE_JOB, subject: &subject, title: &title, printer: &printer };
        let job = self.print_pages(what, &[&doc], reuse_open)?;
        self.change(|change| {
            let actor = change.desk_actor()?;
            let state: &str = job.state.into();
            let details = serde_json::json!({
                "job": job.id.to_string(),
                "reprint": !reuse_open,
                "state": state,
                "printer": job.printer,
            });
            change.audit(&actor, AuditAction::BadgePrint, subject.clone(), details)
        })?;
        Ok(job)
    }

    /// Print a visit's badge on the badge printer. Asking again while the first is still on its
    /// way returns that job: one badge, however often "print" is tapped.
    pub fn print_badge(&self, visit_id: VisitId, lang: Lang) -> Result<PrintJob, CoreError> {
        self.print_badge_with(visit_id, lang, true)
    }

    /// Print another copy (a lost or spoiled badge). Refused while a copy is still waiting.
    pub fn reprint_badge(&self, visit_id: VisitId, lang: Lang) -> Result<PrintJob, CoreError> {
        self.print_badge_with(visit_id, lang, false)
    }

    /// The latest print job of a visit's badge, brought up to date with the OS.
    pub fn badge_job(&self, visit_id: VisitId) -> Result<Option<PrintJob>, CoreError> {
        let latest = self.store().latest_print_job(BADGE_JOB, &visit_id.to_string())?;
        match latest {
            Some(job) if job.state == JobState::Sent => Ok(Some(self.refresh_print_job(job.id)?)),
            other => Ok(other),
        }
    }

    /// Check a scanned badge, offline: signature (site key), site, expiry, and revocation by
    /// this device's copy of the visit (a sign-out here counts at once; one elsewhere once it
    /// has synced).
    pub fn check_badge(&self, text: &str) -> Result<BadgeCheck, CoreError> {
        let now = self.now();
        let mut lookup_error = None;
        let site = self.site();
        // This kiosk's key, and the one the current site config names (it may have changed
        // since start, e.g. handed out by the hub).
        let mut keys = vec![*self.badge_keys().public_key()];
        keys.extend(configured_key(&site));
        // Badges this kiosk printed before the hub handed it the site's key.
        keys.extend(self.previous_badge_public_keys()?);
        let result = badge::check(text, &site.site.id, &keys, now, |id| {
            self.store().read().visit(id).unwrap_or_else(|e| {
                lookup_error = Some(e);
                None
            })
        });
        match lookup_error {
            Some(e) => Err(e.into()),
            None => Ok(result),
        }
    }

    /// Sign out the visit of a scanned badge, if the badge checks out.
    pub fn sign_out_by_badge(&self, text: &str) -> Result<Visit, CoreError> {
        let checked = self.check_badge(text)?;
        match (checked.refusal, checked.visit_id) {
            (None, Some(visit_id)) => self.sign_out(visit_id),
            (Some(BadgeRefusal::SignedOut), Some(visit_id)) => Err(CoreError::AlreadySignedOut(visit_id.to_string())),
            (Some(refusal), _) => Err(CoreError::BadgeRefused(refusal)),
            (None, None) => Err(CoreError::BadgeRefused(BadgeRefusal::Malformed)),
        }
    }
}

/// The badge public key the site config names, if it names a valid one.
fn configured_key(site: &crate::site::SiteConfig) -> Option<ed25519_dalek::VerifyingKey> {
    site.badges.public_key.as_deref().and_then(|k| badge::keys::parse_public_key(k).ok())
}
